"""Side by side: the forward and the reverse sweep of one graph, stepped together, with their
step, term and operation counts — "which mode is faster here, and why".

Tangents fill the left trace top-down, adjoints fill the right one bottom-up. The counts come
from the step records (steps, chain-rule terms) and from graphdiff.cost (flops, the verdict).
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Static

from .guard import guarded
from .. import sweeps
from ..cost import CostReport, cost
from ..graph import Graph
from ..source import GraphError
from .messages import CostReady
from .state import Debugger
from .widgets import KeyBar, TraceTable

# ------------------------------------------------------------------ counts (no widgets)

@dataclass(frozen=True)
class Counts:
    """What one sweep of one mode costs, and what a full Jacobian costs in that mode."""

    mode: str
    seed: str
    steps: int          # step records of this sweep (nodes it touches)
    terms: int          # chain-rule terms (one multiply-add per edge, as linear maps)
    flops: int          # this sweep's flops (the cost model's figures of the nodes it touches)
    sweep_flops: int    # one sweep over the whole graph (graphdiff.cost: tangent / adjoint sweep)
    sweeps: int         # sweeps for the full Jacobian: input entries (forward), output entries (reverse)
    primal: int         # flops of the primal evaluation
    verdict: str        # graphdiff.cost's one-sentence verdict (the same as `graphdiff cost`)

    @property
    def jacobian(self) -> int:
        """Primal once, then one sweep per seed."""
        return self.primal + self.sweeps * self.sweep_flops


def counts(g: Graph, sweep: sweeps.Sweep, seed: str, report: CostReport | None = None) -> Counts:
    """Counts for a finished forward or reverse sweep of g (flops from graphdiff.cost)."""
    report = report or cost(g)
    forward = sweep.mode == "forward"
    per_node = {r.node: (r.tangent if forward else r.adjoint) for r in report.nodes}
    steps = sweep.steps
    return Counts(sweep.mode, seed, len(steps), sum(len(s.terms) for s in steps),
                  sum(per_node.get(s.node, 0) for s in steps),
                  report.tangent_sweep if forward else report.adjoint_sweep,
                  report.n_inputs if forward else report.n_outputs, report.primal, report.verdict())


def verdict(fw: Counts, rv: Counts) -> str:
    """One sentence for the class: which mode gets the whole Jacobian cheaper, and why."""
    return fw.verdict


# ------------------------------------------------------------------ the screen

class CompareScreen(ModalScreen):
    """Forward and reverse mode side by side, one shared clock: `n` advances both sweeps.

    The two sweeps and the cost report are computed in a worker; the traces are the debugger's
    own trace table (derivative column only), each bound to this screen's clock."""

    CSS_PATH = "compare.tcss"
    BINDINGS = [
        Binding("n,right", "move(1)", "next"), Binding("p,left", "move(-1)", "prev"),
        Binding("g", "move(-1000000000)", "first"), Binding("G", "move(1000000000)", "last"),
        Binding("escape,v", "app.pop_screen", "back"), Binding("q", "app.quit", "quit"),
    ]

    clock = reactive(0, init=False, repaint=False)         # the shared step, 0-based
    sweep = reactive(None, init=False, repaint=False, always_update=True)

    def __init__(self, graph: Graph, *, at: dict | None = None, seeds: dict | None = None):
        super().__init__()
        seeds = seeds or {}
        self.graph = graph
        self.sides = {m: Debugger(graph, mode=m, at=dict(at or {}), seeds={m: seeds[m]} if m in seeds else {},
                                  run_now=False) for m in ("forward", "reverse")}
        self.length = 0
        self.counts: dict = {}

    def compose(self) -> ComposeResult:
        yield Static(id="cmp-status")
        with Horizontal(id="cmp-sides"):
            for mode in ("forward", "reverse"):
                with Vertical(id=f"cmp-{mode}", classes="side"):
                    yield TraceTable(self.sides[mode], columns=("step", "def", "der"),
                                     id=f"cmp-{mode}-trace").data_bind(step=CompareScreen.clock,
                                                                       sweep=CompareScreen.sweep)
        yield Static("computing the counts…", id="cmp-cost")
        yield KeyBar(compact=True)

    @guarded
    def on_mount(self) -> None:
        self.query_one("#cmp-cost").border_title = "cost (flops from the op table's cost model)"
        self.query_one("#cmp-status", Static).update(" forward vs reverse: running both sweeps…")
        self.compute()

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def compute(self) -> None:
        """Both sweeps and the cost report, off the UI thread."""
        out = {}
        try:
            for mode, dbg in self.sides.items():
                out[mode] = dbg.compute(mode)
            report = cost(self.graph)
            out["counts"] = {m: counts(self.graph, out[m], self.sides[m].seed_label(m), report) for m in self.sides}
        except GraphError as e:
            out["error"] = e.message
        self.post_message(CostReady(out))

    @guarded
    def on_cost_ready(self, msg: CostReady) -> None:
        if "error" in msg.counts:
            self.notify(f"forward vs reverse: {msg.counts['error']}", severity="warning")
            self.app.pop_screen()
            return
        titles = {"forward": "forward mode: tangents, top-down", "reverse": "reverse mode: adjoints, bottom-up"}
        for mode, dbg in self.sides.items():
            dbg.install(mode, msg.counts[mode])
            self.query_one(f"#cmp-{mode}").border_title = f"{titles[mode]} · seed {dbg.seed_label()}"
        self.counts = msg.counts["counts"]
        self.length = max(max(d.total for d in self.sides.values()), 1)
        self.query_one("#cmp-cost", Static).update(cost_text(self.counts["forward"], self.counts["reverse"]))
        self.action_move(0)
        self.sweep = object()

    def action_move(self, delta: int) -> None:
        if not self.counts:
            return
        clock = max(0, min(self.clock + int(delta), self.length - 1))
        for dbg in self.sides.values():
            dbg.go_number(clock + 1)
        self.clock = clock
        self.show_status()

    def show_status(self) -> None:
        parts = [f" [b]forward vs reverse[/b]   clock {self.clock + 1}/{self.length}"]
        for mode, dbg in self.sides.items():
            if dbg.step is None:
                parts.append(f"{mode}: no steps")
                continue
            done = " (done)" if dbg.number == dbg.total else ""
            parts.append(f"{mode}: step {dbg.number}/{dbg.total} at "
                         f"[b]{self.graph.label(dbg.step.node)}[/b]{done}")
        self.query_one("#cmp-status", Static).update("   ".join(parts))


def cost_text(fw: Counts, rv: Counts) -> Text:
    """The counts table: one sweep, then the full Jacobian, forward beside reverse."""
    rows = [
        ("", "forward mode", "reverse mode"),
        ("seed", fw.seed, rv.seed),
        ("steps in this sweep", f"{fw.steps}", f"{rv.steps}"),
        ("chain-rule terms", f"{fw.terms}", f"{rv.terms}"),
        ("flops in this sweep", f"{fw.flops:,}", f"{rv.flops:,}"),
        ("sweeps for the Jacobian", f"n = {fw.sweeps} (input entries)", f"m = {rv.sweeps} (output entries)"),
        ("full Jacobian flops", f"{fw.primal:,} + {fw.sweeps} × {fw.sweep_flops:,} = {fw.jacobian:,}",
         f"{rv.primal:,} + {rv.sweeps} × {rv.sweep_flops:,} = {rv.jacobian:,}"),
    ]
    w0 = max(len(r[0]) for r in rows) + 2
    w1 = max(len(r[1]) for r in rows) + 3
    t = Text()
    for k, (a, b, c) in enumerate(rows):
        t.append(f"{a:<{w0}}{b:<{w1}}{c}\n", style="bold" if k == 0 else "")
    t.append(verdict(fw, rv), style="bold cyan")
    return t
