"""`--fit 16:9|4:3|WxH`: pictures that fill a slide's frame without distortion.

A picture is laid out left-to-right and top-to-bottom (unless the rank direction is given); for
each, the spacing between ranks or between the nodes of a rank is widened toward the frame's
aspect, and the direction whose text comes out larger wins. That layout is then pinned and
drawn with padding that makes its page exactly the frame's aspect, and the file is sized to the
frame: SVG by its width and height, PNG in pixels, PDF by scaling the page. Frames of a sweep
share one layout and one page size.

Readability: at the frame's scale, label text (the 12-pt names, values and derivatives) must be
at least MIN_TEXT_PX pixels tall on a 1920×1080 slide; otherwise the command says it cannot
fit and suggests drawing less.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from ..source import GraphError
from .build import NODESEP, PAD, RANKSEP

PRESETS = {"16:9": {"px": (1920, 1080), "pt": (960, 540)},   # a 13.33 × 7.5 in slide
           "4:3": {"px": (1440, 1080), "pt": (720, 540)}}    # a 10 × 7.5 in slide
UNITS = {"px": 1.0, "pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}
MIN_TEXT_PX = 10.0       # 12-pt label text, on a 1920×1080 slide
LABEL_PT = 12.0
SLIDE = (1920, 1080)
MAX_NODESEP, MAX_RANKSEP = 1.5, 2.5     # inches: wider spacing stops reading as one graph


@dataclass(frozen=True)
class Frame:
    """The box a picture must fill: width and height in px (PNG) or pt (PDF, SVG, TikZ)."""

    width: float
    height: float
    unit: str
    text: str

    @property
    def aspect(self) -> float:
        return self.width / self.height


def parse_fit(text: str, fmt: str) -> Frame:
    """`16:9`, `4:3` (a 1920×1080 / 1440×1080 px PNG, a 960×540 / 720×540 pt page), or `WxH`
    with an optional unit (px for PNG; pt, in, cm or mm for PDF, SVG and TikZ; pt by default)."""
    raster = fmt in ("png", "gif")
    t = text.strip().lower()
    if t in PRESETS:
        w, h = PRESETS[t]["px" if raster else "pt"]
        return Frame(w, h, "px" if raster else "pt", t)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*([a-z]*)", t)
    if not m:
        raise GraphError(f"bad --fit '{text}': expected 16:9, 4:3 or WIDTHxHEIGHT (e.g. 1280x720)")
    w, h, unit = float(m.group(1)), float(m.group(2)), m.group(3) or ("px" if raster else "pt")
    if unit not in UNITS:
        raise GraphError(f"bad --fit unit '{unit}': expected px, pt, in, cm or mm")
    if raster and unit != "px":
        raise GraphError(f"--fit for a {fmt.upper()} is in pixels (e.g. 1920x1080), not {unit}")
    if unit == "px" and not raster:
        unit, w, h = "pt", w * 0.75, h * 0.75          # CSS pixels
    else:
        w, h = w * UNITS[unit], h * UNITS[unit]
    if not (16 <= w <= 20000 and 16 <= h <= 20000):
        raise GraphError(f"--fit {text} is out of range (16 to 20000 on each side)")
    return Frame(w, h, "px" if raster else "pt", t)


# ------------------------------------------------------------------ choosing the layout

@dataclass
class Fitted:
    """A layout chosen for a frame: its rank direction, spacing, and json0 document."""

    rankdir: str
    nodesep: float
    ranksep: float
    doc: dict

    @property
    def size(self) -> tuple[float, float]:
        return bb_size(self.doc)


def bb_size(doc: dict) -> tuple[float, float]:
    x0, y0, x1, y1 = (float(v) for v in doc["bb"].split(","))
    return x1 - x0, y1 - y0


def _gaps(doc: dict, rankdir: str) -> tuple[int, int]:
    """(gaps between ranks, most gaps between the nodes of one rank) of a laid-out picture."""
    axis = 0 if rankdir in ("LR", "RL") else 1
    ranks: dict[int, int] = {}
    for o in doc.get("objects", ()):
        if "pos" in o and o.get("name", "")[:1] in ("n", "l"):
            key = round(float(o["pos"].split(",")[axis]) / 4)
            ranks[key] = ranks.get(key, 0) + 1
    return max(len(ranks) - 1, 1), max(max(ranks.values(), default=1) - 1, 1)


def _stretch(w, h, doc, rankdir, aspect):
    """Spacing (nodesep, ranksep) that brings a layout of w×h pt toward `aspect`, and the size
    it predicts."""
    along, across = _gaps(doc, rankdir)
    lr = rankdir in ("LR", "RL")
    nodesep, ranksep = NODESEP, RANKSEP
    if w / h > aspect:                     # too wide: more height
        extra = w / aspect - h
        if lr:
            nodesep = min(MAX_NODESEP, NODESEP + extra / across / 72)
            h += (nodesep - NODESEP) * 72 * across
        else:
            ranksep = min(MAX_RANKSEP, RANKSEP + extra / along / 72)
            h += (ranksep - RANKSEP) * 72 * along
    else:                                  # too tall: more width
        extra = h * aspect - w
        if lr:
            ranksep = min(MAX_RANKSEP, RANKSEP + extra / along / 72)
            w += (ranksep - RANKSEP) * 72 * along
        else:
            nodesep = min(MAX_NODESEP, NODESEP + extra / across / 72)
            w += (nodesep - NODESEP) * 72 * across
    return nodesep, ranksep, w, h


def scale_in(frame_w, frame_h, w, h) -> float:
    """Frame units per point when a w×h pt drawing (plus padding) fills the frame."""
    pad = 2 * PAD * 72
    return min(frame_w / (w + pad), frame_h / (h + pad))


def choose_layout(build, frame: Frame, *, rankdirs=("LR", "TB")) -> Fitted:
    """The layout that fills `frame` best. `build(rankdir=, nodesep=, ranksep=)` gives the DOT.

    The candidates are laid out by one Graphviz process (small graphs cost mostly its start).
    """
    from .effort import layout_many
    docs = layout_many([build(rankdir=rd, nodesep=NODESEP, ranksep=RANKSEP).source for rd in rankdirs])
    best = None
    for rd, doc in zip(rankdirs, docs):
        w, h = bb_size(doc)
        nodesep, ranksep, w2, h2 = _stretch(w, h, doc, rd, frame.aspect)
        score = scale_in(frame.width, frame.height, w2, h2)
        if best is None or score > best[0] * 1.02:          # LR wins near-ties (reads as the text does)
            best = (score, Fitted(rd, nodesep, ranksep, doc), (nodesep, ranksep) != (NODESEP, RANKSEP))
    _, fitted, restretch = best
    if restretch:
        fitted.doc = layout_many([build(rankdir=fitted.rankdir, nodesep=fitted.nodesep,
                                        ranksep=fitted.ranksep).source])[0]
    return fitted


def check_readable(size: tuple[float, float], frame: Frame) -> float:
    """The label text's height in px on a 1920×1080 slide at this frame's aspect; GraphError when
    it is below MIN_TEXT_PX."""
    w, h = padded(size, frame.aspect)
    slide_w, slide_h = SLIDE
    # the frame's aspect inside a 1920×1080 slide, as large as it goes
    box_w = min(slide_w, slide_h * frame.aspect)
    px = LABEL_PT * box_w / w
    if px < MIN_TEXT_PX:
        raise GraphError(
            f"cannot fit this picture in {frame.text} with readable text: its {LABEL_PT:g}-pt labels would be "
            f"{px:.1f} px tall on a 1920×1080 slide (at least {MIN_TEXT_PX:g} px needed; the drawing is "
            f"{size[0]:.0f}×{size[1]:.0f} pt)",
            hint="draw less: --focus NAME[:K] draws the part of the graph around a node, --split-leaves all "
                 "draws shared inputs beside their uses (collapsed groups, where the file has them, too); "
                 "or leave out --fit")
    return px


# ------------------------------------------------------------------ the page at the frame's aspect

def padded(size: tuple[float, float], aspect: float | None) -> tuple[float, float]:
    """A w×h pt drawing's page with the standard padding, widened to `aspect` (if any)."""
    w, h = size[0] + 2 * PAD * 72, size[1] + 2 * PAD * 72
    if aspect:
        if w / h > aspect:
            h = w / aspect
        else:
            w = h * aspect
    return w, h


def pad_attr(size: tuple[float, float], page: tuple[float, float]) -> str:
    """Graphviz's `pad` (inches) that makes a w×h pt drawing exactly `page` pt."""
    return f"{(page[0] - size[0]) / 2 / 72:.4f},{(page[1] - size[1]) / 2 / 72:.4f}"


def finish(data: bytes, fmt: str, frame: Frame, background: str) -> bytes:
    """A drawing whose page already has the frame's aspect, sized to the frame exactly."""
    if fmt == "svg":
        unit = "pt" if frame.unit == "pt" else "px"
        return re.sub(rb'<svg width="[^"]*" height="[^"]*"',
                      f'<svg width="{frame.width:.2f}{unit}" height="{frame.height:.2f}{unit}"'.encode(), data, count=1)
    if fmt == "png":
        from PIL import Image
        im = Image.open(io.BytesIO(data)).convert("RGB")
        size = (round(frame.width), round(frame.height))
        if im.size != size:     # Graphviz rounds to whole pixels: at most a pixel or two off
            im = im.resize(size, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, format="PNG")
        return buf.getvalue()
    if fmt == "pdf":
        from pypdf import PdfWriter
        writer = PdfWriter(clone_from=io.BytesIO(data))
        for page in writer.pages:
            page.scale_to(frame.width, frame.height)
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()
    return data


def png_dpi(page: tuple[float, float], frame: Frame) -> float:
    """The resolution that draws a page of `page` pt at the frame's width in pixels."""
    return 72 * frame.width / page[0]
