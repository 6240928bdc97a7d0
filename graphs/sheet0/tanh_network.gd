# sheet 000, Section 2, Questions 5–7: the one-layer network y = σ(Σᵢ wᵢ vᵢ(Σⱼ wᵢⱼ xⱼ)) with
# σ = vᵢ = tanh, N = 3 observations, H = 2 neurons, so N·H + H = 8 parameters (w then W = (wᵢⱼ)).
# As a composition f(w, x) = σ ∘ M(w, V ∘ L(w, x)): L = W @ x, V = tanh, M = ⟨w, ·⟩.
# Closed form: with a = ⟨w, v⟩, ∇_w y = σ'(a) v and ∇_W y = σ'(a) (w ⊙ v'(z)) xᵀ.
# The two layers are functions: collapsed, each is one box (one Jacobian, one VJP).
const x = [1, -0.5, 2]                          # the observations x₁..x_N
input w = [0.7, -1.2]                           # output weights w₁..w_H
input W = [[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]]  # hidden weights wᵢⱼ (H×N)

def hidden(W, x):        # V ∘ L: the H neurons
    z = W @ x            # L(w, x)
    return tanh(z)       # V

def neuron(w, v):        # σ ∘ M: the output neuron
    a = dot(w, v)        # M(w, ·)
    return tanh(a)       # σ

v = hidden(W, x)
output y = neuron(w, v)
