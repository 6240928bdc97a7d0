"""The debugger's look: Peyré, a matrix graph and a 213-node graph at 80×24, 120×35 and 200×60, in
primal, forward and reverse mode at a middle step. Each screen is compared with its snapshot, and
checked for what the step needs: the current node in the graph pane, the step's equation in the
inspector, the footer's quit key.

The layouts are recorded Graphviz json0 fixtures (tests/tui_fixtures/), never a live `dot`: its
layout differs between versions. Update the pictures with `pytest tests/test_tui_snapshots.py
--snapshot-update` after a deliberate change, and look at them (the report is HTML).
"""
import json

import pytest
from pytest_textual_snapshot import SVGImageExtension

import graphdiff as gd
from graphdiff.explain import sum_rule, term_rule, wengert
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.graphview import GraphView
from graphdiff.tui.layout import from_json0, topology
from conftest import GRAPHS, ROOT

FIXTURES = ROOT / "tests" / "tui_fixtures"
CASES = {
    "peyre": (GRAPHS / "peyre.gd", "peyre.json0"),
    "two_layer": (GRAPHS / "sheet3" / "two_layer.gd", "two_layer.json0"),
    "recurrence70": (FIXTURES / "recurrence70.gd", "recurrence70.json0"),
}
SIZES = [(80, 24), (120, 35), (200, 60)]
MODES = {"primal": "e", "forward": "f", "reverse": "r"}


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


def app_for(name: str) -> GraphdiffApp:
    path, fixture = CASES[name]
    g = gd.load(path)
    topo = topology(g)
    ranked = from_json0(topo, json.loads((FIXTURES / fixture).read_text()))
    return GraphdiffApp(g, path=path.name, preset_layout=(topo, ranked))


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def check_nothing_clipped(app) -> None:
    """The current node's box is in the graph pane, the step's equation in the inspector, and the
    quit key in the footer (on the screen as rendered)."""
    dbg = app.dbg
    lines = screen_lines(app)
    text = "\n".join(lines)
    view = app.screen.query_one(GraphView)
    x, y, w, h = view.canvas.geometry.boxes[dbg.step.node]
    region = view.scrollable_content_region
    sx, sy = view.scroll_offset
    assert sx <= x and x + w <= sx + region.width and sy <= y and y + h <= sy + region.height
    label = view.view_topology.text[dbg.step.node]
    assert label in lines[region.y + y - sy + h // 2]
    terms = dbg.step.terms if dbg.mode != "primal" else ()
    equation = wengert(dbg.graph, dbg.step.node) if not terms else \
        term_rule(dbg.graph, terms[0], dbg.mode) if len(terms) == 1 else sum_rule(dbg.graph, dbg.step, dbg.mode)
    assert equation[:40] in text, equation
    assert "q quit" in lines[-1]


async def at_middle_step(pilot, mode: str) -> None:
    app = pilot.app
    await pilot.press(MODES[mode])
    await app.workers.wait_for_complete()
    await pilot.pause()
    app.main.dbg.go_number(app.main.dbg.total // 2 + 1)
    app.main.publish()
    await pilot.pause()
    await pilot.pause()
    check_nothing_clipped(app)


@pytest.mark.xdist_group("snapshots")   # one process runs every snapshot test: see conftest.py
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(CASES))
async def test_snapshots(snapshot, name, size):
    """One app session per graph and size, a picture per mode (a session per picture, as
    snap_compare takes them, costs three times as much)."""
    snapshot = snapshot.use_extension(SVGImageExtension)
    app = app_for(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for mode in MODES:
            await at_middle_step(pilot, mode)
            await pilot.wait_for_scheduled_animations()
            assert snapshot(name=mode) == app.export_screenshot(title=app.title)
