"""The tables of the graph language's syntax, read by the parser, the docs and the fuzzer: BINARY
(infix operators), PREFIX, FUNCTIONS (generated from the op table), KEYWORDS and CONSTANTS; the
Unicode spellings are the lexer's (lexer.UNICODE, lexer.SUPERSCRIPTS). Also the words the parser
and the lowering share for errors: how a token, a function's arguments and a def's signature read.
"""
from __future__ import annotations

import math

from . import syntax as A
from .lexer import Token
from ..ops import OPS
from ..source import GraphError, closest

# operator -> (left binding power, op name); `^` is right-associative, comparisons do not chain
BINARY = {
    "<": (5, "lt"), "<=": (5, "le"), ">": (5, "gt"), ">=": (5, "ge"), "==": (5, "eq"), "!=": (5, "ne"),
    "+": (10, "add"), "-": (10, "sub"),
    "*": (20, "mul"), "/": (20, "div"), "@": (20, "matmul"),
    "^": (40, "pow"), "**": (40, "pow"),
}
RIGHT_ASSOC = {"pow"}
COMPARE_BP = 5
NON_ASSOC = {op for bp, op in BINARY.values() if bp == COMPARE_BP}   # a < b < c is an error, not (a < b) < c
# prefix operator -> op name (None: no op); all bind at UNARY_BP
PREFIX = {"-": "neg", "+": None, "√": "sqrt"}
UNARY_BP = 30      # -x^2 is -(x^2), -x*y is (-x)*y; the same for √: √x² is √(x²), √x·y is (√x)·y
POWER_BP = 40      # a superscript power (x², x⁻¹, xⁿ) binds like ^
POSTFIX_BP = 50    # x[i], x.T
MAX_DEPTH = 200

# function name -> (op name, fewest args, most args): generated from the op table, where each
# op's stanza says how the language spells it (its operands, then its optional parameters).
FUNCTIONS = {op.syntax.function: (op.name, *op.syntax.arg_range(op.arity))
             for op in OPS.values() if op.syntax.function}
KEYWORDS = ("input", "const", "output", "def", "return", "for", "in")
DECLARATIONS = ("input", "const", "output")   # the statements of the top level only
MAX_BLOCKS = 20      # how deeply for loops may nest (a def's body counts as one)
CONSTANTS = {"pi": math.pi, "e": math.e}   # reserved: read as their values, never names
RESERVED = KEYWORDS + tuple(CONSTANTS)


INDEX_WORDS = ("an index must be a whole number such as 0, 2 or -1 (or a loop variable, or a constant, "
               "such as t or t - 1), or a slice such as 1:, :-1, ::2 or : (a whole axis)")


def arguments(lo: int, hi: int) -> str:
    """"1 argument", "2 arguments", "1 or 2 arguments"."""
    return f"{lo if lo == hi else f'{lo} or {hi}'} argument{'s' if hi != 1 else ''}"


def signature(d: A.Def) -> str:
    """`def layer(x, W, b)`, as written in the file (for messages)."""
    return f"def {d.name}({', '.join(d.params)})"


def check_arity(d: A.Def, n_args: int, span) -> None:
    """A call of a function of the file must give one argument per parameter."""
    if n_args != len(d.params):
        n = len(d.params)
        raise GraphError(f"{d.name} takes {n} argument{'' if n == 1 else 's'}, got {n_args}", span,
                         hint=f"it is {signature(d)}, at line {d.span.line}")


def unknown_function(fn: str, text: str, n_args: int, span, functions: dict) -> GraphError:
    """An unknown function, with the function it most likely meant: those taking this many
    arguments first, built-in or defined in the file."""
    ranges = {f: (lo, hi) for f, (_, lo, hi) in FUNCTIONS.items()}
    ranges.update((f, (len(d.params),) * 2) for f, d in functions.items())
    fits = [f for f, (lo, hi) in ranges.items() if lo <= n_args <= hi]
    match, nearest = closest(fn, fits), closest(fn, ranges)
    hint = None
    if nearest is not None and nearest != match:
        other = f"'{nearest}', which takes {arguments(*ranges[nearest])}"
        hint = f"did you mean '{match}'? (or {other})" if match else f"did you mean {other}?"
    elif match is not None:
        hint = f"did you mean '{match}'?"
    return GraphError(f"unknown function '{text}'", span, hint=hint)


def describe(t: Token) -> str:
    if t.kind == "eof":
        return "the end of the file"
    if t.kind == "newline":
        return "the end of the line"
    s = t.span
    return f"'{s.source.text[s.offset:s.offset + s.length]}'"
