"""The debugger's state, apart from any widget: which sweep, which step, breakpoints, seeds.

`Debugger` runs the sweeps (through graphdiff.sweeps) and moves a cursor over their step
records; the widgets only read it. Stepping back is moving the cursor: nothing is re-run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import sweeps
from ..graph import Graph
from ..sweeps import Step, Sweep, entry_names

MODES = ("primal", "forward", "reverse")


@dataclass
class Debugger:
    """A graph, the values of its inputs, the current sweep and a cursor on its steps."""

    graph: Graph
    mode: str = "reverse"
    at: dict = field(default_factory=dict)
    seeds: dict = field(default_factory=dict)   # mode -> seed (as sweeps.forward/reverse take it)
    breakpoints: set = field(default_factory=set)
    index: int = 0        # the current step
    term: int = -1        # the edge term stepped into (-1: the whole step)
    sweep: Sweep | None = None

    def __post_init__(self):
        self.run()

    # ------------------------------------------------------------ running

    def run(self) -> None:
        """(Re)run the current mode's sweep; keep the cursor where it was when it still fits."""
        if self.mode == "primal":
            self.sweep = sweeps.primal(self.graph, self.at or None)
        else:
            fn = sweeps.forward if self.mode == "forward" else sweeps.reverse
            self.sweep = fn(self.graph, self.at or None, seed=self.seeds.get(self.mode))
        self.go(min(self.index, len(self.sweep.steps) - 1))

    def switch(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        self.index = 0
        self.run()

    def set_seed(self, seed) -> None:
        self.seeds[self.mode] = seed
        self.index = 0
        self.run()

    def set_input(self, name: str, value) -> None:
        """Give an input a new value and re-run (raises GraphError on a bad value, state unchanged)."""
        at = dict(self.at)
        at[name] = value
        sweeps.input_values(self.graph, at)   # validate before changing anything
        self.at = at
        self.run()

    # ------------------------------------------------------------ moving

    @property
    def steps(self) -> tuple:
        return self.sweep.steps

    @property
    def step(self) -> Step:
        return self.sweep.steps[self.index]

    def shown(self, k: int) -> bool:
        """Steps the debugger stops at: all but those of unnamed scalar literals (2 in x^2)."""
        n = self.graph.node(self.steps[k].node)
        return not (n.op == "const" and not n.names and n.shape == ())

    def go(self, index: int, direction: int = 1) -> None:
        """Move to step `index`, or the nearest shown step in `direction` (then the other way)."""
        last = len(self.steps) - 1
        index = max(0, min(index, last))
        for d in (direction, -direction):
            k = index
            while 0 <= k <= last and not self.shown(k):
                k += d
            if 0 <= k <= last:
                index = k
                break
        self.index = index
        self.term = -1

    def next(self) -> None:
        self.go(self.index + 1, 1)

    def prev(self) -> None:
        self.go(self.index - 1, -1)

    def first(self) -> None:
        self.go(0, 1)

    def last(self) -> None:
        self.go(len(self.steps) - 1, -1)

    def step_into(self) -> None:
        """Cycle through the current step's edge terms, then back to the whole step."""
        n = len(self.step.terms)
        self.term = -1 if n == 0 or self.term + 1 >= n else self.term + 1

    def toggle_breakpoint(self) -> bool:
        node = self.step.node
        if node in self.breakpoints:
            self.breakpoints.discard(node)
            return False
        self.breakpoints.add(node)
        return True

    def cont(self) -> None:
        """Continue to the next step whose node has a breakpoint, or to the end."""
        for k in range(self.index + 1, len(self.steps)):
            if self.steps[k].node in self.breakpoints:
                self.go(k)
                return
        self.last()

    # ------------------------------------------------------------ reading

    def step_of(self, node: int) -> Step | None:
        k = self._order().get(node)
        return None if k is None else self.steps[k]

    def status(self, node: int) -> str:
        """'current', 'done', 'pending' or 'idle' (not part of this sweep)."""
        k = self._order().get(node)
        if k is None:
            return "idle"
        return "current" if k == self.index else "done" if k < self.index else "pending"

    def _order(self) -> dict:
        key = id(self.sweep)
        if getattr(self, "_order_key", None) != key:
            self._order_cache = {s.node: s.index for s in self.sweep.steps}
            self._order_key = key
        return self._order_cache

    def derivative(self, step: Step):
        return step.tangent if self.mode == "forward" else step.adjoint if self.mode == "reverse" else None

    def received(self, node: int) -> tuple[list, int]:
        """Reverse mode: the terms node has received by the current step, and how many it will get."""
        s = self.step_of(node)
        if s is None or self.mode != "reverse":
            return [], 0
        order = self._order()
        got = [t for t in s.terms if order.get(t.dst, 1 << 30) <= self.index]
        return got, len(s.terms)

    def seed_choices(self) -> list[tuple[str, object]]:
        """(label, seed) pairs: every input entry (forward) or output entry (reverse)."""
        g = self.graph
        if self.mode == "forward":
            items = [(g.input_name(i), g.node(i).shape) for i in g.inputs]
        elif self.mode == "reverse":
            items = [(name, g.node(i).shape) for name, i in g.outputs]
        else:
            return []
        out = []
        for name, shape in items:
            for k, label in enumerate(entry_names(name, shape)):
                out.append((label, (name, k)))
        return out

    def input_value(self, name: str):
        values = sweeps.input_values(self.graph, self.at or None)
        return values[self.graph.input_node(name)]

    def seed_label(self) -> str:
        seed = self.seeds.get(self.mode)
        if self.mode == "primal":
            return ""
        if seed is None:
            choices = self.seed_choices()
            return choices[0][0] if choices else ""
        if isinstance(seed, tuple):
            for label, s in self.seed_choices():
                if s == seed:
                    return label
        return str(seed)


def dname(label: str, mode: str) -> str:
    """A node's tangent or adjoint symbol: ẋ / x̄ for one letter, v̇₆ / v̄₆ for v6, v̇(loss) otherwise."""
    mark = {"forward": "\u0307", "reverse": "\u0304"}.get(mode, "")
    if not mark:
        return label
    if len(label) == 1:
        return label + mark
    if label[0] == "v" and label[1:].isdigit():
        return "v" + mark + label[1:].translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    return f"v{mark}({label})"


def short(v, width: int = 12) -> str:
    """A value in a few characters: scalars to 6 significant digits, arrays by shape."""
    if v is None:
        return "·"
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        x = float(a) + 0.0
        return f"{x:.6g}"
    if a.size <= 3:
        return "[" + ", ".join(f"{float(x) + 0.0:.3g}" for x in a.ravel()) + "]"
    return f"⟨{'×'.join(map(str, a.shape))}⟩"


def full(v) -> str:
    """A value in full for the inspector: arrays with their shape and entries where small."""
    if v is None:
        return "—"
    a = np.asarray(v, dtype=float) + 0.0
    if a.ndim == 0:
        return f"{float(a):.12g}"
    body = np.array2string(a, precision=5, suppress_small=True, threshold=36, edgeitems=3, max_line_width=60)
    return f"shape {a.shape}\n{body}"
