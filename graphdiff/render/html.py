"""`graphdiff html`: one self-contained page that steps through the sweeps in a browser.

Everything is computed here, once: the graph drawn by Graphviz as SVG (labels as <text>, one
empty row per node for its tangent or adjoint), and every step of the primal sweep, of a forward
sweep per input entry and of a reverse sweep per output entry (up to MAX_SEEDS each), with the
step's equation, its terms and their edges. The page's script only shows those records: it
never differentiates. Scripts, styles and the picture are inline: no network, no server.

    page_html(g)  -> str        the page
    Page(g)                     shows the same page inline in Jupyter (an <iframe srcdoc>)
"""
from __future__ import annotations

import html
import json
import re
from importlib import resources

import numpy as np

from ..explain import stops
from ..ops import OPS
from ..source import GraphError
from ..sweeps import entry_names, forward, primal, reverse
from .build import equation, make_scene, parse_show, split_set, to_dot
from .groups import collapse_set, drawn_edges, fold_groups
from .labels import DOT_ABOVE, MACRON, math_name, value_plain
from .notebook import plain
from .output import pipe
from .themes import DARK, LIGHT

MAX_SEEDS = 24     # seeds offered per mode (input entries for tangents, output entries for adjoints)


def precise(v) -> str:
    """A value with 12 significant digits (the inspector's numbers), arrays by NumPy."""
    if v is None:
        return "—"
    a = np.asarray(v, dtype=float) + 0.0
    if a.ndim == 0:
        return f"{float(a):.12g}"
    return np.array2string(a, precision=6, suppress_small=True, separator=", ", threshold=64,
                           edgeitems=3, max_line_width=60)


def wengert(g, i: int) -> str:
    """`v4 = add(v2, 1)` as markup: names as mathematics."""
    n = g.node(i)
    me = math_name(g.label(i))
    if n.op in ("input", "const"):
        return f"{me} <span class=k>({n.op})</span>"
    args = ", ".join(math_name(g.label(j)) if g.node(j).op != "const" or g.node(j).names
                     else value_plain(g.node(j).value, digits=3) for j in n.operands)
    return f"{me} = {html.escape(n.op)}({args})"


def _seeds(g, mode: str) -> tuple[list, int]:
    """[(label, seed argument)] for a mode, and how many entries there are in all."""
    ids = [(g.input_name(i), i) for i in g.inputs] if mode == "forward" else list(g.outputs)
    out, total = [], 0
    for name, i in ids:
        for k, label in enumerate(entry_names(name, g.node(i).shape)):
            total += 1
            if len(out) < MAX_SEEDS:
                out.append((label, (name, k)))
    return out, total


def _steps(g, sw, edges: dict | None = None) -> list[dict]:
    """The step records of one sweep as the page shows them (`edges`: the drawn edge of each
    edge of the graph, when collapsed groups draw several as one; see `groups.drawn_edges`)."""
    mode = sw.mode
    show = parse_show("default", mode)
    sc = make_scene(g, sw, 0 if sw.steps else None, show=show)
    mark = {"forward": DOT_ABOVE, "reverse": MACRON}.get(mode, "")
    out = []
    for k in stops(g, sw):      # the steps a person counts (literal constants are not steps)
        s = sw.steps[k]
        sc.step = s.index
        sc.current_terms = {(t.src, t.dst, t.slot): t for t in s.terms}
        d = s.tangent if mode == "forward" else s.adjoint if mode == "reverse" else None
        rec = {"node": s.node, "value": value_plain(s.value), "value_full": precise(s.value)}
        if mode != "primal":
            eq = equation(sc) if mode in ("forward", "reverse") else None
            rec.update(d=value_plain(d), d_full=precise(d), d_text=plain(value_plain(d)), eq=eq,
                       lhs=math_name(g.label(s.node), mark),
                       terms=[{"edge": edges[t.src, t.dst, t.slot] if edges else f"e{t.src}_{t.dst}_{t.slot}",
                               "from": t.src, "to": t.dst,
                               "term": plain(value_plain(t.term)), "partial": value_plain(t.partial)
                               if t.partial is not None else "J (large)"} for t in s.terms])
        if s.note:
            rec["note"] = html.escape(s.note)
        out.append(rec)
    return out


def page_data(g, *, title: str = "graphdiff", fold=None, split=frozenset()) -> dict:
    """Everything the page shows, precomputed from the sweeps. With `fold` (collapsed groups),
    each hidden node names the box that stands for it (`box`), and terms name drawn edges."""
    from ..cost import cost
    prim = primal(g)
    nodes = []
    edges = drawn_edges(g, fold, split) if fold is not None and fold.boxes else None
    for n in g.node_list():
        i = n.id
        box = fold.box_of.get(i) if fold is not None else None
        nodes.append({**({"box": box.id} if box is not None else {}),"i": i, "name": g.label(i), "math": math_name(g.label(i)), "op": n.op,
                      "label": html.escape(OPS[n.op].label) if n.op in OPS else n.op,
                      "def": wengert(g, i), "shape": "×".join(map(str, n.shape)) or "scalar",
                      "uses": g.fanout(i), "output": any(o == i for _, o in g.outputs),
                      "value": value_plain(prim.values[i]), "value_full": precise(prim.values[i]),
                      "ins": [f"e{j}_{i}_{k}" for k, j in enumerate(n.operands)],
                      "outs": [f"e{i}_{c}_{k}" for c in dict.fromkeys(g.consumers(i))
                               for k, j in enumerate(g.node(c).operands) if j == i]})
    sweeps = {"primal": [{"label": "", "steps": _steps(g, prim, edges)}]}
    totals = {}
    for mode, run in (("forward", forward), ("reverse", reverse)):
        seeds, totals[mode] = _seeds(g, mode)
        sweeps[mode] = [{"label": label, "steps": _steps(g, run(g, seed=seed, primal_sweep=prim), edges)}
                        for label, seed in seeds]
    rep = cost(g)
    compare = {"primal": rep.primal, "tangent_sweep": rep.tangent_sweep, "adjoint_sweep": rep.adjoint_sweep,
               "jacobian_forward": rep.jacobian_forward, "jacobian_reverse": rep.jacobian_reverse,
               "n_inputs": rep.n_inputs, "n_outputs": rep.n_outputs, "verdict": rep.verdict()}
    return {"title": title, "nodes": nodes, "sweeps": sweeps, "seed_totals": totals, "compare": compare}


def _slots(g, data: dict) -> dict:
    """Each node's widest derivative row, so that the layout leaves room for it."""
    widest = {}
    for mode in ("forward", "reverse"):
        for sw in data["sweeps"][mode]:
            for s in sw["steps"]:
                text = "v̄ = " + s["d_text"]
                if len(text) > len(widest.get(s["node"], "")):
                    widest[s["node"]] = text
    return widest


_ANCHOR = re.compile(r"<a [^>]*>|</a>")


def page_svg(g, data: dict, *, rankdir: str = "LR", split_leaves="auto", collapse=None, repeats="auto") -> str:
    """The graph as the page shows it: light theme, values, an empty derivative row per node."""
    dg = to_dot(g, show=frozenset({"values", "shapes"}), rankdir=rankdir, split_leaves=split_leaves,
                slots=_slots(g, data), collapse=collapse, repeats=repeats)
    svg = pipe(dg, "svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]                      # no XML prolog or doctype inside HTML
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return _ANCHOR.sub("", svg)                        # the rows' links only served to name them


def theme_css() -> str:
    """The page's colours from the slide themes: CSS variables for the page, and the dark theme
    over the light SVG, every light colour mapped to its dark twin (CSS beats the SVG's
    presentation attributes)."""
    names = ("background", "text", "muted", "faint", "node_fill", "current_fill", "current_border",
             "done_tangent", "done_adjoint", "edge", "edge_faint", "shared", "input_fill")
    var = lambda th: ";".join(f"--{n.replace('_', '-')}:{getattr(th, n)}" for n in names)  # noqa: E731
    rules = [f":root{{{var(LIGHT)}}}", f".dark{{{var(DARK)}}}"]
    pairs = {}
    for field in LIGHT.__dataclass_fields__:
        a, b = getattr(LIGHT, field), getattr(DARK, field)
        if isinstance(a, str) and a.startswith("#"):
            pairs.setdefault(a.lower(), b)
    for light, dark in pairs.items():
        rules.append(f'.dark #graph [fill="{light}"]{{fill:{dark}}}')
        rules.append(f'.dark #graph [stroke="{light}"]{{stroke:{dark}}}')
    return "\n".join(rules)


def _asset(name: str) -> str:
    return resources.files("graphdiff.render").joinpath("page", name).read_text(encoding="utf-8")


def _script_json(doc) -> str:
    """JSON that is safe inside a <script> element."""
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def page_html(g, *, title: str = "graphdiff", theme: str = "light", rankdir: str = "LR",
              split_leaves="auto", collapse=None, repeats="auto") -> str:
    """The whole page as one string (see the module docstring). `collapse` and `repeats` draw
    groups as one node each, as `to_dot` does; the page then lights up a group's node while
    one of its steps is shown."""
    if theme not in ("light", "dark"):
        raise GraphError(f"unknown theme '{theme}' (expected light or dark)")
    if not g.outputs:
        raise GraphError("the graph has no outputs: nothing to step through")
    collapsed = collapse_set(g, collapse) if not isinstance(collapse, (set, frozenset)) else collapse
    fold = fold_groups(g, collapsed, repeats=repeats)
    data = page_data(g, title=title, fold=fold, split=split_set(g, split_leaves, fold))
    svg = page_svg(g, data, rankdir=rankdir, split_leaves=split_leaves, collapse=collapsed, repeats=repeats)
    parts = {"title": html.escape(title), "theme": "dark" if theme == "dark" else "",
             "css": theme_css() + "\n" + _asset("page.css"), "svg": svg, "data": _script_json(data),
             "js": _asset("page.js")}
    # one pass, so that no part's text (a title, a label) is ever read as another placeholder
    return re.sub(r"/\*\{\{(\w+)\}\}\*/|\{\{(\w+)\}\}", lambda m: parts[m.group(1) or m.group(2)],
                  _asset("page.html"))


class Page:
    """The interactive page of a graph; displays itself inline in Jupyter (an <iframe srcdoc>)."""

    def __init__(self, g, *, title: str = "graphdiff", height: int = 720, **options):
        self.graph, self.title, self.height, self.options = g, title, height, options

    def html(self) -> str:
        return page_html(self.graph, title=self.title, **self.options)

    def save(self, path):
        from .output import write_atomic
        write_atomic(path, self.html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        # An iframe keeps the page's ids, styles and keys apart from the notebook's.
        return (f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" style="width:100%;'
                f'height:{self.height}px;border:0" title="{html.escape(self.title)}"></iframe>')
