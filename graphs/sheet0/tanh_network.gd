# sheet 000, Section 2, Questions 5–7: the one-layer network y = σ(Σᵢ wᵢ vᵢ(Σⱼ wᵢⱼ xⱼ)) with
# σ = vᵢ = tanh, N = 3 observations, H = 2 neurons, so N·H + H = 8 parameters (w then W = (wᵢⱼ)).
# As a composition f(w, x) = σ ∘ M(w, V ∘ L(w, x)): L = W @ x, V = tanh, M = ⟨w, ·⟩.
# Closed form: with a = ⟨w, v⟩, ∇_w y = σ'(a) v and ∇_W y = σ'(a) (w ⊙ v'(z)) xᵀ.
const x = [1, -0.5, 2]                          # the observations x₁..x_N
input w = [0.7, -1.2]                           # output weights w₁..w_H
input W = [[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]]  # hidden weights wᵢⱼ (H×N)
z = W @ x                # L(w, x)
v = tanh(z)              # V
a = dot(w, v)            # M(w, ·)
output y = tanh(a)       # σ
