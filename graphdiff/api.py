"""Scripted construction: node handles with operator overloading, and functions over them.

    g = Graph(); x = g.input("x", 0.7)
    y = log(x + sqrt(x**2 + 1)); g.output("f", y)

Handles go through the same `Graph.apply`, so equal subexpressions are one node here too.
"""
from __future__ import annotations

import stat
import sys
from pathlib import Path

from . import graph as core
from .ops import OPERANDS, OPS, canonical_index
from .lang import build_graph
from .source import GraphError, Source, Span, normalize


class Graph(core.Graph):
    """A graph built from Python or read from a file: the core DAG (graphdiff.graph.Graph) with
    handles for scripted construction, evaluation and derivatives, and display in notebooks."""

    def __repr__(self) -> str:
        ins = ", ".join(f"{n}{'' if self.node(i).shape == () else self.node(i).shape}"
                        for n, i in zip(self.input_names(), self.inputs))
        outs = ", ".join(f"{n}{'' if self.node(i).shape == () else self.node(i).shape}" for n, i in self.outputs)
        return f"<graphdiff.Graph: inputs {ins or 'none'}; outputs {outs or 'none'}; {self.n_ops()} ops, {len(self)} nodes>"

    # ------------------------------------------------------------ scripted construction

    def input(self, name: str, value=None, *, shape=None) -> "Ref":
        """Declare an input and return its handle (a `Ref` with operator overloading)."""
        return Ref(self, self.add_input(name, value, shape=shape))

    def const(self, name: str, value) -> "Ref":
        """Declare a named constant and return its handle."""
        i = self.add_const(value, name=name)
        self.bind(name, i)
        return Ref(self, i)

    def output(self, name: str, ref) -> "Ref":
        """Mark the node behind a handle as the output `name`."""
        if getattr(ref, "graph", None) is not self:
            raise GraphError(f"output '{name}' must be a node of this graph")
        self.set_output(name, ref.id)
        return ref

    def group(self, name: str):
        """`with g.group("layer1"):` puts the nodes made inside into the group `layer1` (nested
        blocks nest), as a function call of the language does; see `graphdiff.function`."""
        return _GroupBlock(self, name)

    # ------------------------------------------------------------ derivatives

    def eval(self, at=None) -> dict:
        """Primal values of the outputs: {output name: value}."""
        from .sweeps import evaluate
        return evaluate(self, at)

    def grad(self, at=None, *, wrt=None, mode: str = "reverse", output: str | None = None):
        """(value, {input name: gradient}) of the single scalar output.

        The first call runs the interpreted sweep; later calls on the same graph run its generated
        code, compiled once (graphdiff.emit.compiled): same numbers, no step records.
        """
        from .emit.compiled import gradient
        return gradient(self, at, wrt=wrt, mode=mode, output=output)

    def jacobian(self, at=None, *, mode: str = "reverse"):
        """Jacobian(rows, cols, matrix) of all outputs' entries w.r.t. all inputs' entries
        (compiled from the second call on a graph, like `grad`)."""
        from .emit.compiled import jacobian
        return jacobian(self, at, mode=mode)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Inline display in Jupyter: SVG through Graphviz, text when `dot` is missing."""
        from .render.notebook import mimebundle
        return mimebundle(self, include=include, exclude=exclude)


class _GroupBlock:
    def __init__(self, g: Graph, name: str):
        if not (isinstance(name, str) and name.isidentifier()):
            raise GraphError(f"a group's name is an identifier, such as layer1; got {name!r}")
        self.g, self.name = g, name

    def __enter__(self):
        self.id = self.g.open_group(self.name)
        return self

    def __exit__(self, *exc):
        self.g.close_group()
        return False


def function(f=None, *, name: str | None = None):
    """A decorator: each call of the decorated Python function on node handles is one group
    instance named after it (`layer`, then `layer#2` …), holding the nodes the call makes, as
    `def layer(x, W, b) = …` does in the language. Called on plain numbers it just runs."""
    import functools

    def wrap(fn):
        fname = name or getattr(fn, "__name__", "function")

        @functools.wraps(fn)
        def call(*args, **kwargs):
            refs = [a for a in (*args, *kwargs.values()) if isinstance(a, Ref)]
            if not refs:
                return fn(*args, **kwargs)
            g = refs[0].graph
            g.open_group(fname, function=fname, inputs=tuple(dict.fromkeys(r.id for r in refs)))
            result = None
            try:
                result = fn(*args, **kwargs)
            finally:
                outs = result if isinstance(result, (tuple, list)) else (result,)
                g.close_group(tuple(r.id for r in outs if isinstance(r, Ref)))
            return result
        return call
    return wrap(f) if f is not None else wrap


from .interop.numpy import ArrayProtocol  # noqa: E402  (NumPy functions on handles build nodes)


def _operator(op: str):
    """A binary operator's two methods (x + y, 2 + x) on handles: one call to Graph.apply each
    (building a graph through the API is mostly these)."""
    def forward(self, o):
        g = self.graph
        return Ref(g, g.apply(op, (self.id, o.id if type(o) is Ref and o.graph is g else self._other(o))))

    def reflected(self, o):
        g = self.graph
        return Ref(g, g.apply(op, (self._other(o), self.id)))
    return forward, reflected


class Ref(ArrayProtocol):
    """A handle on one node of a graph, with Python operators building new nodes; NumPy functions
    on it (np.sin, np.sum, np.linalg.det …) build nodes too (graphdiff.interop.numpy)."""

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
        g = self.graph
        if not others:
            return Ref(g, g.apply(op, (self.id,), attrs))
        if len(others) == 1:
            return Ref(g, g.apply(op, (self.id, self._other(others[0])), attrs))
        return Ref(g, g.apply(op, (self.id,) + tuple(self._other(o) for o in others), attrs))

    __add__, __radd__ = _operator("add")
    __sub__, __rsub__ = _operator("sub")
    __mul__, __rmul__ = _operator("mul")
    __truediv__, __rtruediv__ = _operator("div")
    __pow__, __rpow__ = _operator("pow")
    __matmul__, __rmatmul__ = _operator("matmul")
    def __neg__(self): return self._apply("neg")
    def __pos__(self): return self
    # Comparisons build 0/1 nodes (for gd.where). == and != compare the handles themselves (a
    # handle is a dictionary key), so equality nodes are x.eq(y) and x.ne(y).
    def __lt__(self, o): return self._apply("lt", o)
    def __le__(self, o): return self._apply("le", o)
    def __gt__(self, o): return self._apply("gt", o)
    def __ge__(self, o): return self._apply("ge", o)
    def eq(self, o): return self._apply("eq", o)
    def ne(self, o): return self._apply("ne", o)

    @property
    def T(self) -> "Ref":
        return self._apply("transpose")

    def __getitem__(self, index) -> "Ref":
        """x[2], A[1, 0], and slices with steps as in NumPy: x[1:], x[::2], A[:, 0]."""
        index = index if isinstance(index, tuple) else (index,)
        entries = []
        for i in index:
            if isinstance(i, slice) and all(v is None or isinstance(v, int) for v in (i.start, i.stop, i.step)):
                entries.append((i.start, i.stop, i.step))
            elif isinstance(i, int) and not isinstance(i, bool):
                entries.append(i)
            else:
                raise GraphError(f"index {index} does not fit an array of shape {self.shape}: "
                                 "give whole numbers and slices such as 1:, ::2")
        try:
            canonical = canonical_index(entries, self.shape)
        except ValueError as e:
            raise GraphError(str(e)) from None
        return self._apply("index", attrs=(("index", canonical),))

    def __hash__(self):
        return hash((id(self.graph), self.id))

    def __eq__(self, other):
        return isinstance(other, Ref) and other.graph is self.graph and other.id == self.id


def _function(op):
    """The API's function for an op of the table: its operands (graph nodes, or numbers that
    become constants), then its parameters (keywords or positional), as in the language."""
    spec = OPS[op]
    params = spec.syntax.params

    def f(*args, **kw):
        if len(args) == 1 and not kw and spec.arity == 1 and isinstance(args[0], Ref):   # gd.sin(x)
            return args[0]._apply(op)
        operands, extra = args[:spec.arity], args[spec.arity:]
        if len(operands) < spec.arity or len(extra) > len(params):
            lo, hi = spec.syntax.arg_range(spec.arity)
            raise GraphError(f"{f.__name__}() takes {lo if lo == hi else f'{lo} to {hi}'} arguments, got {len(args)}")
        values = dict(zip((name for name, _ in params), extra))
        for name in kw:
            if name not in dict(params) or name in values:
                raise GraphError(f"{f.__name__}() got an unexpected argument '{name}'")
        values.update(kw)
        attrs = tuple((name, float(values[name])) for name, default in params
                      if name in values and float(values[name]) != default)
        refs = [a for a in operands if isinstance(a, Ref)]
        if not refs:
            raise GraphError(f"{f.__name__}() takes a graph node, got {', '.join(type(a).__name__ for a in operands)}")
        g = refs[0].graph
        ids = tuple(refs[0]._other(a) for a in operands)
        return Ref(g, g.apply(op, ids, attrs))

    f.__name__ = f.__qualname__ = spec.syntax.function
    sig = ", ".join(OPERANDS[:spec.arity]) + "".join(f", {n}={d!r}" for n, d in params)
    f.__doc__ = f"{spec.syntax.function}({sig}): {spec.doc} (a node of the graph; see graphdiff.OPS['{op}'])."
    return f


# One function per op that the language calls by name (gd.sin, gd.norm, gd.abs …), generated from
# the op table; graphdiff/__init__.py exports them all.
FUNCTIONS = {spec.syntax.function: _function(name) for name, spec in OPS.items() if spec.syntax.function}


def parse(text: str, filename: str = "<string>", *, at=None, share: bool = True) -> Graph:
    """Build a graph from graph-language text."""
    return build_graph(text, filename, at=at, share=share, cls=Graph)


def load(path, *, at=None, share: bool = True) -> Graph:
    """Build a graph from a .gd file (`-`: standard input). Bad files raise GraphError naming the
    file. Only regular files are read: a FIFO or a device could block forever."""
    text, name = read_source(path)
    return build_graph(text, name, at=at, share=share, cls=Graph)


def read_source(path) -> tuple[str, str]:
    """(text, name) of a .gd file (`-`: standard input), checked as `load` checks it."""
    if str(path) == "-":
        return _decode(sys.stdin.buffer.read(), "<stdin>"), "<stdin>"
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
    return _decode(data, str(path)), str(path)


def _decode(data: bytes, where: str) -> str:
    """The file's text; a NUL byte or bytes that are not UTF-8 are an error at their place."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise GraphError("this is not a text file: it holds a NUL byte (binary data)", _byte_span(data, nul, where))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise GraphError(f"byte 0x{data[e.start]:02x} is not UTF-8 text (save the file as UTF-8)",
                         _byte_span(data, e.start, where)) from None


def _byte_span(data: bytes, offset: int, where: str) -> Span:
    """The place of a bad byte: the text before it decodes, and the caret goes under it."""
    head = data[:offset].decode("utf-8", "replace")
    line_start = head.rfind("\n") + 1
    tail = data[offset:].split(b"\n", 1)[0].decode("utf-8", "replace").replace("\0", "\ufffd")
    text = head[line_start:] + tail
    return Span(Source(normalize(head[:line_start] + text), where), len(head), 1)
