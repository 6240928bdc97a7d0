# sheet 003, Part 3, question 1: X ↦ tr(X²), X ∈ ℝ^{2×2}. d tr(X²) = 2 tr(X dX), so ∇ = 2Xᵀ.
input X = [[1, 2], [-0.5, 3]]
output t = trace(X @ X)
