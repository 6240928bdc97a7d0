"""Groups in the debugger: `u` collapses the current node's group into one box stepped as one layer
(its JVP or VJP), `U` every group; expanding a layer mid-sweep lands on its first inner step; the
trace folds a collapsed group into one row and indents the others; the status line carries the
call path; a long recurrence opens at the layer level; one snapshot of a collapsed network at a
layer step. (The layer-level numbers themselves: test_layers.py.)"""
import numpy as np
import pytest
from pytest_textual_snapshot import SVGImageExtension

from graphdiff import layers, sweeps
from graphdiff.explain import dname
from graphdiff.source import GraphError
from graphdiff.tui.app import AUTO_COLLAPSE, GraphdiffApp, opening_groups
from graphdiff.tui.graphview import GraphView
from graphdiff.tui.layout import layered, topology
from graphdiff.tui.state import Debugger
from graphdiff.tui.widgets import StatusLine, TraceTable, inspector_text
from conftest import run
from test_layers import recurrence, two_layer
from test_tui import notices, press, table_text


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


def app_for(g, collapse=None, **kw):
    topo = topology(g, collapsed=opening_groups(g, collapse))
    return GraphdiffApp(g, path="net.gd", preset_layout=(topo, layered(topo)), collapse=collapse, **kw)


def node_named_in(g, gid, op):
    return next(i for i in layers.boundary(g, gid).members if g.node(i).op == op)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_u_collapses_the_group_of_the_current_node_and_expands_it_again():
    g = two_layer()
    app = app_for(g)
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot, "r")
        dbg = app.dbg
        ops = dbg.total
        tanh2 = node_named_in(g, 2, "tanh")          # the second layer's tanh
        assert dbg.go_node(tanh2)
        app.main.publish()
        await press(app, pilot)
        assert "net › layer#2 ›" in str(app.screen.query_one(StatusLine).render())
        await press(app, pilot, "u")
        layer = dbg.layer
        assert layer is not None and layer.group == 2
        assert dbg.total == ops - 2                    # three op steps are one layer step
        assert any("VJP" in n for n in notices(app))
        # the graph pane: one box for the layer, in the current node's style
        view = app.screen.query_one(GraphView)
        assert "▣ layer#2" in screen_text(app)
        key = view.box_key(tanh2)
        assert key in view.view_topology.groups and view._node_style(key) == view._style("current")
        assert all(view.view_topology.key(i) == key for i in layers.boundary(g, 2).members)
        # the trace folds it into one row, the inspector writes the layer-level chain rule
        assert "▣ v10 = layer(v7, W2, b2)" in table_text(app)
        text = inspector_text(dbg, width=100).plain
        assert "layer step" in text and "J_layerᵀ" in text and "(∂v10/∂W2)ᵀ v̄₁₀" in text
        assert "net › layer#2" in str(app.screen.query_one(StatusLine).render())
        # u again expands it: the cursor lands on its first inner step
        await press(app, pilot, "u")
        assert dbg.layer is None and dbg.index == layer.first and dbg.total == ops
        assert "▣" not in screen_text(app)
        assert not app.internal_errors


async def test_n_and_p_step_one_layer_at_a_time_in_both_modes():
    g = two_layer()
    app = app_for(g, collapse="2")                  # the two layers collapsed, net itself open
    async with app.run_test(size=(120, 35)) as pilot:
        for key in ("f", "r"):
            await press(app, pilot, key, "g")
            dbg = app.dbg
            walk = [s for s in layers.steps(g, dbg.sweep, dbg.collapsed)
                    if isinstance(s, layers.LayerStep) or g.node(s.node).op != "const"]
            seen = []
            for _ in range(dbg.total):
                seen.append(dbg.layer.group if dbg.layer is not None else ("op", dbg.step.node))
                await press(app, pilot, "n")
            expected = [s.group if isinstance(s, layers.LayerStep) else ("op", s.node) for s in walk]
            assert seen == expected
            assert [s for s in seen if not isinstance(s, tuple)] == ([1, 2] if key == "f" else [2, 1])
            # p goes back over the same steps
            await press(app, pilot, *["p"] * (dbg.total - 1))
            assert dbg.number == 1
        assert not app.internal_errors


async def test_expanding_mid_sweep_lands_on_the_first_inner_step_and_collapsing_on_the_layer():
    g = two_layer()
    app = app_for(g, collapse="all")
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot, "f", "n")
        dbg = app.dbg
        assert dbg.layer is not None and dbg.layer.group == 0     # all of net: one step
        await press(app, pilot, "u")                              # net opens: its layers stay collapsed
        assert dbg.layer is not None and dbg.layer.group == 1
        first = layers.layer_step(g, dbg.sweep, 1).first
        await press(app, pilot, "u")                              # the first layer opens
        assert dbg.layer is None and dbg.index == first
        assert g.node(dbg.step.node).group == 1
        await press(app, pilot, "n", "u")                         # an inner step: u folds its group again
        assert dbg.layer is not None and dbg.layer.group == 1
        await press(app, pilot, "U")                              # every group open
        assert not dbg.collapsed and dbg.layer is None
        await press(app, pilot, "U")
        assert dbg.collapsed == {0, 1, 2}
        assert not app.internal_errors


async def test_a_long_recurrence_opens_at_the_layer_level():
    g = recurrence(30)
    assert len(g.groups) >= AUTO_COLLAPSE
    app = GraphdiffApp(g, path="rnn.gd", layout_engine="layered", mode="reverse")
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot)
        dbg = app.dbg
        assert dbg.collapsed == set(range(30))
        n_layers = sum(1 for k in dbg.stops if k in dbg.layers)
        assert n_layers == 30
        assert sum(1 for line in table_text(app).splitlines() if "▣" in line) == 30
        # reverse: the output is the last cell's, so the sweep starts on that layer
        assert dbg.layer is not None and g.groups[dbg.layer.group].name == "cell#30"
        assert "cell#30" in screen_text(app)
        for _ in range(5):
            await press(app, pilot, "n")
            if dbg.layer is not None:
                break
        assert g.groups[dbg.layer.group].name == "cell#29"
        assert not app.internal_errors


async def test_at_80_columns_the_key_bar_keeps_u_on_a_graph_with_groups():
    # u is how a layer is read as one step: on a graph with groups it ranks before s and c, so a
    # narrow bar drops `c continue` (without breakpoints it is G; ? lists it) and keeps `u group`
    from test_tui import make_app

    async def bar(app, pilot):      # the key bar's line of the screen, once the bar is composed
        for _ in range(200):
            lines = [line for line in screen_text(app).splitlines() if "next" in line and "quit" in line]
            if lines:
                return lines[0]
            await pilot.pause(0.01)
        raise AssertionError("the key bar was never drawn")

    for app, grouped in ((app_for(two_layer()), True), (make_app(), False)):
        async with app.run_test(size=(80, 24)) as pilot:
            await press(app, pilot)
            text = await bar(app, pilot)
            assert ("group" in text) == grouped and ("continue" in text) == (not grouped), text
            assert all(word in text for word in ("next", "prev", "primal", "forward", "reverse", "help", "quit"))


async def test_groups_keys_on_a_graph_without_groups_say_why():
    from test_tui import make_app
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await press(app, pilot, "u", "U")
        assert sum("no groups" in n for n in notices(app)) == 2
        assert not app.internal_errors


async def test_a_node_outside_every_group_says_so():
    g = two_layer()
    app = app_for(g)
    async with app.run_test(size=(100, 30)) as pilot:
        await press(app, pilot, "r", "u")      # loss, made outside the groups
        assert any("in no group" in n for n in notices(app))
        assert app.dbg.layer is None


def test_breakpoint_inside_a_collapsed_group_stops_at_its_layer():
    g = two_layer()
    dbg = Debugger(g, mode="forward", collapsed={1, 2})
    dbg.breakpoints.add(node_named_in(g, 2, "add"))
    dbg.cont()
    assert dbg.layer is not None and dbg.layer.group == 2


def test_clicking_a_group_box_goes_to_its_layer():
    g = two_layer()
    dbg = Debugger(g, mode="reverse", collapsed={1})
    topo = topology(g, collapsed={1})
    key = next(iter(topo.groups))
    assert dbg.go_node(topo.real(key))
    assert dbg.layer is not None and dbg.layer.group == 1


def test_trace_rows_are_indented_by_group_depth():
    g = two_layer()
    dbg = Debugger(g, mode="reverse", collapsed={2})
    table = TraceTable(dbg)
    assert table.definition(~2).startswith("  ▣ v10 = layer(")          # inside net: indented once
    assert table.definition(node_named_in(g, 1, "tanh")).startswith("    v")   # depth 2
    assert table.definition(g.output_node("loss")).startswith("loss")


def test_collapse_option_on_the_command_line(capsys, tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import graphdiff as gd\n\n"
                    "@gd.function\n"
                    "def block(x):\n"
                    "    return gd.sin(x) * x\n\n"
                    "def f(x):\n"
                    "    return block(x) + 1\n")
    code, out, err = run(capsys, "tui", f"{path}:f", "--at", "x=0.5", "--collapse", "blok")
    assert code == 2 and "no group is named 'blok'" in err and "block" in err
    with pytest.raises(GraphError):
        opening_groups(two_layer(), "0")


async def test_forward_layer_step_in_the_inspector():
    g = two_layer()
    dbg = Debugger(g, mode="forward", collapsed={1})
    dbg.go_node(node_named_in(g, 1, "tanh"))
    text = inspector_text(dbg, width=100).plain
    assert "JVP" in text and f"{dname('v7', 'forward')} = J_layer {dname('x', 'forward')}" in text
    assert "J_layer = 3×11" in text
    sweep = sweeps.forward(g)
    layer = dbg.layer
    y = layer.outputs[0]
    assert np.allclose(layer.out[0], sweep.derivative(y))


@pytest.mark.xdist_group("snapshots")   # one process runs every snapshot test: see conftest.py
async def test_snapshot_of_a_collapsed_network_at_a_layer_step(snapshot):
    snapshot = snapshot.use_extension(SVGImageExtension)
    g = two_layer()
    app = app_for(g, collapse="2", layout_engine="layered")
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot, "r", "n", "n", "n")
        assert app.dbg.layer is not None and app.dbg.layer.group == 2
        await pilot.wait_for_scheduled_animations()
        assert snapshot(name="reverse-layer") == app.export_screenshot(title=app.title)


def test_a_collapsed_group_is_one_box_with_its_edges_in_and_out():
    from graphdiff.tui.canvas import Canvas
    from graphdiff.tui.layout import ZOOMS, geometry
    g = two_layer()
    topo = topology(g, collapsed={2})
    (key, gid), = topo.groups.items()
    assert gid == 2 and topo.text[key] == "▣ layer#2 ℝ³,ℝ²ˣ³,ℝ² → ℝ²"
    into = sorted(g.label(s) for s, d in topo.edges if d == key)
    out = [g.label(d) for s, d in topo.edges if s == key]
    assert into == ["W2", "b2", "v7"] and out == ["v11"]
    assert not any(i in topo.nodes for i in layers.boundary(g, 2).members)
    ranked = layered(topo)
    for zoom in ZOOMS:
        canvas = Canvas(geometry(topo, ranked, zoom), topo.text, lambda k: "group" if k in topo.groups else "op")
        x, y, w, h = canvas.geometry.boxes[key]
        text, _ = canvas.row(y + h // 2, 0, canvas.width)
        assert ("▣" in text) and (zoom == "overview" or "layer#2" in text)
    # nested: the outermost collapsed group is the box
    assert set(topology(g, collapsed={0, 1, 2}).groups.values()) == {0}


def test_u_on_a_loop_iteration_opens_the_call_it_holds_too():
    """`t=3` around `cell(…)` is one box; expanding it shows the cell's operations at once."""
    from conftest import GRAPHS
    import graphdiff as gd
    g = gd.load(GRAPHS / "recurrence30.gd")
    everything = {grp.id for grp in g.groups}
    dbg = Debugger(g, mode="reverse", collapsed=everything)
    while dbg.layer is None:
        dbg.next()
    iteration = g.groups[dbg.layer.group]
    assert iteration.function is None and iteration.name == "t=30"
    call = layers.call_of(g, iteration)
    assert call.function == "cell" and call.parent == iteration.id
    assert dbg.toggle_group() == ("expanded", iteration.id)
    assert iteration.id not in dbg.collapsed and call.id not in dbg.collapsed
    assert dbg.collapsed == everything - {iteration.id, call.id}
    assert dbg.layer is None and g.node(dbg.step.node).group == call.id     # its first inner step
