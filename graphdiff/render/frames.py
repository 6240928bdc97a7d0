"""One picture per step of a sweep, with every node pinned where the first layout put it.

Graphviz lays the graph out once, with every label at its fullest (all derivatives written,
every edge carrying the largest term it will ever show). Each frame is then drawn by
`neato -n2` from those fixed positions and sizes: nothing moves between slides, and all frames
come out the same size. The GIF and the multi-page PDF are assembled from the frames.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..explain import stops
from ..source import GraphError
from .build import get_theme, to_dot
from .fit import parse_fit
from .output import DEFAULT_DPI, check_target, pipe, write_atomic

FRAME_FORMATS = ("png", "svg", "pdf", "dot")
GIF_DPI = 110   # a GIF is for screens and READMEs


def layout_pins(g, sweep, *, show=None, theme="light", rankdir="LR", split_leaves="auto", focus=None,
                collapse=None, repeats="auto") -> dict:
    """Lay the fullest picture out once; return pins: id -> {pos, width, height, ...}."""
    full = to_dot(g, sweep, None, show=show, theme=theme, rankdir=rankdir, complete=True,
                  split_leaves=split_leaves, focus=focus, collapse=collapse, repeats=repeats)
    return pins_from_json0(json.loads(pipe(full, "json0")))


def pins_from_json0(doc: dict) -> dict:
    """Pins (id -> {pos, width, height, ...}) from Graphviz's json0 of a laid-out picture."""
    pins = {}
    for o in doc.get("objects", ()):
        if "pos" not in o:
            if o.get("name", "").startswith("cluster") and "bb" in o:
                # a group's frame: neato -n2 draws a cluster only where its box is given
                pins[o["name"]] = {"bb": o["bb"], **({"lp": o["lp"]} if "lp" in o else {})}
            continue
        pin = {"pos": o["pos"] + "!"}
        if o["name"].startswith(("n", "l", "g")):   # nodes, leaf copies, collapsed groups: labels change between frames
            pin.update(width=o["width"], height=o["height"], fixedsize="true")
        pins[o["name"]] = pin
    for e in doc.get("edges", ()):
        pin = {"pos": e["pos"]}
        if "lp" in e:
            pin["lp"] = e["lp"]
        pins[e["id"]] = pin
    return pins


def frame_dots(g, sweep, *, show=None, theme="light", rankdir=None, pins=None, split_leaves="auto",
               fit=None, focus=None, collapse=None, repeats="auto") -> list:
    """The DOT picture of every step, pinned. With `fit` (a `fit.Frame`), the layout is the one
    that fills that frame best (rank direction and spacing chosen as for `render --fit`)."""
    spacing = {}
    if collapse is not None and not isinstance(collapse, (set, frozenset)):
        from .groups import collapse_set
        collapse = collapse_set(g, collapse)      # read once: every frame folds the same groups
    groups = {"collapse": collapse, "repeats": repeats}
    if pins is None and fit is not None:
        from .fit import check_readable, choose_layout
        full = lambda **kw: to_dot(g, sweep, None, show=show, theme=theme, complete=True,  # noqa: E731
                                   split_leaves=split_leaves, focus=focus, **groups, **kw)
        chosen = choose_layout(full, fit, rankdirs=(rankdir,) if rankdir else ("LR", "TB"))
        check_readable(chosen.size, fit)
        rankdir, pins = chosen.rankdir, pins_from_json0(chosen.doc)
        spacing = {"nodesep": chosen.nodesep, "ranksep": chosen.ranksep}
    rankdir = rankdir or "LR"
    if pins is None:
        pins = layout_pins(g, sweep, show=show, theme=theme, rankdir=rankdir, split_leaves=split_leaves, focus=focus,
                           **groups)
    return [to_dot(g, sweep, k, show=show, theme=theme, rankdir=rankdir, pins=pins, split_leaves=split_leaves,
                   focus=focus, **groups, **spacing) for k in stops(g, sweep)]   # a frame per step a person counts


def one_page_size(dots, *, aspect: float | None = None) -> tuple[float, float]:
    """Pad every frame to one page size (pt): the largest frame's, widened to `aspect` if given.

    A caption wider than the graph widens its frame; measured here (one `neato -n2 -Tjson0` run
    for all frames), every frame then gets the padding that brings it to the common page, so
    slides, GIF frames and PDF pages never change size.
    """
    from .effort import DRAW_TIMEOUT_S, run_tool, json_docs
    from .fit import bb_size, pad_attr, padded
    text = run_tool(["neato", "-n2", "-Tjson0"], "\n".join(d.source for d in dots).encode("utf-8"),
                DRAW_TIMEOUT_S * max(1, len(dots) // 50))
    sizes = [bb_size(doc) for doc in json_docs(text.decode("utf-8"))]
    page = padded((max(w for w, _ in sizes), max(h for _, h in sizes)), aspect)
    for d, size in zip(dots, sizes):
        d.attr(pad=pad_attr(size, page))
    return page


def draw_frames(dots, fmt: str, *, dpi=None, workers: int | None = None, page=None, frame=None,
                background="#ffffff") -> list[bytes]:
    """Draw pinned frames in parallel (each is one Graphviz process). With `frame` (a
    `fit.Frame`) and the common `page` size, each file is sized to the frame."""
    from . import fit
    workers = workers or min(8, os.cpu_count() or 1)
    kw = {"dpi": dpi}
    if frame is not None and fmt == "png":
        res = fit.png_dpi(page, frame)
        kw = {"dpi": res, "max_px": res * max(page) / 72 + 8}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        out = list(pool.map(lambda d: pipe(d, fmt, pinned=True, **kw), dots))
    if frame is not None:
        out = [fit.finish(b, fmt, frame, background) for b in out]
    return out


def frame_name(k: int, n: int, fmt: str) -> str:
    """frame-001.png …: zero-padded so that every slide tool sorts them in step order."""
    width = max(3, len(str(n)))
    return f"frame-{k + 1:0{width}d}.{fmt}"


def same_size_pngs(pngs: list[bytes], background: str) -> list:
    """The frames as Pillow images on one canvas size (a caption wider than the graph can
    widen a frame; pad the others, centred, so a GIF or a slide never jumps)."""
    from PIL import Image
    ims = [Image.open(io.BytesIO(b)).convert("RGB") for b in pngs]
    w = max(im.width for im in ims)
    h = max(im.height for im in ims)
    out = []
    for im in ims:
        if im.size != (w, h):
            canvas = Image.new("RGB", (w, h), background)
            canvas.paste(im, ((w - im.width) // 2, 0))
            im = canvas
        out.append(im)
    return out


def gif_bytes(images, *, delay_ms: int = 1200) -> bytes:
    """An animated GIF (looping), one frame per image, one shared palette.

    The palette comes from a strip of (up to 12) frames side by side, by octree: it keeps the
    few text and accent colours that median cut merges away, and one palette for all frames
    keeps colours from flickering between steps.
    """
    from PIL import Image
    pick = images if len(images) <= 12 else [images[round(k * (len(images) - 1) / 11)] for k in range(12)]
    strip = Image.new("RGB", (sum(im.width for im in pick), max(im.height for im in pick)))
    x = 0
    for im in pick:
        strip.paste(im, (x, 0))
        x += im.width
    palette = strip.quantize(colors=255, method=Image.Quantize.FASTOCTREE)
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=delay_ms,
                   loop=0, optimize=False, disposal=1)
    return buf.getvalue()


def pdf_bytes(pdfs: list[bytes]) -> bytes:
    """One multi-page PDF from one-page PDFs (pypdf)."""
    from pypdf import PdfReader, PdfWriter
    writer = PdfWriter()
    for b in pdfs:
        for page in PdfReader(io.BytesIO(b)).pages:
            writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def prepare_dir(path) -> Path:
    """The frames folder: created if missing (its parent must exist), refused if it is a file."""
    d = Path(path)
    if d.exists() and not d.is_dir():
        raise GraphError(f"cannot write frames into '{path}': it is a file, not a folder")
    if not d.exists():
        parent = d.parent if str(d.parent) else Path(".")
        if not parent.is_dir():
            raise GraphError(f"cannot create the frames folder '{path}': '{parent}' does not exist")
        try:
            d.mkdir()
        except OSError as e:
            raise GraphError(f"cannot create the frames folder '{path}': {e.strerror or e}") from None
    if not os.access(d, os.W_OK):
        raise GraphError(f"cannot write frames into '{path}': the folder is not writable")
    return d


def write_frames(g, sweep, outdir, *, fmt: str = "png", gif=None, pdf=None, show=None, theme="light",
                 rankdir: str | None = None, dpi: int | None = None, delay_ms: int = 1200,
                 split_leaves="auto", fit: str | None = None, focus: str | None = None,
                 collapse=None, repeats="auto") -> list[Path]:
    """Write one picture per step into `outdir` (and optionally a GIF and a PDF deck).

    All files are drawn first, into a temporary folder; only when every one succeeded are they
    moved into place, replacing the frames of an earlier run (`frame-*.<fmt>`).
    """
    if fmt not in FRAME_FORMATS:
        raise GraphError(f"unknown frame format '{fmt}' (expected {', '.join(FRAME_FORMATS)})")
    if not stops(g, sweep):
        raise GraphError("this sweep has no steps to draw")
    created = not Path(outdir).exists()
    d = prepare_dir(outdir)
    try:
        # Check every target before the (slow) drawing, so a typo fails at once (a GIF may go
        # into the frames' own folder, made just now).
        for target in (gif, pdf):
            if target is not None:
                check_target(target)
        th = get_theme(theme)
        frames = {f: parse_fit(fit, f) for f in ("png", "svg", "pdf")} if fit else {}
        dots = frame_dots(g, sweep, show=show, theme=th, rankdir=rankdir, split_leaves=split_leaves,
                          fit=frames.get(fmt if fmt != "dot" else "svg"), focus=focus,
                          collapse=collapse, repeats=repeats)
        page = one_page_size(dots, aspect=frames["svg"].aspect if fit else None) if fmt != "dot" or gif or pdf else None
        draw = lambda f, **kw: draw_frames(dots, f, page=page, frame=frames.get(f), background=th.background, **kw)  # noqa: E731
        n = len(dots)
        files = draw(fmt, dpi=dpi) if fmt != "dot" else [x.source.encode() for x in dots]
        if fmt == "png" and len({_size(b) for b in files}) > 1:
            files = [_png(im, dpi) for im in same_size_pngs(files, th.background)]
        gif_data = None
        if gif:
            # The GIF is for screens and READMEs: at most GIF_DPI, scaled down from the PNG frames
            # when there are some (cheaper than drawing again), else drawn at that resolution.
            png_dpi = dpi or DEFAULT_DPI
            gif_dpi = min(png_dpi, GIF_DPI)
            pngs = files if fmt == "png" else draw("png", dpi=gif_dpi)
            images = same_size_pngs(pngs, th.background)
            if fmt == "png" and gif_dpi < png_dpi:
                scale = gif_dpi / png_dpi
                from PIL import Image
                images = [im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.LANCZOS)
                          for im in images]
            gif_data = gif_bytes(images, delay_ms=delay_ms)
        pdfs = files if fmt == "pdf" else (draw("pdf") if pdf else None)
        pdf_data = pdf_bytes(pdfs) if pdf else None
    except BaseException:
        if created:
            shutil.rmtree(d, ignore_errors=True)   # nothing of ours is left behind
        raise

    tmp = Path(tempfile.mkdtemp(prefix=".frames.", dir=d))
    try:
        names = [frame_name(k, n, fmt) for k in range(n)]
        for name, data in zip(names, files):
            (tmp / name).write_bytes(data)
        for old in d.glob(f"frame-*.{fmt}"):
            if re.fullmatch(r"frame-\d+\." + fmt, old.name) and old.name not in names:
                old.unlink()
        out = []
        for name in names:
            os.replace(tmp / name, d / name)
            out.append(d / name)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if created:
            shutil.rmtree(d, ignore_errors=True)   # a folder made for this run goes with it
        raise GraphError(f"cannot write frames into '{outdir}': {e.strerror or e}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if gif_data is not None:
        write_atomic(gif, gif_data)
    if pdf_data is not None:
        write_atomic(pdf, pdf_data)
    return out


def _size(png: bytes):
    from PIL import Image
    return Image.open(io.BytesIO(png)).size


def _png(im, dpi) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buf.getvalue()
