"""Practice mode without a screen: answers read by the graph language, questions from the step
records, the graded hints, each named mistake recognised from the sweeps, the score and the
record; and every curriculum graph practised in every mode with the right answers."""
import json

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.explain import literal
from graphdiff.practice import Given, Session, close, evaluate_answer, hint
from graphdiff.practice.feedback import fill_numbers
from graphdiff.practice.questions import Context, build
from graphdiff.source import GraphError
from conftest import GRAPHS

CURRICULUM = sorted(GRAPHS.glob("sheet*/*.gd")) + [GRAPHS / "peyre.gd"]
TWO_INPUTS = "input x = 0.5\ninput y = 2\noutput f = x * y + sin(x)\n"


def typed(q) -> str:
    """The expected answer as a person would type it (literals in the language's syntax)."""
    return q.expected if q.words else literal(q.expected)


def answer_until(s: Session, done) -> None:
    """Answer right until `done(question)` holds for the current question."""
    while s.current is not None and not done(s.current):
        assert s.submit(typed(s.current)).status == "right"


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


# ------------------------------------------------------------------ answers

@pytest.mark.parametrize("text, value", [
    ("0.5", 0.5), ("-1e-3", -1e-3), ("1/3", 1 / 3), ("0.5/1.2207", 0.5 / 1.2207), ("v8*2", 1.0),
    ("sqrt(2)/2", 2 ** 0.5 / 2), ("-x_bar", 0.25), ("2^-1", 0.5), ("inf", np.inf), ("[1, -2]", [1, -2]),
    ("[[1, 0], [0, 1]]", np.eye(2)), ("A.T @ [1, 1]", [4, 6]), ("sum(A)", 10),
])
def test_answers_are_expressions_of_the_language_over_known_quantities(text, value):
    known = {"v8": np.float64(0.5), "x_bar": np.float64(-0.25), "A": np.array([[1.0, 2.0], [3.0, 4.0]])}
    assert np.allclose(evaluate_answer(text, known), value)


@pytest.mark.parametrize("text, message, col", [
    ("2*(v8", "'(' was never closed", 3),
    ("v9 + 1", "unknown name 'v9'", 1),
    ("1 +", "expected an expression, found the end of the answer", 4),
    ("1; 2", "an answer is one expression on one line", 2),
    ("f_bar * 2", "'f_bar' is not known yet (asked at step 3)", 1),
    ("__import__('os')", "unexpected character", 12),
    ("output y = 2", "'output' starts a statement", 1),
    ("[v8, 1]", "array literals hold numbers only", 2),
])
def test_an_answer_that_cannot_be_read_names_its_column(text, message, col):
    with pytest.raises(GraphError) as e:
        evaluate_answer(text, {"v8": np.float64(0.5)}, pending={"f_bar": "asked at step 3"})
    assert message in e.value.message
    assert e.value.span.col == col and e.value.format().startswith(f"answer:1:{col}: error:")


def test_an_empty_answer_is_refused_with_what_to_type():
    with pytest.raises(GraphError, match="the answer is empty"):
        evaluate_answer("   ", {})


def test_the_tolerance_is_relative_entry_by_entry():
    assert close(0.6527, 0.652666566, 1e-3) and not close(0.652, 0.652666566, 1e-3)
    assert close(0.0, 1e-17, 1e-3)                      # a zero the sweep computed as 1e-17
    assert not close([1.0, 0.01], [1.0, 0.02], 1e-3)    # each entry, not only the largest
    assert not close([1.0, 2.0], [[1.0, 2.0]], 1e-3)    # shapes must match (no broadcasting)
    assert close(np.inf, np.inf, 1e-3) and not close(1.0, np.nan, 1e-3)


# ------------------------------------------------------------------ questions

def test_reverse_peyre_asks_each_adjoint_and_a_shared_node_in_parts():
    ctx = Context(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    items = build(ctx)
    assert isinstance(items[0], Given) and "f̄ = 1   (the seed)" in items[0].text
    steps = [q for q in items if not isinstance(q, Given) and q.is_step]
    shared = [q for q in steps if q.step == 4]      # v = log(v6), used by v10 and v8
    assert [q.kind for q in shared] == ["term", "term", "adjoint"]
    assert [q.prompt for q in shared] == ["from v10: v̄ +=", "from v8: v̄ +=", "v̄ (the sum of the 2 terms) ="]
    assert shared[0].expected + shared[1].expected == pytest.approx(shared[2].expected)
    assert [q.kind for q in items if not isinstance(q, Given) and not q.is_step] == ["derivative", "cheaper"]
    assert len([q for q in items if not isinstance(q, Given)]) == 16


def test_primal_gives_the_inputs_and_asks_every_operation_then_the_counts():
    ctx = Context(gd.load(GRAPHS / "peyre.gd"), mode="primal")
    items = build(ctx)
    assert isinstance(items[0], Given) and items[0].text == "step 1/9  x (input)   x = 0.7"
    asked = [q for q in items if not isinstance(q, Given)]
    assert [q.kind for q in asked] == ["value"] * 8 + ["ops_dag", "ops_tree"]
    assert [q.expected for q in asked[-2:]] == [8, 16]           # sharing halves the operations


def test_cost_questions_follow_graphdiff_cost():
    ctx = Context(gd.load(GRAPHS / "sheet0" / "tanh_network.gd"), mode="reverse")
    cheaper, factor = [q for q in build(ctx, ["cost"])]
    r = ctx.cost_report
    assert cheaper.expected == "reverse" and factor.expected == pytest.approx(r.jacobian_forward / r.jacobian_reverse)
    assert f"one tangent sweep {r.tangent_sweep}" in cheaper.heading


def test_unknown_question_kinds_are_refused():
    with pytest.raises(GraphError, match="unknown question kind 'cost_'"):
        build(Context(gd.load(GRAPHS / "peyre.gd")), ["cost_"])


# ------------------------------------------------------------------ hints

def test_three_hint_levels_rule_numbers_answer():
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    answer_until(s, lambda q: q.kind == "term")
    first = s.hint()
    assert first.status == "hint" and first.hint_level == 1
    assert "each consumer i sends vⱼ the term v̄ⱼ += v̄ᵢ · ∂vᵢ/∂vⱼ" in first.lines[0]
    assert "v10 = pow(v, 3) sends v̄ += v̄₁₀·3·v^2, with ∂v10/∂v = 3·v^2" in first.lines[1]
    second = s.hint()
    assert second.lines[0] == "  hint 2 of 3: v̄ += v̄₁₀·3·v^2 = (-1)·3·0.652667^2 = -1 × 1.27792"
    third = s.hint()
    assert third.status == "revealed" and third.done
    assert third.lines == ("  the answer: the term from v10 = -1.27792093945",)
    assert s.current.prompt == "from v8: v̄ +="      # the next part is asked


def test_hint_two_fills_in_arrays_as_where_lines():
    s = Session(gd.load(GRAPHS / "sheet3" / "two_layer.gd"), mode="reverse")
    answer_until(s, lambda q: q.node == s.ctx.g.names["A"])
    s.hint()
    lines = s.hint().lines
    assert lines[0] == "  hint 2 of 3: A\u0304 = z̄ xᵀ"      # Ā: A and a combining macron
    assert lines[1].startswith("      where x = [0.5, -1, 2]") and "z̄ = [1.12" in lines[2]


def test_formula_numbers_replace_whole_names_only():
    text, where = fill_numbers("v̄₁₀·3·v^2 + exp(x)·xᵀ", {"v": -0.5, "v̄₁₀": 2.0, "x": 3.0, "A": np.eye(2)})
    assert text == "2·3·(-0.5)^2 + exp(3)·3ᵀ" and where == []


# ------------------------------------------------------------------ named mistakes

def mistakes_of(s: Session, text: str) -> list[str]:
    fb = s.submit(text)
    assert fb.status == "wrong", fb
    return [m.name for m in fb.mistakes]


def test_forgetting_a_consumers_term_on_a_shared_node():
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    answer_until(s, lambda q: q.kind == "adjoint" and q.step == 4)
    fb = s.submit("-1.27792")
    assert [m.name for m in fb.mistakes] == ["forgot_term"]
    assert fb.lines[1].startswith("  mistake: forgetting a consumer's term on a shared node (the term from v8")


def test_the_value_instead_of_the_adjoint_and_the_opposite_sign():
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    answer_until(s, lambda q: q.step == 5)                          # v̄₆ = v̄ · 1/v6
    assert mistakes_of(s, "v6") == ["value_for_derivative"]
    assert mistakes_of(s, "-v_bar/v6") == ["sign"]


def test_the_consumers_value_in_place_of_its_adjoint_and_the_factors_alone():
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    answer_until(s, lambda q: q.step == 5)
    assert mistakes_of(s, "v/v6") == ["value_for_derivative"]      # v's value, not v̄
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    answer_until(s, lambda q: q.step == 5)
    assert mistakes_of(s, "1/v6") == ["partial_only"]
    assert mistakes_of(s, "v_bar") == ["chain_factor_only"]


def test_a_transposed_matrix():
    s = Session(gd.load(GRAPHS / "sheet3" / "xxt.gd"), mode="reverse")
    q = s.current                                                   # v̄₁ = Xᵀ Ȳ, a 3×2 matrix
    assert np.shape(q.expected) == (3, 2)
    fb = s.submit(literal(np.asarray(q.expected).T))
    assert [m.name for m in fb.mistakes] == ["transposed"]
    assert "the answer is a 2×3 matrix; v̄₁ is a 3×2 matrix" in fb.lines[1]


def test_the_tangent_of_the_wrong_seed():
    s = Session(gd.parse(TWO_INPUTS), mode="forward", seed=("x", 0))
    answer_until(s, lambda q: q.node == s.ctx.g.outputs[0][1])
    other = gd.forward(s.ctx.g, seed=("y", 0)).steps[-1].tangent    # ∂f/∂y, not ∂f/∂x
    fb = s.submit(repr(other))
    assert [m.name for m in fb.mistakes] == ["wrong_seed"]
    assert fb.lines[1] == "  mistake: the tangent of the wrong seed (that is the tangent for the seed y, not x)"


def test_forgetting_an_operands_term_in_forward_mode():
    s = Session(gd.parse(TWO_INPUTS), mode="forward", seed="x")
    answer_until(s, lambda q: q.node == s.ctx.g.outputs[0][1])      # ḟ = ẋ·y + ẋ·cos(x)
    assert "forgot_term" in mistakes_of(s, "y")


def test_counts_and_ratio_mistakes():
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="primal", kinds=["counts"])
    assert mistakes_of(s, "16") == ["tree_for_dag"]
    assert mistakes_of(s, "12") == ["counted_leaves"]
    s = Session(gd.load(GRAPHS / "sheet0" / "tanh_network.gd"), kinds=["cost"])
    assert s.submit("forward").status == "wrong"
    s.submit("reverse")
    r = s.ctx.cost_report
    assert mistakes_of(s, f"{r.jacobian_reverse}/{r.jacobian_forward}") == ["ratio_inverted"]


def test_words_for_the_cheaper_mode():
    s = Session(gd.load(GRAPHS / "peyre.gd"), kinds=["cost"])
    assert s.submit("sideways").status == "error"                  # not a mode: not counted
    assert s.submit("Reverse mode").status == "wrong"
    assert s.submit("same").status == "right"                      # 30 flops either way


# ------------------------------------------------------------------ score and record

def test_the_record_counts_hints_wrong_answers_time_and_mistakes():
    clock = Clock()
    s = Session(gd.load(GRAPHS / "peyre.gd"), mode="reverse", path="peyre.gd", clock=clock)
    clock.t += 5
    s.submit("-1")                          # v̄₁₀ right first time, in 5 s
    clock.t += 3
    s.submit("0")                           # v̄₈ wrong
    s.submit("?")                           # a second hint
    s.submit("1")                           # then right
    clock.t += 2
    fb = s.quit()
    assert "stopped after 2 of 16 questions: the score so far is kept" in fb.lines
    doc = json.loads(json.dumps(s.record()))
    assert doc == {**doc, "file": "peyre.gd", "mode": "reverse", "seed": "f", "finished": False, "questions": 16,
                   "answered": 2, "right_first_time": 1, "right": 2, "hints": 2, "wrong_answers": 1,
                   "revealed": 0, "seconds": 10.0, "score": 0.0625}
    first, second, third = doc["items"]
    assert first == {**first, "node": "v10", "answers": ["-1"], "first_time": True, "seconds": 5.0}
    assert second == {**second, "node": "v8", "answers": ["0", "1"], "right": True, "first_time": False,
                      "hints": 2, "wrong": 1}
    assert third["answers"] == [] and third["right"] is False and third["seconds"] == 2.0
    assert s.submit("1").status == "over"


def test_right_answers_after_hints_are_right_but_not_first_time():
    s = Session(gd.load(GRAPHS / "sheet0" / "chain_rule.gd"), mode="forward")
    s.hint()
    s.submit(typed(s.current))
    assert s.score()["right"] == 1 and s.score()["right_first_time"] == 0


@pytest.mark.parametrize("mode", ["primal", "forward", "reverse"])
def test_every_curriculum_graph_in_every_mode_gives_a_full_score_to_right_answers(mode):
    for path in CURRICULUM:
        g = gd.load(path)
        try:
            s = Session(g, mode=mode, kinds=["steps", "derivative", "counts", "cost"], path=path.name)
        except GraphError:
            assert mode == "forward" and not g.inputs, path
            continue
        while s.current is not None:
            q = s.current
            for level in (1, 2):        # every hint can be written
                lines = hint(s.ctx, q, level, answered=s.terms.get(q.node, {}))
                assert lines and all(isinstance(line, str) and line for line in lines), (path.name, q.prompt)
            fb = s.submit(typed(q))
            assert fb.status == "right", (path.name, q.prompt, fb.lines)
        assert s.finished and s.summary_lines()[-1] == "full score: every step right first time", path


def test_a_tree_too_large_to_count_is_not_asked():
    squares = "\n".join(f"v{k + 1} = v{k} * v{k}" for k in range(1, 80))
    g = gd.parse(f"input x = 1.0001\nv1 = x * x\n{squares}\noutput f = v80\n")     # a tree of 2^80 products
    s = Session(g, mode="primal", kinds=["counts"])
    assert [q.kind for q in s.questions] == ["ops_dag"]
    assert s.submit("81").status == "wrong" and "…" in s.hint().lines[0]
    assert s.submit("80").status == "right"
