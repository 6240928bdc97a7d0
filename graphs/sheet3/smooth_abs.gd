# sheet 003, Part 4, question 1: f(x) = √(x² + ε²) with ε = 0.1; f'(x) = x/√(x² + ε²),
# f''(x) = ε²/(x² + ε²)^{3/2} ≤ 1/ε, so f' is (1/ε)-Lipschitz.
const eps = 0.1
input x = 0.3
output f = sqrt(x^2 + eps^2)
