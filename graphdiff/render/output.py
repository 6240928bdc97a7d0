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

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
DEFAULT_DPI = 200
MAX_PX = 4096            # longest side of a PNG at the default resolution (a 4K slide)
MAX_PX_EXPLICIT = 16384  # … when the user chose --dpi


def format_of(path, *, allowed=FORMATS) -> str:
    """The output format named by a path's extension (exit 2 with the choices otherwise)."""
    ext = Path(path).suffix.lower()
    if ext == ".tex":
        raise GraphError("TikZ export (.tex) is not supported: Graphviz cannot size LaTeX labels "
                         "without a TeX installation",
                         hint="write a .pdf and include it with \\includegraphics (vector, fonts embedded)")
    if ext not in allowed:
        choices = ", ".join(sorted(set(allowed) - {".gv"}))
        what = f"'{ext}'" if ext else "no extension"
        raise GraphError(f"cannot tell the output format of '{path}' ({what}): use one of {choices}")
    return allowed[ext]


MISSING_DOT = ("Graphviz's 'dot' program is not installed (or not on PATH), so no {fmt} can be drawn")
MISSING_HINT = "install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or write the DOT source with -o FILE.dot"


def pipe(dg: graphviz.Digraph, fmt: str, *, dpi: int | None = None, pinned: bool = False,
         max_px: int | None = None) -> bytes:
    """Run Graphviz on `dg` and return the drawing. `pinned` draws from fixed positions (neato -n2).

    PNG and PDF go through cairo; SVG through cairo too (`svg:cairo`): its glyphs are outlines,
    so subscripts and accents look the same in every viewer and slide program. A PNG's longest
    side is at most `max_px` (default MAX_PX, or MAX_PX_EXPLICIT when the caller chose the dpi).
    """
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
    kwargs = {"renderer": "cairo"} if fmt in ("png", "pdf", "svg") else {}
    if pinned:
        dg.engine = "neato"
        kwargs["neato_no_op"] = 2
    try:
        return dg.pipe(format=fmt, quiet=True, **kwargs)
    except graphviz.ExecutableNotFound:
        raise GraphError(MISSING_DOT.format(fmt=fmt.upper()), hint=MISSING_HINT) from None
    except subprocess.CalledProcessError as e:  # graphdiff wrote DOT that Graphviz rejects: our bug
        err = (e.stderr or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz failed on graphdiff's DOT ({fmt}): {err[:500]}") from None


def dot_available() -> bool:
    """Whether Graphviz can be run (graphviz.version() finds the `dot` binary)."""
    try:
        graphviz.version()
        return True
    except (graphviz.ExecutableNotFound, subprocess.CalledProcessError, OSError):
        return False


_ID = re.compile(r'\bid="([^"]+)"')


def unique_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every id (and its references) in an SVG, so several cairo SVGs can share one HTML
    page (a notebook) without their glyph definitions clashing."""
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return re.sub(r'(href="#|url\(#)([^")]+)',
                  lambda m: m.group(1) + (prefix + m.group(2) if m.group(2) in ids else m.group(2)), svg)
