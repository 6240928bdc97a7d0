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
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)


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

    The text is expected normalized (source.normalize): "\n" is the only line end. One regular
    expression walks the whole text; a token keeps its offset (its line and column are found only
    for an error)."""
    tokens: list[Token] = []
    append = tokens.append
    depth = 0
    last = None   # kind of the last token appended
    for m in _TOKEN.finditer(src.text):
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        tok = m.group()
        if kind == "newline":
            if depth == 0 and last is not None and last != "newline":
                append(Token("newline", tok, Span(src, m.start(), 1)))
                last = "newline"
            continue
        if kind == "bad":
            raise GraphError(f"unexpected character {describe_char(tok)}", Span(src, m.start()))
        if kind == "op":
            if tok == "(" or tok == "[":
                depth += 1
            elif (tok == ")" or tok == "]") and depth:
                depth -= 1
        append(Token(kind, tok, Span(src, m.start(), len(tok))))
        last = kind
    append(Token("eof", "", Span(src, len(src.text), 1)))
    return tokens
