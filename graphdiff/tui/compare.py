"""Side by side: the forward and the reverse sweep of one graph, stepped together, with their
step, term and operation counts — "which mode is faster here, and why".

Tangents fill the left trace top-down, adjoints fill the right one bottom-up. The counts come
from the step records (steps, chain-rule terms) and from graphdiff.cost (flops, the verdict).
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from .. import sweeps
from ..cost import CostReport, cost
from ..graph import Graph
from .layout import visible_nodes
from .state import Debugger, short
from .widgets import definition

DOT = {"forward": "v̇", "reverse": "v̄"}


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

class SweepTrace(DataTable, can_focus=False):
    """One sweep's Wengert list with its derivative column, filled in up to the cursor."""

    def __init__(self, dbg: Debugger, **kw):
        super().__init__(cursor_type="row", zebra_stripes=False, **kw)
        self.dbg = dbg
        self.node_rows = [i for i in visible_nodes(dbg.graph) if dbg.step_of(i) is not None]
        self.rows_index = {i: k for k, i in enumerate(self.node_rows)}

    def on_mount(self) -> None:
        g, dbg = self.dbg.graph, self.dbg
        self.add_column("step", key="step", width=4)
        self.add_column("vᵢ = op(vⱼ, …)", key="def")
        self.add_column(DOT[dbg.mode], key="der", width=22)
        for i in self.node_rows:
            self.add_row(str(dbg.step_of(i).index), definition(g, i), "", key=str(i))
        self.update_rows(self.node_rows)

    def update_rows(self, nodes) -> None:
        dbg = self.dbg
        for i in nodes:
            if i not in self.rows_index:
                continue
            status = dbg.status(i)
            if status in ("done", "current"):
                text = short(dbg.derivative(dbg.step_of(i)))
            elif dbg.mode == "reverse":
                got, m = dbg.received(i)
                # a partial sum still accumulating: dim, with k/m when several consumers send terms
                partial = short(sum(t.term for t in got)) + (f" ({len(got)}/{m})" if m > 1 else "")
                text = Text(partial, style="dim") if got else "·"
            else:
                text = "·"
            self.update_cell(str(i), "der", text, update_width=False)
        row = self.rows_index.get(dbg.step.node)
        if row is not None:
            self.move_cursor(row=row, animate=False)


class CompareScreen(ModalScreen):
    """Forward and reverse mode side by side, one shared clock: `n` advances both sweeps."""

    CSS_PATH = "compare.tcss"
    BINDINGS = [
        Binding("n,right", "move(1)", "next"), Binding("p,left", "move(-1)", "prev"),
        Binding("g", "move(-1000000000)", "first"), Binding("G", "move(1000000000)", "last"),
        Binding("escape,v", "app.pop_screen", "back"), Binding("q", "app.quit", "quit"),
    ]

    def __init__(self, graph: Graph, *, at: dict | None = None, seeds: dict | None = None):
        super().__init__()
        seeds = seeds or {}
        self.graph = graph
        self.sides = {m: Debugger(graph, mode=m, at=dict(at or {}), seeds={m: seeds[m]} if m in seeds else {})
                      for m in ("forward", "reverse")}
        for dbg in self.sides.values():
            dbg.go(0)
        self.clock = 0
        self.length = max(len(d.steps) for d in self.sides.values())
        report = cost(graph)
        self.counts = {m: counts(graph, d.sweep, d.seed_label(), report) for m, d in self.sides.items()}

    def compose(self) -> ComposeResult:
        yield Static(id="cmp-status")
        with Horizontal(id="cmp-sides"):
            for mode in ("forward", "reverse"):
                with Vertical(id=f"cmp-{mode}", classes="side"):
                    yield SweepTrace(self.sides[mode], id=f"cmp-{mode}-trace")
        yield Static(cost_text(self.counts["forward"], self.counts["reverse"]), id="cmp-cost")
        yield Footer()

    def on_mount(self) -> None:
        titles = {"forward": "forward mode: tangents, top-down", "reverse": "reverse mode: adjoints, bottom-up"}
        for mode, dbg in self.sides.items():
            self.query_one(f"#cmp-{mode}").border_title = f"{titles[mode]} · seed {dbg.seed_label()}"
        self.query_one("#cmp-cost").border_title = "cost (flops from the op table's cost model)"
        self.show_status()

    def action_move(self, delta: int) -> None:
        clock = max(0, min(self.clock + int(delta), self.length - 1))
        for mode, dbg in self.sides.items():
            before = dbg.index
            dbg.go(min(clock, len(dbg.steps) - 1))
            lo, hi = sorted((before, dbg.index))
            nodes = {dbg.steps[k].node for k in range(lo, hi + 1)}
            if mode == "reverse":   # operands' partial sums change too
                nodes |= {j for i in list(nodes) for j in self.graph.node(i).operands}
            self.query_one(f"#cmp-{mode}-trace", SweepTrace).update_rows(nodes)
        self.clock = clock
        self.show_status()

    def show_status(self) -> None:
        parts = [f" [b]forward vs reverse[/b]   clock {self.clock + 1}/{self.length}"]
        for mode, dbg in self.sides.items():
            done = " (done)" if dbg.index == len(dbg.steps) - 1 else ""
            parts.append(f"{mode}: step {dbg.index + 1}/{len(dbg.steps)} at "
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
