"""What keeps the debugger's keys quick on large graphs (issue 10, bench_tui.py measures them):
the current step's edges marked only where they cross the window on screen, the other modes'
sweeps computed ahead in the background, and the graph's objects kept out of the garbage
collector's full passes. Behaviour only: no timed assertions."""
import gc
import random
import threading

import pytest

import graphdiff as gd
from graphdiff.tui import app as app_module
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.canvas import EDGE_STEP, EDGE_TERM, Canvas, Highlight
from graphdiff.tui.layout import ZOOMS, geometry, layered, topology
from test_tui import notices, press
from test_tui_layout import random_graph, recurrence, route_cells


def cells_by_row(routes) -> dict:
    """The marked cells of whole routes, row by row (what the pane showed before windowing)."""
    out: dict = {}
    for pts, kind in routes:
        for x, y in route_cells(pts):
            out.setdefault(y, set()).add((x, kind))
    return out


@pytest.mark.parametrize("zoom", ZOOMS)
@pytest.mark.parametrize("seed", range(3))
def test_a_highlight_cut_to_a_window_marks_exactly_the_route_cells_inside_it(seed, zoom):
    g = random_graph(60, seed)
    topo = topology(g)
    geo = geometry(topo, layered(topo), zoom)
    rng = random.Random(seed)
    edges = rng.sample(sorted(geo.routes), min(25, len(geo.routes)))
    kinds = [(e, rng.choice([EDGE_STEP, EDGE_TERM])) for e in edges]
    full = cells_by_row([(geo.routes[e], k) for e, k in kinds])
    canvas = Canvas(geo, topo.text, lambda k: "op")
    marks = canvas.highlight(kinds + [((-5, -6), EDGE_STEP)])     # an edge without a route: skipped
    for _ in range(20):
        x0, y0 = rng.randrange(geo.width), rng.randrange(geo.height)
        x1, y1 = x0 + rng.randrange(1, 90), y0 + rng.randrange(1, 40)
        got = {y: set(cells) for y, cells in marks.rows(x0, y0, x1, y1).items()}
        want = {y: {(x, k) for x, k in cells if x0 <= x < x1} for y, cells in full.items() if y0 <= y < y1}
        assert got == {y: c for y, c in want.items() if c}


def test_an_empty_highlight_marks_nothing():
    assert not Highlight() and Highlight().rows(0, 0, 80, 24) == {}
    assert Highlight([([(3, 4)], EDGE_STEP)]).rows(0, 0, 10, 10) == {4: [(3, EDGE_STEP)]}


async def test_a_node_feeding_two_thousand_lines_marks_only_what_is_on_screen():
    g = recurrence(2000)
    app = GraphdiffApp(g, mode="reverse", preset_layout=layered(g))
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot, "G")
        assert app.dbg.step.node == g.names["x"] and len(app.dbg.step.terms) == 2000
        view = app.main.query_one("GraphView")
        marks = view._highlight
        assert marks and len(marks._segs) >= 2000
        sx, sy = view.scroll_offset
        rows = marks.rows(sx, sy, sx + view.size.width, sy + view.size.height)
        assert rows and all(sy <= y < sy + view.size.height for y in rows)
        assert not app.internal_errors


async def test_the_other_modes_sweeps_are_ready_before_they_are_asked_for():
    g = gd.load(app_module.Path(__file__).parent.parent / "graphs" / "peyre.gd")
    app = GraphdiffApp(g, mode="reverse", preset_layout=layered(g))
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot)
        assert app.dbg.cached("forward") is not None and app.dbg.cached("primal") is not None
        started = []
        real = app.main.sweep_worker
        app.main.sweep_worker = lambda *a: started.append(a) or real(*a)
        await pilot.press("f")                # installed at once, from what was computed ahead
        assert app.dbg.mode == "forward" and not app.main.busy and started == []
        await press(app, pilot, "G")
        assert app.dbg.step.tangent == pytest.approx(-0.626967114804, abs=1e-9)


async def test_asking_for_a_mode_being_computed_ahead_waits_for_that_sweep(monkeypatch):
    gate, calls = threading.Event(), []
    real = app_module.compute

    def slow_forward(graph, mode, at, seed):
        calls.append(mode)
        if mode == "forward":
            assert gate.wait(10)
        return real(graph, mode, at, seed)
    monkeypatch.setattr(app_module, "compute", slow_forward)
    g = gd.parse("input x = 0.5\nv = sin(x) * x\noutput f = v + x\n")
    app = GraphdiffApp(g, mode="primal", preset_layout=layered(g))
    async with app.run_test(size=(100, 30)) as pilot:
        while app.main._ahead != app.dbg.key("forward"):
            await pilot.pause()
        await pilot.press("f")
        assert app.main.busy and app.dbg.mode == "primal"     # waiting for the sweep computed ahead
        gate.set()
        await press(app, pilot)
        assert app.dbg.mode == "forward" and not app.main.busy
        assert calls.count("forward") == 1                      # not computed twice
        assert not app.internal_errors


async def test_a_mode_that_cannot_run_says_why_only_when_asked_for():
    g = gd.parse("const a = 2\noutput f = a^2 + 1\n")
    app = GraphdiffApp(g, preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(app, pilot)
        assert not any("no inputs" in n for n in notices(app))   # the failed ahead sweeps are silent
        await press(app, pilot, "f")
        assert "forward sweep: the graph has no inputs to seed" in notices(app)
        assert app.dbg.mode == "primal" and not app.internal_errors


async def test_the_graph_is_kept_out_of_full_collections_while_the_debugger_runs():
    g = gd.load(app_module.Path(__file__).parent.parent / "graphs" / "peyre.gd")
    app = GraphdiffApp(g, mode="reverse", preset_layout=layered(g))
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


async def test_a_sweeps_stops_and_rows_are_worked_out_in_the_worker(monkeypatch):
    from graphdiff.tui import state
    g = gd.load(app_module.Path(__file__).parent.parent / "graphs" / "recurrence30.gd")
    on_ui = []
    real = state.walk

    def spy(*a):
        if threading.current_thread() is threading.main_thread():
            on_ui.append(a[1].mode)
        return real(*a)
    monkeypatch.setattr(state, "walk", spy)
    monkeypatch.setattr(app_module, "walk", spy)
    app = GraphdiffApp(g, mode="reverse", preset_layout=layered(g), collapse="all")
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot, "f", "G", "r", "e")
        assert app.dbg.collapsed and app.dbg.layers
        assert on_ui == []                     # every walk came with its sweep
        rows = app.main.query_one("TraceTable").rows
        assert len(rows) == len(app.dbg.rows) and any(k < 0 for k in rows)   # folded groups: one row each
        await press(app, pilot, "U")           # expanding every group: a new walk, on the UI thread
        assert on_ui and not app.internal_errors


async def test_a_preset_layout_made_for_other_boxes_is_laid_out_anew():
    """A layout of the whole graph given to a debugger that opens with its groups collapsed does
    not fit its boxes: the app lays the view out itself (it had raised KeyError on every frame)."""
    g = gd.load(app_module.Path(__file__).parent.parent / "graphs" / "recurrence30.gd")
    app = GraphdiffApp(g, mode="reverse", preset_layout=layered(g), collapse="all", layout_engine="layered")
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot, "n", "U", "n")
        view = app.main.query_one("GraphView")
        assert view.canvas is not None and not app.internal_errors
