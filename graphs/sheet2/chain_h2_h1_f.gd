# sheet 002, Exercise 2b: ∇(h₂∘h₁∘f)(x) = ∇f(x) · h₂'(h₁(f(x))) · h₁'(f(x)), with f(x) = ⟨x, x⟩,
# h₁ = sin and h₂ = exp, so ∇ = 2x · exp(sin(‖x‖²)) · cos(‖x‖²). Scalar after the first node:
# reverse mode needs one sweep, forward mode one per entry of x.
input x = [0.3, -0.4, 0.5]
f = dot(x, x)
h1 = sin(f)
output y = exp(h1)
