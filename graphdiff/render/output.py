"""Running Graphviz and writing files: formats from extensions, atomic writes, clear errors.

Every file is written to a temporary name in its target folder and renamed into place, so a
failure (a missing `dot`, a full disk, Ctrl-C) never leaves a partial picture behind.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import graphviz

from ..files import check_target, write_atomic  # noqa: F401  (render's writers)
from ..source import GraphError

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot", ".tex": "tex"}
DEFAULT_DPI = 200
MAX_PX = 4096            # longest side of a PNG at the default resolution (a 4K slide)
MAX_PX_EXPLICIT = 16384  # … when the user chose --dpi


def format_of(path, *, allowed=FORMATS) -> str:
    """The output format named by a path's extension (exit 2 with the choices otherwise)."""
    ext = Path(path).suffix.lower()
    if ext not in allowed:
        choices = ", ".join(sorted(set(allowed) - {".gv"}))
        what = f"'{ext}'" if ext else "no extension"
        raise GraphError(f"cannot tell the output format of '{path}' ({what}): use one of {choices}")
    return allowed[ext]


MISSING_DOT = ("Graphviz's 'dot' program is not installed (or not on PATH), so no {fmt} can be drawn")
MISSING_HINT = "install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or write the DOT source with -o FILE.dot"


# Graphviz's format argument per output: SVG by the core renderer (labels stay <text>, selectable
# and searchable, and the file is smaller than cairo's outlines); PNG and PDF through cairo.
RENDERERS = {"svg": "svg:svg:core", "png": "png:cairo:cairo", "pdf": "pdf:cairo:cairo",
             "json0": "json0", "dot": "dot", "plain": "plain"}


def pipe(dg: graphviz.Digraph, fmt: str, *, dpi: int | None = None, pinned: bool = False,
         max_px: int | None = None, budget: float | None = None) -> bytes:
    """Run Graphviz on `dg` and return the drawing. `pinned` draws from fixed positions (neato -n2).

    Layout runs in bounded time (`effort.run_layout`: effort from the graph's shape, a time
    limit, a fallback); drawing from pinned positions is linear and has a time limit too. A PNG's
    longest side is at most `max_px` (default MAX_PX, or MAX_PX_EXPLICIT when the caller chose
    the dpi). SVG keeps its text as <text> (see `svg_text`).
    """
    from .effort import DRAW_TIMEOUT_S, LayoutTimeout, run_tool, run_layout
    if max_px is None:
        max_px = MAX_PX_EXPLICIT if dpi else MAX_PX
    if fmt == "dot":
        return dg.source.encode("utf-8")
    dg = dg.copy()
    if fmt == "png":
        dpi = dpi or DEFAULT_DPI
        # Graphviz's `size` scales a drawing down to fit: a big graph at full dpi would make a
        # huge, slow image (cairo stops at 32,767 px), so the longest side stays within max_px.
        side = max_px / dpi
        dg.attr(dpi=str(dpi), size=f"{side:.3f},{side:.3f}")
    target = RENDERERS[fmt]
    if pinned:
        try:
            out = run_tool(["neato", "-n2", f"-T{target}"], dg.source.encode("utf-8"), DRAW_TIMEOUT_S)
        except LayoutTimeout:
            raise GraphError(f"Graphviz took more than {DRAW_TIMEOUT_S:.0f} s to draw one picture from "
                             "fixed positions; the graph is too large to draw") from None
    else:
        out = run_layout(dg.source, target, budget=budget).data
    return svg_text(out) if fmt == "svg" else out


# Fonts that have every glyph graphdiff writes (subscripts, v̄, v̇, √, ⊙, ᵀ, ∂, ‖, −): Graphviz
# measured the text in DejaVu Serif; the others are close fallbacks for viewers without it.
SVG_FONTS = "'DejaVu Serif','STIX Two Math','Cambria Math',serif"


SUB_SCALE = 1 / 1.2              # what Pango (and so the PNG and PDF) does for <SUB>/<SUP>
SUB_DROP, SUP_RISE = 0.22, 0.38   # baseline shifts, in ems of the surrounding text
_TEXT = re.compile(rb"<text ([^>]*)>([^<]*)</text>")
_EDGE_SPACES = re.compile(rb"^ +| +$|(?<= ) ")
_ATTR = re.compile(rb'([\w:-]+)="([^"]*)"')


def _text_tag(m) -> bytes:
    attrs = dict(_ATTR.findall(m.group(1)))
    if b"font-family" in attrs:
        attrs[b"font-family"] = SVG_FONTS.encode("utf-8")
    shift = attrs.pop(b"baseline-shift", None)
    if shift in (b"sub", b"super") and b"font-size" in attrs and b"y" in attrs:
        size = float(attrs[b"font-size"])
        y = float(attrs[b"y"]) + (SUB_DROP if shift == b"sub" else -SUP_RISE) * size
        attrs[b"y"] = f"{y:.2f}".encode()
        attrs[b"font-size"] = f"{size * SUB_SCALE:.2f}".encode()
    text = _EDGE_SPACES.sub(lambda s: b"&#160;" * len(s.group(0)), m.group(2))
    return b"<text " + b" ".join(k + b'="' + v + b'"' for k, v in attrs.items()) + b">" + text + b"</text>"


def svg_text(svg: bytes) -> bytes:
    """Graphviz's core SVG made to look like its PNG and PDF: a font stack in place of the one
    font name, subscripts and superscripts smaller and shifted (Graphviz writes `baseline-shift`,
    which browsers do not apply to <text>), and leading, trailing and repeated spaces as no-break
    spaces (SVG viewers collapse them; Graphviz measured them)."""
    return _TEXT.sub(_text_tag, svg)


def dot_available() -> bool:
    """Whether Graphviz can be run (graphviz.version() finds the `dot` binary)."""
    try:
        graphviz.version()
        return True
    except (graphviz.ExecutableNotFound, subprocess.CalledProcessError, OSError):
        return False


_ID = re.compile(r'\bid="([^"]+)"')


def unique_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and its references) in an SVG, so several SVGs can share one HTML page
    (a notebook) without their ids clashing."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return re.sub(r'(href="#|url\(#)([^")]+)',
                  lambda m: m.group(1) + (prefix + m.group(2) if m.group(2) in ids else m.group(2)), svg)
