# sheet 003, Part 1, question 4: tr(X) = Σᵢ Xᵢᵢ, ∇ tr(X) = Iₙ (here n = 3).
input X = [[1, 2, 0], [-1, 0.5, 3], [0.2, 1, -2]]
output t = trace(X)
