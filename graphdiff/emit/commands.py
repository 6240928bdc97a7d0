"""The `codegen` and `cost` commands (registered with graphdiff.cli when imported)."""
from __future__ import annotations

import os
import sys

from ..cli import command, emit, load_graph
from ..files import write_atomic


def _names(text):
    return [w.strip() for w in text.split(",") if w.strip()] if text else None


@command("codegen", "the evaluation trace and the forward / reverse derivative programs (Python or pseudo-code)")
def cmd_codegen(args) -> int:
    g = load_graph(args)
    from . import pseudo_lines, python_lines
    wrt = _names(args.wrt)
    for w in wrt or ():
        g.input_node(w)
    if args.lang == "python":
        lines = python_lines(g, mode=args.mode, wrt=wrt, output=args.output, title=os.path.basename(args.file))
    else:
        lines = pseudo_lines(g, mode=args.mode, wrt=wrt, output=args.output)
    text = "\n".join(ln.text for ln in lines) + "\n"
    if args.o:
        write_atomic(args.o, text)   # whole or not at all: a failed write keeps the old file
    if args.json:
        emit({"lang": args.lang, "mode": args.mode, "source": text,
              "lines": [{"node": None if ln.node is None else f"v{ln.node}", "text": ln.text} for ln in lines]})
    elif not args.o:
        sys.stdout.write(text)
    return 0


def _configure_codegen(p):
    p.add_argument("--mode", choices=("primal", "forward", "reverse", "all"), default="all",
                   help="which programs: the trace, tangents, adjoints, or all (default)")
    p.add_argument("--lang", choices=("python", "pseudo"), default="python")
    p.add_argument("--wrt", help="comma-separated inputs to differentiate (default: all)")
    p.add_argument("--output", help="the scalar output `gradient` differentiates, when there are several")
    p.add_argument("-o", metavar="FILE", help="write the program to FILE")


cmd_codegen.configure = _configure_codegen


@command("cost", "operation counts: primal, tangent and adjoint sweeps, full Jacobian forward vs reverse")
def cmd_cost(args) -> int:
    g = load_graph(args)
    from ..cost import accumulation_text, chain, cost
    report = cost(g)
    ch = chain(g, wrt=args.wrt, output=args.output) if args.chain else None
    if args.json:
        doc = report.to_json()
        if args.nodes:
            doc["nodes"] = [{"node": f"v{r.node}", "name": g.label(r.node), "op": r.op, "primal": r.primal,
                             "tangent": r.tangent, "adjoint": r.adjoint, "tree_copies": r.copies}
                            for r in report.nodes]
        if ch is not None:
            doc["chain"] = ch.to_json()
        emit(doc)
        return 0
    for line in cost_lines(g, report, nodes=args.nodes):
        print(line)
    if ch is not None:
        k = len(ch.factors)
        print()
        print(f"Jacobian chain from {ch.input} to {ch.output}: {k} dense factor{'s' * (k != 1)}, "
              "J = " + " ".join(f"J{i}" for i in range(k, 0, -1)))
        for idx, (i, label, op, r, c) in enumerate(ch.factors, 1):
            prev = ch.input if idx == 1 else ch.factors[idx - 2][1]
            print(f"  J{idx} = ∂{label}/∂{prev}".ljust(28) + f"{r}×{c}".rjust(10) + f"   ({op}, v{i})")
        width = max(len(f"{x:,}") for x in (ch.forward, ch.reverse, ch.optimal))
        print(f"  forward (from the input):   {ch.forward:>{width},} flops   {accumulation_text(k, reverse=False)}")
        print(f"  reverse (from the output):  {ch.reverse:>{width},} flops   {accumulation_text(k, reverse=True)}")
        print(f"  optimal bracketing:         {ch.optimal:>{width},} flops   {ch.bracketing}")
    return 0


def cost_lines(g, report, *, nodes: bool = False) -> list[str]:
    """The human-readable cost table."""
    r = report
    rows = [("primal (evaluation)", r.primal, ""),
            ("one tangent sweep", r.tangent_sweep, "v̇ for one input direction"),
            ("one adjoint sweep", r.adjoint_sweep, "v̄ for one output seed"),
            (f"Jacobian, forward (n = {r.n_inputs})", r.jacobian_forward, f"primal + {r.n_inputs} × tangent sweep"),
            (f"Jacobian, reverse (m = {r.n_outputs})", r.jacobian_reverse, f"primal + {r.n_outputs} × adjoint sweep")]
    w = max(len(f"{v:,}") for _, v, _ in rows)
    out = [f"{g.n_ops()} operations; flops by the op table's cost model (matmul (a×b)(b×c) = 2abc, "
           "elementwise = 1 per entry)"]
    out += [f"  {name:<28} {v:>{w},}   {note}".rstrip() for name, v, note in rows]
    if r.ratio is not None:
        out.append(f"  {'forward / reverse':<28} {r.ratio:>{w}.3g}")
    out.append(f"reverse-mode memory: {r.stored_values:,} value entries stored for the adjoint sweep "
               f"({r.stored_nodes} nodes); peak live set {r.peak_live:,} entries ({8 * r.peak_live:,} bytes)")
    t = r.tree
    if t["primal"] == r.primal:
        saving = "no subexpression is shared, so the tree costs the same"
    else:
        saving = f"sharing saves {t['primal'] - r.primal:,} flops, {t['primal'] / r.primal:.3g}× on the primal"
    out.append(f"as an expression tree (sharing off): primal {t['primal']:,}, tangent sweep {t['tangent_sweep']:,}, "
               f"adjoint sweep {t['adjoint_sweep']:,} flops ({saving})")
    out.append("verdict: " + r.verdict())
    if nodes:
        out.append("")
        out.append(f"  {'node':<14} {'op':<10} {'primal':>10} {'tangent':>10} {'adjoint':>10} {'tree copies':>12}")
        for row in r.nodes:
            out.append(f"  {('v' + str(row.node) + ' ' + (g.label(row.node) if g.node(row.node).names else '')).strip():<14} "
                       f"{row.op:<10} {row.primal:>10,} {row.tangent:>10,} {row.adjoint:>10,} {row.copies:>12,}")
    return out


def _configure_cost(p):
    p.add_argument("--chain", action="store_true",
                   help="the Jacobian chain from one input to one output: forward, reverse and optimal bracketing")
    p.add_argument("--wrt", help="--chain: the input to start from (when there are several)")
    p.add_argument("--output", help="--chain: the output to end at (when there are several)")
    p.add_argument("--nodes", action="store_true", help="also the flops of every node")


cmd_cost.configure = _configure_cost
