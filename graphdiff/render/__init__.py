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

from .build import ANNOTATIONS, default_show, parse_show, to_dot
from .frames import write_frames
from .output import FORMATS, format_of, pipe, write_atomic
from .themes import DARK, LIGHT, THEMES, Theme

__all__ = ["ANNOTATIONS", "DARK", "LIGHT", "THEMES", "Theme", "Picture", "default_show", "parse_show",
           "render", "render_bytes", "to_dot", "write_frames"]


def render_bytes(g, fmt: str, *, sweep=None, step=None, dpi: int | None = None, **options) -> bytes:
    """The picture as bytes in `fmt` (svg, png, pdf or dot); options as for `to_dot`."""
    from .output import DEFAULT_DPI
    return pipe(to_dot(g, sweep, step, **options), fmt, dpi=dpi or DEFAULT_DPI)


def render(g, path, *, sweep=None, step=None, dpi: int | None = None, **options) -> Path:
    """Write the picture to `path`, its format from the extension; atomically (temp + rename)."""
    fmt = format_of(path)
    from .output import check_target
    check_target(path)
    write_atomic(path, render_bytes(g, fmt, sweep=sweep, step=step, dpi=dpi, **options))
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
