# sheet 003, Part 1, question 3: ‖x‖_p with p = 3. For p > 1 it is differentiable wherever x ≠ 0:
# ∇‖x‖_p = sign(x) ⊙ |x|^{p−1} / ‖x‖_p^{p−1}.
input x = [1.5, -0.5, 2]
output n = norm(x, 3)
