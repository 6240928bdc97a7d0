"""The syntax tree of a .gd file: immutable nodes (named tuples: one is made for every token of
a large file), each with the span it came from."""
from __future__ import annotations

from typing import NamedTuple

from ..source import Span


class Num(NamedTuple):
    value: float
    span: Span


class Array(NamedTuple):
    """A vector or matrix literal; `value` is a nested tuple of floats."""

    value: tuple
    span: Span


class Name(NamedTuple):
    id: str
    span: Span


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
