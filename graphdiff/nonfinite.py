"""Where a NaN or an infinity first appears, and why: the warning `eval`, `grad` and `jacobian`
print instead of letting a NaN pass in silence.

    finding = first_nonfinite(g, sweep)   # on a recorded sweep: None when everything is finite

A primal value is blamed on the first node that produced it from finite operands; a tangent on
the first node whose tangent is not finite; an adjoint on the consumer whose chain-rule term
first carried it (the node whose local partial is infinite or undefined).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .graph import Graph
from .source import GraphError


class Finding(NamedTuple):
    """The node that first produced a NaN or inf, the quantity (value, tangent or adjoint) and why."""

    node: int
    what: str        # "value" | "tangent" | "adjoint"
    kind: str        # "NaN" | "inf"
    reason: str


def _bad(v) -> str | None:
    if v is None:
        return None
    a = np.asarray(v, dtype=float)
    if np.isnan(a).any():
        return "NaN"
    if np.isinf(a).any():
        return "inf"
    return None


def first_nonfinite(g: Graph, sweep) -> Finding | None:
    """The first NaN or inf in a recorded sweep (primal values, tangents or adjoints)."""
    if sweep.mode == "primal":
        for s in sweep.steps:
            kind = _bad(s.value)
            if kind and not any(_bad(sweep.values[j]) for j in s.operands):
                return Finding(s.node, "value", kind, s.note or _default_reason(g, s.node, kind, "value"))
        return None
    for s in sweep.steps:
        if sweep.mode == "forward":
            kind = _bad(s.tangent)
            if kind:
                return Finding(s.node, "tangent", kind, s.note or _default_reason(g, s.node, kind, "tangent"))
            continue
        for t in s.terms:       # reverse: the consumer whose term first carried it
            kind = _bad(t.term)
            if kind:
                note = _note_at(sweep, t.dst)
                return Finding(t.dst, "adjoint", kind, note or _default_reason(g, t.dst, kind, "partial"))
        kind = _bad(s.adjoint)
        if kind:    # a seed that is itself not finite
            return Finding(s.node, "adjoint", kind, "the seed is not finite")
    return None


def _note_at(sweep, node: int) -> str | None:
    for s in sweep.steps:
        if s.node == node:
            return s.note
    return None


def _default_reason(g: Graph, i: int, kind: str, what: str) -> str:
    n = g.node(i)
    if n.op == "input":
        return f"the input's value holds {kind}"
    if n.op == "const":
        return f"the constant holds {kind}"
    if what == "partial":
        return f"its local partial derivative is {kind} here"
    return f"{n.op} gave {kind} (an overflow or an undefined operation)"


def warning_text(g: Graph, f: Finding, subject: str) -> str:
    """The warning for a finding, with the node's place in the file (line and caret) when known."""
    n = g.node(f.node)
    name = g.label(f.node)
    what = {"value": "value", "tangent": "tangent", "adjoint": "derivative"}[f.what]
    msg = f"{subject}: not finite; the first {f.kind} {what} comes from {name} ({n.op}): {f.reason}"
    return GraphError(msg, n.span).format(level="warning")
