# Math as written: graphdiff reads the Unicode spelling as its ASCII form (`graphdiff fmt --ascii`
# prints this file in ASCII). A smoothed total variation with a penalty on the positive entries:
# f(x) = Σᵢ √((xᵢ₊₁ − xᵢ)² + ε²) + λ·Σᵢ max(xᵢ, 0) + Π of every other entry
input x = [0.3, −1.2, 0.8, 2.0, −0.5]
input λ = 0.1
const ε = 0.01
d = x[1:] − x[:−1]             # forward differences, as diff(x)
tv = sum(√(d² + ε²))
hinge = sum(where(x > 0, x, 0))
output f = tv + λ · hinge + prod(x[::2])
