# sheet 002, Exercise 2c: ∇_w L(x(w), y(w), z(w)) = ∂ₓL ∇x(w) + ∂_yL ∇y(w) + ∂_zL ∇z(w), with
# x(w) = ⟨a, w⟩, y(w) = ‖w‖², z(w) = tanh(w₁) and L(x, y, z) = x·y·z, so
# ∇_w = yz·a + xz·2w + xy·(1 − z²)·e₁. Three paths leave w and meet again in L.
const a = [2, -1]
input w = [0.4, -0.3]
x = dot(a, w)
y = dot(w, w)
z = tanh(w[0])
output L = x * y * z
