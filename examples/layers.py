"""Functions as groups, for `graphdiff COMMAND examples/layers.py:FUNCTION` (pictures, --collapse,
--by-group). Each call of a function decorated with `@gd.function` is one group instance: a
frame in pictures, one node with `--collapse`. Try

    graphdiff render examples/layers.py:net -o net.svg
    graphdiff render examples/layers.py:net -o net-collapsed.svg --collapse layer
    graphdiff render examples/layers.py:rnn -o rnn.png --collapse cell --fit 16:9
    graphdiff stats examples/layers.py:net --by-group
"""
import numpy as np

import graphdiff as gd


@gd.function
def layer(x, W, b):
    """One tanh layer: tanh(W x + b)."""
    return np.tanh(W @ x + b)


X = np.array([0.5, -1.0])
W1 = np.array([[0.3, -0.2], [-0.4, 0.6], [0.1, 0.5]])
B1 = np.array([0.05, -0.1, 0.0])
W2 = np.array([[1.5, -0.7, 0.2]])
B2 = np.array([0.1])


def net(x=X, W1=W1, b1=B1, W2=W2, b2=B2):
    """A two-layer tanh network, summed: two instances of `layer`."""
    h = layer(x, W1, b1)
    return np.sum(layer(h, W2, b2))


@gd.function
def cell(h, x, W, U, b):
    """One step of a recurrence: h' = tanh(W h + U x + b)."""
    return np.tanh(W @ h + U @ x + b)


def rnn(h0=np.array([0.1, -0.2]), xs=np.linspace(-1.0, 1.0, 30).reshape(30, 1),
        W=np.array([[0.5, -0.3], [0.2, 0.4]]), U=np.array([[1.0], [0.5]]), b=np.array([0.0, 0.1])):
    """A 30-step recurrence h_t = cell(h_{t−1}, x_t), then ½‖h‖²: thirty chained `cell` instances."""
    h = h0
    for t in range(len(xs)):
        h = cell(h, xs[t], W, U, b)
    return 0.5 * np.sum(h * h)
