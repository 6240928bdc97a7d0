"""NumPy on node handles: `np.sin(x)`, `np.sum(W @ x)`, `np.linalg.det(A)` build graph nodes.

A handle (`graphdiff.Ref`) implements NumPy's protocols (`__array_ufunc__`, `__array_function__`)
through `ArrayProtocol` here. Each NumPy function maps to an op of the table *by op name*, so a
function whose op is not in the table yet (say `np.prod` before the `prod` op) is refused with a
message naming the op, and works as soon as the op is registered:

    UFUNCS       ufunc name → op name (elementwise, operands in NumPy's order)
    COMPOSITES   ufunc name → (ops it needs, builder) for the few written with several ops
    FUNCTIONS    NumPy function → (ops it needs, builder) for everything else

Anything else NumPy would do to a handle (convert it to an array, a float, a bool) is an error at
the user's line that says what to write instead: `math.sin(x)` says to use `np.sin(x)`, an `if`
on a traced value says that Python control flow runs at trace time.
"""
from __future__ import annotations

import builtins
import math
import re

import numpy as np

from ..source import GraphError
from .callsite import caller_frame, frame_span, source_text

# ---------------------------------------------------------------- the mapping tables

# NumPy (and SciPy) ufuncs that are one elementwise op, by name.
UFUNCS = {
    "add": "add", "subtract": "sub", "multiply": "mul", "divide": "div", "true_divide": "div",
    "negative": "neg", "power": "pow", "float_power": "pow", "matmul": "matmul",
    "exp": "exp", "log": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan",
    "tanh": "tanh", "absolute": "abs", "fabs": "abs", "log1p": "log1p", "expm1": "expm1",
    "arctan2": "atan2", "hypot": "hypot", "maximum": "max", "minimum": "min",
    "expit": "sigmoid",                                   # scipy.special.expit
    "less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge",
    "equal": "eq", "not_equal": "ne",
}

# math-module functions and the NumPy function to use on handles instead.
MATH_TO_NUMPY = {"fabs": "abs", "pow": "power", "atan2": "arctan2", "atan": "arctan", "asin": "arcsin",
                 "acos": "arccos"}


class Mapping:
    """How one NumPy function becomes nodes: the ops it needs and a builder
    `build(args, kwargs) -> handle` over handles, numbers and arrays."""

    def __init__(self, ops: tuple, build):
        self.ops = ops
        self.build = build


COMPOSITES: dict[str, Mapping] = {}
FUNCTIONS: dict = {}          # NumPy function object → Mapping
_NAMES: dict = {}             # NumPy function object → "np.linalg.det" (for messages)


def numpy_name(func) -> str:
    """`np.sum`, `np.linalg.det`, `scipy.special.expit`: a NumPy callable as people write it."""
    if func in _NAMES:
        return _NAMES[func]
    module = getattr(func, "__module__", None) or "numpy"
    name = getattr(func, "__name__", repr(func))
    if isinstance(func, np.ufunc):
        module = "scipy.special" if name in ("expit", "logit", "erf") else "numpy"
    return module.replace("numpy", "np", 1) + "." + name if module.startswith("numpy") else f"{module}.{name}"


def available(mapping: Mapping) -> bool:
    from ..ops import OPS
    return all(op in OPS for op in mapping.ops)


def supported() -> dict[str, tuple]:
    """{NumPy name: ops it needs} of every function graphdiff maps (whether or not its ops are in
    this version's table)."""
    out = {f"np.{k}" if k != "expit" else "scipy.special.expit": (v,) for k, v in UFUNCS.items()}
    out.update({f"np.{k}": m.ops for k, m in COMPOSITES.items()})
    out.update({_NAMES[f]: m.ops for f, m in FUNCTIONS.items()})
    return dict(sorted(out.items()))


# ---------------------------------------------------------------- building nodes

def _handles(values):
    return [v for v in values if isinstance(v, ArrayProtocol)]


def _graph_of(values, what: str):
    refs = _handles(values)
    if not refs:
        raise GraphError(f"{what} takes a node of a graph")
    g = refs[0].graph
    for r in refs[1:]:
        if r.graph is not g:
            raise GraphError(f"{what}: cannot combine nodes of two different graphs", _span())
    return refs[0], g


def apply(op: str, *operands, attrs=(), what: str | None = None):
    """The node op(operands): handles stay, numbers and arrays become constants."""
    first, g = _graph_of(operands, what or op)
    ids = []
    for v in operands:
        if isinstance(v, ArrayProtocol):
            ids.append(v.id)
        else:
            try:
                ids.append(g.add_const(v))
            except (TypeError, ValueError):
                raise GraphError(f"{what or op}: {_short(v)} is not a number or an array of numbers", _span()) from None
    try:
        return type(first)(g, g.apply(op, tuple(ids), attrs))
    except GraphError as e:
        if e.span is None:
            e.span = _span()
        raise


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:39] + "…"


def _ndim(v) -> int:
    return len(v.shape) if isinstance(v, ArrayProtocol) else np.ndim(v)


def _span():
    frame = caller_frame(2)
    return None if frame is None else frame_span(frame)


def _refuse(kwargs: dict, name: str, allowed: dict) -> None:
    """Keyword arguments other than their defaults are errors naming the function and the argument."""
    for k, v in kwargs.items():
        if k not in allowed:
            raise GraphError(f"{name}(..., {k}=...) is not supported on traced values", _span())
        default = allowed[k]
        if not (v is default or (v is not None and default is not None and _same(v, default))):
            raise GraphError(f"{name}(..., {k}={_short(v)}) is not supported on traced values "
                             f"(only {k}={_short(default)})", _span())


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def _axis(axis, ndim: int, name: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool) or not -ndim <= axis < ndim:
        raise GraphError(f"{name}: axis={_short(axis)} does not fit an array with {ndim} axes", _span())
    return int(axis) % ndim


def _sum_along(a, axis: int, name: str):
    """The sum of a vector or matrix along one axis, as a product with a vector of ones (exact, and
    its derivative is the product's)."""
    n = _ndim(a)
    if n == 1:
        return apply("sum", a, what=name)
    if n != 2:
        raise GraphError(f"{name} along an axis works on vectors and matrices, got shape {a.shape}", _span())
    if axis == 0:
        return apply("matmul", np.ones(a.shape[0]), a, what=name)
    return apply("matmul", a, np.ones(a.shape[1]), what=name)


def _reduction(op: str, name: str):
    def build(args, kwargs):
        a, *rest = args
        if rest:
            kwargs = {**dict(zip(("axis", "dtype", "out", "keepdims"), rest)), **kwargs}
        axis = kwargs.pop("axis", None)
        _refuse(kwargs, name, {"dtype": None, "out": None, "keepdims": False})
        if axis is None or (_ndim(a) == 1 and _axis(axis, 1, name) == 0):
            return apply(op, a, what=name)
        if op == "prod":
            raise GraphError(f"{name} along an axis has no op (only the product of all entries)", _span())
        ax = _axis(axis, _ndim(a), name)
        total = _sum_along(a, ax, name)
        return total if op == "sum" else apply("div", total, float(a.shape[ax]), what=name)
    return build


def _dot(args, kwargs):
    a, b = args
    _refuse(kwargs, "np.dot", {"out": None})
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        return apply("mul", a, b, what="np.dot")
    if na == 1 and nb == 1:
        return apply("dot", a, b, what="np.dot")
    if na <= 2 and nb <= 2:
        return apply("matmul", a, b, what="np.dot")
    raise GraphError("np.dot of arrays with more than 2 axes has no op", _span())


def _vectors(name: str, op: str):
    def build(args, kwargs):
        _refuse(kwargs, name, {})
        a, b = args
        if _ndim(a) != 1 or _ndim(b) != 1:
            raise GraphError(f"{name} is mapped for vectors only (graphdiff's '{op}' op), got "
                             f"shapes {np.shape(a) if not isinstance(a, ArrayProtocol) else a.shape} and "
                             f"{np.shape(b) if not isinstance(b, ArrayProtocol) else b.shape}", _span())
        return apply(op, a, b, what=name)
    return build


def _unary(op: str, name: str, allowed: dict | None = None, positional: tuple = ()):
    def build(args, kwargs):
        a, *rest = args
        kwargs = {**dict(zip(positional, rest)), **kwargs}
        _refuse(kwargs, name, allowed or {})
        return apply(op, a, what=name)
    return build


def _norm(args, kwargs):
    x, *rest = args
    kwargs = {**dict(zip(("ord", "axis", "keepdims"), rest)), **kwargs}
    order = kwargs.pop("ord", None)
    _refuse(kwargs, "np.linalg.norm", {"axis": None, "keepdims": False})
    if order is None or (order == "fro" and _ndim(x) == 2) or (order == 2 and _ndim(x) == 1):
        return apply("norm", x, what="np.linalg.norm")
    if _ndim(x) == 1 and isinstance(order, (int, float)) and math.isfinite(order) and order >= 1:
        return apply("norm", x, attrs=(("p", float(order)),), what="np.linalg.norm")
    raise GraphError(f"np.linalg.norm(..., ord={order!r}) has no op: graphdiff's norm is the 2-norm "
                     "(Frobenius for a matrix) or a vector's p-norm with p ≥ 1", _span())


def _diff(args, kwargs):
    a, *rest = args
    kwargs = {**dict(zip(("n", "axis"), rest)), **kwargs}
    n = kwargs.pop("n", 1)
    _refuse(kwargs, "np.diff", {"axis": -1})
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise GraphError(f"np.diff(..., n={_short(n)}): n must be a whole number ≥ 0", _span())
    for _ in range(int(n)):
        a = apply("diff", a, what="np.diff")
    return a


def _transpose(args, kwargs):
    a, *rest = args
    axes = rest[0] if rest else kwargs.pop("axes", None)
    _refuse(kwargs, "np.transpose", {})
    if axes is not None and tuple(axes) != tuple(range(_ndim(a)))[::-1]:
        raise GraphError(f"np.transpose(..., axes={_short(axes)}) has no op: only the reversed axes", _span())
    return apply("transpose", a, what="np.transpose")


def _diag(args, kwargs):
    a, *rest = args
    k = rest[0] if rest else kwargs.pop("k", 0)
    _refuse(kwargs, "np.diag", {})
    if k != 0:
        raise GraphError(f"np.diag(..., k={_short(k)}) has no op: only the main diagonal", _span())
    return apply("diag", a, what="np.diag")


def _where(args, kwargs):
    _refuse(kwargs, "np.where", {})
    if len(args) != 3:
        raise GraphError("np.where(cond) (the indices where cond holds) has no op: write np.where(cond, a, b)",
                         _span())
    return apply("where", *args, what="np.where")


def _static(fn):
    """np.shape, np.ndim, np.size: facts the graph knows when it is built (numbers, not nodes)."""
    def build(args, kwargs):
        return fn(args[0].shape)
    return build


def _like(fill: float):
    def build(args, kwargs):
        _refuse({k: v for k, v in kwargs.items() if k != "dtype"}, "np.zeros_like", {})
        return np.full(args[0].shape, fill)
    return build


def _register(func_path: str, ops: tuple, build) -> None:
    func = np
    for part in func_path.split("."):
        func = getattr(func, part, None)
        if func is None:
            return                   # not in this NumPy version
    FUNCTIONS[func] = Mapping(ops, build)
    _NAMES[func] = "np." + func_path


_register("sum", ("sum",), _reduction("sum", "np.sum"))
_register("mean", ("mean",), _reduction("mean", "np.mean"))
_register("prod", ("prod",), _reduction("prod", "np.prod"))
_register("dot", ("dot", "matmul", "mul"), _dot)
_register("vdot", ("dot",), _vectors("np.vdot", "dot"))
_register("inner", ("dot",), _vectors("np.inner", "dot"))
_register("outer", ("outer",), _vectors("np.outer", "outer"))
_register("transpose", ("transpose",), _transpose)
_register("matrix_transpose", ("transpose",), _unary("transpose", "np.matrix_transpose"))
_register("linalg.matrix_transpose", ("transpose",), _unary("transpose", "np.linalg.matrix_transpose"))
_register("trace", ("trace",), _unary("trace", "np.trace", {"offset": 0, "axis1": 0, "axis2": 1, "dtype": None,
                                                             "out": None}, ("offset", "axis1", "axis2")))
_register("diag", ("diag",), _diag)
_register("diff", ("diff",), _diff)
_register("linalg.det", ("det",), _unary("det", "np.linalg.det"))
_register("linalg.inv", ("inv",), _unary("inv", "np.linalg.inv"))
_register("linalg.norm", ("norm",), _norm)
_register("where", ("where",), _where)
_register("shape", (), _static(lambda s: s))
_register("ndim", (), _static(len))
_register("size", (), _static(lambda s: math.prod(s)))
_register("zeros_like", (), _like(0.0))
_register("ones_like", (), _like(1.0))


def _composite(name: str, ops: tuple):
    def wrap(build):
        COMPOSITES[name] = Mapping(ops, build)
        return build
    return wrap


@_composite("positive", ())
def _positive(a):
    return a


@_composite("square", ("pow",))
def _square(a):
    return apply("pow", a, 2.0, what="np.square")


@_composite("reciprocal", ("div",))
def _reciprocal(a):
    return apply("div", 1.0, a, what="np.reciprocal")


@_composite("log2", ("log", "div"))
def _log2(a):
    return apply("div", apply("log", a, what="np.log2"), math.log(2.0), what="np.log2")


@_composite("log10", ("log", "div"))
def _log10(a):
    return apply("div", apply("log", a, what="np.log10"), math.log(10.0), what="np.log10")


@_composite("logaddexp", ("softplus", "add"))
def _logaddexp(a, b):
    # log(eᵃ + eᵇ) = b + softplus(a − b); with a or b the constant 0 it is softplus of the other.
    if not isinstance(a, ArrayProtocol) and np.all(np.asarray(a) == 0):
        return apply("softplus", b, what="np.logaddexp")
    if not isinstance(b, ArrayProtocol) and np.all(np.asarray(b) == 0):
        return apply("softplus", a, what="np.logaddexp")
    return apply("add", b, apply("softplus", apply("sub", a, b, what="np.logaddexp"), what="np.logaddexp"),
                 what="np.logaddexp")


# ---------------------------------------------------------------- the protocol

def _missing(name: str, ops: tuple) -> GraphError:
    from ..ops import OPS
    lacking = [op for op in ops if op not in OPS]
    return GraphError(f"{name} needs graphdiff's '{lacking[0]}' op, which this version's op table does not have",
                      _span(), hint="docs/python.md lists the NumPy functions that map to ops")


def _no_op(name: str) -> GraphError:
    return GraphError(f"{name} has no op in graphdiff's op table, so it cannot be traced", _span(),
                      hint="docs/python.md lists the NumPy functions that map to ops "
                           "(graphdiff.interop.numpy.supported() in Python)")


def array_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    name = numpy_name(ufunc)
    if method != "__call__":
        raise GraphError(f"{name}.{method} is not supported on traced values"
                         + (": use np.sum" if ufunc is np.add and method == "reduce" else ""), _span())
    _refuse(kwargs, name, {"out": None, "where": True, "casting": "same_kind", "order": "K", "dtype": None,
                           "subok": True})
    op = UFUNCS.get(ufunc.__name__)
    if op is not None:
        from ..ops import OPS
        if op not in OPS:
            raise _missing(name, (op,))
        return apply(op, *inputs, what=name)
    composite = COMPOSITES.get(ufunc.__name__)
    if composite is not None:
        if not available(composite):
            raise _missing(name, composite.ops)
        return composite.build(*inputs)
    raise _no_op(name)


def array_function(func, args: tuple, kwargs: dict):
    mapping = FUNCTIONS.get(func)
    name = numpy_name(func)
    if mapping is None:
        raise _no_op(name)
    if not available(mapping) and func is not np.dot:
        raise _missing(name, mapping.ops)
    try:
        return mapping.build(args, dict(kwargs))
    except (TypeError, ValueError) as e:     # wrong number of arguments and the like
        raise GraphError(f"{name}: {e}", _span()) from None


# ---------------------------------------------------------------- conversions that cannot be

_CALL = re.compile(r"\s*([A-Za-z_][\w.]*)\s*\(")


def _called(frame, text: str):
    """The function a call expression `text` names, looked up in the frame (None when unknown)."""
    m = _CALL.match(text)
    if m is None or frame is None:
        return None, None
    head, *rest = m.group(1).split(".")
    obj = frame.f_locals.get(head, frame.f_globals.get(head, getattr(builtins, head, None)))
    for part in rest:
        obj = getattr(obj, part, None)
    return m.group(1), obj


def conversion_error(handle, what: str, *, hint: str | None = None) -> GraphError:
    """The error for float(x), int(x), math.sin(x), np.asarray(x) … on a handle: a number is needed
    now, but a traced value is only known when the graph runs."""
    frame = caller_frame(3)
    span = None if frame is None else frame_span(frame)
    label = handle.graph.label(handle.id)
    written, fn = _called(frame, source_text(span))
    if fn is not None and getattr(fn, "__module__", None) == "math" or (
            fn is not None and getattr(math, getattr(fn, "__name__", ""), None) is fn):
        name = fn.__name__
        np_name = MATH_TO_NUMPY.get(name, name)
        hint = f"use np.{np_name}(…): graphdiff maps it to an op" if hasattr(np, np_name) else \
            "use the NumPy function of the same meaning (docs/python.md lists those that map to ops)"
        return GraphError(f"math.{name} works on plain numbers, and '{label}' is a traced value (a node of the graph)",
                          span, hint=hint)
    return GraphError(f"{what} needs the value of '{label}' now, but it is a traced value (a node of the graph), "
                      "known only when the graph runs", span,
                      hint=hint or "trace with NumPy functions on the value (np.sin, np.sum, @ …); constants "
                                   "may be NumPy arrays")


class ArrayProtocol:
    """NumPy's protocols for node handles (mixed into graphdiff.Ref): NumPy functions on handles
    build nodes; conversions to numbers and truth values are errors that say why."""

    __slots__ = ()
    __array_priority__ = 1000     # ndarray ⊕ handle: the handle's reflected operator wins

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return array_function(func, args, kwargs)

    def __array__(self, dtype=None, copy=None):
        raise conversion_error(self, "np.array, np.asarray (or a function that makes arrays of its "
                                     "arguments)")

    def __float__(self):
        raise conversion_error(self, "float()")

    def __int__(self):
        raise conversion_error(self, "int()")

    def __index__(self):
        raise conversion_error(self, "a whole number (range(), an index)",
                               hint="a count or a size is a setting, not an input: give that parameter a "
                                    "whole-number default (steps=5), and gd.trace keeps it a Python int")

    def __complex__(self):
        raise conversion_error(self, "complex()")

    def __round__(self, ndigits=None):
        raise conversion_error(self, "round()")

    def __bool__(self):
        frame = caller_frame(2)
        raise GraphError(
            f"'{self.graph.label(self.id)}' is a traced value: an `if`, `while`, `and`, `or`, `not` or bool() "
            "on it would need its value now, but Python control flow runs once, when the function is traced",
            None if frame is None else frame_span(frame),
            hint="choose between values with np.where(cond, a, b) (both are computed), or use np.maximum, "
                 "np.minimum, np.abs; loops over a fixed range unroll")

    # the array attributes and methods that NumPy-style code uses

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def dtype(self):
        return np.dtype(float)

    def __len__(self) -> int:
        if not self.shape:
            raise GraphError(f"len() of '{self.graph.label(self.id)}', a scalar", _span())
        return self.shape[0]

    def __iter__(self):
        """The rows of a matrix, the entries of a vector (a loop over them unrolls)."""
        for k in range(len(self)):
            yield self[k]

    def sum(self, *args, **kwargs):
        return np.sum(self, *args, **kwargs)

    def mean(self, *args, **kwargs):
        return np.mean(self, *args, **kwargs)

    def prod(self, *args, **kwargs):
        return np.prod(self, *args, **kwargs)

    def dot(self, other):
        return np.dot(self, other)

    def transpose(self, *axes):
        return np.transpose(self, axes or None)

    def trace(self, *args, **kwargs):
        return np.trace(self, *args, **kwargs)
