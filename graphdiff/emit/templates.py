"""Code templates, one per op: primal expression, local partials or JVP/VJP terms, pseudo-code.

ONE table keyed by op name (`TEMPLATES`), parallel to `graphdiff.ops.OPS`; a test fails when an op
has no template. Each template is a `str.format` pattern, or a function of the same mapping when
the code depends on static facts (operand shapes, attributes). The mapping holds:

  a, b        operand expressions (variable names or literals)
  y           the node's output variable
  t / g       the tangent of the operand whose term is being built / the adjoint of the node
  nd0, nd1    operand ndims;  ndy the output's;  n0 operand 0's first axis length
  s0, s1      operand shapes (Python tuple literals);  size0 operand 0's entry count
  axes0       the operand-0 axes as negative indices, "(-2, -1)";  lift0 "[..., None, None]"
  p, ix       attributes: norm's p, index's indices "1, 0"

Derivative code is batch-aware, like the op table's rules: tangents and adjoints may carry extra
*leading* axes (one per seed, for Jacobians), so terms index from the end (`axis=-1`, `[..., i]`).

Elementwise ops give `partial[k]` = ∂y/∂x_k (the term is partial · x_dot, or y_bar · partial);
`scalar`/`partial_scalar` are the same on Python floats (the `math` module, no NumPy call: a
NumPy ufunc on a scalar costs ~1 µs, the whole budget of a small derivative).
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Callable, Union

import numpy as np

from .. import ops

Pattern = Union[str, Callable[[dict], str]]


@dataclass(frozen=True)
class Template:
    """How to write one op as code: Python (NumPy / floats) and textbook pseudo-code."""

    py: Pattern                    # primal, NumPy
    pseudo: Pattern                # primal, textbook notation
    scalar: Pattern | None = None  # primal on Python floats (default: py)
    partial: tuple = ()            # elementwise: ∂y/∂x_k per operand (NumPy)
    partial_scalar: tuple = ()     # the same on Python floats (default: partial)
    partial_pseudo: tuple = ()
    jvp: tuple = ()                # other ops: operand k's term of y_dot, of {t}
    vjp: tuple = ()                # other ops: operand k's term of its adjoint, of {g}
    jvp_pseudo: tuple = ()
    vjp_pseudo: tuple = ()
    helpers: tuple = ()            # prelude functions (HELPERS) the code calls

    @property
    def elementwise(self) -> bool:
        return bool(self.partial)


def fill(pattern: Pattern, m: dict) -> str:
    return pattern(m) if callable(pattern) else pattern.format(**m)


TEMPLATES: dict[str, Template] = {}


def _t(name, **kw):
    TEMPLATES[name] = Template(**kw)


# ---------------------------------------------------------------- elementwise ops

_t("add", py="{a} + {b}", pseudo="{a} + {b}", partial=("1.0", "1.0"), partial_pseudo=("1", "1"))
_t("sub", py="{a} - {b}", pseudo="{a} − {b}", partial=("1.0", "-1.0"), partial_pseudo=("1", "−1"))
_t("mul", py="{a} * {b}", pseudo="{a}·{b}", partial=("{b}", "{a}"), partial_pseudo=("{b}", "{a}"))
_t("div", py="{a} / {b}", pseudo="{a}/{b}", partial=("1.0 / {b}", "-{y} / {b}"),
   partial_pseudo=("1/{b}", "−{y}/{b}"))
_t("neg", py="-{a}", pseudo="−{a}", partial=("-1.0",), partial_pseudo=("−1",))


def _pow_scalar(m):
    # Python's ** gives a complex number for a negative base and a fractional exponent: math.pow
    # raises instead. An integral literal exponent is safe with ** (and reads like the maths).
    # a ** 0.5 is math.sqrt (correctly rounded, as pow is; it raises on a negative base too).
    if m.get("const_b") == 0.5:
        return f"math.sqrt({m['a']})"
    return f"{m['a']} ** {m['b']}" if m.get("int_b") else f"math.pow({m['a']}, {m['b']})"


def _pow_partial(m, scalar=False):
    c = m.get("const_b")
    if scalar and c == 0.5:  # ∂√a/∂a = 0.5 / √a, from the node's value (no second pow)
        return f"0.5 / {m['y']}"
    if c is not None:  # constant exponent: fold b − 1 (the same floats as b * a ** (b − 1))
        if c - 1 == 1:
            return f"{m['b']} * {m['a']}"
        e = _num(c - 1)
        if scalar and not float(c - 1).is_integer():   # inf and nan are not integers either
            return f"{m['b']} * math.pow({m['a']}, {e})"
        return f"{m['b']} * {m['a']} ** {e}"
    if scalar:
        return f"{m['b']} * math.pow({m['a']}, {m['b']} - 1.0)"
    return f"{m['b']} * {m['a']} ** ({m['b']} - 1.0)"


def _pow_partial_pseudo(m):
    c = m.get("const_b")
    if c is not None:
        return f"{m['b']}·{m['a']}" if c - 1 == 1 else f"{m['b']}·{m['a']}^{_num(c - 1, pseudo=True)}"
    return "{b}·{a}^({b}−1)".format(**m)


def literal(v) -> str:
    """A float or nested list of floats as exact Python source: repr round-trips, and the
    non-finite values are spelt `math.inf` / `math.nan` (the module imports math; a bare `inf`
    would be a NameError)."""
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        x = float(a)
        if x != x:
            return "math.nan"
        if x in (math.inf, -math.inf):
            return "math.inf" if x > 0 else "-math.inf"
        return repr(x)
    return "[" + ", ".join(literal(r) for r in a) + "]"


def _num(x, pseudo=False) -> str:
    """A constant inside a generated expression: parenthesised when negative."""
    x = float(x)
    if pseudo:
        return f"{x:g}"
    r = literal(x)
    return f"({r})" if r.startswith("-") else r


_t("pow", py="{a} ** {b}", pseudo="{a}^{b}", scalar=_pow_scalar,
   partial=(_pow_partial, "{y} * np.log({a})"),
   partial_scalar=(lambda m: _pow_partial(m, scalar=True), "{y} * math.log({a})"),
   partial_pseudo=(_pow_partial_pseudo, "{y}·log({a})"))
_t("exp", py="np.exp({a})", scalar="math.exp({a})", pseudo="exp({a})", partial=("{y}",),
   partial_pseudo=("{y}",))
_t("log", py="np.log({a})", scalar="math.log({a})", pseudo="log({a})", partial=("1.0 / {a}",),
   partial_pseudo=("1/{a}",))
_t("sqrt", py="np.sqrt({a})", scalar="math.sqrt({a})", pseudo="√{a}", partial=("0.5 / {y}",),
   partial_pseudo=("1/(2·{y})",))
_t("sin", py="np.sin({a})", scalar="math.sin({a})", pseudo="sin({a})", partial=("np.cos({a})",),
   partial_scalar=("math.cos({a})",), partial_pseudo=("cos({a})",))
_t("cos", py="np.cos({a})", scalar="math.cos({a})", pseudo="cos({a})", partial=("-np.sin({a})",),
   partial_scalar=("-math.sin({a})",), partial_pseudo=("−sin({a})",))
_t("tan", py="np.tan({a})", scalar="math.tan({a})", pseudo="tan({a})", partial=("1.0 + {y} * {y}",),
   partial_pseudo=("1 + {y}²",))
_t("tanh", py="np.tanh({a})", scalar="math.tanh({a})", pseudo="tanh({a})", partial=("1.0 - {y} * {y}",),
   partial_pseudo=("1 − {y}²",))
_t("sigmoid", py="scipy.special.expit({a})", scalar="_sigmoid({a})", pseudo="σ({a})",
   partial=("{y} * (1.0 - {y})",), partial_pseudo=("{y}·(1 − {y})",), helpers=("_sigmoid",))
_t("relu", py="np.maximum({a}, 0.0)", scalar="({a} if not {a} <= 0.0 else 0.0)", pseudo="relu({a})",
   partial=("({a} > 0).astype(float)",), partial_scalar=("(1.0 if {a} > 0.0 else 0.0)",),
   partial_pseudo=("[{a} > 0]",))
_t("abs", py="np.abs({a})", scalar="abs({a})", pseudo="|{a}|", partial=("np.sign({a})",),
   partial_scalar=("_sign({a})",), partial_pseudo=("sign({a})",), helpers=("_sign",))
_t("softplus", py="np.logaddexp(0.0, {a})", scalar="_softplus({a})", pseudo="softplus({a})",
   partial=("scipy.special.expit({a})",), partial_scalar=("_sigmoid({a})",), partial_pseudo=("σ({a})",),
   helpers=("_softplus", "_sigmoid"))


# ---------------------------------------------------------------- array ops

def _sum_t(m, expr):
    return expr if m["nd0"] == 0 else f"np.sum({expr}, axis={m['axes0']})"


_t("sum", py="np.sum({a})", pseudo="Σ {a}",
   jvp=(lambda m: _sum_t(m, m["t"]),), vjp=("_spread({g}, {s0})",),
   jvp_pseudo=("Σ {t}",), vjp_pseudo=("{g} (every entry)",), helpers=("_spread",))
_t("mean", py="np.mean({a})", pseudo="mean({a})",
   jvp=(lambda m: _sum_t(m, m["t"]) + f" / {m['size0']}",), vjp=("_spread({g} / {size0}, {s0})",),
   jvp_pseudo=("mean({t})",), vjp_pseudo=("{g}/{size0} (every entry)",), helpers=("_spread",))
_t("dot", py="np.dot({a}, {b})", pseudo="⟨{a}, {b}⟩",
   jvp=("np.sum({t} * {b}, axis=-1)", "np.sum({t} * {a}, axis=-1)"),
   vjp=("np.asarray({g})[..., None] * {b}", "np.asarray({g})[..., None] * {a}"),
   jvp_pseudo=("⟨{t}, {b}⟩", "⟨{a}, {t}⟩"), vjp_pseudo=("{g}·{b}", "{g}·{a}"))
_t("outer", py="np.outer({a}, {b})", pseudo="{a} {b}ᵀ",
   jvp=("{t}[..., :, None] * {b}", "{a}[:, None] * {t}[..., None, :]"),
   vjp=("{g} @ {b}", "np.swapaxes({g}, -1, -2) @ {a}"),
   jvp_pseudo=("{t} {b}ᵀ", "{a} {t}ᵀ"), vjp_pseudo=("{g} {b}", "{g}ᵀ {a}"))


# matmul: a vector is a row on the left, a column on the right (NumPy's rule); the shapes are
# static, so each case is written out. Tangents/adjoints carry leading batch axes.

def _mm_jvp0(m):      # t @ b: a batched matrix or vector on the left broadcasts as it should
    return f"{m['t']} @ {m['b']}"


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


_t("matmul", py="{a} @ {b}", pseudo="{a} {b}", jvp=(_mm_jvp0, _mm_jvp1), vjp=(_mm_vjp0, _mm_vjp1),
   jvp_pseudo=("{t} {b}", "{a} {t}"), vjp_pseudo=("{g} {b}ᵀ", "{a}ᵀ {g}"))


def _if_matrix(yes, no):
    return lambda m: (yes if m["nd0"] == 2 else no).format(**m)


_t("transpose", py=_if_matrix("{a}.T", "{a}"), pseudo="{a}ᵀ",
   jvp=(_if_matrix("np.swapaxes({t}, -1, -2)", "{t}"),), vjp=(_if_matrix("np.swapaxes({g}, -1, -2)", "{g}"),),
   jvp_pseudo=("{t}ᵀ",), vjp_pseudo=("{g}ᵀ",))
_t("trace", py="np.trace({a})", pseudo="tr({a})",
   jvp=("np.trace({t}, axis1=-2, axis2=-1)",), vjp=("np.asarray({g})[..., None, None] * np.eye({n0})",),
   jvp_pseudo=("tr({t})",), vjp_pseudo=("{g}·I",))
_t("det", py="np.linalg.det({a})", pseudo="det({a})",
   jvp=("np.trace(_adjugate({a}) @ {t}, axis1=-2, axis2=-1)",),
   vjp=("np.asarray({g})[..., None, None] * _adjugate({a}).T",),
   jvp_pseudo=("tr(adj({a}) {t})",), vjp_pseudo=("{g}·adj({a})ᵀ",), helpers=("_adjugate",))
_t("inv", py="_inv({a})", pseudo="{a}⁻¹",
   jvp=("-({y} @ {t} @ {y})",), vjp=("-({y}.T @ {g} @ {y}.T)",),
   jvp_pseudo=("−{y} {t} {y}",), vjp_pseudo=("−{y}ᵀ {g} {y}ᵀ",), helpers=("_inv",))
_t("sqrtm", py="_sqrtm({a})", pseudo="sqrtm({a})",
   jvp=("_sylvester_each({y}, {t})",), vjp=("_sylvester_each({y}.T, {g})",),
   jvp_pseudo=("Z solving {y} Z + Z {y} = {t}",), vjp_pseudo=("Z solving {y}ᵀ Z + Z {y}ᵀ = {g}",),
   helpers=("_sqrtm", "_sylvester_each"))
_t("diag", py="np.diag({a})", pseudo="diag({a})",
   jvp=(_if_matrix("np.diagonal({t}, axis1=-2, axis2=-1)", "{t}[..., :, None] * np.eye({n0})"),),
   vjp=(_if_matrix("np.asarray({g})[..., :, None] * np.eye({n0})", "np.diagonal({g}, axis1=-2, axis2=-1)"),),
   jvp_pseudo=("diag({t})",), vjp_pseudo=("diag({g})",))
_t("softmax", py="_softmax({a})", pseudo="softmax({a})",
   jvp=("{y} * ({t} - np.sum({y} * {t}, axis=-1, keepdims=True))",),
   vjp=("{y} * ({g} - np.sum({g} * {y}, axis=-1, keepdims=True))",),
   jvp_pseudo=("{y} ⊙ ({t} − ⟨{y}, {t}⟩)",), vjp_pseudo=("{y} ⊙ ({g} − ⟨{g}, {y}⟩)",), helpers=("_softmax",))
_t("logsumexp", py="scipy.special.logsumexp({a})", pseudo="logΣexp({a})",
   jvp=(lambda m: _sum_t(m, f"{m['t']} * np.exp({m['a']} - {m['y']})"),),
   vjp=("np.asarray({g}){lift0} * np.exp({a} - {y})",),
   jvp_pseudo=("⟨exp({a} − {y}), {t}⟩",), vjp_pseudo=("{g}·exp({a} − {y})",))
_t("diff", py="np.diff({a})", pseudo="diff({a})",
   jvp=("{t}[..., 1:] - {t}[..., :-1]",), vjp=("_diff_vjp({g})",),
   jvp_pseudo=("diff({t})",), vjp_pseudo=("−diff((0, {g}, 0))",), helpers=("_diff_vjp",))


def _norm_py(m):
    a, p = m["a"], m.get("p")
    return f"np.sqrt(np.sum({a} * {a}))" if p is None else f"_pnorm({a}, {p})"


def _norm_grad(m):
    a, y, p = m["a"], m["y"], m.get("p")
    if p is None:
        return f"({a} / {y})"
    return f"(np.sign({a}) * (np.abs({a}) / {y}) ** ({p} - 1))"


_t("norm", py=_norm_py, pseudo=lambda m: f"‖{m['a']}‖" + (f"_{m['p']}" if m.get("p") else ""),
   jvp=(lambda m: _sum_t(m, f"{m['t']} * {_norm_grad(m)}"),),
   vjp=(lambda m: f"np.asarray({m['g']}){m['lift0']} * {_norm_grad(m)}",),
   jvp_pseudo=(lambda m: f"⟨∇‖{m['a']}‖, {m['t']}⟩",), vjp_pseudo=(lambda m: f"{m['g']}·∇‖{m['a']}‖",),
   helpers=("_pnorm",))
_t("index", py="{a}[{ix}]", pseudo="{a}[{ix}]",
   jvp=(lambda m: f"{m['t']}[..., {m['ix']}{', :' * (m['nd0'] - m['nix'])}]",), vjp=("_index_vjp({g}, ({ix},), {s0})",),
   jvp_pseudo=("{t}[{ix}]",), vjp_pseudo=("{g} at [{ix}], 0 elsewhere",), helpers=("_index_vjp",))


# ---------------------------------------------------------------- the prelude

def _shared(fn) -> str:
    """A helper the op table also uses, copied into the module from its one definition in ops.py
    (the generated module must run without graphdiff installed)."""
    return "\n" + inspect.getsource(fn)


HELPERS: dict[str, str] = {
    "_lift": '''
def _lift(t, ndim_from, ndim_to):
    """Insert broadcast axes after t's batch axes so an operand's tangent lines up with y."""
    nb = np.ndim(t) - ndim_from
    s = np.shape(t)
    return np.reshape(t, s[:nb] + (1,) * (ndim_to - ndim_from) + s[nb:])
''',
    "_unbroadcast": '''
def _unbroadcast(g, shape, out_ndim):
    """Sum an adjoint of y (batch + y.shape) back to an operand's shape (batch + shape)."""
    g = np.asarray(g)
    nb = g.ndim - out_ndim
    lead = out_ndim - len(shape)
    if lead:
        g = np.sum(g, axis=tuple(range(nb, nb + lead)))
    axes = tuple(nb + i for i, s in enumerate(shape) if s == 1 and g.shape[nb + i] != 1)
    return np.sum(g, axis=axes, keepdims=True) if axes else g
''',
    "_fit": '''
def _fit(t, shape):
    """Broadcast a tangent to batch + shape (a broadcast operand's term is smaller than y)."""
    s = np.shape(t)
    return np.broadcast_to(t, s[:len(s) - len(shape)] + shape)
''',
    "_spread": '''
def _spread(g, shape):
    """A scalar adjoint (with batch axes) spread over every entry of an operand of `shape`."""
    g = np.asarray(g)
    return np.broadcast_to(g.reshape(g.shape + (1,) * len(shape)), g.shape + shape)
''',
    "_sigmoid": '''
def _sigmoid(a):
    """The logistic function on a float, without overflow."""
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)
''',
    "_softplus": '''
def _softplus(a):
    """log(1 + exp(a)) on a float, without overflow."""
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))
''',
    "_sign": '''
def _sign(a):
    return 1.0 if a > 0.0 else -1.0 if a < 0.0 else a * 0.0  # NaN stays NaN
''',
    "_adjugate": _shared(ops._adjugate),
    "_inv": _shared(ops._inv),
    "_pnorm": _shared(ops._pnorm),
    "_sqrtm": _shared(ops._sqrtm),
    "_sylvester_each": _shared(ops._sylvester_each),
    "_softmax": _shared(ops._softmax),
    "_diff_vjp": '''
def _diff_vjp(g):
    g = np.asarray(g)
    z = np.zeros(g.shape[:-1] + (1,))
    return np.concatenate([z, g], axis=-1) - np.concatenate([g, z], axis=-1)
''',
    "_index_vjp": '''
def _index_vjp(g, index, shape):
    """The adjoint of a[index]: g at the entry (or row), zero elsewhere."""
    g = np.asarray(g)
    out = np.zeros(g.shape[:g.ndim - (len(shape) - len(index))] + shape)
    out[(Ellipsis,) + index + (slice(None),) * (len(shape) - len(index))] = g
    return out
''',
    "_get": '''
def _get(d, name, shape, batch):
    """A seed (tangent or adjoint) from a dict, zeros when absent."""
    v = d.get(name)
    return np.zeros(batch + shape) if v is None else (np.asarray(v, dtype=float) if shape or np.ndim(v) else float(v))
''',
    "_batch": '''
def _batch(d, shapes):
    """The leading seed axes shared by the given tangents or adjoints (() when unbatched)."""
    for name, v in d.items():
        if name in shapes:
            s = np.shape(v)
            return s[:len(s) - len(shapes[name])]
    return ()
''',
    "_identity": '''
def _identity(shapes):
    """One unit seed per scalar entry of the named arrays: {name: (n, *shape)}, and n."""
    n = sum(math.prod(s) for s in shapes.values())
    seeds, offset = {}, 0
    for name, s in shapes.items():
        k = math.prod(s)
        block = np.zeros((n, k))
        block[offset:offset + k] = np.eye(k)
        seeds[name] = block.reshape((n,) + s)
        offset += k
    return seeds, n
''',
}
