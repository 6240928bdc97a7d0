"""The graph language: text → tokens (lexer) → statements of syntax nodes (parser, syntax) →
a hash-consed Graph (lower). A .gd file is parsed, never executed."""
from .lower import build_graph
from .parser import parse_literal, parse_statements

__all__ = ["build_graph", "parse_literal", "parse_statements"]
