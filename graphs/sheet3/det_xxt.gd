# sheet 003, Part 3, question 2: X ∈ ℝ^{2×3} ↦ det(XXᵀ) (XXᵀ invertible since rank X = 2):
# ∇ = 2 det(XXᵀ) (XXᵀ)⁻¹ X.
input X = [[1, -0.5, 2], [0.3, 1, -1]]
output d = det(X @ X.T)
