"""graphdiff: computational graphs, forward tangents and reverse adjoints, step by step."""
from .api import (Ref, abs_, cos, det, diag, diff, dot, exp, inv, load, log, logsumexp, mean, norm,
                  outer, parse, pow_, relu, sigmoid, sin, softmax, softplus, sqrt, sqrtm, sum_, tan,
                  tanh, trace, transpose)
from .graph import Graph, Node
from .ops import OPS, Op
from .source import GraphError
from .sweeps import Jacobian, Step, Sweep, Term, forward, primal, reverse

abs = abs_  # noqa: A001  (graphdiff.abs mirrors the language's abs)
sum = sum_  # noqa: A001
pow = pow_  # noqa: A001

__all__ = [
    "Graph", "Node", "Ref", "OPS", "Op", "GraphError", "Step", "Sweep", "Term", "Jacobian",
    "parse", "load", "primal", "forward", "reverse",
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "softplus", "pow",
    "sum", "mean", "dot", "outer", "norm", "trace", "det", "inv", "sqrtm", "transpose", "diag",
    "softmax", "logsumexp", "diff",
]
