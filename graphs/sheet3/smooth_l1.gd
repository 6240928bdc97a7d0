# sheet 003, Part 4, question 2: ‖x‖_ε = Σᵢ √(xᵢ² + ε²), ∇ = x/√(x² + ε²) entrywise.
const eps = 0.1
input x = [0.3, -0.05, 1.2, 0]
output n = sum(sqrt(x^2 + eps^2))
