# sheet 002, Exercises 3c and 3d: f(x, A) = ⟨x, Ax⟩ with a non-symmetric A ∈ ℝ^{3×3}.
# Closed forms: ∇ₓ⟨x, Ax⟩ = (A + Aᵀ)x and ∇_A⟨x, Ax⟩ = xxᵀ. x is shared (it feeds A @ x and dot).
input x = [1, -2, 0.5]
input A = [[2, 1, 0], [-1, 3, 0.5], [0.4, 0, 1]]
Ax = A @ x
output f = dot(x, Ax)
