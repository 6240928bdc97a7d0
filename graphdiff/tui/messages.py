"""Messages between the debugger's workers, widgets and screens: small dataclasses, no logic.

Workers (sweeps, layouts, cost, code generation) run off the UI thread and report back with
these; widgets report clicks with them; the main screen announces each move of the cursor with
`StepChanged` (a flood of them while a key is held coalesces: `can_replace`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class SweepReady(Message):
    """A sweep finished in a worker: `key` says for which mode, inputs and seed it was run."""

    mode: str
    key: str
    sweep: Any
    keep: bool = False     # keep the cursor on the same node (an input was edited)
    ahead: bool = False    # computed ahead of time, for a mode not shown yet
    walked: Any = None     # (collapsed groups, state.Walk of the sweep with them), worked out in the worker


@dataclass
class SweepFailed(Message):
    """A sweep could not run (no input to seed, a bad seed or value): `reason` says why."""

    mode: str
    key: str
    reason: str


@dataclass
class LayoutReady(Message):
    """A layout finished in a worker: `ranked` from `engine` ("layered" or "dot") in `seconds`;
    `geometries` maps zoom levels to their geometry, computed in the worker too (a large graph's
    takes tens of milliseconds, which the UI thread then need not spend)."""

    topology: Any
    ranked: Any
    engine: str
    seconds: float
    geometries: dict = field(default_factory=dict)


@dataclass
class LayoutFailed(Message):
    """Graphviz failed or ran out of time; the built-in layout stays."""

    reason: str


@dataclass
class StepChanged(Message):
    """The cursor moved: step `number` of `total` (counted from 1) at `node`, in `mode`."""

    mode: str
    number: int
    total: int
    node: int | None
    forwarded: bool = False   # a copy the app passed on to a screen above the main one

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StepChanged)


@dataclass
class NodeClicked(Message):
    """A box in the graph pane (or a row of a trace table) was clicked: go to its node's step."""

    node: int


@dataclass
class ProgramReady(Message):
    """The pseudo-code of a sweep, generated in a worker (`lines` are `emit.Line`s)."""

    lines: list


@dataclass
class CostReady(Message):
    """The forward and reverse counts of the compare screen, computed in a worker."""

    counts: dict


@dataclass
class PracticeReady(Message):
    """A practice session (graphdiff.practice.Session) was built in a worker: open its screen."""

    session: Any


@dataclass
class AnswerChecked(Message):
    """A practice answer was checked in a worker: what was typed and the session's Feedback
    (None when checking failed: the error has been reported)."""

    text: str
    feedback: Any
