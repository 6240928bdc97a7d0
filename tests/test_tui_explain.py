"""How steps read as text (graphdiff.explain): every op's chain-rule terms in matrix form with the
numbers of the step records, values with their shapes and ellipses, Wengert lines with literal
constants, and the CLI's `trace` text counting from 1."""
import json
import re
import unicodedata

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.explain import (jacobian_matrix, stops, sum_rule, term_numbers, term_rule, value_lines,
                               value_text, wengert)
from graphdiff.ops import OPS
from graphdiff.tui.state import Debugger
from graphdiff.tui.widgets import inspector_text
from conftest import GRAPHS

TENSOR = re.compile(r"\d+×\d+×\d+")           # a shape with three or more indices
NUMBER = re.compile(r"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|inf|nan)")


def op_graphs():
    """For every op, a graph applying it to inputs with the op's sample values: elementwise ops on
    a matrix and a broadcast vector, the other ops on each shape combination their samples take."""
    for name, op in sorted(OPS.items()):
        seen = set()
        for seed in range(8):
            rng = np.random.default_rng(seed)
            args, attrs = op.sample(rng)
            if op.elementwise:
                args = tuple(np.full((2, 3), np.ravel(a)[0]) if k == 0 else np.full((3,), np.ravel(a)[0])
                             for k, a in enumerate(args))
            shapes = tuple(np.shape(a) for a in args) + tuple(sorted(attrs.items()))
            if shapes in seen:
                continue
            seen.add(shapes)
            g = gd.Graph()
            ids = [g.add_input(f"a{k}", a) for k, a in enumerate(args)]
            g.set_output("y", g.apply(name, ids, tuple(attrs.items())))
            yield pytest.param(g, id=f"{name}-{'-'.join(map(str, shapes))}")


def nfc(text: str) -> str:
    """One spelling of accented letters (Ā as one character or as A and a combining macron)."""
    return unicodedata.normalize("NFC", text)


def numbers(text: str) -> list[float]:
    """The entries written in a value's text (its leading shape, `2×3`, left out)."""
    return [float(x) for x in NUMBER.findall(re.sub(r"^\s*\d+(×\d+)+\s", "", text))]


@pytest.mark.parametrize("g", list(op_graphs()))
def test_every_op_term_is_in_matrix_form_with_the_recorded_numbers(g):
    for mode in ("forward", "reverse"):
        dbg = Debugger(g, mode=mode)
        for k in dbg.stops:
            dbg.go(k)
            step = dbg.step
            for t_index, term in enumerate(step.terms):
                rule = term_rule(g, term, mode)
                assert "∂" not in rule and not TENSOR.search(rule), rule
                shown = term_numbers(term, dbg.other(term), mode, width=None)
                got = numbers(shown.split("=")[-1])
                want = np.asarray(term.term, dtype=float).ravel()
                assert len(got) == want.size, shown
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-12)
                dbg.term = t_index       # the inspector with this term stepped into (s), in full (m)
                text = str(inspector_text(dbg, width=100, detail=True))
                assert not TENSOR.search(text), text
            dbg.term = -1


def test_matrix_terms_read_as_in_the_curriculum():
    g = gd.load(GRAPHS / "sheet3" / "two_layer.gd")
    sw = gd.reverse(g)
    rules = {nfc(term_rule(g, t, "reverse")) for s in sw.steps for t in s.terms}
    assert {nfc(r) for r in ("A\u0304 += z\u0304 xᵀ", "x\u0304 += Aᵀ z\u0304", "b\u0304 += v\u0304₅ v4ᵀ",
                             "z\u0304 += v\u0304₄ ⊙ (1 − v4²)")} <= rules
    fw = gd.forward(g, seed=("A", 0))
    z = next(s for s in fw.steps if g.label(s.node) == "z")
    assert nfc(sum_rule(g, z, "forward")) == nfc("z\u0307 = A\u0307 x")


def test_a_shared_node_sums_one_term_per_consumer():
    g = gd.load(GRAPHS / "peyre.gd")
    sw = gd.reverse(g)
    v = next(s for s in sw.steps if g.label(s.node) == "v")
    assert sum_rule(g, v, "reverse") == "v̄ = v̄₁₀·3·v^2 + v̄₈·(1/u)"
    adj = {s.node: s.adjoint for s in sw.steps}
    assert [term_numbers(t, adj[t.dst], "reverse") for t in v.terms] == \
        ["= -1 × 1.27792 = -1.27792", "= 1 × 0.819232 = 0.819232"]


def test_values_show_their_shape_and_mark_every_cut():
    assert value_text(0.652666566082) == "0.652667" and value_text(-0.0) == "0"
    assert value_text(float("nan")) == "nan" and value_text(float("-inf")) == "-inf"
    assert value_text([0.0687, -0.0777]) == "[0.0687, -0.0777]"
    long = value_text(np.arange(20.0), width=30)
    assert "…" in long and long.endswith("(20)") and len(long) <= 30
    assert value_text([[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]) == "2×3 [[0.3, -0.2, 0.1], [-0.4, 0.6, 0.2]]"
    cut = value_text(np.ones((4, 2)), width=16)
    assert cut.startswith("4×2 [") and "…" in cut and len(cut) <= 16
    assert value_text([[2.0]]) == "1×1 [[2]]"
    grid = value_lines(np.arange(6.0).reshape(2, 3))
    assert grid == ["2×3 ⎡ 0  1  2 ⎤", "    ⎣ 3  4  5 ⎦"]
    big = value_lines(np.arange(100.0).reshape(10, 10))
    assert len(big) == 6 and "⋮" in big[3] and "⋱" in big[3] and all("…" in line for line in big if line != big[3])
    assert len(value_lines(np.arange(100.0).reshape(10, 10), full=True)) == 10


def test_a_jacobian_is_a_matrix_never_a_four_index_tensor():
    partial = np.arange(24.0).reshape(2, 1, 3, 4)   # ∂(2×1)/∂(3×4)
    assert jacobian_matrix(partial, (2, 1), (3, 4)).shape == (2, 12)
    assert jacobian_matrix(np.array([1.0, 2.0]), (2,), (2,)).tolist() == [[1, 0], [0, 2]]
    assert jacobian_matrix(None, (2,), (2,)) is None


def test_wengert_lines_write_literals_as_numbers():
    g = gd.load(GRAPHS / "peyre.gd")
    lines = {wengert(g, s.node) for s in gd.primal(g).steps}
    assert {"v10 = pow(v, 3)", "v2 = pow(x, 2)", "v4 = add(v2, 1)", "x (input)"} <= lines
    assert len(stops(g, gd.primal(g))) == 9    # the literals 2, 1 and 3 are not steps


def test_cli_trace_text_counts_from_one(capsys):
    assert main(["trace", str(GRAPHS / "peyre.gd"), "--mode", "reverse"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "reverse sweep, 9 steps"
    assert out[1].split()[:3] == ["1", "f", "="] and "(seed)" in out[1]
    assert any(line.split()[:1] == ["9"] and "x (input)" in line for line in out)
    assert "        v̄ += v̄₁₀·3·v^2   = -1 × 1.27792 = -1.27792" in out
    assert main(["trace", str(GRAPHS / "peyre.gd"), "--mode", "primal", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [s["index"] for s in doc["steps"]] == list(range(12))   # JSON: every record, 0-based


def test_cli_trace_text_of_a_matrix_graph(capsys):
    assert main(["trace", str(GRAPHS / "sheet3" / "two_layer.gd"), "--mode", "reverse"]) == 0
    out = capsys.readouterr().out
    assert "Ā += z̄ xᵀ   = 2×3 [[0.56211, -1.12422, 2.24844], [-0.299474, 0.598947, -1.19789]]" in out
    assert not TENSOR.search(out)
