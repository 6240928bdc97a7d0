"""The debugger: every key through Pilot, the look through snapshots, and once for real in tmux."""
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.layout import from_json0, layered, to_dot
from graphdiff.tui.state import Debugger
from graphdiff.tui.widgets import GraphView, Inspector, TraceTable, inspector_text
from conftest import GRAPHS, ROOT

DFDX = -0.6269671148040288   # df/dx of the Peyré function at x = 0.7 (sheet 003)


@pytest.fixture(autouse=True)
def _colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)


def make_app(name="peyre.gd", **kw):
    g = gd.load(GRAPHS / name)
    return GraphdiffApp(g, path=str(GRAPHS / name), preset_layout=layered(g), **kw)


def shown(app) -> str:
    return str(inspector_text(app.dbg))


def table_text(app) -> str:
    t = app.query_one(TraceTable)
    return "\n".join(" ".join(str(c) for c in t.get_row_at(r)) for r in range(t.row_count))


async def test_reverse_then_last_shows_the_derivative():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "G")
        assert app.dbg.mode == "reverse" and app.dbg.step.node == app.dbg.graph.names["x"]
        assert "-0.626967114804" in shown(app)
        assert "-0.626967" in table_text(app)
        await pilot.press("f", "G")
        assert app.dbg.mode == "forward"
        assert app.dbg.step.node == app.dbg.graph.names["f"]
        assert app.dbg.step.tangent == pytest.approx(DFDX, abs=1e-12)
        assert "-0.626967114804" in shown(app)
        await pilot.press("e", "G")
        assert app.dbg.mode == "primal" and app.dbg.step.value == pytest.approx(0.25666652729940287)
        assert "0.256667" in table_text(app)


async def test_step_forward_back_first_last():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r")
        assert app.dbg.index == 0
        await pilot.press("n", "right")
        assert app.dbg.index == 2
        await pilot.press("p")
        assert app.dbg.index == 1
        await pilot.press("left", "left")
        assert app.dbg.index == 0
        await pilot.press("G")
        assert app.dbg.index == len(app.dbg.steps) - 1
        await pilot.press("g")
        assert app.dbg.index == 0
        # time travel is indexing: the records are the same objects both ways
        before = app.dbg.sweep
        await pilot.press("n", "n", "p", "p")
        assert app.dbg.sweep is before


async def test_primal_steps_skip_unnamed_literals():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        seen = []
        for _ in range(12):
            seen.append(app.dbg.graph.node(app.dbg.step.node).op)
            await pilot.press("n")
        assert "const" not in seen and seen[-1] == "sub"


async def test_step_into_edge_terms_of_a_shared_node():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "n", "n", "n")   # f, v10, v8, then v: two consumers
        g = app.dbg.graph
        assert app.dbg.step.node == g.names["v"] and len(app.dbg.step.terms) == 2
        await pilot.press("s")
        assert app.dbg.term == 0 and "term 1 of 2" in shown(app)
        await pilot.press("s")
        assert app.dbg.term == 1 and "term 2 of 2" in shown(app)
        await pilot.press("s")
        assert app.dbg.term == -1


async def test_partial_sums_while_accumulating():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "n")    # at v10 = v^3: v has 1 of its 2 terms
        assert "v: 1 of 2 contributions received" in shown(app)
        assert "-1.27792 (1/2)" in table_text(app)   # v̄ so far: v̄₁₀ · ∂v10/∂v = −1 × 3v²
        await pilot.press("n")         # at v8 = v/u: v has both, u one of two
        assert "v: 2 of 2" in shown(app) and "u: 1 of 2" in shown(app)


async def test_breakpoints_and_continue():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "n", "n", "n", "n", "n")
        target = app.dbg.step.node
        await pilot.press("b", "g")
        assert target in app.dbg.breakpoints
        await pilot.press("c")
        assert app.dbg.step.node == target
        await pilot.press("c")
        assert app.dbg.index == len(app.dbg.steps) - 1
        await pilot.press("g", "n", "n", "n", "n", "n", "b")
        assert target not in app.dbg.breakpoints


async def test_choose_the_adjoint_seed():
    app = make_app("relu_softmax.gd")
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "d")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.dbg.seeds["reverse"] == ("f", 1)
        await pilot.press("G")
        np.testing.assert_allclose(app.dbg.step.adjoint, [[-0.75, 0.75], [1.5, -1.5], [0, 0]])
        assert "seed f[1]" in shown(app)


async def test_choose_the_tangent_seed():
    app = make_app("relu_softmax.gd")
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("f", "d")
        await pilot.pause()
        for _ in range(7):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert app.dbg.seeds["forward"] == ("Q", 1)
        await pilot.press("G")
        np.testing.assert_allclose(app.dbg.step.tangent, [0.25, -0.25])


async def test_edit_an_input_and_rerun():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "i")
        await pilot.pause()
        box = app.screen.query_one("#value")
        assert box.value == "x = 0.7"
        box.value = "x = 1.5"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("G")
        x = 1.5
        closed = 1 / (1 + x * x) - x * np.arcsinh(x) / (1 + x * x) ** 1.5 - 3 * np.arcsinh(x) ** 2 / np.sqrt(1 + x * x)
        assert app.dbg.step.adjoint == pytest.approx(closed, abs=1e-12)


async def test_a_bad_input_value_changes_nothing():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r")
        assert not app.set_input_text("x = [1, 2]")
        assert not app.set_input_text("y = 2")
        assert not app.set_input_text("x = abc")
        assert app.dbg.at == {}
        await pilot.pause()


async def test_export_the_current_frame(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "n", "x")
        await pilot.pause()
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("peyre-reverse-step002")
    text = files[0].read_text()
    assert ("<svg" in text) if shutil.which("dot") else text.startswith("digraph")


async def test_help_and_quit():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert "keys" in str(app.screen.query_one("#help").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one(Inspector)
        await pilot.press("q")
    assert app.return_code == 0


async def test_graph_pane_highlights_the_current_node_and_follows_it():
    g = gd.Graph()
    x = g.input("x", 0.1)
    v = x
    for _ in range(60):
        v = gd.sin(v) + x
    g.output("y", v)
    app = GraphdiffApp(g, preset_layout=layered(g), mode="forward")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(GraphView)
        await pilot.press("G")
        await pilot.pause()
        bx, by, bw, bh = view.canvas.layout.boxes[app.dbg.step.node]
        sx, sy = view.scroll_offset
        assert sx <= bx < sx + view.size.width           # followed to the far right
        line = view.render_line(by + 1 - sy)
        assert any(seg.style and seg.style.bgcolor for seg in line)   # the current node is lit


def test_a_malformed_file_fails_before_any_screen(tmp_path, capsys):
    bad = tmp_path / "bad.gd"
    bad.write_text("input x = 1\noutput f = sqrtt(x)\n")
    assert main(["tui", str(bad)]) == 2
    assert "bad.gd:2:12: error: unknown function 'sqrtt'" in capsys.readouterr().err


def test_debugger_state_without_widgets():
    dbg = Debugger(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    dbg.last()
    assert dbg.step.adjoint == pytest.approx(DFDX, abs=1e-12)
    assert [label for label, _ in Debugger(gd.load(GRAPHS / "relu_softmax.gd"), mode="forward").seed_choices()][:2] \
        == ["P[0,0]", "P[0,1]"]


def test_recorded_graphviz_layout_feeds_the_same_drawing():
    g = gd.load(GRAPHS / "peyre.gd")
    import json
    doc = json.loads((ROOT / "tests" / "tui_fixtures" / "peyre.json0").read_text())
    lay = from_json0(g, doc)
    assert set(lay.boxes) == {n.id for n in g.nodes if n.op != "const"}
    assert lay.engine == "dot" and len(lay.edges) == 11
    xs = {i: b[0] for i, b in lay.boxes.items()}
    assert xs[g.names["x"]] < xs[g.names["u"]] < xs[g.names["v"]] < xs[g.names["f"]]   # left to right
    assert "rankdir=LR" in to_dot(g)


@pytest.mark.dot
def test_live_graphviz_layout():
    from graphdiff.tui.layout import layout
    lay = layout(gd.load(GRAPHS / "peyre.gd"), engine="dot")
    assert lay.engine == "dot" and len(lay.boxes) == 9


SNAP = dict(terminal_size=(130, 40))


def test_snapshot_reverse_mode_at_a_shared_node(snap_compare):
    assert snap_compare(make_app(), press=["r", "n", "n", "n"], **SNAP)


def test_snapshot_forward_mode_finished(snap_compare):
    assert snap_compare(make_app("relu_softmax.gd"), press=["f", "G"], **SNAP)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_tmux_as_a_person_would(tmp_path):
    exe = ROOT / ".venv" / "bin" / "graphdiff"
    if not exe.exists():
        pytest.skip("needs the .venv that make test creates")
    session = f"gdtest{os.getpid()}"
    env_cmd = f"cd {tmp_path} && {exe} tui {GRAPHS / 'peyre.gd'} --layout layered"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "45", env_cmd], check=True)
    try:
        def screen():
            return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                  text=True).stdout

        def wait_for(text, timeout=20):
            end = time.time() + timeout
            while time.time() < end:
                if text in screen():
                    return True
                time.sleep(0.2)
            return False

        assert wait_for("primal sweep"), screen()
        subprocess.run(["tmux", "send-keys", "-t", session, "r"], check=True)
        assert wait_for("reverse sweep"), screen()
        subprocess.run(["tmux", "send-keys", "-t", session, "G"], check=True)
        assert wait_for("-0.626967114804"), screen()
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        end = time.time() + 10
        while time.time() < end and subprocess.run(["tmux", "has-session", "-t", session],
                                                   capture_output=True).returncode == 0:
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


async def test_v_opens_the_side_by_side_comparison():
    from graphdiff.tui.compare import CompareScreen
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)
