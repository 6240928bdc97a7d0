"""Layer-level steps (graphdiff.layers): a collapsed group read as one step is the sum of the
op-level steps inside it, in both modes and at two points, for every grouped graph under graphs/
and for networks built with the Python API (`@gd.function`, `with g.group(...)`).

The check is against the layer's Jacobian computed apart (a batched sweep of the group's sub-graph
alone): reverse, each input's share x̄ += J_xᵀ ȳ; forward, each output's tangent ẏ = Σ J_yx ẋ.
"""
import numpy as np
import pytest

import graphdiff as gd
from graphdiff import layers, sweeps
from graphdiff.source import GraphError
from conftest import GRAPHS

RNG = np.random.default_rng(13)


# ------------------------------------------------------------------ networks built with the API

def two_layer():
    rng = np.random.default_rng(1)
    g = gd.Graph()
    x = g.input("x", [1.0, -2.0])
    W1, b1 = g.input("W1", rng.normal(size=(3, 2))), g.input("b1", rng.normal(size=3))
    W2, b2 = g.input("W2", rng.normal(size=(2, 3))), g.input("b2", rng.normal(size=2))

    @gd.function
    def layer(x, W, b):
        return gd.tanh(W @ x + b)

    with g.group("net"):
        h = layer(x, W1, b1)
        y = layer(h, W2, b2)
    g.output("loss", gd.sum(y * y) / 2)
    return g


def residual():
    g = gd.Graph()
    x = g.input("x", [0.5, 1.5])
    W = g.input("W", np.random.default_rng(2).normal(size=(2, 2)))

    @gd.function
    def block(x, W):
        return x + gd.tanh(W @ x)

    z = block(block(x, W), W)
    g.output("f", gd.sum(z * x))     # x used inside and outside the blocks
    return g


def recurrence(steps=30):
    g = gd.Graph()
    h = g.input("h0", 0.1)
    w, u = g.input("w", 0.8), g.input("u", -0.4)
    xs = g.input("xs", np.linspace(-1, 1, steps))

    @gd.function
    def cell(h, x, w, u):
        return gd.tanh(w * h + u * x)

    for t in range(steps):
        h = cell(h, xs[t], w, u)
    g.output("h", h)
    return g


def block_with_leak():
    """A block whose inner node is used outside it too (not one of its declared outputs)."""
    g = gd.Graph()
    a, b = g.input("a", 0.7), g.input("b", -1.2)
    with g.group("inner"):
        s = gd.sin(a * b)
        c = gd.exp(s) + a
    g.output("f", c * s + b)
    return g


API = {"two_layer": two_layer, "residual": residual, "recurrence": recurrence, "leak": block_with_leak}


def grouped_files():
    """Every graph under graphs/ that has groups (and runs with its own values)."""
    found = []
    for path in sorted(GRAPHS.rglob("*.gd")):
        try:
            g = gd.load(path)
            sweeps.input_values(g)
        except GraphError:
            continue
        if g.groups:
            found.append((str(path.relative_to(GRAPHS)), g))
    return found


def all_networks():
    return [(name, make()) for name, make in API.items()] + grouped_files()


def points(g):
    """Two points: the graph's own values, and each input moved a little."""
    base = sweeps.input_values(g)
    moved = {g.input_name(i): np.asarray(v, dtype=float) + RNG.uniform(-0.3, 0.3, size=np.shape(v))
             for i, v in base.items()}
    return [None, moved]


def collapsings(g):
    """Every group alone, and all of them (nested: the outermost wins)."""
    return [{k} for k in range(len(g.groups))] + [set(range(len(g.groups)))]


# ------------------------------------------------------------------ the equality

def close(a, b):
    return np.allclose(a, b, equal_nan=True)


def check_layer(g, sweep, layer):
    J = layers.layer_jacobian(g, layer.group, sweep.values)
    b = layers.boundary(g, layer.group)
    members = b.members
    inner_nodes = {sweep.steps[k].node for k in layer.inner}
    assert inner_nodes == {s.node for s in sweep.steps if s.node in members}
    assert layer.index == max(layer.inner) and layer.first == min(layer.inner)
    if J is None:                      # a group without inputs (or outputs) has no Jacobian
        assert not b.inputs or not b.outputs
        return
    if sweep.mode == "reverse":
        at = {s.node: s for s in sweep.steps}
        for x, share in zip(layer.inputs, layer.into):
            # the sum over the op-level steps inside of what each sent to x ...
            sent = [t.term for k in layer.inner for s in sweep.steps
                    for t in s.terms if t.dst == sweep.steps[k].node and t.src == x]
            if share is None:
                assert not sent
                continue
            assert close(share, sum(sent))
            # ... is J_xᵀ ȳ, the layer's VJP
            vjp = sum(J.block(y, x).T @ np.asarray(ybar, dtype=float).reshape(-1)
                      for y, ybar in zip(layer.outputs, layer.out) if ybar is not None)
            assert close(np.asarray(share).reshape(-1), vjp)
            assert x in at
    else:
        shares = layers.contributions(g, layer, J)
        for y, ydot in zip(layer.outputs, layer.out):
            parts = [np.asarray(v).reshape(-1) for (yy, _), v in shares.items() if yy == y]
            if ydot is None:
                assert all(np.allclose(p, 0) for p in parts)
                continue
            # the op-level tangent reached at y is the layer's JVP J ẋ
            assert close(np.asarray(ydot).reshape(-1), sum(parts))


@pytest.mark.parametrize("name,g", all_networks(), ids=lambda v: v if isinstance(v, str) else "")
def test_layer_steps_equal_the_op_level_steps_inside(name, g, monkeypatch):
    monkeypatch.setattr(layers, "JACOBIAN_MAX", 10 ** 6)    # every layer's Jacobian, to check against
    checked = 0
    for at in points(g):
        for mode in ("forward", "reverse"):
            sweep = sweeps.SWEEPS[mode](g, at)
            for collapsed in collapsings(g):
                walk = layers.steps(g, sweep, collapsed)
                # the walk covers every op-level step exactly once
                covered = []
                for s in walk:
                    covered.extend(s.inner if isinstance(s, layers.LayerStep) else [s.index])
                assert sorted(covered) == list(range(len(sweep.steps)))
                for s in walk:
                    if isinstance(s, layers.LayerStep):
                        check_layer(g, sweep, s)
                        checked += 1
    assert checked, f"{name}: no layer step was checked"


def test_grouped_curriculum_graphs_are_checked_when_present():
    """The curriculum networks written with functions are in the parametrised test above."""
    names = {name for name, _ in grouped_files()}
    ids = {name for name, _ in all_networks()}
    assert names <= ids


def test_walk_orders_layers_and_outermost_wins():
    g = two_layer()
    sweep = sweeps.reverse(g)
    walk = layers.steps(g, sweep, {0, 1, 2})     # net collapsed: its layers are inside the one box
    groups = [s.group for s in walk if isinstance(s, layers.LayerStep)]
    assert groups == [0]
    walk = layers.steps(g, sweep, {1, 2})
    groups = [s.group for s in walk if isinstance(s, layers.LayerStep)]
    assert groups == [2, 1]                       # reverse: the second layer first
    fwd = layers.steps(g, sweeps.forward(g), {1, 2})
    assert [s.group for s in fwd if isinstance(s, layers.LayerStep)] == [1, 2]


def test_boundary_counts_inner_nodes_used_outside():
    g = block_with_leak()
    b = layers.boundary(g, 0)
    assert {g.label(i) for i in b.inputs} == {"a", "b"}
    assert len(b.outputs) == 2                    # c, and sin(a·b) used by f too


def test_primal_layer_step_gives_the_values():
    g = two_layer()
    sweep = sweeps.primal(g)
    layer = next(s for s in layers.steps(g, sweep, {1}) if isinstance(s, layers.LayerStep))
    assert np.allclose(layer.out[0], sweep.values[layer.outputs[0]])


def test_large_layers_have_no_jacobian_written_out(monkeypatch):
    g = two_layer()
    monkeypatch.setattr(layers, "JACOBIAN_MAX", 4)
    assert layers.layer_jacobian(g, 1, sweeps.primal(g).values) is None


def test_collapse_spec():
    g = recurrence(5)
    assert layers.collapse_spec(g, "all") == set(range(5))
    assert layers.collapse_spec(g, "none") == set()
    assert layers.collapse_spec(g, None) == set()
    assert layers.collapse_spec(g, "cell") == set(range(5))
    assert layers.collapse_spec(g, "cell#3") == {2}
    g2 = two_layer()
    assert layers.collapse_spec(g2, "1") == {0}
    assert layers.collapse_spec(g2, "2") == {1, 2}
    assert layers.collapse_spec(g2, "net.layer#2") == {2}
    with pytest.raises(GraphError) as e:
        layers.collapse_spec(g2, "layr")
    assert "layer" in (e.value.hint or "")
    with pytest.raises(GraphError):
        layers.collapse_spec(g2, "0")
