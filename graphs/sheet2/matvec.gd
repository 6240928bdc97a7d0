# sheet 002, Exercise 3b: f(x) = Ax, A ∈ ℝ^{2×3}; the Jacobian is J_f(x) = A.
const A = [[1, 2, 0], [-1, 0.5, 3]]
input x = [0.3, -1, 2]
output y = A @ x
