# sheet 000, Question 1 (chain rule): (f∘g)'(t) = f'(g(t))·g'(t) with g(t) = t², f = sin,
# so y'(t) = cos(t²)·2t. One path from t to y: forward and reverse cost the same.
input t = 0.8
s = t^2                  # g(t)
output y = sin(s)        # f(g(t))
