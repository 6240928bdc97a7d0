# sheet 003, Part 2, question 1: X ↦ X⁻¹ (X ∈ ℝ^{2×2} invertible). d(X⁻¹) = −X⁻¹ dX X⁻¹, i.e.
# ∂(X⁻¹)ᵢⱼ/∂X_kl = −(X⁻¹)ᵢₖ (X⁻¹)ₗⱼ.
input X = [[2, 1], [-1, 3]]
output Y = inv(X)
