"""One numbering (issue 10, item 4): every command that shows step numbers counts the same steps
from 1 — literal constants (the 3 in x·3) are written into their consumers and are not steps, in
trace, render --step, frames, the HTML page and the debugger alike."""
import pytest

import graphdiff as gd
from graphdiff.render.html import page_data
from graphdiff.tui.state import Debugger
from conftest import run, run_json

LITERALS = "input x = 2\ny = x * 3 + 1\nz = y ^ 2\noutput f = z\n"   # three literals: 3, 1, 2


@pytest.fixture
def lit(tmp_path):
    p = tmp_path / "lit.gd"
    p.write_text(LITERALS)
    return p


@pytest.mark.parametrize("mode", ["primal", "forward", "reverse"])
def test_every_view_counts_the_same_steps(lit, tmp_path, capsys, mode):
    g = gd.load(lit)
    code, out, _ = run(capsys, "trace", lit, "--mode", mode)
    assert code == 0
    n = int(out.splitlines()[0].split(",")[1].split()[0])          # "primal sweep, 4 steps"
    assert n == 4                                                   # x, y's product, y, z
    dbg = Debugger(g, mode=mode)
    assert dbg.total == n
    assert len(page_data(g)["sweeps"][mode][0]["steps"]) == n
    frames = run_json(capsys, "frames", lit, "--mode", mode, "-o", tmp_path / mode, "--format", "dot")
    assert frames["steps"] == n and len(frames["frames"]) == n
    captions = [(tmp_path / mode / f"frame-{k:03d}.dot").read_text() for k in range(1, n + 1)]
    assert all(f"step {k} of {n}" in c for k, c in enumerate(captions, 1))
    for k in (1, n):
        doc = run_json(capsys, "render", lit, "--mode", mode, "--step", k, "-o", tmp_path / f"{mode}{k}.dot")
        assert doc["step"] == k and doc["steps"] == n
        assert f"step {k} of {n}" in (tmp_path / f"{mode}{k}.dot").read_text()
    code, _, err = run(capsys, "render", lit, "--mode", mode, "--step", n + 1, "-o", tmp_path / "x.dot")
    assert code == 2 and f"this sweep has {n} steps" in err


def test_render_step_n_draws_the_step_trace_numbers_n(lit, tmp_path, capsys):
    """--step 3 of the primal sweep is trace's step 3 (y = v + 1), not the record of a literal."""
    _, out, _ = run(capsys, "trace", lit, "--mode", "primal")
    assert out.splitlines()[3].split()[:2] == ["3", "y"]
    run_json(capsys, "render", lit, "--mode", "primal", "--step", 3, "-o", tmp_path / "s.dot")
    assert "step 3 of 4 · + at <I>y</I>" in (tmp_path / "s.dot").read_text()


def test_a_step_asked_of_a_sweep_without_steps_is_an_error(tmp_path, capsys):
    p = tmp_path / "c.gd"
    p.write_text("input x = 2\noutput f = 3\n")
    code, _, err = run(capsys, "render", p, "--mode", "reverse", "--step", "last", "-o", tmp_path / "c.dot")
    assert code == 2 and "no steps" in err and "Traceback" not in err
