# sheet 003, Part 6, question 5: L(F(x, A)) for the residual network F = x + Aᵀρ(Ax), ρ = tanh,
# with L(F) = ½‖F − t‖². With u = ∇L(F) = F − t and z = Ax, the backward chain rule gives
# (∂F/∂x)ᵀu = u + Aᵀ(ρ'(z) ⊙ Au) and (∂F/∂A)ᵀu = ρ(z)uᵀ + (ρ'(z) ⊙ Au) xᵀ.
const t = [1, 0, -1]
input x = [0.5, -1, 2]
input A = [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]

def residual_block(x, A):      # x ↦ x + Aᵀρ(Ax)
    z = A @ x
    return x + A.T @ tanh(z)

F = residual_block(x, A)
d = F - t
output L = 0.5 * dot(d, d)
