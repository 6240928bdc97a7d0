# sheet 003, Part 1, question 4: det(X), ∇ det(X) = det(X) X^{−ᵀ} (the cofactor matrix).
# (The sheet writes "X ↦ det(A)"; it means det(X).)
input X = [[2, 1, 0], [-1, 3, 0.5], [0.4, 0, 1]]
output d = det(X)
