# peyre.gd — an efficient DAG for f(x) = log(x+√(x²+1))/√(x²+1) − log³(x+√(x²+1))
# (sheet 003, Part 5: the DAG with forward and backward differentiation). u and v are shared.
input x = 0.7            # independent variable, with its default value
u = sqrt(x^2 + 1)        # a named intermediate
v = log(x + u)
output f = v / u - v^3   # a dependent variable
