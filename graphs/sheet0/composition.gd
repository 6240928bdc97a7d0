# sheet 000, Question 4: J_{F∘G}(x) = J_F(G(x)) J_G(x), with G(x) = tanh(Cx) : ℝ² → ℝ³ and
# F(u) = D exp(u) : ℝ³ → ℝ², so J = D diag(exp(G(x))) diag(1 − G(x)²) C (a 2×2 Jacobian).
# G and F are functions: collapsed, the graph is the composition F ∘ G of two boxes.
const C = [[1, -0.5], [0.3, 0.8], [-1.2, 0.4]]
const D = [[0.5, -1, 0.25], [2, 0.1, -0.3]]
input x = [0.4, -0.7]
def G(x) = tanh(C @ x)
def F(u) = D @ exp(u)
u = G(x)
output y = F(u)          # F(G(x))
