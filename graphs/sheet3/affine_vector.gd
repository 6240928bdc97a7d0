# sheet 003, Part 1, question 2: x ↦ g(Ax + b), A ∈ ℝ^{3×2}, with g = logsumexp : ℝ³ → ℝ.
# Chain rule: ∇ = Aᵀ ∇g(Ax + b) = Aᵀ softmax(Ax + b).
const A = [[1, -1], [0.5, 2], [-0.3, 0.4]]
const b = [0.1, -0.2, 0.3]
input x = [0.7, -0.4]
output y = logsumexp(A @ x + b)
