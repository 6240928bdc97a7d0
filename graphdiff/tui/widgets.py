"""The debugger's widgets: the graph pane, the trace table and the inspector. They only read the
`Debugger` state and the step records; none of them computes a derivative."""
from __future__ import annotations

from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import DataTable, Static

from ..graph import Graph
from ..ops import attr_text
from .canvas import STYLES, Canvas
from .layout import Layout, visible_nodes
from .state import Debugger, dname, full, short

DOT = {"forward": "v̇", "reverse": "v̄", "primal": ""}


def definition(g: Graph, i: int) -> str:
    """`v = log(v6)`: the Wengert-list line of node i."""
    n = g.node(i)
    if n.op == "input":
        return f"{g.label(i)} (input)"
    if n.op == "const":
        return f"{g.label(i)} (const)"
    args = ", ".join(g.label(j) if g.node(j).op != "const" or g.node(j).names else short(g.node(j).value)
                     for j in n.operands)
    extra = "".join(f", {attr_text(k, v)}" for k, v in n.attrs)
    return f"{g.label(i)} = {n.op}({args}{extra})"


class GraphView(ScrollView, can_focus=True):
    """The DAG drawn with box characters; restyled per step, laid out once."""

    DEFAULT_CSS = "GraphView { background: $surface; }"

    def __init__(self, dbg: Debugger, **kw):
        super().__init__(**kw)
        self.dbg = dbg
        self.canvas: Canvas | None = None

    def set_layout(self, lay: Layout) -> None:
        self.canvas = Canvas(self.dbg.graph, lay)
        self.virtual_size = Size(lay.width, lay.height)
        self.follow()
        self.refresh()

    def follow(self) -> None:
        """Scroll so the current node is in view."""
        if self.canvas is None:
            return
        box = self.canvas.layout.boxes.get(self.dbg.step.node)
        if box:
            x, y, w, h = box
            self.scroll_to_region(Region(x, y, w, h), animate=False, spacing=None)

    def _edge_style(self, key):
        dbg = self.dbg
        terms = dbg.step.terms
        for k, t in enumerate(terms):
            if (t.src, t.dst) == key:
                return STYLES["edge_term"] if k == dbg.term else STYLES["edge_step"]
        return STYLES["edge"]

    def _node_style(self, i):
        if i in self.dbg.breakpoints and self.dbg.status(i) != "current":
            return STYLES["breakpoint"]
        return STYLES[self.dbg.status(i)]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self.canvas is None:
            return Strip([]) if y else Strip.blank(width)
        sx, sy = self.scroll_offset
        segs = self.canvas.segments(sy + y, sx, width, self._node_style, self._edge_style)
        return Strip(segs, width)


class TraceTable(DataTable):
    """The evaluation trace: one row per node, derivatives filled in as the sweep advances."""

    def __init__(self, dbg: Debugger, **kw):
        super().__init__(cursor_type="row", zebra_stripes=False, **kw)
        self.dbg = dbg
        self.node_rows: list[int] = []
        self.rows_index: dict[str, int] = {}

    def rebuild(self) -> None:
        """All rows and columns again (after a mode switch or an input edit)."""
        dbg, g = self.dbg, self.dbg.graph
        self.clear(columns=True)
        self.add_column("step", key="step", width=5)
        self.add_column("vᵢ = op(vⱼ, …)", key="def")
        self.add_column("value", key="value", width=14)
        if dbg.mode != "primal":
            self.add_column(DOT[dbg.mode], key="der", width=16)
        self.node_rows = [i for i in visible_nodes(g) if dbg.mode == "primal" or dbg.step_of(i) is not None]
        self.rows_index = {str(i): k for k, i in enumerate(self.node_rows)}
        for i in self.node_rows:
            cells = ["", definition(g, i), ""] + ([""] if dbg.mode != "primal" else [])
            self.add_row(*cells, key=str(i))
        self.update_rows(self.node_rows)

    def update_rows(self, nodes) -> None:
        dbg = self.dbg
        for i in nodes:
            if str(i) not in self.rows_index:
                continue
            status = dbg.status(i)
            s = dbg.step_of(i)
            shown = status in ("done", "current")
            self.update_cell(str(i), "step", str(s.index) if s is not None else "", update_width=False)
            self.update_cell(str(i), "value", short(s.value) if (s is not None and (shown or dbg.mode != "primal")) else "·",
                             update_width=False)
            if dbg.mode != "primal":
                if shown:
                    text = short(dbg.derivative(s))
                elif dbg.mode == "reverse" and s is not None:
                    got, m = dbg.received(i)   # the partial sum so far, and how many terms it has
                    text = f"{short(sum(t.term for t in got))} ({len(got)}/{m})" if got else "·"
                else:
                    text = "·"
                self.update_cell(str(i), "der", text, update_width=False)
        node = dbg.step.node
        if str(node) in self.rows_index:
            self.move_cursor(row=self.rows_index[str(node)], animate=False)


class Inspector(Static):
    """The current node: op, value, derivative, local partials, and the chain-rule equation."""

    def show(self, dbg: Debugger) -> None:
        self.update(inspector_text(dbg))


def inspector_text(dbg: Debugger) -> Text:
    g, s = dbg.graph, dbg.step
    n = g.node(s.node)
    name = g.label(s.node)
    t = Text()
    t.append(f"{dbg.mode} sweep · step {s.index + 1} of {len(dbg.steps)}", style="bold")
    if dbg.seed_label():
        t.append(f" · seed {dbg.seed_label()}")
    t.append("\n\n")
    t.append(definition(g, s.node) + "\n", style="bold cyan")
    if n.op not in ("input", "const"):
        t.append(f"op: {n.op}  ({'shape ' + str(n.shape) if n.shape else 'scalar'})\n")
    t.append("value: ")
    t.append(full(s.value) + "\n")
    if s.note:
        t.append(f"⚠ {s.note}\n", style="bold red")
    if dbg.mode == "primal":
        return t
    d = dbg.derivative(s)
    D = lambda i: dname(g.label(i), dbg.mode)  # noqa: E731
    me = D(s.node)
    t.append(f"{me} = ", style="bold")
    t.append(full(d) + "\n\n", style="bold yellow")
    if dbg.mode == "forward":
        t.append(f"{me} = Σⱼ ∂{name}/∂vⱼ · v̇ⱼ\n", style="italic")
        if n.op == "input":
            t.append(f"  seed: {me} = {short(d)}\n")
    else:
        t.append(f"{me} = Σᵢ v̄ᵢ · ∂vᵢ/∂{name}   (one term per consumer)\n", style="italic")
        if not s.terms:
            t.append(f"  seed: {me} = {short(d)}\n")
    for k, term in enumerate(s.terms):
        style = "bold magenta" if k == dbg.term else ""
        src, dst = g.label(term.src), g.label(term.dst)
        partial = short(term.partial) if term.partial is not None else "(linear map)"
        if dbg.mode == "forward":
            line = f"  ∂{dst}/∂{src} · {D(term.src)} = {partial} × {short(dbg.step_of(term.src).tangent)} = {short(term.term)}\n"
        else:
            line = f"  {D(term.dst)} · ∂{dst}/∂{src} = {short(dbg.step_of(term.dst).adjoint)} × {partial} = {short(term.term)}\n"
        t.append(line, style=style)
    if len(s.terms) > 1:
        t.append(f"  sum = {short(d)}\n")
    if dbg.mode == "reverse":
        waiting = []
        for j in dict.fromkeys(g.node(s.node).operands):
            got, m = dbg.received(j)
            if m > 1 and dbg.status(j) == "pending":
                waiting.append(f"{g.label(j)}: {len(got)} of {m} contributions received")
        if waiting:
            t.append("\n" + "\n".join(waiting) + "\n", style="cyan")
    if dbg.term >= 0:
        term = s.terms[dbg.term]
        t.append(f"\nterm {dbg.term + 1} of {len(s.terms)}: edge {g.label(term.src)} → {g.label(term.dst)}\n",
                 style="bold magenta")
        if term.partial is not None and getattr(term.partial, "ndim", 0):
            t.append(f"∂{g.label(term.dst)}/∂{g.label(term.src)} = {full(term.partial)}\n")
    return t
