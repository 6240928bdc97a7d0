"""graphdiff: computational graphs, forward tangents and reverse adjoints, step by step.

Besides the names below, every function of the graph language is here too (gd.sin, gd.norm,
gd.abs, gd.sum …), generated from the op table (graphdiff.api.FUNCTIONS).
"""
from .api import FUNCTIONS, Graph, Ref, load, parse
from .graph import Node
from .ops import OPS, Op
from .source import GraphError
from .sweeps import Jacobian, Step, Sweep, Term, forward, primal, reverse

globals().update(FUNCTIONS)   # gd.abs, gd.sum and gd.pow shadow the builtins only inside graphdiff

__all__ = ["Graph", "Node", "Ref", "OPS", "Op", "GraphError", "Step", "Sweep", "Term", "Jacobian",
           "parse", "load", "primal", "forward", "reverse", *FUNCTIONS]
