"""eval, grad, jacobian, trace, stats and check (their arguments: cli/spec.py)."""
from __future__ import annotations

import json
import sys

import numpy as np

from ..values import count, jsonable
from .common import fmt, load_graph, names, no_inputs_error, print_json, sweep_for, warn_nonfinite


def cmd_eval(args) -> int:
    g = load_graph(args)
    from ..sweeps import primal
    sw = primal(g)
    outs = {name: sw.values[i] for name, i in g.outputs}
    if args.json:
        doc = {"outputs": {k: jsonable(v) for k, v in outs.items()}}
        if args.all:
            doc["nodes"] = {g.label(n.id): jsonable(sw.values[n.id]) for n in g.nodes}
        print_json(doc)
    else:
        rows = [(g.label(n.id), sw.values[n.id]) for n in g.nodes] if args.all else list(outs.items())
        for name, v in rows:
            print(f"{name} = {fmt(v)}")
    bad = [name for name, v in outs.items() if not np.isfinite(v).all()]
    return warn_nonfinite(args, g, " and ".join(bad), primal_sweep=sw) if bad else 0


def cmd_grad(args) -> int:
    g = load_graph(args)
    if not g.inputs:
        raise no_inputs_error()
    value, grads = g.grad(wrt=names(args.wrt), mode=args.mode, output=args.of)
    name = args.of or g.outputs[0][0]
    if args.json:
        print_json({"output": name, "value": jsonable(value), "mode": args.mode,
                    "grad": {k: jsonable(v) for k, v in grads.items()}})
    else:
        print(f"{name} = {fmt(value)}   ({args.mode} mode)")
        for k, v in grads.items():
            print(f"∂{name}/∂{k} = {fmt(v)}")
    bad = ([name] if not np.isfinite(value) else []) + \
        [f"∂{name}/∂{k}" for k, v in grads.items() if not np.isfinite(v).all()]
    return warn_nonfinite(args, g, ", ".join(bad), outputs=[name]) if bad else 0


def cmd_jacobian(args) -> int:
    g = load_graph(args)
    if not g.inputs:
        raise no_inputs_error()
    J = g.jacobian(mode=args.mode)
    if args.json:
        print_json({"mode": args.mode, "rows": list(J.rows), "cols": list(J.cols),
                    "matrix": [jsonable(r) for r in J.matrix]})
    else:
        width = max([len(c) for c in J.cols] + [10])
        rw = max([len(r) for r in J.rows] + [1])
        print(" " * rw + "  " + "  ".join(c.rjust(width) for c in J.cols))
        for r, row in zip(J.rows, J.matrix):
            print(r.ljust(rw) + "  " + "  ".join(f"{x:.6g}".rjust(width) for x in row))
    if np.isfinite(J.matrix).all():
        return 0
    return warn_nonfinite(args, g, "the Jacobian", outputs=[name for name, _ in g.outputs])


def cmd_trace(args) -> int:
    g = load_graph(args)
    if args.symbolic:
        from ..interop.sympy import show_formulas
        show_formulas(g)
    sw = sweep_for(g, args.mode, args.seed)
    if args.json:   # streamed a step at a time (a 300,000-step sweep never sits in memory as text)
        out = sys.stdout
        out.write('{"mode": ' + json.dumps(sw.mode) + ', "steps": [')
        for k, s in enumerate(sw.steps):
            out.write((", " if k else "") + json.dumps(step_json(g, sw, s), ensure_ascii=False))
        out.write("]}\n")
        return 0
    from ..explain import trace_lines
    for line in trace_lines(g, sw):
        print(line)
    return 0


def step_json(g, sw, s) -> dict:
    """One step record as `trace --json` writes it (`index` 0-based)."""
    d = {"index": s.index, "node": f"v{s.node}", "name": g.node(s.node).names[0] if g.node(s.node).names else None,
         "op": s.op, "operands": [f"v{j}" for j in s.operands], "value": jsonable(s.value)}
    if sw.mode == "forward":
        d["tangent"] = jsonable(s.tangent)
    if sw.mode == "reverse":
        d["adjoint"] = jsonable(s.adjoint)
    d["contributions"] = [{"from": f"v{t.src}", "to": f"v{t.dst}", "partial": jsonable(t.partial),
                           "term": jsonable(t.term)} for t in s.terms]
    if "partial_formulas" in g.cache:    # --symbolic
        from ..explain import partial_formula
        for c, t in zip(d["contributions"], s.terms):
            c["formula"] = partial_formula(g, t)
    if s.note:
        d["note"] = s.note
    return d


def cmd_stats(args) -> int:
    g = load_graph(args)
    st = g.stats()
    from ..cost import primal_flops
    st["flops"], st["tree_flops"] = primal_flops(g)   # one evaluation, with sharing and as a tree
    st = {k: count(v) for k, v in st.items()}         # a tree's counts can have thousands of digits
    if args.json:
        print_json(st)
        return 0
    for k, v in st.items():
        print(f"{k:11s} {v}")
    return 0


def cmd_check(args) -> int:
    g = load_graph(args)
    from ..check import check_graph
    from ..source import GraphError
    if not g.inputs:
        raise no_inputs_error()
    if args.eps is not None and not 0 < args.eps < 1:
        raise GraphError(f"--eps {args.eps:g} is out of range: give a relative step between 0 and 1, e.g. 1e-3")
    report = check_graph(g, eps=args.eps, max_entries=max(1, args.max_entries))
    if args.json:
        print_json(report.to_json())
    else:
        for line in report.lines():
            print(line)
    return 0 if report.ok else 1
