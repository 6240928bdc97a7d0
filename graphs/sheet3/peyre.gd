# sheet 003, Part 5: an efficient DAG for f(x) = log(x+√(x²+1))/√(x²+1) − log³(x+√(x²+1)),
# differentiated forward and backward (a copy of graphs/peyre.gd). u and v are shared.
# Closed form: u' = x/u, v' = 1/u, f' = (1 − v x/u)/u² − 3v²/u.
input x = 0.7
u = sqrt(x^2 + 1)
v = log(x + u)
output f = v / u - v^3
