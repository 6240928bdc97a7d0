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
from itertools import accumulate, islice, repeat
from operator import attrgetter
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


_CHUNK = 2048          # matches taken at a time
_DEPTH = {"(": 1, "[": 1, ")": -1, "]": -1}   # how a token's text changes the number of brackets open
_ZEROS = repeat(0)
_COMMON = frozenset(("name", "number", "op", "newline"))   # the kinds of match besides the rare ones
_kind_of = attrgetter("lastgroup")
_group, _start = re.Match.group, re.Match.start


def tokenize(src: Source) -> Tokens:
    """Split source text into tokens; newlines inside brackets continue the statement.

    The text is expected normalized (source.normalize): "\n" is the only line end. One regular
    expression walks the whole text, a match a token (with the spaces after it); a token keeps its
    offset (its line and column are found only for an error). A bracket still open at the end of
    the text is an error at that bracket.

    The matches are taken a chunk at a time, and their kinds, texts and offsets read with map (a
    loop in C, not in Python: the tokens are most of the work of reading a large file); then only
    the line ends and the rare matches (spaces, comments, Unicode, superscripts, a bad character)
    are looked at one by one. A line end is kept where no bracket is open (the number open before
    each token is a running sum) and it does not follow another (or start the file)."""
    tokens = Tokens(src)
    kinds, texts, starts, widths = tokens.kinds, tokens.texts, tokens.starts, tokens.widths
    depth = 0           # brackets open
    matches = _TOKEN.finditer(src.text)
    while True:
        ms = list(islice(matches, _CHUNK))
        if not ms:
            break
        ks = list(map(_kind_of, ms))
        ts = list(map(_group, ms, ks))
        ss = list(map(_start, ms))
        depths = list(accumulate(map(_DEPTH.get, ts, _ZEROS), initial=depth))   # open before each token
        if min(depths) < 0:      # a closing bracket with none open: it closes nothing
            depths = _clamped(ts, depth)
        depth = depths[-1]
        special = _positions(ks, "newline")
        rare = set(ks) - _COMMON
        if rare:
            for kind in rare:
                special += _positions(ks, kind)
            special.sort()
        drops = []       # the positions of the matches that are no tokens
        line_end = not kinds or kinds[-1] == "newline"   # the last token kept ends a line (or there is none)
        prev = -1
        for i in special:
            if i != prev + 1:    # a name, a number or an op in between
                line_end = False
            prev = i
            kind = ks[i]
            if kind == "newline":
                if line_end or depths[i]:
                    drops.append(i)
                else:
                    line_end = True
            elif kind == "ws" or kind == "comment":
                drops.append(i)
            elif kind == "bad":
                raise GraphError(f"unexpected character {describe_char(ts[i])}", Span(src, ss[i]),
                                 hint=instead(ts[i]))
            else:
                line_end = False
                if kind == "sup":
                    ts[i] = ts[i].translate(_FROM_SUPERSCRIPT)   # as long as what was written
                else:
                    written = ts[i]
                    ts[i] = tok = UNICODE[written]
                    ks[i] = "name" if tok == "pi" else "op"
                    if len(tok) != len(written):
                        widths[len(kinds) + i - len(drops)] = len(written)
        for i in reversed(drops):
            del ks[i], ts[i], ss[i]
        kinds += ks
        texts += ts
        starts.extend(ss)
    if depth:
        opened = _clamped(texts, 0, opened=True)
        ch = src.text[starts[opened[-1]]]
        raise GraphError(f"'{ch}' was never closed", Span(src, starts[opened[-1]]),
                         hint=f"close it with '{')' if ch == '(' else ']'}'")
    widths[len(kinds)] = 1
    kinds.append("eof")
    texts.append("")
    starts.append(len(src.text))
    return tokens


def _positions(items: list, item) -> list[int]:
    """Where item is in a list, in order."""
    found, i = [], -1
    try:
        while True:
            i = items.index(item, i + 1)
            found.append(i)
    except ValueError:
        return found


def _clamped(texts: list, depth: int, *, opened: bool = False) -> list:
    """The number of brackets open before each token and after the last (`opened`: the positions
    of the brackets open after the last, instead), where a closing bracket closes one if one is open
    (and else nothing: the parser reports it)."""
    stack = [-1] * depth
    depths = [depth]
    for i, t in enumerate(texts):
        d = _DEPTH.get(t)
        if d == 1:
            stack.append(i)
        elif d == -1 and stack:
            stack.pop()
        depths.append(len(stack))
    return stack if opened else depths
