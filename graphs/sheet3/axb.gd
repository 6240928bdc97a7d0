# sheet 003, Part 2, question 2: X ↦ AXB with A ∈ ℝ^{2×3}, X ∈ ℝ^{3×2}, B ∈ ℝ^{2×2}; the output
# is 2×2 and the Jacobian (rows and columns flattened row-major) is A ⊗ Bᵀ.
const A = [[1, 0, -1], [2, 0.5, 1]]
const B = [[0.5, -1], [1, 2]]
input X = [[1, 2], [0, -1], [3, 0.5]]
output Y = A @ X @ B
