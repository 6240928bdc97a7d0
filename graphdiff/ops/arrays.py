"""Reductions, products and linear algebra, one stanza each.

A stanza gives the op's NumPy code, its JVP (operand k's term of ẏ, from the tangent {t}) and VJP
(operand k's term of its adjoint, from ȳ = {g}) as NumPy code written for leading batch axes,
the same in the textbook's (matrix-calculus) notation, its shape rule, cost, notes and sampler.
The numeric rules are compiled from this code.
"""
from __future__ import annotations

import numpy as np

from .indexing import index_shape
from .table import Code, Cost, register, size

# ---------------------------------------------------------------- samplers and shape helpers


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


def _cube(factor_primal, factor_d):
    def cost(shapes, out, attrs):
        n = shapes[0][0]
        return Cost(factor_primal * n ** 3, factor_d * n ** 3, factor_d * n ** 3)
    return cost


def _square(name, *, reduces=False):
    def shape(s):
        _need(len(s) == 2 and s[0] == s[1], f"{name} needs a square matrix, got shape {s}")
        return () if reduces else s
    return shape


def _vector_or_matrix(name):
    def shape(s):
        _need(len(s) in (1, 2), f"{name} needs a vector or a matrix (rows), got shape {s}")
        return s
    return shape


def _sum_t(m, expr):
    """Sum an expression over operand 0's own axes (nothing to sum for a scalar)."""
    return expr if m["nd0"] == 0 else f"np.sum({expr}, axis={m['axes0']})"


def _if_matrix(yes, no):
    return lambda m: (yes if m["nd0"] == 2 else no).format(**m)


# ---------------------------------------------------------------- reductions

register("sum", "Σ", 1, Code(
    py="np.sum({a})", pseudo="Σ {a}",
    jvp=(lambda m: _sum_t(m, m["t"]),), vjp=("_spread({g}, {s0})",),
    jvp_pseudo=("Σ {t}",), vjp_pseudo=("{g} (every entry)",)),
    shape=lambda s: (), cost=_linear_cost(), doc="sum of all entries",
    sample=_pick(_normal(()), _normal((4,)), _normal((2, 3))))

register("mean", "mean", 1, Code(
    py="np.mean({a})", pseudo="mean({a})",
    jvp=(lambda m: _sum_t(m, m["t"]) + f" / {m['size0']}",), vjp=("_spread({g} / {size0}, {s0})",),
    jvp_pseudo=("mean({t})",), vjp_pseudo=("{g}/{size0} (every entry)",)),
    shape=lambda s: (), cost=_linear_cost(), doc="mean of all entries",
    sample=_pick(_normal((4,)), _normal((2, 3))))


register("prod", "Π", 1, Code(
    py="np.prod({a})", pseudo="Π {a}",
    jvp=(lambda m: _sum_t(m, f"{m['t']} * _prod_others({m['a']})"),),
    vjp=("np.asarray({g}){lift0} * _prod_others({a})",),
    jvp_pseudo=("Σᵢ {t}ᵢ·Πⱼ≠ᵢ {a}ⱼ",), vjp_pseudo=("{g}·Πⱼ≠ᵢ {a}ⱼ (entry i)",)),
    shape=lambda s: (), doc="product of all entries; its partials Πⱼ≠ᵢ aⱼ are formed without dividing, "
                            "so an entry 0 gives no NaN",
    cost=lambda shapes, out, attrs: Cost(size(shapes[0]), 4 * size(shapes[0]), 4 * size(shapes[0])),
    sample=_pick(_normal(()), _normal((4,)), _normal((2, 3))))

def _norm_shape(s, p=2.0):
    _need(np.isfinite(p) and p >= 1, f"the p of norm(a, p) must be a finite number ≥ 1, got {p:g}")
    return ()


def _norm_py(m):
    a, p = m["a"], m.get("p")
    return f"np.sqrt(np.sum({a} * {a}))" if p is None else f"_pnorm({a}, {p})"


def _norm_grad(m):
    a, y, p = m["a"], m["y"], m.get("p")
    if p is None:
        return f"({a} / {y})"
    return f"(np.sign({a}) * (np.abs({a}) / {y}) ** ({p} - 1))"


def _norm_note(args, y, attrs):
    p = dict(attrs).get("p", 2.0)
    if y == 0:
        return "the norm is not differentiable at 0"
    if p <= 1 and np.any(np.asarray(args[0]) == 0):
        return f"the {p:g}-norm is not differentiable where an entry is 0"
    return None


register("norm", "‖·‖", 1, Code(
    py=_norm_py, pseudo=lambda m: f"‖{m['a']}‖" + (f"_{float(m['p']):g}" if m.get("p") else ""),
    jvp=(lambda m: _sum_t(m, f"{m['t']} * {_norm_grad(m)}"),),
    vjp=(lambda m: f"np.asarray({m['g']}){m['lift0']} * {_norm_grad(m)}",),
    jvp_pseudo=(lambda m: f"⟨∇‖{m['a']}‖, {m['t']}⟩",), vjp_pseudo=(lambda m: f"{m['g']}·∇‖{m['a']}‖",)),
    shape=_norm_shape, params=(("p", 2.0),), note=_norm_note,
    cost=lambda shapes, out, attrs: Cost(2 * size(shapes[0]), 2 * size(shapes[0]), 2 * size(shapes[0])),
    doc="‖a‖₂ (Frobenius for a matrix), or with p the entrywise p-norm (Σ|aᵢ|ᵖ)^(1/p), p ≥ 1",
    sample=_pick(_normal((4,)), _normal((2, 3)), _normal((4,), attrs={"p": 3.0}), _normal((4,), attrs={"p": 1.5})))

register("logsumexp", "logΣexp", 1, Code(
    py="_logsumexp({a})", pseudo="logΣexp({a})",
    jvp=(lambda m: _sum_t(m, f"{m['t']} * np.exp({m['a']} - {m['y']})"),),
    vjp=("np.asarray({g}){lift0} * np.exp({a} - {y})",),
    jvp_pseudo=("⟨exp({a} − {y}), {t}⟩",), vjp_pseudo=("{g}·exp({a} − {y})",)),
    shape=lambda s: (), doc="log Σ exp(aᵢ) over all entries",
    cost=lambda shapes, out, attrs: Cost(3 * size(shapes[0]), 2 * size(shapes[0]), 2 * size(shapes[0])),
    sample=_pick(_normal((4,)), _normal((2, 3))))


# ---------------------------------------------------------------- products

def _dot_shape(a, b):
    _need(len(a) == 1 and a == b, f"dot needs two vectors of the same length, got {a} and {b}")
    return ()


register("dot", "·", 2, Code(
    py="np.dot({a}, {b})", pseudo="⟨{a}, {b}⟩",
    jvp=("np.sum({t} * {b}, axis=-1)", "np.sum({t} * {a}, axis=-1)"),
    vjp=("np.asarray({g})[..., None] * {b}", "np.asarray({g})[..., None] * {a}"),
    jvp_pseudo=("⟨{t}, {b}⟩", "⟨{a}, {t}⟩"), vjp_pseudo=("{g}·{b}", "{g}·{a}")),
    shape=_dot_shape, doc="inner product ⟨a, b⟩ of two vectors",
    cost=lambda shapes, out, attrs: Cost(2 * shapes[0][0], 4 * shapes[0][0], 4 * shapes[0][0]),
    sample=_normal((3,), (3,)))


def _outer_shape(a, b):
    _need(len(a) == 1 and len(b) == 1, f"outer needs two vectors, got {a} and {b}")
    return (a[0], b[0])


register("outer", "⊗", 2, Code(
    py="np.outer({a}, {b})", pseudo="{a} {b}ᵀ",
    jvp=("{t}[..., :, None] * {b}", "{a}[:, None] * {t}[..., None, :]"),
    vjp=("{g} @ {b}", "np.swapaxes({g}, -1, -2) @ {a}"),
    jvp_pseudo=("{t} {b}ᵀ", "{a} {t}ᵀ"), vjp_pseudo=("{g} {b}", "{g}ᵀ {a}")),
    shape=_outer_shape, doc="outer product a bᵀ",
    cost=lambda shapes, out, attrs: Cost(size(out), 4 * size(out), 4 * size(out)),
    sample=_normal((3,), (2,)))


# matmul: a vector is a row on the left, a column on the right (NumPy's rule); the shapes are
# static, so each case is written out. Tangents and adjoints carry leading batch axes.

def _matmul_shape(a, b):
    _need(1 <= len(a) <= 2 and 1 <= len(b) <= 2, f"@ needs vectors or matrices, got shapes {a} and {b}")
    _need(a[-1] == b[0], f"shape {a} @ {b} does not match: {a[-1]} ≠ {b[0]}")
    return a[:-1] + b[1:]


def _mm_jvp1(m):
    if m["nd1"] == 2:
        return f"{m['a']} @ {m['t']}"
    return f"({m['a']} @ {m['t']}[..., None])[..., 0]"   # b a vector: as a column


def _mm_vjp0(m):
    if m["nd1"] == 2:
        return f"{m['g']} @ {m['b']}.T"
    return f"np.asarray({m['g']})[..., None] * {m['b']}"  # ā = ȳ bᵀ (an outer product)


def _mm_vjp1(m):
    if m["nd0"] == 2:
        return f"{m['a']}.T @ {m['g']}" if m["nd1"] == 2 else f"{m['g']} @ {m['a']}"
    if m["nd1"] == 2:
        return f"{m['a']}[:, None] * np.asarray({m['g']})[..., None, :]"  # b̄ = a ȳᵀ
    return f"np.asarray({m['g']})[..., None] * {m['a']}"


def _matmul_cost(shapes, out, attrs):
    m = shapes[0][0] if len(shapes[0]) == 2 else 1
    kk = shapes[0][-1]
    p = shapes[1][1] if len(shapes[1]) == 2 else 1
    return Cost(2 * m * kk * p, 4 * m * kk * p, 4 * m * kk * p)


register("matmul", "@", 2, Code(
    py="{a} @ {b}", pseudo="{a} {b}",
    jvp=("{t} @ {b}", _mm_jvp1), vjp=(_mm_vjp0, _mm_vjp1),
    jvp_pseudo=("{t} {b}", "{a} {t}"), vjp_pseudo=("{g} {b}ᵀ", "{a}ᵀ {g}")),
    shape=_matmul_shape, cost=_matmul_cost, function=None, operators=("@",),
    doc="matrix product (a vector is a row on the left, a column on the right)",
    sample=_pick(_normal((2, 3), (3, 4)), _normal((3,), (3, 2)), _normal((2, 3), (3,)), _normal((3,), (3,))))


# ---------------------------------------------------------------- reshaping

def _transpose_shape(s):
    _need(len(s) <= 2, f"transpose needs a vector or a matrix, got shape {s}")
    return s[::-1]


register("transpose", "ᵀ", 1, Code(
    py=_if_matrix("{a}.T", "{a}"), pseudo="{a}ᵀ",
    jvp=(_if_matrix("np.swapaxes({t}, -1, -2)", "{t}"),), vjp=(_if_matrix("np.swapaxes({g}, -1, -2)", "{g}"),),
    jvp_pseudo=("{t}ᵀ",), vjp_pseudo=("{g}ᵀ",)),
    shape=_transpose_shape, cost=lambda shapes, out, attrs: Cost(0, 0, 0), operators=(".T",),
    doc="transpose (a vector's transpose is itself)", sample=_pick(_normal((2, 3)), _normal((3,))))


def _diag_shape(s):
    _need(len(s) in (1, 2), f"diag needs a vector or a matrix, got shape {s}")
    if len(s) == 1:
        return (s[0], s[0])
    _need(s[0] == s[1], f"diag of a matrix needs it square, got shape {s}")
    return (s[0],)


register("diag", "diag", 1, Code(
    py="np.diag({a})", pseudo="diag({a})",
    jvp=("_diag_of({t}, {nd0})",), vjp=(lambda m: f"_diag_of({m['g']}, {3 - m['nd0']})",),
    jvp_pseudo=("diag({t})",), vjp_pseudo=("diag({g})",)),
    shape=_diag_shape, cost=_linear_cost(), doc="vector → diagonal matrix, or a square matrix's diagonal",
    sample=_pick(_normal((3,)), _normal((3, 3))))


def _diff_shape(s):
    _need(len(s) == 1 and s[0] >= 2, f"diff needs a vector of length ≥ 2, got shape {s}")
    return (s[0] - 1,)


register("diff", "Δ", 1, Code(
    py="np.diff({a})", pseudo="diff({a})",
    jvp=("{t}[..., 1:] - {t}[..., :-1]",), vjp=("_diff_vjp({g})",),
    jvp_pseudo=("diff({t})",), vjp_pseudo=("−diff((0, {g}, 0))",)),
    shape=_diff_shape, cost=_linear_cost(), doc="(x₂−x₁, …, xₙ−xₙ₋₁)", sample=_normal((5,)))


register("index", "[·]", 1, Code(
    py="{a}[{ix}]", pseudo="{a}[{ix}]",
    jvp=(lambda m: f"{m['t']}[..., {m['ix']}{', :' * (m['nd0'] - m['nix'])}]",),
    vjp=("_index_vjp({g}, np.s_[{ix},], {s0})",),
    jvp_pseudo=("{t}[{ix}]",), vjp_pseudo=("{g} at [{ix}], 0 elsewhere",)),
    shape=index_shape, cost=lambda shapes, out, attrs: Cost(0, 0, 0), function=None,
    operators=("[i]", "[i, j]", "[i:j:k]"),
    doc="entries of an array: a[i], a[i, j], a row A[i], slices a[1:], a[:-1], a[::2], A[:, 0] (a whole "
        "number drops its axis, a slice keeps it)",
    sample=_pick(_normal((4,), attrs={"index": (2,)}), _normal((2, 3), attrs={"index": (1, 0)}),
                 _normal((2, 3), attrs={"index": (1,)}), _normal((5,), attrs={"index": ((1, None, 2),)}),
                 _normal((3, 4), attrs={"index": ((None, None, 1), 0)}),
                 _normal((3, 4), attrs={"index": ((None, 2, 1), (None, None, -2))})))


# ---------------------------------------------------------------- linear algebra

register("trace", "tr", 1, Code(
    py="np.trace({a})", pseudo="tr({a})",
    jvp=("np.trace({t}, axis1=-2, axis2=-1)",), vjp=("np.asarray({g})[..., None, None] * np.eye({n0})",),
    jvp_pseudo=("tr({t})",), vjp_pseudo=("{g}·I",)),
    shape=_square("trace", reduces=True), doc="trace of a square matrix",
    cost=lambda shapes, out, attrs: Cost(shapes[0][0], shapes[0][0], shapes[0][0]), sample=_normal((3, 3)))

register("det", "det", 1, Code(
    py="np.linalg.det({a})", pseudo="det({a})",
    jvp=("np.trace(_adjugate({a}) @ {t}, axis1=-2, axis2=-1)",),
    vjp=("np.asarray({g})[..., None, None] * _adjugate({a}).T",),
    jvp_pseudo=("tr(adj({a}) {t})",), vjp_pseudo=("{g}·adj({a})ᵀ",)),
    shape=_square("det", reduces=True), cost=_cube(2, 4), doc="determinant (derivative via the adjugate)",
    sample=_pick(_normal((3, 3)), _normal((1, 1))))


def _singular_note(args, y, attrs):
    if not np.isfinite(args[0]).all():
        return "the matrix holds NaN or inf"
    return "the matrix is singular (to working precision)" if not np.isfinite(y).all() else None


register("inv", "⁻¹", 1, Code(
    py="_inv({a})", pseudo="{a}⁻¹",
    jvp=("-({y} @ {t} @ {y})",), vjp=("-({y}.T @ {g} @ {y}.T)",),
    jvp_pseudo=("−{y} {t} {y}",), vjp_pseudo=("−{y}ᵀ {g} {y}ᵀ",)),
    shape=_square("inv"), cost=_cube(2, 4), note=_singular_note,
    doc="matrix inverse: d(X⁻¹) = −X⁻¹ dX X⁻¹", sample=_spd(3))


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


register("sqrtm", "√", 1, Code(
    py="_sqrtm({a})", pseudo="sqrtm({a})",
    jvp=("_sylvester_each({y}, {t})",), vjp=("_sylvester_each({y}.T, {g})",),
    jvp_pseudo=("Z solving {y} Z + Z {y} = {t}",), vjp_pseudo=("Z solving {y}ᵀ Z + Z {y}ᵀ = {g}",)),
    shape=_square("sqrtm"), cost=_cube(25, 10), note=_sqrtm_note,
    doc="principal matrix square root; derivative solves √X·Ẏ + Ẏ·√X = Ẋ (Sylvester)", sample=_spd(3))

register("softmax", "softmax", 1, Code(
    py="_softmax({a})", pseudo="softmax({a})",
    jvp=("{y} * ({t} - np.sum({y} * {t}, axis=-1, keepdims=True))",),
    vjp=("{y} * ({g} - np.sum({g} * {y}, axis=-1, keepdims=True))",),
    jvp_pseudo=("{y} ⊙ ({t} − ⟨{y}, {t}⟩)",), vjp_pseudo=("{y} ⊙ ({g} − ⟨{g}, {y}⟩)",)),
    shape=_vector_or_matrix("softmax"), doc="softmax along the last axis",
    cost=lambda shapes, out, attrs: Cost(3 * size(out), 4 * size(out), 4 * size(out)),
    sample=_pick(_normal((4,)), _normal((2, 3))))
