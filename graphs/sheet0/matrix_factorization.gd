# sheet 000, Question 3, f₃(P, Q) = ½‖M − PQ‖²_F  (M is 2×3, P is 2×2, Q is 2×3), differentiated
# w.r.t. both factors. Closed form, with R = M − PQ: ∇_P f₃ = −R Qᵀ and ∇_Q f₃ = −Pᵀ R.
const M = [[1, 2, 0], [-1, 0.5, 3]]
input P = [[1, 0.5], [-0.3, 2]]
input Q = [[0.2, -1, 0.4], [1.1, 0.3, -0.6]]
R = M - P @ Q            # residual, used twice by R * R
output f = 0.5 * sum(R * R)
