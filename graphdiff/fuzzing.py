"""Hypothesis strategies for graphdiff's own fuzzer: programs of the graph language, mutations of
graph files, hostile file names and command lines.

Everything is derived from the tables the product itself reads, so a new op, function or option
is fuzzed with no new test code:

  * ops, their arity, sample operands (shapes, smooth points) and attributes: `graphdiff.ops.OPS`;
  * their spellings: `graphdiff.lang.parser.BINARY` (infix), `PREFIX` (prefix `-`, `√`),
    `FUNCTIONS` (calls), the lexer's Unicode spellings (`lexer.UNICODE`: `−`, `·`, `×`, `⊙`, `ᵀ`,
    and superscript powers `x²`, `x⁻¹`) and the forms the Pratt parser spells by hand
    (`HAND_FORMS`: postfix `.T` and `a[i, j]`, `a[1:, ::2]`);
  * reserved words: `parser.RESERVED` (keywords and the constants `pi`, `e`, which programs use as
    numbers); function names are bindable; names the generated Python uses (inputs named like
    them must not change an answer): read from a module `python_source` writes;
  * commands and options: `graphdiff.cli.spec.build_parser()`; every option needs an entry in
    `OPTION_VALUES` (by its flag), and `unfuzzed_options()` names any that has none.

    from graphdiff.fuzzing import programs, command_lines, GraphInfo
    @given(programs(graphs_dir="graphs"), st.data())
    def test(program, data): ...

Hypothesis is a development extra (`pip install -e '.[dev]'`): only the tests and `make fuzz`
import this module, nothing in graphdiff does. The harness that runs what these strategies draw
(every command in-process, the checks and the differential maths) is tests/fuzz_harness.py.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import functools
import keyword
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from hypothesis import strategies as st

from .ops import OPS
from .lang.lexer import SUPERSCRIPTS, UNICODE
from .lang.parser import BINARY, FUNCTIONS, PREFIX, RESERVED

# ------------------------------------------------------------------ drawing

def uniform(lo: int, hi: int) -> st.SearchStrategy:
    """An integer drawn uniformly from lo..hi. (`st.integers` favours its bounds, 0 above all,
    which would make every `== 0` test below far likelier than written.)"""
    return st.sampled_from(range(lo, hi + 1))


def fraction_of(draw, n: int) -> int:
    """A position in 0..n drawn as a fraction of n (the same draw whatever n is)."""
    return round(draw(uniform(0, 1000)) / 1000 * n)


def chance(draw, p: float) -> bool:
    """True with probability about p. The window sits in the middle of the range: Hypothesis now
    and then draws the simplest value (0) for a whole stretch of an example, and that must not
    turn rare, costly choices on."""
    return 400 <= draw(st.sampled_from(range(1000))) < 400 + p * 1000


# ------------------------------------------------------------------ spellings of every op


class Form(NamedTuple):
    """One way to write an op: `infix` a OP b, `call` f(a, …), `prefix` -a, `postfix` a.T,
    `index` a[i, j], or `superscript` a² (a power with a whole exponent). `extra`: how many
    attribute arguments a call may take after its operands."""

    kind: str
    text: str
    extra: int = 0


# The forms the parser spells in code rather than through a table (Parser.postfix, superscripts).
HAND_FORMS = {"transpose": [Form("postfix", ".T")], "index": [Form("index", "[]")],
              "pow": [Form("superscript", "")]}


@functools.lru_cache(maxsize=None)
def surface_forms() -> dict:
    """op name -> its spellings, from the parser's tables. An op without one is missing here
    (see `unreachable_ops`)."""
    forms: dict[str, list[Form]] = {name: [] for name in OPS}
    for sym, (_, op) in BINARY.items():
        forms.setdefault(op, []).append(Form("infix", sym))
    for sym, op in PREFIX.items():
        if op is not None:
            forms.setdefault(op, []).append(Form("prefix", sym))
    for uni, ascii_ in UNICODE.items():   # −, ·, ×, ⊙ as their operators, ᵀ as .T, √ (above)
        if ascii_ in BINARY:
            forms.setdefault(BINARY[ascii_][1], []).append(Form("infix", uni))
        if ascii_ in PREFIX and PREFIX[ascii_] is not None and uni != ascii_:
            forms.setdefault(PREFIX[ascii_], []).append(Form("prefix", uni))
        if ascii_ == ".T":
            forms.setdefault("transpose", []).append(Form("postfix", uni))
    for fn, (op, lo, hi) in FUNCTIONS.items():
        arity = OPS[op].arity if op in OPS else lo
        forms.setdefault(op, []).append(Form("call", fn, hi - arity))
    for op, fs in HAND_FORMS.items():
        forms.setdefault(op, []).extend(fs)
    return {op: tuple(fs) for op, fs in forms.items()}


def unreachable_ops() -> list[str]:
    """Ops of the op table that no spelling reaches (the fuzzer could not generate them)."""
    return sorted(op for op, fs in surface_forms().items() if not fs and op in OPS)


def unknown_ops() -> list[str]:
    """Spellings whose op is not in the op table."""
    return sorted(op for op in surface_forms() if op not in OPS)


# ------------------------------------------------------------------ names

_GREEK = "\u0391-\u03A1\u03A3-\u03A9\u03B1-\u03BF\u03C1-\u03C9\u03D1\u03D5\u03F5"
NAME = re.compile(rf"[A-Za-z_{_GREEK}][A-Za-z_0-9{_GREEK}\u2080-\u2089]*")  # the lexer's names
GREEK_NAMES = ("α", "β", "θ", "λ", "σ", "ω", "Δ", "Σ", "μ")
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def bindable(name: str) -> bool:
    """Whether the language lets a statement bind `name` (function names are not reserved)."""
    return bool(NAME.fullmatch(name)) and name not in RESERVED


@functools.lru_cache(maxsize=None)
def codegen_names() -> tuple:
    """Bindable names that generated code uses itself: its locals, parameters, helpers, imports
    and module constants, read from a module written for one node of every op (a few of each
    numbered family: v0, v1, D0, …)."""
    from .emit.python import python_source
    from .graph import Graph
    rng = np.random.default_rng(0)
    g = Graph()
    for op in sorted(OPS):
        if OPS[op].sample is None:
            continue
        args, attrs = OPS[op].sample(rng)
        ids = [g.add_input(f"in_{op}_{k}", a) for k, a in enumerate(args)]
        g.set_output(f"out_{op}", g.apply(op, ids, tuple(sorted(attrs.items()))))
    h = Graph()   # one scalar output: `gradient` and the forward seed blocks appear too
    x, v = h.add_input("in_x", 0.5), h.add_input("in_v", np.ones(3))
    h.set_output("out_f", h.apply("sum", [h.apply("mul", [x, v])]))
    sources = [python_source(gr, mode=mode) for gr in (g, h) for mode in ("all", "forward", "reverse")]
    seen = set()
    for node in (n for src in sources for n in ast.walk(ast.parse(src))):
        if isinstance(node, ast.Name):
            seen.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            seen.add(node.name)
        elif isinstance(node, ast.arg):
            seen.add(node.arg)
        elif isinstance(node, ast.Attribute):
            seen.add(node.attr)
        elif isinstance(node, ast.alias):
            seen.add((node.asname or node.name).split(".")[0])
    names = sorted(n for n in seen if bindable(n) and not n.startswith(("in_", "out_")))
    family: dict[str, int] = {}
    kept = []
    for n in names:
        key = re.sub(r"\d+", "#", n)
        family[key] = family.get(key, 0) + 1
        if family[key] <= 2:
            kept.append(n)
    return tuple(kept)


def python_names() -> tuple:
    """Bindable names Python itself reserves or predefines: keywords, builtins, dunders."""
    names = set(keyword.kwlist) | {n for n in dir(builtins) if not n.startswith("_") or n.startswith("__")}
    return tuple(sorted(n for n in names if bindable(n)))


# ------------------------------------------------------------------ literals

# Values at the edges of float64, and spellings of them the language accepts.
EXTREMES = (1e308, -1e308, math.inf, -math.inf, 5e-324, -5e-324, -0.0, 0.0, 1e-308, 2.2250738585072014e-308,
            1.7976931348623157e308, 1e30, -1e30, 1e15 + 0.5, 2.0 ** 53 + 1, 1e-7)


def number_text(draw, x: float, *, extreme: float = 0.0) -> str:
    """x in the language's number syntax (a leading '-' for negatives); sometimes swapped for an
    extreme value, and often written in one of its other spellings. (Every draw is made whatever
    x is, so that what a later draw means never depends on a value.)"""
    x = float(x)
    swap, big = chance(draw, extreme), draw(st.sampled_from(EXTREMES))
    inf_text = draw(st.sampled_from(["1e999", "1e400", "9" * 400, "1E+999"]))
    digits, style = chance(draw, 1 / 4), draw(uniform(0, 7))
    if extreme and swap:
        x = big
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    a = abs(x)
    if math.isinf(a):
        body = inf_text
    elif a == int(a) and a < 1e300 and digits:
        body = str(int(a))  # huge integers spelled with every digit
    else:
        body = repr(a)
        if style == 0 and body.startswith("0."):
            body = body[1:]                       # .5
        elif style == 1 and body.endswith(".0"):
            body = body[:-1]                      # 2.
        elif style == 2 and "e" not in body and a != 0:
            m, e = f"{a:.17e}".split("e")
            body = f"{m}e{int(e)}"                # 5.00000000000000000e-1
        elif style == 3:
            body = body.upper() if "e" in body else body
    return sign + body


def literal_text(draw, value, *, extreme: float = 0.0) -> str:
    """A number, vector or matrix literal holding `value` (nested lists of numbers)."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return number_text(draw, float(a), extreme=extreme)
    sep = draw(st.sampled_from([", ", ",", " , ", ",\n  "]))
    return "[" + sep.join(literal_text(draw, r, extreme=extreme) for r in a) + "]"


# ------------------------------------------------------------------ the typed program builder

SHAPES = ((), (1,), (2,), (3,), (4,), (5,), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (4, 4))
MISTAKES = ("shape", "unknown-name", "unknown-function", "arity", "redeclare", "reserved",
            "trailing-operator", "unclosed", "index-range", "no-value", "norm-p")


@dataclass
class Expr:
    """Graph-language text for a value of a known shape; `atom` when it needs no parentheses."""

    text: str
    shape: tuple
    atom: bool


@dataclass(frozen=True)
class Program:
    """A generated .gd file and what the language must do with it.

    expect: "ok" (must load), "error" (must be refused with exit 2, and when `error_lines` is
    known the error's line is within that (first, last) range of physical lines, counted from 1)
    or "any" (either, but cleanly). `kind` names the generator, for counting. Typed programs keep
    their `statements` (each may span lines) and the index of the one holding the mistake.
    """

    source: bytes
    expect: str
    kind: str
    error_lines: tuple | None = None
    mistake: str | None = None
    statements: tuple = ()
    error_stmt: int | None = None


def physical_lines(statements, k: int) -> tuple[int, int]:
    """The (first, last) physical lines of statement k when statements are joined by newlines."""
    first = 1 + sum(s.count("\n") + 1 for s in statements[:k])
    return first, first + statements[k].count("\n")


def _wrap(e: Expr) -> str:
    return e.text if e.atom else f"({e.text})"


def spell(form: Form, operands: list[Expr], attrs: dict, draw=None) -> tuple[str, bool]:
    """The text of op(operands) in one form, and whether it is an atom."""
    if form.kind == "infix":
        a, b = operands
        return f"{_wrap(a)} {form.text} {_wrap(b)}", False
    if form.kind == "prefix":
        return f"{form.text}{_wrap(operands[0])}", False
    if form.kind == "postfix":
        return f"{_wrap(operands[0])}{form.text}", True
    if form.kind == "superscript":
        return f"{_wrap(operands[0])}{str(int(attrs['exponent'])).translate(TO_SUPERSCRIPT)}", True
    if form.kind == "index":
        index = list(attrs.get("index", ()))
        if draw is not None:  # sometimes the same entry counted from the end, or a slice spelt out
            index = [e - n if isinstance(e, int) and chance(draw, 1 / 4) else
                     _slice_spelling(draw, e, n) if isinstance(e, tuple) else e
                     for e, n in zip(index, operands[0].shape)] + index[len(operands[0].shape):]
        return f"{_wrap(operands[0])}[{_index_words(index)}]", True
    extra = [repr(float(v)) for v in attrs.values()][: form.extra]
    return f"{form.text}({', '.join([e.text for e in operands] + extra)})", True


TO_SUPERSCRIPT = str.maketrans({v: k for k, v in SUPERSCRIPTS.items()})


def _slice_spelling(draw, s: tuple, n: int):
    """A canonical slice (start, stop, step) in another spelling of the same entries: bounds
    written out, or counted from the end."""
    start, stop, step = s
    how = draw(uniform(0, 3))
    if how == 1 and step > 0:
        return (0 if start is None else start, n if stop is None else stop, step)
    if how == 2 and start is not None:
        return (start - n, stop, step)
    if how == 3 and step == 1:
        return (start, stop, None)
    return s


def _index_words(index) -> str:
    """An index (whole numbers and (start, stop, step) slices, as the op's attribute has them, or
    spelt otherwise) as written inside brackets."""
    words = []
    for e in index:
        if isinstance(e, tuple):
            start, stop, step = e
            w = ("" if start is None else str(start)) + ":" + ("" if stop is None else str(stop))
            words.append(w if step is None else f"{w}:{step}")
        else:
            words.append(str(e))
    return ", ".join(words)


class Builder:
    """Builds one program statement by statement, keeping a pool of values by shape (reused
    often, so the graph shares subexpressions) and the line of each statement."""

    def __init__(self, draw, *, scalar: bool, extreme: float, hostile: float):
        self.draw = draw
        self.scalar, self.extreme, self.hostile = scalar, extreme, hostile
        self.lines: list[str] = []
        self.pool: list[Expr] = []
        self.bound: set[str] = set()
        self.inputs: list[str] = []
        self.counter = 0
        self.expect, self.error_stmt, self.mistake = "ok", None, None
        self.last: Expr | None = None   # the latest op: an output uses it, so no op is lost

    # names and leaves
    def fresh(self, prefix: str) -> str:
        draw = self.draw
        if self.hostile and chance(draw, self.hostile):
            family = codegen_names() if draw(uniform(0, 2)) else python_names()
            names = [n for n in family if n not in self.bound]
            if names:
                name = draw(st.sampled_from(names))
                self.bound.add(name)
                return name
        self.counter += 1
        name = f"{prefix}{self.counter}"
        if chance(draw, 1 / 12):   # Greek letters and subscript digits
            name = draw(st.sampled_from(GREEK_NAMES)) + "".join(SUBSCRIPTS[int(c)] for c in str(self.counter))
        if chance(draw, 1 / 41):
            name = name + "_" + "x" * draw(uniform(50, 300))   # long names
        self.bound.add(name)
        return name

    def declare(self, kind: str, value) -> Expr:
        name = self.fresh("i" if kind == "input" else "c")
        self.lines.append(f"{kind} {name} = {literal_text(self.draw, value, extreme=self.extreme)}")
        if kind == "input":
            self.inputs.append(name)
        e = Expr(name, tuple(np.shape(value)), True)
        self.pool.append(e)
        return e

    def operand(self, shape: tuple, hint) -> Expr:
        draw = self.draw
        same = [e for e in self.pool if e.shape == shape]
        how = draw(st.sampled_from(["reuse"] * 5 + ["input"] * 3 + ["literal"] * 2 + ["const"]))
        if how == "reuse" and same:
            return draw(st.sampled_from(same))
        if how == "literal" and shape == () and chance(draw, 1 / 8):
            return Expr(draw(st.sampled_from(["pi", "π", "e"])), (), True)   # the constants
        if how == "literal":
            text = literal_text(draw, hint, extreme=self.extreme)
            return Expr(text, shape, not text.startswith("-"))
        return self.declare("const" if how == "const" else "input", hint)

    # one op
    def step(self, ops: list[str], mistake: str | None) -> None:
        draw = self.draw
        name = draw(st.sampled_from(ops))
        # A generator per step, from its own draw: Hypothesis often keeps an example's first
        # choices and varies later ones, and one seed up front would repeat whole programs.
        rng = np.random.default_rng(draw(uniform(0, 2 ** 32 - 1)))
        op = OPS[name]
        args, attrs = op.sample(rng)
        if self.scalar:
            args = tuple(np.ravel(a)[0] for a in args)
        shapes = [tuple(np.shape(a)) for a in args]
        forms = [f for f in surface_forms()[name] if (f.kind != "call" or f.extra >= len(attrs))
                 and not (f.kind == "superscript" and (mistake == "shape" or len(shapes[0]) >= 2))]
        # (a superscript power of a matrix is refused: on paper it would be a matrix power)
        form = draw(st.sampled_from(forms))
        if form.kind == "superscript":   # a whole exponent written as superscript digits: x², x⁻¹
            shapes, args = shapes[:1] + [()], args[:1] + (1.0,)
            attrs = {"exponent": draw(st.sampled_from([2, 2, 3, -1, -2, 0, 1, 10]))}
        if mistake == "shape":
            k = draw(uniform(0, len(shapes) - 1))
            wrong = draw(st.sampled_from([s for s in SHAPES if s != shapes[k]]))
            try:
                op.shape(*(shapes[:k] + [wrong] + shapes[k + 1:]), **attrs)
                mistake = None            # these shapes work too: no mistake after all
            except ValueError:
                shapes[k] = wrong
                args = args[:k] + (rng.standard_normal(wrong),) + args[k + 1:]
        operands = [self.operand(s, a) for s, a in zip(shapes, args)]
        if form.kind == "superscript":
            operands, attrs = operands[:1], {**attrs}
        text, atom = spell(form, operands, attrs, draw)
        if form.kind == "superscript":
            attrs = {}
        if mistake == "index-range" and form.kind == "index" and any(isinstance(e, int) for e in attrs["index"]):
            bad = [e + n if isinstance(e, int) else e for e, n in zip(attrs["index"], operands[0].shape)]
            text = f"{_wrap(operands[0])}[{_index_words(bad)}]"
        elif mistake == "index-range":
            mistake = None
        if mistake == "arity" and form.kind == "call":
            text = f"{form.text}({', '.join([e.text for e in operands] + ['1'] * (form.extra + 1))})"
        elif mistake == "arity":
            mistake = None
        if mistake == "unknown-function" and form.kind == "call":
            fn = form.text + draw(st.sampled_from(["x", "s", "_"]))
            text = f"{fn}({', '.join(e.text for e in operands)})"
        elif mistake == "unknown-function":
            mistake = None
        if mistake == "norm-p":
            text = f"norm({_wrap(operands[0])}, {draw(st.sampled_from(['0.5', '0', '-1', '-(2)', f'x_{self.counter}']))})"
        if mistake == "unknown-name":
            ghost = "undefined_" + str(self.counter)
            text = f"{text} + {ghost}"
        if mistake == "trailing-operator":
            text = text + draw(st.sampled_from([" +", " *", " ^", " @", " -", " ,", " =", " )", " ]"]))
        if mistake == "unclosed":
            text = draw(st.sampled_from(["(", "[", "exp("])) + text
        if mistake == "no-value":
            ghost = self.fresh("i")
            self.lines.append(f"input {ghost}")
            self.error_stmt = len(self.lines) - 1
        try:
            shape = tuple(op.shape(*shapes, **attrs))
        except ValueError:
            shape = shapes[0]
        e = Expr(text, shape, atom)
        if mistake == "redeclare" and self.inputs:   # an input is declared once
            self.lines.append(f"input {draw(st.sampled_from(self.inputs))} = {literal_text(draw, 1.0)}")
        elif mistake in ("redeclare", "reserved"):
            target = draw(st.sampled_from(list(RESERVED)))
            self.lines.append(f"{target} = {text}")
        elif (rebound := [x for x in self.pool if x.atom and x.shape == shape and x.text in self.bound]) \
                and chance(draw, 1 / 8):
            # rebinding: the name means the new node from here on (same shape, so that the
            # pool's other texts that use it keep their shapes)
            target = draw(st.sampled_from(rebound)).text
            self.lines.append(f"{target} = {text}")
            e = Expr(target, shape, True)
        elif mistake or chance(draw, 3 / 5):
            target = self.fresh("t")
            self.lines.append(f"{target} = {text}")
            e = Expr(target, shape, True)
        else:
            # inline: a later statement repeats this text, and the graph shares it
            self.pool.append(e)
            self.last = e
            return
        if mistake:
            self.expect, self.mistake = "error", mistake
            if self.error_stmt is None and mistake != "unclosed":
                self.error_stmt = len(self.lines) - 1
        self.pool.append(e)
        self.last = e

    def finish(self) -> None:
        draw = self.draw
        named = [e for e in self.pool if NAME.fullmatch(e.text)]
        if not self.pool:
            self.declare("input", 1.0)
        n_out = draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))
        if n_out == 0 and (self.last is None or not NAME.fullmatch(self.last.text)):
            n_out = 1   # with no output the last assignment is one; the latest op must be
        shown = set()
        for k in range(n_out):
            e = draw(st.sampled_from(self.pool[-4:] if draw(st.booleans()) else self.pool))
            if k == 0 and self.last is not None:
                e = self.last
            style = draw(uniform(0, 2))
            if style == 0 and e in named and e.text not in shown:
                shown.add(e.text)
                self.lines.append(f"output {e.text}")
            else:
                name = self.fresh("f")
                self.lines.append(f"output {name} = {e.text}")


@functools.lru_cache(maxsize=None)
def _op_lists() -> tuple[list[str], list[str]]:
    """All ops with samples, and those whose samples can be made all-scalar (scalar programs)."""
    rng = np.random.default_rng(1)
    every, scalar = [], []
    for name in sorted(OPS):
        op = OPS[name]
        if op.sample is None or not surface_forms().get(name):
            continue
        every.append(name)
        args, attrs = op.sample(rng)
        try:
            if op.shape(*[()] * len(args), **attrs) == ():
                scalar.append(name)
        except (ValueError, TypeError, IndexError):
            pass
    return every, scalar


@st.composite
def typed_programs(draw, *, max_steps: int = 10, mistakes: bool = True, ops=None) -> Program:
    """Programs built op by op from the op table: shape-correct unless a mistake is planted (then
    the program must be refused at the mistake's line), sharing names and subexpressions.
    `ops`: only these ops (default: every op with a sample and a spelling).

    Operand values come from each op's `sample(rng)`, with a generator seeded by a draw per
    step. Hypothesis repeats its simplest choices often, so about a third of a long campaign's
    programs are repeats; the strategy stays a pure function of the draws all the same (values
    salted from outside would change what later draws mean, and Hypothesis stops such runs)."""
    every, scalar_ops = _op_lists()
    if ops is not None:
        every, scalar_ops = [o for o in every if o in ops], []
    scalar = bool(scalar_ops) and chance(draw, 1 / 3)
    extreme = draw(st.sampled_from([0.0, 0.0, 0.0, 0.05, 0.3]))
    hostile = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5]))
    b = Builder(draw, scalar=scalar, extreme=extreme, hostile=hostile)
    n = draw(uniform(1, max_steps))
    at = draw(uniform(0, 3 * n)) if mistakes else -1   # a mistake in about one program of four
    mistake = draw(st.sampled_from(MISTAKES)) if 0 <= at < n else None
    for k in range(n):
        b.step(scalar_ops if scalar else every, mistake if k == at else None)
    b.finish()
    k = b.error_stmt
    return Program(("\n".join(b.lines) + "\n").encode("utf-8"), b.expect, "typed" + "-scalar" * scalar,
                   physical_lines(b.lines, k) if k is not None else None, b.mistake, tuple(b.lines), k)


# ------------------------------------------------------------------ dressing: the same program, other bytes

# Characters inside comments: legal anywhere a comment is (never a line break).
COMMENT_JUNK = ("∂", "ü", "中文", "\u2028", "\u2029", "\x85", "\x0c", "\x0b", "\t", "\u200b", "\ufeff", "😀",
                "\u202e", "\x1c", "\x1e", "é", "#", "'''", '"""', "\\N{", "\\")
# In code: characters the language does not know (must be refused at their line), and others
# whose fate the language leaves open (second-release spellings, exotic spaces).
CODE_JUNK_ERROR = ("∂", "€", "`", "$", "?", "!", "{", "~", "'", '"', "\\", "&", "|", "%", "😀", "\x7f")
CODE_JUNK_ANY = ("√", "²", "−", "·", "π", "×", "ᵀ", "\u00a0", "\u200b", "\u3000", "\x0c", "\x0b", "\x85",
                 "\u2028", ":", "<", ">")
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"


@st.composite
def dressed_programs(draw, base=None) -> Program:
    """A typed program with other line ends (CRLF, CR), a BOM, comments full of Unicode, tabs,
    `;`, blank lines, long lines, or one foreign character in code."""
    p = draw(base if base is not None else typed_programs())
    expect, err, kind, mistake = p.expect, p.error_stmt, [], p.mistake
    rows = [s.split("\n") for s in p.statements]   # each statement's physical lines
    if chance(draw, 1 / 6) and len(rows) > 1:
        kind.append("semicolons")
        k = draw(uniform(0, len(rows) - 2))
        rows[k:k + 2] = [rows[k][:-1] + [rows[k][-1] + draw(st.sampled_from(["; ", ";", " ; "])) + rows[k + 1][0]]
                         + rows[k + 1][1:]]
        err = None if err in (k, k + 1) else err - 1 if err is not None and err > k else err
    lead = [0] * len(rows)   # lines inserted before each statement
    if draw(st.booleans()):
        kind.append("comments")
        for k, r in enumerate(rows):
            junk = lambda: "".join(draw(st.lists(st.sampled_from(COMMENT_JUNK), min_size=1, max_size=4)))  # noqa: E731
            if chance(draw, 1 / 3):
                r[-1] += "   # " + junk()
            if chance(draw, 1 / 5):
                r.insert(0, "# " + junk())
                lead[k] += 1
    if chance(draw, 1 / 4):
        kind.append("blank")
        for k, r in enumerate(rows):
            if chance(draw, 1 / 4):
                r.insert(0, draw(st.sampled_from(["", "   ", "\t", "#"])))
                lead[k] += 1
    if chance(draw, 1 / 4):
        kind.append("tabs")
        tab = draw(st.sampled_from(["\t", "  ", " \t "]))
        rows = [[ln.replace(" ", tab, 3) for ln in r] for r in rows]
    if chance(draw, 1 / 6):
        kind.append("long")
        k = draw(uniform(0, len(rows) - 1))
        rows[k][-1] += draw(st.sampled_from([" " * 5000, "   # " + "long comment " * 800, "\t" * 300]))
    if expect == "ok" and chance(draw, 1 / 6):
        k = draw(uniform(0, len(rows) - 1))
        text = rows[k][-1]
        code = text.split("#")[0]
        digits = [m.start() for m in re.finditer(r"(?<![A-Za-z_0-9.])\d", code)]
        use_junk = draw(st.booleans())
        junk = draw(st.sampled_from(CODE_JUNK_ERROR + CODE_JUNK_ANY))
        at = draw(uniform(0, 1000)) / 1000
        if use_junk or not digits:
            where = round(at * len(code.rstrip()))
            rows[k][-1] = text[:where] + junk + text[where:]
            expect = "error" if junk in CODE_JUNK_ERROR else "any"
            mistake = f"the character {junk!r} in code"
            kind.append("junk")
        else:   # a number written with Arabic-Indic digits is not a number of the language
            where = digits[min(round(at * len(digits)), len(digits) - 1)]
            rows[k][-1] = text[:where] + ARABIC_DIGITS[int(text[where])] + text[where + 1:]
            expect = "error"
            mistake = "an Arabic-Indic digit in a number"
            kind.append("arabic-digits")
        err = k
        lead[k] = len(rows[k]) - 1   # the error is on the statement's last line
    error_lines = None
    if err is not None and expect == "error":
        first = 1 + sum(len(r) for r in rows[:err]) + lead[err]
        error_lines = (first, sum(len(r) for r in rows[:err + 1]))
    newline = draw(st.sampled_from(["\n"] * 4 + ["\r\n", "\r"]))
    if newline != "\n":
        kind.append("crlf" if newline == "\r\n" else "cr")
    text = newline.join(ln for r in rows for ln in r) + draw(st.sampled_from([newline, "", newline * 3]))
    data = text.encode("utf-8")
    if chance(draw, 1 / 6):
        kind.append("bom")
        data = b"\xef\xbb\xbf" + data
    return Program(data, expect, p.kind + "+" + ",".join(kind or ["plain"]), error_lines, mistake)


# ------------------------------------------------------------------ stress: depth, length, size

@st.composite
def stress_programs(draw) -> Program:
    """Deep nesting, long lines, many statements, huge literals and odd array literals."""
    what = draw(st.sampled_from(["parens", "calls", "minus", "pow", "sum", "statements", "array",
                                 "nested-array", "huge-int", "index", "exponent", "chain-matrix",
                                 "def-chain", "def-nested-calls", "recursion", "loop", "loop-bounds", "loop-nested"]))
    depth = draw(st.sampled_from([1, 2, 10, 50, 150, 198, 199, 200, 201, 202, 400, 3000]))
    head = "input x = 0.5\n"
    expect = "ok" if depth <= 50 else "any"
    if what == "parens":
        body = "output f = " + "(" * depth + "x" + ")" * depth
    elif what == "calls":
        fn = draw(st.sampled_from(["sin", "tanh", "exp", "sigmoid", "softplus"]))
        body = "output f = " + f"{fn}(" * depth + "x" + ")" * depth
    elif what == "minus":
        body = "output f = " + draw(st.sampled_from(["-", "- ", "+", "-+"])) * depth + "x"
    elif what == "pow":
        head = "input x = 1.0001\n"
        body = "output f = x" + draw(st.sampled_from(["^x", "**x", " ^ 1"])) * depth
    elif what == "sum":
        body = "output f = x" + draw(st.sampled_from([" + x", "*x", " - 1", "+x*0.5"])) * depth
        expect = "ok"
    elif what == "statements":
        body = "t0 = x\n" + "".join(f"t{k + 1} = t{k} * 1.0001 + x\n" for k in range(depth)) + f"output f = t{depth}"
        expect = "ok"
    elif what == "array":
        n = draw(st.sampled_from([1, 2, 100, 2000]))
        head = f"input x = [{', '.join(['0.5'] * n)}]\n"
        body = "output f = sum(x * x)"
        expect = "ok"
    elif what == "nested-array":
        d = draw(uniform(1, 6)) if depth < 400 else depth
        lit = "[" * d + "1" + "]" * d
        body = f"input y = {lit}\noutput f = sum(y)"
        expect = "any"
    elif what == "huge-int":
        digits = draw(st.sampled_from([20, 309, 400, 4300, 5000, 100000]))
        body = f"input y = {'9' * digits}\noutput f = y * x"
        expect = "ok" if digits <= 309 else "any"
    elif what == "index":
        bad = draw(st.sampled_from(["1e999", "1e18", "9" * 400, "-1e999", "1.5", "0.0", "-0", "1e0", "2e-1"]))
        head = "input x = [1, 2, 3]\n"
        body = f"output f = x[{bad}]"
        expect = "any"
    elif what == "exponent":
        lit = draw(st.sampled_from(["1e99999999999999999999", "1e-99999999999", "0e999", "0." + "0" * 5000 + "1"]))
        body = f"input y = {lit}\noutput f = y + x"
        expect = "any"
    elif what == "def-chain":     # functions calling the one defined before: groups nest `depth` deep
        body = "def f0(a) = sin(a) * a\n" + "".join(f"def f{k + 1}(a) = f{k}(a) + a\n" for k in range(depth)) \
            + f"output f = f{depth}(x)"
        expect = "ok" if depth <= 400 else "any"
    elif what == "def-nested-calls":   # one function called inside its own argument list, deeply
        body = "def g(a, b) = a * b + 1\noutput f = " + "g(x, " * depth + "x" + ")" * depth
        expect = "ok" if depth <= 50 else "any"
    elif what == "recursion":   # direct or mutual recursion: always an error naming the chain
        body = draw(st.sampled_from(["def f(a) = f(a) + 1\noutput y = f(x)",
                                     "def f(a) = g(a)\ndef g(a) = f(a) * 2\noutput y = f(x)",
                                     "def f(a):\n    b = a + 1\n    return f(b)\noutput y = f(x)"]))
        expect = "error"
    elif what == "loop":     # an unrolled recurrence of a function, `depth` iterations
        body = (f"def cell(h, a) = tanh(h * a + 0.1)\nh = x\nfor t in 1..{depth}: h = cell(h, x)\n"
                "output f = h")
        expect = "ok"
    elif what == "loop-bounds":   # bounds at and past the limits, backwards, huge, not whole
        lo, hi = draw(st.sampled_from([(1, 100000), (1, 100001), (5, 1), (0, 0), (-3, 3), ("1.5", 3),
                                       (1, "9" * 30), ("x", 3), (1, "1e6")]))
        body = f"h = x\nfor t in {lo}..{hi}: h = h * 0.5 + t\noutput f = h"
        expect = "ok" if (lo, hi) in ((0, 0), (-3, 3)) else "any"
    elif what == "loop-nested":   # loops inside loops, the inner bound using the outer variable
        n = min(depth, 60)
        body = (f"h = x\nfor i in 1..{n}:\n    for j in 1..i: h = sin(h) + 0.01 * j\n"
                "output f = h")
        expect = "ok" if n * (n + 1) // 2 <= 100000 else "any"
    else:  # a long chain of matrix products: one big DAG, many array ops
        head = "input A = [[0.5, 0.1], [0.2, 0.4]]\n"
        body = "output f = trace(" + " @ ".join(["A"] * min(depth, 400)) + ")"
        expect = "ok" if depth <= 400 else "any"
    return Program((head + body + "\n").encode("utf-8"), expect, f"stress-{what}")


# ------------------------------------------------------------------ byte-level mutations

INTERESTING = (b"\x00", b"\xff", b"\x80", b"\xc3", b"\xef\xbb\xbf", "\u2028".encode(), "\x85".encode(),
               b"\x0c", b"\r", b"\r\n", b"\t", b"1e999", b"-1e308", b"5e-324", b"-0.0", b"9" * 400, b"[[", b"]]",
               b"(((", b")", b"^", b"**", b".T", b"[0]", b"[-1]", b"[99]", b"#", b";", b"=", b",", b"input ",
               b"output ", b"const ", b"@", "−".encode(), "√".encode(), "١".encode())


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """1 to 4 byte-level mutations of `base`: flips, interesting bytes and tokens, deletions,
    duplications, splices of function names, truncation."""
    data = bytearray(base)
    for _ in range(draw(uniform(1, 4))):
        n = len(data)
        pos = fraction_of(draw, n)
        how = draw(uniform(0, 6))
        if how == 0 and n:
            p = min(pos, n - 1)
            data[p] ^= 1 << draw(uniform(0, 7))
        elif how == 1:
            data[pos:pos] = draw(st.sampled_from(INTERESTING))
        elif how == 2 and n:
            end = min(n, pos + draw(uniform(1, 20)))
            del data[pos:end]
        elif how == 3 and n:
            end = min(n, pos + draw(uniform(1, 40)))
            data[pos:pos] = data[pos:end] * draw(uniform(1, 3))
        elif how == 4:
            fn = draw(st.sampled_from(sorted(FUNCTIONS)))
            data[pos:pos] = (fn + "(").encode()
        elif how == 5:
            del data[pos:]
        else:
            data[pos:pos] = bytes([draw(uniform(0, 255))])
    return bytes(data)


@functools.lru_cache(maxsize=None)
def graph_files(graphs_dir: str) -> tuple:
    """The bytes of every .gd file under `graphs_dir`, sorted by path."""
    return tuple(p.read_bytes() for p in sorted(Path(graphs_dir).rglob("*.gd")))


@st.composite
def mutants(draw, graphs_dir: str | None = None) -> Program:
    """A byte-mutated file of graphs/ (or of a typed program when no folder is given)."""
    files = graph_files(graphs_dir) if graphs_dir else ()
    if files and not chance(draw, 1 / 4):
        base, kind = draw(st.sampled_from(files)), "mutant-graphs"
    else:
        base, kind = draw(typed_programs(mistakes=False)).source, "mutant-typed"
    return Program(draw(mutated(base)), "any", kind)


@st.composite
def programs(draw, graphs_dir: str | None = None) -> Program:
    """Every kind of program, weighted: typed 4, dressed 3, mutants 2, stress 1 (in tenths)."""
    k = draw(uniform(0, 9))
    if k < 4:
        return draw(typed_programs())
    if k < 7:
        return draw(dressed_programs())
    if k < 9:
        return draw(mutants(graphs_dir))
    return draw(stress_programs())


# ------------------------------------------------------------------ file names

FILE_NAMES = ("g.gd", "g.gd", "g.gd", "my graph.gd", "ünïcødé.gd", "g", "g.txt", "-g.gd", "a\"\"\"b.gd",
              'a""", __import__("os").system("touch PWNED"), """b.gd', "a\\Nb.gd", "a\\u12b.gd", "a\nb.gd",
              "a'b.gd", "{x}.gd", "a\\.gd", "%s%n.gd", "<b>&amp;.gd", "\udcff.gd", "x" * 200 + ".gd",
              "a\tb.gd", "a\rb.gd", "\u202egd.exe")


def file_names() -> st.SearchStrategy:
    """Names for the graph file, most plain, some hostile (quotes, escapes, newlines, bidi)."""
    return st.sampled_from(FILE_NAMES)


# ------------------------------------------------------------------ command lines

@dataclass(frozen=True)
class GraphInfo:
    """What a command line needs to know about a graph that loaded (names, shapes, size)."""

    inputs: tuple = ()       # (name, shape)
    outputs: tuple = ()      # (name, shape)
    nodes: int = 0
    small: bool = True       # small enough to run Graphviz on in a fuzz example

    @classmethod
    def of(cls, g, *, small_nodes: int = 40) -> "GraphInfo":
        return cls(tuple((g.input_name(i), g.node(i).shape) for i in g.inputs),
                   tuple((n, g.node(i).shape) for n, i in g.outputs), len(g), len(g) <= small_nodes)


@dataclass(frozen=True)
class Run:
    """One command line. `outputs`: the files (or folders, ending in '/') it should write;
    `existing`: files present before the run (whose content must survive a failure);
    `fsize`: a file-size limit in bytes for the run (a full disk), or None;
    `timeout`: its own time bound in seconds, else `timeout_factor` times the harness's;
    `stdin`: what standard input holds (answers for `practice`, the graph for FILE `-`)."""

    argv: tuple
    outputs: tuple = ()
    existing: tuple = ()
    fsize: int | None = None
    timeout: float | None = None
    timeout_factor: float = 1
    stdin: bytes = b""


def _entries(name: str, shape: tuple) -> list[str]:
    if not shape:
        return [name]
    return [f"{name}[{','.join(map(str, ix))}]" for ix in np.ndindex(*shape)]


HOSTILE_VALUES = ("NaN", "-Infinity", "Infinity", "1e999", "[true]", "[]", "[[]]", "true", "null", '"1"', "{}",
                  "[1, [2]]", ".5", "+1", "1.", "01", "-0", "0x10", "1_000", " 3 ", "١٢", "[.5, +1]", "9" * 400,
                  "9" * 5000, "[" * 5000 + "1" + "]" * 5000, "[" * 50 + "1" + "]" * 50, "1e-400", "5e-324",
                  "-", "", "[1,2", "abc", "[NaN, 1]", "1e308", "[1e308, -1e308]")
# The language's number tokens, with a sign: --at takes what a .gd file takes (issue 17).
LANGUAGE_NUMBERS = (".5", "+1", "1.", "01", "-0.0", "1e3", "1E-3", "+.25e1", "-2", "0.5")
BAD_JSON_VALUES = ("[true]", "[]", "[[]]", "true", "null", '"1"', "{}", "[1, [2]]", "١٢")


def value_text(draw, shape: tuple) -> str:
    """A valid --at value of this shape (JSON)."""
    v = np.asarray(draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=max(1, int(np.prod(shape))),
                                 max_size=max(1, int(np.prod(shape))))), dtype=float)
    v = v.reshape(shape) if shape else v[0]
    return _json_number_list(v)


def _json_number_list(v) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return repr(float(a))
    return "[" + ", ".join(_json_number_list(r) for r in a) + "]"


@st.composite
def at_options(draw, info: GraphInfo) -> list[str]:
    """--at NAME=VALUE items: mostly valid values of the right shape, some of the wrong shape,
    some hostile (huge numbers, deep brackets, JSON that is no number), unknown names."""
    argv = []
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        how = draw(uniform(0, 9))
        if info.inputs and how < 5:
            name, shape = draw(st.sampled_from(info.inputs))
            item = f"{name}={value_text(draw, shape)}"
        elif info.inputs and how < 7:
            name, shape = draw(st.sampled_from(info.inputs))
            item = f"{name}={draw(st.sampled_from(HOSTILE_VALUES))}"
        elif info.inputs and how < 8:
            name, shape = draw(st.sampled_from(info.inputs))
            wrong = draw(st.sampled_from([s for s in SHAPES if s != shape]))
            item = f"{name}={value_text(draw, wrong)}"
        else:
            item = draw(st.sampled_from(["nosuch=1", "=1", "x", "x==1", " =", "x = 1", "ö=1"]))
        argv += ["--at", item]
    return argv


def _names_list(draw, names: list[str]) -> str:
    if names and not chance(draw, 1 / 5):
        picked = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names) + 1))
        return draw(st.sampled_from([",", ", ", " ,"])).join(picked)
    return draw(st.sampled_from(["nosuch", "", ",", " ", "x,,y", "ö"]))


def _seed_text(draw, info: GraphInfo) -> str:
    pairs = list(info.inputs) + list(info.outputs)
    how = draw(uniform(0, 5))
    if pairs and how < 3:
        name, shape = draw(st.sampled_from(pairs))
        return draw(st.sampled_from(_entries(name, shape) + [name]))
    if info.inputs and how == 3:
        name, shape = draw(st.sampled_from(info.inputs))
        return '{"%s": %s}' % (name, value_text(draw, shape))
    return draw(st.sampled_from(["nosuch", "x[", "x[1,", "x[a]", "x[99999999999999999999]", "{", '{"x": "a"}',
                                 "x[-1]", "[1]", "{}", '{"nosuch": 1}', "x[" + "9" * 5000 + "]"]))


def _step_text(draw, info: GraphInfo) -> str:
    if not chance(draw, 1 / 4):
        return str(draw(uniform(-info.nodes - 2, info.nodes + 2)))
    return draw(st.sampled_from(["last", "LAST", "0", "abc", "1.5", "9" * 5000, "-" + "9" * 30, ""]))


def _show_text(draw) -> str:
    from .render import ANNOTATIONS
    words = list(ANNOTATIONS) + ["all", "none", "default", "value", "adjoint", "bogus", ""]
    return ",".join(draw(st.lists(st.sampled_from(words), min_size=1, max_size=4)))


def _focus_text(draw, info: GraphInfo) -> str:
    names = [n for n, _ in info.inputs + info.outputs] + [f"v{k}" for k in (0, 1, 2, info.nodes, info.nodes + 5)]
    name = draw(st.sampled_from(names + ["nosuch", "", ":", "v", "v-1", "v" + "9" * 30]))
    return name + draw(st.sampled_from(["", "", ":0", ":1", ":3", ":-1", ":abc", ":" + "9" * 30, ":1.5"]))


# Answers a student might type in `practice --plain` (one per line): numbers right and wrong,
# expressions over known names, hints, quitting, and input no answer parser should choke on.
ANSWERS = ("1", "0", "-1", "0.5", "1/3", "2/0", "0/0", "?", "hint", "", "   ", "quit", "q", "skip", "x", "x_bar",
           "f_bar", "v1", "v1*2", "-x_bar", "[1, 2]", "[[1, 0], [0, 1]]", "[]", "nan", "inf", "-inf", "1e999",
           "9^9^9^9", "9**9**9", "(" * 500 + "1" + ")" * 500, "-" * 5000 + "1", "sqrt(-1)", "log(0)", "exp(1000)",
           "inv([[0, 0], [0, 0]])", "sqrtm([[-1, 0], [0, 1]])", "x[99]", "x[0]", "∂f/∂x", "١٢", "√2", "2²", "π",
           "e", "input x = 1", "__import__('os')", "x.__class__", "lambda: 1", "1 if 1 else 0", "\x00", "😀",
           "1" * 5000, "[" * 3000 + "1" + "]" * 3000, "1,2", "1 2", "x = 1", "sum(x)", "where(1, 2, 3)")


def _answers(draw) -> bytes:
    lines = draw(st.lists(st.sampled_from(ANSWERS), min_size=0, max_size=12))
    end = draw(st.sampled_from(["\n", "", "\nquit\n"]))
    return ("\n".join(lines) + end).encode("utf-8")


TITLES = ("a title", "<b>bold</b> & \"quotes\" 'single'", "]]>", "\\N{BULLET} \\u1234 \\", "x" * 3000, "",
          "line\nbreak", "{}", "<TABLE>", "&amp;&lt;&#9999999;", "😀 ∂ √", "\x00", "\u2028")


def _picture_path(draw, info: GraphInfo, heavy: bool) -> str:
    cheap = ["out.dot", "out.dot", "out.gv", "out.DOT", "out.txt", "out", "missing/out.dot", "out.tex", "."]
    costly = ["out.svg", "out.svg", "out.png", "out.pdf"]
    return draw(st.sampled_from(cheap + costly if heavy and info.small else cheap))


# Option values by flag (the first of an option's flags, per command where the meaning differs).
# A strategy factory: (draw, info, heavy) -> list of argv words (empty: option left out).
OPTION_VALUES = {
    "--at": lambda draw, info, heavy: draw(at_options(info)),
    "--wrt": lambda draw, info, heavy: ["--wrt", _names_list(draw, [n for n, _ in info.inputs])],
    "--output": lambda draw, info, heavy: ["--output", _names_list(draw, [n for n, _ in info.outputs]).split(",")[0]],
    "--seed": lambda draw, info, heavy: ["--seed", _seed_text(draw, info)],
    "--step": lambda draw, info, heavy: ["--step", _step_text(draw, info)],
    "--show": lambda draw, info, heavy: ["--show", _show_text(draw)],
    "--title": lambda draw, info, heavy: ["--title", draw(st.sampled_from(TITLES))],
    "--dpi": lambda draw, info, heavy: ["--dpi", draw(st.sampled_from(["72", "50", "9", "1201", "abc", "-1"]))],
    "--delay": lambda draw, info, heavy: ["--delay", draw(st.sampled_from(["100", "0", "-5", "abc", "9" * 30]))],
    "render -o": lambda draw, info, heavy: ["-o", _picture_path(draw, info, heavy)],
    "frames -o": lambda draw, info, heavy: ["-o", draw(st.sampled_from(["frames", "frames", "missing/frames", "g.gd"]))],
    "codegen -o": lambda draw, info, heavy: ["-o", draw(st.sampled_from(["gen.py", "gen.py", "gen.py", "missing/gen.py",
                                                                           ".", "gen"]))],
    "--gif": lambda draw, info, heavy: ["--gif", draw(st.sampled_from(["out.gif", "out.png", "missing/out.gif"]))],
    "--pdf": lambda draw, info, heavy: ["--pdf", draw(st.sampled_from(["deck.pdf", "deck.txt", "missing/deck.pdf"]))],
    "--of": lambda draw, info, heavy: ["--of", _names_list(draw, [n for n, _ in info.outputs]).split(",")[0]],
    "--eps": lambda draw, info, heavy: ["--eps", draw(st.sampled_from(["1e-3", "0.05", "0", "-1", "1e-300", "1e300",
                                                                     "nan", "inf", "abc", "5e-324"]))],
    "--max-entries": lambda draw, info, heavy: ["--max-entries", draw(st.sampled_from(["1", "2", "32", "0", "-1",
                                                                                     "1000000", "abc"]))],
    "--fit": lambda draw, info, heavy: ["--fit", draw(st.sampled_from(["16:9", "4:3", "640x360", "10cmx5cm", "4in x 3in",
                                                                     "300×200mm", "0x0", "1x1", "99999x99999", "16:0",
                                                                     "abc", "", "1e999x1"]))],
    "--focus": lambda draw, info, heavy: ["--focus", _focus_text(draw, info)],
    "--split-leaves": lambda draw, info, heavy: ["--split-leaves", draw(st.sampled_from(
        ["auto", "all", "none", "0", "1", "2", "6", "-1", "abc", "", "1e999", "9" * 30]))],
    "--beamer": lambda draw, info, heavy: ["--beamer", draw(st.sampled_from(["deck.tex", "deck.tex", "deck.txt",
                                                                           "missing/deck.tex"]))],
    "html -o": lambda draw, info, heavy: ["-o", draw(st.sampled_from(["page.html", "page.html", "page.htm", "page.txt",
                                                                    "missing/page.html", "."]))],
    # fmt may write over the file it reads (FILE stands for the graph's own path)
    "fmt -o": lambda draw, info, heavy: ["-o", draw(st.sampled_from(["out.gd", "out.gd", "FILE", "missing/out.gd", "."]))],
    "--tol": lambda draw, info, heavy: ["--tol", draw(st.sampled_from(["1e-3", "0.5", "0", "-1", "1e999", "nan", "abc"]))],
    "--ask": lambda draw, info, heavy: ["--ask", draw(st.sampled_from(["steps", "derivative", "counts", "cost", "all",
                                                                     "steps,cost", "counts, derivative", "bogus",
                                                                     "", ","]))],
    # (main's group options, for when this branch meets them: pictures of function calls and loops)
    "--collapse": lambda draw, info, heavy: ["--collapse", draw(st.sampled_from(["all", "1", "2", "0", "-1", "layer",
                                                                               "layer#2", "net.layer", "nosuch",
                                                                               "", ",", "9" * 30]))],
    "--repeats": lambda draw, info, heavy: ["--repeats", draw(st.sampled_from(["auto", "none", "2", "3", "0", "-1",
                                                                             "abc", "9" * 30]))],
    "practice -o": lambda draw, info, heavy: ["-o", draw(st.sampled_from(["session.json", "session.json",
                                                                        "missing/session.json", "."]))],
}
# Options drawn with their own weights rather than uniformly: expensive frame formats are rare.
CHOICE_WEIGHTS = {("frames", "--format"): {"dot": 12, "svg": 1, "png": 1, "pdf": 1}}
ALWAYS = {("frames", "--format")}   # its default (png) is a Graphviz run per step: choose, mostly dot
EXPENSIVE = {("frames", "--gif"), ("frames", "--pdf")}   # drawn only on small graphs, rarely
SLOW = 3   # Graphviz runs (pictures other than DOT, frames) get this many times the time bound
COMMAND_WEIGHTS = {"frames": 1, "render": 2, "html": 1}   # others 3: Graphviz runs cost the most
HEAVY_COMMANDS = ("frames", "html")   # drawn on small graphs only, with the SLOW time bound
NOT_FUZZED = {"tui": "interactive: its crashes are filed elsewhere and it needs a terminal"}
WRITES = ("render -o", "codegen -o", "html -o", "fmt -o", "practice -o", "--gif", "--pdf", "--beamer")


@functools.lru_cache(maxsize=None)
def cli_table() -> dict:
    """command -> its options (argparse actions), from graphdiff.cli.build_parser()."""
    from .cli.spec import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    table = {}
    for name, p in sub.choices.items():
        table[name] = tuple(a for a in p._actions   # (old spellings, hidden from --help, are left out)
                            if a.option_strings and not isinstance(a, argparse._HelpAction)
                            and a.help != argparse.SUPPRESS)
    return table


def _option_key(command: str, action) -> str:
    flag = action.option_strings[0]
    if flag == "-o":
        return f"{command} -o"
    return flag


def unfuzzed_options() -> list[str]:
    """Options of the command line the fuzzer has no values for (add them to OPTION_VALUES)."""
    missing = []
    for command, actions in cli_table().items():
        if command in NOT_FUZZED:
            continue
        for a in actions:
            if a.nargs == 0 or a.choices:
                continue      # flags and choices need no table
            if a.option_strings[0] in ("--json",):
                continue
            if _option_key(command, a) not in OPTION_VALUES:
                missing.append(f"{command} {a.option_strings[0]}")
    return missing


def fuzzed_commands() -> list[str]:
    return [c for c in cli_table() if c not in NOT_FUZZED]


@st.composite
def command_lines(draw, path: str, info: GraphInfo, *, heavy: bool = True, command: str | None = None) -> Run:
    """One command line on `path`: a command of the CLI and each of its options with probability
    one half (required ones always), values from OPTION_VALUES or the option's choices.
    `heavy`: allow Graphviz runs (pictures other than .dot, frames) on small graphs."""
    commands = [c for c in fuzzed_commands() for _ in range(COMMAND_WEIGHTS.get(c, 3))]
    if not (heavy and info.small):
        commands = [c for c in commands if c not in HEAVY_COMMANDS]
    command = command or draw(st.sampled_from(commands))
    argv, outputs = [command], []
    for a in cli_table()[command]:
        key = _option_key(command, a)
        if (command, a.option_strings[0]) in EXPENSIVE and not (heavy and info.small and chance(draw, 1 / 10)):
            continue
        if not a.required and (command, a.option_strings[0]) not in ALWAYS and draw(st.booleans()):
            continue
        flag = a.option_strings[-1] if a.option_strings[-1].startswith("--") else a.option_strings[0]
        if a.nargs == 0:
            argv.append(flag)
        elif a.choices:
            weights = CHOICE_WEIGHTS.get((command, a.option_strings[0]))
            pool = [c for c, w in weights.items() for _ in range(w)] if weights else list(a.choices)
            argv += [flag, draw(st.sampled_from(pool))]
        else:
            words = OPTION_VALUES[key](draw, info, heavy)
            if words and words[-1] == "FILE" and key == "fmt -o":
                words = words[:-1] + [path]
            argv += words
            if key in WRITES:
                outputs.append(words[-1])
            elif key == "frames -o":
                outputs.append(words[-1] + "/")
    file_last = chance(draw, 1 / 6)
    stdin = _answers(draw) if command == "practice" else b""
    if command != "practice" and chance(draw, 1 / 12) and path not in outputs:   # FILE '-': the graph on stdin
        path, stdin = "-", None   # (None: the harness puts the program there)
    argv = argv[:1] + (argv[1:] + [path] if file_last else [path] + argv[1:])
    existing = tuple(o for o in outputs if "/" not in o and o != "." and o != path and chance(draw, 1 / 4))
    fsize = draw(st.sampled_from([64, 1024])) if outputs and chance(draw, 1 / 10) else None
    slow = command in HEAVY_COMMANDS or any(o.lower().endswith((".svg", ".png", ".pdf")) for o in outputs)
    return Run(tuple(argv), tuple(outputs), existing, fsize, timeout_factor=SLOW if slow else 1, stdin=stdin)


@st.composite
def at_oracle_lines(draw, path: str, info: GraphInfo) -> tuple[Run, str] | None:
    """`eval --at NAME=VALUE` that must be taken (a value the language accepts as a number, for a
    scalar input) or refused with exit 2 (JSON that is no number, or a value of another shape
    than the input's: bad values are refused, never reshaped)."""
    if not info.inputs:
        return None
    scalars = [n for n, s in info.inputs if s == ()]
    how = draw(uniform(0, 2))
    if how == 0 and scalars:
        name = draw(st.sampled_from(scalars))
        return Run(("eval", path, "--at", f"{name}={draw(st.sampled_from(LANGUAGE_NUMBERS))}")), "accept"
    name, shape = draw(st.sampled_from(info.inputs))
    if how == 1:
        return Run(("eval", path, "--at", f"{name}={draw(st.sampled_from(BAD_JSON_VALUES))}")), "refuse"
    wrong = draw(st.sampled_from([s for s in SHAPES if s != shape]))
    return Run(("eval", path, "--at", f"{name}={value_text(draw, wrong)}")), "refuse-shape"


__all__ = ["Form", "HAND_FORMS", "surface_forms", "unreachable_ops", "unknown_ops", "codegen_names", "python_names", "Program",
           "typed_programs", "dressed_programs", "stress_programs", "mutated", "mutants", "programs",
           "file_names", "GraphInfo", "Run", "command_lines", "at_oracle_lines", "unfuzzed_options",
           "fuzzed_commands", "cli_table", "OPTION_VALUES", "spell", "bindable", "EXTREMES", "uniform", "chance"]
