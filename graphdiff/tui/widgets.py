"""The debugger's widgets besides the graph pane: the trace table (shared by the main and the
compare screens), the inspector, the status line, the current row and the key bar.

Each widget holds reactive copies of the screen's state (bound with `data_bind`) and updates
itself when they change; all of them only read the `Debugger` and its step records.
"""
from __future__ import annotations

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from .bound import Bound
from .guard import guarded
from ..explain import (dname, jacobian_matrix, layer_call, layer_jacobian_caption, layer_rule, layer_terms,
                       partial_formula, sum_rule, term_numbers, term_rule, value_lines, value_text, wengert)
from ..layers import contributions, function_name, jacobian_size, layer_jacobian
from .graphview import GraphView
from .messages import NodeClicked
from .state import Debugger

__all__ = ["GraphView", "TraceTable", "Inspector", "StatusLine", "CurrentRow", "KeyBar", "inspector_text"]

DOT = {"forward": "v̇", "reverse": "v̄", "primal": ""}


# ------------------------------------------------------------------ the trace table

class TraceTable(Bound, ScrollView, can_focus=False):
    """The evaluation trace (the Wengert list): one row per node, derivatives filled in as the
    sweep advances, the current step's row highlighted and kept in view. Rows are drawn only
    when visible, so a graph of thousands of nodes costs no more per step than a small one."""

    COMPONENT_CLASSES = {"trace--header", "trace--current", "trace--pending", "trace--partial",
                         "trace--breakpoint"}

    def __init__(self, dbg: Debugger, *, columns=("step", "def", "value", "der"), **kw):
        super().__init__(**kw)
        self.dbg = dbg
        self.columns = columns
        self.rows: list[int] = []
        self.row_of: dict[int, int] = {}
        self._defs: dict[int, str] = {}
        self._sweep_id = None
        self._widths: list[int] = []
        self._cells: dict = {}
        self._styles: dict = {}

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, *names: str):
        """The table's style with component classes over it (cached until the CSS changes)."""
        style = self._styles.get(names)
        if style is None:
            style = self.rich_style
            for name in names:
                style = style + self.get_component_rich_style(f"trace--{name}")
            self._styles[names] = style
        return style

    def _sync(self) -> None:
        dbg = self.dbg
        if (id(dbg.sweep), frozenset(dbg.collapsed)) != self._sweep_id:
            self._sweep_id = (id(dbg.sweep), frozenset(dbg.collapsed))
            self.rows, self.row_of = dbg.rows, dbg.row_of    # worked out with the sweep (state.Walk)
            self._widths = []
            self._cells = {}
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.follow()
        self.refresh()

    def on_resize(self) -> None:
        self._widths = []
        self._cells = {}
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        self.follow()

    def follow(self) -> None:
        """Scroll so the current step's row is in view."""
        step = self.dbg.step
        k = self.row_of.get(step.node) if step is not None else None
        height = self.scrollable_content_region.height - 1
        if k is None or height <= 0:
            return
        if not self.scroll_y <= k < self.scroll_y + height:
            top = min(max(0, k - height // 2), max(0, len(self.rows) - height))
            self.scroll_to(y=top, animate=False, force=True)

    # ------------------------------------------------------------ cells

    def definition(self, i: int) -> str:
        """Row i's definition, indented by its group's depth: a node's Wengert line, or for a
        collapsed group (i = ~group) its call, `▣ h = layer(x, W1, b1)`."""
        if i not in self._defs:
            g = self.dbg.graph
            if i < 0:
                grp = g.groups[~i]
                self._defs[i] = "  " * (grp.depth - 1) + "▣ " + layer_call(g, ~i)
            else:
                gid = g.node(i).group
                self._defs[i] = "  " * (g.groups[gid].depth if gid >= 0 else 0) + wengert(g, i)
        return self._defs[i]

    def _status(self, i: int) -> str:
        return self.dbg.group_status(~i) if i < 0 else self.dbg.status(i)

    def _width_plan(self) -> list[int]:
        if self._widths:
            return self._widths
        width = max(self.scrollable_content_region.width, 20)
        cols = self.columns if self.dbg.mode != "primal" else tuple(c for c in self.columns if c != "der")
        step_w = max(5, len(str(len(self.rows))) + 2)
        numbers = [c for c in cols if c in ("value", "der")]
        widest = max((len(self.definition(i)) for i in self.rows[:2000]), default=10)
        room = width - step_w - len(cols)
        def_w = max(8, min(widest + 1, room - 12 * len(numbers)))
        num_w = min(48, (room - def_w) // len(numbers)) if numbers else 0
        self._widths = [{"step": step_w, "def": def_w}.get(c, num_w) for c in cols]
        self._cols = cols
        return self._widths

    def cells(self, k: int) -> list[tuple[str, str]]:
        """(text, style class) of each cell of row k (0-based); cached while its status, its
        breakpoint and (in reverse mode) its count of received terms stay the same."""
        dbg = self.dbg
        i = self.rows[k]
        status = self._status(i)
        got = len(dbg.received(i)[0]) if dbg.mode == "reverse" and status == "pending" and i >= 0 else 0
        key = (k, status, got, i in dbg.breakpoints)
        cached = self._cells.get(key)
        if cached is None:
            cached = self._cells[key] = self._cells_of(k, i, status)
        return cached

    def _cells_of(self, k: int, i: int, status: str) -> list[tuple[str, str]]:
        dbg = self.dbg
        if i < 0:
            return self._group_cells(i, status)
        s = dbg.step_of(i)
        shown = status in ("done", "current")
        out = []
        for c, w in zip(self._cols, self._width_plan()):
            cls = ""
            if c == "step":
                n = dbg.number_of(s.index) if s is not None else 0
                mark = "●" if i in dbg.breakpoints else " "
                text = f"{mark}{n}" if n else mark
                cls = "breakpoint" if i in dbg.breakpoints else ""
            elif c == "def":
                text = self.definition(i)
            elif c == "value":
                text = value_text(s.value, width=w - 1) if s is not None and (shown or dbg.mode != "primal") else "·"
            else:
                text, cls = self._derivative(i, s, shown, w - 1)
            out.append((text, cls))
        return out

    def _group_cells(self, i: int, status: str) -> list[tuple[str, str]]:
        """A collapsed group's row: its layer step's number, its call, its (first) output's value
        and, once reached, that output's tangent or adjoint."""
        layer = self.dbg.layer_of(~i)
        shown = status in ("done", "current")
        out = []
        for c, w in zip(self._cols, self._width_plan()):
            if c == "step":
                out.append((f" {self.dbg.number_of(layer.index)}", ""))
            elif c == "def":
                out.append((self.definition(i), ""))
            elif c == "value":
                v = layer.values[0] if layer.values else None
                out.append((value_text(v, width=w - 1) if shown or self.dbg.mode != "primal" else "·", ""))
            else:
                d = layer.out[0] if layer.out else None
                out.append((value_text(d, width=w - 1) if shown else "·", ""))
        return out

    def _derivative(self, i, s, shown, width) -> tuple[str, str]:
        dbg = self.dbg
        if s is None:
            return "·", ""
        if shown:
            return value_text(dbg.derivative(s), width=width), ""
        if dbg.mode == "reverse":
            got, m = dbg.received(i)   # the partial sum so far, and how many terms it will have
            if got:
                count = f" ({len(got)}/{m})" if m > 1 else ""
                return value_text(sum(t.term for t in got), width=max(width - len(count), 4)) + count, "partial"
        return "·", ""

    def header(self) -> list[str]:
        names = {"step": "step", "def": "vᵢ = op(vⱼ, …)", "value": "value", "der": DOT.get(self.dbg.mode, "")}
        self._width_plan()
        return [names[c] for c in self._cols]

    def row_text(self, k: int) -> str:
        """Row k as plain text (for tests and captures)."""
        self._width_plan()
        return " ".join(t for t, _ in self.cells(k))

    @guarded(fallback=lambda self, y: Strip.blank(self.size.width))
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style()
        if not self.rows:
            text = " running the sweep…" if self.dbg.sweep is None else " no steps in this sweep"
            return Strip([Segment(_fit(text if y == 0 else "", width), base)], width)
        widths = self._width_plan()
        if y == 0:
            return Strip([Segment(_fit(" ".join(_cell(t, w) for t, w in zip(self.header(), widths)), width),
                                  self._style("header"))], width)
        k = int(self.scroll_y) + y - 1
        if not 0 <= k < len(self.rows):
            return Strip.blank(width, base)
        status = self._status(self.rows[k])
        row = ("current",) if status == "current" else ("pending",) if status == "pending" else ()
        row_style = self._style(*row)
        segs = []
        for (text, cls), w in zip(self.cells(k), widths):
            style = self._style(*row, cls) if cls and status != "current" else row_style
            segs.append(Segment(_cell(text, w) + " ", style))
        return Strip(segs, width).crop(0, width).extend_cell_length(width, row_style)

    def on_click(self, event) -> None:
        k = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= k < len(self.rows):
            i = self.rows[k]
            if i < 0:    # a collapsed group's row: its layer step
                i = self.dbg.steps[self.dbg.layer_of(~i).index].node
            self.post_message(NodeClicked(i))


def _cell(text: str, width: int) -> str:
    """text in exactly `width` cells (combining marks take none), cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + "…"


def _fit(text: str, width: int) -> str:
    return set_cell_size(text, width)


# ------------------------------------------------------------------ the inspector

ROLES = {   # the inspector's parts and their look without a stylesheet (tests, captures)
    "head": "bold", "line": "bold cyan", "equation": "italic", "origin": "dim", "result": "bold yellow",
    "term": "bold magenta", "note": "bold red", "waiting": "cyan",
}


class Inspector(Bound, Static):
    """The current node: its Wengert line, the chain-rule equation of the step written out with
    its numbers (one term per consumer in reverse mode), its derivative and value. Its parts are
    styled by component classes (`inspector--head`, `--line`, `--equation`, …) in graphdiff.tcss."""

    COMPONENT_CLASSES = {f"inspector--{role}" for role in ROLES}
    detail = reactive(False, init=False, repaint=False)   # larger arrays in full, and a term's Jacobian

    def __init__(self, dbg: Debugger, **kw):
        super().__init__(**kw)
        self.dbg = dbg

    def watch_detail(self) -> None:
        self._later()

    def on_resize(self) -> None:
        self._later()

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _sync(self) -> None:
        styles = getattr(self, "_styles", None)
        if styles is None:
            styles = self._styles = {role: self.get_component_rich_style(f"inspector--{role}")
                                     for role in ROLES}
        text = inspector_text(self.dbg, width=self.size.width or 48, detail=self.detail, styles=styles)
        width = max(self.size.width, 1)
        lines = sum(max(1, -(-cell_len(line) // width)) for line in text.plain.split("\n"))
        # Padded to the pane's height, the widget keeps its height from step to step, so an update
        # repaints it alone; only a step longer than the pane needs a new layout (and a scrollbar).
        room = self.parent.size.height if self.parent is not None else 0
        if lines < room:
            text.append("\n" * (room - lines))
            lines = room
        self.update(text, layout=lines != getattr(self, "_lines", None))
        self._lines = lines


def inspector_text(dbg: Debugger, *, width: int = 48, detail: bool = False, styles: dict | None = None) -> Text:
    """What the inspector shows for the debugger's current step (`styles`: a style per role of
    ROLES, default ROLES' own)."""
    g, s, mode = dbg.graph, dbg.step, dbg.mode
    st = {**ROLES, **(styles or {})}
    t = Text()
    if dbg.sweep is None:
        t.append("running the sweep…", style="italic")
        return t
    if s is None:
        t.append(dbg.why_empty(), style="bold")
        return t
    vw = max(width - 8, 16)
    if dbg.layer is not None:
        _layer_text(t, dbg, dbg.layer, detail, vw, st)
        return t
    head = f"step {dbg.number} of {dbg.total} · {mode}"
    if dbg.seed_label():
        head += f" · seed {dbg.seed_label()}"
    t.append(head + "\n", style=st["head"])
    t.append(wengert(g, s.node) + "\n", style=st["line"])
    name = g.label(s.node)
    if mode == "primal":
        n = g.node(s.node)
        if n.operands:
            args = [value_text(dbg.step_of(j).value if dbg.step_of(j) is not None else g.node(j).value,
                               width=max(vw // len(n.operands), 8)) for j in n.operands]
            t.append(f"  = {n.op}({', '.join(args)})\n")
        _block(t, f"{name} = ", value_lines(s.value, full=detail, digits=_digits(s.value)), st["result"])
    else:
        me = dname(name, mode)
        d = dbg.derivative(s)
        if not s.terms:
            what = (f"∂{name}/∂{name}" if mode == "reverse" else f"the direction of {name}")
            t.append(f"{me} = {value_text(d, width=vw, digits=_digits(d))}   (the seed: {what})\n", style=st["result"])
        else:
            if len(s.terms) > 1:   # the whole step, then one line (and its numbers) per term
                t.append(sum_rule(g, s, mode) + "\n", style=st["equation"])
            most = 200 if detail else 8     # a node used on every line has thousands of terms
            for k, term in enumerate(s.terms[:most]):
                style = st["term"] if k == dbg.term else ""
                origin = wengert(g, term.dst) if mode == "reverse" else g.label(term.src)
                t.append(f"  {term_rule(g, term, mode)}", style=style)
                t.append(f"   from {origin}\n", style=st["origin"])
                numbers = term_numbers(term, dbg.other(term), mode, width=vw)
                if "…" in numbers and np.size(term.term) <= 36 or detail and np.ndim(term.term):
                    _block(t, "     = ", value_lines(term.term, full=detail), style)   # too long for a line
                else:
                    t.append(f"     {numbers}\n", style=style)
                formula = partial_formula(g, term)     # with --symbolic: ∂v/∂u = 1/(2·√u)
                if formula:
                    t.append(f"     {formula}\n", style=st["origin"])
            if len(s.terms) > most:
                t.append(f"  … and {len(s.terms) - most} more terms (s steps through each"
                         + ("" if detail else ", m lists more") + ")\n", style=st["origin"])
            _block(t, f"{me} = ", value_lines(d, full=detail, digits=_digits(d)), st["result"])
        t.append(f"value {name} = {value_text(s.value, width=vw, digits=_digits(s.value))}\n")
    if s.note:
        t.append(f"⚠ {s.note}\n", style=st["note"])
    if mode == "reverse":
        waiting = []
        for j in dict.fromkeys(g.node(s.node).operands):
            got, m = dbg.received(j)
            if m > 1 and dbg.status(j) == "pending":
                waiting.append(f"{g.label(j)}: {len(got)} of {m} contributions received")
        if waiting:
            t.append("\n".join(waiting) + "\n", style=st["waiting"])
    if 0 <= dbg.term < len(s.terms):
        _term_detail(t, dbg, s.terms[dbg.term], detail, vw, st)
    return t


def _layer_text(t: Text, dbg: Debugger, layer, detail: bool, width: int, st: dict) -> None:
    """A layer step (a collapsed group): its call, the layer-level chain rule with its numbers (each
    input's share in reverse mode, each output's tangent in forward mode) and the layer's Jacobian."""
    g, mode = dbg.graph, dbg.mode
    head = f"layer step {dbg.number} of {dbg.total} · {mode}"
    if dbg.seed_label():
        head += f" · seed {dbg.seed_label()}"
    t.append(head + "\n", style=st["head"])
    t.append(f"{dbg.breadcrumb()}: {layer_call(g, layer.group)}\n", style=st["line"])
    t.append(f"  {len(layer.inner)} op-level steps inside (u expands the layer)\n", style=st["origin"])
    if mode == "primal":
        for y, v in zip(layer.outputs, layer.out):
            _block(t, f"{g.label(y)} = ", value_lines(v, full=detail, digits=_digits(v)), st["result"])
        return
    t.append(layer_rule(g, layer) + f"   (the {'VJP' if mode == 'reverse' else 'JVP'} of the layer)\n",
             style=st["equation"])
    given = zip(layer.outputs, layer.out) if mode == "reverse" else zip(layer.inputs, layer.into)
    for i, v in given:      # what comes in: the outputs' adjoints, or the inputs' tangents
        if v is not None:
            t.append(f"  {dname(g.label(i), mode)} = {value_text(v, width=width, digits=_digits(v))}\n",
                     style=st["origin"])
    J = layer_jacobian(g, layer.group, dbg.sweep.values)
    room = width + 8       # the pane's width
    for text, value in layer_terms(g, layer, contributions(g, layer, J)):
        t.append(f"  {text}\n", style=st["term"] if not text.startswith("  ") else "")
        lines = _fitting(value, detail, room - 7)
        if len(lines) == 1 and len(lines[0]) <= width:
            t.append(f"     = {lines[0]}\n")
        else:
            _block(t, "     = ", lines, "")
    fn = function_name(g, layer.group)
    if J is not None:
        _block(t, f"J_{fn} = ", _fitting(J.matrix, detail, room - len(f"J_{fn} = ")), "")
        t.append(f"  ({layer_jacobian_caption(g, layer, J)}" + ("" if detail else "; m shows all") + ")\n",
                 style=st["origin"])
    else:
        m, n = jacobian_size(g, layer.group)
        t.append(f"J_{fn}: {m}×{n}, too large to write out (the lines above are its action)\n", style=st["origin"])
    for y, v in zip(layer.outputs, layer.values):
        t.append(f"value {g.label(y)} = {value_text(v, width=width, digits=_digits(v))}\n")


def _fitting(value, detail: bool, room: int) -> list[str]:
    """A value's lines with as many matrix columns as fit `room` cells (all of them with m)."""
    for cols in (6, 5, 4, 3, 2):
        lines = value_lines(value, full=detail, digits=_digits(value), max_cols=cols)
        if detail or max(cell_len(line) for line in lines) <= room:
            break
    return lines


def _digits(v) -> int:
    """Significant digits in the inspector: a scalar result in full (12), array entries 6."""
    return 12 if v is not None and not getattr(v, "ndim", 0) else 6


def _block(t: Text, prefix: str, lines: list[str], style: str) -> None:
    """Lines of a value after a prefix, the following lines indented under the first."""
    t.append(prefix + lines[0] + "\n", style=style)
    for line in lines[1:]:
        t.append(" " * cell_len(prefix) + line + "\n", style=style)


def _term_detail(t: Text, dbg: Debugger, term, detail: bool, width: int, st: dict) -> None:
    """The stepped-into term: its edge and its local partial, an array's as a Jacobian matrix."""
    g = dbg.graph
    src, dst = g.label(term.src), g.label(term.dst)
    k = list(dbg.step.terms).index(term)
    t.append(f"\nterm {k + 1} of {len(dbg.step.terms)}: edge {src} → {dst}\n", style=st["term"])
    shape_in, shape_out = g.node(term.src).shape, g.node(term.dst).shape
    if not shape_in and not shape_out:
        t.append(f"∂{dst}/∂{src} = {value_text(term.partial)}\n")
        return
    J = jacobian_matrix(term.partial, shape_out, shape_in)
    if J is None:
        t.append(f"∂{dst}/∂{src}: a linear map from {src}'s {max(1, len(shape_in)) and _shape(shape_in)} "
                 f"entries to {dst}'s {_shape(shape_out)} (too large to record; the term above is its action)\n")
        return
    _block(t, f"∂{dst}/∂{src} = ", value_lines(J, full=detail), "")
    t.append(f"  (Jacobian: a row per entry of {dst}, a column per entry of {src}"
             + ("" if detail else "; m shows all") + ")\n", style=st["origin"])


def _shape(shape) -> str:
    return "×".join(map(str, shape)) if shape else "1"


# ------------------------------------------------------------------ status line, current row

class StatusLine(Bound, Static):
    """One line: the sweep, its seed, the step (counted from 1), the node, breakpoints, the file."""

    busy = reactive(False, init=False, repaint=False)

    def __init__(self, dbg: Debugger, path: str, **kw):
        super().__init__(**kw)
        self.dbg = dbg
        self.path = path

    def watch_busy(self) -> None:
        self._later()

    def _sync(self) -> None:
        dbg = self.dbg
        t = Text(" ")
        t.append(f"{dbg.mode} sweep", style="bold")
        if dbg.seed_label():
            t.append(f" · seed {dbg.seed_label()}")
        if self.busy:
            t.append(" · running…", style="italic")
        if dbg.step is not None:
            layer = dbg.layer
            t.append(f"   {'layer' if layer is not None else 'step'} {dbg.number}/{dbg.total}   ")
            if layer is not None:
                t.append(dbg.breadcrumb(), style="bold")
            else:
                crumbs = dbg.breadcrumb()     # the call path of a node made in a group
                t.append("node " + (crumbs.rsplit(" › ", 1)[0] + " › " if " › " in crumbs else ""))
                t.append(dbg.graph.label(dbg.step.node), style="bold")
        elif dbg.sweep is not None:
            t.append("   no steps")
        bp = ", ".join(dbg.graph.label(i) for i in sorted(dbg.breakpoints))
        if bp:
            t.append(f"   breakpoints: {bp}")
        t.append(f"   {self.path}", style="dim")
        self.update(t, layout=False)


class CurrentRow(Bound, Static):
    """The current row of the trace on one line (for terminals too small to show the table)."""

    def __init__(self, dbg: Debugger, **kw):
        super().__init__(**kw)
        self.dbg = dbg

    def _sync(self) -> None:
        dbg, s = self.dbg, self.dbg.step
        if s is None:
            self.update("", layout=False)
            return
        w = max(self.size.width, 40)
        layer = dbg.layer
        if layer is not None:
            y = layer.outputs[0] if layer.outputs else s.node
            text = f" {dbg.number}/{dbg.total}  ▣ {layer_call(dbg.graph, layer.group)}   " \
                   f"{value_text(layer.values[0] if layer.values else s.value, width=w // 4)}"
            if dbg.mode != "primal" and layer.out:
                text += f"   {dname(dbg.graph.label(y), dbg.mode)} = {value_text(layer.out[0], width=w // 4)}"
            self.update(text, layout=False)
            return
        text = f" {dbg.number}/{dbg.total}  {wengert(dbg.graph, s.node)}   {value_text(s.value, width=w // 4)}"
        if dbg.mode != "primal":
            text += f"   {dname(dbg.graph.label(s.node), dbg.mode)} = {value_text(dbg.derivative(s), width=w // 4)}"
        self.update(text, layout=False)


# ------------------------------------------------------------------ the key bar

PRIORITY = {   # which keys the bar keeps when the terminal is narrow (0 = always)
    "next": 0, "prev": 0, "mode('primal')": 0, "mode('forward')": 0, "mode('reverse')": 0,
    "help": 0, "quit": 0, "app.quit": 0, "app.pop_screen": 0, "move(1)": 0, "move(-1)": 0,
    "move('next')": 0, "move('prev')": 0, "leave": 0, "hint": 0,
    "step_into": 1, "first": 1, "last": 1, "cont": 1, "breakpoint": 1, "group": 1, "all_groups": 2,
    "seed": 2, "edit_input": 2, "export": 2, "compare": 2, "program": 2, "table": 2,
}


GROUP_ACTIONS = ("group", "all_groups")
# On a graph with groups, `u` (a layer as one box) ranks before `s` and `c`: at 80 columns the bar
# then drops `c continue` (without breakpoints it is G; `?` lists it) instead of `u`.
GROUPED_PRIORITY = {**PRIORITY, "group": 0.5}


class KeyBar(Footer):
    """Textual's footer showing as many keys as fit the width, the essential ones first and always
    (next, previous, the three sweeps, help and quit); `?` lists every key."""

    def compose(self):
        if not self._bindings_ready:
            return
        dbg = getattr(self.screen, "dbg", None)
        priority = GROUPED_PRIORITY if dbg is not None and dbg.graph.groups else PRIORITY
        chosen = fitting(self._shown_bindings(), self.app.size.width, self.app.get_key_display, priority)
        self.styles.grid_size_columns = len(chosen)
        for binding, enabled, tooltip in chosen:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                            binding.action, disabled=not enabled,
                            tooltip=tooltip or binding.tooltip).data_bind(compact=Footer.compact)

    def _shown_bindings(self) -> list:
        seen: dict = {}
        dbg = getattr(self.screen, "dbg", None)
        grouped = dbg is None or bool(dbg.graph.groups)
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.action in GROUP_ACTIONS and not grouped:
                continue     # a graph without groups: u and U only say so (listed by ?)
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding, enabled, tooltip)
        return list(seen.values())

    async def on_resize(self) -> None:
        await self.recompose()


def fitting(bindings: list, width: int, display=lambda b: b.key, priority: dict = PRIORITY) -> list:
    """The bindings to show in `width` columns: by priority (0: always), then in their order."""
    def cost(b) -> int:
        return len(display(b)) + len(b.description) + 2
    ranked = sorted(range(len(bindings)), key=lambda k: (priority.get(bindings[k][0].action, 3), k))
    keep, used = set(), 0
    for k in ranked:
        c = cost(bindings[k][0])
        if used + c > width - 1 and priority.get(bindings[k][0].action, 3) > 0:
            continue
        keep.add(k)
        used += c
    return [bindings[k] for k in sorted(keep)]
