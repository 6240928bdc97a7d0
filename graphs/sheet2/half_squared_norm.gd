# sheet 002, Exercise 4b: g(x) = ½‖x‖² = ½xᵀx, ∇g(x) = x (product rule 1a with f = g = id).
# (The sheet's second derivation writes ½‖x‖² = Σᵢ xᵢ², dropping the ½; its result x is right.)
input x = [0.3, -1.2, 2, 0.5]
output g = 0.5 * dot(x, x)
