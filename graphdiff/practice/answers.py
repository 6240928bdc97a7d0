"""Answers typed by a student: read with the graph language itself, compared with a tolerance.

An answer is one expression of the language (`0.5/1.2207`, `v8*2`, `-x_bar`, `[1, -2]`,
`[[1, 0], [0, 1]]`, `sqrt(2)/2`) over the quantities already revealed. It is evaluated by
building a small graph: every revealed quantity is a named constant, the expression is lowered on
top of them by the language's own parser and lowering (`lang.build_graph`), and the primal sweep
evaluates it. Nothing is ever passed to Python's `eval`, and every spelling the language learns
(Unicode `√`, `²`, `−`, …) is understood here at once.

Names: a node's value by its name (`x`, `u`, `v8`; unnamed nodes as `v<id>`), its tangent as
`NAME_dot`, its adjoint as `NAME_bar` (the project's vocabulary: x_dot, y_bar).
"""
from __future__ import annotations

import re

import numpy as np

from ..graph import Graph
from ..lang import build_graph
from ..source import GraphError, Source, Span, normalize
from ..sweeps import evaluate
from ..values import NONFINITE

ANSWER = "answer"            # the "file name" errors in an answer are reported under
_TARGET = "__answer"
_PREFIX = f"{_TARGET} = "
_NAME = re.compile(r"[^\W\d]\w*")
WORDS_HINT = "type a number (0.5, 1/3), an expression over known quantities (v8*2, -x_bar) or an array ([1, 2])"


def suffixed(label: str, kind: str) -> str:
    """How a person types a quantity: `v8` (value), `v8_dot` (tangent), `v8_bar` (adjoint)."""
    return label if kind == "value" else f"{label}_{'dot' if kind == 'tangent' else 'bar'}"


def evaluate_answer(text: str, known: dict, *, pending: dict | None = None):
    """The value of an answer (a float64 scalar or array), or GraphError naming `answer:1:COL`
    with a caret under the place. `known` maps names to revealed values; `pending` maps names
    of quantities not revealed yet to a phrase saying when they will be (`asked at step 9`)."""
    t = normalize(str(text)).strip()
    if not t:
        raise GraphError("the answer is empty", hint=WORDS_HINT)
    if "\n" in t or ";" in t:
        k = min(i for i in (t.find("\n"), t.find(";")) if i >= 0)
        raise GraphError("an answer is one expression on one line", _span(t, k))
    if t.lower() in NONFINITE:
        return np.float64(NONFINITE[t.lower()])
    for m in _NAME.finditer(t):
        if pending and m.group() in pending and m.group() not in known:
            raise GraphError(f"'{m.group()}' is not known yet ({pending[m.group()]})",
                             _span(t, m.start(), len(m.group())),
                             hint="use the quantities revealed so far, or numbers")
    g = Graph()
    for name, value in known.items():
        g.bind(name, g.add_const(value, name=name))
    try:
        built = build_graph(_PREFIX + t, ANSWER, cls=lambda: g)
    except GraphError as e:
        raise _relocated(e, t) from None
    if [name for name, _ in built.outputs] != [_TARGET]:
        raise GraphError("an answer is one expression, not statements", hint=WORDS_HINT)
    return evaluate(built)[_TARGET]


def _span(text: str, offset: int, length: int = 1) -> Span:
    return Span(Source(text, ANSWER), max(0, min(offset, len(text))), max(1, length))


def _relocated(e: GraphError, text: str) -> GraphError:
    """The error of `__answer = TEXT` moved onto TEXT alone (columns as the student typed)."""
    message = e.message.replace("the end of the file", "the end of the answer")
    message = re.sub(r"\bat 1:(\d+)\b", lambda m: f"at 1:{max(1, int(m.group(1)) - len(_PREFIX))}", message)
    if message.startswith("the file holds no statements"):
        message = "the answer is empty"
    span = None
    if e.span is not None:
        span = _span(text, e.span.offset - len(_PREFIX), e.span.length)
    return GraphError(message, span, hint=e.hint)


def shape_words(shape: tuple) -> str:
    """`a number`, `a vector of 3 entries`, `a 2×3 matrix`, `an array of shape (2, 2, 2)`."""
    if shape == ():
        return "a number"
    if len(shape) == 1:
        return f"a vector of {shape[0]} entr{'y' if shape[0] == 1 else 'ies'}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"an array of shape {tuple(shape)}"


def close(answer, expected, tol: float) -> bool:
    """Whether an answer matches a value: the same shape, and each entry within `tol` relative to
    that entry, plus an absolute 1e-12 (times the largest entry when that is above 1), so that a
    zero the sweep computed as 1e-17 accepts 0."""
    a = np.asarray(answer, dtype=float)
    e = np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        return False
    if not (np.isfinite(a).all() and np.isfinite(e).all()):
        return bool(np.array_equal(a, e, equal_nan=True))
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    return bool(np.all(np.abs(a - e) <= tol * np.abs(e) + 1e-12 * max(scale, 1.0)))
