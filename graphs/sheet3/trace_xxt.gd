# sheet 003, Part 3, question 2: X ∈ ℝ^{2×3} ↦ tr(XXᵀ) = ‖X‖²_F, ∇ = 2X.
input X = [[1, -0.5, 2], [0.3, 1, -1]]
output t = trace(X @ X.T)
