"""The DOT builder: a graph (+ a sweep and a step) → a `graphviz.Digraph`. Pure: runs no program.

What a picture shows is a set of annotation names (`show`):

  values    each node's primal value          tangents  v̇ of the nodes a forward sweep has done
  adjoints  v̄ of the nodes a reverse sweep has closed
  partials  the local partial ∂vᵢ/∂vⱼ on every edge
  shapes    array shapes on nodes and edges   terms     the chain-rule terms of the current step
  equation  the current step's chain rule, written out with its numbers, under the graph

At a step, the node being computed is highlighted, the edges of its terms are drawn in the
accent colour with their terms, done nodes keep their colours and pending nodes are toned down.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import graphviz
import numpy as np

from ..explain import stops
from ..ops import OPS, index_text
from ..source import GraphError
from .labels import (DOT_ABOVE, MACRON, MINUS, esc, font, html_label, is_grid, math_name, num, partial_name,
                     shape_text, value_plain, value_text)
from .groups import Box, Fold, base_name, call_of, collapse_set, fold_groups, group_path_text, interface
from .themes import THEMES, Theme

ANNOTATIONS = ("values", "tangents", "adjoints", "partials", "shapes", "terms", "equation")
MAX_EQUATION_TERMS = 6   # longer sums are elided in the caption ("+ … +")
# One labelled edge makes dot lay out every edge with a label node (twice the ranks): on big
# graphs that is 5–10× the layout time, so there edge labels become xlabels (placed after layout).
XLABEL_NODES = 200


def default_show(mode: str | None) -> frozenset:
    """What a picture shows when the user does not say: shapes alone, or a sweep's story."""
    if mode is None:
        return frozenset({"shapes"})
    if mode == "primal":
        return frozenset({"values", "shapes"})
    return frozenset({"values", "shapes", "tangents" if mode == "forward" else "adjoints",
                      "terms", "equation"})


def parse_show(text: str | None, mode: str | None) -> frozenset:
    """`--show values,adjoints` → a set; `all`, `none` and `default` are accepted too."""
    if text is None or text.strip() == "default":
        return default_show(mode)
    out = set()
    for word in (w.strip() for w in text.split(",")):
        if not word:
            continue
        if word == "all":
            out.update(ANNOTATIONS)
        elif word == "none":
            continue
        elif word in ANNOTATIONS:
            out.add(word)
        elif word.rstrip("s") + "s" in ANNOTATIONS:   # `value`, `adjoint`, `shape` …
            out.add(word.rstrip("s") + "s")
        else:
            from ..source import did_you_mean
            raise GraphError(f"unknown annotation '{word}' in --show",
                             hint=did_you_mean(word, ANNOTATIONS) or f"choose from {', '.join(ANNOTATIONS)}, all, none")
    return frozenset(out)


def get_theme(theme) -> Theme:
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except KeyError:
        raise GraphError(f"unknown theme '{theme}' (expected {' or '.join(THEMES)})") from None


# ------------------------------------------------------------------ what the picture knows

@dataclass
class Scene:
    """Everything one picture needs, computed once: statuses, steps by node, terms by edge."""

    g: object
    sweep: object
    step: int | None          # index into sweep.steps, or None for a finished sweep / no sweep
    show: frozenset
    theme: Theme
    complete: bool = False    # layout pass: every label at its fullest (see frames.py)
    values: list | None = None
    step_of: dict = field(default_factory=dict)   # node -> index of its step
    edge_terms: dict = field(default_factory=dict)   # (src, dst, slot) -> Term of any step
    current_terms: dict = field(default_factory=dict)  # (src, dst, slot) -> Term of the current step
    slots: dict | None = None  # node -> placeholder: a row the HTML page fills in (id "d<node>")
    fold: Fold | None = None   # how groups are drawn: clusters, and boxes for collapsed ones

    @property
    def mode(self):
        return self.sweep.mode if self.sweep is not None else None

    def status(self, i: int) -> str:
        """plain (no sweep) · idle (no step in this sweep) · done · current · pending."""
        if self.sweep is None or self.sweep.mode == "primal" and self.step is None:
            return "plain"
        k = self.step_of.get(i)
        if k is None:
            return "idle"
        if self.step is None or self.complete or k < self.step:
            return "done"
        return "current" if k == self.step else "pending"

    def box_status(self, box) -> str:
        """A collapsed group's status: current while one of its members is being computed,
        done once any has been (the group is under way or finished), pending before."""
        if self.sweep is None or self.sweep.mode == "primal" and self.step is None:
            return "plain"
        ks = [self.step_of[m] for m in box.members if m in self.step_of]
        if not ks:
            return "idle"
        if self.step is None or self.complete:
            return "done"
        if self.fold.box_of.get(self.sweep.steps[self.step].node) is box:
            return "current"
        return "done" if min(ks) < self.step else "pending"

    def item_status(self, i: int) -> str:
        """The status of what stands for node i in the picture: the node, or the box hiding it."""
        box = self.fold.box_of.get(i) if self.fold else None
        return self.status(i) if box is None else self.box_status(box)

    def derivative(self, i: int):
        s = self.sweep.steps[self.step_of[i]]
        return s.tangent if self.sweep.mode == "forward" else s.adjoint


def make_scene(g, sweep=None, step=None, *, show=None, theme="light", complete=False, slots=None,
               fold: Fold | None = None) -> Scene:
    if step is not None and sweep is None:
        raise GraphError("a step needs a sweep (choose --mode forward, reverse or primal)")
    if step is not None and not 0 <= step < len(sweep.steps):
        raise GraphError(f"step {step + 1} is out of range: this sweep has {len(sweep.steps)} steps")
    show = frozenset(show) if show is not None else default_show(sweep.mode if sweep else None)
    sc = Scene(g, sweep, step, show, get_theme(theme), complete, slots=slots, fold=fold or Fold(g))
    if sweep is not None:
        sc.values = list(sweep.values)
        for s in sweep.steps:
            sc.step_of[s.node] = s.index
            for t in s.terms:
                sc.edge_terms[(t.src, t.dst, t.slot)] = t
        if step is not None:
            sc.current_terms = {(t.src, t.dst, t.slot): t for t in sweep.steps[step].terms}
    elif show & {"values", "partials"}:
        from ..sweeps import primal
        sc.values = list(primal(g).values)
    return sc


def local_partial(sc: Scene, src: int, dst: int, slot: int):
    """∂v_dst/∂v_src at the scene's values: from the sweep's records when it has one, else the op's rule."""
    t = sc.edge_terms.get((src, dst, slot))
    if t is not None:
        return t.partial
    if sc.values is None:
        return None
    from ..sweeps import dense_partial   # the same dense Jacobian the sweeps record
    n = sc.g.node(dst)
    spec = OPS[n.op]
    args = tuple(sc.values[j] for j in n.operands)
    y = sc.values[dst]
    with np.errstate(all="ignore"):
        if spec.partial is not None:
            return spec.partial(slot, args, y)
        return dense_partial(spec, slot, args, y, n.kw)


# ------------------------------------------------------------------ node and edge labels

def op_symbol(node) -> str:
    """The op's symbol as a node shows it: `·ᵀ`, `·⁻¹`, `[1, 0]`, `‖·‖₁` …"""
    if node.op == "index":
        return "[" + esc(index_text(node.kw.get("index", ()))) + "]"
    if node.op == "norm" and "p" in node.kw:
        p = node.kw["p"]
        return f"‖·‖<SUB>{esc(num(p, 3) if p != np.inf else '∞')}</SUB>"
    return SYMBOLS.get(node.op) or esc(OPS[node.op].label)


# Where a slide reads better than the op table's one-character label.
SYMBOLS = {"transpose": "(·)<SUP>T</SUP>", "inv": f"(·)<SUP>{MINUS}1</SUP>", "dot": "⟨·,·⟩",
           "sqrtm": "√<SUB>m</SUB>"}


def labelled(head: str, value: str, *, size: float, color: str) -> str:
    """`head value` on one line; a matrix grid gets its head in a cell to its left."""
    if not is_grid(value):
        return font(f"{head} {value}", size=size, color=color)
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
            f'<TD>{font(head + " ", size=size, color=color)}</TD><TD>{font(value, size=size, color=color)}</TD>'
            "</TR></TABLE>")


def _row(markup: str) -> str:
    return f"<TR><TD>{markup}</TD></TR>"


def _table(rows: list[str]) -> str:
    return html_label('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
                      + "".join(rows) + "</TABLE>")


def node_label(sc: Scene, i: int, status: str) -> str:
    g, th, show = sc.g, sc.theme, sc.show
    n = g.node(i)
    faded = status in ("pending", "idle")
    text = th.faint if faded else th.text
    muted = th.faint if faded else th.muted
    name = g.label(i)
    is_out = any(o == i for _, o in g.outputs)
    rows = []
    if n.op == "input":
        rows.append(font(math_name(name), size=20, color=text))
        rows.append(font("input", size=10, color=muted))
    else:
        rows.append(font(op_symbol(n), size=18, color=text))
        tag = math_name(name)
        badge = ""
        fan = g.fanout(i)
        if fan > 1:
            badge = "  " + font(f"{fan} uses", size=10, color=th.faint if faded else th.shared)
        rows.append(font(tag, size=12, color=muted) + badge
                    + (font("  output", size=10, color=muted) if is_out else ""))
    if "shapes" in show and n.shape:
        rows.append(font(shape_text(n.shape), size=10, color=muted))
    if "values" in show and sc.values is not None:
        v = value_text(sc.values[i])
        if sc.mode == "primal" and status == "pending":
            v = " " * len(v) if not is_grid(v) else v      # not evaluated yet (same size: pinned frames)
            rows.append(font(v, size=12, color=th.pending_fill) if is_grid(v) else font(v, size=12))
        else:
            rows.append(labelled("=", v, size=12, color=text))
    mode = sc.mode
    want = (mode == "forward" and "tangents" in show) or (mode == "reverse" and "adjoints" in show)
    if want and i in sc.step_of:
        mark = DOT_ABOVE if mode == "forward" else MACRON
        color = th.done_tangent if mode == "forward" else th.done_adjoint
        if status in ("done", "current"):
            d = value_text(sc.derivative(i))
            rows.append(labelled(f"<I>v{mark}</I> =", d, size=12,
                                 color=th.current_border if status == "current" else color))
        elif sc.complete is False:
            rows.append(font(" ", size=12))   # keeps the node's height the same in every frame
    out = [_row(r) for r in rows]
    if sc.slots and i in sc.slots:
        # HREF makes Graphviz wrap the cell in <g id="a_d7"> in SVG: the page finds it by that id
        out.append(f'<TR><TD ID="d{i}" HREF="#d{i}">{font(esc(sc.slots[i]), size=12, color=th.muted)}</TD></TR>')
    return _table(out)


def node_style(sc: Scene, i: int, status: str) -> dict:
    g, th = sc.g, sc.theme
    n = g.node(i)
    is_out = any(o == i for _, o in g.outputs)
    if n.op == "input":
        fill, border = th.input_fill, th.input_border
    elif is_out:
        fill, border = th.output_fill, th.output_border
    else:
        fill, border = th.node_fill, th.node_border
    width = "1.6" if (n.op == "input" or is_out) else "1.2"
    if g.fanout(i) > 1 and n.op != "input":
        border, width = th.shared, "1.8"
    if status in ("pending", "idle"):
        fill, border, width = th.pending_fill, th.pending_border, "1.2"
    if status == "current":
        fill, border, width = th.current_fill, th.current_border, "3"
    return {"fillcolor": fill, "color": border, "penwidth": width}


def edge_label(sc: Scene, src: int, dst: int, slot: int) -> str | None:
    """The edge's annotation: the current step's term, its local partial, the operand's shape."""
    th, show, g = sc.theme, sc.show, sc.g
    key = (src, dst, slot)
    parts = []
    term = sc.current_terms.get(key)
    if "terms" in show and sc.complete and key in sc.edge_terms:
        term = sc.edge_terms[key]          # layout pass: room for the term this edge will carry
    if "terms" in show and term is not None:
        parts.append(font(value_plain(term.term), size=12, color=th.current_border))
    if g.node(src).op == "const":
        term = None        # constants are never differentiated: no partial, no term
    elif "partials" in show or ("terms" in show and term is not None):
        p = term.partial if term is not None else local_partial(sc, src, dst, slot)
        text = partial_text(sc, src, dst, slot, p)
        if text:
            parts.append(font(text, size=10, color=th.current_border if term is not None else th.partial))
    if "shapes" in show and g.node(src).shape and not parts:
        parts.append(font(shape_text(g.node(src).shape), size=10, color=th.muted))
    if not parts:
        return None
    return _table([_row(p) for p in parts])


def partial_text(sc: Scene, src: int, dst: int, slot: int, p) -> str:
    g = sc.g
    d, s = g.node(dst), g.node(src)
    head = "∂ = "
    if p is None:
        m = int(np.prod(d.shape)) if d.shape else 1
        k = int(np.prod(s.shape)) if s.shape else 1
        return f"J {m}×{k}"
    a = np.asarray(p, dtype=float)
    if a.ndim == 0:
        return head + num(a)
    if OPS[d.op].partial is not None:      # elementwise: the Jacobian's diagonal, entrywise
        return "∂ = diag " + value_plain(a, digits=3) if a.size <= 4 else f"∂ = diag, {shape_text(a.shape)}"
    m = int(np.prod(d.shape)) if d.shape else 1
    k = int(np.prod(s.shape)) if s.shape else 1
    if m == 1 and a.size <= 4:
        return "∂ = " + value_plain(a.reshape(-1), digits=3)
    return f"J {m}×{k}"


# ------------------------------------------------------------------ the chain-rule caption

def _factor(markup_number: str) -> str:
    return f"({markup_number})" if markup_number.startswith(MINUS) else markup_number


def equation(sc: Scene) -> str | None:
    """The current step's chain rule: v̄ⱼ = Σ v̄ᵢ ∂vᵢ/∂vⱼ = … = value (or v̇ᵢ = Σ ∂vᵢ/∂vⱼ v̇ⱼ)."""
    if sc.step is None or sc.mode not in ("forward", "reverse"):
        return None
    g, sw = sc.g, sc.sweep
    s = sw.steps[sc.step]
    fwd = sw.mode == "forward"
    mark = DOT_ABOVE if fwd else MACRON
    me = g.label(s.node)
    lhs = math_name(me, mark)
    d = s.tangent if fwd else s.adjoint
    seeds = sw.seed if isinstance(sw.seed, dict) else {}
    if s.node in seeds and not s.terms:
        return f"{lhs} = {value_plain(d)}   (seed)"
    symbolic, numeric = [], []
    scalar = all(np.ndim(t.term) == 0 for t in s.terms)
    for t in s.terms:
        if fwd:
            other = g.label(t.src)
            sym = f"{partial_name(me, other)} {math_name(other, mark)}"
            od = sw.steps[sc.step_of[t.src]].tangent
            numb = (f"{_factor(num(t.partial))}·{_factor(num(od))}"
                    if scalar and np.ndim(t.partial) == 0 and np.ndim(od) == 0 else None)
        else:
            other = g.label(t.dst)
            sym = f"{math_name(other, mark)} {partial_name(other, me)}"
            od = sw.steps[sc.step_of[t.dst]].adjoint
            numb = (f"{_factor(num(od))}·{_factor(num(t.partial))}"
                    if scalar and np.ndim(t.partial) == 0 and np.ndim(od) == 0 else None)
        symbolic.append(sym)
        numeric.append(numb)
    if s.node in seeds:
        symbolic.append("seed")
        numeric.append(num(seeds[s.node]) if np.ndim(seeds[s.node]) == 0 else None)
    if not symbolic:
        return f"{lhs} = {value_plain(d)}"
    if len(symbolic) > MAX_EQUATION_TERMS:
        symbolic = symbolic[:2] + ["…"] + symbolic[-1:]
        numeric = [None]
    out = f"{lhs} = " + " + ".join(symbolic)
    if all(x is not None for x in numeric) and len(numeric) > 0:
        out += " = " + " + ".join(numeric)
    return out + " = " + value_plain(d)


def caption(sc: Scene) -> str | None:
    """Under the graph: which sweep and step, then the step's equation."""
    if sc.sweep is None or sc.step is None:
        return None
    th = sc.theme
    sw = sc.sweep
    s = sw.steps[sc.step]
    shown = stops(sc.g, sw)      # the steps a person counts (literal constants are not steps)
    number = f"step {shown.index(sc.step) + 1} of {len(shown)}" if sc.step in shown else "a literal constant"
    head = f"{sw.mode} sweep · {number} · {esc(OPS[s.op].label if s.op in OPS else s.op)} at {math_name(sc.g.label(s.node))}"
    box = sc.fold.box_of.get(s.node) if sc.fold else None
    if box is not None:      # the node is hidden: say where, the box is what lights up
        head += f" · inside {esc(group_path_text(sc.g, sc.g.node(s.node).group))} (collapsed)"
    rows = [font(head, size=12, color=th.muted)]
    if "equation" in sc.show:
        eq = equation(sc)
        if eq:
            rows.append(font(eq, size=15, color=th.text))
    if s.note:
        rows.append(font("⚠ " + esc(s.note), size=12, color=th.current_border))
    return _table([_row(r) for r in rows])


# ------------------------------------------------------------------ the graph

NODESEP, RANKSEP, PAD = 0.30, 0.45, 0.25   # inches


def graph_attrs(th: Theme, rankdir: str, *, nodesep: float = NODESEP, ranksep: float = RANKSEP) -> dict:
    return {"rankdir": rankdir, "bgcolor": th.background, "fontname": th.font, "fontcolor": th.text,
            "nodesep": f"{nodesep:.3g}", "ranksep": f"{ranksep:.3g}", "pad": f"{PAD:g}", "newrank": "true",
            "outputorder": "edgesfirst", "margin": "0"}


SPLIT_FANOUT = 6   # `--split-leaves auto`: a leaf used by this many nodes or more is drawn at each use


def split_threshold(split="auto") -> int | None:
    """`--split-leaves`: auto, all, none or a number of uses → the least fan-out split (None: off)."""
    if split in (None, False, "none", "off"):
        return None
    if split in (True, "all", "on"):
        return 2
    if split == "auto":
        return SPLIT_FANOUT
    try:
        least = int(split)
    except (TypeError, ValueError):
        raise GraphError(f"bad --split-leaves '{split}': expected auto, all, none or a number of uses") from None
    if least < 2:
        raise GraphError(f"bad --split-leaves {least}: a leaf can be split when 2 or more nodes use it")
    return least


def split_set(g, split="auto", fold: Fold | None = None) -> frozenset:
    """The leaves (inputs, named constants) drawn as one copy beside each consumer.

    `split` is "auto" (leaves used by SPLIT_FANOUT nodes or more), "all" (every leaf used more
    than once), "none", or a number (leaves used by that many nodes or more). A leaf that feeds
    every line of a long program otherwise draws an edge across the whole picture to each line:
    Graphviz's layout time grows with the square of such edges, and the picture reads worse.
    """
    least = split_threshold(split)
    if least is None:
        return frozenset()
    boxes = fold.box_of if fold is not None else {}

    def uses(i: int) -> int:     # distinct consumers as drawn: a collapsed group counts once
        if not boxes:
            return g.fanout(i)
        return len({boxes[c].id if c in boxes else c for c in g.consumers(i)})
    return frozenset(n.id for n in g.node_list()
                     if (n.op == "input" or n.op == "const" and n.names) and n.id not in boxes and uses(n.id) >= least)


def focus_set(g, focus: str | None) -> frozenset | None:
    """`--focus NAME[:K]`: the nodes within K steps (default 2) of a node, along edges either way."""
    if not focus:
        return None
    name, _, k = focus.partition(":")
    name = name.strip()
    try:
        hops = int(k) if k.strip() else 2
    except ValueError:
        raise GraphError(f"bad --focus '{focus}': expected NAME or NAME:K (K a number of steps)") from None
    if hops < 0:
        raise GraphError(f"bad --focus '{focus}': K counts steps from the node, 0 or more")
    ids = {g.label(n.id): n.id for n in g.node_list()}
    ids.update(g.names)
    if name not in ids:
        from ..source import did_you_mean
        raise GraphError(f"--focus: no node named '{name}'", hint=did_you_mean(name, ids) or "name a node of the file (or v<number>)")
    keep, frontier = {ids[name]}, [ids[name]]
    for _ in range(min(hops, len(g))):   # no node is farther than len(g) steps: a huge K ends at once
        nxt = []
        for i in frontier:
            for j in (*g.node(i).operands, *g.consumers(i)):
                if j not in keep:
                    keep.add(j)
                    nxt.append(j)
        frontier = nxt
    return frozenset(keep)


def leaf_copy_label(sc: Scene, j: int, status: str) -> str:
    """A split leaf's copy beside one consumer: its name, in the leaf's colours."""
    th = sc.theme
    faded = status in ("pending", "idle")
    kind = "input" if sc.g.node(j).op == "input" else "const"
    return _table([_row(font(math_name(sc.g.label(j)), size=15, color=th.faint if faded else th.text)
                        + font(" " + kind, size=9, color=th.faint if faded else th.muted))])


def box_label(sc: Scene, box: Box, status: str) -> str:
    """A collapsed group: its function (×N for a run), where it is, its input → output shapes,
    and its outputs' values and derivatives as far as the sweep has got."""
    g, th, show = sc.g, sc.theme, sc.show
    faded = status in ("pending", "idle")
    text = th.faint if faded else th.text
    muted = th.faint if faded else th.muted
    first, last = g.groups[box.groups[0]], g.groups[box.groups[-1]]
    call = call_of(g, first)
    head = esc(call.function or base_name(call.name))
    rows = [font(head + (f"  ×{box.count}" if box.count > 1 else ""), size=18, color=text)]
    where = group_path_text(g, first.id) + (f" … {group_path_text(g, last.id)}" if box.count > 1 else "")
    outputs = [math_name(g.label(i)) for _, i in g.outputs if i in box.exits]
    tag = font("  output " + ", ".join(outputs), size=10, color=muted) if outputs else ""
    if where != head or tag:    # a top-level block named as its head says nothing more
        rows.append((font(esc(where), size=11, color=muted) if where != head else "") + tag)
    if "shapes" in show:
        ins, outs = interface(g, box)
        shapes = lambda ss: ", ".join(shape_text(s) for s in ss) or "—"   # noqa: E731
        rows.append(font(f"{shapes(ins)} → {shapes(outs)}", size=10, color=muted))
    exits = box.exits[:2]
    named = len(box.exits) > 1
    if "values" in show and sc.values is not None:
        for i in exits:
            v = value_text(sc.values[i])
            if sc.mode == "primal" and status == "pending":
                rows.append(font(" " * len(v), size=12) if not is_grid(v) else font(v, size=12, color=th.pending_fill))
            else:
                rows.append(labelled(math_name(g.label(i)) + " =" if named else "=", v, size=12, color=text))
    mode = sc.mode
    want = (mode == "forward" and "tangents" in show) or (mode == "reverse" and "adjoints" in show)
    if want:
        mark = DOT_ABOVE if mode == "forward" else MACRON
        color = th.done_tangent if mode == "forward" else th.done_adjoint
        for i in exits:
            if i not in sc.step_of:
                continue
            if sc.status(i) in ("done", "current"):
                lhs = math_name(g.label(i), mark) if named else f"<I>v{mark}</I>"
                rows.append(labelled(lhs + " =", value_text(sc.derivative(i)), size=12,
                                     color=th.current_border if status == "current" else color))
            elif sc.complete is False:
                rows.append(font(" ", size=12))
    if len(box.exits) > len(exits):
        rows.append(font(f"+ {len(box.exits) - len(exits)} more outputs", size=10, color=muted))
    if box.count > 1 and (status == "current" or sc.complete and sc.step is None and sc.sweep is not None):
        k = _instance_at(sc, box)
        rows.append(font(f"step in instance {k} of {box.count}" if k else " ", size=10,
                         color=th.current_border))
    return _table([_row(r) for r in rows])


def _instance_at(sc: Scene, box: Box) -> int | None:
    """Which instance of a run (from 1) the current step is in, if any."""
    if sc.step is None:
        return None
    i = sc.sweep.steps[sc.step].node
    path = set(sc.g.group_path(sc.g.node(i).group))
    return next((k for k, gid in enumerate(box.spans, 1) if gid in path), None)


def box_style(sc: Scene, box: Box, status: str) -> dict:
    th = sc.theme
    fill, border, width = th.group_box, th.group_border, "1.8"
    if status in ("pending", "idle"):
        fill, border, width = th.pending_fill, th.pending_border, "1.2"
    if status == "current":
        fill, border, width = th.current_fill, th.current_border, "3"
    # a run drawn once is a stack of boxes (box3d); one instance a plain box with a double rule
    if box.count > 1:
        return {"shape": "box3d", "style": "filled", "fillcolor": fill, "color": border, "penwidth": width}
    return {"style": "filled", "fillcolor": fill, "color": border, "penwidth": width, "peripheries": "2"}


def cluster_attrs(sc: Scene, gid: int) -> dict:
    """A group drawn open: a rounded frame labelled with its name (and the function it calls),
    filled a shade off the background, alternating with depth so nested frames stand apart."""
    g, th = sc.g, sc.theme
    grp = g.groups[gid]
    label = font(esc(grp.name), size=12, color=th.text)
    if grp.function and grp.function != base_name(grp.name):
        label += font(f"  {esc(grp.function)}(…)", size=11, color=th.muted)
    return {"label": html_label(label), "labeljust": "l", "labelloc": "t", "style": "rounded,filled",
            "color": th.group_border, "fillcolor": th.group_fill if grp.depth % 2 else th.background,
            "penwidth": "1.2", "margin": "10", "fontname": th.font}


def box_edge(sc: Scene, under: list, eid: str) -> dict:
    """The edge into or out of a box: the edges it stands for, drawn once, hot when one of them
    carries a term of the current step."""
    g, th, show = sc.g, sc.theme, sc.show
    attrs = {"id": eid}
    hot = [sc.current_terms[u] for u in under if u in sc.current_terms]
    parts = []
    if "terms" in show and len(hot) == 1:
        parts.append(font(value_plain(hot[0].term), size=12, color=th.current_border))
    src = g.node(under[0][0])
    if "shapes" in show and src.shape and not parts:
        parts.append(font(shape_text(src.shape), size=10, color=th.muted))
    if parts:
        attrs["xlabel" if len(g) > XLABEL_NODES else "label"] = _table([_row(p) for p in parts])
    j, i, _ = under[0]
    if hot:
        attrs.update(color=th.current_border, penwidth="2.6", arrowsize="0.9")
    elif sc.item_status(i) in ("pending", "idle") and sc.item_status(j) in ("pending", "idle"):
        attrs.update(color=th.edge_faint)
    return attrs


def _draw(dg, sc: Scene, prefix: str = "", pins=None, split=frozenset(), keep=None) -> None:
    """Add the scene's nodes and edges to `dg` (a Digraph or a cluster), ids prefixed.

    `pins` (node, edge or cluster id -> attrs) fixes positions and sizes from an earlier layout;
    `split` holds the leaves drawn as one copy per use (see `split_set`); `keep`, when given, the
    only nodes drawn (`--focus`). Groups are clusters, nested as they nest, and the scene's fold
    draws collapsed ones as one box each (see `groups.py`). Nodes go into their cluster; edges
    come last, at the top (an edge naming a node first would make it there).
    """
    g, th = sc.g, sc.theme
    fo = sc.fold
    pins = pins or {}
    nodes = g.node_list()
    clusters: dict[int, graphviz.Digraph] = {}

    def where(gid: int):
        """The cluster of group gid (made with its enclosing ones when first needed), or dg."""
        if gid < 0:
            return dg
        if gid not in clusters:
            for k in g.group_path(gid):
                if k not in clusters:
                    name = f"cluster_{prefix}g{k}"
                    clusters[k] = graphviz.Digraph(name=name, graph_attr={**cluster_attrs(sc, k), **pins.get(name, {})})
        return clusters[gid]

    def shown(box) -> bool:
        return keep is None or any(m in keep for m in box.members)

    for n in nodes:
        i = n.id
        box = fo.box_of.get(i)
        if box is not None:
            if i == box.members[0] and shown(box):
                status = sc.box_status(box)
                bid = prefix + box.id
                where(box.parent).node(bid, label=box_label(sc, box, status), id=bid, **box_style(sc, box, status),
                                       **pins.get(bid, {}))
            continue
        if n.op == "const" and not n.names or i in split or keep is not None and i not in keep:
            continue   # unnamed constants and split leaves are drawn at each use, beside their consumer
        status = sc.status(i)
        attrs = node_style(sc, i, status)
        if n.op == "const":
            attrs.update(style="rounded,dashed,filled", color=th.const_border, fillcolor=th.background)
            v = value_text(n.value)
            rows = [font(math_name(g.label(i)), size=14, color=th.muted), font("const", size=10, color=th.muted)]
            if "shapes" in sc.show and n.shape:
                rows.append(font(shape_text(n.shape), size=10, color=th.muted))
            if "values" in sc.show:
                rows.append(labelled("=", v, size=11, color=th.muted))
            label = _table([_row(r) for r in rows])
        else:
            label = node_label(sc, i, status)
        nid = f"{prefix}n{i}"
        where(n.group).node(nid, label=label, id=nid, **attrs, **pins.get(nid, {}))
    edges, box_edges, copies = [], {}, set()
    for n in nodes:
        i = n.id
        hbox = fo.box_of.get(i)
        if hbox is not None and not shown(hbox) or hbox is None and keep is not None and i not in keep:
            continue
        head = prefix + (hbox.id if hbox is not None else f"n{i}")
        home = hbox.parent if hbox is not None else n.group
        for slot, j in enumerate(n.operands):
            src = nodes[j]
            tbox = fo.box_of.get(j)
            if hbox is not None and tbox is hbox:
                continue        # inside one box
            eid = f"{prefix}e{j}_{i}_{slot}"
            if src.op == "const" and not src.names:
                if hbox is not None:
                    continue    # a box's own numbers stay inside it
                cid = f"{prefix}c{j}_{i}_{slot}"
                where(home).node(cid, label=_table([_row(font(value_plain(src.value, digits=3), size=12, color=th.muted))]),
                                 shape="plain", style="", margin="0", id=cid, **pins.get(cid, {}))
                edges.append((cid, head, {"id": eid, "color": th.edge_faint, "arrowsize": "0.5", "penwidth": "0.8",
                                          **pins.get(eid, {})}))
                continue
            if tbox is not None:
                if not shown(tbox):
                    continue
            elif keep is not None and j not in keep and j not in split:
                continue
            tail = prefix + (tbox.id if tbox is not None else f"n{j}")
            if j in split:
                tail = f"{prefix}l{j}_{hbox.id}" if hbox is not None else f"{prefix}l{j}_{i}_{slot}"
                if tail not in copies:
                    copies.add(tail)
                    status = sc.status(j)
                    style = node_style(sc, j, status)
                    if src.op == "const":
                        style.update(style="rounded,dashed,filled", color=th.const_border, fillcolor=th.background)
                    where(home).node(tail, label=leaf_copy_label(sc, j, status), id=tail, margin="0.06,0.03",
                                     **style, **pins.get(tail, {}))
            if hbox is not None or tbox is not None:
                box_edges.setdefault((tail, head), []).append((j, i, slot))
                continue
            attrs = {"id": eid}
            label = edge_label(sc, j, i, slot)
            if label:
                attrs["xlabel" if len(g) > XLABEL_NODES else "label"] = label
            if (j, i, slot) in sc.current_terms:
                attrs.update(color=th.current_border, penwidth="2.6", arrowsize="0.9")
            elif sc.status(i) in ("pending", "idle") and sc.status(j) in ("pending", "idle"):
                attrs.update(color=th.edge_faint)
            attrs.update(pins.get(eid, {}))
            edges.append((tail, head, attrs))
    for (tail, head), under in box_edges.items():
        j, i, slot = under[0]
        eid = f"{prefix}e{j}_{i}_{slot}"
        edges.append((tail, head, {**box_edge(sc, under, eid), **pins.get(eid, {})}))
    # clusters inside out: a child's cluster is whole before it goes into its parent's
    children: dict[int, list] = {}
    for gid in clusters:
        children.setdefault(g.groups[gid].parent, []).append(gid)
    for gid in sorted(clusters, reverse=True):
        for c in sorted(children.get(gid, ())):
            clusters[gid].subgraph(clusters[c])
    for c in sorted(children.get(-1, ())):
        dg.subgraph(clusters[c])
    for tail, head, attrs in edges:
        dg.edge(tail, head, **attrs)


def to_dot(g, sweep=None, step: int | None = None, *, show=None, theme="light", rankdir: str = "LR",
           tree: bool = False, title: str | None = None, complete: bool = False,
           pins: dict | None = None, split_leaves="auto", slots: dict | None = None,
           nodesep: float = NODESEP, ranksep: float = RANKSEP, focus: str | None = None,
           collapse=None, repeats="auto") -> graphviz.Digraph:
    """The DOT picture of `g`, optionally at `step` (an index into `sweep.steps`) of a sweep.

    `show` is a set of annotation names (see module docstring; default depends on the sweep),
    `tree=True` draws the expression tree (sharing off) beside the DAG, `complete=True` gives
    every label its fullest content (the layout pass that pins frames), and `pins` (from
    `frames.Layout.pins`) fixes every position so that `neato -n2` draws without re-laying out.
    `split_leaves` chooses the leaves drawn beside each consumer (see `split_set`); `slots`
    (node -> placeholder text) adds a row per node that the HTML page fills in as it steps;
    `nodesep`/`ranksep` (inches) space the nodes within and between ranks (`--fit` sets them);
    `focus` ("NAME" or "NAME:K") draws only the nodes within K steps of that node. Groups are
    clusters; `collapse` (`--collapse` text: all, a depth, names; or a set of group ids) draws
    groups as one node each, and `repeats` (auto, none or a number) draws a chain of that many
    equal collapsed instances once, with ×N (see `groups.py`).
    """
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise GraphError(f"unknown rankdir '{rankdir}' (expected LR or TB)")
    folding = lambda gg: fold_groups(gg, collapse if isinstance(collapse, (set, frozenset))  # noqa: E731
                                     else collapse_set(gg, collapse), repeats=repeats)
    sc = make_scene(g, sweep, step, show=show, theme=theme, complete=complete, slots=slots, fold=folding(g))
    th = sc.theme
    gattrs = graph_attrs(th, rankdir, nodesep=nodesep, ranksep=ranksep)
    dg = graphviz.Digraph("graphdiff", graph_attr=gattrs,
                          node_attr={"shape": "box", "style": "rounded,filled", "fontname": th.font,
                                     "fontcolor": th.text, "margin": "0.10,0.05", "height": "0.3"},
                          edge_attr={"color": th.edge, "fontname": th.font, "fontcolor": th.muted,
                                     "arrowsize": "0.7", "penwidth": "1.2"})
    if tree and focus:
        raise GraphError("--focus draws a part of the DAG; it does not combine with --tree")
    keep = None
    if tree:
        if sweep is not None:
            raise GraphError("--tree draws the two graphs without a sweep; drop --mode/--step")
        t = g.tree()
        for prefix, gg, what in (("d", g, "DAG · sharing on"), ("t", t, "expression tree · sharing off")):
            with dg.subgraph(name=f"cluster_{prefix}") as c:
                c.attr(label=_table([_row(font(f"{what} · {gg.n_ops()} operations", size=14, color=th.muted))]),
                       color=th.edge_faint, style="rounded", labeljust="l", margin="14")
                tsc = make_scene(gg, None, None, show=sc.show, theme=th, fold=folding(gg))
                _draw(c, tsc, prefix, split=split_set(gg, split_leaves, tsc.fold))
    else:
        keep = focus_set(g, focus)
        _draw(dg, sc, pins=pins, split=split_set(g, split_leaves, sc.fold), keep=keep)
    cap = caption(sc)
    if keep is not None:
        note = font(f"focus: {len(keep)} of {len(g)} nodes, around {esc(focus.partition(':')[0].strip())}",
                    size=11, color=th.muted)
        cap = _table([_row(note)] + ([_row(cap[1:-1])] if cap else []))
    if title:
        cap = _table([_row(font(esc(title), size=16, color=th.text))] + ([_row(cap[1:-1])] if cap else []))
    if cap:
        dg.attr(label=cap, labelloc="b", labeljust="c")
    return dg
