# sheet 003, Part 6, questions 1–3: the two-layer network f(x, A, b) = b ρ(Ax) with ρ = tanh,
# x ∈ ℝ^p, A ∈ ℝ^{q×p}, b ∈ ℝ^{1×q} (p = 3, q = 2). With z = Ax:
# ∇ₓf = Aᵀ(bᵀ ⊙ ρ'(z)), ∇_A f = (bᵀ ⊙ ρ'(z)) xᵀ, ∇_b f = ρ(z)ᵀ.
input x = [0.5, -1, 2]
input A = [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]
input b = [[1.5, -0.7]]

def hidden(x, A):          # the first layer, ρ(Ax)
    z = A @ x
    return tanh(z)

def readout(h, b) = (b @ h)[0]    # the second layer: b h is a 1-vector; [0] makes it the scalar f

output f = readout(hidden(x, A), b)
