# sheet 004, Exercise 3: f(P, Q, E) = S(Q · R(P · E)), a 2-layer relu/softmax network. At
# (P₀, Q₀, E₀) its 2×12 Jacobian w.r.t. Θ = (P, Q) is worked out on the sheet (question 6).
# z = P₀E₀ = (2, 1, −3): the third unit is off, so the columns of p₃₁, p₃₂, q₁₃, q₂₃ are 0.
input P = [[3, 1], [1, 0], [-1, 2]]     # first layer (3×2)
input Q = [[1, -1, 3], [-2, 5, 4]]      # second layer (2×3)
const E = [1, -1]                       # the network's input E₀

def relu_layer(P, x):                   # R(P · x)
    z = P @ x
    return relu(z)

def softmax_layer(Q, g) = softmax(Q @ g)   # S(Q · g)

g = relu_layer(P, E)
output f = softmax_layer(Q, g)
