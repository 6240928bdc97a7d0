"""eval, grad, jacobian, trace, stats and check (their arguments: cli/spec.py)."""
from __future__ import annotations

import json

import numpy as np

from ..values import count, json_string, json_text, jsonable
from .common import (comma_chunks, fmt, load_graph, names, no_inputs_error, print_json, sweep_for, warn_nonfinite,
                     write_chunks)


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
    if args.by_group:
        return trace_by_group(args, g, sw)
    if args.json:   # streamed (a 300,000-step sweep never sits in memory as one text)
        write_chunks(trace_json_chunks(g, sw))
        return 0
    from ..explain import trace_lines
    for line in trace_lines(g, sw):
        print(line)
    return 0


SWEEP_FLOPS = {"primal": "primal", "forward": "tangent", "reverse": "adjoint"}


def trace_by_group(args, g, sw) -> int:
    """`trace --by-group`: per group instance, how many of the sweep's steps fall in it, which
    (numbered from 1), and their flops."""
    from ..cost import group_costs, group_lines
    rows = group_costs(g)
    steps = {r.group: [] for r in rows}
    paths = [g.group_path(grp.id) for grp in g.groups]
    for s in sw.steps:
        gid = g.node(s.node).group
        for k in paths[gid] if gid >= 0 else (-1,):
            steps.setdefault(k, []).append(s.index + 1)
    kind = SWEEP_FLOPS[sw.mode]
    if args.json:
        doc = {"mode": sw.mode, "steps": len(sw.steps), "by_group": []}
        for r in rows:
            ks = steps.get(r.group, [])
            row = {k: v for k, v in r.to_json().items() if k != "flops"}
            row.update(steps=len(ks), first_step=ks[0] if ks else None, last_step=ks[-1] if ks else None,
                       flops=getattr(r, kind))
            doc["by_group"].append(row)
        print_json(doc)
        return 0
    title = (f"{sw.mode} sweep: {len(sw.steps)} steps, by group (a group's totals include the groups "
             f"inside it; step numbers from 1; flops of this sweep)")
    cols = [("steps", lambda r: len(steps.get(r.group, []))), ("step numbers", lambda r: step_ranges(steps.get(r.group, []))),
            ("flops", lambda r: getattr(r, kind))]
    for line in group_lines(rows, cols, title=title):
        print(line)
    return 0


def step_ranges(ks: list) -> str:
    """Step numbers as runs: [2, 3, 4, 9] → `2–4, 9` (— for none)."""
    ks = sorted(ks)
    runs = []
    for k in ks:
        if runs and k == runs[-1][1] + 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return ", ".join(f"{a}–{b}" if b > a else f"{a}" for a, b in runs) or "—"


def trace_json_chunks(g, sw):
    """The `trace --json` document as pieces of text, a few thousand steps each: together,
    exactly `json.dumps({"mode": …, "steps": [step_json(…), …]}, ensure_ascii=False)` and a newline."""
    yield '{"mode": ' + json_string(sw.mode) + ', "steps": ['
    if "partial_formulas" in g.cache:    # --symbolic: the formulas are written by step_json only
        texts = (json.dumps(step_json(g, sw, s), ensure_ascii=False) for s in sw.steps)
    else:
        texts = step_texts(g, sw)
    yield from comma_chunks(texts)
    yield "]}\n"


def step_texts(g, sw):
    """`json.dumps(step_json(g, sw, s), ensure_ascii=False)` for each step s, written directly
    (about five times faster: no dict per step, numbers by repr); without the --symbolic formulas."""
    nodes = g.node_list()
    derivative = {"forward": "tangent", "reverse": "adjoint"}.get(sw.mode)
    for s in sw.steps:
        names = nodes[s.node].names
        operands = ", ".join([f'"v{j}"' for j in s.operands])
        head = (f'{{"index": {s.index}, "node": "v{s.node}", "name": {json_string(names[0]) if names else "null"}, '
                f'"op": {json_string(s.op)}, "operands": [{operands}], "value": {json_text(s.value)}')
        if derivative is not None:
            head += f', "{derivative}": {json_text(s.tangent if derivative == "tangent" else s.adjoint)}'
        terms = ", ".join([f'{{"from": "v{t.src}", "to": "v{t.dst}", "partial": {json_text(t.partial)}, '
                           f'"term": {json_text(t.term)}}}' for t in s.terms])
        yield (f'{head}, "contributions": [{terms}], "note": {json_string(s.note)}}}' if s.note
               else f'{head}, "contributions": [{terms}]}}')


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
    from ..cost import group_costs, group_lines, instance_counts, primal_flops
    st["flops"], st["tree_flops"] = primal_flops(g)   # one evaluation, with sharing and as a tree
    st = {k: count(v) for k, v in st.items()}         # a tree's counts can have thousands of digits
    if g.groups:
        st["groups"] = instance_counts(g)
    rows = group_costs(g) if args.by_group else None
    if args.json:
        if rows is not None:
            st["by_group"] = [{**r.to_json(), "flops": r.primal} for r in rows]
        print_json(st)
        return 0
    for k, v in st.items():
        if k == "groups":
            v = ", ".join(f"{name} ×{n}" for name, n in v.items())
        print(f"{k:11s} {v}")
    if rows is not None:
        print()
        cols = [("nodes", lambda r: r.nodes), ("ops", lambda r: r.ops), ("flops", lambda r: r.primal)]
        for line in group_lines(rows, cols, title="by group (a group's totals include the groups inside it; "
                                                  "flops of one evaluation)"):
            print(line)
    return 0


def cmd_check(args) -> int:
    g = load_graph(args)
    from ..check import check_graph
    from ..source import GraphError
    if not g.inputs:
        raise no_inputs_error()
    if args.eps is not None and not 0 < args.eps < 1:
        raise GraphError(f"--eps {args.eps:g} is out of range: give a relative step between 0 and 1, e.g. 1e-3")
    if args.max_entries < 1:
        raise GraphError(f"--max-entries {args.max_entries} is out of range: give how many entries of each input "
                         "to check, 1 or more (default 32)")
    report = check_graph(g, eps=args.eps, max_entries=args.max_entries)
    if args.json:
        print_json(report.to_json())
    else:
        for line in report.lines():
            print(line)
    return 0 if report.ok else 1
