"""Sweep times of graphdiff, as ratios measured side by side in one run.

* scalar graphs of 1e3, 1e4, 1e5 operation nodes (a chain mixing a·b, (a+b)/2, √a and relu(a),
  each node reading the previous one and one of the ten before it; values stay in [1e-3, 1]);
* a 1024-wide one-hidden-layer network (array nodes: W₁ 1024×1024, tanh, w₂, squared loss).

For each: the primal, forward (tangent) and reverse (adjoint) sweeps with full step records, as
seconds and as ratios to the primal sweep. On the 1e5 graph also micrograd's forward + backward
on the same graph (when micrograd is importable: `bash benchmarks/setup_peers.sh`), against
graphdiff's recorded primal + adjoint sweeps. Targets: micrograd / graphdiff ≥ 2, reverse /
primal ≤ 3.

    python benchmarks/bench_sweeps.py [--quick]
"""
from __future__ import annotations

import random
import sys
import threading

import numpy as np

import graphdiff as gd
from common import best_of, save


def chain_recipe(n_ops: int, seed: int = 0) -> list[tuple[int, int, int]]:
    """(kind, a, b) steps over a growing list of values; kind 1 makes two nodes."""
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


def micrograd_forward_backward(recipe):
    from micrograd.engine import Value
    vs = [Value(0.5), Value(0.3)]
    for kind, a, b in recipe:
        a, b = vs[a], vs[b]
        vs.append(a * b if kind == 0 else (a + b) * 0.5 if kind == 1 else a ** 0.5 if kind == 2 else a.relu())
    vs[-1].backward()
    return vs[0].grad, vs[1].grad


def in_big_stack(fn):
    """Run fn in a thread with a large stack: micrograd's topological sort is recursive."""
    out = {}
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(10 ** 7)
    threading.stack_size(1 << 29)
    t = threading.Thread(target=lambda: out.setdefault("r", fn()))
    t.start()
    t.join()
    sys.setrecursionlimit(old)
    return out.get("r")


def network(width: int = 1024, seed: int = 0) -> gd.Graph:
    rng = np.random.default_rng(seed)
    g = gd.Graph()
    x = g.input("x", rng.standard_normal(width))
    W1 = g.input("W1", rng.standard_normal((width, width)) / np.sqrt(width))
    b1 = g.input("b1", np.zeros(width))
    w2 = g.input("w2", rng.standard_normal(width) / np.sqrt(width))
    t = g.const("t", 0.5)
    h = gd.tanh(W1 @ x + b1)
    g.output("loss", (gd.dot(w2, h) - t) ** 2)
    return g


def sweep_times(g: gd.Graph, repeat: int) -> dict:
    primal = best_of(lambda: gd.primal(g), repeat)
    p = gd.primal(g)
    forward = best_of(lambda: gd.forward(g, primal_sweep=p), repeat)
    reverse = best_of(lambda: gd.reverse(g, primal_sweep=p), repeat)
    both = best_of(lambda: gd.reverse(g, primal_sweep=gd.primal(g)), repeat)
    return {"nodes": len(g.nodes), "ops": g.n_ops(), "primal_s": primal, "forward_s": forward,
            "reverse_s": reverse, "primal_plus_reverse_s": both,
            "forward_over_primal": forward / primal, "reverse_over_primal": reverse / primal}


def main(argv) -> int:
    quick = "--quick" in argv
    repeat = 2 if quick else 5
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    rows = {}
    print(f"{'graph':>18} {'nodes':>8} {'primal s':>10} {'forward s':>10} {'reverse s':>10} "
          f"{'fwd/primal':>10} {'rev/primal':>10}")
    recipes = {}
    for n in sizes:
        recipes[n] = chain_recipe(n)
        g = build_graphdiff(recipes[n])
        rows[f"chain_{n}"] = r = sweep_times(g, repeat)
        print(f"{'scalar chain ' + format(n, ','):>18} {r['nodes']:>8} {r['primal_s']:>10.4f} {r['forward_s']:>10.4f} "
              f"{r['reverse_s']:>10.4f} {r['forward_over_primal']:>10.2f} {r['reverse_over_primal']:>10.2f}")
    g = network(256 if quick else 1024)
    rows["network_1024"] = r = sweep_times(g, repeat)
    print(f"{'1024-wide network':>18} {r['nodes']:>8} {r['primal_s']:>10.4f} {r['forward_s']:>10.4f} "
          f"{r['reverse_s']:>10.4f} {r['forward_over_primal']:>10.2f} {r['reverse_over_primal']:>10.2f}")

    doc = {"sweeps": rows}
    big = max(sizes)
    try:
        import micrograd  # noqa: F401
    except ImportError:
        print("\nmicrograd is not installed here: run `bash benchmarks/setup_peers.sh --no-torch` and use "
              "benchmarks/.venv-peers/bin/python")
    else:
        g = build_graphdiff(recipes[big])
        ours = rows[f"chain_{big}"]["primal_plus_reverse_s"]
        theirs = in_big_stack(lambda: best_of(lambda: micrograd_forward_backward(recipes[big]), repeat))
        grads_mg = in_big_stack(lambda: micrograd_forward_backward(recipes[big]))
        _, grads_gd = g.grad()
        agree = bool(np.allclose([grads_gd["x"], grads_gd["y"]], grads_mg, rtol=1e-9, atol=1e-12))
        doc["micrograd"] = {"nodes": big, "micrograd_fwd_bwd_s": theirs, "graphdiff_primal_reverse_s": ours,
                            "speedup": theirs / ours, "gradients_agree": agree}
        print(f"\n{big:,}-node chain: micrograd forward+backward {theirs:.3f} s, graphdiff recorded "
              f"primal+reverse {ours:.3f} s: graphdiff is {theirs / ours:.2f}x faster (target ≥ 2); "
              f"gradients agree: {agree}")
    r = rows[f"chain_{big}"]
    print(f"reverse / primal on the {big:,}-node chain: {r['reverse_over_primal']:.2f} (target ≤ 3)")
    print(f"results: {save('sweeps' + ('_quick' if quick else ''), doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
