"""The practice screen (`P`): the student types each step's value, tangent or adjoint before it is
revealed; graphdiff checks it, hints (three levels), names common mistakes and keeps score.

The session (graphdiff.practice.Session) holds the questions, the answers and the score; this
screen only shows it. The graph pane is the debugger's own, on a cursor of its own that sits at
the step being asked (finished steps green, the asked one highlighted, no numbers shown). An
answer is checked in a worker and comes back as `AnswerChecked`. Escape goes back to the
debugger with the session kept: `P` there resumes it.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static

from ..practice import Session
from .guard import guarded
from .layout import layered, topology
from .messages import AnswerChecked, LayoutReady
from .state import Debugger
from .widgets import GraphView, KeyBar, inspector_text

STYLES = {"right": "bold green", "wrong": "bold red", "revealed": "bold yellow", "hint": "cyan",
          "error": "red", "over": "bold", "given": "dim", "heading": "bold", "prompt": "bold",
          "mistake": "bold magenta", "solved": "dim"}


class QuestionText(Static):
    """The question and the session's log, wrapped by `PracticeScreen.show` to this pane's width
    (continuation lines indented): written again whenever that width changes, the first time
    included (the text is first written before the pane is laid out)."""

    _width = 0

    def on_resize(self, event) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            if isinstance(self.screen, PracticeScreen):
                self.screen.show()


class PracticeScreen(Screen):
    """One practice session: the graph, the question, the answer box, the quantities known so far."""

    CSS_PATH = "practice.tcss"
    BINDINGS = [
        Binding("escape", "leave", "debugger", tooltip="back to the debugger (the session is kept: P resumes it)"),
        Binding("f1", "hint", "hint", tooltip="the next hint (or type ? and enter)"),
        Binding("ctrl+q", "app.quit", "quit", priority=True, tooltip="quit (the score so far is kept)"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    step = reactive(0, init=False, repaint=False)     # the graph pane's cursor (0-based step index)
    sweep = reactive(None, init=False, repaint=False, always_update=True)
    checking = reactive(False, init=False, repaint=False)

    def __init__(self, session: Session, *, label: str = "", more: bool = False):
        super().__init__()
        self.session = session
        self.label = label or session.path or "graph"
        self.more = more            # another graph follows (a folder)
        ctx = session.ctx
        self.cursor = Debugger(ctx.g, mode=ctx.mode, run_now=False)
        self.cursor.install(ctx.mode, ctx.sweep)
        self.entries: list[tuple[str, str]] = [(line, "given") for line in session.intro_lines()]
        self.entries += [(g.text, "given") for g in session.opening]
        self.last_step = None       # the 0-based index of the last step revealed (shown solved)

    def compose(self) -> ComposeResult:
        yield Static(id="practice-status")
        graph = GraphView(self.cursor, id="practice-graph").data_bind(PracticeScreen.step, PracticeScreen.sweep)
        graph.border_title = "graph"
        yield graph
        with Horizontal(id="practice-bottom"):
            with VerticalScroll(id="practice-box", can_focus=False) as box:
                box.border_title = "practice"
                yield QuestionText(id="practice-text")
            with VerticalScroll(id="known-box", can_focus=False) as known:
                known.border_title = "known so far"
                yield Static(id="known")
        yield Input(placeholder="your answer, then enter (? for a hint)", id="answer", select_on_focus=False)
        yield KeyBar(compact=True)

    @guarded
    def on_mount(self) -> None:
        main = getattr(self.app, "main", None)
        view = main.query_one(GraphView) if main is not None and main.is_mounted else None
        if view is not None and view.topo is not None:
            self.show_layout(view.topo, view.ranked)
        else:
            self.query_one(GraphView).loading = True
            self.lay_out()
        self.show()
        self.query_one(Input).focus()

    @work(thread=True, exclusive=True, group="practice-layout", exit_on_error=False)
    def lay_out(self) -> None:
        topo = topology(self.session.ctx.g)
        self.post_message(LayoutReady(topo, layered(topo), "layered", 0.0))

    @guarded
    def on_layout_ready(self, msg: LayoutReady) -> None:
        msg.stop()
        self.show_layout(msg.topology, msg.ranked)

    def show_layout(self, topo, ranked) -> None:
        graph = self.query_one(GraphView)
        graph.set_layout(topo, ranked)
        self.call_after_refresh(self._fit)

    @guarded
    def _fit(self) -> None:
        graph = self.query_one(GraphView)
        limit = max(5, int(self.size.height * (0.3 if self.size.height < 30 else 0.4)))
        for zoom in ("full", "compact"):
            if graph.fits(zoom, height=limit):
                graph.zoom = zoom
                break
        canvas = graph.canvas
        if canvas is not None:
            border = 1 if self.size.height < 30 else 2
            graph.styles.height = max(4, min(canvas.height + border, limit))

    @guarded
    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)
        self.call_after_refresh(self.show)

    # ------------------------------------------------------------ answering

    @guarded
    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.session.over:
            self.action_next_graph()
            return
        if self.checking or not text:
            return
        self.query_one(Input).value = ""
        self.checking = True
        self.check(text)

    @work(thread=True, exclusive=True, group="practice-check", exit_on_error=False)
    def check(self, text: str) -> None:
        """Check an answer off the UI thread (a mistake may need the sweeps of other seeds)."""
        try:
            self.post_message(AnswerChecked(text, self.session.submit(text)))
        except Exception as e:   # a bug: reported, the screen stays
            self.app.call_from_thread(self.app.report_error, e)
            self.post_message(AnswerChecked(text, None))

    @guarded
    def on_answer_checked(self, msg: AnswerChecked) -> None:
        self.checking = False
        fb = msg.feedback
        if fb is None:
            return
        self._log_answer(msg.text if fb.status not in ("hint", "over") else None)
        self._record(fb)

    def _log_answer(self, text: str | None) -> None:
        """The question (its step's line the first time) and what was typed, into the log."""
        q = self.question_shown
        if q is None:
            return
        if q is not self._logged and q.first_of_step:
            self.entries.append((q.heading, "heading"))
        self._logged = q
        if text is not None:
            self.entries.append((f"  {q.prompt} {text}", "prompt"))

    def _record(self, fb) -> None:
        style = fb.status
        for line in fb.lines:
            head = line.lstrip()
            if not line.startswith("    "):     # a new part; deeper lines continue the part above
                style = "right" if head.startswith("✓") else "wrong" if head.startswith("✗") else \
                    "mistake" if head.startswith("mistake") else "revealed" if head.startswith("the answer") else \
                    "error" if fb.status == "error" else "hint"
            self.entries.append((line, style))
        q = self.question_shown
        if fb.done and q is not None and q.index is not None and q.kind != "term":
            self.last_step = q.index    # the whole step is known now (a term is only a part of it)
            self.entries += [(line, "solved") for line in self.solved_lines(q.index)]
        self.entries += [(g.text, "given") for g in fb.given]
        if self.session.over and fb.status != "over":
            self.entries += [(line, "over") for line in self.session.summary_lines()]
        self.show()

    def action_hint(self) -> None:
        if self.checking or self.session.over:
            return
        self._log_answer(None)
        self._record(self.session.hint())

    def action_leave(self) -> None:
        """Back to the debugger, at the last step revealed (the session is kept for P)."""
        main = getattr(self.app, "main", None)
        if main is not None and self.last_step is not None and main.dbg.mode == self.session.ctx.mode \
                and main.dbg.sweep is not None:
            node = self.session.ctx.sweep.steps[self.last_step].node
            if main.dbg.go_node(node):
                main.publish()
        self.app.pop_screen()

    def action_next_graph(self) -> None:
        """Enter once the session is over: `graphdiff practice` goes on to the next graph of its
        folder (or ends); a session started with P goes back to the debugger."""
        if not self.session.over:
            return
        if self.session is not getattr(self.app, "practice", None):
            self.action_leave()
            return
        self.app.practice_next = self.more and self.session.finished
        self.app.exit()

    # ------------------------------------------------------------ drawing

    question_shown = None
    _logged = None

    def show(self) -> None:
        """The status line, the graph's cursor, the question and the log, the known quantities."""
        s = self.session
        q = s.current
        self.question_shown = q
        self.query_one("#practice-status", Static).update(self.status_text())
        target = q.index if q is not None and q.index is not None else self.last_step
        if target is not None:
            self.cursor.index = target
        self.sweep = self.cursor.sweep
        self.step = self.cursor.index
        self.query_one("#practice-text", Static).update(self.question_text())
        self.query_one("#known", Static).update("\n".join(s.known_lines(width=40)) or "nothing yet")
        box = self.query_one("#practice-box", VerticalScroll)
        self.call_after_refresh(lambda: box.scroll_end(animate=False))
        answer = self.query_one(Input)
        if s.over:
            ours = s is getattr(self.app, "practice", None)
            answer.placeholder = ("enter: the next graph · escape: the debugger · ctrl+q: quit" if ours and self.more
                                  and s.finished else "the session is over · enter: " +
                                  ("quit" if ours else "back to the debugger") + " · escape: the debugger")
        else:
            answer.placeholder = "your answer · enter checks it · ? or F1: a hint"

    def status_text(self) -> Text:
        s, ctx = self.session, self.session.ctx
        score = s.score()
        t = Text(" ")
        t.append("practice", style="bold reverse")
        t.append(f" {ctx.mode} sweep" + (f" · seed {ctx.seed_label}" if ctx.seed_label else ""), style="bold")
        t.append(f"   question {min(s.number, s.total)}/{s.total}" if not s.over else "   done")
        t.append(f"   {score['right_first_time']} right first time · {score['hints']} "
                 f"hint{'s' * (score['hints'] != 1)}")
        t.append(f"   {Path(self.label).name if not self.more else self.label}", style="dim")
        return t

    def solved_lines(self, index: int) -> list[str]:
        """The step at `index` as the debugger's inspector writes it, now that it is revealed."""
        keep = self.cursor.index
        self.cursor.index = index
        try:
            lines = inspector_text(self.cursor, width=max(self.size.width // 2, 40)).plain.rstrip("\n").split("\n")
        finally:
            self.cursor.index = keep
        return ["  the step solved: " + lines[1]] + [f"    {line}" for line in lines[2:]
                                                    if "contributions received" not in line]

    def question_text(self) -> Text:
        """The log of the session so far (the last lines), then the question being asked; long lines
        wrap under their own indentation."""
        width = self.query_one("#practice-text", Static).size.width or max(self.size.width - 4, 40)
        t = Text()
        for line, style in self.entries[-60:]:
            t.append(wrapped(line, width) + "\n", style=STYLES.get(style, ""))
        q = self.session.current
        if q is not None:
            t.append("\n" + wrapped(q.heading, width) + "\n", style=STYLES["heading"])
            t.append(wrapped(f"  {q.prompt} ?", width), style=STYLES["prompt"])
        return t


def wrapped(line: str, width: int) -> str:
    """A line wrapped at `width` cells, the continuation indented two more than the line."""
    if cell_len(line) <= width or width < 20:
        return line
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    return "\n".join(textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False,
                                    drop_whitespace=True)) or line
