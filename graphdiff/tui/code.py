"""The program screen (`w`): the current sweep as the textbook program (graphdiff.emit's
pseudo-code), the lines of the current step highlighted, following the debugger as it steps.

Line ↔ node: every generated line names its node (`emit.Line`). Forward and primal: a step's
line is its node's. Reverse: a step completes v̄ⱼ, so its lines are the `v̄ⱼ += …` terms the
consumers sent (and v̄ⱼ's seed), found by the variable the line assigns.
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from .guard import guarded
from ..emit import Line, pseudo_lines
from .messages import ProgramReady, StepChanged
from .state import Debugger
from .widgets import KeyBar

TITLES = {"primal": "evaluation trace", "forward": "tangent program (forward mode)",
          "reverse": "adjoint program (reverse mode)"}


def program(dbg: Debugger) -> list[Line]:
    """The pseudo-code of the debugger's sweep, differentiated w.r.t. its seed's input/output."""
    seed = dbg.seeds.get(dbg.mode)
    name = seed[0] if isinstance(seed, tuple) else None
    if dbg.mode == "forward":
        return pseudo_lines(dbg.graph, mode="forward", wrt=[name] if name else None)
    if dbg.mode == "reverse":
        return pseudo_lines(dbg.graph, mode="reverse", output=name if name and _scalar(dbg, name) else None)
    return pseudo_lines(dbg.graph, mode="primal")


def _scalar(dbg: Debugger, output: str) -> bool:
    return dbg.graph.node(dbg.graph.output_node(output)).shape == ()


def step_lines(lines: list[Line], mode: str, node: int) -> list[int]:
    """Indices of the lines that belong to the step at `node`."""
    if mode != "reverse":
        return [k for k, ln in enumerate(lines) if ln.node == node and not ln.text.startswith("return")]
    target = f"v̄{node} "
    return [k for k, ln in enumerate(lines) if ln.text.startswith(target)]


class CodeScreen(ModalScreen):
    """The program of the current sweep (generated in a worker); `n`/`p` step the debugger
    underneath, and the highlighted lines follow its `StepChanged` messages."""

    BINDINGS = [
        Binding("n,right", "move('next')", "next"), Binding("p,left", "move('prev')", "prev"),
        Binding("g", "move('first')", "first"), Binding("G", "move('last')", "last"),
        Binding("escape,w", "app.pop_screen", "back"), Binding("q", "app.quit", "quit"),
    ]
    DEFAULT_CSS = """
    CodeScreen { background: $background; }
    CodeScreen #code-box { border: round $primary; border-title-align: left; height: 1fr; }
    CodeScreen #code { width: auto; padding: 0 1; }
    """

    def __init__(self, main):
        super().__init__()
        self.main = main
        self.dbg: Debugger = main.dbg
        self.lines: list[Line] = []
        self.current: list[int] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="code-box"):
            yield Static("writing the program…", id="code")
        yield KeyBar(compact=True)

    def on_mount(self) -> None:
        self.generate()

    @work(thread=True, exclusive=True, group="program", exit_on_error=False)
    def generate(self) -> None:
        self.post_message(ProgramReady(program(self.dbg)))

    @guarded
    def on_program_ready(self, msg: ProgramReady) -> None:
        self.lines = msg.lines
        self.show()

    @guarded
    def on_step_changed(self, msg: StepChanged) -> None:
        msg.stop()   # handled here: it must not bubble back to the app that forwarded it
        if self.lines:
            self.show()

    def action_move(self, where: str) -> None:
        getattr(self.main, f"action_{where}")()   # the main screen moves; StepChanged brings us along

    def show(self) -> None:
        dbg = self.dbg
        if dbg.step is None:
            return
        self.current = step_lines(self.lines, dbg.mode, dbg.step.node)
        text = Text()
        for k, ln in enumerate(self.lines):
            style = "reverse bold" if k in self.current else ("dim" if ln.node is None else "")
            text.append(ln.text or " ", style=style)
            text.append("\n")
        self.query_one("#code", Static).update(text)
        box = self.query_one("#code-box")
        box.border_title = (f"{TITLES[dbg.mode]} · step {dbg.number}/{dbg.total} at "
                            f"{dbg.graph.label(dbg.step.node)}")
        if self.current:
            box.scroll_to(y=max(0, self.current[0] - 3), animate=False)
