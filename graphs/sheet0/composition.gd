# sheet 000, Question 4: J_{F∘G}(x) = J_F(G(x)) J_G(x), with G(x) = tanh(Cx) : ℝ² → ℝ³ and
# F(u) = D exp(u) : ℝ³ → ℝ², so J = D diag(exp(G(x))) diag(1 − G(x)²) C (a 2×2 Jacobian).
const C = [[1, -0.5], [0.3, 0.8], [-1.2, 0.4]]
const D = [[0.5, -1, 0.25], [2, 0.1, -0.3]]
input x = [0.4, -0.7]
u = tanh(C @ x)          # G(x)
output y = D @ exp(u)    # F(G(x))
