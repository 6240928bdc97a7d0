"""Forward vs reverse side by side: the counts against hand counts, the shared clock through
Pilot, and the look through a snapshot."""
import numpy as np
import pytest

import graphdiff as gd
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.compare import CompareScreen, counts, verdict
from graphdiff.tui.layout import layered
from graphdiff.tui.widgets import TraceTable
from conftest import GRAPHS

DFDX = -0.6269671148040288   # df/dx of the Peyré function at x = 0.7 (sheet 003)


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


def both(g, **kw):
    return counts(g, gd.forward(g, **kw), "fw"), counts(g, gd.reverse(g, **kw), "rv")


def rows(table: TraceTable) -> str:
    return "\n".join(table.row_text(k) for k in range(len(table.rows)))


async def opened(app, pilot, screen):
    """Push the compare screen and wait for its worker (both sweeps and the counts)."""
    app.push_screen(screen)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def test_counts_on_the_peyre_dag():
    fw, rv = both(gd.load(GRAPHS / "peyre.gd"))
    # 9 non-constant nodes; 11 edges between them (x feeds x^2 and x+u; u and v are shared)
    assert (fw.steps, rv.steps) == (9, 9) and (fw.terms, rv.terms) == (11, 11)
    assert (fw.sweeps, rv.sweeps) == (1, 1) and fw.jacobian == rv.jacobian
    assert fw.primal == 8   # 8 scalar operations, 1 flop each
    assert verdict(fw, rv).startswith("forward and reverse mode cost the same here")


def test_many_inputs_one_output_favours_reverse():
    g = gd.load(GRAPHS / "sheet0" / "least_squares.gd")   # x ∈ ℝ², f scalar
    fw, rv = both(g)
    assert (fw.sweeps, rv.sweeps) == (2, 1)
    assert rv.jacobian < fw.jacobian
    assert fw.jacobian == fw.primal + 2 * fw.sweep_flops
    assert verdict(fw, rv).startswith("reverse mode is ")
    assert verdict(fw, rv).endswith("cheaper here because 1 output entry < 2 input entries.")


def test_one_input_many_outputs_favours_forward():
    g = gd.Graph()
    x = g.input("x", 0.5)
    for k in range(4):
        g.output(f"y{k}", gd.sin(x * (k + 1.0)))
    fw, rv = both(g)
    assert (fw.sweeps, rv.sweeps) == (1, 4)
    assert fw.steps == 9 and rv.steps == 3      # forward touches all; reverse only y0's ancestors
    assert verdict(fw, rv).endswith("cheaper here because 1 input entry < 4 output entries.")
    assert verdict(fw, rv).startswith("forward mode is ")


def app_on(name="peyre.gd"):
    g = gd.load(GRAPHS / name)
    return GraphdiffApp(g, path=str(GRAPHS / name), preset_layout=layered(g)), g


async def test_one_clock_drives_both_sweeps():
    app, g = app_on()
    async with app.run_test(size=(150, 45)) as pilot:
        await opened(app, pilot, CompareScreen(g))
        screen = app.screen
        fw, rv = screen.sides["forward"], screen.sides["reverse"]
        await pilot.press("n", "right", "n")
        assert fw.number == rv.number == 4 and screen.clock == 3
        # tangents filled top-down, adjoints bottom-up; v has both its terms at step 3 of reverse
        fw_rows = rows(screen.query_one("#cmp-forward-trace", TraceTable))
        rv_rows = rows(screen.query_one("#cmp-reverse-trace", TraceTable))
        assert "u = sqrt(v4)" in fw_rows and "0.573462" in fw_rows
        assert [r.split()[-1] for r in fw_rows.splitlines() if "f = sub(v8, v10)" in r] == ["·"]
        assert "-0.458689" in rv_rows and "(1/2)" in rv_rows   # u: one of two terms so far
        await pilot.press("p", "left")
        assert fw.number == rv.number == 2
        await pilot.press("G")
        assert fw.step.tangent == pytest.approx(DFDX, abs=1e-12)
        assert rv.step.adjoint == pytest.approx(DFDX, abs=1e-12)
        assert "-0.626967" in rows(screen.query_one("#cmp-reverse-trace", TraceTable))
        await pilot.press("g")
        assert fw.number == rv.number == 1
        # the main screen's keys are not live here: s / b would act on a screen that is not shown
        await pilot.press("s", "b", "e")
        assert app.dbg.breakpoints == set() and app.dbg.mode == "primal"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
        await pilot.press("q")
    assert app.return_code == 0


async def test_sweeps_of_different_lengths_stop_at_their_own_end():
    g = gd.Graph()
    x = g.input("x", 0.5)
    for k in range(4):
        g.output(f"y{k}", gd.sin(x * (k + 1.0)))
    app = GraphdiffApp(g, preset_layout=layered(g))
    async with app.run_test(size=(150, 45)) as pilot:
        await opened(app, pilot, CompareScreen(g, seeds={"reverse": ("y2", 0)}))
        await pilot.press("G")
        screen = app.screen
        assert screen.clock == 8 and screen.sides["forward"].number == 9
        rv = screen.sides["reverse"]
        assert rv.number == rv.total and rv.step.adjoint == pytest.approx(3 * np.cos(1.5))
        assert "(done)" in str(screen.query_one("#cmp-status").render())


@pytest.mark.xdist_group("snapshots")   # one process runs every snapshot test: see conftest.py
def test_snapshot_side_by_side(snap_compare):
    app, g = app_on("sheet0/least_squares.gd")

    async def open_it(pilot):
        await opened(app, pilot, CompareScreen(g))

    assert snap_compare(app, run_before=open_it, press=["n", "n"], terminal_size=(130, 34))
