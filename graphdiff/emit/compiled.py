"""The compiled fast path: the generated Python module, compiled once per graph, runs `grad` and
`jacobian` when no step records are wanted.

    fn = compiled_gradient(g)          # compile (cached on the graph) ...
    value, grads = fn(at={"x": 0.3})   # ... then call: same results as g.grad(at)

`gradient` and `jacobian` below are drop-in replacements for `sweeps.gradient` / `sweeps.jacobian`
(same signature, same results): they run the interpreted sweep on the first call for a graph and
compile from the second, so a one-off `graphdiff grad` never pays for compiling while a loop that
asks for many gradients does. Scalar code raises on a domain error (math.log(−1)) where the
interpreted sweeps give NaN: such a call falls back to the interpreted sweep. So does a result
holding a NaN: generated code multiplies an infinite partial by every lane of a batch of seeds
(0·∞ = NaN in the lanes of other inputs), where the interpreted sweep gives a zero lane no term.
"""
from __future__ import annotations

import types

import numpy as np

from .. import sweeps
from ..graph import Graph, as_value
from ..source import GraphError
from .python import python_source

_FALLBACK = (ArithmeticError, ValueError)  # math domain errors, ZeroDivisionError, OverflowError


def compile_module(g: Graph, *, mode: str = "all", wrt=None, output=None, only=None) -> types.ModuleType:
    """The generated module for g, compiled and executed once (cached on the graph). `only`: just
    these functions (compiling a 1e4-node graph's whole module takes seconds; one function, less)."""
    only = tuple(sorted(only)) if only else None
    key = ("emit.module", mode, tuple(wrt) if wrt else None, output, only, len(g), g.outputs)
    mod = g.cache.get(key)
    if mod is None:
        src = python_source(g, mode=mode, wrt=wrt, output=output, title="compiled graph", only=only)
        mod = types.ModuleType("graphdiff_compiled")
        mod.__source__ = src
        exec(compile(src, f"<graphdiff {mode} program>", "exec"), mod.__dict__)
        g.cache[key] = mod
    return mod


def _has_arrays(g: Graph) -> bool:
    return any(n.shape != () for n in g.node_list())


def _keywords(g: Graph, at) -> dict:
    """The inputs as keyword arguments of the generated functions (validated like the sweeps);
    scalars as Python floats, which the generated scalar code takes fastest."""
    values = sweeps.input_values(g, at)
    return {g.input_name(i): float(values[i]) if g.node(i).shape == () else values[i] for i in g.inputs}


def _has_nan(v) -> bool:
    return v != v if type(v) is float else bool(np.isnan(v).any())


def _result(v):
    """A generated function's result as graphdiff returns values (np.float64 or a float array)."""
    return np.float64(v) if type(v) is float else as_value(v)


def compiled_gradient(g: Graph, *, wrt=None, output=None, mode: str = "reverse"):
    """A callable `fn(at=None) -> (value, {input: gradient})`, the generated code compiled once.

    `mode="reverse"` runs one adjoint sweep; `"forward"` one batched tangent sweep (one direction
    per input entry). Results equal `g.grad(at, wrt=wrt, mode=mode, output=output)`.
    """
    if mode not in ("forward", "reverse"):
        raise GraphError(f"unknown mode '{mode}' (expected forward or reverse)")
    name, _ = sweeps.scalar_output(g, output)
    wrt = list(wrt) if wrt else None
    for w in wrt or ():
        g.input_node(w)  # a GraphError naming the input, as the interpreted path gives
    fn = compile_module(g, mode=mode, wrt=wrt, output=name, only=("gradient",)).gradient
    quiet = _has_arrays(g)
    defaults = []

    def gradient(at=None):
        if at is None:
            if not defaults:
                defaults.append(_keywords(g, None))
            kw = defaults[0]
        else:
            kw = _keywords(g, at)
        try:
            if quiet:
                with np.errstate(all="ignore"):
                    value, grads = fn(**kw)
            else:
                value, grads = fn(**kw)
        except _FALLBACK:
            return sweeps.gradient(g, at, wrt=wrt, mode=mode, output=name)
        if any(_has_nan(v) for v in grads.values()):
            return sweeps.gradient(g, at, wrt=wrt, mode=mode, output=name)
        return _result(value), {k: _result(v) for k, v in grads.items()}

    gradient.__doc__ = f"(value, gradients) of '{name}' by the compiled {mode}-mode program."
    return gradient


def compiled_jacobian(g: Graph, *, mode: str = "reverse"):
    """A callable `fn(at=None) -> Jacobian(rows, cols, matrix)`, like `g.jacobian(at, mode=mode)`."""
    if mode not in ("forward", "reverse"):
        raise GraphError(f"unknown mode '{mode}' (expected forward or reverse)")
    fn = compile_module(g, mode=mode, only=("jacobian",)).jacobian
    rows = tuple(r for name, i in g.outputs for r in sweeps.entry_names(name, g.node(i).shape))
    cols = tuple(c for i in g.inputs for c in sweeps.entry_names(g.input_name(i), g.node(i).shape))

    def jacobian(at=None):
        kw = _keywords(g, at)
        try:
            with np.errstate(all="ignore"):
                matrix = fn(**kw)
        except _FALLBACK:
            return sweeps.jacobian(g, at, mode=mode)
        matrix = np.asarray(matrix, dtype=float).reshape(len(rows), len(cols))
        if np.isnan(matrix).any():
            return sweeps.jacobian(g, at, mode=mode)
        return sweeps.Jacobian(rows, cols, matrix)

    return jacobian


def _second_call(g: Graph, key) -> bool:
    """True from the second request of the same kind on this graph (count kept on the graph)."""
    key = ("emit.calls",) + key + (len(g), g.outputs)
    g.cache[key] = g.cache.get(key, 0) + 1
    return g.cache[key] >= 2


def gradient(g: Graph, at=None, *, wrt=None, mode: str = "reverse", output: str | None = None):
    """`sweeps.gradient`, through the compiled program from the second call on a graph."""
    if not _second_call(g, ("grad", tuple(wrt) if wrt else None, output, mode)):
        return sweeps.gradient(g, at, wrt=wrt, mode=mode, output=output)
    key = ("emit.gradient", tuple(wrt) if wrt else None, output, mode, len(g), g.outputs)
    fn = g.cache.get(key)
    if fn is None:
        fn = g.cache[key] = compiled_gradient(g, wrt=wrt, output=output, mode=mode)
    return fn(at)


def jacobian(g: Graph, at=None, *, mode: str = "reverse"):
    """`sweeps.jacobian`, through the compiled program from the second call on a graph."""
    if mode not in ("forward", "reverse") or not _second_call(g, ("jacobian", mode)):
        return sweeps.jacobian(g, at, mode=mode)
    key = ("emit.jacobian", mode, len(g), g.outputs)
    fn = g.cache.get(key)
    if fn is None:
        fn = g.cache[key] = compiled_jacobian(g, mode=mode)
    return fn(at)
