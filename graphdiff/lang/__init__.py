"""The graph language: text → tokens (lexer) → statements of syntax nodes (parser, with its part
for def and for in blocks; the syntax tables in grammar; the nodes in syntax) → a hash-consed
Graph (lower: calls of the file's functions inlined as groups, loops unrolled). A .gd file is
parsed, never executed."""
from .lower import build_graph
from .parser import parse_literal, parse_statements

__all__ = ["build_graph", "parse_literal", "parse_statements"]
