"""The engine's speed, as ratios measured side by side in one run (issue targets in brackets).

* start-up: `graphdiff --help` and `graphdiff eval graphs/peyre.gd`, as ratios to
  `python -c "import numpy"` in the same run [≤ 1.5× and ≤ 3×];
* building the 1e5-node chain of bench_sweeps.py through the Python API [≤ 4 µs a node];
* recorded primal + adjoint sweeps of that chain against micrograd's forward + backward (GC paused)
  [ratio ≥ 1.0], graphdiff's timed with the GC on and, as micrograd's, paused; reverse / primal [≤ 2];
* reverse / primal on the 1024-wide one-hidden-layer network [≤ 4], beside the same ratio for the
  network written by hand in NumPy (the floor: the adjoint writes the 1024×1024 W̄1);
* a node with 50,000 consumers: the recorded reverse sweep [linear time: about the time of any
  other 50,000-edge graph];
* reading a 100,000-line recurrence (lexing, parsing, lowering) [≤ 20 µs a line, ≤ 1 kB a node],
  and `trace --json` / `codegen` of it [≤ 10 s each].

It measures whatever `graphdiff` it imports, so today's figures come from running it against an
older checkout: `PYTHONPATH=/path/to/old/checkout python benchmarks/bench_engine.py --label base`.
A measurement, not a test: it exits 0 whether or not a target is met.

    benchmarks/.venv-peers/bin/python benchmarks/bench_engine.py [--quick] [--label NAME] [--only ROW]

`--only reading` (or startup, chain, network, fanout) runs that row alone.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import graphdiff as gd  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_sweeps import build_graphdiff, chain_recipe, in_big_stack, micrograd_run, network, network_arrays  # noqa: E402,I001
from common import median_of, save  # noqa: E402

GRAPHDIFF_ROOT = Path(gd.__file__).resolve().parent.parent
PEYRE = HERE.parent / "graphs" / "peyre.gd"


def _subprocess_median(argv, repeat, env=None) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def startup(repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(GRAPHDIFF_ROOT))
    py = sys.executable
    base = _subprocess_median([py, "-c", "import numpy"], repeat, env)
    help_s = _subprocess_median([py, "-m", "graphdiff", "--help"], repeat, env)
    eval_s = _subprocess_median([py, "-m", "graphdiff", "eval", str(PEYRE)], repeat, env)
    return {"import_numpy_s": base, "help_s": help_s, "eval_peyre_s": eval_s,
            "help_over_numpy": help_s / base, "eval_over_numpy": eval_s / base}


def paused(fn):
    """fn, run with the cyclic garbage collector paused (as micrograd's run is timed)."""
    def run():
        gc.disable()
        try:
            return fn()
        finally:
            gc.enable()
    return run


def build_and_sweeps(n_ops: int, repeat: int) -> dict:
    recipe = chain_recipe(n_ops)
    build_s = median_of(lambda: build_graphdiff(recipe), repeat)
    g = build_graphdiff(recipe)
    primal_s = median_of(lambda: gd.primal(g), repeat)
    reverse_s = median_of(lambda: gd.reverse(g, primal_sweep=gd.primal(g)), repeat) - primal_s

    def mg():
        out = []
        for _ in range(repeat):
            gc.collect()
            b, w, _ = paused(lambda: micrograd_run(recipe))()
            out.append(b + w)
        return statistics.median(out)

    # The same sweeps with the GC paused around them as micrograd's run is: a sweep pauses the
    # GC itself, but the first collection after it walks its records (tuples the GC tracks), and
    # with the GC on that collection falls inside the timed call.
    primal_paused_s = median_of(paused(lambda: gd.primal(g)), repeat)
    reverse_paused_s = median_of(paused(lambda: gd.reverse(g, primal_sweep=gd.primal(g))), repeat) - primal_paused_s

    try:
        mg_s = in_big_stack(mg)
    except ImportError:
        mg_s = None
    ours = primal_s + reverse_s
    ours_paused = primal_paused_s + reverse_paused_s
    return {"ops": g.n_ops(), "nodes": len(g.nodes), "build_s": build_s, "build_us_per_node": 1e6 * build_s / len(g.nodes),
            "build_gc_paused_s": median_of(paused(lambda: build_graphdiff(recipe)), repeat),
            "primal_s": primal_s, "adjoint_s": reverse_s, "reverse_over_primal": reverse_s / primal_s,
            "micrograd_gc_paused_fwd_bwd_s": mg_s,
            "ratio_micrograd_over_graphdiff": (mg_s / ours) if mg_s else None,
            "primal_gc_paused_s": primal_paused_s, "adjoint_gc_paused_s": reverse_paused_s,
            "ratio_micrograd_over_graphdiff_both_gc_paused": (mg_s / ours_paused) if mg_s else None}


def network_ratio(width: int, repeat: int) -> dict:
    """graphdiff's reverse / primal on the network, and the same ratio for the network written by
    hand in NumPy (the floor: its adjoint must write W̄1 = v̄ xᵀ, width² entries, where the primal
    only reads W1 once in W1 @ x)."""
    arrays = network_arrays(width)
    g = network(arrays)
    reps = max(repeat, 25)      # sub-millisecond runs: more of them
    primal_s = median_of(lambda: gd.primal(g), reps)
    p = gd.primal(g)
    adjoint_s = median_of(lambda: gd.reverse(g, primal_sweep=p), reps)
    x, W1, b1, w2 = (arrays[k] for k in ("x", "W1", "b1", "w2"))

    def np_primal():
        h = np.tanh(W1 @ x + b1)
        return h, (w2 @ h - 0.5) ** 2

    h, _ = np_primal()

    def np_adjoint():
        r_bar = 2 * (w2 @ h - 0.5)
        w2_bar, h_bar = r_bar * h, r_bar * w2
        v_bar = h_bar * (1 - h * h)
        return np.outer(v_bar, x), W1.T @ v_bar, v_bar, w2_bar
    np_primal_s = median_of(np_primal, reps)
    np_adjoint_s = median_of(np_adjoint, reps)
    return {"width": width, "primal_s": primal_s, "adjoint_s": adjoint_s, "reverse_over_primal": adjoint_s / primal_s,
            "numpy_primal_s": np_primal_s, "numpy_adjoint_s": np_adjoint_s,
            "numpy_reverse_over_primal": np_adjoint_s / np_primal_s}


def fanout(n: int, repeat: int) -> dict:
    g = gd.Graph()
    x = g.input("x", 0.5)
    total = None
    for k in range(n):
        term = x * float(k + 1)
        total = term if total is None else total + term
    g.output("f", total)
    p = gd.primal(g)
    return {"consumers": n, "reverse_s": median_of(lambda: gd.reverse(g, primal_sweep=p), max(1, repeat // 2))}


def recurrence_text(lines: int) -> str:
    out = ["input x = 0.3", "input y = 0.7", "t0 = x * y", "t1 = sin(t0) * x + y"]
    for k in range(2, lines):
        out.append(f"t{k} = sin(t{k - 1}) * x + t{k - 2}")
    out.append(f"output f = t{lines - 1}")
    return "\n".join(out) + "\n"


def reading(lines: int, repeat: int) -> dict:
    text = recurrence_text(lines)
    read_s = median_of(lambda: gd.parse(text), repeat)
    gc.collect()
    tracemalloc.start()
    g = gd.parse(text)
    size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.gd"
        path.write_text(text)
        env = dict(os.environ, PYTHONPATH=str(GRAPHDIFF_ROOT))
        cmd = [sys.executable, "-m", "graphdiff"]
        times = {}
        for name, argv in (("eval_s", ["eval", str(path)]), ("trace_json_s", ["trace", str(path), "--json"]),
                           ("codegen_s", ["codegen", str(path)])):
            t = time.perf_counter()
            try:
                subprocess.run(cmd + argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, timeout=120)
                times[name] = time.perf_counter() - t
            except subprocess.TimeoutExpired:
                times[name] = None   # more than 120 s
    return {"lines": lines, "nodes": len(g.nodes), "read_s": read_s, "read_us_per_line": 1e6 * read_s / lines,
            "graph_bytes_per_node": size / len(g.nodes), "peak_bytes_per_node": peak / len(g.nodes), **times}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--label", default="engine", help="the results file: benchmarks/results/LABEL.json")
    ap.add_argument("--only", choices=SECTIONS, help="run one row only (its results file is LABEL-ROW.json)")
    args = ap.parse_args()
    repeat = 3 if args.quick else 7
    doc = {"graphdiff": args.label, "repeat": repeat}
    run = lambda section: args.only in (None, section)  # noqa: E731
    if run("startup"):
        doc["startup"] = startup(repeat + 4)
        print("start-up: import numpy {import_numpy_s:.3f} s; --help {help_s:.3f} s ({help_over_numpy:.2f}×); "
              "eval peyre {eval_peyre_s:.3f} s ({eval_over_numpy:.2f}×)".format(**doc["startup"]))
    if run("chain"):
        doc["chain"] = build_and_sweeps(100_000, repeat)
        c = doc["chain"]
        print(f"1e5 chain: build {c['build_s']:.3f} s ({c['build_us_per_node']:.1f} µs/node; GC paused "
              f"{c['build_gc_paused_s']:.3f} s), primal {c['primal_s']:.3f} s, adjoint {c['adjoint_s']:.3f} s "
              f"(reverse/primal {c['reverse_over_primal']:.2f})")
        if c["micrograd_gc_paused_fwd_bwd_s"]:
            print(f"  micrograd fwd+bwd (GC paused) {c['micrograd_gc_paused_fwd_bwd_s']:.3f} s: "
                  f"ratio micrograd / graphdiff {c['ratio_micrograd_over_graphdiff']:.2f}; with graphdiff's "
                  f"sweeps timed with the GC paused too (primal {c['primal_gc_paused_s']:.3f} s, adjoint "
                  f"{c['adjoint_gc_paused_s']:.3f} s) {c['ratio_micrograd_over_graphdiff_both_gc_paused']:.2f}")
    if run("network"):
        doc["network"] = network_ratio(1024, repeat)
        print("1024-wide network: primal {primal_s:.4f} s, adjoint {adjoint_s:.4f} s, reverse/primal "
              "{reverse_over_primal:.2f}; written by hand in NumPy: primal {numpy_primal_s:.4f} s, adjoint "
              "{numpy_adjoint_s:.4f} s, reverse/primal {numpy_reverse_over_primal:.2f}".format(**doc["network"]))
    if run("fanout"):
        doc["fanout"] = fanout(50_000, repeat)
        print("50,000 consumers of one node: recorded reverse {reverse_s:.3f} s".format(**doc["fanout"]))
    if run("reading"):
        reading_row(doc, repeat)
    print("wrote", save(args.label if args.only is None else f"{args.label}-{args.only}", doc))
    return 0


SECTIONS = ("startup", "chain", "network", "fanout", "reading")


def reading_row(doc: dict, repeat: int) -> None:
    doc["reading"] = reading(100_000, max(1, repeat // 3))
    r = doc["reading"]
    fmt = lambda v: "> 120 s" if v is None else f"{v:.2f} s"  # noqa: E731
    print(f"100,000-line recurrence: read {r['read_s']:.2f} s ({r['read_us_per_line']:.1f} µs/line), "
          f"{r['graph_bytes_per_node']:.0f} B/node kept, {r['peak_bytes_per_node']:.0f} B/node at the peak; eval {fmt(r['eval_s'])}, trace --json {fmt(r['trace_json_s'])}, "
          f"codegen {fmt(r['codegen_s'])}")


if __name__ == "__main__":
    sys.exit(main())
