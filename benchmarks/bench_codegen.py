"""The generated Python, compiled once (graphdiff.emit), against hand-written code, graphdiff's
interpreted sweeps and the peers, as ratios measured side by side in one run.

Graphs: graphs/peyre.gd, f(x) = log(x+√(x²+1))/√(x²+1) − log³(x+√(x²+1)) at x = 0.7, and the
1e4-op scalar chain of bench_sweeps.py (same generator, imported from there).

Every contender computes the value and the gradient of the scalar output w.r.t. all inputs, per
call:

* graphdiff compiled: fn = emit.compiled_gradient(g) (compiling timed apart, on fresh graphs),
  then fn() and fn(at); and the generated module's own gradient(**inputs), without the wrapper;
* graphdiff interpreted: sweeps.gradient(g) (no step records) and gd.reverse(g) (recorded);
* hand-written straight-line code: for Peyré written below by hand; for the chain printed by a
  deliberately minimal emitter in this file (one line per node, one adjoint line per edge with
  the local partial inline), independent of graphdiff.emit;
* micrograd (Values + backward()), autograd (value_and_grad over autograd.numpy) and torch
  (float64 scalar tensors + backward()), running the Peyré formula or replaying the chain node
  by node through a small op table each. A peer that is not importable is skipped.

Every gradient is checked against graphdiff's interpreted one (1e-10 relative) before timing.
Calls are timed in batches of about 0.2 s (0.05 s with --quick), the contenders taking turns, and
the median of 7 rounds (3) is reported. Target: compiled / hand-written ≤ 3. This is a
measurement, not a test: it exits 0 whether or not the target is met.

    bash benchmarks/setup_peers.sh && benchmarks/.venv-peers/bin/python benchmarks/bench_codegen.py [--quick]
"""
from __future__ import annotations

# bench_sweeps first: it sets single-threaded BLAS / OpenMP before NumPy (and torch) are imported.
from bench_sweeps import build_graphdiff, chain_recipe, in_big_stack

import math  # noqa: E402
import operator  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import graphdiff as gd  # noqa: E402
from common import save, timings  # noqa: E402
from graphdiff import sweeps  # noqa: E402
from graphdiff.emit import compile_module, compiled_gradient  # noqa: E402

HAND_TARGET = 3.0  # compiled / hand-written, at most
PEYRE = pathlib.Path(__file__).resolve().parent.parent / "graphs" / "peyre.gd"
CHAIN_OPS = 10_000


# ------------------------------------------------------------------ hand-written code

def peyre_by_hand(x=0.7):
    """f and df/dx of the Peyré function, reverse mode, as a person would write it."""
    u = math.sqrt(x * x + 1.0)
    w = x + u
    v = math.log(w)
    f = v / u - v ** 3
    v_bar = 1.0 / u - 3.0 * v * v
    u_bar = -v / (u * u)
    w_bar = v_bar / w
    u_bar += w_bar
    x_bar = w_bar + u_bar * x / u  # du/dx = x/u
    return f, {"x": x_bar}


# The chain's ops as straight-line Python: the primal, then each operand's adjoint term from the
# node's adjoint {g} (pow appears only as a**0.5, written as a square root).
HAND_PRIMAL = {"mul": "{a} * {b}", "add": "{a} + {b}", "sqrt": "math.sqrt({a})",
               "relu": "{a} if {a} > 0.0 else 0.0"}
HAND_TERMS = {"mul": ("{g} * {b}", "{g} * {a}"), "add": ("{g}", "{g}"), "sqrt": ("{g} * 0.5 / {y}",),
              "relu": ("({g} if {a} > 0.0 else 0.0)",)}


def hand_written(g: gd.Graph):
    """gradient(**inputs) -> (value, {input: gradient}) as straight-line code, by a minimal emitter."""
    nodes = g.node_list()
    out = g.outputs[0][1]
    needed = {out}
    for n in reversed(nodes):
        if n.id in needed:
            needed.update(n.operands)

    def ref(j):
        return repr(float(nodes[j].value)) if nodes[j].op == "const" else f"v{j}"

    def op_of(n):
        if n.op == "pow" and nodes[n.operands[1]].op == "const" and float(nodes[n.operands[1]].value) == 0.5:
            return "sqrt"
        if n.op not in HAND_PRIMAL:
            raise ValueError(f"the hand-written emitter has no op '{n.op}'")
        return n.op

    names = {i: g.input_name(i) for i in g.inputs}
    lines = [f"def gradient({', '.join(names.values())}):"]
    lines += [f"    v{i} = {name}" for i, name in names.items()]
    for n in nodes:
        if n.id in needed and not n.is_leaf:
            lines.append(f"    v{n.id} = " + HAND_PRIMAL[op_of(n)].format(a=ref(n.operands[0]),
                                                                      b=ref(n.operands[-1])))
    lines.append(f"    v{out}_bar = 1.0")
    have = {out}
    for n in reversed(nodes):
        if n.id not in have or n.is_leaf:
            continue
        for k, j in enumerate(n.operands):
            if nodes[j].op == "const":
                continue
            term = HAND_TERMS[op_of(n)][k].format(g=f"v{n.id}_bar", y=f"v{n.id}", a=ref(n.operands[0]),
                                                  b=ref(n.operands[-1]))
            lines.append(f"    v{j}_bar {'+=' if j in have else '='} {term}")
            have.add(j)
    grads = ", ".join(f"{name!r}: {f'v{i}_bar' if i in have else '0.0'}" for i, name in names.items())
    lines.append(f"    return v{out}, {{{grads}}}")
    namespace = {"math": math}
    exec(compile("\n".join(lines) + "\n", "<hand-written chain>", "exec"), namespace)
    return namespace["gradient"]


# ------------------------------------------------------------------ the programs the peers run

ARITH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
         "pow": operator.pow}
FLOAT_OPS = {**ARITH, "sqrt": math.sqrt, "log": math.log, "relu": lambda a: a if a > 0.0 else 0.0}


def peyre_program(xs, ops):
    """The Peyré formula written once, run on each peer's numbers and functions."""
    x = xs["x"]
    u = ops["sqrt"](x ** 2 + 1.0)
    v = ops["log"](x + u)
    return v / u - v ** 3


def chain_program(g: gd.Graph):
    """A replay of g node by node through an op table: consts as floats, inputs from xs."""
    nodes, out = g.node_list(), g.outputs[0][1]

    def program(xs, ops):
        vals = [None] * len(nodes)
        for n in nodes:
            if n.op == "input":
                vals[n.id] = xs[n.names[0]]
            elif n.op == "const":
                vals[n.id] = float(n.value)
            else:
                vals[n.id] = ops[n.op](*[vals[j] for j in n.operands])
        return vals[out]

    return program


def micrograd_runner(program, at: dict):
    from micrograd.engine import Value

    def log(a):  # micrograd has no log: one more op in its own style
        out = Value(math.log(a.data), (a,), "log")

        def _backward():
            a.grad += out.grad / a.data
        out._backward = _backward
        return out

    ops = {**ARITH, "sqrt": lambda a: a ** 0.5, "log": log, "relu": Value.relu}

    def run():
        xs = {k: Value(v) for k, v in at.items()}
        f = program(xs, ops)
        f.backward()
        return f.data, {k: x.grad for k, x in xs.items()}
    return run


def autograd_runner(program, at: dict):
    import autograd.numpy as anp
    from autograd import value_and_grad
    ops = {**ARITH, "sqrt": anp.sqrt, "log": anp.log, "relu": lambda a: anp.maximum(a, 0.0)}
    names, point = list(at), tuple(at.values())
    value_grad = value_and_grad(lambda vals: program(dict(zip(names, vals)), ops))

    def run():
        f, grads = value_grad(point)
        return f, dict(zip(names, grads))
    return run


def torch_runner(program, at: dict):
    import torch
    ops = {**ARITH, "sqrt": torch.sqrt, "log": torch.log, "relu": torch.relu}

    def run():
        xs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in at.items()}
        f = program(xs, ops)
        f.backward()
        return f.item(), {k: x.grad.item() for k, x in xs.items()}
    return run


PEERS = {"micrograd": micrograd_runner, "autograd": autograd_runner, "torch": torch_runner}


# ------------------------------------------------------------------ checking and timing

def check(name: str, got, want) -> None:
    """Fail loudly unless value and gradients agree with graphdiff's to 1e-10 relative."""
    pairs = [("value", got[0], want[0])] + [(k, got[1][k], v) for k, v in want[1].items()]
    for what, a, b in pairs:
        a, b = float(a), float(b)
        if not abs(a - b) <= 1e-10 * max(abs(a), abs(b), 1e-300):
            raise RuntimeError(f"{name}: {what} = {a!r}, graphdiff's sweeps give {b!r}")


def calls_per_run(fn, min_time: float) -> int:
    """How many calls of fn make a run of about min_time seconds."""
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t
        if dt >= min_time / 10:
            return max(1, round(n * min_time / dt))
        n *= 10


def measure(contenders: dict, repeat: int, min_time: float) -> dict:
    """Seconds per call of each contender: `repeat` rounds in which every contender runs once."""
    def batch(fn, n):
        for _ in range(n):
            fn()

    calls = {name: calls_per_run(fn, min_time) for name, fn in contenders.items()}
    runs = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            [t] = timings(lambda: batch(fn, calls[name]), 1)
            runs[name].append(t / calls[name])
    return {name: {"s": statistics.median(ts), "runs_s": ts, "calls_per_run": calls[name]}
            for name, ts in runs.items()}


def compile_seconds(make_graph, repeat: int) -> float:
    """compiled_gradient(g) on fresh graphs (the module is cached on its graph): generate, compile, exec."""
    ts = []
    for _ in range(repeat):
        g = make_graph()
        t = time.perf_counter()
        compiled_gradient(g)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


# ------------------------------------------------------------------ one graph

ROWS = [  # (key, label); the ratios are to "compiled"
    ("hand", "hand-written straight-line"),
    ("compiled", "compiled fn()"),
    ("compiled_at", "compiled fn(at)"),
    ("module", "generated gradient(**inputs)"),
    ("sweeps_gradient", "sweeps.gradient (no records)"),
    ("reverse_recorded", "gd.reverse (records)"),
    ("micrograd", "micrograd"),
    ("autograd", "autograd"),
    ("torch", "torch"),
    ("replay_floats", "peers' program on floats (no AD)"),
]


def bench_graph(label: str, make_graph, program, hand, repeat: int, min_time: float) -> dict:
    g = make_graph()
    at = {g.input_name(i): float(g.node(i).value) for i in g.inputs}
    fn = compiled_gradient(g)
    out_name, out = g.outputs[0]
    module_gradient = compile_module(g, mode="reverse", output=out_name).gradient  # the module fn wraps

    def recorded_pair(s):
        return s.values[out], {x: s.derivative(i) for x, i in zip(at, g.inputs)}

    contenders = {  # name -> (fn, its result as (value, gradients))
        "hand": (lambda: hand(**at), None),
        "compiled": (fn, None),
        "compiled_at": (lambda: fn(at), None),
        "module": (lambda: module_gradient(**at), None),
        "sweeps_gradient": (lambda: sweeps.gradient(g), None),
        "reverse_recorded": (lambda: gd.reverse(g), recorded_pair),
    }
    skipped = {}
    for name, runner in PEERS.items():
        try:
            contenders[name] = (runner(program, at), None)
        except ImportError as e:
            skipped[name] = str(e)
            print(f"  {name} is not importable here ({e}): skipped. Run `bash benchmarks/setup_peers.sh` "
                  f"and use benchmarks/.venv-peers/bin/python.")

    want = sweeps.gradient(g)
    for name, (call, pair) in contenders.items():
        check(name, (pair or (lambda r: r))(call()), want)
    contenders["replay_floats"] = (lambda: program(at, FLOAT_OPS), None)

    rows = measure({name: call for name, (call, _) in contenders.items()}, repeat, min_time)
    compile_s = compile_seconds(make_graph, 1 if repeat < 7 else 3)
    base = rows["compiled"]["s"]
    for r in rows.values():
        r["over_compiled"] = r["s"] / base
    saved = rows["sweeps_gradient"]["s"] - base
    doc = {"nodes": len(g), "ops": g.n_ops(), "inputs": list(at), "compile_s": compile_s,
           "break_even_calls": compile_s / saved if saved > 0 else None, "contenders": rows,
           "skipped": skipped, "compiled_over_hand": base / rows["hand"]["s"],
           "gradients_checked": "value and gradient of every contender within 1e-10 relative of sweeps.gradient"}
    doc["target_met"] = doc["compiled_over_hand"] <= HAND_TARGET

    print(f"\n{label}: {len(g):,} nodes, {g.n_ops():,} ops; compiled_gradient(g) takes {compile_s * 1e3:.1f} ms "
          f"(pays for itself over sweeps.gradient after {doc['break_even_calls'] or float('nan'):,.0f} calls)")
    print(f"  {'contender':<34} {'µs/call':>12} {'/ compiled':>11} {'calls/run':>10}")
    for key, text in ROWS:
        if key in rows:
            r = rows[key]
            print(f"  {text:<34} {r['s'] * 1e6:>12,.2f} {r['over_compiled']:>11.2f} {r['calls_per_run']:>10,}")
    return doc


def main(argv) -> int:
    quick = "--quick" in argv
    repeat, min_time = (3, 0.05) if quick else (7, 0.2)
    load = os.getloadavg()[0]
    print(f"graphdiff's compiled gradient vs hand-written code, interpreted sweeps and peers: per-call medians of "
          f"{repeat} rounds (batches of about {min_time:g} s, contenders taking turns)")
    print(f"(load average at start: {load:.2f} on {os.cpu_count()} cores: figures are noisy while other work runs)")
    recipe = chain_recipe(CHAIN_OPS)
    chain = chain_program(build_graphdiff(recipe))
    graphs = {
        "peyre": (f"Peyré ({PEYRE.name})", lambda: gd.load(str(PEYRE)), peyre_program, peyre_by_hand),
        f"chain_{CHAIN_OPS}": (f"scalar chain {CHAIN_OPS:,}", lambda: build_graphdiff(recipe), chain,
                               hand_written(build_graphdiff(recipe))),
    }
    # micrograd's backward() sorts its graph recursively, once per node: a big stack for the chain.
    # A failed gradient check prints its traceback from that thread, then in_big_stack raises.
    results = {key: in_big_stack(lambda: bench_graph(*spec, repeat, min_time)) for key, spec in graphs.items()}

    print("\ntargets and ratios (to compiled fn()):")
    for key, r in results.items():
        c = r["contenders"]
        peers = ", ".join(f"{p} {c[p]['over_compiled']:.0f}×" for p in PEERS if p in c)
        print(f"  {key}: compiled / hand-written = {r['compiled_over_hand']:.2f} (target ≤ {HAND_TARGET:g}: "
              f"{'met' if r['target_met'] else 'MISSED'}); sweeps.gradient / compiled = "
              f"{c['sweeps_gradient']['over_compiled']:.1f}, gd.reverse / compiled = "
              f"{c['reverse_recorded']['over_compiled']:.1f}; {peers}")
    doc = {"repeat": repeat, "min_run_s": min_time, "load_average_at_start": load, "hand_target": HAND_TARGET,
           "graphs": results}
    print(f"results: {save('codegen' + ('_quick' if quick else ''), doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
