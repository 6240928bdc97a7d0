"""Graph pictures for slides and notebooks: DOT, SVG, PNG, PDF, per-step frames, GIF and PDF decks.

    from graphdiff import load, reverse
    from graphdiff.render import Picture, render, to_dot
    g = load("graphs/peyre.gd")
    render(g, "peyre.png")                              # the DAG
    sw = reverse(g)
    render(g, "step4.svg", sweep=sw, step=3)            # reverse mode at its 4th step
    Picture(g, sw, 3)                                   # shows itself in Jupyter

`to_dot` builds the picture without running anything; `output` runs Graphviz; `frames` pins a
layout and draws one picture per step.
"""
from __future__ import annotations

from pathlib import Path

from .build import ANNOTATIONS, default_show, get_theme, parse_show, to_dot
from .frames import write_frames
from .output import format_of, pipe, write_atomic
from .themes import DARK, LIGHT, THEMES, Theme

__all__ = ["ANNOTATIONS", "DARK", "LIGHT", "THEMES", "Theme", "Picture", "default_show", "parse_show",
           "render", "render_bytes", "to_dot", "write_frames"]


def render_bytes(g, fmt: str, *, sweep=None, step=None, dpi: int | None = None, fit=None, **options) -> bytes:
    """The picture as bytes in `fmt` (svg, png, pdf, dot or tex); options as for `to_dot`.

    `fit` ("16:9", "4:3", "WxH" or a `fit.Frame`) sizes the picture to fill that frame (see
    `graphdiff.render.fit`); without it, `rankdir` defaults to LR.
    """
    from .output import DEFAULT_DPI
    if fmt == "tex":
        from .tikz import tikz_picture
        return tikz_picture(g, sweep, step, fit=fit, **options).encode("utf-8")
    if fit is None or fmt == "dot":
        options.setdefault("rankdir", "LR")
        if options["rankdir"] is None:
            options["rankdir"] = "LR"
        return pipe(to_dot(g, sweep, step, **options), fmt, dpi=dpi or DEFAULT_DPI)
    from . import fit as fitting
    frame = fitting.parse_fit(fit, fmt) if isinstance(fit, str) else fit
    rankdir = options.pop("rankdir", None)
    build = lambda **kw: to_dot(g, sweep, step, **options, **kw)   # noqa: E731
    chosen = fitting.choose_layout(build, frame, rankdirs=(rankdir,) if rankdir else ("LR", "TB"))
    fitting.check_readable(chosen.size, frame)
    page = fitting.padded(chosen.size, frame.aspect)
    # the same layout again (Graphviz is deterministic), padded to the frame's aspect
    dg = build(rankdir=chosen.rankdir, nodesep=chosen.nodesep, ranksep=chosen.ranksep)
    dg.attr(pad=fitting.pad_attr(chosen.size, page))
    if fmt == "png":
        res = fitting.png_dpi(page, frame)
        data = pipe(dg, fmt, dpi=res, max_px=res * max(page) / 72 + 8)
    else:
        data = pipe(dg, fmt)
    return fitting.finish(data, fmt, frame, get_theme(options.get("theme", "light")).background)


def render(g, path, *, sweep=None, step=None, dpi: int | None = None, fit=None, **options) -> Path:
    """Write the picture to `path`, its format from the extension; atomically (temp + rename)."""
    fmt = format_of(path)
    from .output import check_target
    check_target(path)
    write_atomic(path, render_bytes(g, fmt, sweep=sweep, step=step, dpi=dpi, fit=fit, **options))
    return Path(path)


class Picture:
    """A graph, optionally at a step of a sweep, that displays itself inline in Jupyter."""

    def __init__(self, g, sweep=None, step: int | None = None, **options):
        self.graph, self.sweep, self.step, self.options = g, sweep, step, options

    def dot(self):
        """The `graphviz.Digraph` of the picture."""
        return to_dot(self.graph, self.sweep, self.step, **self.options)

    def save(self, path, *, dpi: int | None = None) -> Path:
        return render(self.graph, path, sweep=self.sweep, step=self.step, dpi=dpi, **self.options)

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .notebook import mimebundle
        return mimebundle(self.graph, self.sweep, self.step, include=include, exclude=exclude, **self.options)

    def __repr__(self) -> str:
        from .notebook import text_summary
        return text_summary(self.graph, self.sweep, self.step)
