"""The questions of a practice session, made from the step records of the sweeps.

One question per step a person reads (`explain.stops`), asking what the step computes: the node's
value (primal), its tangent (forward) or its adjoint (reverse). In reverse mode a node used by
several consumers is asked in parts: each consumer's term (the step records hold one `Term` per
consumer), then their sum. Steps with nothing to compute (an input's value, a seed, a named
constant) are `Given`: shown and revealed, not asked. After the sweep come the questions of the
exercise sheets that are not single steps: the derivative the sweep computed, the operation
counts of the DAG and of the expression tree (`Graph.stats`), and which mode builds the full
Jacobian cheaper and by how much (`cost`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .. import sweeps
from ..cost import CostReport, cost
from ..explain import dname, num, stops, value_text, wengert
from ..graph import Graph
from ..source import GraphError
from ..sweeps import Sweep, entry_names
from ..values import EXACT_DIGITS
from .answers import suffixed

DEFAULT_TOL = 1e-3
KINDS = ("steps", "derivative", "counts", "cost")
DEFAULT_KINDS = {"primal": ("steps", "counts"), "forward": ("steps", "derivative", "cost"),
                 "reverse": ("steps", "derivative", "cost")}
MAX_ALTERNATIVE_SEEDS = 24      # other seeds tried when looking for "the tangent of the wrong seed"
MODE_WORDS = {"forward": "forward", "fwd": "forward", "tangent": "forward", "tangents": "forward",
              "reverse": "reverse", "rev": "reverse", "backward": "reverse", "backprop": "reverse",
              "adjoint": "reverse", "adjoints": "reverse",
              "same": "same", "tie": "same", "equal": "same", "either": "same", "both": "same"}


@dataclass(frozen=True)
class Given:
    """A step with nothing to compute, shown and revealed: an input, a constant, a seed."""

    step: int            # the step number a person reads (from 1)
    text: str
    reveals: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """One thing to compute. `kind` is value, tangent, adjoint or term (a step or a part of one),
    derivative, ops_dag, ops_tree, cheaper or factor (after the sweep)."""

    kind: str
    heading: str          # the step's line (or the topic), shown before its first part
    prompt: str           # what is asked, as the left side of `= ?`
    what: str             # the quantity asked, in a sentence: `v̄₁₀`, `the term from v10`
    expected: Any
    step: int | None = None      # the step number a person reads (from 1)
    index: int | None = None     # 0-based index into the sweep's steps
    node: int | None = None
    term: int | None = None      # the Term's position in the step (kind "term")
    first_of_step: bool = True
    reveals: dict = field(default_factory=dict)
    exact: bool = False          # whole numbers compared exactly (counts)
    words: bool = False          # a word answer (the cheaper mode)

    @property
    def is_step(self) -> bool:
        return self.kind in ("value", "tangent", "adjoint", "term")


class Context:
    """The graph, the sweeps a session asks about, and what the questions and hints read."""

    def __init__(self, g: Graph, *, mode: str = "reverse", seed=None, at=None, tol: float = DEFAULT_TOL):
        if mode not in sweeps.SWEEPS:
            raise GraphError(f"unknown mode '{mode}' (expected primal, forward or reverse)")
        if not tol > 0:
            raise GraphError(f"--tol must be a positive relative tolerance such as 1e-3, not {tol:g}")
        self.g, self.mode, self.seed, self.at, self.tol = g, mode, seed, at, tol
        self.primal = sweeps.primal(g, at)
        self.values = self.primal.values
        if mode == "primal":
            if seed is not None:
                raise GraphError("--seed applies to forward and reverse sweeps only")
            self.sweep: Sweep = self.primal
        else:
            self.sweep = sweeps.SWEEPS[mode](g, seed=seed, primal_sweep=self.primal)
        self.stops = stops(g, self.sweep)
        self.step_at = {s.node: s for s in self.sweep.steps}
        self.number_of = {k: n for n, k in enumerate(self.stops, start=1)}

    # ------------------------------------------------------------ reading

    def derivative(self, node: int):
        """The tangent (forward) or adjoint (reverse) the sweep reached at a node, or None."""
        s = self.step_at.get(node)
        if s is None:
            return None
        return s.tangent if self.mode == "forward" else s.adjoint if self.mode == "reverse" else s.value

    @property
    def kind(self) -> str:
        """What a step asks: value, tangent or adjoint."""
        return {"primal": "value", "forward": "tangent", "reverse": "adjoint"}[self.mode]

    def names_of(self, node: int) -> list[str]:
        """The names a node's value is typed by: its author names, and `v<id>` (unless taken)."""
        g = self.g
        names = list(g.node(node).names)
        alias = f"v{node}"
        if alias not in g.names and alias not in names:
            names.append(alias)
        return names

    def typed(self, node: int, kind: str | None = None) -> str:
        """How the quantity asked at a node is typed: `v8`, `v8_dot`, `v8_bar`."""
        return suffixed(self.g.label(node), kind or self.kind)

    def reveals_of(self, node: int, kind: str, value) -> dict:
        return {suffixed(name, kind): value for name in self.names_of(node)}

    def symbol(self, node: int) -> str:
        """The quantity of a step as written on screen: v8, v̇₈, v̄₈."""
        return dname(self.g.label(node), self.mode)

    @cached_property
    def seed_label(self) -> str:
        """The seed as a person reads it: `x`, `x[1]`, `f`, or `the given direction`."""
        if self.mode == "primal":
            return ""
        g, seed = self.g, self.seed
        if isinstance(seed, dict):
            return "the given direction"
        if seed is None:
            name = g.input_names()[0] if self.mode == "forward" else g.outputs[0][0]
            seed = (name, 0)
        if isinstance(seed, str):
            seed = (seed, 0)
        name, entry = seed
        i = g.input_node(name) if self.mode == "forward" else g.output_node(name)
        return entry_names(name, g.node(i).shape)[entry]

    @cached_property
    def cost_report(self) -> CostReport:
        return cost(self.g)

    @cached_property
    def alternatives(self) -> list[tuple[str, dict]]:
        """The same sweep from other seeds (other input entries in forward mode, other output
        entries in reverse mode), at most MAX_ALTERNATIVE_SEEDS: (seed label, {node: derivative})."""
        if self.mode == "primal":
            return []
        g = self.g
        items = [(g.input_name(i), g.node(i).shape) for i in g.inputs] if self.mode == "forward" else \
            [(name, g.node(i).shape) for name, i in g.outputs]
        out = []
        for name, shape in items:
            for entry, label in enumerate(entry_names(name, shape)):
                if label == self.seed_label or len(out) >= MAX_ALTERNATIVE_SEEDS:
                    continue
                try:
                    sw = sweeps.SWEEPS[self.mode](g, seed=(name, entry), primal_sweep=self.primal)
                except GraphError:
                    continue
                kind = "tangent" if self.mode == "forward" else "adjoint"
                out.append((label, {s.node: getattr(s, kind) for s in sw.steps}))
        return out

    def given_text(self, number: int, s, note: str = "") -> str:
        g = self.g
        line = f"step {number}/{len(self.stops)}  {wengert(g, s.node)}"
        if self.mode == "primal":
            return f"{line}   {g.label(s.node)} = {value_text(s.value, digits=12, width=None)}"
        d = self.derivative(s.node)
        return f"{line}   {self.symbol(s.node)} = {value_text(d, digits=12, width=None)}{note}"


# ------------------------------------------------------------------ the questions of a session

def build(ctx: Context, kinds=None) -> list:
    """The session's items in order: `Given` steps and `Question`s."""
    kinds = tuple(kinds or DEFAULT_KINDS[ctx.mode])
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise GraphError(f"unknown question kind '{unknown[0]}'", hint=f"the kinds are {', '.join(KINDS)}, or all")
    items: list = []
    if "steps" in kinds:
        items += step_items(ctx)
    if "derivative" in kinds and ctx.mode != "primal":
        items += derivative_questions(ctx)
    if "counts" in kinds:
        items += count_questions(ctx)
    if "cost" in kinds:
        items += cost_questions(ctx)
    return items


def step_items(ctx: Context) -> list:
    """One question per step (a shared node in reverse mode: one per consumer's term, then the
    sum); inputs, constants and seeds are given."""
    g, mode, items = ctx.g, ctx.mode, []
    total = len(ctx.stops)
    for number, k in enumerate(ctx.stops, start=1):
        s = ctx.sweep.steps[k]
        node = g.node(s.node)
        heading = f"step {number}/{total}  {wengert(g, s.node)}"
        if mode == "primal":
            reveals = ctx.reveals_of(s.node, "value", s.value)
            if node.op in ("input", "const"):
                items.append(Given(number, ctx.given_text(number, s), reveals))
            else:
                items.append(Question("value", heading, f"{g.label(s.node)} =", g.label(s.node), s.value,
                                      number, k, s.node, reveals=reveals))
            continue
        d = ctx.derivative(s.node)
        reveals = ctx.reveals_of(s.node, ctx.kind, d)
        if not s.terms:
            why = "   (the seed)" if (mode == "reverse" or node.op == "input") and _seeded(ctx, s.node) else \
                "   (no term reaches it)"
            items.append(Given(number, ctx.given_text(number, s, why), reveals))
            continue
        me = ctx.symbol(s.node)
        if mode == "reverse" and len(s.terms) > 1:
            twice = {t.dst for t in s.terms if sum(u.dst == t.dst for u in s.terms) > 1}
            source = [f"{g.label(t.dst)} (operand {t.slot + 1})" if t.dst in twice else g.label(t.dst)
                      for t in s.terms]
            users = " and ".join(dict.fromkeys(wengert(g, t.dst) for t in s.terms))
            heading += f"   used by {users}: one term from each use, then the sum"
            for position, t in enumerate(s.terms):
                items.append(Question("term", heading, f"from {source[position]}: {me} +=",
                                      f"the term from {source[position]}", t.term, number, k, s.node, term=position,
                                      first_of_step=position == 0))
            items.append(Question("adjoint", heading, f"{me} (the sum of the {len(s.terms)} terms) =", me, d,
                                  number, k, s.node, first_of_step=False, reveals=reveals))
        else:
            items.append(Question(ctx.kind, heading, f"{me} =", me, d, number, k, s.node, reveals=reveals))
    return items


def _seeded(ctx: Context, node: int) -> bool:
    return node in ctx.sweep.seed


def derivative_questions(ctx: Context) -> list[Question]:
    """What the sweep has computed, read as a derivative: ∂f/∂x is x̄ at the end of a reverse
    sweep seeded at f, and ḟ at the end of a forward sweep seeded at x."""
    if isinstance(ctx.seed, dict):
        return []   # a direction, not a partial derivative
    g, out = ctx.g, []
    seed = ctx.seed_label
    if ctx.mode == "reverse":
        pairs = [(seed, g.input_name(i), i) for i in g.inputs]
        topic = f"after the sweep: the reverse sweep seeded at {seed} has computed ∂{seed}/∂(each input)"
    else:
        pairs = [(name, seed, i) for name, i in g.outputs]
        topic = f"after the sweep: the forward sweep seeded at {seed} has computed ∂(each output)/∂{seed}"
    first = True
    for top, bottom, i in pairs:
        d = ctx.derivative(i)
        if d is None:
            continue
        shape = f" (shaped like {bottom})" if ctx.mode == "reverse" and np.ndim(d) else ""
        out.append(Question("derivative", topic, f"∂{top}/∂{bottom}{shape} =", f"∂{top}/∂{bottom}", d, node=i,
                            first_of_step=first))
        first = False
    return out


def count_questions(ctx: Context) -> list[Question]:
    """The operation nodes of the DAG and of its expression tree (sharing off), as `stats` counts them."""
    st = ctx.g.stats()
    topic = "counting operations: inputs and constants are not operations; the expression tree repeats a " \
            "shared node once per path to the outputs"
    out = [Question("ops_dag", topic, "operation nodes in the DAG (sharing on) =",
                    "the DAG's count of operations", st["ops"], exact=True)]
    if st["tree_ops"] < 10 ** EXACT_DIGITS:    # a tree of astronomically many nodes is not a count to type
        out.append(Question("ops_tree", topic, "operation nodes in the expression tree (sharing off) =",
                            "the tree's count of operations", st["tree_ops"], exact=True, first_of_step=False))
    return out


def cost_questions(ctx: Context) -> list[Question]:
    """Which mode builds the full Jacobian with fewer flops, and by what factor (`graphdiff cost`)."""
    g = ctx.g
    if not g.inputs or not g.outputs:
        return []
    r = ctx.cost_report
    if r.n_inputs == 0 or r.n_outputs == 0:
        return []
    topic = (f"forward vs reverse mode for the full Jacobian: n = {r.n_inputs} input entr"
             f"{'y' if r.n_inputs == 1 else 'ies'}, m = {r.n_outputs} output entr{'y' if r.n_outputs == 1 else 'ies'}; "
             f"one evaluation costs {r.primal} flops, one tangent sweep {r.tangent_sweep}, "
             f"one adjoint sweep {r.adjoint_sweep}")
    jf, jr = r.jacobian_forward, r.jacobian_reverse
    best = "same" if jf == jr else "forward" if jf < jr else "reverse"
    out = [Question("cheaper", topic, "fewer flops (forward, reverse or same) =", "the cheaper mode", best, words=True)]
    if best != "same":
        out.append(Question("factor", topic, f"how many times fewer flops in {best} mode (a ratio) =",
                            "the ratio of the two counts", max(jf, jr) / min(jf, jr), first_of_step=False))
    return out


def mode_word(text: str) -> str | None:
    """`forward`, `reverse` or `same` from what a person typed (`Reverse mode`, `fwd`, `tie`), or None."""
    words = text.strip().lower().replace("-", " ").split()
    return MODE_WORDS.get(words[0]) if words else None


def expected_text(q: Question) -> str:
    """The expected answer as shown when it is revealed."""
    if q.words:
        return str(q.expected)
    if q.exact:
        return str(int(q.expected))
    return value_text(q.expected, digits=12, width=None)


def short(v) -> str:
    """A value in a sentence: 6 significant digits, arrays on one line."""
    return num(v) if np.ndim(v) == 0 else value_text(v, width=72)
