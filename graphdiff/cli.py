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

from .ops import attr_text
from .source import GraphError
# Values in and out live in graphdiff.values; the names stay importable from here for the
# command modules (render, emit, tui) until those import graphdiff.values directly.
from .values import count, jsonable, parse_at, parse_seed, parse_value  # noqa: F401
from .values import resolve_seed as _resolve_seed

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

def emit(doc) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


def fmt(v) -> str:
    """A value for humans: scalars with 12 significant digits, arrays by NumPy."""
    if v is None:
        return "—"
    a = np.asarray(v, dtype=float) + 0.0  # + 0.0 shows −0 as 0
    if a.ndim == 0:
        return f"{float(a):.12g}"
    return np.array2string(a, precision=6, suppress_small=True, separator=", ", threshold=24,
                           edgeitems=3).replace("\n", "")


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
    else:
        rows = [(g.label(n.id), sw.values[n.id]) for n in g.nodes] if args.all else list(outs.items())
        for name, v in rows:
            print(f"{name} = {fmt(v)}")
    bad = [name for name, v in outs.items() if not np.isfinite(v).all()]
    return warn_nonfinite(args, g, " and ".join(bad), primal_sweep=sw) if bad else 0


def _configure_eval(p):
    p.add_argument("--all", action="store_true", help="every node's value")
    _strict(p)


cmd_eval.configure = _configure_eval


def _strict(p):
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1 when a result holds NaN or inf (by default only a warning)")


def warn_nonfinite(args, g, subject: str, *, primal_sweep=None, outputs=None) -> int:
    """Warn on stderr that `subject` holds NaN or inf, naming the node where it first appeared and
    why; returns the exit status (1 with --strict, else 0). Derivatives are traced back through a
    recorded adjoint sweep from each of `outputs`' entries (a few at most) when the values are finite."""
    from .nonfinite import first_nonfinite, warning_text
    from .sweeps import primal, reverse
    sw = primal_sweep or primal(g)
    finding = first_nonfinite(g, sw)
    for name in outputs or ():
        if finding is not None:
            break
        n_entries = int(np.prod(g.node(g.output_node(name)).shape))
        for entry in range(min(n_entries, 16)):
            finding = first_nonfinite(g, reverse(g, seed=(name, entry), primal_sweep=sw))
            if finding is not None:
                break
    sys.stderr.write((warning_text(g, finding, subject) if finding else
                      f"warning: {subject}: not finite") + "\n")
    return 1 if args.strict else 0


@command("grad", "gradient of the scalar output w.r.t. the inputs")
def cmd_grad(args) -> int:
    g = load_graph(args)
    wrt = [w.strip() for w in args.wrt.split(",")] if args.wrt else None
    value, grads = g.grad(wrt=wrt, mode=args.mode, output=args.output)
    name = args.output or g.outputs[0][0]
    if args.json:
        emit({"output": name, "value": jsonable(value), "mode": args.mode,
              "grad": {k: jsonable(v) for k, v in grads.items()}})
    else:
        print(f"{name} = {fmt(value)}   ({args.mode} mode)")
        for k, v in grads.items():
            print(f"∂{name}/∂{k} = {fmt(v)}")
    bad = ([name] if not np.isfinite(value) else []) + \
          [f"∂{name}/∂{k}" for k, v in grads.items() if not np.isfinite(v).all()]
    return warn_nonfinite(args, g, ", ".join(bad), outputs=[name]) if bad else 0


def _configure_grad(p):
    p.add_argument("--wrt", help="comma-separated inputs (default: all)")
    p.add_argument("--mode", choices=("forward", "reverse"), default="reverse")
    p.add_argument("--output", help="which output, when there are several")
    _strict(p)


cmd_grad.configure = _configure_grad


@command("jacobian", "Jacobian of all outputs w.r.t. all inputs")
def cmd_jacobian(args) -> int:
    g = load_graph(args)
    if not g.inputs:
        raise GraphError("there is nothing to differentiate: the graph has no inputs",
                         hint="declare one with `input NAME = VALUE`")
    J = g.jacobian(mode=args.mode)
    if args.json:
        emit({"mode": args.mode, "rows": list(J.rows), "cols": list(J.cols),
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


def _configure_jacobian(p):
    p.add_argument("--mode", choices=("forward", "reverse"), default="reverse")
    _strict(p)


cmd_jacobian.configure = _configure_jacobian


@command("trace", "the step records of a sweep")
def cmd_trace(args) -> int:
    g = load_graph(args)
    from .sweeps import SWEEPS
    if args.mode == "primal":
        sw = SWEEPS["primal"](g)
    else:
        kind = "input" if args.mode == "forward" else "output"
        sw = SWEEPS[args.mode](g, seed=_resolve_seed(g, parse_seed(args.seed), kind))
    if args.json:   # streamed a step at a time (a 300,000-step sweep never sits in memory as text)
        out = sys.stdout
        out.write('{"mode": ' + json.dumps(sw.mode) + ', "steps": [')
        for k, s in enumerate(sw.steps):
            out.write((", " if k else "") + json.dumps(step_json(g, sw, s), ensure_ascii=False))
        out.write("]}\n")
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
    """`v3 = log(v2)` style description of node i."""
    n = g.node(i)
    if n.op in ("input", "const"):
        return f"{g.label(i)} ({n.op})"
    args = ", ".join(g.label(j) for j in n.operands)
    attrs = "".join(f", {attr_text(k, v)}" for k, v in n.attrs)
    return f"{g.label(i)} = {n.op}({args}{attrs})"


def trace_lines(g, sw) -> list[str]:
    sym = {"forward": "v̇", "reverse": "v̄"}.get(sw.mode)
    lines = [f"{sw.mode} sweep, {len(sw.steps)} steps"]
    for s in sw.steps:
        d = s.tangent if sw.mode == "forward" else s.adjoint
        line = f"{s.index:4d}  {wengert(g, s.node):40s} value {fmt(s.value)}"
        if sym:
            line += f"   {sym} = {fmt(d)}"
        lines.append(line)
        for t in s.terms:
            lines.append(f"        {g.label(t.src)} → {g.label(t.dst)}: ∂ = {fmt(t.partial)}, term {fmt(t.term)}")
        if s.note:
            lines.append(f"        note: {s.note}")
    return lines


@command("stats", "node and edge counts, with and without sharing")
def cmd_stats(args) -> int:
    g = load_graph(args)
    st = g.stats()
    from .cost import primal_flops
    st["flops"], st["tree_flops"] = primal_flops(g)   # one evaluation, with sharing and as a tree
    st = {k: count(v) for k, v in st.items()}         # a tree's counts can have thousands of digits
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
    if args.eps is not None and not 0 < args.eps < 1:
        raise GraphError(f"--eps {args.eps:g} is out of range: give a relative step between 0 and 1, e.g. 1e-3")
    report = check_graph(g, eps=args.eps, max_entries=max(1, args.max_entries))
    if args.json:
        emit(report.to_json())
    else:
        for line in report.lines():
            print(line)
    return 0 if report.ok else 1


def _configure_check(p):
    p.add_argument("--eps", type=float, default=None,
                   help="the first step of the finite differences, relative to each entry (default 0.05; "
                        "Ridders' method shrinks it and extrapolates)")
    p.add_argument("--max-entries", type=int, default=32,
                   help="input entries checked by finite differences, per input (default 32, spread evenly)")


cmd_check.configure = _configure_check


@command("fmt", "print the file in the Unicode spelling (x², √x, x − 1, Aᵀ) or, with --ascii, the ASCII one")
def cmd_fmt(args) -> int:
    from .api import read_source
    from .lang.fmt import format_text
    text, name = read_source(args.file)
    out = format_text(text, name, unicode=not args.ascii, at=parse_at(args.at))
    if args.out:
        from .files import write_atomic
        write_atomic(args.out, out)
    elif args.json:
        emit({"spelling": "ascii" if args.ascii else "unicode", "text": out})
    else:
        sys.stdout.write(out)
    return 0


def _configure_fmt(p):
    spelling = p.add_mutually_exclusive_group()
    spelling.add_argument("--unicode", action="store_true",
                          help="math as written: x², x⁻¹, √x, x − 1, x · y, a ⊙ b, Aᵀ, π (the default)")
    spelling.add_argument("--ascii", action="store_true", help="x^2, x^-1, sqrt(x), x - 1, x * y, A.T, pi")
    p.add_argument("-o", "--out", metavar="FILE", help="write the result to FILE (it may be the file read)")
    p.epilog = ("Comments, spaces and line breaks are kept; both spellings build the same graph. "
                "--at gives values to inputs declared without one, so their shapes are known.")


cmd_fmt.configure = _configure_fmt


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
    for stream in (sys.stdout, sys.stderr):   # a file name that is not UTF-8 must not crash a message
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except BrokenPipeError:   # `graphdiff trace … | head`: the reader has gone; stop quietly
        _silence_stdout()
        return 1
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


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's final flush does not report the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass   # not a real file (tests capture stdout): nothing will be flushed to a closed pipe


if __name__ == "__main__":
    sys.exit(main())
