# sheet 003, Part 3, question 1: X ↦ det(X²) = det(X)², ∇ = 2 det(X)² X^{−ᵀ}.
input X = [[1, 2], [-0.5, 3]]
output d = det(X @ X)
