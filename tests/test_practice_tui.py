"""The debugger's practice screen through Pilot: a right answer, each hint level, each named
mistake, a matrix answer, an expression answer, quitting mid-way with the score kept, and `P`
from the debugger (resumed with its score after escape)."""
import numpy as np
import pytest
from textual.widgets import Input, Static

import graphdiff as gd
from graphdiff.explain import literal
from graphdiff.practice import Session
from graphdiff.tui.app import DebuggerScreen, GraphdiffApp
from graphdiff.tui.layout import layered
from graphdiff.tui.practice import PracticeScreen
from graphdiff.tui.dialogs import help_text
from graphdiff.tui.widgets import GraphView, KeyBar, fitting
from conftest import GRAPHS

TWO_INPUTS = "input x = 0.5\ninput y = 2\noutput f = x * y + sin(x)\n"


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


def practice_app(g, **session):
    s = Session(g, **session)
    return GraphdiffApp(g, path="graph.gd", mode=s.ctx.mode, preset_layout=layered(g), practice=s), s


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def answer(app, pilot, text: str, *, keys: bool = True):
    """Type an answer into the answer box, key by key (or all at once: `keys=False`), and press enter."""
    if keys:
        await pilot.press(*text)
    else:
        app.screen.query_one(Input).value = text
    await pilot.press("enter")
    await settle(app, pilot)


async def right_until(app, pilot, s: Session, done):
    """Answer right (pasted, not typed key by key) until `done(question)` holds."""
    while s.current is not None and not done(s.current):
        q = s.current
        await answer(app, pilot, q.expected if q.words else literal(q.expected), keys=False)


def said(app, text: str) -> bool:
    """Whether the practice pane says `text` (wrapping and runs of spaces aside)."""
    return " ".join(text.split()) in shown(app)


def shown(app) -> str:
    """The practice pane's text, wrapped lines joined (whitespace runs as one space)."""
    return " ".join(str(app.screen.query_one("#practice-text", Static).render()).split())


async def test_a_session_right_answers_hints_mistakes_an_expression_and_quitting_with_the_score_kept():
    """One reverse session of the Peyré graph at 120×35, question by question."""
    app, s = practice_app(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, PracticeScreen) and app.screen.query_one(Input).has_focus
        assert said(app, "step 2/9  v10 = pow(v, 3)") and said(app, "v̄₁₀ = ?")

        # a right answer: revealed (the step solved as the debugger writes it), the next step asked
        await answer(app, pilot, "-1")
        assert said(app, "✓ right: v̄₁₀ = -1   (typed v10_bar)")
        assert said(app, "the step solved: v10 = pow(v, 3)") and said(app, "v̄₁₀ += −f̄")
        assert said(app, "step 3/9  v8 = div(v, u)") and said(app, "v̄₈ = ?")
        assert app.screen.query_one(GraphView).dbg.step.node == s.current.node     # the asked node is lit
        assert "v10_bar = -1" in str(app.screen.query_one("#known", Static).render())
        status = str(app.screen.query_one("#practice-status", Static).render())
        assert "question 2/16" in status and "1 right first time · 0 hints" in status

        # each hint level: a wrong answer gives the rule, F1 the numbers, ? the answer (and moves on)
        await answer(app, pilot, "3")
        assert said(app, "✗ not right: 3 is not v̄₈")
        assert said(app, "hint 1 of 3: reverse mode: v̄ⱼ = Σᵢ v̄ᵢ · ∂vᵢ/∂vⱼ")
        await pilot.press("f1")
        await settle(app, pilot)
        assert said(app, "hint 2 of 3: v̄₈ = f̄ = 1 = 1 × 1")
        await answer(app, pilot, "?")
        assert said(app, "the answer: v̄₈ = 1") and s.current.kind == "term"
        assert (s.attempts[1].hints, s.attempts[1].revealed, s.attempts[1].wrong) == (3, True, 1)

        # an expression over the quantities revealed so far
        await answer(app, pilot, "v10_bar*3*v^2")
        assert said(app, "✓ right: the term from v10 = -1.27792093945")
        await answer(app, pilot, "v8_bar/u", keys=False)

        # named mistakes on the shared node's sum, then the answer
        for typed, words in (("-1.27792", "forgetting a consumer's term on a shared node"),
                             ("v", "the value instead of the adjoint (that is the value of v)"),
                             ("0.458689", "a sign slip")):
            await answer(app, pilot, typed, keys=False)
            assert said(app, words)
        assert s.attempts[4].mistakes == ["forgot_term", "value_for_derivative", "sign"]
        assert said(app, "the answer: v̄ = -0.458689018926")
        await answer(app, pilot, "x_bar", keys=False)       # not revealed yet: said so, not counted
        assert said(app, "'x_bar' is not known yet (asked at step 9)")

        # quitting mid-way keeps the score
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.internal_errors
    s.quit()
    doc = s.record()
    assert doc["finished"] is False and doc["answered"] == 5 and doc["right_first_time"] == 3
    assert doc["revealed"] == 2 and doc["wrong_answers"] == 4 and doc["items"][-1]["answers"] == []
    assert "stopped after 5 of 16 questions: the score so far is kept" in s.summary_lines()


async def test_a_matrix_answer_and_a_transposed_matrix_at_80x24():
    app, s = practice_app(gd.load(GRAPHS / "sheet3" / "xxt.gd"), mode="reverse")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert np.shape(s.current.expected) == (3, 2)             # v̄₁ = Xᵀ Ȳ
        await answer(app, pilot, "[[1, -0.5, 2], [0, 0, 0]]", keys=False)
        assert "transposed" in s.attempt.mistakes and said(app, "a transposed matrix")
        await answer(app, pilot, "[[1, 0], [-0.5, 0], [2, 0]]", keys=False)
        assert said(app, "✓ right: v̄₁ = 3×2 [[1, 0], [-0.5, 0], [2, 0]]")
        assert not app.internal_errors


async def test_the_tangent_of_the_wrong_seed():
    app, s = practice_app(gd.parse(TWO_INPUTS), mode="forward", seed=("x", 0))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(app, pilot)
        await right_until(app, pilot, s, lambda q: q.node == app.dbg.graph.outputs[0][1])
        await answer(app, pilot, "0.5")                           # ∂f/∂y = x, not ∂f/∂x
        assert s.attempt.mistakes == ["wrong_seed"]
        assert said(app, "that is the tangent for the seed y, not x")


async def test_P_from_the_debugger_escape_back_and_P_resumes_with_the_score():
    g = gd.load(GRAPHS / "peyre.gd")
    app = GraphdiffApp(g, path=str(GRAPHS / "peyre.gd"), preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        keys = {b.key.split(",")[0] for b, _, _ in fitting(app.screen.query_one(KeyBar)._shown_bindings(), 80,
                                                          app.get_key_display)}
        assert {"n", "p", "e", "f", "r", "question_mark", "q"} <= keys       # the footer keeps its essentials
        assert "practice" in str(help_text(app.screen.BINDINGS))
        await pilot.press("f", "P")
        await settle(app, pilot)
        assert isinstance(app.screen, PracticeScreen)
        s = app.screen.session
        assert s.ctx.mode == "forward" and said(app, "v̇₂ = ?")
        await answer(app, pilot, "2*x")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DebuggerScreen) and app.dbg.number == 2       # at the step solved
        await pilot.press("n", "p", "r", "f")                                      # the debugger's keys work
        await settle(app, pilot)
        assert app.dbg.mode == "forward"
        await pilot.press("P")
        await settle(app, pilot)
        assert app.screen.session is s and s.score()["right_first_time"] == 1 and s.number == 2
        assert not app.internal_errors


async def test_the_first_question_wraps_to_the_pane_not_to_40_columns():
    """The intro and question are written before the panes are laid out; they are wrapped again
    once the practice pane has its width (at 80×24 it is the whole width)."""
    g = gd.load(GRAPHS / "peyre.gd")
    app = GraphdiffApp(g, path="graph.gd", mode="reverse", preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
        assert isinstance(app.screen, PracticeScreen)
        text = app.screen.query_one("#practice-text", Static)
        lines = str(text.render()).split("\n")
        assert max(len(ln) for ln in lines) > 60
        assert all(len(ln) <= text.size.width for ln in lines)
