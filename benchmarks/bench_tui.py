"""The debugger's responsiveness: time to first paint and the redraw time of one step, on random
AD-like DAGs of 50, 500 and 2,000 nodes (each node an op of one or two earlier nodes), headless
through Textual's `run_test` at 160×50.

A step's redraw is timed as the key's handler plus rendering every visible line of the graph
pane, the trace table and the inspector (what the compositor asks for); Pilot's own `pause()`
adds a fixed ~70 ms of idle-waiting that is not redraw work, so it is reported apart.

    python benchmarks/bench_tui.py [--layout auto|dot|layered]
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import time

import graphdiff as gd
from common import random_dag, save
from graphdiff.tui.app import GraphdiffApp
from graphdiff.tui.layout import layout
from graphdiff.tui.widgets import GraphView, Inspector, TraceTable
from textual.geometry import Region


async def measure(g: gd.Graph, engine: str, steps: int = 30) -> dict:
    t0 = time.perf_counter()
    app = GraphdiffApp(g, mode="reverse", layout_engine=engine)
    async with app.run_test(size=(160, 50)) as pilot:
        view = app.query_one(GraphView)
        while view.canvas is None:
            await asyncio.sleep(0.005)
        await pilot.pause()
        first_paint = time.perf_counter() - t0
        widgets = [view, app.query_one(TraceTable), app.query_one(Inspector)]
        times, pilot_times = [], []
        for _ in range(steps):
            t = time.perf_counter()
            app.action_next()
            for w in widgets:
                w.render_lines(Region(0, 0, w.size.width, w.size.height))
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            pilot_times.append(time.perf_counter() - t)
    return {"first_paint_s": first_paint, "step_redraw_ms_median": 1000 * statistics.median(times),
            "step_redraw_ms_max": 1000 * max(times), "pilot_press_ms_median": 1000 * statistics.median(pilot_times),
            "engine": view.canvas.layout.engine}


def main(argv) -> int:
    engine = argv[argv.index("--layout") + 1] if "--layout" in argv else "auto"
    rows = {}
    print(f"{'nodes':>6} {'layout':>8} {'layout s':>9} {'first paint s':>14} {'step median ms':>15} "
          f"{'step max ms':>12} {'pilot press ms':>15}")
    for n in (50, 500, 2000):
        g = random_dag(n)
        t = time.perf_counter()
        lay = layout(g, engine=engine)
        layout_s = time.perf_counter() - t
        r = asyncio.run(measure(g, engine))
        r["layout_s"] = layout_s
        rows[str(n)] = r
        print(f"{n:>6} {lay.engine:>8} {layout_s:>9.3f} {r['first_paint_s']:>14.3f} "
              f"{r['step_redraw_ms_median']:>15.1f} {r['step_redraw_ms_max']:>12.1f} {r['pilot_press_ms_median']:>15.1f}")
    print(f"results: {save('tui', {'tui': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
