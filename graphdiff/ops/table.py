"""The op record, the registry, and how a numeric rule is derived from its code template.

Each op is written once, as code templates (`Code`): NumPy for arrays, `math` for floats, and the
textbook notation. The numbers the sweeps compute come from compiling those very templates, so
the interpreted sweeps, the generated programs and the pseudo-code cannot disagree on a rule.

Template conventions (the same in every op):
  * `{a}`, `{b}`, `{c}` the operands, `{y}` the op's output, `{t}` an operand's tangent (x_dot),
    `{g}` the output's adjoint (y_bar); tangents and adjoints may carry extra *leading* batch axes
    (a full Jacobian pushes many seeds through one sweep), so rules index from the end.
  * static facts of the node: `{nd0}`, `{s0}`, `{n0}`, `{size0}`, `{axes0}`, `{lift0}` of operand 0
    (ndim, shape, first axis, size, its axes as negative indices, broadcast-axes suffix), `{nd1}`,
    `{s1}` of operand 1, `{ndy}` of y, and the op's parameters (`{p}`; for `index`, `{ix}` the
    index as written inside brackets, `1, 0` or `1:, ::2`, and `{nix}` its number of entries).
  * a pattern is a format string or a function of that mapping (for cases decided by shapes).
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Union

import numpy as np

from . import helpers
from .indexing import index_text

Pattern = Union[str, Callable[[dict], str]]


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
class Code:
    """How one op is written: NumPy (arrays), `math` (floats) and the textbook's notation.

    Elementwise ops give `partials[k]` = ∂y/∂x_k (the tangent term is partial · x_dot, the adjoint
    term y_bar · partial); other ops give `jvp[k]` (operand k's term of y_dot, from {t}) and
    `vjp[k]` (operand k's term of its adjoint, from {g}). `scalar` and `scalar_partials` default to
    the NumPy forms with np.sin → math.sin etc. (a NumPy ufunc on a float costs ~1 µs).
    """

    py: Pattern
    pseudo: Pattern
    scalar: Pattern | None = None
    partials: tuple = ()
    scalar_partials: tuple = ()
    pseudo_partials: tuple = ()
    jvp: tuple = ()
    vjp: tuple = ()
    jvp_pseudo: tuple = ()
    vjp_pseudo: tuple = ()

    @property
    def elementwise(self) -> bool:
        return bool(self.partials)

    def primal_text(self, m: dict, *, scalar: bool = False) -> str:
        """The primal as code, on floats (`math`) when `scalar` and the op has a float form."""
        if scalar:
            text = fill(self.scalar, m) if self.scalar is not None else _scalar_fill(self.py, m)
            if text is not None:
                return text
        return fill(self.py, m)

    def partial_text(self, k: int, m: dict, *, scalar: bool = False) -> str:
        """∂y/∂x_k of an elementwise op as code, on floats when `scalar` and it has a float form."""
        if scalar:
            text = (fill(self.scalar_partials[k], m) if self.scalar_partials
                    else _scalar_fill(self.partials[k], m))
            if text is not None:
                return text
        return fill(self.partials[k], m)


def _scalar_fill(pattern: Pattern, m: dict) -> str | None:
    """A NumPy pattern's float form, filled (None when it has none). A format string is translated
    once, not at every node; a function pattern's text after filling."""
    if callable(pattern):
        return to_scalar(fill(pattern, m))
    translated = _to_scalar_pattern(pattern)
    return None if translated is None else translated.format(**m)


@functools.lru_cache(maxsize=None)
def _to_scalar_pattern(pattern: str) -> str | None:
    return to_scalar(pattern)


@dataclass(frozen=True)
class Syntax:
    """How the language and the Python API spell an op.

    `function`: the call name (`sin(x)`, `gd.sin(x)`), None for an op written only as an operator;
    `operators`: its operator forms (for the docs; the parser's binding-power table owns them);
    `params`: the op's parameters given as extra call arguments, in order, with their defaults.
    """

    function: str | None
    operators: tuple = ()
    params: tuple = ()       # ((name, default), ...)

    def arg_range(self, arity: int) -> tuple[int, int]:
        """(fewest, most) call arguments: the operands, then the parameters (all optional)."""
        return arity, arity + len(self.params)


@dataclass(frozen=True)
class Op:
    """One primitive: everything graphdiff knows about an operation, in one place.

    `eval`, `partial` (elementwise) and `jvp`/`vjp` are compiled from `code`. Elementwise ops also
    carry `partials` (the compiled ∂y/∂x_k, called as `partials[k](*args, y)`) and, for scalar
    nodes, `scalar_eval` / `scalar_partials` compiled from the float forms (None when it has none:
    a float form may raise on a domain error where NumPy gives NaN; callers fall back to NumPy).
    `note(args, y, attrs)` says why a point is not differentiable or not defined (or None).
    """

    name: str
    label: str
    arity: int
    code: Code
    syntax: Syntax
    shape: Callable
    cost: Callable
    doc: str
    eval: Callable = None
    jvp: Callable = None
    vjp: Callable = None
    partial: Callable | None = None
    partials: tuple | None = None
    scalar_eval: Callable | None = None
    scalar_partials: tuple | None = None
    note: Callable | None = None
    scalar_note: Callable | None = None   # note(args, y) of float operands, one compiled call: (*args, y) -> str | None
    sample: Callable | None = None  # sample(rng) -> (args, attrs): a generic point where the op is smooth
    params: tuple = field(default=())
    kinks: tuple = field(default=())   # elementwise: ((condition code, message), ...) behind `note`

    @property
    def elementwise(self) -> bool:
        return self.partial is not None


OPS: dict[str, Op] = {}


# ---------------------------------------------------------------- templates → text

def fill(pattern: Pattern, m: dict) -> str:
    """A template filled with a mapping (a format string, or a function of the mapping)."""
    return pattern(m) if callable(pattern) else pattern.format(**m)


def literal(v) -> str:
    """A float or nested list of floats as exact Python source: repr round-trips, and the
    non-finite values are spelt `math.inf` / `math.nan` (a bare `inf` would be a NameError)."""
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        x = float(a)
        if x != x:
            return "math.nan"
        if x in (math.inf, -math.inf):
            return "math.inf" if x > 0 else "-math.inf"
        return repr(x)
    return "[" + ", ".join(literal(r) for r in a) + "]"


def number(x) -> str:
    """A constant inside an expression: parenthesised when negative."""
    r = literal(float(x))
    return f"({r})" if r.startswith("-") else r


def size(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def static_mapping(shapes, out_shape, attrs: dict) -> dict:
    """The static facts of one application (operand shapes, output shape, parameters) that
    templates refer to, as text."""
    m = {"ndy": len(out_shape)}
    for k, s in enumerate(shapes):
        m[f"s{k}"], m[f"nd{k}"] = repr(tuple(s)), len(s)
    if shapes:
        s0 = shapes[0]
        m.update(n0=s0[0] if s0 else 1, size0=size(s0), axes0=repr(tuple(range(-len(s0), 0))),
                 lift0="[..." + ", None" * len(s0) + "]")
    if "p" in attrs:
        m["p"] = literal(float(attrs["p"]))
    if "index" in attrs:
        m["ix"], m["nix"] = index_text(attrs["index"]), len(attrs["index"])
    return m


# ---------------------------------------------------------------- templates → numbers

# NumPy functions with a `math` twin of the same meaning on floats (the scalar forms).
_MATH_TWINS = {f"np.{f}(": f"math.{f}(" for f in
               ("sin", "cos", "tan", "exp", "log", "sqrt", "tanh", "sinh", "cosh", "log1p", "expm1",
                "atan", "atan2", "hypot", "asin", "acos")}
_MATH_TWINS["np.arctan2("] = "math.atan2("
_MATH_TWINS["np.abs("] = "abs("
_MATH_TWINS["np.sign("] = "_sign("
_NP_CALL = re.compile(r"\bnp\.|\bscipy\.")

NAMESPACE = {"np": np, "math": math, **helpers.HELPERS}
_COMPILED: dict[str, Callable] = {}


def compiled(params: str, source: str) -> Callable:
    """`lambda params: source`, compiled once per distinct text, in the templates' namespace."""
    key = params + ":" + source
    fn = _COMPILED.get(key)
    if fn is None:
        fn = _COMPILED[key] = eval(f"lambda {params}: {source}", NAMESPACE)  # our own templates only
    return fn


def to_scalar(source: str) -> str | None:
    """A NumPy expression's float form (np.sin → math.sin …), or None when it calls NumPy
    functions without a `math` twin."""
    for np_name, math_name in _MATH_TWINS.items():
        source = source.replace(np_name, math_name)
    return None if _NP_CALL.search(source) else source


_NAMES = {"a": "a", "b": "b", "c": "c", "y": "y", "t": "t", "g": "g"}
OPERANDS = "abc"   # the operands' names in templates, in order (ops take at most three)


def numeric_rules(code: Code, arity: int) -> dict:
    """The Op fields compiled from the templates: eval, jvp, vjp, and for elementwise ops partial,
    partials, scalar_eval and scalar_partials."""
    ops_args = ", ".join(OPERANDS[:arity])
    if code.elementwise:
        m = dict(_NAMES)
        eval_fn = compiled(ops_args, code.primal_text(m))
        partial_fns = tuple(compiled(f"{ops_args}, y", code.partial_text(k, m)) for k in range(arity))

        def partial(k, args, y, _fns=partial_fns):
            return _fns[k](*args, y)

        def jvp(k, x_dot, args, y, attrs):
            d = partial_fns[k](*args, y)
            return d * helpers.lift(x_dot, np.ndim(args[k]), np.ndim(y))

        def vjp(k, y_bar, args, y, attrs):
            return helpers.unbroadcast(y_bar * partial_fns[k](*args, y), np.shape(args[k]), np.ndim(y))

        rules = {"eval": eval_fn, "jvp": jvp, "vjp": vjp, "partial": partial, "partials": partial_fns}
        scalar_src = code.primal_text(m, scalar=True)
        sp_src = [code.partial_text(k, m, scalar=True) for k in range(arity)]
        if not any(_NP_CALL.search(t) for t in [scalar_src] + sp_src):
            rules["scalar_eval"] = compiled(ops_args, scalar_src)
            rules["scalar_partials"] = tuple(compiled(f"{ops_args}, y", src) for src in sp_src)
        return rules

    def mapping(args, y_shape, attrs):
        m = static_mapping([np.shape(a) for a in args], y_shape, attrs)
        m.update(_NAMES)
        return m

    def evaluate(*args, **attrs):
        return compiled(ops_args, fill(code.py, mapping(args, (), attrs)))(*args)

    def jvp(k, x_dot, args, y, attrs):
        return compiled(f"{ops_args}, y, t", fill(code.jvp[k], mapping(args, np.shape(y), attrs)))(*args, y, x_dot)

    def vjp(k, y_bar, args, y, attrs):
        return compiled(f"{ops_args}, y, g", fill(code.vjp[k], mapping(args, np.shape(y), attrs)))(*args, y, y_bar)

    return {"eval": evaluate, "jvp": jvp, "vjp": vjp}


def kink_note(kinks: tuple, arity: int) -> Callable:
    """`note(args, y, attrs)` from (condition code, message) pairs: the message of the first
    condition that holds (anywhere, for arrays). Conditions use plain operators (==, <, &, %), so
    one compiled function serves floats and arrays alike."""
    ops_args = ", ".join(OPERANDS[:arity])
    checks = tuple((compiled(f"{ops_args}, y", fill(cond, _NAMES)), message) for cond, message in kinks)

    def note(args, y, attrs=None):
        for check, message in checks:
            hit = check(*args, y)
            if hit is True or (hit is not False and np.any(hit)):
                return message
        return None

    def where(args, y):
        """(message, index of the first entry where it holds) of the first kink that holds, or None."""
        for check, message in checks:
            with np.errstate(all="ignore"):
                hit = np.broadcast_to(np.asarray(check(*args, y)), np.shape(y))
            if hit.any():
                return message, tuple(int(i) for i in np.argwhere(hit)[0])
        return None

    note.where = where
    # floats: the first message whose condition holds, as one expression (the sweeps call it per node)
    chain = " else ".join(f"{message!r} if ({fill(cond, _NAMES)})" for cond, message in kinks)
    note.scalar = compiled(f"{ops_args}, y", f"{chain} else None")
    return note


def register(name: str, label: str, arity: int, code: Code, *, shape: Callable, cost: Callable, doc: str,
             function: str | None = "", operators: tuple = (), params: tuple = (), note=None, kinks=(),
             sample=None) -> Op:
    """Add an op to the table, its numeric rules compiled from its code. `note` is a function
    (args, y, attrs) -> str | None; elementwise ops give `kinks` instead (see kink_note)."""
    syntax = Syntax(name if function == "" else function, operators, params)
    if kinks:
        note = kink_note(kinks, arity)
    op = Op(name, label, arity, code, syntax, shape, cost, doc, note=note, sample=sample, params=params,
            kinks=tuple(kinks), scalar_note=getattr(note, "scalar", None), **numeric_rules(code, arity))
    OPS[name] = op
    return op
