"""The debugger's responsiveness: first paint and the latency of a key press, rendering included.

Graphs: random AD-like DAGs of 50, 500 and 2,000 operations (each node an op of one or two of the
last 30 nodes), and a recurrence in which a few inputs feed every line
(`t2 = sin(t1) * x + t0`, `t3 = sin(t2) * x + t1`, … three operations a line) at 70, 500 and
2,000 lines. Headless through Textual's `run_test` at 120×35, opened in reverse mode.

* first paint: from creating the app to the first frame on which the graph pane shows the
  graph (a layout is drawn) with the current node, rendered;
* graphviz: when Graphviz's layout replaced the built-in one (the app shows the built-in
  layered layout at once and swaps Graphviz's in from a worker), or "-" when it never did;
* key press: one key sent through the app's driver, every message it causes handled, every
  worker it starts finished, then the screen's update rendered (the compositor asks each dirty
  widget for its lines), with none of Pilot's idle-waiting. 40 keys: `n` ×24, `p` ×10, `G`,
  `g`, `f`, `n`, `r`, `n` (steps, jumps and two mode switches); p50, p95 and max in ms of wall
  time, and p50 / p95 of the UI thread's CPU time (the same work, whatever else the machine
  runs: on a busy 2-core machine wall time is several times the CPU time).

    python benchmarks/bench_tui.py [--layout auto|dot|layered] [--timeout S] [--out NAME] [--quick]
                                   [--only random-50,recurrence-70,...]

A graph whose graph pane has not painted after --timeout seconds (default 60) is reported as a
timeout and its key presses are skipped.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import graphdiff as gd
from common import random_dag, save
from textual import events

KEYS = ["n"] * 24 + ["p"] * 10 + ["G", "g", "f", "n", "r", "n"]


def recurrence(lines: int) -> gd.Graph:
    """t_{k+2} = sin(t_{k+1}) * x + t_k: the inputs x, t0 and t1 feed every line."""
    g = gd.Graph()
    x = g.input("x", 0.5)
    a, b = g.input("t0", 0.1), g.input("t1", 0.2)
    for _ in range(lines):
        a, b = b, gd.sin(b) * x + a
    g.output("f", b)
    return g


def graph_painted(app) -> bool:
    """The graph pane shows a drawing (the attribute is `canvas` before and after the rework)."""
    from graphdiff.tui.widgets import GraphView
    try:
        view = app.screen.query_one(GraphView)
    except Exception:
        return False
    return getattr(view, "canvas", None) is not None


def engine_of(app) -> str:
    from graphdiff.tui.widgets import GraphView
    view = app.screen.query_one(GraphView)
    canvas = getattr(view, "canvas", None)
    lay = getattr(canvas, "layout", None)
    return getattr(lay, "engine", "?")


def quiet(app) -> bool:
    """No message waiting anywhere in the app or its current screen."""
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return all(node._message_queue.empty() for node in nodes)


async def settle(app, pilot) -> None:
    """Every pending message handled and every worker finished (polling the queues: no idle-waiting,
    and no messages of its own)."""
    calm = 0
    while calm < 3:
        await asyncio.sleep(0)
        pending = [w for w in app.workers if not w.is_finished and w.group != "graphviz"]
        if pending:
            await asyncio.gather(*(w.wait() for w in pending), return_exceptions=True)
            calm = 0
        calm = calm + 1 if quiet(app) else 0


async def press(app, pilot, key: str) -> tuple[float, float]:
    """Seconds from sending `key` to the rendered screen: wall clock, and the UI thread's CPU time
    (what the key costs whatever else the machine is running)."""
    t, c = time.perf_counter(), time.thread_time()
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    await settle(app, pilot)
    app.screen._on_timer_update()   # render what changed, now
    return time.perf_counter() - t, time.thread_time() - c


async def measure(make_app, timeout: float, keys: list[str]) -> dict:
    t0 = time.perf_counter()
    app = make_app()
    out: dict = {}
    async with app.run_test(size=(120, 35)) as pilot:
        while not graph_painted(app):
            if time.perf_counter() - t0 > timeout:
                out["first_paint_s"] = None
                out["timeout_s"] = timeout
                app.exit()
                return out
            await asyncio.sleep(0.005)
        await settle(app, pilot)
        app.screen._on_timer_update()
        out["first_paint_s"] = time.perf_counter() - t0
        out["engine_at_first_paint"] = engine_of(app)
        times = [await press(app, pilot, k) for k in keys]
        ms = sorted(1000 * t for t, _ in times)
        cpu = sorted(1000 * c for _, c in times)
        out.update(key_p50_ms=statistics.median(ms), key_p95_ms=ms[max(0, round(0.95 * len(ms)) - 1)],
                   key_max_ms=ms[-1], keys=len(ms), key_cpu_p50_ms=statistics.median(cpu),
                   key_cpu_p95_ms=cpu[max(0, round(0.95 * len(cpu)) - 1)])
        # Graphviz's layout, when the app swaps it in (give it until the timeout)
        while engine_of(app) != "dot" and time.perf_counter() - t0 < timeout and any(
                not w.is_finished for w in app.workers):
            await asyncio.sleep(0.05)
        out["engine_at_end"] = engine_of(app)
        swapped = getattr(app, "graphviz_ready_at", None)
        out["graphviz_s"] = (swapped - t0) if swapped else None
    return out


def main(argv) -> int:
    engine = argv[argv.index("--layout") + 1] if "--layout" in argv else "auto"
    timeout = float(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else 60.0
    name = argv[argv.index("--out") + 1] if "--out" in argv else "tui"
    quick = "--quick" in argv
    from graphdiff.tui.app import GraphdiffApp
    cases = [("random", n, lambda n=n: random_dag(n)) for n in (50, 500, 2000)]
    cases += [("recurrence", n, lambda n=n: recurrence(n)) for n in (70, 500, 2000)]
    if quick:
        cases = [c for c in cases if c[1] in (50, 70, 500)]
    if "--only" in argv:
        only = set(argv[argv.index("--only") + 1].split(","))
        cases = [c for c in cases if f"{c[0]}-{c[1]}" in only]
    rows = {}
    print(f"{'graph':>11} {'size':>5} {'nodes':>6} {'first paint s':>14} {'graphviz s':>11} "
          f"{'key p50 ms':>11} {'key p95 ms':>11} {'key max ms':>11} {'cpu p50':>8} {'cpu p95':>8}  layout")
    for kind, n, build in cases:
        g = build()

        def make_app(g=g):
            return GraphdiffApp(g, mode="reverse", layout_engine=engine)
        r = asyncio.run(measure(make_app, timeout, KEYS))
        r.update(graph=kind, size=n, nodes=len(g))
        rows[f"{kind}-{n}"] = r

        def f(v, spec):
            return "-" if v is None else format(v, spec)
        paint = f(r["first_paint_s"], ".2f") if r["first_paint_s"] is not None else f"> {timeout:.0f}"
        print(f"{kind:>11} {n:>5} {len(g):>6} {paint:>14} {f(r.get('graphviz_s'), '.2f'):>11} "
              f"{f(r.get('key_p50_ms'), '.1f'):>11} {f(r.get('key_p95_ms'), '.1f'):>11} "
              f"{f(r.get('key_max_ms'), '.1f'):>11} {f(r.get('key_cpu_p50_ms'), '.1f'):>8} "
              f"{f(r.get('key_cpu_p95_ms'), '.1f'):>8}  {r.get('engine_at_first_paint', '-')}"
              f"{' → ' + r['engine_at_end'] if r.get('engine_at_end') not in (None, r.get('engine_at_first_paint')) else ''}",
              flush=True)
    print(f"results: {save(name, {'tui': rows, 'size': [120, 35], 'layout': engine, 'load': os.getloadavg()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
