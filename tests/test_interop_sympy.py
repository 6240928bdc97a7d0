"""SymPy interop (the extra graphdiff[sympy]): from_sympy, to_sympy, symbolic local partials."""
import numpy as np
import pytest

import graphdiff as gd
from tests.conftest import GRAPHS, run, run_json

sp = pytest.importorskip("sympy", reason="SymPy is not installed (pip install 'graphdiff[sympy]'; make test installs it)")

x, y = sp.symbols("x y", real=True)
PEYRE = sp.log(x + sp.sqrt(x**2 + 1)) / sp.sqrt(x**2 + 1) - sp.log(x + sp.sqrt(x**2 + 1))**3


def test_the_one_line_peyre_expression_is_the_8_op_dag():
    g = gd.from_sympy(PEYRE, at={"x": 0.7})
    assert g.n_ops() == 8
    assert g.stats() == gd.load(GRAPHS / "peyre.gd").stats()
    value, grad = g.grad()
    assert value == pytest.approx(float(PEYRE.subs(x, 0.7)), rel=1e-14)
    assert grad["x"] == pytest.approx(float(sp.diff(PEYRE, x).subs(x, 0.7)), rel=1e-13)
    assert gd.from_sympy(PEYRE, share=False).n_ops() == 16          # as an expression tree


def test_expressions_are_written_as_people_write_them():
    g = gd.from_sympy(x - 2 * y + x / y - 1 / sp.sqrt(x) + y / 2, at={"x": 1.5, "y": 0.5})
    ops = [n.op for n in g.nodes if not n.is_leaf]
    assert "neg" not in ops and ops.count("sub") == 2 and ops.count("div") >= 2
    assert g.eval()["f"] == pytest.approx(1.5 - 1 + 3 - 1 / np.sqrt(1.5) + 0.25, rel=1e-14)


@pytest.mark.parametrize("expr", [
    sp.exp(-x**2 / 2) * sp.sin(3 * y) + sp.tanh(x * y),
    sp.Abs(x - y) + sp.Max(x, y, 1) - sp.Min(x, 2 * y) + sp.atan2(y, x),
    (x**2 + 1) ** sp.Rational(3, 2) + x**y + sp.E**x + sp.cos(x) ** -2 + sp.pi * sp.tan(y),
])
def test_values_and_gradients_match_sympys(expr):
    at = {"x": 0.8, "y": -0.3}
    g = gd.from_sympy(expr, at=at)
    value, grad = g.grad()
    subs = {x: 0.8, y: -0.3}
    assert value == pytest.approx(float(expr.subs(subs)), rel=1e-13)
    for s in (x, y):
        assert grad[s.name] == pytest.approx(float(sp.diff(expr, s).subs(subs)), rel=1e-12, abs=1e-14)


def test_several_outputs_inputs_order_and_values_at_run_time():
    g = gd.from_sympy({"s": x + y, "p": x * y}, inputs=[y, x])
    assert g.input_names() == ("y", "x") and [n for n, _ in g.outputs] == ["s", "p"]
    assert g.eval(at={"x": 2.0, "y": 3.0}) == {"s": 5.0, "p": 6.0}


def test_a_function_with_no_op_is_named():
    with pytest.raises(gd.GraphError, match="SymPy's sinh has no op"):
        gd.from_sympy(sp.sinh(x))
    with pytest.raises(gd.GraphError, match="at= names z"):
        gd.from_sympy(x + 1, at={"z": 1.0})


def test_to_sympy_gives_each_nodes_expression():
    g = gd.load(GRAPHS / "peyre.gd")
    exprs = gd.to_sympy(g)
    assert list(exprs) == [g.label(n.id) for n in g.nodes]
    X = x
    assert sp.simplify(exprs["f"] - PEYRE.subs(x, X)) == 0
    assert exprs["u"] == sp.sqrt(X**2 + 1)
    assert gd.to_sympy(g, "v") == sp.log(X + sp.sqrt(X**2 + 1))
    # and back: the same 8-op DAG
    assert gd.from_sympy(exprs["f"], at={"x": 0.7}).n_ops() == 8


@pytest.mark.parametrize("name", ["sheet3/two_layer.gd", "sheet0/tanh_network.gd", "sheet3/det.gd",
                                  "sheet3/inverse.gd", "sheet3/p_norm.gd", "sheet3/total_variation.gd",
                                  "sheet4/relu_softmax_nll.gd", "sheet3/residual_loss.gd"])
def test_to_sympy_of_an_array_graph_evaluates_to_graphdiffs_values(name):
    g = gd.load(GRAPHS / name)
    exprs = gd.to_sympy(g)
    values = {}
    for i in g.inputs:
        n = g.node(i)
        v = np.asarray(n.value, dtype=float)
        if n.shape == ():
            values[sp.Symbol(n.names[0], real=True)] = v.item()
        for k in np.ndindex(*n.shape) if n.shape else ():
            values[sp.Symbol(f"{n.names[0]}[{', '.join(map(str, k))}]", real=True)] = v[k]
    for out, want in g.eval().items():
        e = exprs[g.label(g.output_node(out))].subs(values)
        got = np.array(e.tolist() if isinstance(e, sp.NDimArray) else e, dtype=float)
        np.testing.assert_allclose(got.reshape(np.shape(want)), want, rtol=1e-10, atol=1e-12)


def test_to_sympy_names_array_entries_and_refuses_sqrtm():
    g = gd.load(GRAPHS / "sheet3" / "two_layer.gd")
    A = gd.to_sympy(g, "A")
    assert A.shape == (2, 3) and str(A[1, 2]) == "A[1, 2]"
    assert gd.to_sympy(g, "z")[0] == sum(sp.Symbol(f"A[0, {k}]", real=True) * sp.Symbol(f"x[{k}]", real=True)
                                          for k in range(3))
    with pytest.raises(gd.GraphError, match="sqrtm"):
        gd.to_sympy(gd.load(GRAPHS / "sheet3" / "sqrtm.gd"))


def test_trace_symbolic_writes_each_local_partial_as_a_formula(capsys):
    code, out, err = run(capsys, "trace", GRAPHS / "peyre.gd", "--symbolic")
    assert code == 0, err
    assert "∂u/∂v4 = 1/(2·√v4)" in out and "∂v10/∂v = 3·v²" in out and "∂v/∂v6 = 1/v6" in out
    doc = run_json(capsys, "trace", GRAPHS / "peyre.gd", "--symbolic", "--mode", "forward")
    formulas = [c["formula"] for s in doc["steps"] for c in s["contributions"]]
    assert "∂v8/∂u = -v/u²" in formulas
    code, out, _ = run(capsys, "trace", GRAPHS / "peyre.gd")
    assert "∂u/∂v4" not in out                       # only when asked for


def test_the_inspector_shows_formulas_with_symbolic():
    from graphdiff.interop.sympy import show_formulas
    from graphdiff.tui.state import Debugger
    from graphdiff.tui.widgets import inspector_text
    g = gd.load(GRAPHS / "peyre.gd")
    show_formulas(g)
    dbg = Debugger(g, mode="reverse")
    while dbg.graph.label(dbg.step.node) != "u":
        dbg.next()
    assert "∂v6/∂u = 1" in inspector_text(dbg, width=60).plain
