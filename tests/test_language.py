"""The graph language: parsing, hash-consing, and errors that name file:line:col with a caret."""
import numpy as np
import pytest

import graphdiff as gd
from graphdiff import GraphError
from conftest import GRAPHS


def parse_error(text, **kw) -> GraphError:
    with pytest.raises(GraphError) as e:
        gd.parse(text, "t.gd", **kw)
    return e.value


def test_peyre_files_build_the_same_shared_dag():
    for name in ("peyre.gd", "peyre_oneline.gd"):
        st = gd.load(GRAPHS / name).stats()
        assert (st["ops"], st["tree_ops"], st["inputs"]) == (8, 16, 1)


def test_sharing_off_builds_the_expression_tree():
    t = gd.load(GRAPHS / "peyre.gd", share=False)
    assert t.n_ops() == 16
    assert gd.load(GRAPHS / "peyre.gd").tree().n_ops() == 16
    assert t.eval()["f"] == pytest.approx(gd.load(GRAPHS / "peyre.gd").eval()["f"], rel=1e-15)


def test_two_names_may_label_one_node():
    g = gd.parse("input x = 2\na = x * x\nb = x * x\noutput f = a + b")
    assert g.names["a"] == g.names["b"]
    assert g.node(g.names["a"]).names == ("a", "b")
    assert g.n_ops() == 2


def test_a_named_constant_is_not_shared_with_an_equal_literal():
    # const a = 2 and the literal 2 are different things to a reader: a^2 is pow(a, 2), not
    # pow(a, a); equal literals are still one node, and so is a named constant used twice
    g = gd.parse("input x = 1.5\nconst a = 2\noutput f = x^a + a^2 * x + 2*x + 2*a")
    consts = {n.names: float(n.value) for n in g.nodes if n.op == "const"}
    assert consts == {("a",): 2.0, (): 2.0}
    a, two = g.names["a"], next(n.id for n in g.nodes if n.op == "const" and not n.names)
    assert sorted(n.operands for n in g.nodes if n.op == "pow") == sorted([(a, two), (g.names["x"], a)])
    assert g.eval()["f"] == pytest.approx(1.5 ** 2 + 4 * 1.5 + 3 + 4)
    api = gd.Graph()
    x, a = api.input("x", 1.5), api.const("a", 2.0)
    api.output("f", x * a + x * 2.0)
    assert sum(n.op == "const" for n in api.nodes) == 2


def test_precedence_and_associativity():
    g = gd.parse("input x = 3\noutput f = -x^2")
    assert g.eval()["f"] == -9
    assert gd.parse("input x = 2\noutput f = x^3^2").eval()["f"] == 2 ** 9
    assert gd.parse("input x = 2\noutput f = x ** 2 * 3 - 1 / 4").eval()["f"] == 12 - 0.25
    assert gd.parse("input x = 2\noutput f = 8 / x / 2").eval()["f"] == 2
    assert gd.parse("input x = 2\noutput f = -(x - 5)").eval()["f"] == 3


def test_literals_statements_and_postfix():
    g = gd.parse("""
        input A = [[3, 1], [1, 0]]   # a matrix
        const b = [1, -1]; input c = -0.5
        y = A.T @ b
        output s = y[0] + A[1, 0] + c + A[-1][-2]
    """)
    assert g.eval()["s"] == pytest.approx((3 - 1) + 1 - 0.5 + 1)
    assert g.node(g.names["b"]).op == "const"


def test_last_assignment_is_the_output_when_none_is_declared():
    g = gd.parse("input x = 1\ny = x + 1\nz = y * 2")
    assert g.outputs == (("z", g.names["z"]),)


def test_input_without_value_takes_it_from_at():
    g = gd.parse("input x\noutput f = x * 2", at={"x": [1, 2]})
    np.testing.assert_array_equal(g.eval()["f"], [2, 4])
    e = parse_error("input x\noutput f = x * 2")
    assert "--at x=VALUE" in e.message and e.span.line == 1


@pytest.mark.parametrize("text, line, col, words", [
    ("input x = 1\noutput f = sqrtt(x)", 2, 12, "did you mean 'sqrt'"),
    ("input x = 1\noutput f = x + y1", 2, 16, "unknown name 'y1'"),
    ("input xx = 1\noutput f = x + 1", 2, 12, "did you mean 'xx'"),
    ("input x = 1\noutput f = x +* 2", 2, 15, "expected an expression"),
    ("input x = 1\noutput f = (x + 2", 2, 12, "'(' was never closed"),
    ("input x = 1\noutput f = (x + 2]", 2, 18, "']' does not match the '(' at 2:12"),
    ("input x = [1, 2]\ninput A = [[1, 2], [3, 4], [5, 6]]\noutput f = A @ x + [1, 2]", 3, 18, "(3,) and (2,)"),
    ("input x = [1, 2]\noutput f = [[1, 2, 3]] @ x", 2, 24, "does not match"),
    ("input x = 1\ninput x = 2", 2, 7, "already defined"),
    ("input x = 1\noutput f = exp(x, x)", 2, 12, "exp takes 1 argument"),
    ("input x = 1\noutput f = x $ 2", 2, 14, "unexpected character"),
    ("input x = [1, 2]\noutput f = x[2]", 2, 13, "out of range"),
    ("input x = [[1, 2], [3]]", 1, 11, "different lengths"),
    ("input x = 1\noutput f = x\noutput f = x", 3, 8, "already"),
    ("input x = 1\n3 * x", 2, 1, "expected a statement"),
    ("input x = y", 1, 11, "expected a number or an array literal"),
])
def test_errors_name_the_place_with_a_caret(text, line, col, words):
    e = parse_error(text)
    assert (e.span.line, e.span.col) == (line, col)
    shown = e.format()
    assert shown.startswith(f"t.gd:{line}:{col}: error: ") and words in shown
    source_line, caret_line = shown.splitlines()[1:3]
    assert caret_line.index("^") == source_line.index(source_line.strip()[0]) + col - 1


def test_deep_nesting_is_a_clear_error_not_a_recursion_error():
    e = parse_error("input x = 1\noutput f = " + "(" * 5000 + "x" + ")" * 5000)
    assert "nested too deeply" in e.message
    e = parse_error("input x = 1\noutput f = " + "-" * 3000 + "x")
    assert "nested too deeply" in e.message
    # a long flat chain is fine (a loop, not recursion)
    g = gd.parse("input x = 1\noutput f = " + " + ".join(["x"] * 20000))
    assert g.eval()["f"] == 20000


def test_bad_files(tmp_path):
    with pytest.raises(GraphError, match="no such file"):
        gd.load(tmp_path / "missing.gd")
    (tmp_path / "empty.gd").write_text("")
    with pytest.raises(GraphError, match="no statements"):
        gd.load(tmp_path / "empty.gd")
    (tmp_path / "bin.gd").write_bytes(b"\x7fELF\x00\x01\x02")
    with pytest.raises(GraphError, match="not a text file"):
        gd.load(tmp_path / "bin.gd")
    (tmp_path / "comments.gd").write_text("# nothing but a comment\n")
    with pytest.raises(GraphError, match="no statements"):
        gd.load(tmp_path / "comments.gd")


def test_graph_files_are_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    with pytest.raises(GraphError):
        gd.parse(f"input x = 1\noutput f = __import__('os').system('touch {marker}')")
    assert not marker.exists()


def test_networkx_export_is_a_dag_in_topological_order():
    import networkx as nx
    g = gd.load(GRAPHS / "peyre.gd")
    G = g.to_networkx()
    assert nx.is_directed_acyclic_graph(G) and G.number_of_nodes() == len(g.nodes)
    for n in g.nodes:
        assert all(j < n.id for j in n.operands)
    u = g.names["u"]
    assert g.fanout(u) == 2 and g.fanout(g.names["v"]) == 2
