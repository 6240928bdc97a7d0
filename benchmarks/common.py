"""Shared helpers for the benchmarks: timing (median of several runs) and result files."""
from __future__ import annotations

import gc
import json
import pathlib
import platform
import statistics
import subprocess
import time

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def timings(fn, repeat: int = 5) -> list[float]:
    """Seconds of `repeat` runs of fn, a full collection before each run (not timed).

    fn's result is freed after the clock stops, so freeing a large result (a sweep's records,
    a peer's graph) is timed for no one.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        del result
    return times


def median_of(fn, repeat: int = 5) -> float:
    """The median of `repeat` runs, in seconds."""
    return statistics.median(timings(fn, repeat))


def revision() -> str:
    """The repository's commit, with "+dirty" when the work tree has changes (or "unknown")."""
    root = RESULTS.parent.parent
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "graphdiff"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def save(name: str, doc: dict) -> pathlib.Path:
    RESULTS.mkdir(exist_ok=True)
    doc = {"machine": platform.platform(), "python": platform.python_version(), "revision": revision(), **doc}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def random_dag(n: int, seed: int = 0):
    """A random AD-like DAG of n op nodes: each an op of one of the last 6 and one of the last 30."""
    import random

    import graphdiff as gd
    rng = random.Random(seed)
    g = gd.Graph()
    vs = [g.input("x", 0.3), g.input("y", 0.7)]
    while g.n_ops() < n:
        a = vs[-1 - rng.randrange(min(len(vs), 6))]
        b = vs[-1 - rng.randrange(min(len(vs), 30))]
        vs.append([lambda: a * b, lambda: a + b, lambda: gd.sin(a), lambda: gd.tanh(a) - b][rng.randrange(4)]())
    g.output("f", vs[-1])
    return g
