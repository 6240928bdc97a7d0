"""Property tests: random expressions, written as graph-language text, parsed and differentiated.
Forward and reverse Jacobians agree with each other and with finite differences, and the tree
(sharing off) has the same values and derivatives as the DAG."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import graphdiff as gd
from graphdiff.check import finite_difference_jacobian

LEAVES = st.sampled_from(["x", "y", "z", "2", "0.5", "[1, -1, 2]"])
UNARY = ["exp({})", "tanh({})", "sin({})", "sigmoid({})", "softplus({})", "-{}", "({})^2",
         "sqrt(1 + ({})^2)", "log(2 + tanh({}))"]
BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} / (2 + tanh({}))"]


def expressions():
    return st.recursive(
        LEAVES,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0].format(t[1])),
            st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: "(" + t[0].format(t[1], t[2]) + ")"),
        ),
        max_leaves=12,
    )


SOURCE = "input x = 0.3\ninput y = [0.5, -0.2, 0.9]\ninput z = -0.7\na = {}\nb = {}\noutput f = sum(a * b) + sum(a)\noutput g = a + b\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), expressions())
def test_random_graphs_differentiate_consistently(e1, e2):
    text = SOURCE.format(e1, e2)
    g = gd.parse(text)
    Jf, Jr = g.jacobian(mode="forward").matrix, g.jacobian(mode="reverse").matrix
    np.testing.assert_allclose(Jf, Jr, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(Jr, finite_difference_jacobian(g), rtol=1e-5, atol=1e-5)
    t = gd.parse(text, share=False)
    assert t.n_ops() == t.stats()["tree_ops"] == g.stats()["tree_ops"] >= g.n_ops()
    np.testing.assert_allclose(t.jacobian().matrix, Jr, rtol=1e-12, atol=1e-12)
    for name, v in g.eval().items():
        np.testing.assert_allclose(t.eval()[name], v, rtol=1e-12)
