# sheet 003, Part 2, question 1: X ∈ ℝ^{2×3} ↦ XXᵀ. d(XXᵀ) = dX Xᵀ + X dXᵀ, i.e.
# ∂(XXᵀ)ᵢⱼ/∂X_kl = δ_ik X_jl + δ_jk X_il. X is shared by the transpose and the product.
input X = [[1, -0.5, 2], [0.3, 1, -1]]
output Y = X @ X.T
