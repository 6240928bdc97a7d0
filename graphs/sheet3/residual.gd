# sheet 003, Part 6, question 5: the residual network F(x, A) = x + Aᵀρ(Ax) ∈ ℝⁿ, ρ = tanh,
# x ∈ ℝ³, A ∈ ℝ^{2×3}. With z = Ax: ∂F/∂x = I + Aᵀ diag(ρ'(z)) A and
# ∂Fₖ/∂A_ab = δ_bk ρ(z)_a + A_ak ρ'(z)_a x_b. A is shared (it feeds A @ x and Aᵀ); so is x.
input x = [0.5, -1, 2]
input A = [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]

def residual_block(x, A):      # x ↦ x + Aᵀρ(Ax): one layer, with its skip connection
    z = A @ x
    return x + A.T @ tanh(z)

output F = residual_block(x, A)
