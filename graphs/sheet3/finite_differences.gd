# sheet 003, Part 4, question 3: Gx = (x₂ − x₁, …, xₙ − xₙ₋₁) is linear; its Jacobian is G itself
# ((n−1)×n, −1 on the diagonal, +1 above it), and the reverse sweep applies the adjoint
# Gᵀu = (−u₁, u₁ − u₂, …, uₙ₋₂ − uₙ₋₁, uₙ₋₁).
input x = [0.2, 0.5, 0.4, 1, 0.9]
output y = diff(x)
