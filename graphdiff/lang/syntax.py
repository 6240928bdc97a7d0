"""The syntax tree of a .gd file: immutable nodes (named tuples: one is made for most tokens of
a large file, without the Python-level __new__ on the parser's common path), each with the span it
came from (a Name keeps its offset and makes its span when asked for)."""
from __future__ import annotations

from typing import NamedTuple

from ..source import Source, Span


class Num(NamedTuple):
    value: float
    span: Span


class Array(NamedTuple):
    """A vector or matrix literal; `value` is a nested tuple of floats."""

    value: tuple
    span: Span


class Name(NamedTuple):
    """A name used as an operand. Its span (the name as written) is made only when asked for: a
    file names hundreds of thousands of operands, and only an error or a loop variable's value
    needs the place of one."""

    id: str
    offset: int
    source: Source

    @property
    def span(self) -> Span:
        return Span(self.source, self.offset, len(self.id))


class Unary(NamedTuple):
    op: str  # 'neg', or 'sqrt' (a prefix √)
    operand: object
    span: Span


class Binary(NamedTuple):
    op: str  # an op name of parser.BINARY ('add' 'mul' 'pow' 'lt' …); a superscript power is 'pow'
    left: object
    right: object
    span: Span


class Call(NamedTuple):
    fn: str
    args: tuple
    span: Span


class Slice(NamedTuple):
    """start:stop:step inside brackets; None where a part is left out."""

    start: int | None
    stop: int | None
    step: int | None


class Index(NamedTuple):
    target: object
    indices: tuple  # whole numbers and Slices, as written
    span: Span


class Transpose(NamedTuple):
    target: object
    span: Span


class Statement(NamedTuple):
    """`kind` is 'input', 'const', 'output' or 'assign'; `expr` may be None (`input x`, `output f`)."""

    kind: str
    name: str
    expr: object
    span: Span


class Def(NamedTuple):
    """`def NAME(PARAMS) = EXPR`, or `def NAME(PARAMS):` and an indented body ending in `return EXPR`.

    `body` holds the body's statements before the return (Statements of kind 'assign', and Fors);
    `result` is the returned expression; `calls` the calls in the body of functions that are not
    built in, for the checks of recursion and of arguments."""

    name: str
    params: tuple          # the parameter names, in order
    body: tuple
    result: object
    calls: tuple           # ((function name, span of the call, number of arguments), …)
    span: Span             # the function's name in the def line


class For(NamedTuple):
    """`for VAR in START..STOP:` and a body (on the same line, or indented below): unrolled, one
    group instance per iteration, VAR a whole number from START to STOP (both included)."""

    var: str
    start: object          # expressions, evaluated when the file is read (whole numbers)
    stop: object
    body: tuple
    span: Span             # the loop variable in the for line
