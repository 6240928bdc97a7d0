# sheet 003, Part 2, question 1: X ∈ ℝ^{2×2} ↦ X² = XX. d(X²) = dX X + X dX, i.e.
# ∂(X²)ᵢⱼ/∂X_kl = δ_ik X_lj + X_ik δ_lj. X enters the product twice (two slots, one node).
input X = [[1, 2], [-0.5, 3]]
output Y = X @ X
