"""Render time of graph pictures, split into building the DOT (Python), Graphviz's layout and
drawing from the fixed layout, on random AD-like DAGs of 50, 500 and 2,000 operations (each node
an op of one or two earlier nodes, as in bench_tui.py); frames per second of `frames` on
the 50-node graph (reverse sweep, PNG at 200 dpi, with and without a GIF and a PDF deck); and
`render -o out.svg` end to end on recurrences whose inputs feed every line
(`t_k = sin(t_{k-1}) * x + t_{k-2}`) at 50, 70, 200, 500 and 2,000 lines, each in its own
process under a time limit.

    python benchmarks/bench_render.py [--quick] [--before SRC_DIR] [--limit SECONDS]

`--before SRC_DIR` also times the recurrences with the graphdiff package found in SRC_DIR (an
older checkout, e.g. `git archive <rev> | tar -x -C SRC_DIR`) and records both side by side; a
run past the limit is recorded as "> limit".

layout  = graphdiff's bounded layout to positions (`effort.run_layout`, json0);  draw = `neato -n2
-Tsvg` from those positions;  one-shot = the SVG as `graphdiff render` makes it (bounded layout and
drawing in one Graphviz process).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import graphdiff as gd
from common import RESULTS, median_of, random_dag, save
from graphdiff.render import to_dot
from graphdiff.render.effort import run_layout
from graphdiff.render.output import pipe
from graphdiff.render.frames import write_frames


def run(cmd: list[str], data: bytes) -> bytes:
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def measure_render(n: int, repeat: int) -> dict:
    g = random_dag(n)
    sw = gd.reverse(g)
    step = len(sw.steps) // 2
    build = median_of(lambda: to_dot(g, sw, step), repeat)
    dg = to_dot(g, sw, step)
    laid = run_layout(dg.source, "dot")
    layout = median_of(lambda: run_layout(dg.source, "json0"), repeat)
    draw = median_of(lambda: run(["neato", "-n2", "-Tsvg"], laid.data), repeat)
    one_shot = median_of(lambda: pipe(dg, "svg"), repeat)
    return {"ops": n, "nodes": len(g), "build_dot_s": build, "layout_s": layout, "draw_svg_s": draw,
            "one_shot_svg_s": one_shot, "effort": laid.level}


RECURRENCE_LINES = (50, 70, 200, 500, 2000)

# Runs in a fresh process (PYTHONPATH chooses the graphdiff under test): build the recurrence,
# render it to SVG, print the seconds.
# Runs in a fresh process (PYTHONPATH chooses the graphdiff under test): write the recurrence as
# a .gd program (named lines, as a user writes it), render it to SVG, print the seconds.
RECURRENCE = textwrap.dedent("""
    import sys, time
    import graphdiff as gd
    from graphdiff.render import render
    lines, out = int(sys.argv[1]), sys.argv[2]
    text = ["input x = 0.5", "input y = 0.3", "input t0 = 0.1", "t1 = sin(t0) * x + y"]
    text += [f"t{k} = sin(t{k - 1}) * x + t{k - 2}" for k in range(2, lines + 1)]
    g = gd.parse("\\n".join(text + [f"output f = t{lines}"]))
    t = time.perf_counter()
    render(g, out)
    print(time.perf_counter() - t, len(g))
""")


def measure_recurrence(lines: int, src_dir: str, limit: float) -> dict:
    """Seconds of `render(g, "out.svg")` on the recurrence, or "> limit" when it ran past it."""
    env = {**os.environ, "PYTHONPATH": str(Path(src_dir).resolve())}
    with tempfile.TemporaryDirectory() as d:
        try:
            # cwd: a fresh folder, so that no graphdiff/ beside the caller shadows the one under test
            done = subprocess.run([sys.executable, "-c", RECURRENCE, str(lines), f"{d}/out.svg"], env=env, cwd=d,
                                  capture_output=True, text=True, timeout=limit, start_new_session=True)
        except subprocess.TimeoutExpired:
            return {"seconds": f"> {limit:.0f}", "nodes": None}
    if done.returncode != 0:
        return {"seconds": "failed", "error": done.stderr.strip()[-300:], "nodes": None}
    secs, nodes = done.stdout.split()
    return {"seconds": round(float(secs), 3), "nodes": int(nodes)}


def measure_frames(n: int, repeat: int) -> dict:
    g = random_dag(n)
    sw = gd.reverse(g)
    out = {"ops": n, "frames": len(sw.steps)}
    for label, kw in (("png", {}), ("png+gif+pdf", {"gif": True, "pdf": True})):
        d = tempfile.mkdtemp()
        try:
            extra = {"gif": f"{d}/a.gif" if kw.get("gif") else None, "pdf": f"{d}/a.pdf" if kw.get("pdf") else None}
            t = median_of(lambda: write_frames(g, sw, f"{d}/frames", fmt="png", **extra), repeat)
        finally:
            shutil.rmtree(d)
        out[f"{label}_s"] = t
        out[f"{label}_fps"] = len(sw.steps) / t
    return out


def option(name: str, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main() -> None:
    quick = "--quick" in sys.argv
    before, limit = option("--before"), float(option("--limit", 150))
    here = str(Path(__file__).resolve().parent.parent)
    # Without --before, the "before" column keeps what an earlier run measured (today's code is
    # not re-timed on every run: past 70 lines it only hits the limit).
    earlier = {}
    if not before and (RESULTS / "render.json").exists():
        import json
        old = json.loads((RESULTS / "render.json").read_text())
        earlier = {r["lines"]: r.get("before_s") for r in old.get("recurrence", ())}
        limit = old.get("recurrence_limit_s", limit)
    print(f"{'lines':>6} {'nodes':>6} {'render SVG s':>13} {'before s':>10}")
    recurrence = []
    for lines in RECURRENCE_LINES:
        row = {"lines": lines, "after_s": None, "before_s": None}
        now = measure_recurrence(lines, here, limit)
        row["after_s"], row["nodes"] = now["seconds"], now["nodes"]
        row["before_s"] = measure_recurrence(lines, before, limit)["seconds"] if before else earlier.get(lines)
        recurrence.append(row)
        print(f"{lines:>6} {row['nodes'] or '?':>6} {row['after_s']!s:>13} {row['before_s']!s:>10}", flush=True)
    sizes = (50, 500) if quick else (50, 500, 2000)
    rows = []
    print(f"{'ops':>6} {'nodes':>6} {'build DOT s':>12} {'layout s':>9} {'draw s':>8} {'one-shot s':>11}")
    for n in sizes:
        r = measure_render(n, 1 if n >= 2000 else 3)
        rows.append(r)
        print(f"{r['ops']:>6} {r['nodes']:>6} {r['build_dot_s']:>12.4f} {r['layout_s']:>9.3f} "
              f"{r['draw_svg_s']:>8.3f} {r['one_shot_svg_s']:>11.3f}")
    fr = measure_frames(50, 1 if quick else 2)
    print(f"frames, 50-op graph, reverse sweep ({fr['frames']} steps): "
          f"PNG {fr['png_fps']:.1f} frames/s ({fr['png_s']:.2f} s), "
          f"PNG + GIF + PDF {fr['png+gif+pdf_fps']:.1f} frames/s ({fr['png+gif+pdf_s']:.2f} s)")
    t = time.strftime("%Y-%m-%d")
    print("wrote", save("render", {"date": t, "render": rows, "frames": fr, "recurrence": recurrence,
                                   "recurrence_limit_s": limit}))


if __name__ == "__main__":
    main()
