# sheet 003, Part 1, question 1: x ↦ g(ax + b) with g = tanh; chain rule: a·g'(ax + b).
const a = 2
const b = -0.5
input x = 0.6
output y = tanh(a * x + b)
