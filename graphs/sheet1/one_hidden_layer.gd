# sheet 001, §1.1–1.4: one-hidden-layer network, squared loss l = ½(ŷ − y)², sigmoid activations,
# x̄ ∈ ℝ^{1,d+1} and h̄ ∈ ℝ^{1,m+1} carry a trailing 1 (bias); d = 2 inputs, m = 3 hidden units.
# Intermediate variables: pre_h = x̄ w_h, h = σ(pre_h), pre_y = ⟨θ, h̄⟩, ŷ = σ(pre_y).
# Closed forms (eq. 6 and 11): ∇_θ l = (ŷ − y) σ'(pre_y) h̄ᵀ and ∇_{w_h} l = (ŷ − y) σ'(pre_y) x̄ᵀ u,
# with u = θ̃ ⊙ σ'(pre_h), θ̃ = θ without its last entry. The two layers are functions.
const xbar = [0.5, -1, 1]                  # x̄ = (x, 1)
const y = 0.3                              # target
input theta = [0.7, -0.5, 0.9, 0.1]        # θ ∈ ℝ^{m+1}, last entry is the output bias
input w_h = [[0.2, -0.3, 0.5], [0.4, 0.1, -0.6], [-0.1, 0.2, 0.3]]   # (d+1)×m
const Emb = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]   # h ↦ (h, 0)
const e_last = [0, 0, 0, 1]                              # + (0, 0, 0, 1)

def hidden_layer(xbar, w_h):               # x̄ ↦ h̄ = (σ(x̄ w_h), 1)
    pre_h = xbar @ w_h
    h = sigmoid(pre_h)
    return h @ Emb + e_last

def output_layer(hbar, theta):             # h̄ ↦ ŷ = σ(⟨θ, h̄⟩)
    pre_y = dot(theta, hbar)
    return sigmoid(pre_y)

hbar = hidden_layer(xbar, w_h)
y_hat = output_layer(hbar, theta)
output l = 0.5 * (y_hat - y)^2
