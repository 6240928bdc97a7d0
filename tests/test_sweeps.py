"""The sweeps against oracles: the sheets' closed forms, finite differences, each other."""
from fractions import Fraction

import numpy as np
import pytest

import graphdiff as gd
from conftest import GRAPHS


def peyre_derivative(x):
    # sheet 003: f(x) = log(x+√(x²+1))/√(x²+1) − log³(x+√(x²+1)), log(x+√(x²+1)) = asinh(x)
    return (1 / (1 + x * x) - x * np.arcsinh(x) / (1 + x * x) ** 1.5
            - 3 * np.arcsinh(x) ** 2 / np.sqrt(1 + x * x))


@pytest.mark.parametrize("name", ["peyre.gd", "peyre_oneline.gd"])
@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("x", [0.7, -1.3, 2.5])
def test_peyre_gradient_matches_closed_form(name, mode, x):
    value, grad = gd.load(GRAPHS / name).grad({"x": x}, mode=mode)
    assert abs(grad["x"] - peyre_derivative(x)) < 1e-12


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_sheet_004_exercise_3_jacobian_exactly(mode):
    J = gd.load(GRAPHS / "relu_softmax.gd").jacobian(mode=mode)
    F = Fraction
    printed = [[F(3, 4), F(-3, 4), F(-3, 2), F(3, 2), 0, 0, F(1, 2), F(1, 4), 0, F(-1, 2), F(-1, 4), 0],
               [F(-3, 4), F(3, 4), F(3, 2), F(-3, 2), 0, 0, F(-1, 2), F(-1, 4), 0, F(1, 2), F(1, 4), 0]]
    assert J.cols[:3] == ("P[0,0]", "P[0,1]", "P[1,0]") and J.cols[6] == "Q[0,0]" and J.rows == ("f[0]", "f[1]")
    assert J.matrix.tolist() == [[float(v) for v in row] for row in printed]


def test_forward_and_reverse_steps_reach_the_same_derivative():
    g = gd.load(GRAPHS / "peyre.gd")
    f = g.outputs[0][1]
    fwd, rev = gd.forward(g), gd.reverse(g)
    assert fwd.steps[-1].node == f and rev.steps[-1].node == g.inputs[0]
    assert fwd.steps[-1].tangent == pytest.approx(rev.steps[-1].adjoint, rel=1e-15)
    # a tangent is the sum of its terms; an adjoint likewise
    for s in fwd.steps + rev.steps:
        if s.terms:
            d = s.tangent if s.tangent is not None else s.adjoint
            assert sum(t.term for t in s.terms) == pytest.approx(d, rel=1e-15)


def test_reverse_step_on_a_shared_node_shows_one_term_per_consumer():
    g = gd.load(GRAPHS / "peyre.gd")
    rev = gd.reverse(g)
    by_node = {s.node: s for s in rev.steps}
    u, v = g.names["u"], g.names["v"]
    assert sorted(t.dst for t in by_node[u].terms) == sorted(g.consumers(u))
    assert len(by_node[v].terms) == 2
    for t in by_node[v].terms:  # term = v̄_consumer · ∂consumer/∂v
        assert t.term == pytest.approx(by_node[t.dst].adjoint * t.partial, rel=1e-15)
    # reverse order: every consumer's step comes before its operands' steps
    order = {s.node: s.index for s in rev.steps}
    for s in rev.steps:
        assert all(order[t.dst] < s.index for t in s.terms)


def test_steps_are_immutable_and_primal_has_one_step_per_node():
    g = gd.load(GRAPHS / "peyre.gd")
    sw = gd.primal(g)
    assert len(sw.steps) == len(g.nodes)
    with pytest.raises(AttributeError):
        sw.steps[0].value = 3


def test_seeds_choose_input_entry_or_direction():
    g = gd.parse("input x = [1, 2]\ninput y = 3\noutput f = sum(x * x) * y")
    assert gd.forward(g).steps[-1].tangent == pytest.approx(2 * 1 * 3)
    assert gd.forward(g, seed=("x", 1)).steps[-1].tangent == pytest.approx(2 * 2 * 3)
    assert gd.forward(g, seed="y").steps[-1].tangent == pytest.approx(5)
    assert gd.forward(g, seed={"x": [1, 1], "y": 1}).steps[-1].tangent == pytest.approx(6 + 12 + 5)
    g2 = gd.parse("input x = [1, 2]\noutput y = x * x")
    rev = gd.reverse(g2, seed=("y", 1))
    np.testing.assert_allclose(rev.steps[-1].adjoint, [0, 4])


def test_seeds_on_two_names_of_one_node_add_up():
    g = gd.parse("input x = 1\noutput a = x * 2\noutput b = x * 2")   # a and b are one node
    assert gd.reverse(g, seed={"a": 1, "b": 1}).derivative(g.input_node("x")) == pytest.approx(4.0)
    assert gd.reverse(g, seed={"a": 1, "b": -1}).derivative(g.input_node("x")) == pytest.approx(0.0)


def test_kinks_are_named_in_the_step_records():
    g = gd.parse("input x = [0, 1]\noutput f = sum(relu(x))")
    notes = [s.note for s in gd.reverse(g).steps if s.note]
    assert notes == ["relu is not differentiable at 0"]
    g = gd.parse("input x = 0\noutput f = sqrt(x)")
    assert any("√ is not differentiable at 0" == s.note for s in gd.forward(g).steps)


def test_log_of_negative_is_nan_not_an_exception():
    g = gd.parse("input x = -1\noutput f = log(x)")
    assert np.isnan(g.eval()["f"])


def random_graph(rng, n_nodes=30):
    """A random DAG of scalar and vector ops built through the Python API."""
    g = gd.Graph()
    x = g.input("x", rng.uniform(0.5, 1.5, 3))
    s = g.input("s", rng.uniform(0.5, 1.5))
    A = g.const("A", rng.standard_normal((2, 3)))
    pool = [x, s * x, A.T @ (A @ x)]
    for _ in range(n_nodes):
        a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
        op = rng.integers(6)
        pool.append([lambda: a + b, lambda: a * b, lambda: gd.tanh(a) - b, lambda: gd.sigmoid(a) * s,
                     lambda: gd.exp(-a * a), lambda: gd.softmax(a) + b / 4][op]())
    g.output("y", gd.sum(pool[-1] * pool[-2]))
    g.output("z", pool[-3])
    return g


@pytest.mark.parametrize("seed", range(5))
def test_jacobian_modes_agree_with_each_other_and_finite_differences(seed):
    from graphdiff.check import finite_difference_jacobian
    g = random_graph(np.random.default_rng(seed))
    Jf, Jr = g.jacobian(mode="forward"), g.jacobian(mode="reverse")
    assert Jf.rows == Jr.rows and Jf.cols == ("x[0]", "x[1]", "x[2]", "s")
    np.testing.assert_allclose(Jf.matrix, Jr.matrix, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Jr.matrix, finite_difference_jacobian(g), rtol=1e-6, atol=1e-7)


def test_jacobian_equals_one_recorded_sweep_per_seed():
    g = random_graph(np.random.default_rng(9))
    J = g.jacobian(mode="reverse").matrix
    y = g.outputs[0][1]
    rev = gd.reverse(g, seed="y")
    grads = {s.node: s.adjoint for s in rev.steps if g.node(s.node).op == "input"}
    np.testing.assert_allclose(J[0], np.concatenate([np.ravel(grads[i]) for i in g.inputs]), rtol=1e-12)
    seed_step = next(s for s in rev.steps if s.node == y)
    assert seed_step.adjoint == 1.0 and rev.steps[0] is seed_step   # the sweep starts at the seeded output


def _long_chain(n):
    g = gd.Graph()
    x = g.input("x", 0.5)
    v = x
    for k in range(n):
        v = v * 0.99999 + x * 1e-5 if k % 2 else gd.tanh(v) + 0.001
    g.output("f", v)
    return g


def _check_long_chain(g, n):
    assert len(g.nodes) > n
    value, gr = g.grad()
    _, gf = g.grad(mode="forward")
    assert np.isfinite(value) and gr["x"] == pytest.approx(gf["x"], rel=1e-10)
    assert len(gd.reverse(g).steps) == g.n_ops() + 1
    # counted over the DAG, without recursion: x·1e-5 is one node used by every second link, so
    # the expression tree repeats it once per use; every other op node is used once
    shared = g.node(g.apply("mul", (g.inputs[0], g.add_const(1e-5))))
    uses = len(g.consumers(shared.id))
    assert uses == n // 2 and g.tree_counts()[1] == g.n_ops() + uses - 1


def test_a_chain_deeper_than_the_recursion_limit_in_both_modes():
    """Every traversal is a loop: 3 × the recursion limit is enough to prove it (the 1e5-node
    chain below is the slow version of the same test)."""
    import sys
    n = 3 * sys.getrecursionlimit()
    _check_long_chain(_long_chain(n), n)


@pytest.mark.slow
def test_a_100k_node_chain_in_both_modes_without_recursion():
    _check_long_chain(_long_chain(100_000), 100_000)


def test_api_shares_nodes_like_the_parser():
    g = gd.Graph()
    x = g.input("x", 0.7)
    y = gd.log(x + gd.sqrt(x ** 2 + 1)) / gd.sqrt(x ** 2 + 1) - gd.log(x + gd.sqrt(x ** 2 + 1)) ** 3
    g.output("f", y)
    assert g.n_ops() == 8
    assert g.grad()[1]["x"] == pytest.approx(peyre_derivative(0.7), abs=1e-12)
    t = gd.Graph(share=False)             # the same expression without sharing: its tree
    x = t.input("x", 0.7)
    t.output("f", gd.log(x + gd.sqrt(x ** 2 + 1)) / gd.sqrt(x ** 2 + 1) - gd.log(x + gd.sqrt(x ** 2 + 1)) ** 3)
    assert t.n_ops() == g.tree_counts()[1] > g.n_ops()
    assert t.grad()[1]["x"] == pytest.approx(peyre_derivative(0.7), abs=1e-12)


def test_bad_at_values_and_grad_on_vector_output():
    g = gd.load(GRAPHS / "relu_softmax.gd")
    with pytest.raises(gd.GraphError, match="jacobian"):
        g.grad()
    with pytest.raises(gd.GraphError, match="shape"):
        g.eval({"P": [1, 2]})
    with pytest.raises(gd.GraphError, match="did you mean 'P'"):
        g.eval({"p": 1})
