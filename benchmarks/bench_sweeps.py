"""Sweep times of graphdiff, as ratios measured side by side in one run.

Graphs, all built through the Python API:

* scalar chains of 1e3, 1e4, 1e5 op nodes: node k = op(v_{k-1}, v_{k-j}) for a random j in
  1..9, ops cycling through a·b, (a+b)·0.5, a**0.5 and relu(a) (ops micrograd has too; the
  values stay in (0, 1]);
* a 1024-wide one-hidden-layer network with array nodes: x ∈ R^1024, W1 1024×1024,
  h = tanh(W1 @ x + b1), loss = (w2 · h − t)².

For each graph: gd.primal(g), gd.forward(g) and gd.reverse(g), all with full step records, each
as the median of several runs and as a ratio to the primal sweep of the same run. Also the
adjoint sweep alone, gd.reverse(g, primal_sweep=p), which reuses a recorded primal sweep as the
TUI does. On the 1e5 chain, micrograd's forward (building Values) + backward() on the same
graph, against graphdiff's recorded primal + reverse. With torch importable, torch's
(forward + backward) / forward on the same network, for context.

Targets: micrograd / graphdiff >= 2, reverse / primal <= 3. This is a measurement, not a test:
it exits 0 whether or not a target is met.

    bash benchmarks/setup_peers.sh && benchmarks/.venv-peers/bin/python benchmarks/bench_sweeps.py [--quick]
"""
from __future__ import annotations

import os

# Single-threaded BLAS (NumPy) and torch unless the environment says otherwise: on a 2-core VM a
# second BLAS thread that waits for a busy core made the 1024×1024 matvec 10× slower (0.5 → 5-8 ms)
# and the network rows noise. Set before NumPy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import gc  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import graphdiff as gd  # noqa: E402
from common import median_of, save, timings  # noqa: E402

SPEEDUP_TARGET = 2.0        # micrograd fwd+bwd / graphdiff primal+reverse, at least
REVERSE_TARGET = 3.0        # reverse / primal, at most


# ------------------------------------------------------------------ the graphs

def chain_recipe(n_ops: int, seed: int = 0) -> list[tuple[int, int, int]]:
    """(kind, a, b) steps over a growing list of values; kind 1, (a+b)·0.5, makes two nodes."""
    rng = random.Random(seed)
    steps, count, ops = [], 2, 0
    while ops < n_ops:
        kind = len(steps) % 4
        a, b = count - 1, count - 1 - rng.randint(1, min(count, 10) - 1)
        steps.append((kind, a, b))
        count += 1
        ops += 2 if kind == 1 else 1
    return steps


def build_graphdiff(recipe) -> gd.Graph:
    g = gd.Graph()
    vs = [g.input("x", 0.5), g.input("y", 0.3)]
    for kind, a, b in recipe:
        a, b = vs[a], vs[b]
        vs.append(a * b if kind == 0 else (a + b) * 0.5 if kind == 1 else a ** 0.5 if kind == 2 else gd.relu(a))
    g.output("f", vs[-1])
    return g


def network_arrays(width: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {"x": rng.standard_normal(width), "W1": rng.standard_normal((width, width)) / np.sqrt(width),
            "b1": np.zeros(width), "w2": rng.standard_normal(width) / np.sqrt(width)}


def network(arrays: dict, t: float = 0.5) -> gd.Graph:
    g = gd.Graph()
    x, W1, b1, w2 = (g.input(name, arrays[name]) for name in ("x", "W1", "b1", "w2"))
    h = gd.tanh(W1 @ x + b1)
    g.output("loss", (gd.dot(w2, h) - g.const("t", t)) ** 2)
    return g


# ------------------------------------------------------------------ graphdiff's sweeps

def sweep_times(g: gd.Graph, repeat: int) -> dict:
    """Medians (and the cold first call) of each sweep, and their ratios to the primal sweep."""
    p = gd.primal(g)
    runs = {
        "primal": timings(lambda: gd.primal(g), repeat),
        "forward": timings(lambda: gd.forward(g), repeat),
        "reverse": timings(lambda: gd.reverse(g), repeat),
        "adjoint_only": timings(lambda: gd.reverse(g, primal_sweep=p), repeat),
        "primal_plus_reverse": timings(lambda: gd.reverse(g, primal_sweep=gd.primal(g)), repeat),
    }
    r = {"nodes": len(g.nodes), "ops": g.n_ops(), "repeat": repeat}
    for name, ts in runs.items():
        r[f"{name}_s"] = statistics.median(ts)
        r[f"{name}_runs_s"] = ts
    for name in ("forward", "reverse", "adjoint_only"):
        r[f"{name}_over_primal"] = r[f"{name}_s"] / r["primal_s"]
    return r


# ------------------------------------------------------------------ micrograd on the same chain

def micrograd_run(recipe) -> tuple[float, float, tuple]:
    """(build seconds, backward seconds, (dx, dy)) of one micrograd forward + backward."""
    from micrograd.engine import Value
    t0 = time.perf_counter()
    vs = [Value(0.5), Value(0.3)]
    for kind, a, b in recipe:
        a, b = vs[a], vs[b]
        vs.append(a * b if kind == 0 else (a + b) * 0.5 if kind == 1 else a ** 0.5 if kind == 2 else a.relu())
    t1 = time.perf_counter()
    vs[-1].backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, (vs[0].grad, vs[1].grad)


def in_big_stack(fn):
    """Run fn in a thread with a 512 MB stack: micrograd's topological sort recurses once per node."""
    out = {}
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(10 ** 7)
    threading.stack_size(512 * 2 ** 20)
    try:
        t = threading.Thread(target=lambda: out.setdefault("r", fn()))
        t.start()
        t.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(old)
    if "r" not in out:
        raise RuntimeError("micrograd's run failed in its thread (see the traceback above)")
    return out["r"]


def micrograd_times(recipe, repeat: int, *, gc_paused: bool) -> dict:
    def runs():
        build, backward, grads = [], [], None
        for _ in range(repeat):
            gc.collect()
            if gc_paused:
                gc.disable()
            try:
                b, w, grads = micrograd_run(recipe)
            finally:
                gc.enable()
            build.append(b)
            backward.append(w)
        return build, backward, grads
    build, backward, grads = in_big_stack(runs)
    gc.collect()
    total = [b + w for b, w in zip(build, backward)]
    return {"build_s": statistics.median(build), "backward_s": statistics.median(backward),
            "fwd_bwd_s": statistics.median(total), "fwd_bwd_runs_s": total, "grads": grads}


def compare_micrograd(recipe, g: gd.Graph, ours: dict, repeat: int) -> dict:
    """micrograd's forward (building Values) + backward() on the same chain, against graphdiff."""
    build_gd = median_of(lambda: build_graphdiff(recipe), max(3, repeat // 2))
    mg = micrograd_times(recipe, repeat, gc_paused=False)
    mg_paused = micrograd_times(recipe, repeat, gc_paused=True)
    _, grads = g.grad()
    denom = ours["primal_plus_reverse_s"]
    return {
        "ops": g.n_ops(),
        "micrograd_build_s": mg["build_s"], "micrograd_backward_s": mg["backward_s"],
        "micrograd_fwd_bwd_s": mg["fwd_bwd_s"], "micrograd_fwd_bwd_runs_s": mg["fwd_bwd_runs_s"],
        "micrograd_gc_paused_fwd_bwd_s": mg_paused["fwd_bwd_s"],
        "graphdiff_primal_plus_reverse_s": denom,
        "graphdiff_reverse_alone_s": ours["reverse_s"],
        "graphdiff_build_s": build_gd,
        "ratio": mg["fwd_bwd_s"] / denom,
        "ratio_micrograd_gc_paused": mg_paused["fwd_bwd_s"] / denom,
        "ratio_with_graphdiff_build": mg["fwd_bwd_s"] / (denom + build_gd),
        "gradients_agree": bool(np.allclose([grads["x"], grads["y"]], mg["grads"], rtol=1e-9, atol=1e-12)),
    }


def print_micrograd(docs: dict, repeat: int) -> None:
    print(f"\nmicrograd vs graphdiff on the same chains (medians of {repeat}; ratio = micrograd build Values + "
          f"backward() / graphdiff recorded primal + reverse(primal_sweep=p)):")
    print(f"{'ops':>8} {'mg build s':>10} {'mg bwd s':>9} {'mg total s':>10} {'mg GC-off s':>11} "
          f"{'gd p+r s':>9} {'gd build s':>10} {'ratio':>6} {'GC-off':>7} {'w/ build':>8} {'grads ok':>8}")
    for m in docs.values():
        print(f"{m['ops']:>8,} {m['micrograd_build_s']:>10.4f} {m['micrograd_backward_s']:>9.4f} "
              f"{m['micrograd_fwd_bwd_s']:>10.4f} {m['micrograd_gc_paused_fwd_bwd_s']:>11.4f} "
              f"{m['graphdiff_primal_plus_reverse_s']:>9.4f} {m['graphdiff_build_s']:>10.4f} {m['ratio']:>6.2f} "
              f"{m['ratio_micrograd_gc_paused']:>7.2f} {m['ratio_with_graphdiff_build']:>8.2f} "
              f"{str(m['gradients_agree']):>8}")
    print("  GC-off: micrograd with the cyclic GC paused, as graphdiff's sweeps pause it; w/ build: graphdiff's "
          "graph construction added to its side")


# ------------------------------------------------------------------ torch on the same network (context)

def compare_torch(arrays: dict, ours: dict, repeat: int) -> dict | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    params = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in arrays.items()}

    def fwd():
        h = torch.tanh(params["W1"] @ params["x"] + params["b1"])
        return (params["w2"] @ h - 0.5) ** 2

    def fwd_bwd():
        for p in params.values():
            p.grad = None
        fwd().backward()

    fwd_bwd()  # warm-up (first-call dispatch)
    f, fb = median_of(fwd, repeat), median_of(fwd_bwd, repeat)
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "forward_s": f,
            "forward_backward_s": fb, "ratio": fb / f, "graphdiff_reverse_over_primal": ours["reverse_over_primal"]}


def print_torch(doc: dict | None) -> None:
    if doc is None:
        print("\ntorch is not importable here: its network ratio is skipped.")
        return
    print(f"\ntorch {doc['torch']} on the same network (float64, {doc['threads']} thread(s)): forward "
          f"{doc['forward_s'] * 1e3:.2f} ms, forward + backward {doc['forward_backward_s'] * 1e3:.2f} ms, "
          f"ratio {doc['ratio']:.2f} (graphdiff reverse / primal: {doc['graphdiff_reverse_over_primal']:.2f})")


# ------------------------------------------------------------------ report

HEADER = (f"{'graph':<22} {'nodes':>8} {'primal s':>9} {'forward s':>10} {'reverse s':>10} "
          f"{'adjoint s':>10} {'fwd/primal':>10} {'rev/primal':>10} {'adj/primal':>10}")


def row(label: str, r: dict) -> str:
    return (f"{label:<22} {r['nodes']:>8,} {r['primal_s']:>9.4f} {r['forward_s']:>10.4f} {r['reverse_s']:>10.4f} "
            f"{r['adjoint_only_s']:>10.4f} {r['forward_over_primal']:>10.2f} {r['reverse_over_primal']:>10.2f} "
            f"{r['adjoint_only_over_primal']:>10.2f}")


def main(argv) -> int:
    quick = "--quick" in argv
    repeat = 3 if quick else 7
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    width = 256 if quick else 1024
    load = os.getloadavg()[0]
    print(f"graphdiff sweeps, medians of {repeat} runs, full step records; adjoint = reverse reusing a primal sweep")
    print(f"(BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}; load average at start: {load:.2f} on "
          f"{os.cpu_count()} cores: figures are noisy while other work runs)")
    print(HEADER)
    rows, recipes, graphs = {}, {}, {}
    # The network (and torch on it) first, before the 1e5 chain and micrograd leave a large heap:
    # measured after them, the network's adjoint sweep ran ≈ 30 % slower than in a fresh process.
    arrays = network_arrays(width)
    net = sweep_times(network(arrays), repeat)
    torch_doc = compare_torch(arrays, net, repeat)
    for n in sizes:
        recipes[n] = chain_recipe(n)
        graphs[n] = g = build_graphdiff(recipes[n])
        rows[f"chain_{n}"] = r = sweep_times(g, repeat)
        print(row(f"scalar chain {n:,}", r), flush=True)
    rows[f"network_{width}"] = net
    print(row(f"{width}-wide network", net), flush=True)

    doc = {"repeat": repeat, "numpy": np.__version__, "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
           "load_average_at_start": load, "sweeps": rows}
    big = max(sizes)
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("\nmicrograd is not importable here: its comparison is skipped. Run `bash benchmarks/setup_peers.sh` "
              "and use benchmarks/.venv-peers/bin/python.")
        doc["micrograd"] = None
    else:
        doc["micrograd"] = {f"chain_{n}": compare_micrograd(recipes[n], graphs[n], rows[f"chain_{n}"], repeat)
                            for n in sizes}
        print_micrograd(doc["micrograd"], repeat)
    doc["torch_network"] = torch_doc
    print_torch(torch_doc)

    print("\ntargets:")
    if doc["micrograd"]:
        m = doc["micrograd"][f"chain_{big}"]
        m["target_met"] = m["ratio"] >= SPEEDUP_TARGET
        print(f"  micrograd / graphdiff >= {SPEEDUP_TARGET:g} on the {big:,}-op chain: {m['ratio']:.2f} "
              f"{'met' if m['target_met'] else 'MISSED'} ({m['ratio_micrograd_gc_paused']:.2f} with micrograd's GC "
              f"paused too)")
    doc["reverse_target"] = {}
    for name, r in rows.items():
        met = r["reverse_over_primal"] <= REVERSE_TARGET
        doc["reverse_target"][name] = met
        print(f"  reverse / primal <= {REVERSE_TARGET:g} on {name}: {r['reverse_over_primal']:.2f} "
              f"{'met' if met else 'MISSED'} (adjoint alone {r['adjoint_only_over_primal']:.2f})")
    print(f"results: {save('sweeps' + ('_quick' if quick else ''), doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
