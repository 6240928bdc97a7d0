"""Tokens of the graph language, each with its span."""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from ..source import GraphError, Source, Span

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\f\v]+) | (?P<comment>\#[^\n]*) | (?P<newline>\n|;)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|\.T\b|[-+*/@^()\[\],=])
""", re.VERBOSE)


def describe_char(ch: str) -> str:
    """A character for an error message: itself (when printable), its code point and its name,
    e.g. '∂' (U+2202 PARTIAL DIFFERENTIAL)."""
    shown = repr(ch) if ch.isprintable() else "a control character"
    name = unicodedata.name(ch, "")
    return f"{shown} (U+{ord(ch):04X}{' ' + name if name else ''})"


class Token(NamedTuple):
    kind: str  # 'number' 'name' 'op' 'newline' 'eof'
    text: str
    span: Span


def tokenize(src: Source) -> list[Token]:
    """Split source text into tokens; newlines inside brackets continue the statement.

    The text is expected normalized (source.normalize): "\n" is the only line end."""
    tokens: list[Token] = []
    text, pos, line, line_start, depth = src.text, 0, 1, 0, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if m is None:
            raise GraphError(f"unexpected character {describe_char(text[pos])}", Span(src, line, col))
        kind, tok = m.lastgroup, m.group()
        span = Span(src, line, col, len(tok))
        if kind == "newline":
            if depth == 0 and (not tokens or tokens[-1].kind != "newline"):
                tokens.append(Token("newline", tok, span))
            if tok == "\n":
                line, line_start = line + 1, m.end()
        elif kind == "op":
            if tok in ("(", "["):
                depth += 1
            elif tok in (")", "]"):
                depth = max(depth - 1, 0)
            tokens.append(Token("op", tok, span))
        elif kind in ("number", "name"):
            tokens.append(Token(kind, tok, span))
        pos = m.end()
    col = pos - line_start + 1
    tokens.append(Token("eof", "", Span(src, line, max(col, 1))))
    return tokens
