# sheet 000, Question 3, f₂(x) = Bx + c  (B is 2×3, c ∈ ℝ²): a vector-valued function,
# checked by its Jacobian, which is J_f₂(x) = B at every x.
const B = [[2, -1, 0.5], [1, 3, -2]]
const c = [0.25, -1]
input x = [1, -0.5, 2]
output y = B @ x + c
