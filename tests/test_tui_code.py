"""The program screen (`w`): the sweep as pseudo-code, the current step's lines highlighted,
following the debugger through Pilot."""

import graphdiff as gd
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.code import CodeScreen, step_lines
from graphdiff.tui.layout import layered
from graphdiff.tui.widgets import TraceTable
from conftest import GRAPHS


def app_on(name="peyre.gd"):
    g = gd.load(GRAPHS / name)
    return GraphdiffApp(g, path=str(GRAPHS / name), preset_layout=layered(g)), g


def highlighted(screen: CodeScreen) -> list[str]:
    return [screen.lines[k].text for k in screen.current]


async def press(app, pilot, *keys):
    """Keys through Pilot, each given the time its worker (a sweep, the program) needs."""
    for k in keys:
        await pilot.press(k)
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_reverse_program_follows_the_adjoint_sweep():
    app, g = app_on()
    async with app.run_test(size=(120, 40)) as pilot:
        await press(app, pilot, "r", "w")
        screen = app.screen
        assert isinstance(screen, CodeScreen)
        assert highlighted(screen) == ["v̄11 = 1   # seed: ∂f/∂f"]
        # walk to u = √(x²+1) (v5): its adjoint is the sum of the terms its two consumers sent
        while g.label(app.dbg.step.node) != "u":
            await press(app, pilot, "n")
        assert [t.split("#")[0].strip() for t in highlighted(screen)] == ["v̄5 += v̄8·(−v8/v5)", "v̄5 += v̄6"]
        assert screen.query_one("#code-box").border_title.endswith("at u")
        number = app.dbg.number
        await press(app, pilot, "p")
        assert app.dbg.number == number - 1
        await press(app, pilot, "G")
        assert highlighted(screen) == ["v̄0 += v̄6    # v6 = v0 + v5", "v̄0 += v̄2·2·v0    # v2 = v0^2"]
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, CodeScreen)
        assert app.dbg.number == app.dbg.total   # the debugger kept the position
        assert "-0.626967" in app.screen.query_one(TraceTable).row_text(0)


async def test_forward_program_highlights_the_tangent_line():
    app, g = app_on()
    async with app.run_test(size=(120, 40)) as pilot:
        await press(app, pilot, "f", "w")
        screen = app.screen
        assert screen.lines[1].text == "seed: x\u0307 = 1 for ∂/∂x"   # ẋ: x and a combining dot
        for _ in range(4):
            await press(app, pilot, "n")
        (line,) = highlighted(screen)
        node = app.dbg.step.node
        assert line.startswith(f"v{node} = ") and f"v̇{node} = " in line
        await press(app, pilot, "w")
        assert not isinstance(app.screen, CodeScreen)


async def test_primal_program_and_the_seed_choice():
    app, g = app_on("sheet3/two_layer.gd")
    async with app.run_test(size=(120, 40)) as pilot:
        await press(app, pilot, "w")
        screen = app.screen
        assert screen.lines[0].text.startswith("evaluation trace")
        assert highlighted(screen) == ["v0 = x"]
        await press(app, pilot, "escape")
        app.dbg.switch("forward")
        app.dbg.set_seed(("A", 3))           # the tangent program differentiates w.r.t. A only
        await press(app, pilot, "w")
        text = "\n".join(ln.text for ln in app.screen.lines)
        assert "seed: A\u0307 = eₖ" in text and "v\u03070" not in text


def test_step_lines_by_node():
    from graphdiff.emit import pseudo_lines
    g = gd.load(GRAPHS / "peyre.gd")
    fw = pseudo_lines(g, mode="forward")
    assert [fw[k].text.split()[0] for k in step_lines(fw, "forward", 7)] == ["v7"]
    rv = pseudo_lines(g, mode="reverse")
    assert len(step_lines(rv, "reverse", 7)) == 2   # v = log(…) feeds v/u and v³
    assert step_lines(rv, "reverse", 11) == [k for k, ln in enumerate(rv) if ln.text.startswith("v̄11 = 1")]


async def test_the_program_follows_each_step_once():
    """The main screen's StepChanged reaches the program view once per step (no echo back)."""
    app, g = app_on()
    async with app.run_test(size=(120, 40)) as pilot:
        await press(app, pilot, "r", "w")
        screen = app.screen
        calls = []
        original = screen.show
        screen.show = lambda: (calls.append(1), original())[1]
        await press(app, pilot, "n", "n")
        assert len(calls) == 2
