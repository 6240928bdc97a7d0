# sheet 003, Part 2, question 3: X ↦ √X at a symmetric positive definite X. With S = √X,
# d√X solves the Sylvester equation S dS + dS S = dX, so (row-major) J = (S ⊗ I + I ⊗ S)⁻¹.
input X = [[4, 1], [1, 3]]
output S = sqrtm(X)
