"""Lowering: statements -> a hash-consed Graph. Iterative, so long expressions cannot overflow."""
from __future__ import annotations

import numpy as np

from . import syntax as A
from ..graph import Graph, as_value
from ..ops import OPS, canonical_index
from .lexer import SUPERSCRIPTS
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
        # each name of the file -> the node it is bound to now; names the graph already has (a
        # practice answer is read over the quantities revealed so far) are known from the start
        self.scope: dict[str, int] = dict(g.names)
        self.versions: dict[str, int] = {}  # how many times a name has been bound again

    def name(self, e: A.Name) -> int:
        i = self.scope.get(e.id)
        if i is not None:
            return i
        if e.id in FUNCTIONS:
            raise GraphError(f"'{e.id}' is a function: call it as {e.id}(...)", e.span)
        raise GraphError(f"unknown name '{e.id}'", e.span,
                         hint=did_you_mean(e.id, list(self.scope) + list(FUNCTIONS)))

    def bind(self, name: str, i: int, span) -> None:
        """Bind a name of the file to node i. Binding it again (`x = x + 1`) makes the name mean
        the new node from then on; the graph shows that node as x#2 (then x#3 …), so every node
        keeps one meaning and an input keeps its name."""
        old = self.scope.get(name)
        if old is None:
            self.g.bind(name, i, span=span)
        elif old != i:
            k = self.versions[name] = self.versions.get(name, 1) + 1
            self.g.bind(f"{name}#{k}", i, span=span)
        self.scope[name] = i

    def build(self, e, operands: list[int]) -> int:
        g = self.g
        if isinstance(e, A.Unary):
            return g.apply(e.op, operands, span=e.span)
        if isinstance(e, A.Binary):
            if e.op == "pow" and len(g.node(operands[0]).shape) == 2 and \
                    e.span.source.text[e.span.offset] in SUPERSCRIPTS:
                raise _matrix_power(e)
            return g.apply(e.op, operands, span=e.span)
        if isinstance(e, A.Transpose):
            return g.apply("transpose", operands, span=e.span)
        if isinstance(e, A.Index):
            try:
                index = canonical_index(e.indices, g.node(operands[0]).shape)
            except ValueError as err:
                raise GraphError(str(err), e.span) from None
            return g.apply("index", operands, (("index", index),), span=e.span)
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
        if s.kind == "input" and s.name in self.scope:
            raise GraphError(f"'{s.name}' is already defined: an input is declared once", s.span,
                             hint=f"to give '{s.name}' a new meaning from here on, write {s.name} = …")
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
            self.scope[s.name] = g.add_input(s.name, value, span=s.span)
        elif s.kind == "const":
            self.bind(s.name, g.add_const(s.expr.value, span=s.span), s.span)
        elif s.kind == "assign":
            self.bind(s.name, self.expr(s.expr), s.span)
        elif s.kind == "output":
            if s.expr is None:
                if s.name not in self.scope:
                    raise GraphError(f"unknown name '{s.name}'", s.span,
                                     hint=did_you_mean(s.name, list(self.scope)))
            else:
                self.bind(s.name, self.expr(s.expr), s.span)
            g.set_output(s.name, self.scope[s.name], span=s.span)


def _matrix_power(e: A.Binary) -> GraphError:
    """A superscript power of a matrix: on paper X² is X·X and X⁻¹ the inverse, but the language
    reads a superscript as ^ (entrywise), so it refuses to guess."""
    k = e.span.source.text[e.span.offset:e.span.offset + e.span.length]
    if k == "⁻¹":
        hint = "write inv(X) for the inverse, or X^-1 for the entrywise reciprocal"
    elif k == "²":
        hint = "write X @ X for the matrix square, or X^2 for the entrywise square"
    else:
        hint = f"write a matrix product with @, or X^{k.translate(str.maketrans(SUPERSCRIPTS))} for the entrywise power"
    return GraphError(f"a superscript power of a matrix ({k}) is ambiguous: graphdiff reads it as "
                      f"the entrywise ^, while on paper it is a matrix power", e.span, hint=hint)


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
        g.set_output(last.name, low.scope[last.name], span=last.span)
    return g.tree() if not share else g
