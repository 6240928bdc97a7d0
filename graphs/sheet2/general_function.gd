# sheet 002, Exercise 4a: f(x, y, z) = ½x² + yz − ln(1 + exp(x²y³z)).
# Verified gradient, with s = x²y³z and σ(s) = 1/(1 + exp(−s)):
#   ∇f = (x − 2xy³z σ(s), z − 3x²y²z σ(s), y − x²y³ σ(s)).
# (The sheet prints 1/(1 + exp(x²y³z)) where σ(s) = exp(s)/(1 + exp(s)) belongs: a sign slip.)
input x = 0.5
input y = 0.8
input z = 1.2
s = x^2 * y^3 * z
output f = 0.5 * x^2 + y * z - log(1 + exp(s))
