# peyre_oneline.gd — the same f as peyre.gd written as one expression; hash-consing finds the
# shared subexpressions, so it builds the same 8-operation DAG (16 operations as a tree).
input x = 0.7
output f = log(x+sqrt(x^2+1))/sqrt(x^2+1) - log(x+sqrt(x^2+1))^3
