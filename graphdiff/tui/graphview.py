"""The graph pane: the DAG drawn on a character grid, restyled per step, laid out once.

It follows the current node, zooms (full boxes → compact one-line boxes → one glyph a node),
fits the whole graph in the pane, pans (keys, mouse drag, wheel) and has a focus view that
shows only the current node's neighbourhood (k hops). Colours come from component classes
styled in graphdiff.tcss (light and dark themes alike).
"""
from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .bound import Bound
from .guard import guarded
from .canvas import BLANK, EDGE, EDGE_STEP, EDGE_TERM, Canvas, Highlight
from .layout import ZOOMS, Topology, geometry, layered, least_width, topology
from .messages import NodeClicked
from .state import Debugger

CLASSES = ("current", "done", "pending", "idle", "breakpoint", "ghost", "edge", "edge-step", "edge-term")
EDGE_CLASS = {BLANK: "", EDGE: "edge", EDGE_STEP: "edge-step", EDGE_TERM: "edge-term"}


class GraphView(Bound, ScrollView, can_focus=False):
    """The DAG, drawn from a layout once per zoom level; a step only changes the styles."""

    COMPONENT_CLASSES = {f"graph--{c}" for c in CLASSES}

    zoom = reactive("full", init=False, repaint=False)
    hops = reactive(0, init=False, repaint=False)      # focus view: 0 = the whole graph, k = k hops around the current node

    def __init__(self, dbg: Debugger, **kw):
        super().__init__(**kw)
        self.dbg = dbg
        self.topo: Topology | None = None
        self.ranked = None
        self.engine = ""
        self._canvases: dict = {}
        self._styles: dict = {}
        self._highlight = Highlight()
        self._status: dict = {}
        self._drag = None

    # ------------------------------------------------------------ layout and canvas

    def set_layout(self, topo: Topology, ranked, geometries: dict | None = None) -> None:
        """Show a (new) layout; the zoom level and the current node's place in view are kept.
        `geometries`: the layout's geometry at some zoom levels, already computed (in a worker)."""
        self.topo, self.ranked, self.engine = topo, ranked, ranked.engine
        self._canvases.clear()
        for zoom, geo in (geometries or {}).items():
            self._canvases[("geometry", zoom, None)] = (topo, geo)
        self.loading = False
        self._sync()

    def _view(self):
        """(topology, ranked) of what is drawn: the whole graph, or the focus neighbourhood."""
        if not self.hops or self.dbg.step is None:
            return self.topo, self.ranked, None
        centre = self.dbg.step.node
        key = (centre, self.hops, frozenset(self.dbg.collapsed))
        if key not in self._canvases:
            if len(self._canvases) > 64:   # neighbourhoods of earlier steps: drop, keep the whole graph's
                for k in [k for k in self._canvases if isinstance(k[-1], tuple) or isinstance(k[0], int)]:
                    del self._canvases[k]
            nodes = neighbourhood(self.dbg.graph, centre, self.hops)
            topo = topology(self.dbg.graph, nodes, ghosts=False, collapsed=self.dbg.collapsed)
            self._canvases[key] = (topo, layered(topo))
        topo, ranked = self._canvases[key]
        return topo, ranked, key

    @property
    def canvas(self) -> Canvas | None:
        """The drawing for the current zoom level and view (None before the first layout)."""
        if self.topo is None:
            return None
        topo, ranked, focus = self._view()
        key = ("canvas", self.zoom, focus)
        if key not in self._canvases:
            outs = {i for _, i in self.dbg.graph.outputs}
            g = self.dbg.graph

            def kind(k, topo=topo):
                if k in topo.ghosts:
                    return "ghost"
                if k in topo.groups:
                    return "group"
                op = g.node(k).op
                return "output" if k in outs else op if op in ("input", "const") else "op"
            self._canvases[key] = (topo, Canvas(self._geometry(topo, ranked, self.zoom, focus), topo.text, kind))
        return self._canvases[key][1]

    @property
    def view_topology(self) -> Topology | None:
        return None if self.topo is None else self._view()[0]

    # ------------------------------------------------------------ reacting to the debugger

    def watch_zoom(self) -> None:
        self._later()

    def watch_hops(self) -> None:
        self._later()

    def _sync(self) -> None:
        canvas = self.canvas
        self._status.clear()
        self._highlight = self._highlights(canvas)
        if canvas is not None:
            self.virtual_size = Size(canvas.width, canvas.height)
            mode = f"focus ±{self.hops}" if self.hops else self.zoom
            subtitle = f"{self.engine} · {mode}"
            if self.border_subtitle != subtitle:
                self.border_subtitle = subtitle
        self.follow()
        self.refresh()

    def _highlights(self, canvas) -> Highlight:
        """The current step's edges (the stepped-into term marked), cut to the window when drawn."""
        dbg = self.dbg
        if canvas is None or dbg.step is None:
            return Highlight()
        topo = self.view_topology
        layer = dbg.layer
        terms = layer.terms if layer is not None else dbg.step.terms   # a layer: the terms crossing its edge
        edges = []
        for k, t in enumerate(terms):
            level = EDGE_TERM if k == dbg.term and layer is None else EDGE_STEP
            src, dst = topo.key(t.src), topo.key(t.dst)
            if src != dst:
                edges += [((src, dst), level), ((topo.cut.get((src, dst)), dst), level)]
        return canvas.highlight(edges)

    def box_key(self, node: int) -> int:
        """The box the node is drawn in, in the current view (its collapsed group's, or its own)."""
        topo = self.view_topology
        return topo.key(node) if topo is not None else node

    def follow(self, *, centre: bool = False) -> None:
        """Scroll so the current node is in view (centred when it was out of view, or asked)."""
        canvas, dbg = self.canvas, self.dbg
        if canvas is None or dbg.step is None or not self.size.area:
            return
        box = canvas.geometry.boxes.get(self.box_key(dbg.step.node))
        if box is None:
            return
        x, y, w, h = box
        sx, sy = self.scroll_offset
        vw, vh = self.scrollable_content_region.size
        inside = sx <= x and x + w <= sx + vw and sy <= y and y + h <= sy + vh
        if inside and not centre:
            return
        self.scroll_to(max(0, x + w // 2 - vw // 2), max(0, y + h // 2 - vh // 2), animate=False, force=True)

    @guarded
    def on_resize(self) -> None:
        self.follow()

    # ------------------------------------------------------------ zoom, fit, pan

    def fits(self, zoom: str, *, height: int | None = None) -> bool:
        """Whether the whole view fits the pane's width (and `height` rows, or the pane's) at `zoom`."""
        if self.topo is None:
            return False
        topo, ranked, focus = self._view()
        vw, vh = self.scrollable_content_region.size
        if least_width(topo, ranked, zoom) > vw:
            return False      # ruled out without drawing (a large graph at full zoom)
        geo = self._geometry(topo, ranked, zoom, focus)
        return geo.width <= vw and geo.height <= (vh if height is None else height - 2)

    def _geometry(self, topo, ranked, zoom, focus):
        key = ("geometry", zoom, focus)
        if key not in self._canvases:
            self._canvases[key] = (topo, geometry(topo, ranked, zoom))
        return self._canvases[key][1]

    def fit(self, *, height: int | None = None) -> str:
        """The most detailed zoom level at which the whole view fits the pane (else the overview)."""
        for z in ZOOMS:
            if self.fits(z, height=height):
                return z
        return ZOOMS[-1]

    def pan(self, dx: int, dy: int) -> None:
        self.scroll_to(self.scroll_x + dx, self.scroll_y + dy, animate=False, force=True)

    # ------------------------------------------------------------ drawing

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        """The rich style of a component class over the pane's own (cached until the CSS changes)."""
        style = self._styles.get(name)
        if style is None:
            base = self._styles.get("") or self._styles.setdefault("", self.rich_style)
            style = self._styles[name] = base if not name else base + self.get_component_rich_style(f"graph--{name}")
        return style

    def _node_style(self, key: int) -> Style:
        topo = self.view_topology
        real = topo.real(key)
        if key not in self._status:
            gid = topo.groups.get(key)
            status = self.dbg.status(real) if gid is None else self.dbg.group_status(gid)
            if status != "current" and real in self.dbg.breakpoints:
                status = "breakpoint"
            elif status != "current" and key in topo.ghosts:
                status = "ghost"
            self._status[key] = status
        return self._style(self._status[key])

    @guarded(fallback=lambda self, y: Strip.blank(self.size.width))
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        canvas = self.canvas
        if canvas is None:
            return Strip.blank(width, self._style(""))
        sx, sy = self.scroll_offset
        marks = self._highlight.rows(sx, sy, sx + width, sy + self.size.height) if self._highlight else None
        text, runs = canvas.row(sy + y, sx, width, marks)
        segs = []
        for a, b, kind in runs:
            style = self._node_style(kind) if kind >= 0 else self._style(EDGE_CLASS[kind])
            segs.append(Segment(text[a:b], style))
        return Strip(segs, width)

    # ------------------------------------------------------------ mouse

    def on_mouse_down(self, event) -> None:
        self._drag = (event.screen_x, event.screen_y, self.scroll_x, self.scroll_y, False)
        self.capture_mouse()

    def on_mouse_move(self, event) -> None:
        if self._drag is None:
            return
        x0, y0, sx, sy, moved = self._drag
        dx, dy = event.screen_x - x0, event.screen_y - y0
        if dx or dy:
            self._drag = (x0, y0, sx, sy, True)
            self.scroll_to(sx - dx, sy - dy, animate=False, force=True)

    @guarded
    def on_mouse_up(self, event) -> None:
        drag, self._drag = self._drag, None
        self.release_mouse()
        canvas = self.canvas
        if drag is None or drag[4] or canvas is None:
            return
        key = canvas.box_at(int(self.scroll_x) + event.x, int(self.scroll_y) + event.y)
        if key is not None:
            self.post_message(NodeClicked(self.view_topology.real(key)))

    def region_of(self, node: int) -> Region | None:
        """Where a node's box is on the canvas (x, y, width, height), if drawn."""
        canvas = self.canvas
        box = canvas.geometry.boxes.get(self.box_key(node)) if canvas is not None else None
        return Region(*box) if box else None


def neighbourhood(g, centre: int, hops: int) -> list[int]:
    """The visible nodes within `hops` edges of `centre` (either direction), in graph order."""
    from .layout import visible_nodes
    keep = set(visible_nodes(g))
    seen, frontier = {centre}, [centre]
    for _ in range(hops):
        nxt = []
        for i in frontier:
            for j in list(g.node(i).operands) + list(g.consumers(i)):
                if j in keep and j not in seen:
                    seen.add(j)
                    nxt.append(j)
        frontier = nxt
    return [i for i in sorted(seen) if i in keep]
