"""Functions the op table's code templates call, defined once.

The op table's numeric rules (compiled from the templates) call them from here; a generated
module gets a copy of the ones it calls (`graphdiff.emit` reads their source), so it runs without
graphdiff installed. Each one may use only `np`, `math` and the helpers before it, and imports
SciPy inside its body (only `sqrtm` needs it: `import graphdiff` stays free of SciPy).

Names start with `_`: a generated module holds them beside functions whose parameters are the
user's input names, and no input name may start with `_` there (graphdiff.emit.python).

Conventions: tangents (`t`) and adjoints (`g`) may carry leading batch axes (a Jacobian pushes many
seeds at once), so every helper indexes from the end.
"""
from __future__ import annotations

import math

import numpy as np


def _lift(t, ndim_from, ndim_to):
    """Insert broadcast axes after t's batch axes so an operand's tangent lines up with y."""
    if ndim_from == ndim_to:
        return t
    nb = np.ndim(t) - ndim_from
    s = np.shape(t)
    return np.reshape(t, s[:nb] + (1,) * (ndim_to - ndim_from) + s[nb:])


def _unbroadcast(g, shape, out_ndim):
    """Sum an adjoint of y (batch + y.shape) back to an operand's shape (batch + shape)."""
    gshape = np.shape(g)
    nb = len(gshape) - out_ndim
    if gshape[nb:] == tuple(shape):
        return g
    g = np.asarray(g)
    lead = out_ndim - len(shape)
    if lead:
        g = np.sum(g, axis=tuple(range(nb, nb + lead)))
    axes = tuple(nb + i for i, s in enumerate(shape) if s == 1 and g.shape[nb + i] != 1)
    return np.sum(g, axis=axes, keepdims=True) if axes else g


def _fit(t, shape):
    """Broadcast a term to batch + shape (a broadcast operand's term is smaller than y)."""
    s = np.shape(t)
    want = s[:max(0, len(s) - len(shape))] + tuple(shape)
    return t if s == want else np.broadcast_to(t, want)


# Public names for the library (the sweeps and the op table); generated modules copy the definitions
# above under their own names, _lift and _unbroadcast.
lift, unbroadcast = _lift, _unbroadcast


def _spread(g, shape):
    """A scalar adjoint (with batch axes) spread over every entry of an operand of `shape`."""
    g = np.asarray(g)
    return np.broadcast_to(g.reshape(g.shape + (1,) * len(shape)), g.shape + tuple(shape))


def _sign(a):
    """sign(a) on a float; NaN stays NaN."""
    return 1.0 if a > 0.0 else -1.0 if a < 0.0 else a * 0.0


def _sigmoid(a):
    """The logistic function on a float, without overflow."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _expit(a):
    """The logistic function on arrays (and NumPy scalars), without overflow."""
    a = np.asarray(a, dtype=float)
    e = np.exp(-np.abs(a))
    r = np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return r[()] if r.ndim == 0 else r


def _softplus(a):
    """log(1 + exp(a)) on a float, without overflow."""
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _relu(a):
    """max(a, 0) on a float; NaN stays NaN."""
    return a if not a <= 0.0 else 0.0


def _step(a):
    """relu's derivative on a float: 1 where a > 0, else 0 (the subgradient 0 at a = 0)."""
    return 1.0 if a > 0.0 else 0.0


def _maximum(a, b):
    """max(a, b) on floats; NaN stays NaN (Python's max would drop it in one argument order)."""
    return a if a >= b else b if b > a else a + b


def _minimum(a, b):
    """min(a, b) on floats; NaN stays NaN."""
    return a if a <= b else b if b < a else a + b


def _half_step(d):
    """The derivative of max(a, b) w.r.t. a on floats, d = a − b: 1 above, 0 below, ½ at a tie."""
    return 1.0 if d > 0.0 else 0.0 if d < 0.0 else 0.5 + d


def _where(cond, a, b):
    """where(cond, a, b) entrywise: a where cond is not 0, else b (a 0-d result as a NumPy scalar)."""
    r = np.where(np.asarray(cond) != 0, a, b)
    return r[()] if r.ndim == 0 else r


def _softmax(a):
    """softmax along the last axis."""
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def _logsumexp(a):
    """log Σ exp(aᵢ) over all entries, without overflow."""
    m = np.max(a)
    if not np.isfinite(m):
        return np.log(np.sum(np.exp(a)))
    return m + np.log(np.sum(np.exp(a - m)))


def _pnorm(a, p):
    """(Σ|aᵢ|ᵖ)^(1/p), scaled by the largest entry so that |a|ᵖ cannot overflow (with p = 300 the
    unscaled sum is inf and the 'norm' would come out as 1)."""
    m = np.max(np.abs(a))
    if not 0 < m < np.inf:
        return np.sum(np.abs(a) ** p) ** (1.0 / p)
    return m * np.sum((np.abs(a) / m) ** p) ** (1.0 / p)


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


def _inv(a):
    """X⁻¹, or NaN everywhere when X holds NaN/inf or is singular to working precision (LAPACK
    would return huge meaningless numbers or raise)."""
    a = np.asarray(a, dtype=float)
    if not np.isfinite(a).all() or np.linalg.cond(a) * np.finfo(float).eps > 1.0:
        return np.full(a.shape, np.nan)
    return np.linalg.inv(a)


def _sqrtm(a):
    """The principal square root of a real matrix; NaN everywhere where it is not a real matrix
    (a negative eigenvalue), where there is none (a singular matrix that is not a square, such as
    [[0, 1], [0, 0]]), or where the matrix holds NaN or inf. SciPy's warnings stay quiet: the step's
    note says what happened."""
    import warnings

    import scipy.linalg
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
    import scipy.linalg
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


def _diag_of(t, ndim):
    """diag on an operand's own axes: a vector becomes a diagonal matrix, a matrix gives its diagonal."""
    t = np.asarray(t)
    if ndim == 1:
        return t[..., :, None] * np.eye(t.shape[-1])
    return np.diagonal(t, axis1=-2, axis2=-1)


def _diff_vjp(g):
    """The adjoint of diff: (−g₁, g₁ − g₂, …, gₙ₋₁)."""
    g = np.asarray(g)
    z = np.zeros(g.shape[:-1] + (1,))
    return np.concatenate([z, g], axis=-1) - np.concatenate([g, z], axis=-1)


def _index_vjp(g, index, shape):
    """The adjoint of a[index] (whole numbers and slices): g at the entries taken, zero elsewhere
    (a slice takes each entry at most once, so assigning is adding)."""
    g = np.asarray(g)
    index = index if isinstance(index, tuple) else (index,)
    kept = len(shape) - sum(1 for i in index if not isinstance(i, slice))   # y's axes
    out = np.zeros(g.shape[:g.ndim - kept] + tuple(shape))
    out[(Ellipsis,) + index + (slice(None),) * (len(shape) - len(index))] = g
    return out


def _prod_others(a):
    """Each entry's product of all the other entries (the partials of prod(a)), without dividing:
    cumulative products from the left and from the right, so an entry 0 gives no NaN."""
    a = np.asarray(a, dtype=float)
    flat = a.reshape(-1)
    left = np.concatenate(([1.0], np.cumprod(flat[:-1])))
    right = np.concatenate((np.cumprod(flat[:0:-1])[::-1], [1.0]))
    return (left * right).reshape(a.shape)


HELPERS = {name: fn for name, fn in list(globals().items()) if name.startswith("_") and callable(fn)
           and getattr(fn, "__module__", None) == __name__}
