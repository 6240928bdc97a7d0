"""The step-through debugger: `graphdiff tui FILE` (SPEC §4, with its default keys)."""
from __future__ import annotations

import json
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from ..graph import Graph
from ..source import GraphError
from .layout import Layout, layout
from .state import Debugger
from .widgets import GraphView, Inspector, TraceTable

KEYS = [
    ("n / →", "next step"), ("p / ←", "previous step"), ("s", "step into the edge terms of this step"),
    ("c", "continue to the next breakpoint (or the end)"), ("g / G", "first / last step"),
    ("b", "toggle a breakpoint on the current node"), ("e / f / r", "primal / forward / reverse sweep"),
    ("d", "choose the seed (input entry for tangents, output entry for adjoints)"),
    ("i", "edit an input's value and re-run"), ("x", "export the current frame (SVG, or DOT without Graphviz)"),
    ("v", "forward vs reverse side by side, with their step and operation counts"),
    ("w", "the sweep as a program (pseudo-code), the current step's lines highlighted"),
    ("?", "this help"), ("q", "quit"),
]


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "close")]

    def compose(self) -> ComposeResult:
        lines = ["[b]graphdiff — keys[/b]", ""] + [f"  [b]{k:10}[/b] {v}" for k, v in KEYS]
        lines += ["", "Forward mode fills v̇ top-down (v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ v̇ⱼ); reverse mode fills v̄",
                  "bottom-up (v̄ⱼ = Σᵢ v̄ᵢ ∂vᵢ/∂vⱼ, one term per consumer).", "", "escape closes"]
        yield Static("\n".join(lines), id="help")


class SeedScreen(ModalScreen):
    """Pick the seed: an input entry (forward) or an output entry (reverse)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "cancel")]

    def __init__(self, choices):
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Seed the sweep at:", classes="title")
            yield OptionList(*[Option(label, id=str(k)) for k, (label, _) in enumerate(self.choices)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id)][1])


class InputScreen(ModalScreen):
    """Edit an input: type `name = value` (a number or a JSON array)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "cancel")]

    def __init__(self, prefill: str):
        super().__init__()
        self.prefill = prefill

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Set an input (NAME = number or JSON array), then enter:", classes="title")
            yield Input(value=self.prefill, id="value")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class GraphdiffApp(App):
    """Step through the primal, tangent and adjoint sweeps of a graph."""

    CSS_PATH = "graphdiff.tcss"
    TITLE = "graphdiff"
    BINDINGS = [
        Binding("n,right", "next", "next"), Binding("p,left", "prev", "prev"),
        Binding("s", "step_into", "terms"), Binding("c", "cont", "continue"),
        Binding("g", "first", "first"), Binding("G", "last", "last"),
        Binding("b", "breakpoint", "break"), Binding("e", "mode('primal')", "primal"),
        Binding("f", "mode('forward')", "forward"), Binding("r", "mode('reverse')", "reverse"),
        Binding("d", "seed", "seed"), Binding("i", "edit_input", "input"),
        Binding("x", "export", "export"), Binding("v", "compare", "vs"),
        Binding("w", "program", "program"),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, graph: Graph, *, path: str = "graph.gd", mode: str = "primal",
                 layout_engine: str = "auto", preset_layout: Layout | None = None):
        super().__init__()
        self.dbg = Debugger(graph, mode=mode)
        self.path = path
        self.layout_engine = layout_engine
        self.preset_layout = preset_layout
        self.sub_title = Path(path).name

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="status")
        with Horizontal(id="top"):
            with Vertical(id="graph-box"):
                yield LoadingIndicator(id="loading")
                yield GraphView(self.dbg, id="graph")
            with VerticalScroll(id="inspector-box"):
                yield Inspector(id="inspector")
        yield TraceTable(self.dbg, id="trace")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TraceTable).rebuild()
        self.query_one(GraphView).display = False
        if self.preset_layout is not None:
            self.layout_ready(self.preset_layout)
        else:
            self.compute_layout()
        self.show()

    @work(thread=True, exclusive=True)
    def compute_layout(self) -> None:
        """Lay the graph out once, off the UI thread (dot can take seconds on big graphs)."""
        lay = layout(self.dbg.graph, engine=self.layout_engine)
        self.call_from_thread(self.layout_ready, lay)

    def layout_ready(self, lay: Layout) -> None:
        self.query_one("#loading").display = False
        view = self.query_one(GraphView)
        view.display = True
        view.set_layout(lay)

    # ------------------------------------------------------------ redraw

    def show(self, changed=None) -> None:
        """Redraw after the cursor moved: restyle the graph, update the changed table rows."""
        dbg = self.dbg
        bp = ", ".join(dbg.graph.label(i) for i in sorted(dbg.breakpoints)) or "none"
        seed = f"  seed {dbg.seed_label()}" if dbg.seed_label() else ""
        self.query_one("#status", Static).update(
            f" [b]{dbg.mode}[/b] sweep{seed}   step {dbg.index + 1}/{len(dbg.steps)}   "
            f"node [b]{dbg.graph.label(dbg.step.node)}[/b]   breakpoints: {bp}")
        table = self.query_one(TraceTable)
        table.update_rows(table.node_rows if changed is None else changed)
        self.query_one(Inspector).show(dbg)
        view = self.query_one(GraphView)
        view.refresh()
        view.follow()

    def _move(self, fn) -> None:
        dbg = self.dbg
        before = dbg.index
        fn()
        lo, hi = sorted((before, dbg.index))
        nodes = {dbg.steps[k].node for k in range(lo, hi + 1)}
        if dbg.mode == "reverse":   # operands' partial sums change too
            nodes |= {j for i in list(nodes) for j in dbg.graph.node(i).operands}
        self.show(nodes)

    def action_next(self) -> None:
        self._move(self.dbg.next)

    def action_prev(self) -> None:
        self._move(self.dbg.prev)

    def action_first(self) -> None:
        self._move(self.dbg.first)

    def action_last(self) -> None:
        self._move(self.dbg.last)

    def action_cont(self) -> None:
        self._move(self.dbg.cont)

    def action_step_into(self) -> None:
        self.dbg.step_into()
        self.show(set())

    def action_breakpoint(self) -> None:
        on = self.dbg.toggle_breakpoint()
        label = self.dbg.graph.label(self.dbg.step.node)
        self.notify(f"breakpoint {'set on' if on else 'removed from'} {label}")
        self.show(set())

    def action_mode(self, mode: str) -> None:
        self.dbg.switch(mode)
        self.query_one(TraceTable).rebuild()
        self.show()

    def action_compare(self) -> None:
        from .compare import CompareScreen
        self.push_screen(CompareScreen(self.dbg.graph, at=self.dbg.at, seeds=self.dbg.seeds))

    def action_program(self) -> None:
        from .code import CodeScreen
        self.push_screen(CodeScreen(self.dbg))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_seed(self) -> None:
        choices = self.dbg.seed_choices()
        if not choices:
            self.notify("the primal sweep has no seed: press f or r first", severity="warning")
            return

        def chosen(seed) -> None:
            if seed is not None:
                self.dbg.set_seed(seed)
                self.query_one(TraceTable).rebuild()
                self.show()
        self.push_screen(SeedScreen(choices), chosen)

    def action_edit_input(self) -> None:
        g = self.dbg.graph
        if not g.inputs:
            self.notify("this graph has no inputs", severity="warning")
            return
        name = g.input_name(g.inputs[0])
        value = self.dbg.input_value(name)
        prefill = f"{name} = {json.dumps(value.tolist() if hasattr(value, 'tolist') else value)}"

        def entered(text) -> None:
            if text:
                self.set_input_text(text)
        self.push_screen(InputScreen(prefill), entered)

    def set_input_text(self, text: str) -> bool:
        """Apply `name = value`; a bad entry is reported and changes nothing."""
        from ..cli import parse_value
        name, eq, value = text.partition("=")
        try:
            if not eq:
                raise GraphError("expected NAME = VALUE")
            self.dbg.set_input(name.strip(), parse_value(value.strip(), f"value for '{name.strip()}'"))
        except GraphError as e:
            self.notify(e.message + (f" ({e.hint})" if e.hint else ""), severity="error", timeout=6)
            return False
        self.query_one(TraceTable).rebuild()
        self.show()
        self.notify(f"{name.strip()} = {value.strip()}: re-ran the {self.dbg.mode} sweep")
        return True

    def action_export(self) -> None:
        try:
            path = export_frame(self.dbg, self.path)
        except OSError as e:
            self.notify(f"export failed: {e}", severity="error")
            return
        self.notify(f"exported {path}")


def export_frame(dbg: Debugger, source_path: str, *, directory: str | Path = ".") -> Path:
    """Write the current frame in the slide style: SVG through Graphviz, or DOT source without it."""
    from ..render import render, to_dot
    from ..render.output import dot_available
    base = Path(directory) / f"{Path(source_path).stem}-{dbg.mode}-step{dbg.index + 1:03d}"
    if dot_available():
        return render(dbg.graph, base.with_suffix(".svg"), sweep=dbg.sweep, step=dbg.index)
    path = base.with_suffix(".dot")
    path.write_text(to_dot(dbg.graph, dbg.sweep, dbg.index).source)
    return path
