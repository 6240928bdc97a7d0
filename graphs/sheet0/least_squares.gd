# sheet 000, Question 3, f₁(x) = ½‖Ax − b‖²  (A is 3×2, b ∈ ℝ³, x ∈ ℝ²).
# Closed form: ∇f₁(x) = Aᵀ(Ax − b). The residual r is one node used twice by dot(r, r).
const A = [[1, 2], [3, -1], [0, 1]]
const b = [1, 0, 2]
input x = [0.5, -1.5]
r = A @ x - b            # residual Ax − b
output f = 0.5 * dot(r, r)
