"""Tokens of the graph language: parallel arrays of kinds, texts and offsets (a Token with its
Span is made only when asked for: an error, `graphdiff fmt`).

Math as written on paper is read as its ASCII form (UNICODE): `x − 1` is `x - 1`, `x · 3` and
`x × 3` and `x ⊙ 3` are `x * 3`, `Aᵀ` is `A.T`, `π` is `pi`; `√` is a prefix square root and a
superscript (`x²`, `x⁻¹`, `xⁿ`) a power, both handled by the parser. A token's `text` is its
ASCII form; its span covers what was written (`graphdiff fmt` reads the source through it).
"""
from __future__ import annotations

import re
import unicodedata
from array import array
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

# A token takes the spaces after it, so one match is one token; only spaces at the very start of
# the text and comments are matches of their own. The most frequent kinds are tried first (an op
# before a number: no op matches where a number starts, `.5` included).
_TOKEN = re.compile(rf"""
    (?: (?P<name>[A-Za-z_{_GREEK}][{_NAME_CHARS}]*)
      | (?P<op>[-+/@^()\[\],:]|\*\*?|{_T}|\.\.|[<>=]=?|!=)
      | (?P<number>(?:[0-9]+(?:(?!{_T}|\.\.)\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
      | (?P<newline>\n|;)
      | (?P<unicode>[−·×⊙ᵀπ√])
      | (?P<sup>⁻?(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|ⁿ))
    )[ \t\f\v]*
  | (?P<ws>[ \t\f\v]+) | (?P<comment>\#[^\n]*)
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
    kind: str  # 'number' 'name' 'op' 'sup' (a superscript exponent) 'newline' 'eof'; `..` (a loop's
               # range, 1..30) is an op, and a number never takes its first dot
    text: str  # the ASCII form ('2', '-1' or 'n' for a superscript)
    span: Span


class Tokens:
    """The tokens of a source, as parallel arrays: `kinds`, `texts` (the ASCII forms) and `starts`
    (character offsets). A token's length in the source is the length of its text, but where
    `widths` says otherwise (ᵀ read as .T, π as pi, and the end of the file). No Token nor Span is
    made per token: `tokens[k]` makes token k's, when an error or `graphdiff fmt` asks for it."""

    __slots__ = ("src", "kinds", "texts", "starts", "widths")

    def __init__(self, src: Source):
        self.src = src
        self.kinds: list[str] = []
        self.texts: list[str] = []
        self.starts = array("q")
        self.widths: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.kinds)

    def width(self, k: int) -> int:
        """How many characters of the source token k covers."""
        w = self.widths.get(k)
        return len(self.texts[k]) if w is None else w

    def span(self, k: int) -> Span:
        return Span(self.src, self.starts[k], self.width(k))

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self.kinds)))]
        if k < 0:
            k += len(self.kinds)
        return Token(self.kinds[k], self.texts[k], self.span(k))

    def __iter__(self):
        return (self[k] for k in range(len(self.kinds)))


def tokenize(src: Source) -> Tokens:
    """Split source text into tokens; newlines inside brackets continue the statement.

    The text is expected normalized (source.normalize): "\n" is the only line end. One regular
    expression walks the whole text, a match a token (with the spaces after it); a token keeps its
    offset (its line and column are found only for an error). A bracket still open at the end of
    the text is an error at that bracket."""
    tokens = Tokens(src)
    kinds, texts, starts, widths = tokens.kinds, tokens.texts, tokens.starts, tokens.widths
    add_kind, add_text, add_start = kinds.append, texts.append, starts.append
    opened: list[int] = []   # offsets of the brackets open at this point
    for m in _TOKEN.finditer(src.text):
        kind = m.lastgroup
        if kind == "name" or kind == "number":
            add_kind(kind)
            add_text(m.group(kind))
            add_start(m.start())
            continue
        if kind == "op":
            tok = m.group(kind)
            if tok == "(" or tok == "[":
                opened.append(m.start())
            elif (tok == ")" or tok == "]") and opened:
                opened.pop()
            add_kind(kind)
            add_text(tok)
            add_start(m.start())
            continue
        if kind == "newline":
            if not opened and kinds and kinds[-1] != "newline":
                add_kind(kind)
                add_text(m.group(kind))
                add_start(m.start())
            continue
        if kind == "ws" or kind == "comment":
            continue
        tok = m.group(kind)
        if kind == "bad":
            raise GraphError(f"unexpected character {describe_char(tok)}", Span(src, m.start()),
                             hint=instead(tok))
        if kind == "sup":
            tok = tok.translate(_FROM_SUPERSCRIPT)   # as long as what was written
        else:
            written = len(tok)
            tok = UNICODE[tok]
            kind = "name" if tok == "pi" else "op"
            if len(tok) != written:
                widths[len(kinds)] = written
        add_kind(kind)
        add_text(tok)
        add_start(m.start())
    if opened:
        ch = src.text[opened[-1]]
        raise GraphError(f"'{ch}' was never closed", Span(src, opened[-1]),
                         hint=f"close it with '{')' if ch == '(' else ']'}'")
    widths[len(kinds)] = 1
    add_kind("eof")
    add_text("")
    add_start(len(src.text))
    return tokens
