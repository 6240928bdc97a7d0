# sheet 002, Exercise 1a (product rule): ∇(fᵀg)(x) = J_f(x)ᵀ g(x) + J_g(x)ᵀ f(x), with
# f(x) = Ax and g(x) = tanh(Bx) from ℝ³ to ℝ², so ∇ = Aᵀ g + Bᵀ((1 − g²) ⊙ f).
# x is shared by both factors: its adjoint is the sum of the two terms of the product rule.
const A = [[1, -2, 0.5], [0.3, 1, -1]]
const B = [[0.5, 0.2, -0.4], [-1, 0.7, 0.3]]
input x = [0.6, -0.2, 1.1]
f = A @ x
g = tanh(B @ x)
output p = dot(f, g)
