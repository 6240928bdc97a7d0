"""`graphdiff practice --plain` driven over stdin like a script would: a whole reverse sweep of the
Peyré graph with the answers read off the CLI's own `trace --json` (and `cost --json` for the
question after the sweep), ending with a full score; the same with one wrong answer showing the
hints and the named mistake; folders, --json, -o, and bad input."""
import io
import json
import subprocess
import sys

import pytest

from conftest import GRAPHS, run

GRAPHDIFF = [sys.executable, "-m", "graphdiff"]


def cli_json(*argv) -> dict:
    done = subprocess.run([*GRAPHDIFF, *map(str, argv), "--json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def reverse_answers(trace: dict, cost: dict) -> list[str]:
    """The answers of a reverse practice session from the CLI's own documents: each step's adjoint
    (a shared node: each consumer's term first, then the sum), ∂f/∂x, the cheaper mode."""
    answers = []
    for step in trace["steps"]:
        terms = step["contributions"]
        if not terms:
            continue                    # the seed: given, not asked
        if len(terms) > 1:
            answers += [repr(t["term"]) for t in terms]
        answers.append(repr(step["adjoint"]))
    x = next(s for s in trace["steps"] if s["name"] == "x")
    answers.append(repr(x["adjoint"]))  # ∂f/∂x at the end of the sweep
    jf, jr = cost["jacobian_forward"], cost["jacobian_reverse"]
    answers.append("same" if jf == jr else "forward" if jf < jr else "reverse")
    if jf != jr:
        answers.append(repr(max(jf, jr) / min(jf, jr)))
    return answers


@pytest.fixture(scope="module")
def peyre_answers() -> list[str]:
    path = GRAPHS / "peyre.gd"
    return reverse_answers(cli_json("trace", path, "--mode", "reverse"), cli_json("cost", path))


def practise(stdin: str, *argv) -> subprocess.CompletedProcess:
    return subprocess.run([*GRAPHDIFF, "practice", *map(str, argv)], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_a_whole_reverse_sweep_over_stdin_ends_with_a_full_score(peyre_answers):
    done = practise("\n".join(peyre_answers) + "\n", GRAPHS / "peyre.gd", "--plain", "--mode", "reverse")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("✓ right") == len(peyre_answers) == 16
    assert "✗" not in out and "hint 1" not in out
    assert "from v10: v̄ += ? " in out and "v̄ (the sum of the 2 terms) = ? " in out   # a shared node in parts
    assert "16 of 16 right first time · 0 hints · 0 revealed · 0 wrong answers" in out
    assert out.rstrip().endswith("full score: every step right first time")


def test_one_wrong_answer_shows_the_mistake_and_the_hints(peyre_answers):
    answers = list(peyre_answers)
    k = answers.index(next(a for a in answers if a.startswith("-0.4586")))   # v̄, the sum of two terms
    first_term = answers[k - 2]
    answers[k:k] = [first_term, "?"]    # a wrong sum (the term from v8 forgotten), then a second hint
    done = practise("\n".join(answers) + "\n", GRAPHS / "peyre.gd", "--plain")
    out = done.stdout
    assert done.returncode == 0, done.stderr
    assert "✗ not right: -1.27792 is not v̄" in out
    assert ("mistake: forgetting a consumer's term on a shared node (the term from v8 = div(v, u) is missing: "
            "v collects one term from each of its 2 consumers)") in out
    assert "hint 1 of 3: reverse mode: v̄ⱼ = Σᵢ v̄ᵢ · ∂vᵢ/∂vⱼ" in out and "here v̄ = v̄₁₀·3·v^2 + v̄₈·(1/u)" in out
    assert "hint 2 of 3: v̄ = the sum of the terms you found: -1.27792 + 0.819232" in out
    assert "15 of 16 right first time · 2 hints · 0 revealed · 1 wrong answer" in out
    assert "full score" not in out


def test_the_third_hint_reveals_the_answer_and_moves_on(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("?\n?\n?\nquit\n"))
    code, out, err = run(capsys, "practice", GRAPHS / "peyre.gd", "--mode", "forward")
    assert code == 0, err
    assert "hint 1 of 3: forward mode: v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ · v̇ⱼ" in out
    assert "hint 2 of 3: v̇₂ = 2·x·x\u0307 = 2·0.7·1 = 1.4 × 1" in out     # ẋ: x and a combining dot
    assert "the answer: v̇₂ = 1.4" in out
    assert "step 3/9  v4 = add(v2, 1)" in out          # the next question was asked
    assert "stopped after 1 of 10 questions: the score so far is kept" in out


def test_json_record_for_a_teacher_and_the_end_of_input_keeps_the_score(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO("0.49\n1.5\n"))    # v2 right, v4 wrong, then the input ends
    out_file = tmp_path / "alice.json"
    code, out, err = run(capsys, "practice", GRAPHS / "peyre.gd", "--mode", "primal", "--json", "-o", out_file)
    assert code == 0, err
    doc = json.loads(out)                          # stdout: the record alone; the questions went to stderr
    assert "v2 = ? " in err and "✓ right" in err
    assert json.loads(out_file.read_text()) == doc
    s = doc["summary"]
    assert s["questions"] == 10 and s["answered"] == 1 and s["right_first_time"] == 1 and s["graphs"] == 1
    assert s["finished"] is False
    (session,) = doc["sessions"]
    assert session["mode"] == "primal" and session["tolerance"] == 1e-3 and session["finished"] is False
    first, second = session["items"]
    assert first == {**first, "kind": "value", "node": "v2", "step": 2, "answers": ["0.49"], "right": True,
                     "first_time": True, "hints": 0}
    assert second["answers"] == ["1.5"] and second["right"] is False and second["hints"] == 1


def test_a_folder_is_walked_graph_by_graph(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))   # no answers: the first graph stops the walk
    code, out, err = run(capsys, "practice", GRAPHS / "sheet1", "--mode", "forward", "--json")
    assert code == 0, err
    assert "== " not in err and "stopped after 0 of 8 questions" in err   # one file in the folder: no header
    code, out, err = run(capsys, "practice", GRAPHS / "sheet4", "--ask", "counts", "--plain")
    assert code == 0, err
    assert "== " + str(GRAPHS / "sheet4" / "linear_map.gd") + " (1 of 4) ==" in out
    assert "(2 of 4)" not in out                      # stopped at the end of the input, in the first graph


def test_a_folder_answered_to_the_end(capsys, monkeypatch, tmp_path):
    for name, text in {"a.gd": "input x = 2\noutput y = x * x + x\n", "b.gd": "input x = 1\noutput y = exp(x)\n"}.items():
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(sys, "stdin", io.StringIO("2\n2\n1\n1\n"))    # the DAG's and the tree's ops, per graph
    code, out, err = run(capsys, "practice", tmp_path, "--ask", "counts", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [s["file"].rsplit("/", 1)[1] for s in doc["sessions"]] == ["a.gd", "b.gd"]
    assert doc["summary"] == {**doc["summary"], "questions": 4, "right_first_time": 4, "graphs": 2, "finished": True}
    assert "all graphs: 4 of 4 right first time over 2 of 2 graphs finished" in err


@pytest.mark.parametrize("argv, message", [
    (["graphs/peyre.gd", "--tol", "0"], "--tol must be a positive"),
    (["graphs/peyre.gd", "--ask", "stpes"], "did you mean 'steps'?"),
    (["graphs/peyre.gd", "--seed", "y"], "no output named 'y'"),
    (["graphs/sheet3", "--seed", "f"], "give a file, not a folder"),
    (["-"], "the graph must come from a file"),
    (["graphs/typo.gd"], "no such file"),
])
def test_bad_input_exits_2_with_a_message(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(capsys, "practice", *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_an_answer_that_cannot_be_read_is_pointed_at_and_not_counted(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("2*(v\nx_bar\n-1\nquit\n"))
    code, out, err = run(capsys, "practice", GRAPHS / "peyre.gd")
    assert code == 0, err
    assert "answer:1:3: error: '(' was never closed" in out and "    2*(v\n" in out
    assert "'x_bar' is not known yet (asked at step 9)" in out
    assert "1 of 16 right first time · 0 hints · 0 revealed · 0 wrong answers" in out
