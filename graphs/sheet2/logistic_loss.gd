# sheet 002, Exercise 4c: h(x, w) = ln(1 + exp(−wᵀx)), gradient w.r.t. w (x is data, a const):
# ∇_w h = −exp(−wᵀx) / (1 + exp(−wᵀx)) · x.
const x = [1, -2, 0.5]
input w = [0.3, 0.1, -0.4]
output h = log(1 + exp(-dot(w, x)))
