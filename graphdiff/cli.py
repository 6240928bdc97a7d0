"""The command line: `graphdiff COMMAND FILE [options]`, with the JSON contracts of SPEC §3.

Exit status: 0 success, 2 bad usage or a bad graph file (message on stderr, nothing on stdout),
1 anything else (including `check` finding a disagreement).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from .source import GraphError

COMMANDS = {}

# Modules that register more commands (render, frames, tui, codegen, cost) with @command when
# imported; one per line. Each keeps heavy imports (textual, Pillow) inside its command function.
COMMAND_MODULES = [
    "graphdiff.tui.commands",
    "graphdiff.render.commands",
    "graphdiff.emit.commands",
]


def command(name, help):
    """Register a subcommand: `fn(args) -> exit status`, with `fn.configure(parser)`."""
    def deco(fn):
        COMMANDS[name] = (fn, help)
        return fn
    return deco


# ------------------------------------------------------------------ JSON helpers

def jsonable(v):
    """A value as JSON: nested lists in NumPy's shape, non-finite floats as strings."""
    if v is None:
        return None
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        x = float(a)
        if np.isnan(x):
            return "nan"
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return [jsonable(r) for r in a]


def emit(doc) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


def fmt(v) -> str:
    """A value for humans: scalars with 12 significant digits, arrays in full with their shape
    (graphdiff.explain writes both)."""
    from .explain import value_text
    return "—" if v is None else value_text(v, digits=12, full=True)


# ------------------------------------------------------------------ --at and --seed

def parse_value(text: str, what: str):
    try:
        v = json.loads(text)
    except json.JSONDecodeError:
        raise GraphError(f"bad {what} '{text}': expected a number or a JSON array such as [1, 2]") from None
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise GraphError(f"bad {what} '{text}': expected a number or a rectangular array of numbers") from None
    if a.dtype == object or isinstance(v, (bool, dict, str)) or v is None:
        raise GraphError(f"bad {what} '{text}': expected a number or a JSON array of numbers")
    return a


def parse_at(items) -> dict:
    at = {}
    for item in items or ():
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise GraphError(f"bad --at '{item}': expected NAME=VALUE, e.g. --at x=0.5 or --at w=[1,2]")
        at[name.strip()] = parse_value(value.strip(), f"--at value for '{name.strip()}'")
    return at


def parse_seed(text: str | None):
    """`x`, `x[1]`, `x[0,1]` (a flat entry by its index) or a JSON object {"x": direction}."""
    if text is None:
        return None
    text = text.strip()
    if text.startswith("{"):
        try:
            d = json.loads(text)
        except json.JSONDecodeError:
            raise GraphError(f"bad --seed '{text}': not valid JSON") from None
        return {k: parse_value(json.dumps(v), f"--seed direction for '{k}'") for k, v in d.items()}
    if "[" in text:
        name, _, rest = text.partition("[")
        if not rest.endswith("]"):
            raise GraphError(f"bad --seed '{text}': expected NAME, NAME[i] or NAME[i,j]")
        try:
            index = tuple(int(p) for p in rest[:-1].split(","))
        except ValueError:
            raise GraphError(f"bad --seed '{text}': indices must be whole numbers") from None
        return (name.strip(), index)
    return text


def _resolve_seed(g, seed, kind):
    """Turn (name, (i, j)) into (name, flat entry) now that shapes are known."""
    if isinstance(seed, tuple) and isinstance(seed[1], tuple):
        name, index = seed
        node = g.node(g.input_node(name) if kind == "input" else g.output_node(name))
        if len(index) != len(node.shape) or not all(0 <= i < n for i, n in zip(index, node.shape)):
            raise GraphError(f"seed {name}[{','.join(map(str, index))}] does not fit shape {node.shape}")
        return (name, int(np.ravel_multi_index(index, node.shape)) if node.shape else 0)
    return seed


def load_graph(args):
    from .api import load
    return load(args.file, at=parse_at(args.at))


# ------------------------------------------------------------------ commands

@command("eval", "primal values of the outputs (--all: every node)")
def cmd_eval(args) -> int:
    g = load_graph(args)
    from .sweeps import primal
    sw = primal(g)
    outs = {name: sw.values[i] for name, i in g.outputs}
    if args.json:
        doc = {"outputs": {k: jsonable(v) for k, v in outs.items()}}
        if args.all:
            doc["nodes"] = {g.label(n.id): jsonable(sw.values[n.id]) for n in g.nodes}
        emit(doc)
        return 0
    rows = [(g.label(n.id), sw.values[n.id]) for n in g.nodes] if args.all else list(outs.items())
    for name, v in rows:
        print(f"{name} = {fmt(v)}")
    return 0


cmd_eval.configure = lambda p: p.add_argument("--all", action="store_true", help="every node's value")


@command("grad", "gradient of the scalar output w.r.t. the inputs")
def cmd_grad(args) -> int:
    g = load_graph(args)
    wrt = [w.strip() for w in args.wrt.split(",")] if args.wrt else None
    value, grads = g.grad(wrt=wrt, mode=args.mode, output=args.output)
    name = args.output or g.outputs[0][0]
    if args.json:
        emit({"output": name, "value": jsonable(value), "mode": args.mode,
              "grad": {k: jsonable(v) for k, v in grads.items()}})
        return 0
    print(f"{name} = {fmt(value)}   ({args.mode} mode)")
    for k, v in grads.items():
        print(f"∂{name}/∂{k} = {fmt(v)}")
    return 0


def _configure_grad(p):
    p.add_argument("--wrt", help="comma-separated inputs (default: all)")
    p.add_argument("--mode", choices=("forward", "reverse"), default="reverse")
    p.add_argument("--output", help="which output, when there are several")


cmd_grad.configure = _configure_grad


@command("jacobian", "Jacobian of all outputs w.r.t. all inputs")
def cmd_jacobian(args) -> int:
    g = load_graph(args)
    J = g.jacobian(mode=args.mode)
    if args.json:
        emit({"mode": args.mode, "rows": list(J.rows), "cols": list(J.cols),
              "matrix": [jsonable(r) for r in J.matrix]})
        return 0
    width = max([len(c) for c in J.cols] + [10])
    rw = max([len(r) for r in J.rows] + [1])
    print(" " * rw + "  " + "  ".join(c.rjust(width) for c in J.cols))
    for r, row in zip(J.rows, J.matrix):
        print(r.ljust(rw) + "  " + "  ".join(f"{x:.6g}".rjust(width) for x in row))
    return 0


cmd_jacobian.configure = lambda p: p.add_argument("--mode", choices=("forward", "reverse"), default="reverse")


@command("trace", "the step records of a sweep")
def cmd_trace(args) -> int:
    g = load_graph(args)
    from .sweeps import SWEEPS
    if args.mode == "primal":
        sw = SWEEPS["primal"](g)
    else:
        kind = "input" if args.mode == "forward" else "output"
        sw = SWEEPS[args.mode](g, seed=_resolve_seed(g, parse_seed(args.seed), kind))
    if args.json:
        emit({"mode": sw.mode, "steps": [step_json(g, sw, s) for s in sw.steps]})
        return 0
    for line in trace_lines(g, sw):
        print(line)
    return 0


def _configure_trace(p):
    p.add_argument("--mode", choices=("primal", "forward", "reverse"), default="reverse")
    p.add_argument("--seed", help="forward: input NAME, NAME[i] or {\"x\": direction}; reverse: output entry")


cmd_trace.configure = _configure_trace


def node_id(i: int) -> str:
    return f"v{i}"


def step_json(g, sw, s) -> dict:
    d = {"index": s.index, "node": node_id(s.node), "name": g.node(s.node).names[0] if g.node(s.node).names else None,
         "op": s.op, "operands": [node_id(j) for j in s.operands], "value": jsonable(s.value)}
    if sw.mode == "forward":
        d["tangent"] = jsonable(s.tangent)
    if sw.mode == "reverse":
        d["adjoint"] = jsonable(s.adjoint)
    d["contributions"] = [{"from": node_id(t.src), "to": node_id(t.dst), "partial": jsonable(t.partial),
                           "term": jsonable(t.term)} for t in s.terms]
    if s.note:
        d["note"] = s.note
    return d


def wengert(g, i: int) -> str:
    """`v = log(v6)`, `v10 = pow(v, 3)`: the Wengert-list line of node i (graphdiff.explain)."""
    from .explain import wengert as line
    return line(g, i)


def trace_lines(g, sw) -> list[str]:
    """The text of `trace`: steps numbered from 1 (literal constants such as the 2 in x^2 are
    written where they are used, not as steps), each with its chain-rule terms in the form of the
    pseudo-code (`x̄ += Aᵀ z̄`) and their numbers. JSON keeps every record, `index` 0-based."""
    from .explain import derivative_of, dname, stops, term_numbers, term_rule, value_text
    shown = stops(g, sw)
    at = {s.node: s for s in sw.steps}
    lines = [f"{sw.mode} sweep, {len(shown)} steps"]
    for number, k in enumerate(shown, start=1):
        s = sw.steps[k]
        line = f"{number:4d}  {wengert(g, s.node):40s} value {value_text(s.value, digits=12, full=True)}"
        if sw.mode != "primal":
            d = derivative_of(s, sw.mode)
            line += f"   {dname(g.label(s.node), sw.mode)} = {value_text(d, digits=12, full=True)}"
            if not s.terms:
                line += "   (seed)"
        lines.append(line)
        for t in s.terms:
            other = derivative_of(at[t.dst if sw.mode == "reverse" else t.src], sw.mode)
            lines.append(f"        {term_rule(g, t, sw.mode)}   {term_numbers(t, other, sw.mode, width=None)}")
        if s.note:
            lines.append(f"        note: {s.note}")
    return lines


@command("stats", "node and edge counts, with and without sharing")
def cmd_stats(args) -> int:
    g = load_graph(args)
    st = g.stats()
    from .cost import primal_flops
    st["flops"], st["tree_flops"] = primal_flops(g)   # one evaluation, with sharing and as a tree
    if args.json:
        emit(st)
        return 0
    for k, v in st.items():
        print(f"{k:11s} {v}")
    return 0


@command("check", "derivatives against finite differences and the ⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩ identity")
def cmd_check(args) -> int:
    g = load_graph(args)
    from .check import check_graph
    report = check_graph(g)
    if args.json:
        emit(report.to_json())
    else:
        for line in report.lines():
            print(line)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    import importlib
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    p = argparse.ArgumentParser(prog="graphdiff", description="Computational graphs and automatic differentiation, step by step.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (fn, help) in COMMANDS.items():
        sp = sub.add_parser(name, help=help, description=help)
        sp.add_argument("file", metavar="FILE", help="a .gd graph file")
        sp.add_argument("--at", action="append", metavar="NAME=VALUE",
                        help="override an input (a number or a JSON array); repeatable")
        sp.add_argument("--json", action="store_true", help="print one JSON document")
        if hasattr(fn, "configure"):
            fn.configure(sp)
        sp.set_defaults(fn=fn)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except GraphError as e:
        sys.stderr.write(e.format() + "\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug in graphdiff, not the user's input
        if os.environ.get("GRAPHDIFF_DEBUG"):
            raise
        sys.stderr.write(f"graphdiff: internal error: {type(e).__name__}: {e}\n"
                         "  (set GRAPHDIFF_DEBUG=1 for the traceback, and please report it)\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
