"""The group model of the core graph (graphdiff.graph.Group) and its Python API forms."""
import numpy as np
import pytest

import graphdiff as gd
from graphdiff.source import GraphError


def _net():
    g = gd.Graph()
    x = g.input("x", [1.0, 2.0])
    W1, b1 = g.input("W1", np.ones((3, 2))), g.input("b1", np.zeros(3))
    W2 = g.input("W2", np.full((1, 3), 0.5))

    @gd.function
    def layer(x, W, b):
        return gd.tanh(W @ x + b)

    with g.group("net"):
        h = layer(x, W1, b1)
        again = layer(x, W1, b1)       # every node shared: no second instance
        o = layer(h, W2, 0.0)
    g.output("f", gd.sum(o))
    return g, h, again


def test_calls_make_nested_instances_with_call_paths():
    g, h, again = _net()
    assert [(grp.name, grp.function, grp.depth) for grp in g.groups] == \
        [("net", None, 1), ("layer", "layer", 2), ("layer#2", "layer", 2)]
    assert h.id == again.id
    assert g.call_path(h.id) == "net.layer.tanh"
    assert g.call_path(g.output_node("f")) == "f"
    first = g.groups[1]
    assert first.inputs == (g.input_node("x"), g.input_node("W1"), g.input_node("b1"))
    assert first.outputs == (h.id,)
    assert [g.node(i).op for i in g.members(1)] == ["matmul", "add", "tanh"]
    assert set(g.members(0)) >= set(g.members(1)) | set(g.members(2))


def test_groups_change_no_number():
    g, _, _ = _net()
    flat = gd.Graph()
    x = flat.input("x", [1.0, 2.0])
    W1, b1 = flat.input("W1", np.ones((3, 2))), flat.input("b1", np.zeros(3))
    W2 = flat.input("W2", np.full((1, 3), 0.5))
    flat.output("f", gd.sum(gd.tanh(W2 @ gd.tanh(W1 @ x + b1) + 0.0)))
    v, grads = g.grad()
    w, flat_grads = flat.grad()
    assert np.isclose(v, w)
    for k in grads:
        assert np.allclose(grads[k], flat_grads[k])


def test_a_block_finds_its_inputs_and_the_tree_keeps_groups():
    g = gd.Graph()
    x, y = g.input("x", 0.5), g.input("y", 2.0)
    with g.group("block") as b:
        z = gd.sin(x) * y
    g.output("f", z + 1)
    assert g.groups[b.id].inputs == (x.id, y.id)
    t = g.tree()
    assert [grp.name for grp in t.groups] == ["block"]
    assert {t.node(i).op for i in t.members(0)} == {"sin", "mul"}


def test_a_block_needs_an_identifier_and_plain_numbers_skip_the_group():
    g = gd.Graph()
    with pytest.raises(GraphError, match="identifier"):
        g.group("two words")

    @gd.function
    def double(a):
        return 2 * a
    assert double(3) == 6 and g.groups == []
