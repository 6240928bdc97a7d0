# sheet 003, Part 3, question 3, the case X ∈ ℝ^{1×p}: tr(√(XXᵀ)) = √(‖x‖²) = ‖x‖, and the
# formula (XXᵀ)^{−1/2} X becomes x/‖x‖, the gradient of the Euclidean norm (p = 3 here).
input X = [[1, -2, 2]]
output t = trace(sqrtm(X @ X.T))
