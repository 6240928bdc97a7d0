"""The debugger's state, apart from any widget: which sweep, which step, breakpoints, seeds.

`Debugger` holds the finished sweep of the current mode and a cursor on its step records; the
widgets only read it. Stepping back is moving the cursor: nothing is re-run. The cursor stops at
the steps a person reads (`explain.stops`: every step but the literal constants), and those are
numbered from 1 (`number`, `total`); `index` is the 0-based Python index into `sweep.steps`.

Computing a sweep (`compute`) is apart from installing it (`install`), so the app can run the
first in a worker and the second on the UI thread.
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .. import layers, sweeps
from ..explain import derivative_of, is_literal
from ..graph import Graph
from ..layers import LayerStep, call_of
from ..source import GraphError
from ..sweeps import Step, Sweep, entry_names
from .layout import visible_nodes

MODES = ("primal", "forward", "reverse")


def compute(graph: Graph, mode: str, at: dict | None = None, seed=None) -> Sweep:
    """Run one sweep (raises GraphError when it cannot run: no input to seed, a bad seed)."""
    if mode not in MODES:
        raise GraphError(f"unknown mode '{mode}' (expected primal, forward or reverse)")
    if mode == "primal":
        return sweeps.primal(graph, at or None)
    fn = sweeps.forward if mode == "forward" else sweeps.reverse
    return fn(graph, at or None, seed=seed)


class Walk(NamedTuple):
    """What the cursor and the trace table need of one sweep with some groups collapsed, worked
    out once per (sweep, collapsed groups): in the worker that ran the sweep when it can be, so
    that showing a sweep of thousands of steps and layers is no work on the UI thread."""

    order: dict      # node -> index of its step
    owner: dict      # node in a collapsed group -> its outermost collapsed group
    layers: dict     # index of the step a layer stands at -> the layer (graphdiff.layers.LayerStep)
    layer_of: dict   # group -> its layer step
    stops: list      # the indices the cursor stops at: op-level steps (not literals) and layers
    rows: list       # the trace table's rows: nodes in graph order, a collapsed instance one row (~group)
    row_of: dict     # node (and ~group) -> its row


def walk(g: Graph, sweep: Sweep, collapsed) -> Walk:
    """The stops and table rows of `sweep` with the `collapsed` group instances read as one step."""
    owner = layers.owner_of(g, collapsed) if collapsed else {}
    by_index, layer_of, stops = {}, {}, []
    for s in (layers.steps(g, sweep, collapsed) if owner else sweep.steps):
        if isinstance(s, LayerStep):
            by_index[s.index] = layer_of[s.group] = s
            stops.append(s.index)
        elif not is_literal(g.node(s.node)):
            stops.append(s.index)
    visible = visible_nodes(g)
    if sweep.mode == "primal":
        nodes = visible
    else:
        stepped = {s.node for s in sweep.steps}
        nodes = [i for i in visible if i in stepped]
    rows, row_of = [], {}
    for i in nodes:     # a collapsed group is one row (keyed ~group, a negative number) where its first node was
        gid = owner.get(i)
        key = i if gid is None or gid not in layer_of else ~gid
        if key not in row_of:
            row_of[key] = len(rows)
            rows.append(key)
        row_of[i] = row_of[key]
    return Walk({s.node: s.index for s in sweep.steps}, owner, by_index, layer_of, stops, rows, row_of)


def sweep_key(mode: str, at: dict, seed) -> str:
    """A cache key for one sweep: its mode, input values and seed."""
    def plain(v):
        return np.asarray(v).tolist() if hasattr(v, "shape") else v
    return json.dumps([mode, sorted((k, plain(v)) for k, v in (at or {}).items()), repr(seed)])


@dataclass
class Debugger:
    """A graph, the values of its inputs, the current sweep and a cursor on its steps."""

    graph: Graph
    mode: str = "primal"
    at: dict = field(default_factory=dict)
    seeds: dict = field(default_factory=dict)   # mode -> seed (as sweeps.forward/reverse take it)
    breakpoints: set = field(default_factory=set)
    index: int = 0        # 0-based index into sweep.steps of the current step
    term: int = -1        # the edge term stepped into (-1: the whole step)
    sweep: Sweep | None = None
    run_now: bool = True  # run the mode's sweep at once (the app installs one from a worker)
    collapsed: set = field(default_factory=set)   # group instances read as one step (graphdiff.layers)

    def __post_init__(self):
        self.stops: list[int] = []
        self._order: dict = {}
        self._cache: dict = {}
        self.layers: dict[int, LayerStep] = {}    # index of the step a layer stands at -> the layer
        self.owner: dict[int, int] = {}           # node in a collapsed group -> its outermost collapsed group
        self._layer_of: dict[int, LayerStep] = {}  # group -> its layer step in this sweep
        self.rows: list[int] = []                  # the trace table's rows (see Walk)
        self.row_of: dict[int, int] = {}
        self._walks: dict = {}                     # (id(sweep), collapsed groups) -> Walk
        if self.run_now:
            self.run()

    # ------------------------------------------------------------ running

    def key(self, mode: str | None = None) -> str:
        mode = mode or self.mode
        return sweep_key(mode, self.at, self.seeds.get(mode))

    def cached(self, mode: str) -> Sweep | None:
        return self._cache.get(self.key(mode))

    def compute(self, mode: str | None = None) -> Sweep:
        """The sweep of `mode` with the current inputs and seed (cached; GraphError when it cannot run)."""
        mode = mode or self.mode
        key = self.key(mode)
        if key not in self._cache:
            self._cache[key] = compute(self.graph, mode, self.at, self.seeds.get(mode))
        return self._cache[key]

    def store(self, key: str, sweep: Sweep) -> None:
        """Keep a sweep computed ahead of time (under its `key`) for when its mode is asked for."""
        self._cache.setdefault(key, sweep)

    def remember(self, sweep: Sweep, collapsed, walked: Walk) -> None:
        """Keep the walk of `sweep` with `collapsed` groups, worked out elsewhere (a worker)."""
        self._walks[id(sweep), frozenset(collapsed)] = walked

    def install(self, mode: str, sweep: Sweep, *, keep: bool = False) -> None:
        """Make `sweep` (of `mode`) the current one; the cursor goes to its first step, or stays on
        the same node when `keep` and that node is in the new sweep."""
        node = self.step.node if (keep and self.step is not None) else None
        self.mode, self.sweep = mode, sweep
        self._cache.setdefault(self.key(mode), sweep)
        self._walk()
        self.term = -1
        k = self._order.get(node) if node is not None else None
        if k is not None and node in self.owner and self.owner[node] in self._layer_of:
            k = self._layer_of[self.owner[node]].index
        self.index = k if k is not None and self.number_of(k) else (self.stops[0] if self.stops else 0)

    def _walk(self) -> None:
        """The stops of the current sweep: op-level steps (literals left out) and one per collapsed
        group instance (graphdiff.layers.steps); the walk is kept per sweep and collapsed groups.
        The sweeps of the cache stay alive, so their ids name them."""
        key = (id(self.sweep), frozenset(self.collapsed))
        w = self._walks.get(key)
        if w is None:
            w = self._walks[key] = walk(self.graph, self.sweep, self.collapsed)
        self._order, self.owner, self.layers, self._layer_of, self.stops = w.order, w.owner, w.layers, w.layer_of, w.stops
        self.rows, self.row_of = w.rows, w.row_of

    # ------------------------------------------------------------ groups

    @property
    def layer(self) -> LayerStep | None:
        """The layer step the cursor is on (a collapsed group instance), or None."""
        return self.layers.get(self.index) if self.stops else None

    def layer_of(self, gid: int) -> LayerStep | None:
        """Group gid's layer step in this sweep (when it is collapsed and the sweep enters it)."""
        return self._layer_of.get(gid)

    def current_group(self) -> int:
        """The group of the current step: the layer's, else the innermost one of its node (-1: none)."""
        if self.layer is not None:
            return self.layer.group
        return self.graph.node(self.step.node).group if self.step is not None else -1

    def set_collapsed(self, collapsed, *, land: str = "keep") -> None:
        """Collapse exactly the groups in `collapsed` and re-walk the sweep. The cursor stays on its
        step, moves to the layer that now holds it, or (land="first", expanding the layer it was on)
        to that group's first inner step."""
        old = self.layer
        self.collapsed = set(collapsed)
        if self.sweep is None:
            return
        node = self.step.node if self.step is not None else None
        self._walk()
        self.term = -1
        if not self.stops:
            return
        if land == "first" and old is not None:
            self.go(old.first, 1)
            return
        if node is not None and node in self.owner and self.owner[node] in self._layer_of:
            self.index = self._layer_of[self.owner[node]].index
            return
        self.go(self.index, 1)

    def toggle_group(self) -> tuple[str, int]:
        """Collapse the current node's innermost group, or expand the layer the cursor is on:
        ('collapsed' | 'expanded' | 'none', group)."""
        layer = self.layer
        if layer is not None:
            gid = layer.group     # the outermost collapsed group opens; groups inside it collapsed stay so,
            call = call_of(self.graph, self.graph.groups[gid])   # but a loop iteration opens with the call it holds
            self.set_collapsed(self.collapsed - {gid, call.id}, land="first")
            return "expanded", gid
        gid = self.current_group()
        if gid < 0:
            return "none", -1
        self.set_collapsed(self.collapsed | {gid})
        return "collapsed", gid

    def toggle_all(self) -> str:
        """Expand every group when any is collapsed, else collapse them all: 'expanded' | 'collapsed'."""
        if self.collapsed:
            self.set_collapsed(set(), land="first" if self.layer is not None else "keep")
            return "expanded"
        self.set_collapsed({grp.id for grp in self.graph.groups})
        return "collapsed"

    def group_status(self, gid: int) -> str:
        """A collapsed group's box: 'current', 'done', 'pending' or 'idle' (the sweep does not enter it)."""
        layer = self._layer_of.get(gid)
        if layer is None or not self.stops:
            return "idle"
        return "current" if layer.index == self.index else "done" if layer.index < self.index else "pending"

    def breadcrumb(self) -> str:
        """The current step's call path: `net › layer1 › tanh h`, or the layer's own (`net › layer1`)."""
        g = self.graph
        if self.layer is not None:
            return " › ".join(g.groups[k].name for k in g.group_path(self.layer.group))
        if self.step is None:
            return ""
        return " › ".join(g.call_path(self.step.node).split("."))

    def run(self) -> None:
        """Compute and install the current mode's sweep."""
        self.install(self.mode, self.compute(self.mode))

    def switch(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(mode)
        self.install(mode, self.compute(mode))

    def set_seed(self, seed) -> None:
        old = self.seeds.get(self.mode)
        self.seeds[self.mode] = seed
        try:
            self.run()
        except GraphError:
            self.seeds[self.mode] = old
            raise

    def check_input(self, name: str, value) -> dict:
        """The inputs with `name` set to `value`, validated (GraphError on a bad value)."""
        at = dict(self.at)
        at[name] = value
        sweeps.input_values(self.graph, at)
        return at

    def set_input(self, name: str, value) -> None:
        """Give an input a new value and re-run (raises GraphError on a bad value, state unchanged)."""
        self.at = self.check_input(name, value)
        self.install(self.mode, self.compute(self.mode), keep=True)

    # ------------------------------------------------------------ moving

    @property
    def steps(self) -> tuple:
        return self.sweep.steps if self.sweep is not None else ()

    @property
    def empty(self) -> bool:
        """No step to stop at (e.g. reverse mode on an output that is a constant)."""
        return not self.stops

    @property
    def step(self) -> Step | None:
        return self.steps[self.index] if self.stops else None

    @property
    def number(self) -> int:
        """The current step as a person counts it, from 1 (0 when the sweep has no steps)."""
        return bisect_left(self.stops, self.index) + 1 if self.stops else 0

    @property
    def total(self) -> int:
        """How many steps a person steps through."""
        return len(self.stops)

    def number_of(self, index: int) -> int:
        """The person-facing number (from 1) of the 0-based step `index`, 0 for a literal's step."""
        k = bisect_left(self.stops, index)
        return k + 1 if k < len(self.stops) and self.stops[k] == index else 0

    def go_number(self, number: int) -> None:
        """Go to step `number` (counted from 1), clamped to the sweep."""
        if self.stops:
            self.index = self.stops[max(1, min(number, len(self.stops))) - 1]
            self.term = -1

    def go(self, index: int, direction: int = 1) -> None:
        """Move to the 0-based step `index`, or the nearest stop in `direction` (then the other way)."""
        if not self.stops:
            return
        k = bisect_left(self.stops, index) if direction > 0 else bisect_right(self.stops, index) - 1
        k = max(0, min(k, len(self.stops) - 1))
        self.index = self.stops[k]
        self.term = -1

    def go_node(self, node: int) -> bool:
        """Go to the step at `node` (or the layer step of the collapsed group it is in); False when
        the node has no step a person reads in this sweep."""
        k = self._order.get(node)
        if k is not None and node in self.owner and self.owner[node] in self._layer_of:
            k = self._layer_of[self.owner[node]].index
        if k is None or self.number_of(k) == 0:
            return False
        self.index, self.term = k, -1
        return True

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
        n = len(self.step.terms) if self.step is not None else 0
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
        owner = self.owner
        held = {owner[i] for i in self.breakpoints if i in owner}   # a breakpoint inside a collapsed group
        for k in self.stops[bisect_right(self.stops, self.index):]:
            layer = self.layers.get(k)
            if self.steps[k].node in self.breakpoints or (layer is not None and layer.group in held):
                self.index, self.term = k, -1
                return
        self.last()

    # ------------------------------------------------------------ reading

    def step_of(self, node: int) -> Step | None:
        k = self._order.get(node)
        return None if k is None else self.steps[k]

    def status(self, node: int) -> str:
        """'current', 'done', 'pending' or 'idle' (not part of this sweep)."""
        k = self._order.get(node)
        if k is None or not self.stops:
            return "idle"
        gid = self.owner.get(node)
        if gid is not None and gid in self._layer_of:   # inside a collapsed group: its layer's status
            return self.group_status(gid)
        return "current" if k == self.index else "done" if k < self.index else "pending"

    def derivative(self, step: Step):
        return derivative_of(step, self.mode)

    def received(self, node: int) -> tuple[list, int]:
        """Reverse mode: the terms node has received by the current step, and how many it will get."""
        s = self.step_of(node)
        if s is None or self.mode != "reverse":
            return [], 0
        order = self._order
        got = [t for t in s.terms if order.get(t.dst, 1 << 30) <= self.index]
        return got, len(s.terms)

    def other(self, term) -> object:
        """The other factor of a term: the consumer's adjoint (reverse), the operand's tangent (forward)."""
        s = self.step_of(term.dst if self.mode == "reverse" else term.src)
        return None if s is None else self.derivative(s)

    def seed_choices(self, mode: str | None = None) -> list[tuple[str, object]]:
        """(label, seed) pairs: every input entry (forward) or output entry (reverse)."""
        g, mode = self.graph, mode or self.mode
        if mode == "forward":
            items = [(g.input_name(i), g.node(i).shape) for i in g.inputs]
        elif mode == "reverse":
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

    def seed_label(self, mode: str | None = None) -> str:
        mode = mode or self.mode
        seed = self.seeds.get(mode)
        if mode == "primal":
            return ""
        choices = self.seed_choices(mode)
        if seed is None:
            return choices[0][0] if choices else ""
        for label, s in choices:
            if s == seed:
                return label
        return str(seed)

    def why_empty(self) -> str:
        """Why the current sweep has no step to stop at, in a sentence."""
        g = self.graph
        if self.mode == "reverse":
            seed = self.seeds.get("reverse")
            name = seed[0] if isinstance(seed, tuple) else (g.outputs[0][0] if g.outputs else "the output")
            return (f"the reverse sweep has no steps: {name} is a constant (it depends on no input), "
                    "so no adjoint flows back")
        if self.mode == "forward":
            return "the forward sweep has no steps: no node depends on the seeded input"
        return "the graph has nothing to evaluate"
