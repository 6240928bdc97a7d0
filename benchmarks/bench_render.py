"""Render time of graph pictures, split into building the DOT (Python), Graphviz's layout and
drawing from the fixed layout, on random AD-like DAGs of 50, 500 and 2,000 operations (each node
an op of one or two earlier nodes, as in bench_tui.py); and frames per second of `frames` on
the 50-node graph (reverse sweep, PNG at 200 dpi, with and without a GIF and a PDF deck).

    python benchmarks/bench_render.py [--quick]

layout  = `dot -Tdot` (positions only);  draw = `neato -n2 -Tsvg:cairo` from those positions;
one-shot = `dot -Tsvg:cairo` as `graphdiff render` runs it (layout + drawing in one process).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time

import graphdiff as gd
from common import median_of, random_dag, save
from graphdiff.render import to_dot
from graphdiff.render.frames import write_frames


def run(cmd: list[str], data: bytes) -> bytes:
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


def measure_render(n: int, repeat: int) -> dict:
    g = random_dag(n)
    sw = gd.reverse(g)
    step = len(sw.steps) // 2
    build = median_of(lambda: to_dot(g, sw, step), repeat)
    src = to_dot(g, sw, step).source.encode()
    laid = run(["dot", "-Tdot"], src)
    layout = median_of(lambda: run(["dot", "-Tdot"], src), repeat)
    draw = median_of(lambda: run(["neato", "-n2", "-Tsvg:cairo"], laid), repeat)
    one_shot = median_of(lambda: run(["dot", "-Tsvg:cairo"], src), repeat)
    return {"ops": n, "nodes": len(g), "build_dot_s": build, "layout_s": layout, "draw_svg_s": draw,
            "one_shot_svg_s": one_shot}


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


def main() -> None:
    quick = "--quick" in sys.argv
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
    print("wrote", save("render", {"date": t, "render": rows, "frames": fr}))


if __name__ == "__main__":
    main()
