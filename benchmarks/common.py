"""Shared helpers for the benchmarks: timing (best of several runs) and result files."""
from __future__ import annotations

import gc
import json
import pathlib
import platform
import time

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def best_of(fn, repeat: int = 5) -> float:
    """The fastest of `repeat` runs, in seconds (a full collection between runs)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def save(name: str, doc: dict) -> pathlib.Path:
    RESULTS.mkdir(exist_ok=True)
    doc = {"machine": platform.platform(), "python": platform.python_version(), **doc}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path
