# recurrence30.gd — a recurrent cell unrolled over 30 steps: h_t = tanh(W h_{t−1} + u x_t + b),
# from h₀ = 0, then the loss L = ½‖h₃₀ − y‖² of the last state. The cell is one function and the
# loop writes the 30 steps once: each step t is the group `t=1` … `t=30` holding one call of the
# cell, so collapsed the graph reads h₀ → cell → cell → … → L, and backpropagation through time
# is one VJP per step.
const x = [0.33, 0.62, 0.84, 0.97, 1, 0.91, 0.72, 0.46, 0.14, -0.19, -0.5, -0.76, -0.93, -1, -0.96,
           -0.81, -0.58, -0.28, 0.05, 0.37, 0.66, 0.87, 0.98, 0.99, 0.89, 0.69, 0.41, 0.09, -0.24, -0.54]
const y = [0.5, -0.25]                      # the target of the last state
const h0 = [0, 0]                           # the first state h₀
input W = [[0.5, -0.3], [0.2, 0.4]]         # state to state
input u = [1, -0.5]                         # input to state
input b = [0.1, 0]                          # bias

def cell(h, xt, W, u, b) = tanh(W @ h + u * xt + b)

h = h0
for t in 1..30: h = cell(h, x[t - 1], W, u, b)
d = h - y
output L = 0.5 * dot(d, d)
