"""A practice session: the questions in order, the student's answers checked, hints, score.

`Session` holds no screen and reads no keyboard: the line-based mode (`graphdiff practice
--plain`) and the debugger's practice screen both drive it the same way —

    s = Session(g, mode="reverse")
    show(s.opening)                       # the steps given before the first question
    while s.current is not None:
        show(s.current.prompt); fb = s.submit(read())   # or s.hint(), or s.quit()
        show(fb.lines)                    # right / not right, the mistake named, the next hint

— and `record()` is the JSON document a teacher collects. Question numbers and step numbers a
person reads count from 1.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

import numpy as np

from ..explain import is_literal, value_text
from ..graph import Graph
from ..source import GraphError
from ..values import jsonable
from .answers import close, evaluate_answer, shape_words
from .feedback import LEVELS, diagnose, hint, mistake_text
from .questions import DEFAULT_KINDS, DEFAULT_TOL, Context, Given, Question, build, expected_text, mode_word, short

ASK_HINT = ("?", "hint")
QUIT = ("quit", "exit", ":q")


class Feedback(NamedTuple):
    """What one answer (or a request for a hint) gave.

    `status`: right, wrong, revealed (the third hint: the answer shown, the question closed),
    hint (asked for), error (not an answer: it could not be read; not counted), over (no
    question left). `done`: the question is closed; `given` are the steps passed on the way to
    the next question."""

    status: str
    lines: tuple
    done: bool = False
    hint_level: int = 0
    mistakes: tuple = ()
    given: tuple = ()
    value: Any = None


@dataclass
class Attempted:
    """The record of one question: what was typed, hints, mistakes, time."""

    question: Question
    number: int
    started: float
    answers: list = field(default_factory=list)
    hints: int = 0
    wrong: int = 0
    mistakes: list = field(default_factory=list)
    right: bool = False
    revealed: bool = False
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        return self.right or self.revealed

    @property
    def first_time(self) -> bool:
        return self.right and self.wrong == 0 and self.hints == 0

    def to_json(self, ctx: Context) -> dict:
        q = self.question
        return {"number": self.number, "kind": q.kind, "step": q.step,
                "node": ctx.g.label(q.node) if q.node is not None else None, "prompt": q.prompt,
                "expected": q.expected if q.words else int(q.expected) if q.exact else jsonable(q.expected),
                "answers": list(self.answers), "right": self.right, "first_time": self.first_time,
                "hints": self.hints, "wrong": self.wrong, "revealed": self.revealed,
                "mistakes": list(self.mistakes), "seconds": round(self.seconds, 3)}


class Session:
    """One practice session over one graph and one sweep."""

    def __init__(self, g: Graph, *, mode: str = "reverse", seed=None, at=None, tol: float = DEFAULT_TOL,
                 kinds=None, path: str = "", clock=time.monotonic):
        if not (isinstance(tol, (int, float, np.floating)) and np.isfinite(tol) and tol > 0):
            # (inf would take every answer as right, and the session record is JSON: no inf in it)
            raise GraphError(f"the tolerance must be a positive finite relative tolerance such as 1e-3, not {tol:g}"
                             if isinstance(tol, (int, float, np.floating)) else
                             f"the tolerance must be a number such as 1e-3, not {tol!r}")
        self.ctx = Context(g, mode=mode, seed=seed, at=at, tol=tol)
        self.kinds = tuple(kinds or DEFAULT_KINDS[mode])
        self.items = build(self.ctx, self.kinds)
        self.questions = [i for i in self.items if isinstance(i, Question)]
        self.path = path
        self.clock = clock
        self.started_at = datetime.now(timezone.utc)
        self.started = clock()
        self.ended: float | None = None
        self.quitted = False
        self.attempts: list[Attempted] = []
        self.terms: dict[int, dict] = {}   # node -> {term position: value} of the terms answered
        self.known = self._known_at_start()
        self.pending = self._pending_names()
        self._pos = 0
        self.opening = self._advance()

    # ------------------------------------------------------------ state

    def _known_at_start(self) -> dict:
        """Every node's value when a derivative sweep is practised (the primal sweep ran first)."""
        ctx, known = self.ctx, {}
        self.shown: list[tuple[str, object]] = []
        if ctx.mode != "primal":
            for n in ctx.g.node_list():
                if is_literal(n):
                    continue    # a literal: written as its number where it is used
                reveals = ctx.reveals_of(n.id, "value", ctx.values[n.id])
                known.update(reveals)
                self.shown.append((next(iter(reveals)), ctx.values[n.id]))
        return known

    def _pending_names(self) -> dict:
        """Names revealed later, and when: typing one early says so (not 'unknown name')."""
        out = {}
        for item in self.items:
            when = f"revealed at step {item.step}" if isinstance(item, Given) else \
                f"asked at step {item.step}" if item.step else "asked after the sweep"
            for name in item.reveals:
                out.setdefault(name, when)
        return out

    def _advance(self) -> tuple:
        """Move past the given steps to the next question; returns the givens passed."""
        passed = []
        while self._pos < len(self.items) and isinstance(self.items[self._pos], Given):
            item = self.items[self._pos]
            self._reveal(item.reveals)
            passed.append(item)
            self._pos += 1
        if self._pos < len(self.items):
            self.attempts.append(Attempted(self.items[self._pos], len(self.attempts) + 1, self.clock()))
        elif self.ended is None:
            self.ended = self.clock()
        return tuple(passed)

    @property
    def current(self) -> Question | None:
        """The question being asked (None when the session is over)."""
        if self.quitted or self._pos >= len(self.items):
            return None
        return self.items[self._pos]

    @property
    def attempt(self) -> Attempted | None:
        return self.attempts[-1] if self.current is not None else None

    @property
    def number(self) -> int:
        """The current question's number, from 1 (the count asked so far when over)."""
        return len(self.attempts)

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def over(self) -> bool:
        return self.current is None

    @property
    def finished(self) -> bool:
        """Every question answered (not quit mid-way)."""
        return self.over and not self.quitted

    # ------------------------------------------------------------ answering

    def submit(self, text: str) -> Feedback:
        """Check an answer (or run a command: `?`/`hint` asks for the next hint, `quit` ends)."""
        q = self.current
        if q is None:
            return Feedback("over", ("the session is over",), done=True)
        t = str(text).strip()
        if t.lower() in ASK_HINT:
            return self.hint()
        if t.lower() in QUIT:
            return self.quit()
        try:
            value = self._read(q, t)
        except GraphError as e:
            return Feedback("error", (e.format(),))
        a = self.attempt
        a.answers.append(t)
        if self._right(q, value):
            a.right = True
            lines = (f"✓ right: {q.what} = {expected_text(q)}{self._typed_note(q)}",)
            return self._close(Feedback("right", lines, done=True, value=value))
        a.wrong += 1
        mistakes = tuple(diagnose(self.ctx, q, value)) if not q.words else ()
        for m in mistakes:
            if m.name not in a.mistakes:
                a.mistakes.append(m.name)
        lines = [f"✗ not right: {self._shown(q, value)}"]
        lines += self._shape_note(q, value)
        if mistakes:
            lines.append(f"  mistake: {mistake_text(list(mistakes))}")
        return self._next_hint(lines, "wrong", mistakes=mistakes, value=value)

    def hint(self) -> Feedback:
        """The next hint for the current question (the third reveals the answer and moves on)."""
        if self.current is None:
            return Feedback("over", ("the session is over",), done=True)
        return self._next_hint([], "hint")

    def quit(self) -> Feedback:
        """Stop here: the score so far is kept (the current question counts as not answered)."""
        if self.current is not None:
            a = self.attempts[-1]
            a.seconds = self.clock() - a.started
            self.quitted = True
        if self.ended is None:
            self.ended = self.clock()
        return Feedback("over", tuple(self.summary_lines()), done=True)

    def _read(self, q: Question, text: str):
        if q.words:
            word = mode_word(text)
            if word is None:
                raise GraphError(f"'{text}' is not a mode: answer forward, reverse or same")
            return word
        return evaluate_answer(text, self.known, pending=self.pending)

    def _right(self, q: Question, value) -> bool:
        if q.words:
            return value == q.expected
        if q.exact:
            return np.shape(value) == () and bool(np.isfinite(value)) and float(value) == float(q.expected)
        return close(value, q.expected, self.ctx.tol)

    def _shown(self, q: Question, value) -> str:
        return f"{value if q.words else short(value)} is not {q.what}"

    def _shape_note(self, q: Question, value) -> list[str]:
        if q.words or np.shape(value) == np.shape(q.expected):
            return []
        return [f"  the answer is {shape_words(np.shape(value))}; {q.what} is "
                f"{shape_words(np.shape(q.expected))}"]

    def _next_hint(self, lines: list, status: str, *, mistakes=(), value=None) -> Feedback:
        a, q = self.attempt, self.current
        a.hints = min(a.hints + 1, LEVELS)
        level = a.hints
        text = hint(self.ctx, q, level, answered=self.terms.get(q.node, {}))
        if level >= LEVELS:
            a.revealed = True
            lines = lines + [f"  {line}" for line in text]
            return self._close(Feedback("revealed", tuple(lines), done=True, hint_level=level,
                                        mistakes=mistakes, value=value))
        lines = lines + [f"  hint {level} of {LEVELS}: {text[0]}"] + [f"    {line}" for line in text[1:]]
        return Feedback(status, tuple(lines), hint_level=level, mistakes=mistakes, value=value)

    def _typed_note(self, q: Question) -> str:
        """How to type the quantity just revealed, when it is a tangent or an adjoint: `(v10_bar)`."""
        return f"   (typed {next(iter(q.reveals))})" if q.reveals and self.ctx.mode != "primal" else ""

    def _reveal(self, reveals: dict) -> None:
        self.known.update(reveals)
        if reveals:
            name = next(iter(reveals))
            self.shown.append((name, reveals[name]))

    def _close(self, fb: Feedback) -> Feedback:
        q, a = self.current, self.attempt
        a.seconds = self.clock() - a.started
        self._reveal(q.reveals)
        if q.kind == "term":
            self.terms.setdefault(q.node, {})[q.term] = q.expected
        self._pos += 1
        given = self._advance()
        return fb._replace(given=given)

    # ------------------------------------------------------------ score

    @property
    def seconds(self) -> float:
        end = self.ended if self.ended is not None else self.clock()
        return end - self.started

    def score(self) -> dict:
        """The counts of the session so far."""
        done = [a for a in self.attempts if a.done]
        return {"questions": self.total, "answered": len(done),
                "right_first_time": sum(a.first_time for a in self.attempts),
                "right": sum(a.right for a in self.attempts),
                "revealed": sum(a.revealed for a in self.attempts),
                "hints": sum(a.hints for a in self.attempts),
                "wrong_answers": sum(a.wrong for a in self.attempts)}

    def summary_lines(self) -> list[str]:
        """The summary a person reads at the end (or when stopping)."""
        s = self.score()
        name = self.path or "this graph"
        head = (f"{name}: {s['right_first_time']} of {s['questions']} right first time"
                f" · {s['hints']} hint{'s' * (s['hints'] != 1)} · {s['revealed']} revealed"
                f" · {s['wrong_answers']} wrong answer{'s' * (s['wrong_answers'] != 1)} · {duration(self.seconds)}")
        lines = [head]
        if self.quitted:
            lines.append(f"stopped after {s['answered']} of {s['questions']} questions: the score so far is kept")
        elif s["questions"] and s["right_first_time"] == s["questions"]:
            lines.append("full score: every step right first time")
        return lines

    def record(self) -> dict:
        """The session as a JSON document (for a teacher collecting results)."""
        ctx = self.ctx
        s = self.score()
        # A file name that is not UTF-8 (bytes decoded as lone surrogates) is written with \x escapes:
        # the record is UTF-8 JSON.
        path = os.fsencode(self.path).decode("utf-8", "backslashreplace") if self.path else None
        return {"file": path, "mode": ctx.mode, "seed": ctx.seed_label or None,
                "tolerance": ctx.tol, "kinds": list(self.kinds),
                "started": self.started_at.isoformat(timespec="seconds"), "seconds": round(self.seconds, 3),
                "finished": self.finished, **s,
                "score": round(s["right_first_time"] / s["questions"], 4) if s["questions"] else None,
                "items": [a.to_json(ctx) for a in self.attempts]}

    # ------------------------------------------------------------ reading, for screens

    def intro_lines(self) -> list[str]:
        """What the session asks and how to answer, in a few lines."""
        ctx = self.ctx
        what = {"primal": "each node's value", "forward": "each node's tangent v̇",
                "reverse": "each node's adjoint v̄ (a shared node: each consumer's term, then the sum)"}[ctx.mode]
        seed = f", seed {ctx.seed_label}" if ctx.seed_label else ""
        names = self._name_examples()
        asked = f"compute {what}" if "steps" in self.kinds else "questions: " + ", ".join(self.kinds)
        lines = [f"practice: {ctx.mode} sweep{seed} · {len(ctx.stops)} steps, {self.total} questions · {asked}",
                 f"answer with a number, a fraction, an expression over known quantities — {names} — "
                 "or an array [1, 2], [[1, 0], [0, 1]]",
                 f"right within a relative {ctx.tol:g}; a wrong answer gets a hint (3 levels, the last shows the "
                 "answer); ? asks for the next hint"]
        if ctx.mode != "primal":
            lines.append("every node's value is known (the primal sweep ran first)")
        return lines

    def _name_examples(self) -> str:
        """How quantities are typed, with this graph's own names: `values by name (x, v8), …`."""
        ctx, g = self.ctx, self.ctx.g
        ops = [n.id for n in g.node_list() if not n.is_leaf]
        examples = [g.label(i) for i in list(g.inputs[:1]) + ops[:1]]
        text = f"values by name ({', '.join(examples)})"
        if ctx.mode == "forward" and g.inputs:
            text += f", tangents as NAME_dot ({ctx.typed(g.inputs[0])})"
        elif ctx.mode == "reverse" and g.outputs:
            text += f", adjoints as NAME_bar ({ctx.typed(g.outputs[0][1])})"
        return text

    def known_lines(self, *, width: int = 60) -> list[str]:
        """The quantities revealed so far, one line per node and kind, in the order they came:
        `x = 0.7`, `f_bar = 1`, `v10_bar = -1`."""
        return [f"{name} = {value_text(v, width=width)}" for name, v in self.shown]


def duration(seconds: float) -> str:
    """`42 s`, `3 min 05 s`, `1 h 02 min`."""
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def total_record(sessions: list[Session]) -> dict:
    """The document `--json` writes: every session's record and the totals over them."""
    records = [s.record() for s in sessions]
    keys = ("questions", "answered", "right_first_time", "right", "revealed", "hints", "wrong_answers")
    total = {k: sum(r[k] for r in records) for k in keys}
    total["seconds"] = round(sum(r["seconds"] for r in records), 3)
    total["score"] = round(total["right_first_time"] / total["questions"], 4) if total["questions"] else None
    total["finished"] = all(r["finished"] for r in records)
    from .. import __version__
    return {"graphdiff": __version__, "sessions": records, "summary": total}
