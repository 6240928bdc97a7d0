"""Elementwise ops, one stanza each: NumPy broadcasting, a partial derivative per operand.

A stanza gives the op's NumPy code, its partials ∂y/∂x_k as NumPy code, and both in the textbook's
notation; everything else (the numeric rules, the float forms, JVP and VJP, cost, shape rule, the
test sampler, the language's function and the API's) follows from it. Adding an elementwise op
is one stanza here and nothing else.
"""
from __future__ import annotations

import numpy as np

from .table import Code, Cost, number, register, size

_BROADCAST_CASES = {
    1: [((),), ((4,),), ((2, 3),)],
    2: [((), ()), ((3,), ()), ((), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3))],
    3: [((), (), ()), ((3,), (3,), (3,)), ((3,), (), ()), ((), (3,), ()), ((2, 3), (3,), (2, 1))],
}


def _sample(arity, domain):
    """Random operands for the op tests: every broadcast case, values drawn from `domain`."""
    cases = _BROADCAST_CASES[arity]

    def sample(rng):
        shapes = cases[rng.integers(len(cases))]
        args = []
        for k, shp in enumerate(shapes):
            lo, hi = domain[k] if isinstance(domain, list) else domain
            v = rng.uniform(lo, hi, size=shp)
            if lo < 0 < hi:  # keep away from 0, where several ops have kinks
                v = np.where(np.abs(v) < 0.2, 0.5, v)
            args.append(v[()] if v.ndim == 0 else v)
        return tuple(args), {}
    return sample


def _broadcast(*shapes):
    first = shapes[0]
    for s in shapes:
        if s != first:
            break
    else:
        return first       # the common case (equal shapes), without NumPy's broadcasting machinery
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError("shapes " + " and ".join(str(s) for s in shapes) + " do not broadcast") from None


def elementwise(name, label, py, partials, *, pseudo, pseudo_partials, scalar=None, scalar_partials=(),
                kinks=(), flops=1, doc="", domain=(-2.0, 2.0), function="", operators=()):
    """Register an elementwise op (one, two or three operands, NumPy broadcasting). `kinks`:
    (condition, message) pairs for the points where it is not differentiable or not defined, as
    code over {a}, {b}, {c}, {y} with plain operators (== < <= & |), e.g. ("{a} == 0", "relu is not …")."""
    arity = len(partials)

    def cost(shapes, out, attrs):
        n = size(out)
        return Cost(flops * n, (2 * arity) * n, (2 * arity) * n)

    code = Code(py=py, pseudo=pseudo, scalar=scalar, partials=tuple(partials),
                scalar_partials=tuple(scalar_partials), pseudo_partials=tuple(pseudo_partials))
    return register(name, label, arity, code, shape=_broadcast, cost=cost, doc=doc or f"{name}(a), elementwise",
                    function=function, operators=operators, kinks=kinks, sample=_sample(arity, domain))


# ---------------------------------------------------------------- arithmetic

elementwise("add", "+", "{a} + {b}", ("1.0", "1.0"), pseudo="{a} + {b}", pseudo_partials=("1", "1"),
            doc="a + b", function=None, operators=("+",))
elementwise("sub", "−", "{a} - {b}", ("1.0", "-1.0"), pseudo="{a} − {b}", pseudo_partials=("1", "−1"),
            doc="a − b", function=None, operators=("-",))
elementwise("mul", "×", "{a} * {b}", ("{b}", "{a}"), pseudo="{a}·{b}", pseudo_partials=("{b}", "{a}"),
            doc="a × b, entrywise", function=None, operators=("*",))
elementwise("div", "÷", "{a} / {b}", ("1.0 / {b}", "-{y} / {b}"), pseudo="{a}/{b}",
            pseudo_partials=("1/{b}", "−{y}/{b}"), doc="a ÷ b, entrywise", function=None, operators=("/",),
            kinks=(("{b} == 0", "division by zero"),),
            domain=[(-2.0, 2.0), (0.5, 2.0)])
elementwise("neg", "−", "-{a}", ("-1.0",), pseudo="−{a}", pseudo_partials=("−1",), doc="−a",
            function=None, operators=("-",))


# pow: a constant exponent (x^2, x^0.5) is the common case; the code generators fold it.

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
        e = number(c - 1)
        if scalar and not float(c - 1).is_integer():   # inf and nan are not integers either
            return f"{m['b']} * math.pow({m['a']}, {e})"
        return f"{m['b']} * {m['a']} ** {e}"
    if scalar:
        return f"{m['b']} * math.pow({m['a']}, {m['b']} - 1.0)"
    return f"{m['b']} * {m['a']} ** ({m['b']} - 1.0)"


def _pow_partial_pseudo(m):
    c = m.get("const_b")
    if c is not None:
        return f"{m['b']}·{m['a']}" if c - 1 == 1 else f"{m['b']}·{m['a']}^{float(c - 1):g}"
    return "{b}·{a}^({b}−1)".format(**m)


# ∂(a^b)/∂b = a^b·log a, which is 0 where a^b is 0 (a = 0 with b > 0: 0^b is 0 for every b > 0, and
# an underflow): there the product is 0·(−∞), NaN in NumPy and a ValueError in `math`.
elementwise("pow", "^", "{a} ** {b}", (_pow_partial, "{y} * np.log(np.where({y} == 0, 1.0, {a}))"),
            pseudo="{a}^{b}", pseudo_partials=(_pow_partial_pseudo, "{y}·log({a})"), scalar=_pow_scalar,
            scalar_partials=(lambda m: _pow_partial(m, scalar=True), "({y} * math.log({a}) if {y} != 0 else 0.0)"),
            kinks=(("({a} == 0) & ({b} < 1) & ({b} != 0)", "a^b is not differentiable at a = 0 when b < 1"),
                   ("({a} < 0) & ({b} % 1 != 0)", "a^b is undefined for a < 0 and non-integer b")),
            doc="a to the power b", operators=("^", "**"), domain=[(0.5, 2.0), (-2.0, 3.0)])


# ---------------------------------------------------------------- elementary functions

elementwise("exp", "exp", "np.exp({a})", ("{y}",), pseudo="exp({a})", pseudo_partials=("{y}",), doc="eᵃ")
elementwise("log", "log", "np.log({a})", ("1.0 / {a}",), pseudo="log({a})", pseudo_partials=("1/{a}",),
            kinks=(("{a} <= 0", "log is undefined for arguments ≤ 0"),),
            doc="natural logarithm", domain=(0.2, 3.0))
elementwise("sqrt", "√", "np.sqrt({a})", ("0.5 / {y}",), pseudo="√{a}", pseudo_partials=("1/(2·{y})",),
            kinks=(("{a} == 0", "√ is not differentiable at 0"), ("{a} < 0", "√ is undefined for arguments < 0")),
            doc="square root", domain=(0.2, 3.0))
elementwise("sin", "sin", "np.sin({a})", ("np.cos({a})",), pseudo="sin({a})", pseudo_partials=("cos({a})",),
            doc="sine")
elementwise("cos", "cos", "np.cos({a})", ("-np.sin({a})",), pseudo="cos({a})", pseudo_partials=("−sin({a})",),
            doc="cosine")
elementwise("tan", "tan", "np.tan({a})", ("1.0 + {y} * {y}",), pseudo="tan({a})", pseudo_partials=("1 + {y}²",),
            doc="tangent", domain=(-1.2, 1.2))
elementwise("tanh", "tanh", "np.tanh({a})", ("1.0 - {y} * {y}",), pseudo="tanh({a})",
            pseudo_partials=("1 − {y}²",), doc="hyperbolic tangent")
elementwise("sigmoid", "σ", "_expit({a})", ("{y} * (1.0 - {y})",), pseudo="σ({a})",
            pseudo_partials=("{y}·(1 − {y})",), scalar="_sigmoid({a})", doc="logistic function 1/(1 + e⁻ᵃ)")
elementwise("relu", "relu", "np.maximum({a}, 0.0)", ("np.heaviside({a}, 0.0)",), pseudo="relu({a})",
            pseudo_partials=("[{a} > 0]",), scalar="_relu({a})", scalar_partials=("_step({a})",),
            kinks=(("{a} == 0", "relu is not differentiable at 0"),), doc="max(a, 0); its derivative at 0 is taken as 0")
elementwise("abs", "|·|", "np.abs({a})", ("np.sign({a})",), pseudo="|{a}|", pseudo_partials=("sign({a})",),
            kinks=(("{a} == 0", "|·| is not differentiable at 0"),), doc="absolute value; its derivative at 0 is taken as 0")
elementwise("softplus", "softplus", "np.logaddexp(0.0, {a})", ("_expit({a})",), pseudo="softplus({a})",
            pseudo_partials=("σ({a})",), scalar="_softplus({a})", scalar_partials=("_sigmoid({a})",),
            doc="log(1 + eᵃ)")
elementwise("log1p", "log1p", "np.log1p({a})", ("1.0 / (1.0 + {a})",), pseudo="log(1 + {a})",
            pseudo_partials=("1/(1 + {a})",), doc="log(1 + a), accurate for small a", domain=(-0.8, 3.0),
            kinks=(("{a} <= -1", "log1p is undefined for arguments ≤ −1"),))
elementwise("expm1", "expm1", "np.expm1({a})", ("{y} + 1.0",), pseudo="exp({a}) − 1", pseudo_partials=("{y} + 1",),
            doc="eᵃ − 1, accurate for small a")


# ---------------------------------------------------------------- two operands

# ∂atan2/∂a = b/(a² + b²), written b/r/r with r = hypot(a, b): a² + b² underflows to 0 at tiny
# arguments (a, b ~ 1e-308: the partial came out ∓inf where it is about ±1e307) and overflows at huge ones.
elementwise("atan2", "atan2", "np.arctan2({a}, {b})",
            ("{b} / np.hypot({a}, {b}) / np.hypot({a}, {b})", "-{a} / np.hypot({a}, {b}) / np.hypot({a}, {b})"),
            pseudo="atan2({a}, {b})", pseudo_partials=("{b}/({a}² + {b}²)", "−{a}/({a}² + {b}²)"),
            kinks=(("({a} == 0) & ({b} == 0)", "atan2 is not differentiable at (0, 0)"),),
            doc="the angle of the point (b, a): atan2(y, x) as in C and NumPy")
elementwise("hypot", "hypot", "np.hypot({a}, {b})", ("{a} / {y}", "{b} / {y}"), pseudo="√({a}² + {b}²)",
            pseudo_partials=("{a}/{y}", "{b}/{y}"),
            kinks=(("{y} == 0", "hypot is not differentiable at (0, 0)"),),
            doc="√(a² + b²) without overflow")


elementwise("max", "max", "np.maximum({a}, {b})", ("np.heaviside({a} - {b}, 0.5)", "np.heaviside({b} - {a}, 0.5)"),
            pseudo="max({a}, {b})", pseudo_partials=("[{a} > {b}]", "[{b} > {a}]"), scalar="_maximum({a}, {b})",
            scalar_partials=("_half_step({a} - {b})", "_half_step({b} - {a})"),
            kinks=(("{a} == {b}", "max is not differentiable where a = b (the derivative is split ½, ½ there)"),),
            doc="the larger of a and b, entrywise; at a tie each side gets ½ of the derivative")
elementwise("min", "min", "np.minimum({a}, {b})", ("np.heaviside({b} - {a}, 0.5)", "np.heaviside({a} - {b}, 0.5)"),
            pseudo="min({a}, {b})", pseudo_partials=("[{a} < {b}]", "[{b} < {a}]"), scalar="_minimum({a}, {b})",
            scalar_partials=("_half_step({b} - {a})", "_half_step({a} - {b})"),
            kinks=(("{a} == {b}", "min is not differentiable where a = b (the derivative is split ½, ½ there)"),),
            doc="the smaller of a and b, entrywise; at a tie each side gets ½ of the derivative")


# ---------------------------------------------------------------- comparisons and where

def _comparison(name, op, label, doc, kink):
    """a op b as 1.0 (true) or 0.0 (false): a step, so both partials are 0 (and at a = b, where
    it jumps, they are taken as 0 too). NaN compares false, as in IEEE arithmetic."""
    elementwise(name, label, f"({{a}} {op} {{b}}) * 1.0", ("0.0", "0.0"), pseudo=f"[{{a}} {label} {{b}}]",
                pseudo_partials=("0", "0"), kinks=(("{a} == {b}", kink),), doc=doc, function=None,
                operators=(op,), domain=[(-2.0, 2.0), (0.3, 1.7)])


for _name, _op, _label, _word in (("lt", "<", "<", "less than"), ("le", "<=", "≤", "at most"),
                                  ("gt", ">", ">", "greater than"), ("ge", ">=", "≥", "at least")):
    _comparison(_name, _op, _label, f"1 where a is {_word} b, else 0 (entrywise); its derivative is 0",
                f"a {_op} b jumps where a = b: its derivative is 0 on either side and taken as 0 there")
_comparison("eq", "==", "=", "1 where a equals b, else 0 (entrywise); its derivative is 0",
            "a == b is 1 only where a = b: not differentiable there (its derivative is taken as 0)")
_comparison("ne", "!=", "≠", "1 where a differs from b, else 0 (entrywise); its derivative is 0",
            "a != b is 0 only where a = b: not differentiable there (its derivative is taken as 0)")

elementwise("where", "where", "_where({a}, {b}, {c})", ("0.0", "_where({a}, 1.0, 0.0)", "_where({a}, 0.0, 1.0)"),
            pseudo="where({a}, {b}, {c})", pseudo_partials=("0", "[{a} ≠ 0]", "[{a} = 0]"),
            scalar="({b} if {a} != 0 else {c})",
            scalar_partials=("0.0", "(1.0 if {a} != 0 else 0.0)", "(0.0 if {a} != 0 else 1.0)"),
            doc="where(cond, a, b): a where cond is not 0 (true), else b, entrywise; the derivative "
                "flows to the operand chosen, none to cond")
