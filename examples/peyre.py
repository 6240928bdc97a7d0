"""Functions written with NumPy, for `graphdiff COMMAND examples/peyre.py:FUNCTION`.

graphdiff runs this file (it is Python) and traces the function you name: NumPy calls on the
parameters become the nodes of a graph you can step through. Try

    graphdiff tui examples/peyre.py:peyre --at x=0.7
    graphdiff grad examples/peyre.py:mlp_loss
    graphdiff trace examples/peyre.py:recurrence --mode reverse
"""
import numpy as np


def peyre(x=0.7):
    """The Peyré function log(x+√(x²+1))/√(x²+1) − log³(x+√(x²+1)): 8 operations as a DAG."""
    u = np.sqrt(x**2 + 1)
    v = np.log(x + u)
    return v / u - v**3


W1 = np.array([[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]])
B1 = np.array([0.05, -0.1])
W2 = np.array([[1.5, -0.7]])
X = np.array([0.5, -1.0, 2.0])
Y = np.array([0.25])


def mlp_loss(W1=W1, b1=B1, W2=W2, x=X, y=Y):
    """Half the squared error of a one-hidden-layer tanh network."""
    h = np.tanh(W1 @ x + b1)
    pred = W2 @ h
    loss = 0.5 * np.sum((pred - y) ** 2)
    return loss


def recurrence(x=0.5, a=0.9, steps=4):
    """x_{t+1} = a·sin(x_t) + x_t, unrolled `steps` times (a Python loop runs at trace time)."""
    for _ in range(steps):
        x = a * np.sin(x) + x
    return x
