# sheet 004, Exercise 3, question 7: the negative log-likelihood l(Θ) = −ln(f_{E₀}[1](Θ)) of the
# relu/softmax network for the positive instance ⟨E₀, +⟩; ∇l(Θ₀) = −2 × (first row of J_f), i.e.
# (−3/2, 3/2, 3, −3, 0, 0, −1, −1/2, 0, 1, 1/2, 0) over (P, Q).
input P = [[3, 1], [1, 0], [-1, 2]]
input Q = [[1, -1, 3], [-2, 5, 4]]
const E = [1, -1]

def relu_layer(P, x):                   # R(P · x)
    z = P @ x
    return relu(z)

def softmax_layer(Q, g) = softmax(Q @ g)   # S(Q · g)

g = relu_layer(P, E)
f = softmax_layer(Q, g)
output l = -log(f[0])
