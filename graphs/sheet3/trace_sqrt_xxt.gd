# sheet 003, Part 3, question 3: X ∈ ℝ^{2×3} ↦ tr(√(XXᵀ)) (the nuclear norm of X, XXᵀ is SPD here):
# ∇ = (XXᵀ)^{−1/2} X.
input X = [[1, -0.5, 2], [0.3, 1, -1]]
output t = trace(sqrtm(X @ X.T))
