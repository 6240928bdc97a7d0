# sheet 003, Part 4, question 4: the 1-D smoothed total variation ‖Gx‖_ε = Σᵢ √((Gx)ᵢ² + ε²),
# ∇ = Gᵀ(Gx / √((Gx)² + ε²)) with Gᵀ the adjoint of diff (see finite_differences.gd).
const eps = 0.1
input x = [0.2, 0.5, 0.4, 1, 0.9]
u = diff(x)              # Gx
output tv = sum(sqrt(u^2 + eps^2))
