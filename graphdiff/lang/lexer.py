"""Tokens of the graph language, each with its span.

Math as written on paper is read as its ASCII form (UNICODE): `x − 1` is `x - 1`, `x · 3` and
`x × 3` and `x ⊙ 3` are `x * 3`, `Aᵀ` is `A.T`, `π` is `pi`; `√` is a prefix square root and a
superscript (`x²`, `x⁻¹`, `xⁿ`) a power, both handled by the parser. A token's `text` is its
ASCII form; its span covers what was written (`graphdiff fmt` reads the source through it).
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from ..source import GraphError, Source, Span

# The Unicode spellings the language reads, each exactly its ASCII form ('√' has none: it is the
# prefix form of sqrt(…)). The superscripts are the exponents of a power.
UNICODE = {"−": "-", "·": "*", "×": "*", "⊙": "*", "ᵀ": ".T", "π": "pi", "√": "√"}
SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
                "⁹": "9", "⁻": "-", "ⁿ": "n"}
_FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPTS)
TO_SUPERSCRIPT = str.maketrans({v: k for k, v in SUPERSCRIPTS.items()})

# Greek letters (π is the constant pi, never part of a name) and subscript digits, in names.
_GREEK = "\u0391-\u03A1\u03A3-\u03A9\u03B1-\u03BF\u03C1-\u03C9\u03D1\u03D5\u03F5"
_SUBSCRIPT_DIGITS = "\u2080-\u2089"

_NAME_CHARS = f"A-Za-z_0-9{_GREEK}{_SUBSCRIPT_DIGITS}"
_T = rf"\.T(?![{_NAME_CHARS}])"   # the transpose .T (so x.T², 2.T, but not x.Tx or 2.T2)

_TOKEN = re.compile(rf"""
    (?P<ws>[ \t\f\v]+) | (?P<comment>\#[^\n]*) | (?P<newline>\n|;)
  | (?P<number>(?:[0-9]+(?:(?!{_T})\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_{_GREEK}][{_NAME_CHARS}]*)
  | (?P<op>[-+/@^()\[\],:]|\*\*?|{_T}|[<>=]=?|!=)
  | (?P<unicode>[−·×⊙ᵀπ√])
  | (?P<sup>⁻?(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|ⁿ))
  | (?P<bad>.)
""", re.VERBOSE | re.DOTALL)


def describe_char(ch: str) -> str:
    """A character for an error message: itself (when printable), its code point and its name,
    e.g. '∂' (U+2202 PARTIAL DIFFERENTIAL)."""
    shown = repr(ch) if ch.isprintable() else "a control character"
    name = unicodedata.name(ch, "")
    return f"{shown} (U+{ord(ch):04X}{' ' + name if name else ''})"


# Characters the language does not read, and what to write instead.
INSTEAD = {
    "÷": "/", "∕": "/", "⁄": "/", "≤": "<=", "⩽": "<=", "≥": ">=", "⩾": ">=", "≠": "!=", "≡": "==",
    "∗": "* (or ·)", "⋅": "* (or ·, U+00B7)", "∙": "* (or ·, U+00B7)", "•": "* (or ·, U+00B7)",
    "–": "- (or −, U+2212)", "—": "- (or −, U+2212)", "‐": "- (or −, U+2212)", "‑": "- (or −, U+2212)",
    "∑": "sum(…)", "∏": "prod(…)", "‖": "norm(…)", "∣": "abs(…)", "∛": "x^(1/3)",
    "′": "a new name (x2, x_new): names hold no primes", "'": "a new name (x2, x_new): names hold no primes",
    "\u00a0": "an ordinary space", "\u200b": "nothing (a zero-width space)", "\u3000": "an ordinary space",
    "∂": "the function itself: graphdiff differentiates it (grad, trace, tui)",
    "∇": "the function itself: graphdiff differentiates it (grad, trace, tui)",
    "⁺": "x^… (superscripts are read for digits, ⁻ and ⁿ only)",
    "∞": "a large number such as 1e308 (there is no infinity literal)",
    "!": "!= for 'not equal' (there is no 'not'; use 1 - cond)",
}


def instead(ch: str) -> str | None:
    """What to write instead of a character the language does not read, or None."""
    if ch in INSTEAD:
        return f"write {INSTEAD[ch]}"
    if ch.isdigit() and not ch.isascii():
        return f"write the ASCII digit {unicodedata.digit(ch)}"
    name = unicodedata.name(ch, "")
    if "SUPERSCRIPT" in name or "MODIFIER LETTER SMALL" in name:
        return "write x^…: superscripts are read for digits, ⁻ and ⁿ only (x², x⁻¹, xⁿ)"
    if "SUBSCRIPT" in name:
        return "names take subscript digits only (x₁): write x_i as a name, or x[i] for an entry"
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch and len(folded) == 1 and (folded.isascii() or _TOKEN.fullmatch(folded).lastgroup != "bad"):
        return f"write {describe_char(folded)}"
    if ch.isalpha():
        return "names are written with ASCII letters, _, Greek letters, digits and subscript digits (α, x₁)"
    return None


class Token(NamedTuple):
    kind: str  # 'number' 'name' 'op' 'sup' (a superscript exponent) 'newline' 'eof'
    text: str  # the ASCII form ('2', '-1' or 'n' for a superscript)
    span: Span


def tokenize(src: Source) -> list[Token]:
    """Split source text into tokens; newlines inside brackets continue the statement.

    The text is expected normalized (source.normalize): "\n" is the only line end. One regular
    expression walks the whole text; a token keeps its offset (its line and column are found only
    for an error). A bracket still open at the end of the text is an error at that bracket."""
    tokens: list[Token] = []
    append = tokens.append
    opened: list[int] = []   # offsets of the brackets open at this point
    last = None   # kind of the last token appended
    for m in _TOKEN.finditer(src.text):
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        tok = m.group()
        if kind == "newline":
            if not opened and last is not None and last != "newline":
                append(Token("newline", tok, Span(src, m.start(), 1)))
                last = "newline"
            continue
        if kind == "op":
            if tok == "(" or tok == "[":
                opened.append(m.start())
            elif (tok == ")" or tok == "]") and opened:
                opened.pop()
        elif kind != "name" and kind != "number":
            if kind == "bad":
                raise GraphError(f"unexpected character {describe_char(tok)}", Span(src, m.start()),
                                 hint=instead(tok))
            if kind == "sup":
                tok = tok.translate(_FROM_SUPERSCRIPT)
            else:
                tok = UNICODE[tok]
                kind = "name" if tok == "pi" else "op"
            append(Token(kind, tok, Span(src, m.start(), m.end() - m.start())))
            last = kind
            continue
        append(Token(kind, tok, Span(src, m.start(), len(tok))))
        last = kind
    if opened:
        ch = src.text[opened[-1]]
        raise GraphError(f"'{ch}' was never closed", Span(src, opened[-1]),
                         hint=f"close it with '{')' if ch == '(' else ']'}'")
    append(Token("eof", "", Span(src, len(src.text), 1)))
    return tokens
