# sheet 004, Exercise 1: the linear map z(X) = M × X, M ∈ ℝ^{2×3}; J_z = M.
const M = [[1, -2, 0.5], [3, 0, -1]]
input X = [0.4, 1.5, -2]
output z = M @ X
