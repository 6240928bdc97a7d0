"""The graph pane's drawing: boxes and orthogonal routes on the character grid, from the built-in
layered layout and from recorded Graphviz layouts, at every zoom level; ghosts for far edges;
Graphviz's time limit; a first paint that never waits for Graphviz."""
import asyncio
import json
import random
import time

import pytest

import graphdiff as gd
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.canvas import ARROW, Canvas
from graphdiff.tui.graphview import GraphView
from graphdiff.tui.layout import (ZOOMS, LayoutTimeout, Ranked, dot_json0, from_json0, geometry,
                                  layered, to_dot, topology)
from conftest import GRAPHS, ROOT

FIXTURES = ROOT / "tests" / "tui_fixtures"


def random_graph(n: int, seed: int) -> gd.Graph:
    """An AD-like DAG: each node an op of one or two recent nodes, inputs used everywhere."""
    rng = random.Random(seed)
    g = gd.Graph()
    vs = [g.input("x", 0.3), g.input("y", 0.7)]
    while g.n_ops() < n:
        a = vs[-1 - rng.randrange(min(len(vs), 5))]
        b = vs[rng.randrange(len(vs))] if rng.random() < 0.3 else vs[-1 - rng.randrange(min(len(vs), 12))]
        vs.append([lambda: a * b, lambda: a + b, lambda: gd.sin(a), lambda: gd.tanh(a) - b][rng.randrange(4)]())
    g.output("f", vs[-1])
    return g


def recurrence(lines: int) -> gd.Graph:
    """Issue 10's recurrence, `t2 = sin(t1) * x + t0`, … (x and two earlier lines on every line)."""
    body = "".join(f"t{k} = sin(t{k - 1}) * x + t{k - 2}\n" for k in range(2, lines + 2))
    return gd.parse(f"input x = 0.5\ninput t0 = 0.1\ninput t1 = 0.2\n{body}output f = t{lines + 1}\n")


def route_cells(pts: list) -> list:
    """Every cell of a route's polyline, in order (what the drawing must keep clear of boxes)."""
    cells = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if x0 == x1:
            step = 1 if y1 > y0 else -1
            cells += [(x0, y) for y in range(y0, y1 + step, step)]
        else:
            step = 1 if x1 > x0 else -1
            cells += [(x, y0) for x in range(x0, x1 + step, step)]
    if len(pts) == 1:
        cells.append(pts[0])
    return list(dict.fromkeys(cells))


def check_drawing(topo, ranked, zoom) -> Canvas:
    """No route enters a box; routes are axis-aligned, leave their source's right side and end
    just left of their target (one arrowhead there, none elsewhere); boxes do not overlap."""
    geo = geometry(topo, ranked, zoom)
    canvas = Canvas(geo, topo.text, lambda k: "ghost" if k in topo.ghosts else "op")
    inside = {}
    for key, (x, y, w, h) in geo.boxes.items():
        for yy in range(y, y + h):
            for xx in range(x, x + w):
                assert (xx, yy) not in inside, f"boxes {inside.get((xx, yy))} and {key} overlap"
                inside[(xx, yy)] = key
    ends = set()
    for (s, d), pts in geo.routes.items():
        sx, sy, sw, sh = geo.boxes[s]
        dx, dy, dw, dh = geo.boxes[d]
        assert pts[0] == (sx + sw, sy + sh // 2) and pts[-1] == (dx - 1, dy + dh // 2)
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            assert x0 == x1 or y0 == y1, "a diagonal segment"
        for cell in route_cells(pts):
            assert cell not in inside, f"edge {s}->{d} runs through box {inside.get(cell)} at {cell}"
        ends.add(pts[-1])
    arrows = {(x, y) for y in range(geo.height) for x, ch in enumerate(canvas.row(y, 0, geo.width)[0])
              if ch == ARROW}
    assert arrows == (ends if zoom != "overview" else set())
    return canvas


@pytest.mark.parametrize("zoom", ZOOMS)
@pytest.mark.parametrize("seed", range(4))
def test_layered_drawings_of_random_graphs(seed, zoom):
    g = random_graph([12, 60, 150, 300][seed], seed)
    topo = topology(g)
    check_drawing(topo, layered(topo), zoom)


@pytest.mark.parametrize("zoom", ZOOMS)
@pytest.mark.parametrize("name,path", [("peyre", GRAPHS / "peyre.gd"), ("two_layer", GRAPHS / "sheet3" / "two_layer.gd"),
                                       ("recurrence70", FIXTURES / "recurrence70.gd")])
def test_recorded_graphviz_layouts_draw_cleanly(name, path, zoom):
    g = gd.load(path)
    topo = topology(g)
    ranked = from_json0(topo, json.loads((FIXTURES / f"{name}.json0").read_text()))
    assert ranked.engine == "dot" and set(ranked.rank) == set(topo.nodes)
    check_drawing(topo, ranked, zoom)


def test_peyre_reads_left_to_right():
    g = gd.load(GRAPHS / "peyre.gd")
    topo = topology(g)
    for ranked in (layered(topo), from_json0(topo, json.loads((FIXTURES / "peyre.json0").read_text()))):
        r = ranked.rank
        assert r[g.names["x"]] < r[g.names["u"]] < r[g.names["v"]] < r[g.names["f"]]
    assert not topo.ghosts and len(topo.edges) == 11 and "rankdir=LR" in to_dot(topo)


def test_far_edges_from_busy_nodes_become_ghosts():
    g = recurrence(70)
    topo = topology(g)
    x = g.input_node("x")
    assert topo.ghosts and set(topo.ghosts.values()) == {x}
    assert all(topo.text[k] == "x" for k in topo.ghosts)
    for (src, dst), ghost in topo.cut.items():
        assert src == x and (ghost, dst) in topo.edges and (src, dst) not in topo.edges
    # every node still reaches its consumers, directly or through a ghost
    reach = {(topo.real(s), d) for s, d in topo.edges}
    assert reach == {(j, n.id) for n in g.nodes for j in set(n.operands)}


def test_chains_stay_on_a_few_rows():
    """The built-in layout keeps a long recurrence on a band of rows (no drift)."""
    g = recurrence(500)
    topo = topology(g)
    t = time.perf_counter()
    geo = geometry(topo, layered(topo), "full")
    assert geo.height <= 30
    assert time.perf_counter() - t < 10


@pytest.mark.dot
def test_graphviz_gives_up_at_its_time_limit():
    g = recurrence(60)
    source = to_dot(topology(g, ghosts=False))   # every line fed by x: Graphviz takes minutes
    t = time.perf_counter()
    seen = []
    with pytest.raises(LayoutTimeout):
        dot_json0(source, timeout=0.5, started=seen.append)
    assert time.perf_counter() - t < 5
    assert seen and seen[0].poll() is not None   # the dot process was stopped


@pytest.mark.dot
def test_live_graphviz_layout_of_the_recurrence_is_quick_with_ghosts():
    from graphdiff.tui.layout import graphviz_layout
    topo = topology(recurrence(70))
    t = time.perf_counter()
    ranked = graphviz_layout(topo, timeout=30)
    assert ranked.engine == "dot" and time.perf_counter() - t < 10
    check_drawing(topo, ranked, "full")


async def test_the_first_paint_does_not_wait_for_graphviz(monkeypatch):
    """The built-in layout is drawn at once; Graphviz's replaces it when it is ready."""
    import graphdiff.tui.app as app_module
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow_graphviz(topo, *, timeout=None, started=None):
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(timeout=20)
        ranked = layered(topo)
        return Ranked(ranked.rank, ranked.pos, ranked.waypoints, "dot")
    monkeypatch.setattr(app_module, "graphviz_layout", slow_graphviz)
    g = gd.load(GRAPHS / "peyre.gd")
    app = GraphdiffApp(g, mode="reverse", layout_engine="auto")
    async with app.run_test(size=(120, 35)) as pilot:
        view = app.screen.query_one(GraphView)
        for _ in range(200):
            if view.canvas is not None:
                break
            await asyncio.sleep(0.01)
        assert view.canvas is not None and view.engine == "layered"   # drawn while Graphviz works
        await pilot.press("n")
        release.set()
        for _ in range(200):
            if view.engine == "dot":
                break
            await asyncio.sleep(0.01)
        await pilot.pause()
        assert view.engine == "dot" and app.graphviz_ready_at is not None
        assert app.dbg.number == 2 and view.canvas.geometry.boxes[app.dbg.step.node]


async def test_small_graphs_open_fitted_large_ones_follow_the_current_node():
    g = gd.load(GRAPHS / "peyre.gd")
    app = GraphdiffApp(g, preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.query_one(GraphView)
        assert view.zoom == "compact" and view.canvas.width <= view.scrollable_content_region.width
