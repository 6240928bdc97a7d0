"""graphdiff: computational graphs, forward tangents and reverse adjoints, step by step.

    import graphdiff as gd
    g = gd.Graph(); x = g.input("x", 0.7)
    g.output("f", gd.log(x + gd.sqrt(x ** 2 + 1)))
    g.grad()

Besides the names below, every function of the graph language is here too (gd.sin, gd.norm,
gd.abs, gd.sum …), generated from the op table (graphdiff.api.FUNCTIONS). Names load on first
use, so that `graphdiff --help` does not pay for NumPy and the op table.
"""
from __future__ import annotations

import importlib

__version__ = "0.2.0"

_WHERE = {
    "Graph": "api", "Ref": "api", "load": "api", "parse": "api", "FUNCTIONS": "api", "function": "api",
    "Node": "graph", "OPS": "ops", "Op": "ops", "GraphError": "source",
    "Jacobian": "sweeps", "Step": "sweeps", "Sweep": "sweeps", "Term": "sweeps",
    "forward": "sweeps", "primal": "sweeps", "reverse": "sweeps",
    "trace": "tracing", "from_sympy": "interop.sympy", "to_sympy": "interop.sympy", "from_jax": "interop.jax",
}


def __getattr__(name: str):
    if name == "__all__":        # `from graphdiff import *`
        return [*_WHERE, *importlib.import_module(f"{__name__}.api").FUNCTIONS]
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    else:
        functions = importlib.import_module(f"{__name__}.api").FUNCTIONS
        if name not in functions:
            raise AttributeError(f"module 'graphdiff' has no attribute '{name}'")
        value = functions[name]      # gd.abs, gd.sum and gd.pow shadow the builtins only in here
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE) | set(importlib.import_module(f"{__name__}.api").FUNCTIONS))
