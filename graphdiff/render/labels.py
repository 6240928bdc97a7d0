"""Pieces of Graphviz HTML-like labels: names with subscripts, numbers, arrays, derivatives.

Every function returns label markup (not plain text): user text is escaped here, once.
Graphviz rejects an empty <SUB></SUB>, so subscripts are only written when non-empty, and every
finished label goes through `html_label`, which writes `]` as a character reference (see there).
"""
from __future__ import annotations

import re
import warnings

import numpy as np

MINUS = "\u2212"
DOT_ABOVE = "\u0307"    # combining dot: v̇
MACRON = "\u0304"       # combining macron: v̄
INLINE_ENTRIES = 4      # a vector up to this many entries is written out on one line
GRID_ENTRIES = 9        # a matrix up to this many entries is written out as a grid (≤ 3 columns)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def esc(text: str) -> str:
    """Escape user text for an HTML-like label. Characters XML cannot hold at all (controls such
    as ESC, lone surrogates) are written as visible escapes (\\x1b)."""
    text = _NOT_XML.sub(lambda m: ascii(m.group())[1:-1], str(text))
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


_SPLIT = re.compile(r"^([A-Za-z])_?(\d+)$|^([A-Za-z])_([A-Za-z0-9]+)$")


def split_name(name: str) -> tuple[str, str]:
    """(base, subscript) of a display name: v12 → (v, 12), x_0 → (x, 0), W1 → (W, 1), loss → (loss, '')."""
    m = _SPLIT.match(name)
    if m:
        return (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return name, ""


def math_name(name: str, mark: str = "") -> str:
    """A node name set as mathematics: one letter italic, subscript digits, an optional accent.

    `mark` is DOT_ABOVE (tangent) or MACRON (adjoint). A multi-letter name takes the accent on
    a `v` with the name as subscript (an accent over a word reads badly).
    """
    base, sub = split_name(name)
    if len(base) > 1:
        if mark:
            base, sub = "v", name
        else:
            return esc(name)
    out = f"<I>{esc(base)}{mark}</I>"
    return out + (f"<SUB>{esc(sub)}</SUB>" if sub else "")


def partial_name(dst: str, src: str) -> str:
    """∂v_dst/∂v_src."""
    return f"∂{math_name(dst)}/∂{math_name(src)}"


def num(x, digits: int = 4) -> str:
    """A scalar for a slide: `digits` significant digits, a real minus sign, −0 as 0."""
    x = float(x) + 0.0
    if np.isnan(x):
        return "NaN"
    if np.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}·10<SUP>{int(exp)}</SUP>"
    return text.replace("-", MINUS)


def shape_text(shape) -> str:
    """3×2 for a matrix, 3 for a vector, 'scalar' for ()."""
    return "×".join(str(s) for s in shape) if shape else "scalar"


def value_range(a) -> tuple[float, float] | None:
    """(min, max) of an array's entries ignoring NaNs, or None when every entry is NaN (or none)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)    # "All-NaN slice encountered"
        lo, hi = np.nanmin(a), np.nanmax(a)
    return None if np.isnan(lo) else (float(lo), float(hi))


def value_text(v, *, digits: int = 4, grid: bool = True) -> str:
    """A value as label markup: a number, a short vector inline, a small matrix as a grid,
    otherwise its shape with its range (min…max)."""
    if v is None:
        return "—"
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return num(a, digits)
    if a.size == 0:
        return f"empty, {shape_text(a.shape)}"
    if a.ndim == 1 and a.size <= INLINE_ENTRIES:
        return "[" + ", ".join(num(x, 3) for x in a) + "]"
    if grid and a.ndim == 2 and a.size <= GRID_ENTRIES and a.shape[1] <= 3:
        return matrix_grid(a)
    r = value_range(a)
    if r is None:
        return f"{shape_text(a.shape)}, all NaN"
    nan = ", some NaN" if np.isnan(a).any() else ""
    return f"{shape_text(a.shape)} in [{num(r[0], 3)}, {num(r[1], 3)}]{nan}"


def value_plain(v, *, digits: int = 4) -> str:
    """A value on one line (no grid): for edge labels and captions."""
    return value_text(v, digits=digits, grid=False)


def matrix_grid(a) -> str:
    """A small matrix as a nested table, brackets drawn as the table's left and right rules."""
    rows = []
    for r, row in enumerate(a):
        cells = []
        for c, x in enumerate(row):
            sides = ("L" if c == 0 else "") + ("R" if c == len(row) - 1 else "")
            border = f' BORDER="1" SIDES="{sides}"' if sides else ""
            cells.append(f'<TD ALIGN="RIGHT"{border}>{num(x, 3)}</TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>")


def html_label(markup: str) -> str:
    """A finished label as a DOT HTML-like label: `<markup>`, with every `]` written `&#93;`.

    Graphviz (2.43 and others) hands a label to expat one piece at a time (a tag, or the text up
    to the next `<`) and expects each piece to produce one token. Expat holds back a text piece
    made only of `]` (it could start a `]]>`) and delivers it with the next piece, after the
    closing tag: the label's parser then meets text after `</TD>`/`</TABLE>` and rejects the
    label ("non-space string used after </TABLE>"). A value such as `[1, 1·10<SUP>308</SUP>]`
    ends in exactly such a piece. A character reference is decoded at once, so `&#93;` is safe.
    """
    return "<" + markup.replace("]", "&#93;") + ">"


def is_grid(markup: str) -> bool:
    return markup.startswith("<TABLE")


def font(text: str, *, size: float | None = None, color: str | None = None, face: str | None = None) -> str:
    """Wrap markup in a <FONT>; Graphviz needs the face named to pick up the serif glyphs."""
    attrs = ""
    if face:
        attrs += f' FACE="{face}"'
    if size:
        attrs += f' POINT-SIZE="{size:g}"'
    if color:
        attrs += f' COLOR="{color}"'
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text
