# sheet 002, Exercise 3a: ∇ₓ⟨a, x⟩ = a.
const a = [2, -1, 0.5]
input x = [0.3, 0.7, -1.1]
output f = dot(a, x)
