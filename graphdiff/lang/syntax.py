"""The syntax tree of a .gd file: frozen nodes, each with the span it came from."""
from __future__ import annotations

from dataclasses import dataclass

from ..source import Span


@dataclass(frozen=True)
class Num:
    value: float
    span: Span


@dataclass(frozen=True)
class Array:
    """A vector or matrix literal; `value` is a nested tuple of floats."""

    value: tuple
    span: Span


@dataclass(frozen=True)
class Name:
    id: str
    span: Span


@dataclass(frozen=True)
class Unary:
    op: str  # 'neg'
    operand: object
    span: Span


@dataclass(frozen=True)
class Binary:
    op: str  # 'add' 'sub' 'mul' 'div' 'matmul' 'pow'
    left: object
    right: object
    span: Span


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple
    span: Span


@dataclass(frozen=True)
class Index:
    target: object
    indices: tuple  # of Num / Unary(neg, Num)
    span: Span


@dataclass(frozen=True)
class Transpose:
    target: object
    span: Span


@dataclass(frozen=True)
class Statement:
    """`kind` is 'input', 'const', 'output' or 'assign'; `expr` may be None (`input x`, `output f`)."""

    kind: str
    name: str
    expr: object
    span: Span
