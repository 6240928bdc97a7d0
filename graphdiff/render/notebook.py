"""Jupyter display: `_repr_mimebundle_` for a graph, or a graph at a step of a sweep.

Returns `image/svg+xml` (cairo SVG with ids made unique per picture, so several pictures share
one notebook page) plus `text/plain`; without Graphviz, only the text.
"""
from __future__ import annotations

import html
import itertools
import re

from .build import caption, make_scene, to_dot
from .output import dot_available, pipe, unique_svg_ids

_counter = itertools.count(1)
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def plain(markup: str) -> str:
    """Label markup as plain text: subscripts as Unicode subscripts where they exist, tags dropped."""
    markup = re.sub(r"<SUB>(\d+)</SUB>", lambda m: m.group(1).translate(_SUBSCRIPT), markup)
    markup = re.sub(r"<SUP>(.*?)</SUP>", r"^\1", markup)
    markup = re.sub(r"<TR>", "\n", markup)
    text = re.sub(r"<[^>]+>", "", markup)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


def text_summary(g, sweep=None, step=None) -> str:
    """What the picture shows, as text: the graph's counts, inputs and outputs, and the step."""
    st = g.stats()
    ins = ", ".join(g.input_names()) or "none"
    outs = ", ".join(n for n, _ in g.outputs) or "none"
    lines = [f"graphdiff graph: {st['nodes']} nodes, {st['ops']} operations, {st['edges']} edges; "
             f"inputs {ins}; outputs {outs}"]
    if sweep is not None:
        if step is None:
            lines.append(f"{sweep.mode} sweep, {len(sweep.steps)} steps")
        else:
            cap = caption(make_scene(g, sweep, step))
            if cap:
                lines.append(plain(cap[1:-1]))
    return "\n".join(lines)


def mimebundle(g, sweep=None, step=None, *, include=None, exclude=None, **options) -> dict:
    """The Jupyter MIME bundle of a picture (options as for `to_dot`)."""
    bundle = {"text/plain": text_summary(g, sweep, step)}
    want_svg = (include is None or "image/svg+xml" in include) and not (exclude and "image/svg+xml" in exclude)
    if want_svg and dot_available():
        svg = pipe(to_dot(g, sweep, step, **options), "svg").decode("utf-8")
        bundle["image/svg+xml"] = unique_svg_ids(svg, f"gd{next(_counter)}-")
    elif want_svg:
        bundle["text/plain"] += "\n(install Graphviz's 'dot' to see the picture)"
    return bundle
