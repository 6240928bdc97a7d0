"""Scripted construction: node handles with operator overloading, and functions over them.

    g = Graph(); x = g.input("x", 0.7)
    y = log(x + sqrt(x**2 + 1)); g.output("f", y)

Handles go through the same `Graph.apply`, so equal subexpressions are one node here too.
"""
from __future__ import annotations

import stat
import sys
from pathlib import Path

from .graph import Graph
from .lower import build_graph
from .source import GraphError


class Ref:
    """A handle on one node of a graph, with Python operators building new nodes."""

    __slots__ = ("graph", "id")

    def __init__(self, graph: Graph, id: int):
        self.graph = graph
        self.id = id

    def __repr__(self) -> str:
        return f"Ref({self.graph.label(self.id)}, shape={self.shape})"

    @property
    def shape(self) -> tuple:
        return self.graph.node(self.id).shape

    @property
    def node(self):
        return self.graph.node(self.id)

    def _other(self, v) -> int:
        if isinstance(v, Ref):
            if v.graph is not self.graph:
                raise GraphError("cannot combine nodes of two different graphs")
            return v.id
        return self.graph.add_const(v)

    def _apply(self, op, *others, attrs=()):
        return Ref(self.graph, self.graph.apply(op, (self.id,) + tuple(self._other(o) for o in others), attrs))

    def _rapply(self, op, other):
        return Ref(self.graph, self.graph.apply(op, (self._other(other), self.id)))

    def __add__(self, o): return self._apply("add", o)
    def __radd__(self, o): return self._rapply("add", o)
    def __sub__(self, o): return self._apply("sub", o)
    def __rsub__(self, o): return self._rapply("sub", o)
    def __mul__(self, o): return self._apply("mul", o)
    def __rmul__(self, o): return self._rapply("mul", o)
    def __truediv__(self, o): return self._apply("div", o)
    def __rtruediv__(self, o): return self._rapply("div", o)
    def __pow__(self, o): return self._apply("pow", o)
    def __rpow__(self, o): return self._rapply("pow", o)
    def __matmul__(self, o): return self._apply("matmul", o)
    def __rmatmul__(self, o): return self._rapply("matmul", o)
    def __neg__(self): return self._apply("neg")
    def __pos__(self): return self

    @property
    def T(self) -> "Ref":
        return self._apply("transpose")

    def __getitem__(self, index) -> "Ref":
        index = index if isinstance(index, tuple) else (index,)
        shape = self.shape
        if len(index) > len(shape) or not all(isinstance(i, int) for i in index):
            raise GraphError(f"index {index} does not fit an array of shape {shape}")
        for i, n in zip(index, shape):
            if not -n <= i < n:
                raise GraphError(f"index {i} is out of range for an axis of length {n}")
        return self._apply("index", attrs=(("index", tuple(i % n for i, n in zip(index, shape))),))

    def __hash__(self):
        return hash((id(self.graph), self.id))

    def __eq__(self, other):
        return isinstance(other, Ref) and other.graph is self.graph and other.id == self.id


def _unary(op):
    def f(a: Ref) -> Ref:
        if not isinstance(a, Ref):
            raise GraphError(f"{op}() takes a graph node, got {type(a).__name__}")
        return a._apply(op)
    f.__name__ = op
    f.__doc__ = f"{op}(a): a node of the graph (see graphdiff.OPS['{op}'])."
    return f


def _binary(op):
    def f(a: Ref, b) -> Ref:
        if isinstance(a, Ref):
            return a._apply(op, b)
        if isinstance(b, Ref):
            return b._rapply(op, a)
        raise GraphError(f"{op}() needs at least one graph node")
    f.__name__ = op
    f.__doc__ = f"{op}(a, b): a node of the graph (see graphdiff.OPS['{op}'])."
    return f


exp, log, sqrt, sin, cos, tan, tanh = map(_unary, "exp log sqrt sin cos tan tanh".split())
sigmoid, relu, softplus = map(_unary, "sigmoid relu softplus".split())
abs_ = _unary("abs")
sum_, mean, trace, det, inv, sqrtm = map(_unary, "sum mean trace det inv sqrtm".split())
transpose, diag, softmax, logsumexp, diff = map(_unary, "transpose diag softmax logsumexp diff".split())
pow_, dot, outer = map(_binary, "pow dot outer".split())


def norm(a: Ref, p: float = 2.0) -> Ref:
    """‖a‖₂, or the entrywise p-norm for p ≥ 1."""
    if p < 1:
        raise GraphError("the p of norm(a, p) must be a number ≥ 1")
    return a._apply("norm") if float(p) == 2.0 else a._apply("norm", attrs=(("p", float(p)),))


def parse(text: str, filename: str = "<string>", *, at=None, share: bool = True) -> Graph:
    """Build a graph from graph-language text."""
    return build_graph(text, filename, at=at, share=share)


def load(path, *, at=None, share: bool = True) -> Graph:
    """Build a graph from a .gd file (`-`: standard input). Bad files raise GraphError naming the
    file. Only regular files are read: a FIFO or a device could block forever."""
    if str(path) == "-":
        return build_graph(_decode(sys.stdin.buffer.read(), "<stdin>"), "<stdin>", at=at, share=share)
    p = Path(path)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise GraphError("is a directory, not a graph file", where=str(path))
        if not stat.S_ISREG(st.st_mode):
            raise GraphError("is not a regular file (a pipe, a socket or a device)", where=str(path),
                             hint="to read a graph from standard input, give '-' as the file")
        data = p.read_bytes()
    except FileNotFoundError:
        raise GraphError("no such file", where=str(path)) from None
    except OSError as e:
        raise GraphError(f"cannot read the file ({e.strerror})", where=str(path)) from None
    return build_graph(_decode(data, str(path)), str(path), at=at, share=share)


def _decode(data: bytes, where: str) -> str:
    if b"\0" in data:
        raise GraphError("is not a text file (it holds binary data)", where=where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise GraphError(f"is not UTF-8 text (byte {e.start + 1} is not valid UTF-8)", where=where) from None
