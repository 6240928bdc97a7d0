"""The step-through debugger: `graphdiff tui FILE` (docs/tui.md: its keys, sizes and views).

The main screen holds the state as reactive attributes (`mode`, `seed`, `step`, `term`, ...);
its widgets are bound to them and update themselves. Sweeps and layouts run in workers and come
back as messages (`messages.py`); keys pressed while a sweep runs wait for it, in order. An
unexpected error in a key's action becomes a notice and the app stays alive.
"""
from __future__ import annotations

import gc
import sys
import time
import traceback
from functools import wraps
from pathlib import Path

try:
    import termios      # Unix: whether the terminal is still there (see GraphdiffApp.watch_terminal)
except ImportError:     # Windows
    termios = None

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen

from ..graph import Graph
from ..layers import collapse_spec
from ..source import GraphError
from . import dialogs
from .guard import guarded
from .layout import LayoutTimeout, Ranked, Topology, geometry, graphviz_layout, layered, topology
from .messages import (LayoutFailed, LayoutReady, NodeClicked, PracticeReady, StepChanged, SweepFailed,
                       SweepReady)
from .state import MODES, Debugger, compute, walk
from .widgets import CurrentRow, GraphView, Inspector, KeyBar, StatusLine, TraceTable

ZOOM_ORDER = ("full", "compact", "overview")


def when_ready(action):
    """Run a navigation action now, or, while a sweep is running, once it has arrived (in order)."""
    @wraps(action)
    def run(self, *args):
        if self.busy:
            self.queued.append(lambda: action(self, *args))
            return
        return action(self, *args)
    return run


class DebuggerScreen(Screen):
    """The graph, the trace table and the inspector, and every debugger key."""

    BINDINGS = [
        Binding("n,right", "next", "next", tooltip="next step"),
        Binding("p,left", "prev", "prev", tooltip="previous step (time travel: the records are kept)"),
        Binding("s", "step_into", "terms", tooltip="step into the edge terms of this step, one at a time"),
        Binding("c", "cont", "continue", tooltip="continue to the next breakpoint (or the end)"),
        Binding("g", "first", "first", tooltip="first step"),
        Binding("G", "last", "last", tooltip="last step"),
        Binding("b", "breakpoint", "break", tooltip="toggle a breakpoint on the current node"),
        Binding("u", "group", "group", tooltip="collapse the current node's group into one box, stepped as one "
                                              "layer (its JVP / VJP); on a layer: expand it"),
        Binding("U", "all_groups", "all groups", tooltip="collapse every group (layer-level steps), or expand "
                                                         "them all"),
        Binding("e", "mode('primal')", "primal", tooltip="the primal sweep (evaluation)"),
        Binding("f", "mode('forward')", "forward", tooltip="the forward sweep (tangents, top-down)"),
        Binding("r", "mode('reverse')", "reverse", tooltip="the reverse sweep (adjoints, bottom-up)"),
        Binding("d", "seed", "seed", tooltip="choose the seed: an input entry (forward), an output entry (reverse)"),
        Binding("i", "edit_input", "input", tooltip="edit an input's value and re-run"),
        Binding("x", "export", "export", tooltip="export the current frame (SVG; DOT without Graphviz)"),
        Binding("v", "compare", "vs", tooltip="forward vs reverse side by side, with their counts and the verdict"),
        Binding("w", "program", "program", tooltip="the sweep as a program (pseudo-code), this step's lines highlighted"),
        Binding("t", "table", "table", tooltip="show or hide the trace table (small terminals: in place of the inspector)"),
        Binding("z", "zoom", "zoom", tooltip="zoom: full boxes → compact boxes → one glyph a node"),
        Binding("0", "fit", "fit", tooltip="fit: the most detailed zoom at which the whole graph fits"),
        Binding("o", "focus_view", "focus", tooltip="focus view: only the current node's neighbourhood (k hops)"),
        Binding("right_square_bracket", "hops(1)", "k+1", show=False, tooltip="focus view: one hop more"),
        Binding("left_square_bracket", "hops(-1)", "k−1", show=False, tooltip="focus view: one hop fewer"),
        Binding("h,shift+left", "pan(-8, 0)", "pan", show=False, tooltip="pan the graph left"),
        Binding("l,shift+right", "pan(8, 0)", "pan", show=False, tooltip="pan the graph right"),
        Binding("k,up", "pan(0, -3)", "pan", show=False, tooltip="pan the graph up"),
        Binding("j,down", "pan(0, 3)", "pan", show=False, tooltip="pan the graph down"),
        Binding("full_stop", "centre", "centre", show=False, tooltip="centre the graph on the current node"),
        Binding("m", "more", "more", show=False, tooltip="more: larger arrays in full, and a term's Jacobian"),
        Binding("P", "practice", "practice", tooltip="practice: type each step's value, tangent or adjoint before "
                                                     "it is revealed (checked, with hints and a score)"),
        Binding("pageup", "scroll_inspector(-1)", "scroll", show=False, tooltip="scroll the inspector up"),
        Binding("pagedown", "scroll_inspector(1)", "scroll", show=False, tooltip="scroll the inspector down"),
        Binding("question_mark", "help", "help", tooltip="this list of keys"),
        Binding("q", "app.quit", "quit", tooltip="quit"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    mode = reactive("primal", init=False, repaint=False)      # the sweep asked for (the installed one is dbg.mode)
    seed = reactive(None, init=False, repaint=False)          # the current mode's seed (None: the default)
    step = reactive(0, init=False, repaint=False)             # 0-based index into the sweep's steps
    term = reactive(-1, init=False, repaint=False)            # the edge term stepped into (-1: the whole step)
    sweep = reactive(None, init=False, repaint=False, always_update=True)
    marks = reactive(0, init=False, repaint=False)            # counts breakpoint changes
    busy = reactive(False, init=False, repaint=False)         # a sweep is running in a worker
    zoom = reactive("full", init=False, repaint=False)
    hops = reactive(0, init=False, repaint=False)             # focus view: 0 off, else k hops
    detail = reactive(False, init=False, repaint=False)       # arrays in full in the inspector
    table = reactive(False, init=False, repaint=False)        # the trace table toggled (see action_table)

    def __init__(self, dbg: Debugger, *, path: str, mode: str, layout_engine: str,
                 preset_layout=None, layout_timeout: float | None = 10.0):
        super().__init__()
        self.dbg = dbg
        self.path = path
        self.layout_engine = layout_engine
        self.preset_layout = preset_layout
        self.layout_timeout = layout_timeout
        self.queued: list = []
        self.zoom_chosen = False
        self._wanted = ""        # the cache key of the sweep being computed
        self._keep = False       # ... and whether the cursor stays on its node when it comes
        self._ahead = ""         # the cache key of the sweep being computed ahead of time
        self._failed: dict = {}  # cache keys of sweeps computed ahead that could not run
        self._dot_process = None
        self._layouts: dict = {}   # collapsed groups -> (topology, ranked): toggling back is instant
        self.set_reactive(DebuggerScreen.mode, mode)

    def compose(self) -> ComposeResult:
        cursor = (DebuggerScreen.step, DebuggerScreen.term, DebuggerScreen.sweep, DebuggerScreen.marks)
        yield StatusLine(self.dbg, Path(self.path).name, id="status").data_bind(*cursor, DebuggerScreen.busy)
        graph = GraphView(self.dbg, id="graph").data_bind(*cursor, DebuggerScreen.zoom, DebuggerScreen.hops)
        graph.border_title = "graph"
        yield graph
        with Horizontal(id="bottom"):
            with Vertical(id="side"):
                yield CurrentRow(self.dbg, id="row").data_bind(*cursor)
                with VerticalScroll(id="inspector-box", can_focus=False) as box:
                    box.border_title = "step"
                    yield Inspector(self.dbg, id="inspector").data_bind(*cursor, DebuggerScreen.detail)
            trace = TraceTable(self.dbg, id="trace").data_bind(*cursor)
            trace.border_title = "trace"
            yield trace
        yield KeyBar(compact=True)

    def notify(self, message: str, **kw) -> None:
        """A notice; its text is shown as written (names and values may contain [ and ])."""
        kw.setdefault("markup", False)
        super().notify(message, **kw)

    @guarded
    def on_mount(self) -> None:
        graph = self.query_one(GraphView)
        preset = self.preset_layout
        if preset is not None and not isinstance(preset, tuple):
            preset = (topology(self.dbg.graph, collapsed=self.dbg.collapsed), preset)
        if preset is not None and all(k in preset[1].rank for k in preset[0].nodes):
            topo, ranked = preset
            self._layouts[topo.collapsed] = (topo, ranked)
            self.show_layout(topo, ranked)
        else:     # none given, or one made for other boxes (the groups collapsed otherwise): lay out anew
            graph.loading = True
            self.lay_out(frozenset(self.dbg.collapsed))
        self.request_sweep(self.mode)

    def on_unmount(self) -> None:
        self.stop_graphviz()
        gc.unfreeze()

    @staticmethod
    def keep_still() -> None:
        """Move what is alive now (the graph, its sweeps, the layouts: millions of objects on a
        large graph) out of the cyclic garbage collector's reach. Otherwise each full collection
        walks them all, and a key press that happens to trigger one takes 50 ms more on a
        2,000-node graph. Undone when the screen goes (`gc.unfreeze`)."""
        gc.freeze()

    # ------------------------------------------------------------ sweeps (workers)

    def request_sweep(self, mode: str, *, keep: bool = False) -> None:
        """Show `mode`'s sweep: at once when it was computed before, else from a worker."""
        dbg = self.dbg
        key = dbg.key(mode)
        cached = dbg.cached(mode)
        if cached is not None:
            self._wanted = ""
            self.busy = False
            dbg.install(mode, cached, keep=keep)
            self.publish()
            self.flush_queue()
            return
        self._wanted = key
        self._keep = keep
        self.busy = True
        if key != self._ahead:     # else the sweep being computed ahead is the one wanted: wait for it
            self.sweep_worker(mode, dict(dbg.at), dbg.seeds.get(mode), key, keep, frozenset(dbg.collapsed))

    @work(thread=True, exclusive=True, group="sweep", exit_on_error=False)
    def sweep_worker(self, mode, at, seed, key, keep, collapsed=frozenset()) -> None:
        self._sweep(mode, at, seed, key, keep, False, collapsed)

    def _sweep(self, mode, at, seed, key, keep, ahead, collapsed) -> None:
        """Run a sweep (off the UI thread) and its walk with the `collapsed` groups (its stops,
        layers and table rows), and post what came of them."""
        try:
            sweep = compute(self.dbg.graph, mode, at, seed)
            walked = (collapsed, walk(self.dbg.graph, sweep, collapsed))
        except GraphError as e:
            self.post_message(SweepFailed(mode, key, e.message + (f" ({e.hint})" if e.hint else "")))
            return
        except Exception as e:  # a bug: reported, the app stays
            self.post_message(SweepFailed(mode, key, f"internal error: {type(e).__name__}: {e}"))
            self.app.record_error(e)
            return
        self.post_message(SweepReady(mode, key, sweep, keep, ahead, walked))

    def compute_ahead(self) -> None:
        """Once the shown sweep is ready, compute the other modes' sweeps in the background, one
        at a time, so that switching mode (f, r, v) is immediate. A switch made before its sweep
        is ready waits for it as before."""
        dbg = self.dbg
        if self._ahead:
            return
        for mode in MODES:
            key = dbg.key(mode)
            if dbg.cached(mode) is None and key != self._wanted and key not in self._failed:
                self._ahead = key
                self.ahead_worker(mode, dict(dbg.at), dbg.seeds.get(mode), key, frozenset(dbg.collapsed))
                return

    @work(thread=True, group="ahead", exit_on_error=False)   # one at a time (compute_ahead)
    def ahead_worker(self, mode, at, seed, key, collapsed) -> None:
        self._sweep(mode, at, seed, key, False, True, collapsed)

    @guarded
    def on_sweep_ready(self, msg: SweepReady) -> None:
        if msg.walked is not None:
            self.dbg.remember(msg.sweep, *msg.walked)
        keep = msg.keep
        if msg.ahead:
            self._ahead = ""
            self.dbg.store(msg.key, msg.sweep)
            if msg.key != self._wanted:     # not asked for yet: keep it, compute the next
                self.compute_ahead()
                return
            keep = self._keep               # asked for while it was computed ahead
        if msg.key != self._wanted:
            return   # asked for something else since
        self._wanted = ""
        self.dbg.install(msg.mode, msg.sweep, keep=keep)
        self.busy = False
        self.publish()
        self.flush_queue()
        self.keep_still()
        self.compute_ahead()

    @guarded
    def on_sweep_failed(self, msg: SweepFailed) -> None:
        if msg.key == self._ahead:     # computed ahead: said when (if) that mode is asked for
            self._ahead = ""
            self._failed[msg.key] = msg.reason
        if msg.key != self._wanted:
            self.compute_ahead()
            return
        self._wanted = ""
        self.busy = False
        self.notify(f"{msg.mode} sweep: {msg.reason}", severity="warning", timeout=6)
        if self.dbg.sweep is None:   # nothing shown yet (opened in this mode): fall back to primal
            if msg.mode != "primal":
                self.set_reactive(DebuggerScreen.mode, "primal")
                self.request_sweep("primal")
            return
        self.set_reactive(DebuggerScreen.mode, self.dbg.mode)
        self.set_reactive(DebuggerScreen.seed, self.dbg.seeds.get(self.dbg.mode))
        self.flush_queue()

    def flush_queue(self) -> None:
        while self.queued and not self.busy:
            self.queued.pop(0)()

    def publish(self) -> None:
        """Copy the debugger's cursor into the reactive attributes the widgets are bound to."""
        dbg = self.dbg
        self.sweep = dbg.sweep
        self.step = dbg.index
        self.term = dbg.term
        self.post_message(StepChanged(dbg.mode, dbg.number, dbg.total, dbg.step.node if dbg.step else None))

    @guarded
    def watch_mode(self, mode: str) -> None:
        self.set_reactive(DebuggerScreen.seed, self.dbg.seeds.get(mode))
        self.request_sweep(mode)

    @guarded
    def watch_seed(self, seed) -> None:
        if seed is None:
            self.dbg.seeds.pop(self.mode, None)
        else:
            self.dbg.seeds[self.mode] = seed
        self.request_sweep(self.mode)

    # ------------------------------------------------------------ layouts (workers)

    @work(thread=True, exclusive=True, group="layout", exit_on_error=False)
    def lay_out(self, collapsed: frozenset = frozenset()) -> None:
        """The built-in layout at once (first paint), then Graphviz's in the background; for the
        graph with the `collapsed` groups drawn as one box each."""
        t = time.perf_counter()
        topo = topology(self.dbg.graph, collapsed=collapsed)
        ranked = layered(topo)
        self.post_message(LayoutReady(topo, ranked, "layered", time.perf_counter() - t))
        if self.layout_engine != "layered":
            self.run_graphviz(topo)

    @work(thread=True, exclusive=True, group="graphviz", exit_on_error=False)
    def run_graphviz(self, topo: Topology) -> None:
        t = time.perf_counter()
        try:
            ranked = graphviz_layout(topo, timeout=self.layout_timeout, started=self._started_dot)
        except LayoutTimeout as e:
            self.post_message(LayoutFailed(f"{e}: keeping the built-in layout"))
            return
        except FileNotFoundError:
            if self.layout_engine == "dot":
                self.post_message(LayoutFailed("Graphviz's dot is not installed: using the built-in layout"))
            return
        except Exception as e:
            if self._dot_process is not None and self._dot_process.returncode is not None and \
                    self._dot_process.returncode < 0:
                return   # killed on exit
            self.post_message(LayoutFailed(f"Graphviz failed ({type(e).__name__}: {e}): keeping the built-in layout"))
            return
        finally:
            self._dot_process = None
        seconds = time.perf_counter() - t
        zoom = self.zoom      # the level on screen now, off the UI thread (others are drawn when asked for)
        geometries = {zoom: geometry(topo, ranked, zoom)}
        self.post_message(LayoutReady(topo, ranked, "dot", seconds, geometries))

    def _started_dot(self, process) -> None:
        self._dot_process = process

    def stop_graphviz(self) -> None:
        process = self._dot_process
        if process is not None and process.poll() is None:
            process.kill()

    @guarded
    def on_layout_ready(self, msg: LayoutReady) -> None:
        self._layouts[msg.topology.collapsed] = (msg.topology, msg.ranked)
        if msg.topology.collapsed != frozenset(self.dbg.collapsed):
            return    # made for groups collapsed otherwise since
        self.show_layout(msg.topology, msg.ranked, msg.geometries)
        self.keep_still()
        if msg.engine == "dot":
            self.app.graphviz_ready_at = time.perf_counter()
            for screen in self.app.screen_stack:     # a practice screen draws the same graph
                if screen is not self and hasattr(screen, "show_layout"):
                    screen.show_layout(msg.topology, msg.ranked)

    def show_layout(self, topo: Topology, ranked: Ranked, geometries: dict | None = None) -> None:
        """Draw a layout; the first one opens at the most detailed zoom that shows the whole graph
        (when one does), and the pane takes only the height the drawing needs."""
        graph = self.query_one(GraphView)
        first = graph.topo is None
        graph.set_layout(topo, ranked, geometries)
        if first:
            self.call_after_refresh(self._first_fit)
        self.call_after_refresh(self.size_graph_pane)

    @guarded
    def _first_fit(self) -> None:
        graph, limit = self.query_one(GraphView), self.graph_pane_limit()
        if graph.topo is None or self.zoom_chosen:
            return
        zoom = "full"        # large graphs: full boxes, following the current node
        for z in ("full", "compact"):   # the overview only when asked for (z, 0)
            if graph.fits(z, height=limit):
                zoom = z
                break
        self.zoom = zoom
        self.size_graph_pane()

    def graph_pane_limit(self) -> int:
        """The most rows the graph pane may take (the rest is for the step and the trace)."""
        return max(6, int(self.size.height * (0.45 if self.size.height < 30 else 0.5)))

    @guarded
    def size_graph_pane(self) -> None:
        graph = self.query_one(GraphView)
        canvas = graph.canvas
        if canvas is None:
            return
        border = 1 if self.size.height < 30 else 2
        scrollbar = 1 if canvas.width > graph.scrollable_content_region.width else 0
        graph.styles.height = max(4, min(canvas.height + border + scrollbar, self.graph_pane_limit()))

    @guarded
    def on_resize(self) -> None:
        # until a zoom is chosen (z, 0, o), a new terminal size gets the best fitting zoom again
        self.call_after_refresh(self.size_graph_pane if self.zoom_chosen else self._first_fit)

    def watch_zoom(self) -> None:
        self.call_after_refresh(self.size_graph_pane)

    def watch_hops(self) -> None:
        self.call_after_refresh(self.size_graph_pane)

    @guarded
    def on_layout_failed(self, msg: LayoutFailed) -> None:
        self.notify(msg.reason, severity="information", timeout=5)

    # ------------------------------------------------------------ moving

    def _move(self, fn) -> None:
        if self.dbg.step is None:
            self.notify(self.dbg.why_empty() if self.dbg.sweep is not None else "the sweep is still running",
                        severity="warning")
            return
        fn()
        self.publish()

    @when_ready
    def action_next(self) -> None:
        self._move(self.dbg.next)

    @when_ready
    def action_prev(self) -> None:
        self._move(self.dbg.prev)

    @when_ready
    def action_first(self) -> None:
        self._move(self.dbg.first)

    @when_ready
    def action_last(self) -> None:
        self._move(self.dbg.last)

    @when_ready
    def action_cont(self) -> None:
        if not self.dbg.breakpoints:
            self.notify("no breakpoints (b sets one): continuing to the end")
        self._move(self.dbg.cont)

    @when_ready
    def action_step_into(self) -> None:
        step = self.dbg.step
        if self.dbg.layer is not None:
            self.notify("this step is a whole layer: u expands it into its op-level steps and their terms")
            return
        if step is not None and not step.terms:
            self.notify("this step has no edge terms (it is where the sweep is seeded)")
            return
        self._move(self.dbg.step_into)

    @when_ready
    def action_breakpoint(self) -> None:
        if self.dbg.step is None:
            self._move(lambda: None)
            return
        on = self.dbg.toggle_breakpoint()
        self.notify(f"breakpoint {'set on' if on else 'removed from'} {self.dbg.graph.label(self.dbg.step.node)}")
        self.marks += 1

    # ------------------------------------------------------------ groups (layer-level steps)

    @when_ready
    def action_group(self) -> None:
        """Collapse the current node's group, or expand the layer the cursor is on."""
        dbg, g = self.dbg, self.dbg.graph
        if dbg.step is None:
            self._move(lambda: None)
            return
        if not g.groups:
            self.notify("this graph has no groups (functions, loops or `with g.group(...)` blocks)",
                        severity="warning")
            return
        what, gid = dbg.toggle_group()
        if what == "none":
            self.notify(f"{g.label(dbg.step.node)} is in no group: U collapses every group", severity="warning")
            return
        path = ".".join(g.groups[k].name for k in g.group_path(gid))
        self.notify(f"{path}: one step, its whole {'VJP' if dbg.mode == 'reverse' else 'JVP'}"
                    if what == "collapsed" and dbg.mode != "primal" else
                    f"{path} collapsed: one step" if what == "collapsed" else
                    f"{path} expanded: its first inner step", timeout=3)
        self.show_groups()

    @when_ready
    def action_all_groups(self) -> None:
        dbg = self.dbg
        if not dbg.graph.groups:
            self.notify("this graph has no groups (functions, loops or `with g.group(...)` blocks)",
                        severity="warning")
            return
        if dbg.sweep is None:
            self._move(lambda: None)
            return
        what = dbg.toggle_all()
        self.notify("every group collapsed: one step per layer" if what == "collapsed" else
                    "every group expanded: one step per operation", timeout=3)
        self.show_groups()

    def show_groups(self) -> None:
        """After the collapsed groups changed: their layout (cached, else from a worker) and the cursor."""
        key = frozenset(self.dbg.collapsed)
        if key in self._layouts:
            self.show_layout(*self._layouts[key])
        else:
            self.stop_graphviz()
            self.lay_out(key)
        self.publish()

    @guarded
    def on_node_clicked(self, msg: NodeClicked) -> None:
        if self.busy:
            self.queued.append(lambda: self.on_node_clicked(msg))
            return
        if self.dbg.go_node(msg.node):
            self.publish()
        else:
            self.notify(f"{self.dbg.graph.label(msg.node)} has no step in the {self.dbg.mode} sweep")

    def action_mode(self, mode: str) -> None:
        if mode not in MODES:
            return
        if mode == self.mode and not self.busy:
            self._move(self.dbg.first)   # the same sweep again: back to its first step
            return
        self.mode = mode

    # ------------------------------------------------------------ dialogs

    @when_ready
    def action_seed(self) -> None:
        choices = self.dbg.seed_choices()
        if not choices:
            why = "the primal sweep has no seed: press f or r first" if self.dbg.mode == "primal" else \
                f"this graph has no {'inputs' if self.dbg.mode == 'forward' else 'outputs'} to seed"
            self.notify(why, severity="warning")
            return

        def chosen(seed) -> None:
            if seed is not None:
                self.seed = seed
        self.app.push_screen(dialogs.SeedScreen(choices), chosen)

    @when_ready
    def action_edit_input(self) -> None:
        g = self.dbg.graph
        if not g.inputs:
            self.notify("this graph has no inputs to edit", severity="warning")
            return
        node = self.dbg.step.node if self.dbg.step is not None else None
        i = node if node in g.inputs else g.inputs[0]
        name = g.input_name(i)
        prefill = f"{name} = {dialogs.json_value(self.dbg.input_value(name))}"

        def entered(text) -> None:
            if text:
                self.set_input_text(text)
        self.app.push_screen(dialogs.input_prompt(prefill), entered)

    def set_input_text(self, text: str) -> bool:
        """Apply `name = value`; a bad entry is reported and changes nothing."""
        from ..values import parse_value
        name, eq, value = text.partition("=")
        try:
            if not eq:
                raise GraphError("expected NAME = VALUE, e.g. x = 0.5 or w = [1, 2]")
            self.dbg.at = self.dbg.check_input(name.strip(), parse_value(value.strip(), f"value for '{name.strip()}'"))
        except GraphError as e:
            self.notify(e.message + (f" ({e.hint})" if e.hint else ""), severity="error", timeout=6)
            return False
        self.notify(f"{name.strip()} = {value.strip()}: re-running the {self.dbg.mode} sweep")
        self.request_sweep(self.dbg.mode, keep=True)
        return True

    @when_ready
    def action_export(self) -> None:
        if self.dbg.step is None:
            self._move(lambda: None)
            return
        self.app.push_screen(dialogs.export_prompt(str(dialogs.export_path(self.dbg, self.path))), self.export_to)

    def export_to(self, target) -> None:
        if target:
            self.export_worker(target)

    @work(thread=True, group="export", exit_on_error=False)
    def export_worker(self, target: str) -> None:
        try:
            path = dialogs.export_frame(self.dbg, target)
        except (OSError, GraphError) as e:
            self.app.call_from_thread(self.notify, f"export failed: {e}", severity="error", timeout=8)
            return
        except Exception as e:
            self.app.call_from_thread(self.app.report_error, e)
            return
        self.app.call_from_thread(self.notify, f"exported {path}", timeout=8)

    @when_ready
    def action_compare(self) -> None:
        from .compare import CompareScreen
        g = self.dbg.graph
        if not g.inputs or not g.outputs:
            self.notify(f"v compares forward and reverse mode: this graph has no "
                        f"{'inputs' if not g.inputs else 'outputs'} to differentiate", severity="warning")
            return
        self.app.push_screen(CompareScreen(g, at=self.dbg.at, seeds=self.dbg.seeds))

    @when_ready
    def action_program(self) -> None:
        from .code import CodeScreen
        if self.dbg.step is None:
            self._move(lambda: None)
            return
        self.app.push_screen(CodeScreen(self))

    @when_ready
    def action_practice(self) -> None:
        """Practice the current sweep (the same mode, seed and inputs); a session started before
        on the same sweep is resumed with its score."""
        dbg = self.dbg
        if dbg.sweep is None or dbg.step is None:
            self._move(lambda: None)
            return
        key = dbg.key()
        session = self.app.practice_sessions.get(key)
        if session is not None and not session.over:
            self.app.open_practice(session)
            return
        self.practice_worker(key, dbg.mode, dict(dbg.at), dbg.seeds.get(dbg.mode))

    @work(thread=True, exclusive=True, group="practice", exit_on_error=False)
    def practice_worker(self, key, mode, at, seed) -> None:
        from ..practice import Session
        try:
            session = Session(self.dbg.graph, mode=mode, seed=seed, at=at or None, path=self.path)
        except GraphError as e:
            self.app.call_from_thread(self.notify, f"practice: {e.message}", severity="warning", timeout=6)
            return
        self.app.practice_sessions[key] = session
        self.post_message(PracticeReady(session))

    @guarded
    def on_practice_ready(self, msg: PracticeReady) -> None:
        self.app.open_practice(msg.session)

    def action_help(self) -> None:
        self.app.push_screen(dialogs.HelpScreen(self.BINDINGS))

    # ------------------------------------------------------------ views

    def action_table(self) -> None:
        self.table = not self.table

    def watch_table(self, shown: bool) -> None:
        self.set_class(shown, "-table")   # graphdiff.tcss: the table in place of the step, or hidden

    def action_zoom(self) -> None:
        self.zoom_chosen = True
        self.hops = 0
        self.zoom = ZOOM_ORDER[(ZOOM_ORDER.index(self.zoom) + 1) % len(ZOOM_ORDER)]
        self.notify(f"zoom: {self.zoom}", timeout=2)

    def action_fit(self) -> None:
        self.zoom_chosen = True
        self.hops = 0
        self.zoom = self.query_one(GraphView).fit()
        self.notify(f"fit: {self.zoom}", timeout=2)

    def action_focus_view(self) -> None:
        if self.dbg.step is None:
            self._move(lambda: None)
            return
        self.hops = 0 if self.hops else 2
        self.notify(f"focus view: {self.hops} hops around the current node ([ and ] change k)"
                    if self.hops else "the whole graph", timeout=3)

    def action_hops(self, delta: int) -> None:
        if not self.hops:
            self.notify("press o for the focus view first", severity="warning")
            return
        self.hops = max(1, min(self.hops + int(delta), 12))
        self.notify(f"focus view: {self.hops} hops", timeout=2)

    def action_pan(self, dx: int, dy: int) -> None:
        self.query_one(GraphView).pan(int(dx), int(dy))

    def action_centre(self) -> None:
        self.query_one(GraphView).follow(centre=True)

    def action_more(self) -> None:
        self.detail = not self.detail
        self.notify("arrays in full" if self.detail else "larger arrays summarised", timeout=2)

    def action_scroll_inspector(self, direction: int) -> None:
        box = self.query_one("#inspector-box", VerticalScroll)
        (box.scroll_page_down if int(direction) > 0 else box.scroll_page_up)(animate=False)


AUTO_COLLAPSE = 8    # a graph with this many group instances opens at the layer level


def opening_groups(graph: Graph, collapse) -> set:
    """The groups the debugger opens with collapsed (see GraphdiffApp); GraphError on a bad spec."""
    if collapse is None:
        return {grp.id for grp in graph.groups} if len(graph.groups) >= AUTO_COLLAPSE else set()
    if isinstance(collapse, str):
        return collapse_spec(graph, collapse)
    return set(collapse)


class GraphdiffApp(App):
    """Step through the primal, tangent and adjoint sweeps of a graph."""

    CSS_PATH = "graphdiff.tcss"
    TITLE = "graphdiff"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, graph: Graph, *, path: str = "graph.gd", mode: str = "primal",
                 layout_engine: str = "auto", preset_layout: Ranked | tuple | None = None,
                 layout_timeout: float | None = 10.0, practice=None, practice_label: str = "",
                 practice_more: bool = False, collapse: str | set | None = None):
        """`practice`: a graphdiff.practice.Session to open on (`graphdiff practice`), with its
        screen's label and whether another graph follows it (a folder). `collapse`: the groups to
        open collapsed, a `--collapse` spec (all, none, a depth, names) or a set of group ids; by
        default every group when the graph has AUTO_COLLAPSE or more (a long recurrence), else none."""
        super().__init__()
        self.practice = practice
        self.practice_label = practice_label
        self.practice_more = practice_more
        self.practice_next = False     # set when the student asks for the next graph of a folder
        self.practice_sessions: dict = {}   # sweep key -> Session started with P (resumed by P)
        self.debugger = Debugger(graph, mode=mode, run_now=False, collapsed=opening_groups(graph, collapse))
        self.path = path
        self.sub_title = Path(path).name
        self.internal_errors: list[str] = []
        self.graphviz_ready_at: float | None = None
        self._main = DebuggerScreen(self.debugger, path=path, mode=mode, layout_engine=layout_engine,
                                    preset_layout=preset_layout, layout_timeout=layout_timeout)

    @property
    def dbg(self) -> Debugger:
        return self.debugger

    @property
    def main(self) -> DebuggerScreen:
        return self._main

    def get_default_screen(self) -> Screen:
        return self._main

    def on_mount(self) -> None:
        if not self.is_headless and termios is not None and sys.__stdin__ is not None and sys.__stdin__.isatty():
            self.set_interval(1.0, self.watch_terminal)
        if self.practice is not None:
            self.practice_sessions[self.debugger.key(self.practice.ctx.mode)] = self.practice
            self.open_practice(self.practice)

    def watch_terminal(self) -> None:
        """Leave when the terminal has hung up (an SSH session dropped, a tmux pane killed) and no
        hangup signal came (under `make run`, make receives it): Textual's input thread would
        otherwise read end-of-file in a loop, at full CPU, for ever. Exit status 1."""
        try:
            termios.tcgetattr(sys.__stdin__.fileno())
        except (termios.error, OSError, ValueError):
            self.exit(return_code=1)

    def open_practice(self, session) -> None:
        """Show a practice session's screen (over the debugger)."""
        from .practice import PracticeScreen
        more = self.practice_more if session is self.practice else False
        label = self.practice_label if session is self.practice else ""
        self.push_screen(PracticeScreen(session, label=label, more=more))

    async def run_action(self, action, default_namespace=None) -> bool:
        """Every key's action: an unexpected error becomes a notice, and the app stays alive."""
        try:
            return await super().run_action(action, default_namespace)
        except Exception as e:  # a bug in graphdiff: say so, keep going
            self.report_error(e)
            return True

    def record_error(self, error: BaseException) -> None:
        self.internal_errors.append("".join(traceback.format_exception(error)))

    def report_error(self, error: BaseException) -> None:
        self.record_error(error)
        self.notify(f"internal error: {type(error).__name__}: {error} (the debugger carries on; please report it)",
                    severity="error", timeout=10, markup=False)

    @guarded
    def on_step_changed(self, msg: StepChanged) -> None:
        """Screens stacked over the main one (the program view) follow the cursor too."""
        stack = self.screen_stack
        if not msg.forwarded and stack and stack[-1] is not self._main:
            stack[-1].post_message(StepChanged(msg.mode, msg.number, msg.total, msg.node, forwarded=True))

    @guarded
    def on_worker_state_changed(self, event) -> None:
        worker = event.worker
        if worker.error is not None:
            self.report_error(worker.error)
