"""Lowering: statements -> a hash-consed Graph. Iterative, so long expressions cannot overflow."""
from __future__ import annotations

import numpy as np

from . import syntax as A
from ..graph import Graph, as_value
from ..ops import OPS
from .parser import FUNCTIONS, iter_statements
from ..source import GraphError, did_you_mean


def _children(e) -> tuple:
    if isinstance(e, A.Unary):
        return (e.operand,)
    if isinstance(e, A.Binary):
        return (e.left, e.right)
    if isinstance(e, A.Call):   # the operands; later arguments are the op's parameters
        return e.args[:OPS[FUNCTIONS[e.fn][0]].arity]
    if isinstance(e, (A.Index, A.Transpose)):
        return (e.target,)
    return ()


def shape_words(shape: tuple) -> str:
    """'a scalar value', 'shape (3,)', 'shape (2, 2)': a shape in an error message."""
    return "a scalar value" if shape == () else f"shape {tuple(shape)}"


class Lowerer:
    def __init__(self, g: Graph, at: dict | None):
        self.g = g
        self.at = dict(at or {})

    def name(self, e: A.Name) -> int:
        if e.id in self.g.names:
            return self.g.names[e.id]
        if e.id in FUNCTIONS:
            raise GraphError(f"'{e.id}' is a function: call it as {e.id}(...)", e.span)
        raise GraphError(f"unknown name '{e.id}'", e.span,
                         hint=did_you_mean(e.id, list(self.g.names) + list(FUNCTIONS)))

    def build(self, e, operands: list[int]) -> int:
        g = self.g
        if isinstance(e, A.Unary):
            return g.apply(e.op, operands, span=e.span)
        if isinstance(e, A.Binary):
            return g.apply(e.op, operands, span=e.span)
        if isinstance(e, A.Transpose):
            return g.apply("transpose", operands, span=e.span)
        if isinstance(e, A.Index):
            shape = g.node(operands[0]).shape
            if len(e.indices) > len(shape):
                raise GraphError(f"{len(e.indices)} indices for an array of shape {shape}", e.span)
            index = []
            for i, n in zip(e.indices, shape):
                if not -n <= i < n:
                    raise GraphError(f"index {i} is out of range for an axis of length {n} (shape {shape})",
                                     e.span)
                index.append(i % n)
            return g.apply("index", operands, (("index", tuple(index)),), span=e.span)
        if isinstance(e, A.Call):
            spec = OPS[FUNCTIONS[e.fn][0]]
            attrs = []
            for (name, default), arg in zip(spec.syntax.params, e.args[spec.arity:]):
                if not isinstance(arg, A.Num):
                    raise GraphError(f"the {name} of {e.fn}(…) must be a number written in the file",
                                     getattr(arg, "span", e.span))
                if arg.value != default:   # the default is left out, so norm(x) and norm(x, 2) are one node
                    attrs.append((name, float(arg.value)))
            return g.apply(spec.name, operands, tuple(attrs), span=e.span)
        raise GraphError("cannot build this expression", getattr(e, "span", None))

    def expr(self, root) -> int:
        """Post-order over the expression with an explicit stack."""
        stack, results = [(root, False)], []
        while stack:
            e, done = stack.pop()
            if isinstance(e, A.Num):
                results.append(self.g.add_const(e.value, span=e.span))
            elif isinstance(e, A.Array):
                results.append(self.g.add_const(np.array(e.value, dtype=float), span=e.span))
            elif isinstance(e, A.Name):
                results.append(self.name(e))
            elif not done:
                stack.append((e, True))
                stack.extend((c, False) for c in reversed(_children(e)))
            else:
                k = len(_children(e))
                operands = results[len(results) - k:]
                del results[len(results) - k:]
                results.append(self.build(e, operands))
        return results[-1]

    def statement(self, s: A.Statement) -> None:
        g = self.g
        if s.kind != "output" and s.name in g.names:
            raise GraphError(f"'{s.name}' is already defined", s.span)
        if s.kind == "input":
            default = as_value(s.expr.value) if s.expr is not None else None
            value = self.at.get(s.name, default)
            if value is None:
                raise GraphError(f"input '{s.name}' has no value: give one with --at {s.name}=VALUE", s.span)
            try:
                value = as_value(value)
            except (TypeError, ValueError):
                raise GraphError(f"the value given for '{s.name}' is not a number or an array", s.span) from None
            if default is not None and np.shape(value) != np.shape(default):
                # Refused, never reshaped: declare `input NAME` without a value to take any shape.
                raise GraphError(f"the value given for '{s.name}' has {shape_words(np.shape(value))}, but "
                                 f"'{s.name}' is declared with {shape_words(np.shape(default))}", s.span,
                                 hint=f"give a value of the declared shape, or declare `input {s.name}` "
                                      "without a value to set it to any shape")
            g.add_input(s.name, value, span=s.span)
        elif s.kind == "const":
            g.bind(s.name, g.add_const(s.expr.value, span=s.span), span=s.span)
        elif s.kind == "assign":
            g.bind(s.name, self.expr(s.expr), span=s.span)
        elif s.kind == "output":
            if s.expr is None:
                if s.name not in g.names:
                    raise GraphError(f"unknown name '{s.name}'", s.span,
                                     hint=did_you_mean(s.name, list(g.names)))
                g.set_output(s.name, g.names[s.name], span=s.span)
            else:
                if s.name in g.names:
                    raise GraphError(f"'{s.name}' is already defined", s.span)
                g.set_output(s.name, self.expr(s.expr), span=s.span)


def build_graph(text: str, filename: str = "<string>", *, at=None, share: bool = True, cls=Graph) -> Graph:
    """Parse and lower graph-language text. `at` supplies (or overrides) input values; `cls` is
    the Graph class to build (graphdiff.api passes its own, with the Python conveniences)."""
    g = cls()
    low = Lowerer(g, at)
    count, last = 0, None
    for s in iter_statements(text, filename):   # each statement is built before the next is read
        low.statement(s)
        count += 1
        if s.kind == "assign":
            last = s
    if not count:
        raise GraphError("the file holds no statements: a graph needs at least an input and an output",
                         where=filename)
    unknown = set(low.at) - set(g.input_names())
    if unknown:
        name = sorted(unknown)[0]
        raise GraphError(f"'{name}' is not an input of this graph",
                         hint=did_you_mean(name, g.input_names()) or
                         f"inputs: {', '.join(g.input_names()) or 'none'}")
    if not g.outputs:
        if last is None:
            raise GraphError("the graph has no output: add `output NAME = expression`", where=filename)
        g.set_output(last.name, g.names[last.name], span=last.span)
    return g.tree() if not share else g
