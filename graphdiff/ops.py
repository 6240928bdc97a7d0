"""The op table: one record per primitive with its evaluation, JVP, VJP, cost and label.

Conventions (the same in every rule):
  * `args` are the primal operand values (NumPy float64 scalars or arrays), `y` the op's output.
  * `x_dot` (a tangent of operand k) and `y_bar` (an adjoint of the output) may carry extra
    *leading* batch axes: a full Jacobian pushes many seeds through one sweep at once. Rules
    therefore index from the end (`axis=-1`, `[..., i]`) and never assume the batch is absent.
  * `jvp(k, x_dot, args, y, attrs)` returns operand k's term of y_dot (shaped batch + y.shape);
    `vjp(k, y_bar, args, y, attrs)` returns operand k's term of its adjoint (batch + args[k].shape).
  * Elementwise ops give `partial(k, args, y)`, the entrywise derivative dy/dx_k; their JVP and
    VJP are multiplication by it (with NumPy broadcasting undone in the VJP).
  * `cost(arg_shapes, out_shape, attrs)` is the op's flop count; see `Cost` for the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
import scipy.linalg
import scipy.special


class Cost(NamedTuple):
    """Floating-point operations of one evaluation, one JVP and one VJP (all operands).

    The model: +, -, *, / and each elementary function count 1 flop per entry; a matrix product
    (a×b)(b×c) counts 2abc; a reduction of n entries counts n; det, inv and solve count 2n³ and
    sqrtm 25n³ (Schur method), a Sylvester solve 10n³.
    """

    primal: int
    jvp: int
    vjp: int


@dataclass(frozen=True)
class Op:
    """One primitive: everything graphdiff knows about an operation, in one place."""

    name: str
    label: str
    arity: int
    eval: Callable
    shape: Callable
    jvp: Callable
    vjp: Callable
    cost: Callable
    partial: Callable | None = None
    note: Callable | None = None
    doc: str = ""
    sample: Callable | None = None  # sample(rng) -> (args, attrs): a generic point where the op is smooth

    @property
    def elementwise(self) -> bool:
        return self.partial is not None


OPS: dict[str, Op] = {}


def _register(op: Op) -> Op:
    OPS[op.name] = op
    return op


# ---------------------------------------------------------------- helpers for batched rules

def size(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def lift(t, ndim_from: int, ndim_to: int):
    """Insert broadcast axes after t's batch axes so an operand's tangent lines up with y."""
    if ndim_from == ndim_to:
        return t
    nb = np.ndim(t) - ndim_from
    shape = np.shape(t)
    return np.reshape(t, shape[:nb] + (1,) * (ndim_to - ndim_from) + shape[nb:])


def unbroadcast(g, shape: tuple, out_ndim: int):
    """Sum an adjoint of y (batch + y.shape) back to an operand's shape (batch + shape)."""
    gshape = np.shape(g)
    nb = len(gshape) - out_ndim
    if gshape[nb:] == shape:
        return g
    lead = out_ndim - len(shape)
    if lead:
        g = np.sum(g, axis=tuple(range(nb, nb + lead)))
    axes = tuple(nb + i for i, s in enumerate(shape) if s == 1 and g.shape[nb + i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return g


def fit(t, batch: tuple, shape: tuple):
    """Broadcast a term to batch + shape (terms of broadcast operands are smaller than y)."""
    want = batch + shape
    return t if np.shape(t) == want else np.broadcast_to(t, want)


def _bshape(*shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError("shapes " + " and ".join(str(s) for s in shapes) + " do not broadcast") from None


def _any(cond) -> bool:
    return bool(cond.any()) if isinstance(cond, np.ndarray) else bool(cond)


# ---------------------------------------------------------------- elementwise ops

def _elementwise_jvp(op_partial):
    def jvp(k, x_dot, args, y, attrs):
        d = op_partial(k, args, y)
        return d * lift(x_dot, np.ndim(args[k]), np.ndim(y))
    return jvp


def _elementwise_vjp(op_partial):
    def vjp(k, y_bar, args, y, attrs):
        return unbroadcast(y_bar * op_partial(k, args, y), np.shape(args[k]), np.ndim(y))
    return vjp


_BROADCAST_CASES = [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3))]


def _elementwise_sample(arity, domain):
    """Random operands for the op tests: every broadcast case, values drawn from `domain`."""
    def sample(rng):
        shapes = _BROADCAST_CASES[rng.integers(len(_BROADCAST_CASES))] if arity == 2 else \
            [((),), ((4,),), ((2, 3),)][rng.integers(3)]
        args = []
        for k, shp in enumerate(shapes):
            lo, hi = domain[k] if isinstance(domain, list) else domain
            v = rng.uniform(lo, hi, size=shp)
            if lo < 0 < hi:  # keep away from 0, where several ops have kinks
                v = np.where(np.abs(v) < 0.2, 0.5, v)
            args.append(v[()] if v.ndim == 0 else v)
        return tuple(args), {}
    return sample


def elementwise(name, label, f, partial, *, note=None, flops=1, doc="", domain=(-2.0, 2.0)):
    """Register an elementwise op (unary or binary, NumPy broadcasting)."""
    arity = f.nin if isinstance(f, np.ufunc) else f.__code__.co_argcount

    def shape(*shapes):
        if len(shapes) == 1 or all(s == shapes[0] for s in shapes):
            return shapes[0]   # the common case, without NumPy's broadcasting machinery
        return _bshape(*shapes)

    def cost(shapes, out, attrs):
        n = size(out)
        return Cost(flops * n, (2 * arity) * n, (2 * arity) * n)

    return _register(Op(name, label, arity, f, shape, _elementwise_jvp(partial),
                        _elementwise_vjp(partial), cost, partial=partial, note=note, doc=doc,
                        sample=_elementwise_sample(arity, domain)))


def _one(k, args, y):
    return 1.0


def _kink_at_zero(what):
    def note(args, y, attrs):
        return f"{what} is not differentiable at 0" if _any(args[0] == 0) else None
    return note


def _pow_partial(k, args, y):
    a, b = args
    if k == 0:
        return b * a ** (b - 1)
    return y * np.log(a)


def _pow_note(args, y, attrs):
    a, b = args
    if _any((a == 0) & (b < 1) & (b != 0)):
        return "a^b is not differentiable at a = 0 when b < 1"
    if _any(a < 0) and _any(b != np.floor(b)):
        return "a^b is undefined for a < 0 and non-integer b"
    return None


def _log_note(args, y, attrs):
    return "log is undefined for arguments ≤ 0" if _any(args[0] <= 0) else None


def _div_note(args, y, attrs):
    return "division by zero" if _any(args[1] == 0) else None


elementwise("add", "+", lambda a, b: a + b, _one, doc="a + b")
elementwise("sub", "−", lambda a, b: a - b, lambda k, args, y: 1.0 if k == 0 else -1.0, doc="a − b")
elementwise("mul", "×", lambda a, b: a * b, lambda k, args, y: args[1] if k == 0 else args[0], doc="a × b")
elementwise("div", "÷", lambda a, b: a / b,
            lambda k, args, y: 1.0 / args[1] if k == 0 else -y / args[1], note=_div_note, doc="a ÷ b",
            domain=[(-2.0, 2.0), (0.5, 2.0)])
elementwise("pow", "^", lambda a, b: a ** b, _pow_partial, note=_pow_note, doc="a to the power b",
            domain=[(0.5, 2.0), (-2.0, 3.0)])
elementwise("neg", "−", lambda a: -a, lambda k, args, y: -1.0, doc="−a")
elementwise("exp", "exp", np.exp, lambda k, args, y: y)
elementwise("log", "log", np.log, lambda k, args, y: 1.0 / args[0], note=_log_note, domain=(0.2, 3.0))
elementwise("sqrt", "√", np.sqrt, lambda k, args, y: 0.5 / y,
            note=lambda args, y, attrs: ("√ is not differentiable at 0" if _any(args[0] == 0)
                                         else "√ is undefined for arguments < 0" if _any(args[0] < 0)
                                         else None), domain=(0.2, 3.0))
elementwise("sin", "sin", np.sin, lambda k, args, y: np.cos(args[0]))
elementwise("cos", "cos", np.cos, lambda k, args, y: -np.sin(args[0]))
elementwise("tan", "tan", np.tan, lambda k, args, y: 1.0 + y * y, domain=(-1.2, 1.2))
elementwise("tanh", "tanh", np.tanh, lambda k, args, y: 1.0 - y * y)
elementwise("sigmoid", "σ", scipy.special.expit, lambda k, args, y: y * (1.0 - y))
_ZERO, _ONE = np.float64(0.0), np.float64(1.0)


# relu on NumPy scalars takes the plain-Python branch: np.maximum on a scalar costs ~1 µs, which
# dominated scalar sweeps. `not a <= 0` keeps NaN as NaN.
def _relu(a):
    return np.maximum(a, 0.0) if isinstance(a, np.ndarray) else (a if not a <= 0 else _ZERO)


def _relu_partial(k, args, y):
    a = args[0]
    return (a > 0).astype(float) if isinstance(a, np.ndarray) else (_ONE if a > 0 else _ZERO)


elementwise("relu", "relu", _relu, _relu_partial, note=_kink_at_zero("relu"))
elementwise("abs", "|·|", np.abs, lambda k, args, y: np.sign(args[0]), note=_kink_at_zero("|·|"))
elementwise("softplus", "softplus", lambda a: np.logaddexp(0.0, a),
            lambda k, args, y: scipy.special.expit(args[0]))


# ---------------------------------------------------------------- array ops

def array_op(name, label, arity, f, shape, jvp, vjp, cost, *, note=None, doc="", sample=None):
    """Register a non-elementwise op with explicit (batch-aware) JVP and VJP rules."""
    return _register(Op(name, label, arity, f, shape, jvp, vjp, cost, note=note, doc=doc, sample=sample))


def _normal(*shapes, attrs=None):
    """A sampler of standard-normal operands of the given shapes."""
    return lambda rng: (tuple(rng.standard_normal(s) for s in shapes), dict(attrs or {}))


def _pick(*samplers):
    """A sampler choosing one of several (e.g. one per supported shape combination)."""
    return lambda rng: samplers[rng.integers(len(samplers))](rng)


def _spd(n):
    """A sampler of one well-conditioned symmetric positive definite n×n matrix."""
    def sample(rng):
        m = rng.standard_normal((n, n))
        return (m @ m.T + n * np.eye(n),), {}
    return sample


def _need(cond, message):
    if not cond:
        raise ValueError(message)


def _linear_cost(factor=1):
    return lambda shapes, out, attrs: Cost(factor * size(shapes[0]), factor * size(shapes[0]),
                                           factor * size(shapes[0]))


def _sum_axes(t, ndim):
    """Sum the last `ndim` axes (the operand's own axes, leaving batch axes)."""
    return np.sum(t, axis=tuple(range(-ndim, 0))) if ndim else t


def _spread(y_bar, shape):
    """A scalar adjoint (with batch) spread over an operand of `shape`."""
    return np.broadcast_to(lift(y_bar, 0, len(shape)), np.shape(y_bar) + shape)


array_op("sum", "Σ", 1, lambda a: np.sum(a), lambda s: (),
         lambda k, x_dot, args, y, at: _sum_axes(x_dot, np.ndim(args[0])),
         lambda k, y_bar, args, y, at: _spread(y_bar, np.shape(args[0])),
         _linear_cost(), doc="sum of all entries",
         sample=_pick(_normal(()), _normal((4,)), _normal((2, 3))))
array_op("mean", "mean", 1, lambda a: np.mean(a), lambda s: (),
         lambda k, x_dot, args, y, at: _sum_axes(x_dot, np.ndim(args[0])) / np.size(args[0]),
         lambda k, y_bar, args, y, at: _spread(y_bar / np.size(args[0]), np.shape(args[0])),
         _linear_cost(), doc="mean of all entries",
         sample=_pick(_normal((4,)), _normal((2, 3))))


def _dot_shape(a, b):
    _need(len(a) == 1 and a == b, f"dot needs two vectors of the same length, got {a} and {b}")
    return ()


array_op("dot", "·", 2, lambda a, b: np.dot(a, b), _dot_shape,
         lambda k, x_dot, args, y, at: np.sum(x_dot * args[1 - k], axis=-1),
         lambda k, y_bar, args, y, at: np.asarray(y_bar)[..., None] * args[1 - k],
         lambda shapes, out, at: Cost(2 * shapes[0][0], 4 * shapes[0][0], 4 * shapes[0][0]),
         doc="inner product ⟨a, b⟩ of two vectors", sample=_normal((3,), (3,)))


def _outer_shape(a, b):
    _need(len(a) == 1 and len(b) == 1, f"outer needs two vectors, got {a} and {b}")
    return (a[0], b[0])


def _outer_jvp(k, x_dot, args, y, at):
    a, b = args
    return x_dot[..., :, None] * b if k == 0 else a[:, None] * x_dot[..., None, :]


def _outer_vjp(k, y_bar, args, y, at):
    a, b = args
    return y_bar @ b if k == 0 else np.swapaxes(y_bar, -1, -2) @ a


array_op("outer", "⊗", 2, np.outer, _outer_shape, _outer_jvp, _outer_vjp,
         lambda shapes, out, at: Cost(size(out), 4 * size(out), 4 * size(out)),
         doc="outer product a bᵀ", sample=_normal((3,), (2,)))


# matmul: vectors are promoted to a row (left) or a column (right), as NumPy does.

def _matmul_shape(a, b):
    _need(1 <= len(a) <= 2 and 1 <= len(b) <= 2,
          f"@ needs vectors or matrices, got shapes {a} and {b}")
    _need(a[-1] == b[0], f"shape {a} @ {b} does not match: {a[-1]} ≠ {b[0]}")
    return a[:-1] + b[1:]


def _as_matrix(t, ndim, side):
    """View an operand (with batch axes) as a matrix: a vector becomes a row or a column."""
    if ndim == 2:
        return t
    return np.asarray(t)[..., None, :] if side == "row" else np.asarray(t)[..., :, None]


def _from_matrix(t, a_ndim, b_ndim):
    if b_ndim == 1:
        t = t[..., 0]
    if a_ndim == 1:
        t = t[..., 0, :] if b_ndim == 2 else t[..., 0]
    return t


def _matmul_jvp(k, x_dot, args, y, at):
    a, b = args
    A = _as_matrix(x_dot if k == 0 else a, a.ndim, "row")
    B = _as_matrix(x_dot if k == 1 else b, b.ndim, "col")
    return _from_matrix(A @ B, a.ndim, b.ndim)


def _matmul_vjp(k, y_bar, args, y, at):
    a, b = args
    Y = np.asarray(y_bar)
    if a.ndim == 1:
        Y = Y[..., None, :] if b.ndim == 2 else Y[..., None]
    if b.ndim == 1:
        Y = Y[..., None]
    # With a vector on the other side the product has inner size 1 (an outer product): a
    # broadcast multiply does it at half the cost of matmul (the W-gradient of W @ x).
    if k == 0:
        B = _as_matrix(b, b.ndim, "col").T
        g = Y * B if B.shape[0] == 1 and Y.shape[-1] == 1 else Y @ B
        return g[..., 0, :] if a.ndim == 1 else g
    A = _as_matrix(a, a.ndim, "row").T
    g = A * Y if A.shape[-1] == 1 and Y.shape[-2] == 1 else A @ Y
    return g[..., 0] if b.ndim == 1 else g


def _matmul_cost(shapes, out, at):
    m = shapes[0][0] if len(shapes[0]) == 2 else 1
    kk = shapes[0][-1]
    p = shapes[1][1] if len(shapes[1]) == 2 else 1
    return Cost(2 * m * kk * p, 4 * m * kk * p, 4 * m * kk * p)


array_op("matmul", "@", 2, lambda a, b: a @ b, _matmul_shape, _matmul_jvp, _matmul_vjp,
         _matmul_cost, doc="matrix product (vectors as rows on the left, columns on the right)",
         sample=_pick(_normal((2, 3), (3, 4)), _normal((3,), (3, 2)), _normal((2, 3), (3,)), _normal((3,), (3,))))


def _T(t):
    return np.swapaxes(t, -1, -2)


def _transpose_shape(s):
    _need(len(s) <= 2, f"transpose needs a vector or a matrix, got shape {s}")
    return s[::-1]


array_op("transpose", "ᵀ", 1, lambda a: np.transpose(a), _transpose_shape,
         lambda k, x_dot, args, y, at: _T(x_dot) if np.ndim(args[0]) == 2 else x_dot,
         lambda k, y_bar, args, y, at: _T(y_bar) if np.ndim(args[0]) == 2 else y_bar,
         lambda shapes, out, at: Cost(0, 0, 0), doc="transpose (a vector's transpose is itself)",
         sample=_pick(_normal((2, 3)), _normal((3,))))


def _square(name):
    def shape(s):
        _need(len(s) == 2 and s[0] == s[1], f"{name} needs a square matrix, got shape {s}")
        return () if name in ("trace", "det") else s
    return shape


def _eye_like(y_bar, n):
    return lift(y_bar, 0, 2) * np.eye(n)


array_op("trace", "tr", 1, np.trace, _square("trace"),
         lambda k, x_dot, args, y, at: np.trace(x_dot, axis1=-2, axis2=-1),
         lambda k, y_bar, args, y, at: _eye_like(y_bar, args[0].shape[0]),
         lambda shapes, out, at: Cost(shapes[0][0], shapes[0][0], shapes[0][0]),
         doc="trace of a square matrix", sample=_normal((3, 3)))


def _adjugate(a):
    """adj(a) = det(a) inv(a), via cofactors when a is singular."""
    n = a.shape[0]
    d = np.linalg.det(a)
    if n == 1:
        return np.ones((1, 1))
    if abs(d) > 1e-12 * max(1.0, np.abs(a).max()) ** n:
        return d * np.linalg.inv(a)
    cof = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
            cof[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return cof.T


def _cube(shapes, factor_primal, factor_d):
    n = shapes[0][0]
    return Cost(factor_primal * n ** 3, factor_d * n ** 3, factor_d * n ** 3)


array_op("det", "det", 1, np.linalg.det, _square("det"),
         lambda k, x_dot, args, y, at: np.trace(_adjugate(args[0]) @ x_dot, axis1=-2, axis2=-1),
         lambda k, y_bar, args, y, at: lift(y_bar, 0, 2) * _adjugate(args[0]).T,
         lambda shapes, out, at: _cube(shapes, 2, 4), doc="determinant (derivative via the adjugate)",
         sample=_pick(_normal((3, 3)), _normal((1, 1))))


def _inv(a):
    """X⁻¹, or NaN everywhere when X holds NaN/inf or is singular to working precision (LAPACK
    would return huge meaningless numbers or raise)."""
    a = np.asarray(a, dtype=float)
    if not np.isfinite(a).all() or np.linalg.cond(a) * np.finfo(float).eps > 1.0:
        return np.full(a.shape, np.nan)
    return np.linalg.inv(a)


def _singular_note(args, y, attrs):
    if not np.isfinite(args[0]).all():
        return "the matrix holds NaN or inf"
    return "the matrix is singular (to working precision)" if not np.isfinite(y).all() else None


array_op("inv", "⁻¹", 1, _inv, _square("inv"),
         lambda k, x_dot, args, y, at: -(y @ x_dot @ y),
         lambda k, y_bar, args, y, at: -(y.T @ y_bar @ y.T),
         lambda shapes, out, at: _cube(shapes, 2, 4), note=_singular_note,
         doc="matrix inverse: d(X⁻¹) = −X⁻¹ dX X⁻¹", sample=_spd(3))


def _sqrtm(a):
    """The principal square root of a real matrix; NaN everywhere where it is not a real matrix
    (a negative eigenvalue), where there is none (a singular matrix that is not a square, such as
    [[0, 1], [0, 0]]), or where the matrix holds NaN or inf. SciPy's warnings stay quiet: the step's
    note says what happened."""
    import warnings
    a = np.asarray(a, dtype=float)
    nan = np.full(a.shape, np.nan)
    if not np.isfinite(a).all():
        return nan
    scale = max(1.0, float(np.abs(a).max()))
    w = np.linalg.eigvals(a)
    if np.any((np.abs(w.imag) <= 1e-10 * scale) & (w.real < -1e-10 * scale)):
        return nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = scipy.linalg.sqrtm(a)
        except (np.linalg.LinAlgError, ValueError):
            return nan
    if np.iscomplexobj(r):
        if np.abs(r.imag).max() > 1e-8 * max(1.0, float(np.abs(r.real).max())):
            return nan
        r = r.real
    r = np.asarray(r, dtype=float)
    if not np.isfinite(r).all() or np.abs(r @ r - a).max() > 1e-6 * scale:
        return nan
    return r


def _sylvester_each(y, rhs):
    """Solve y Z + Z y = rhs for every batch entry of rhs; NaN where no unique solution exists
    (y singular or not finite: the matrix square root is not differentiable there)."""
    y, rhs = np.asarray(y, dtype=float), np.asarray(rhs, dtype=float)
    if not np.isfinite(y).all():
        return np.full(rhs.shape, np.nan)
    sv = np.linalg.svd(y, compute_uv=False)
    if sv[-1] <= 1e-12 * max(sv[0], 1e-300):
        return np.full(rhs.shape, np.nan)
    flat = rhs.reshape((-1,) + rhs.shape[-2:])
    out = np.stack([scipy.linalg.solve_sylvester(y, y, r) if np.isfinite(r).all() else np.full(r.shape, np.nan)
                    for r in flat])
    return out.reshape(rhs.shape)


def _sqrtm_note(args, y, attrs):
    a = args[0]
    if not np.isfinite(a).all():
        return "the matrix holds NaN or inf"
    if np.isnan(y).any():
        w = np.linalg.eigvals(a)
        if np.any((np.abs(w.imag) <= 1e-10 * max(1.0, float(np.abs(a).max()))) & (w.real < 0)):
            return "the matrix has a negative eigenvalue: its principal square root is not real"
        return "the matrix has no square root"
    sv = np.linalg.svd(y, compute_uv=False)
    if sv[-1] <= 1e-12 * max(sv[0], 1e-300):
        return "the square root is singular: √X is not differentiable here"
    return None


array_op("sqrtm", "√", 1, _sqrtm, _square("sqrtm"),
         lambda k, x_dot, args, y, at: _sylvester_each(y, x_dot),
         lambda k, y_bar, args, y, at: _sylvester_each(y.T, y_bar),
         lambda shapes, out, at: _cube(shapes, 25, 10), note=_sqrtm_note,
         doc="principal matrix square root; derivative solves √X·Ẏ + Ẏ·√X = Ẋ (Sylvester)",
         sample=_spd(3))


def _diag_shape(s):
    _need(len(s) in (1, 2), f"diag needs a vector or a matrix, got shape {s}")
    if len(s) == 1:
        return (s[0], s[0])
    _need(s[0] == s[1], f"diag of a matrix needs it square, got shape {s}")
    return (s[0],)


def _diag_apply(t, ndim):
    """diag on the operand's own axes: vector -> diagonal matrix, matrix -> its diagonal."""
    t = np.asarray(t)
    if ndim == 1:
        return t[..., :, None] * np.eye(t.shape[-1])
    return np.diagonal(t, axis1=-2, axis2=-1)


array_op("diag", "diag", 1, np.diag, _diag_shape,
         lambda k, x_dot, args, y, at: _diag_apply(x_dot, np.ndim(args[0])),
         lambda k, y_bar, args, y, at: _diag_apply(y_bar, 3 - np.ndim(args[0])),
         _linear_cost(), doc="vector → diagonal matrix, or a square matrix's diagonal",
         sample=_pick(_normal((3,)), _normal((3, 3))))


def _softmax(a):
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _vector_or_matrix(name):
    def shape(s):
        _need(len(s) in (1, 2), f"{name} needs a vector or a matrix (rows), got shape {s}")
        return s
    return shape


array_op("softmax", "softmax", 1, _softmax, _vector_or_matrix("softmax"),
         lambda k, x_dot, args, y, at: y * (x_dot - np.sum(y * x_dot, axis=-1, keepdims=True)),
         lambda k, y_bar, args, y, at: y * (y_bar - np.sum(y_bar * y, axis=-1, keepdims=True)),
         lambda shapes, out, at: Cost(3 * size(out), 4 * size(out), 4 * size(out)),
         doc="softmax along the last axis", sample=_pick(_normal((4,)), _normal((2, 3))))


def _lse_p(a, y):
    return np.exp(a - y)


array_op("logsumexp", "logΣexp", 1, lambda a: scipy.special.logsumexp(a), lambda s: (),
         lambda k, x_dot, args, y, at: _sum_axes(x_dot * _lse_p(args[0], y), np.ndim(args[0])),
         lambda k, y_bar, args, y, at: lift(y_bar, 0, np.ndim(args[0])) * _lse_p(args[0], y),
         lambda shapes, out, at: Cost(3 * size(shapes[0]), 2 * size(shapes[0]), 2 * size(shapes[0])),
         doc="log Σ exp(aᵢ) over all entries", sample=_pick(_normal((4,)), _normal((2, 3))))


def _diff_shape(s):
    _need(len(s) == 1 and s[0] >= 2, f"diff needs a vector of length ≥ 2, got shape {s}")
    return (s[0] - 1,)


def _diff_vjp(k, y_bar, args, y, at):
    g = np.asarray(y_bar)
    z = np.zeros(g.shape[:-1] + (1,))
    return np.concatenate([z, g], axis=-1) - np.concatenate([g, z], axis=-1)


array_op("diff", "Δ", 1, np.diff, _diff_shape,
         lambda k, x_dot, args, y, at: x_dot[..., 1:] - x_dot[..., :-1], _diff_vjp,
         _linear_cost(), doc="(x₂−x₁, …, xₙ−xₙ₋₁)", sample=_normal((5,)))


# norm(a) is the 2-norm (Frobenius for a matrix); norm(a, p) the entrywise p-norm.

def _pnorm(a, p):
    """(Σ|aᵢ|ᵖ)^(1/p), scaled by the largest entry so that |a|ᵖ cannot overflow (with p = 300 the
    unscaled sum is inf and the 'norm' would come out as 1)."""
    m = np.max(np.abs(a))
    if not 0 < m < np.inf:
        return np.sum(np.abs(a) ** p) ** (1.0 / p)
    return m * np.sum((np.abs(a) / m) ** p) ** (1.0 / p)


def _norm_eval(a, p=2.0):
    return np.sqrt(np.sum(a * a)) if p == 2.0 else _pnorm(a, p)


def _norm_grad(a, y, p):
    if p == 2.0:
        return a / y
    return np.sign(a) * (np.abs(a) / y) ** (p - 1)


def _norm_shape(s, p=2.0):
    _need(np.isfinite(p) and p >= 1, f"the p of norm(a, p) must be a finite number ≥ 1, got {p:g}")
    return ()


def _norm_note(args, y, attrs):
    p = dict(attrs).get("p", 2.0)
    if y == 0:
        return "the norm is not differentiable at 0"
    if p <= 1 and _any(args[0] == 0):
        return f"the {p:g}-norm is not differentiable where an entry is 0"
    return None


array_op("norm", "‖·‖", 1, _norm_eval, _norm_shape,
         lambda k, x_dot, args, y, at: _sum_axes(x_dot * _norm_grad(args[0], y, at.get("p", 2.0)),
                                                 np.ndim(args[0])),
         lambda k, y_bar, args, y, at: lift(y_bar, 0, np.ndim(args[0])) * _norm_grad(args[0], y, at.get("p", 2.0)),
         lambda shapes, out, at: Cost(2 * size(shapes[0]), 2 * size(shapes[0]), 2 * size(shapes[0])),
         note=_norm_note, doc="‖a‖₂ (Frobenius for a matrix), or ‖a‖ₚ = (Σ|aᵢ|ᵖ)^(1/p)",
         sample=_pick(_normal((4,)), _normal((2, 3)), _normal((4,), attrs={"p": 3.0}), _normal((4,), attrs={"p": 1.5})))


def _index_shape(s, index):
    _need(len(index) <= len(s), f"{len(index)} indices for an array of shape {s}")
    for i, n in zip(index, s):
        _need(0 <= i < n, f"index {i} is out of range for an axis of length {n} (shape {s})")
    return s[len(index):]


def _index_vjp(k, y_bar, args, y, at):
    g = np.asarray(y_bar)
    a_shape = np.shape(args[0])
    batch = g.shape[: g.ndim - (len(a_shape) - len(at["index"]))]
    out = np.zeros(batch + a_shape)
    out[(Ellipsis,) + tuple(at["index"]) + (slice(None),) * (len(a_shape) - len(at["index"]))] = g
    return out


def _index_tail(index, a_ndim):
    return (Ellipsis,) + tuple(index) + (slice(None),) * (a_ndim - len(index))


array_op("index", "[·]", 1, lambda a, index: a[tuple(index)], _index_shape,
         lambda k, x_dot, args, y, at: np.asarray(x_dot)[_index_tail(at["index"], np.ndim(args[0]))],
         _index_vjp,
         lambda shapes, out, at: Cost(0, 0, 0), doc="an entry (or a row) of an array",
         sample=_pick(_normal((4,), attrs={"index": (2,)}), _normal((2, 3), attrs={"index": (1, 0)}),
                      _normal((2, 3), attrs={"index": (1,)})))
