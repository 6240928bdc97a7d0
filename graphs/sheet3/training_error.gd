# sheet 003, Part 6, question 4: the training error E(A, b) = Σᵢ (f(xᵢ, A, b) − yᵢ)² of the
# two-layer network f = b ρ(Ax), ρ = tanh, on n = 4 samples xᵢ (rows of X, p = 3), q = 2 neurons
# (b as a vector). With H = ρ(XAᵀ) and r = Hb − y: ∇_b E = 2 Hᵀ r, ∇_A E = 2 ((r bᵀ) ⊙ ρ'(XAᵀ))ᵀ X.
const X = [[0.5, -1, 2], [1, 0.2, -0.3], [-0.7, 0.4, 0.1], [0.3, 0.3, -1]]
const y = [0.2, -0.1, 0.4, 0]
input A = [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]
input b = [1.5, -0.7]

def network(X, A, b):    # f(xᵢ, A, b) = b ρ(A xᵢ) for every sample at once
    H = tanh(X @ A.T)    # ρ(A xᵢ) for every sample, one row each
    return H @ b

r = network(X, A, b) - y
output E = sum(r^2)
