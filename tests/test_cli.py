"""The command line through its JSON and exit codes (docs/cli.md)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import GRAPHS, ROOT, run, run_json

PEYRE = str(GRAPHS / "peyre.gd")
NET = str(GRAPHS / "relu_softmax.gd")


def test_eval_json(capsys):
    doc = run_json(capsys, "eval", PEYRE)
    assert doc == {"outputs": {"f": pytest.approx(0.25666652729940287, rel=1e-15)}}
    doc = run_json(capsys, "eval", PEYRE, "--all")
    assert doc["nodes"]["u"] == pytest.approx(1.49 ** 0.5) and len(doc["nodes"]) == 12


def test_grad_json_and_at(capsys):
    doc = run_json(capsys, "grad", PEYRE, "--at", "x=0.7")
    assert set(doc) == {"output", "value", "mode", "grad"}
    assert doc["output"] == "f" and doc["mode"] == "reverse"
    assert doc["grad"]["x"] == pytest.approx(-0.6269671148040288, abs=1e-12)
    fwd = run_json(capsys, "grad", PEYRE, "--mode", "forward", "--at", "x=0.7")
    assert fwd["grad"]["x"] == pytest.approx(doc["grad"]["x"], abs=1e-14) and fwd["mode"] == "forward"


def test_grad_wrt_keeps_shapes(capsys):
    doc = run_json(capsys, "grad", NET.replace("relu_softmax", "peyre"), "--wrt", "x")
    assert list(doc["grad"]) == ["x"]


def test_jacobian_json(capsys):
    doc = run_json(capsys, "jacobian", NET, "--mode", "forward")
    assert doc["rows"] == ["f[0]", "f[1]"]
    assert doc["cols"] == ["P[0,0]", "P[0,1]", "P[1,0]", "P[1,1]", "P[2,0]", "P[2,1]",
                           "Q[0,0]", "Q[0,1]", "Q[0,2]", "Q[1,0]", "Q[1,1]", "Q[1,2]"]
    assert doc["matrix"][0] == [0.75, -0.75, -1.5, 1.5, 0, 0, 0.5, 0.25, 0, -0.5, -0.25, 0]


def test_stats_json(capsys):
    for name in ("peyre.gd", "peyre_oneline.gd"):
        doc = run_json(capsys, "stats", str(GRAPHS / name))
        # docs/cli.md's keys, plus the flops of one evaluation with sharing and as a tree (issue 5)
        assert set(doc) == {"nodes", "edges", "ops", "inputs", "consts", "tree_nodes", "tree_ops",
                            "flops", "tree_flops"}
        assert doc["ops"] == 8 and doc["tree_ops"] == 16
        assert doc["flops"] == 8 and doc["tree_flops"] == 16


def test_trace_json(capsys):
    doc = run_json(capsys, "trace", PEYRE, "--mode", "reverse")
    assert doc["mode"] == "reverse"
    last = doc["steps"][-1]
    assert last["name"] == "x" and last["op"] == "input" and last["adjoint"] == pytest.approx(-0.6269671148040288)
    assert {"index", "node", "name", "op", "operands", "value", "adjoint", "contributions"} <= set(last)
    assert all(set(c) == {"from", "to", "partial", "term"} for s in doc["steps"] for c in s["contributions"])
    fwd = run_json(capsys, "trace", PEYRE, "--mode", "forward")
    assert "tangent" in fwd["steps"][0] and "adjoint" not in fwd["steps"][0]
    prim = run_json(capsys, "trace", PEYRE, "--mode", "primal")
    assert len(prim["steps"]) == 12


def test_trace_seed(capsys):
    doc = run_json(capsys, "trace", NET, "--mode", "reverse", "--seed", "f[1]")
    p = next(s for s in doc["steps"] if s["name"] == "P")
    assert p["adjoint"][0] == [-0.75, 0.75]
    doc = run_json(capsys, "trace", NET, "--mode", "forward", "--seed", "Q[0,1]")
    assert doc["steps"][-1]["tangent"] == [0.25, -0.25]


def test_check_ok_and_nan_named(capsys, tmp_path):
    doc = run_json(capsys, "check", PEYRE)
    assert doc["ok"] is True and doc["inputs"]["x"]["max_abs_err"] < 1e-6
    bad = tmp_path / "nan.gd"
    bad.write_text("input x = -1\ny = log(x)\noutput f = y * 2\n")
    code, out, err = run(capsys, "eval", str(bad), "--json")
    assert code == 0 and json.loads(out) == {"outputs": {"f": "nan"}}
    code, out, err = run(capsys, "check", str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    assert doc["nodes"][0]["name"] == "y" and doc["nodes"][0]["op"] == "log"


BAD = {
    "unknown.gd": ("input x = 1\noutput f = sqrtt(x)\n", "unknown.gd:2:12: error: unknown function 'sqrtt'"),
    "syntax.gd": ("input x = 1\noutput f = x +\n", "syntax.gd:2:15: error: expected an expression"),
    "shape.gd": ("input x = [1, 2]\noutput f = x + [1, 2, 3]\n", "shape.gd:2:14: error: add: shapes"),
    "empty.gd": ("", "empty.gd: error: the file holds no statements"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_graph_files_exit_2_with_the_place(capsys, tmp_path, name):
    text, expected = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(capsys, "grad", str(path), "--json")
    assert code == 2 and out == "" and err.startswith(str(tmp_path) + "/" + expected)
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, words", [
    (["grad", "/nonexistent/x.gd"], "no such file"),
    (["grad", sys.executable], "not a text file"),
    (["grad", PEYRE, "--at", "x=abc"], "expected a number or an array literal"),
    (["grad", PEYRE, "--at", "x"], "expected NAME=VALUE"),
    (["grad", PEYRE, "--at", "y=1"], "'y' is not an input"),
    (["grad", PEYRE, "--at", "x=[1, 2]"], "shape"),
    (["grad", NET], "use `graphdiff jacobian`"),
    (["trace", NET, "--seed", "f[7]"], "does not fit"),
])
def test_bad_usage_exits_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and words in err and "Traceback" not in err


def test_the_installed_console_script_runs():
    exe = ROOT / ".venv" / "bin" / "graphdiff"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "graphdiff"]
    p = subprocess.run(cmd + ["grad", PEYRE, "--json"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and json.loads(p.stdout)["grad"]["x"] == pytest.approx(-0.6269671148040288)
    p = subprocess.run(cmd + ["eval", "/nonexistent.gd"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stdout == "" and "no such file" in p.stderr


def test_check_skips_constant_operands(capsys, tmp_path):
    # x^2 at x < 0: the exponent is a constant, so a^b·log(a) = NaN must not be checked
    path = tmp_path / "neg.gd"
    path.write_text("input x = -1.5\noutput y = x^2\n")
    doc = run_json(capsys, "check", str(path))
    assert doc["ok"] is True and doc["nodes"] == []


# ------------------------------------------------------------------ an honest check

def _logistic(tmp_path, steps=30, r=3.9, x0=0.3):
    lines = [f"input x = {x0}", f"const r = {r}", "x0 = x"]
    lines += [f"x{k} = r * x{k - 1} * (1 - x{k - 1})" for k in range(1, steps + 1)]
    path = tmp_path / "logistic.gd"
    path.write_text("\n".join(lines + [f"output f = x{steps}"]) + "\n")
    return path


def test_check_on_a_chaotic_map_never_cries_wolf(capsys, tmp_path):
    """30 steps of the logistic map at r = 3.9: ∂f/∂x ≈ 2.4e7 and f wiggles on a 1e-8 scale, so
    finite differences from ordinary steps are meaningless. Forward and reverse agree; check must
    not call that a failure (the previous check did, with no step control)."""
    path = _logistic(tmp_path)
    code, out, err = run(capsys, "check", path)
    assert code == 0 and err == "" and "FAILED" not in out
    assert "forward and reverse mode agree" in out
    doc = run_json(capsys, "check", path)
    assert doc["ok"] is True and doc["modes"]["agree"] is True
    assert doc["inputs"]["x"]["verdict"] in ("ok", "inconclusive")


def test_check_with_only_large_steps_says_inconclusive_not_failed(capsys, tmp_path):
    doc = run_json(capsys, "check", _logistic(tmp_path), "--eps", "0.05")
    assert doc["ok"] is True and doc["inputs"]["x"]["verdict"] == "inconclusive"
    assert "ill-conditioned" in doc["inputs"]["x"]["note"]


@pytest.mark.parametrize("expr, op, entry", [("sum(relu(x) * x)", "relu", "v1[1]"), ("sum(sqrt(x*x))", "sqrt", "v2[1]"),
                                             ("sum(abs(x))", "abs", "v1[1]")])
def test_check_names_the_node_at_a_kink(expr, op, entry, capsys, tmp_path):
    path = tmp_path / "kink.gd"
    path.write_text(f"input x = [0.5, 0, -1]\noutput f = {expr}\n")
    code, out, err = run(capsys, "check", path, "--json")
    doc = json.loads(out)
    assert err == "" and code == 0 and doc["inputs"]["x"]["verdict"] == "inconclusive"
    node = next(n for n in doc["nodes"] if n["op"] == op)
    assert node["entry"] == entry and "not differentiable at 0" in node["reason"]


def test_check_on_a_broken_rule_fails_and_says_where(capsys, tmp_path, monkeypatch):
    """A wrong derivative (a deliberately broken sin rule) is a failure, named by input and entry."""
    import dataclasses
    from graphdiff.ops import OPS
    bad = dataclasses.replace(OPS["sin"], partials=(lambda a, y: 2 * np.cos(a),), scalar_partials=(lambda a, y: 2 * np.cos(a),))
    monkeypatch.setitem(OPS, "sin", bad)
    path = tmp_path / "s.gd"
    path.write_text("input x = 0.7\noutput f = sin(x) * x\n")
    code, out, err = run(capsys, "check", path)
    assert code == 1 and "failed" in out and "∂f/∂x" in out and "far beyond" in out, (out, err)


def test_check_and_jacobian_without_inputs_exit_2(capsys, tmp_path):
    path = tmp_path / "c.gd"
    path.write_text("const a = 2\noutput f = a^2 + 1\n")
    for cmd in ("check", "jacobian"):
        code, out, err = run(capsys, cmd, path)
        assert code == 2 and out == "" and "nothing to differentiate" in err


def test_huge_tree_counts_are_written_as_powers_of_ten(capsys, tmp_path):
    """t_k = t_{k-1} · t_{k-2}: the expression tree grows like the Fibonacci numbers."""
    from graphdiff.values import count
    lines = ["input x = 0.5", "t0 = x", "t1 = x * x"] + [f"t{k} = t{k - 1} * t{k - 2}" for k in range(2, 3000)]
    path = tmp_path / "fib.gd"
    path.write_text("\n".join(lines + ["output f = t2999"]) + "\n")
    doc = run_json(capsys, "stats", path)
    assert doc["nodes"] == 3000 and doc["ops"] == 2999
    # the tree of t_k has T(k) = 1 + T(k-1) + T(k-2) ops, T(0) = 0, T(1) = 1: T(k) = F(k+2) − 1
    fib = [1, 1]                      # fib[i] = F(i + 1)
    for _ in range(3000):
        fib.append(fib[-1] + fib[-2])
    exact = count(fib[3000] - 1)
    assert doc["tree_ops"] == exact and exact.startswith("≈ ") and "e62" in exact
    assert count(10 ** 15 - 1) == 10 ** 15 - 1 and count(10 ** 15) == "≈ 1.0e15"
    assert count(99_950_000_000_000_000) == "≈ 1.0e17" and count(2 ** 10_000) == "≈ 2.0e3010"
    code, out, _ = run(capsys, "stats", path)
    assert code == 0 and "tree_nodes  ≈ " in out


def test_a_closed_pipe_ends_quietly(tmp_path):
    cmd = f"{sys.executable} -m graphdiff trace {GRAPHS / 'peyre.gd'} --mode reverse | head -1"
    for _ in range(3):
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60)
        assert p.stdout.startswith("reverse sweep") and p.stderr == ""


def test_cost_on_an_astronomical_tree(capsys, tmp_path):
    lines = ["input x = 0.5", "t0 = x", "t1 = sin(x)"] + [f"t{k} = sin(t{k - 1}) * x + t{k - 2}" for k in range(2, 3000)]
    path = tmp_path / "big.gd"
    path.write_text("\n".join(lines + ["output f = t2999"]) + "\n")
    code, out, err = run(capsys, "cost", path)
    assert code == 0 and "primal ≈ " in out and "internal error" not in err
    doc = run_json(capsys, "cost", path)
    assert doc["tree"]["primal"].startswith("≈ ") and doc["primal"] == 3 * 2998 + 1


def test_grad_without_inputs_exits_2_and_hints_say_of(capsys, tmp_path):
    path = tmp_path / "c.gd"
    path.write_text("const c = 2\noutput f = c*3\n")
    code, out, err = run(capsys, "grad", path)
    assert code == 2 and out == "" and "nothing to differentiate" in err
    path.write_text("input x = 1\noutput f = sin(x)\noutput g = cos(x)\n")
    code, out, err = run(capsys, "grad", path)
    assert code == 2 and "--of NAME" in err and "--output" not in err
