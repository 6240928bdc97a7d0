# sheet 003, Part 2, question 1: X ∈ ℝ^{2×3} ↦ Xᵀ. Its Jacobian is the 6×6 permutation
# ∂(Xᵀ)ᵢⱼ/∂X_kl = δ_jk δ_il (the commutation matrix).
input X = [[1, 2, 3], [4, 5, 6]]
output Y = X.T
