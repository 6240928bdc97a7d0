"""The debugger: every key through Pilot, the two crashes of issue 10, and once for real in tmux.
(Its look: test_tui_snapshots.py; its layouts and never-crash property: test_tui_layout.py and
test_tui_property.py.)"""
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.layout import layered
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


async def press(app, pilot, *keys):
    """Keys through Pilot, each given the time its sweep worker needs."""
    for k in [None, *keys]:
        if k is not None:
            await pilot.press(k)
        await app.workers.wait_for_complete()
        await pilot.pause()
        while app.main.busy:   # a sweep asked for by the last one (a fallback)
            await app.workers.wait_for_complete()
            await pilot.pause()


def shown(app) -> str:
    return str(inspector_text(app.dbg))


def table_text(app) -> str:
    t = app.screen.query_one(TraceTable)
    return "\n".join(t.row_text(k) for k in range(len(t.rows)))


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_reverse_then_last_shows_the_derivative():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "G")
        assert app.dbg.mode == "reverse" and app.dbg.step.node == app.dbg.graph.names["x"]
        assert "x̄ = -0.626967114804" in shown(app)
        assert "-0.626967" in table_text(app)
        await press(app, pilot, "f", "G")
        assert app.dbg.mode == "forward"
        assert app.dbg.step.node == app.dbg.graph.names["f"]
        assert app.dbg.step.tangent == pytest.approx(DFDX, abs=1e-12)
        assert "-0.626967114804" in shown(app)
        await press(app, pilot, "e", "G")
        assert app.dbg.mode == "primal" and app.dbg.step.value == pytest.approx(0.25666652729940287)
        assert "0.256667" in table_text(app)
        assert not app.internal_errors


async def test_keys_typed_while_a_sweep_runs_wait_for_it():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.press("r", "G")     # G arrives before the reverse sweep: it is queued, not lost
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.dbg.mode == "reverse" and app.dbg.number == app.dbg.total == 9


async def test_step_numbers_count_from_one_and_skip_literals():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot)
        seen = []
        for _ in range(12):
            seen.append((app.dbg.number, app.dbg.graph.node(app.dbg.step.node).op))
            await pilot.press("n")
        # the primal sweep's literal constants (the 2, 1 and 3) are not steps: 1, 2, …, 9, no jumps
        assert [n for n, _ in seen] == list(range(1, 10)) + [9, 9, 9]
        assert "const" not in {op for _, op in seen} and seen[-1][1] == "sub"
        status = str(app.screen.query_one("#status").render())
        assert "step 9/9" in status
        table = app.screen.query_one(TraceTable)
        assert table.row_text(table.row_of[app.dbg.step.node]).split()[0] == "9"   # same number as the header


async def test_step_forward_back_first_last():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r")
        assert app.dbg.number == 1
        await press(app, pilot, "n", "right")
        assert app.dbg.number == 3
        await press(app, pilot, "p")
        assert app.dbg.number == 2
        await press(app, pilot, "left", "left")
        assert app.dbg.number == 1
        await press(app, pilot, "G")
        assert app.dbg.number == app.dbg.total
        before = app.dbg.sweep
        await press(app, pilot, "g", "n", "p")   # time travel is indexing: the records are the same
        assert app.dbg.sweep is before and app.dbg.number == 1


async def test_step_into_edge_terms_of_a_shared_node():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "n", "n", "n")   # f, v10, v8, then v: two consumers
        g = app.dbg.graph
        assert app.dbg.step.node == g.names["v"] and len(app.dbg.step.terms) == 2
        text = shown(app)
        assert "v̄ = v̄₁₀·3·v^2 + v̄₈·(1/u)" in text          # the step's equation, one term per consumer
        assert "= -1 × 1.27792 = -1.27792" in text and "= 1 × 0.819232 = 0.819232" in text
        await press(app, pilot, "s")
        assert app.dbg.term == 0 and "term 1 of 2: edge v → v10" in shown(app)
        await press(app, pilot, "s")
        assert app.dbg.term == 1 and "term 2 of 2" in shown(app)
        await press(app, pilot, "s")
        assert app.dbg.term == -1


async def test_partial_sums_while_accumulating():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "n")    # at v10 = v^3: v has 1 of its 2 terms
        assert "v: 1 of 2 contributions received" in shown(app)
        assert "-1.27792 (1/2)" in table_text(app)   # v̄ so far: v̄₁₀ · ∂v10/∂v = −1 × 3v²
        await press(app, pilot, "n")         # at v8 = v/u: v has both, u one of two
        assert "v: 2 of 2" in shown(app) and "u: 1 of 2" in shown(app)


async def test_breakpoints_and_continue():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "n", "n", "n", "n", "n")
        target = app.dbg.step.node
        await press(app, pilot, "b", "g")
        assert target in app.dbg.breakpoints
        await press(app, pilot, "c")
        assert app.dbg.step.node == target
        await press(app, pilot, "c")
        assert app.dbg.number == app.dbg.total
        await press(app, pilot, "g", "n", "n", "n", "n", "n", "b")
        assert target not in app.dbg.breakpoints


async def test_choose_the_adjoint_seed():
    app = make_app("relu_softmax.gd")
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "d", "down", "enter", "G")
        assert app.dbg.seeds["reverse"] == ("f", 1)
        np.testing.assert_allclose(app.dbg.step.adjoint, [[-0.75, 0.75], [1.5, -1.5], [0, 0]])
        assert "seed f[1]" in shown(app)


async def test_choose_the_tangent_seed():
    app = make_app("relu_softmax.gd")
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "f", "d", *["down"] * 7, "enter", "G")
        assert app.dbg.seeds["forward"] == ("Q", 1)
        np.testing.assert_allclose(app.dbg.step.tangent, [0.25, -0.25])


async def test_edit_an_input_and_rerun():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "i")
        box = app.screen.query_one("#value")
        # the cursor waits after the value, nothing selected: typing appends
        assert box.value == "x = 0.7" and box.cursor_position == len(box.value) and not box.selected_text
        await press(app, pilot, "backspace", "backspace", "backspace", "1", ".", "5", "enter", "G")
        x = 1.5
        closed = 1 / (1 + x * x) - x * np.arcsinh(x) / (1 + x * x) ** 1.5 - 3 * np.arcsinh(x) ** 2 / np.sqrt(1 + x * x)
        assert app.dbg.step.adjoint == pytest.approx(closed, abs=1e-12)


async def test_a_bad_input_value_changes_nothing():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r")
        screen = app.main
        assert not screen.set_input_text("x = [1, 2]")
        assert not screen.set_input_text("y = 2")
        assert not screen.set_input_text("x = abc")
        assert app.dbg.at == {}
        await pilot.pause()
        assert any("has shape" in n for n in notices(app))


async def test_export_beside_the_graph_file(tmp_path):
    src = tmp_path / "peyre.gd"
    src.write_text((GRAPHS / "peyre.gd").read_text())
    g = gd.load(src)
    app = GraphdiffApp(g, path=str(src), preset_layout=layered(g))
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r", "n", "x")
        box = app.screen.query_one("#path")
        suffix = ".svg" if shutil.which("dot") else ".dot"
        assert box.value == str(tmp_path / f"peyre-reverse-step002{suffix}")   # absolute, beside the file
        await press(app, pilot, "enter")
    files = [p.name for p in tmp_path.iterdir()]
    assert sorted(files) == ["peyre-reverse-step002" + suffix, "peyre.gd"]
    text = (tmp_path / ("peyre-reverse-step002" + suffix)).read_text()
    assert ("<svg" in text) if suffix == ".svg" else text.startswith("digraph")
    assert any(str(tmp_path) in n for n in notices(app))


async def test_help_lists_every_binding_and_quit():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "question_mark")
        text = str(app.screen.query_one("#help").render())
        for b in app.main.BINDINGS:       # generated from the bindings: none missing
            assert (b.tooltip or b.description) in text
        await press(app, pilot, "escape")
        assert app.screen.query_one(Inspector)
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_footer_keeps_the_essential_keys_at_every_width():
    app = make_app()
    async with app.run_test(size=(80, 30)) as pilot:
        for width in (80, 100, 120, 160, 200):
            await pilot.resize_terminal(width, 30)
            await press(app, pilot)
            keys = app.screen.query("FooterKey")
            shown_keys = {k.key for k in keys}
            assert {"n", "p", "e", "f", "r", "question_mark", "q"} <= shown_keys, width
            assert sum(len(k.key_display) + len(k.description) + 2 for k in keys) <= width


async def test_graph_pane_highlights_the_current_node_and_follows_it():
    g = gd.Graph()
    x = g.input("x", 0.1)
    v = x
    for _ in range(60):
        v = gd.sin(v) + x
    g.output("y", v)
    app = GraphdiffApp(g, preset_layout=layered(g), mode="forward")
    async with app.run_test(size=(100, 30)) as pilot:
        await press(app, pilot)
        view = app.screen.query_one(GraphView)
        for key in ("G", "g", "n"):
            await press(app, pilot, key)
            bx, by, bw, bh = view.canvas.geometry.boxes[app.dbg.step.node]
            sx, sy = view.scroll_offset
            w, h = view.scrollable_content_region.size
            assert sx <= bx and bx + bw <= sx + w and sy <= by and by + bh <= sy + h   # in view
            line = view.render_line(by + 1 - sy)
            assert any(seg.style and seg.style.bgcolor for seg in line)   # the current node is lit


async def test_zoom_fit_focus_and_pan_keys():
    app = make_app("sheet3/two_layer.gd")
    async with app.run_test(size=(80, 24)) as pilot:
        await press(app, pilot, "r", "n")
        view = app.screen.query_one(GraphView)
        zooms = [view.zoom]
        for _ in range(3):
            await press(app, pilot, "z")
            zooms.append(view.zoom)
        assert zooms[1:] == ["compact", "overview", "full"][len(zooms) - 4:] or len(set(zooms)) == 3
        await press(app, pilot, "0")
        assert view.fits(view.zoom) or view.zoom == "overview"
        await press(app, pilot, "o")
        assert view.hops == 2 and set(view.view_topology.nodes) < set(view.topo.nodes) | {0}
        await press(app, pilot, "right_square_bracket", "left_square_bracket", "left_square_bracket")
        assert view.hops == 1
        await press(app, pilot, "o", "l", "j", "full_stop")
        assert view.hops == 0
        assert not app.internal_errors


async def test_clicking_a_box_goes_to_its_step():
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "r")
        view = app.screen.query_one(GraphView)
        x = app.dbg.graph.names["x"]
        bx, by, bw, bh = view.canvas.geometry.boxes[x]
        await pilot.click(GraphView, offset=(bx - view.scroll_x + 2 + 1, by - view.scroll_y + 1 + 1))
        await press(app, pilot)
        assert app.dbg.step.node == x and app.dbg.number == 9


def test_a_malformed_file_fails_before_any_screen(tmp_path, capsys):
    bad = tmp_path / "bad.gd"
    bad.write_text("input x = 1\noutput f = sqrtt(x)\n")
    assert main(["tui", str(bad)]) == 2
    assert "bad.gd:2:12: error: unknown function 'sqrtt'" in capsys.readouterr().err


def test_tui_json_is_refused(capsys):
    assert main(["tui", str(GRAPHS / "peyre.gd"), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "interactive" in err and "trace" in err


def test_debugger_state_without_widgets():
    dbg = Debugger(gd.load(GRAPHS / "peyre.gd"), mode="reverse")
    dbg.last()
    assert dbg.step.adjoint == pytest.approx(DFDX, abs=1e-12)
    assert [label for label, _ in Debugger(gd.load(GRAPHS / "relu_softmax.gd"), mode="forward").seed_choices()][:2] \
        == ["P[0,0]", "P[0,1]"]


# ------------------------------------------------------------------ the two crashes of issue 10

CONSTANT_OUTPUT = "input x = 2\noutput f = 3\n"
NO_INPUTS = "const a = 2\noutput f = a^2 + 1\n"


async def test_an_output_that_depends_on_no_input_in_reverse_mode():
    g = gd.parse(CONSTANT_OUTPUT)
    app = GraphdiffApp(g, mode="reverse", preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(app, pilot)
        assert app.dbg.mode == "reverse" and app.dbg.step is None
        assert "f is a constant" in shown(app)
        await press(app, pilot, "r", "n", "p", "G", "s", "b", "c", "x", "w", "v")
        await press(app, pilot, "escape")
        assert any("no steps" in n for n in notices(app))
        assert not app.internal_errors and app.is_running


async def test_a_graph_without_inputs_in_forward_mode_and_compare():
    g = gd.parse(NO_INPUTS)
    app = GraphdiffApp(g, preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(app, pilot, "f")
        assert app.dbg.mode == "primal"                      # stayed: forward mode cannot run
        assert "forward sweep: the graph has no inputs to seed" in notices(app)
        await press(app, pilot, "v")
        assert "v compares forward and reverse mode: this graph has no inputs to differentiate" in notices(app)
        await press(app, pilot, "r", "G", "i", "d")
        assert app.dbg.mode == "reverse" and app.dbg.step.adjoint == pytest.approx(1.0)
        assert not app.internal_errors and app.is_running


async def test_opening_in_a_mode_that_cannot_run_falls_back_to_primal():
    g = gd.parse(NO_INPUTS)
    app = GraphdiffApp(g, mode="forward", preset_layout=layered(g))
    async with app.run_test(size=(80, 24)) as pilot:
        await press(app, pilot)
        assert app.dbg.mode == "primal" and app.dbg.step is not None
        assert any("no inputs to seed" in n for n in notices(app))


async def test_an_unexpected_error_is_a_notice_and_the_app_stays():
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await press(app, pilot)

        def broken():
            raise RuntimeError("boom")
        app.main.action_centre = broken
        await press(app, pilot, "full_stop", "n")
        assert app.is_running and app.dbg.number == 2
        assert any("internal error: RuntimeError: boom" in n for n in notices(app))
        assert len(app.internal_errors) == 1


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_tmux_as_a_person_would(tmp_path):
    exe = ROOT / ".venv" / "bin" / "graphdiff"
    if not exe.exists():
        pytest.skip("needs the .venv that make test creates")
    session = f"tui-test-{os.getpid()}"
    env_cmd = f"cd {tmp_path} && {exe} tui {GRAPHS / 'peyre.gd'} --layout layered; echo exit=$?; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", env_cmd], check=True)
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
        assert "q quit" in screen().splitlines()[-1]      # the footer's quit key, at 80 columns
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        assert wait_for("exit=0"), screen()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


async def test_v_opens_the_side_by_side_comparison():
    from graphdiff.tui.compare import CompareScreen
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await press(app, pilot, "v")
        assert isinstance(app.screen, CompareScreen)
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, CompareScreen)


def test_the_docs_list_every_key():
    from graphdiff.tui.app import DebuggerScreen
    from graphdiff.tui.dialogs import key_names
    doc = (ROOT / "docs" / "tui.md").read_text()
    for b in DebuggerScreen.BINDINGS:
        for name in key_names(b.key).split(" / "):
            assert f"`{name}`" in doc, name
