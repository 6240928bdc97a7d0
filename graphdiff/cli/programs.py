"""codegen and cost (their arguments: cli/spec.py)."""
from __future__ import annotations

import os
import sys

from ..files import write_atomic, write_atomic_chunks
from ..source import GraphError
from ..values import json_string
from .common import comma_chunks, line_chunks, load_graph, names, print_json, write_chunks


def cmd_codegen(args) -> int:
    g = load_graph(args)
    from ..emit import pseudo_lines, python_lines
    wrt = names(args.wrt)
    for w in wrt or ():
        g.input_node(w)
    if args.lang in ("python", "numpy"):
        lines = python_lines(g, mode=args.mode, wrt=wrt, output=args.of, title=os.path.basename(args.file))
    elif args.lang == "jax":
        if args.mode in ("forward", "reverse"):
            raise GraphError(f"codegen --lang jax writes the evaluation, and JAX differentiates it: --mode {args.mode} "
                             "has no JAX program of its own", hint="use jax.jvp or jax.vjp on the module's evaluate")
        from ..emit.jax import jax_lines
        lines = jax_lines(g, wrt=wrt, output=args.of, title=os.path.basename(args.file))
    else:
        lines = pseudo_lines(g, mode=args.mode, wrt=wrt, output=args.of)
    texts = lambda: (ln.text for ln in lines)  # noqa: E731  (written twice with -o and --json)
    if args.out:
        write_atomic_chunks(args.out, line_chunks(texts()))   # whole or not at all: a failed write keeps the old file
    if args.json:
        write_chunks(codegen_json_chunks(args, lines, line_chunks(texts())))
    elif not args.out:
        write_chunks(line_chunks(texts()))
    return 0


def codegen_json_chunks(args, lines, source_chunks):
    """`codegen --json` as pieces of text: together, exactly `json.dumps({"lang", "mode", "source",
    "lines": [{"node", "text"}, …]}, ensure_ascii=False)` and a newline. The source is escaped a
    chunk at a time (JSON escapes character by character, so the pieces join into one string)."""
    yield f'{{"lang": {json_string(args.lang)}, "mode": {json_string(args.mode)}, "source": "'
    for chunk in source_chunks:
        yield json_string(chunk)[1:-1]
    yield '", "lines": ['
    yield from comma_chunks(map(_line_json, lines))
    yield "]}\n"


def _line_json(ln) -> str:
    node = "null" if ln.node is None else f'"v{ln.node}"'
    return f'{{"node": {node}, "text": {json_string(ln.text)}}}'


def cmd_cost(args) -> int:
    g = load_graph(args)
    from ..cost import accumulation_text, chain, cost, group_costs, group_lines
    report = cost(g)
    ch = chain(g, wrt=args.wrt, output=args.of) if args.chain else None
    groups = group_costs(g, report) if args.by_group else None
    if args.json:
        doc = report.to_json()
        if groups is not None:
            doc["by_group"] = [r.to_json() for r in groups]
        if args.nodes:
            doc["nodes"] = [{"node": f"v{r.node}", "name": g.label(r.node), "op": r.op, "primal": r.primal,
                             "tangent": r.tangent, "adjoint": r.adjoint, "tree_copies": r.copies}
                            for r in report.nodes]
        if ch is not None:
            doc["chain"] = ch.to_json()
        print_json(doc)
        return 0
    for line in report.lines(g, nodes=args.nodes):
        print(line)
    if groups is not None:
        print()
        cols = [("nodes", lambda r: r.nodes), ("ops", lambda r: r.ops), ("primal", lambda r: r.primal),
                ("tangent sweep", lambda r: r.tangent), ("adjoint sweep", lambda r: r.adjoint)]
        for line in group_lines(groups, cols, title="flops by group (a group's totals include the groups inside it)"):
            print(line)
    if ch is not None:
        k = len(ch.factors)
        print()
        print(f"Jacobian chain from {ch.input} to {ch.output}: {k} dense factor{'s' * (k != 1)}, "
              "J = " + " ".join(f"J{i}" for i in range(k, 0, -1)))
        for idx, (i, label, op, r, c) in enumerate(ch.factors, 1):
            prev = ch.input if idx == 1 else ch.factors[idx - 2][1]
            print(f"  J{idx} = ∂{label}/∂{prev}".ljust(28) + f"{r}×{c}".rjust(10) + f"   ({op}, v{i})")
        width = max(len(f"{x:,}") for x in (ch.forward, ch.reverse, ch.optimal or 0))
        print(f"  forward (from the input):   {ch.forward:>{width},} flops   {accumulation_text(k, reverse=False)}")
        print(f"  reverse (from the output):  {ch.reverse:>{width},} flops   {accumulation_text(k, reverse=True)}")
        if ch.optimal is None:
            print(f"  optimal bracketing:         {ch.bracketing}")
        else:
            print(f"  optimal bracketing:         {ch.optimal:>{width},} flops   {ch.bracketing}")
    return 0


def cmd_fmt(args) -> int:
    """The file respelt: comments, spaces and line breaks kept; both spellings build the same graph."""
    if args.ascii and args.unicode:
        raise GraphError("fmt: give --unicode or --ascii, not both")
    if args.file.endswith(".py") or ".py:" in args.file:
        raise GraphError("fmt rewrites .gd files; a Python function has no graph-language spelling",
                         where=args.file)
    from ..api import read_source
    from ..lang.fmt import format_text
    from ..values import parse_at
    text, name = read_source(args.file)
    out = format_text(text, name, unicode=not args.ascii, at=parse_at(args.at))
    if out and not out.endswith("\n"):
        out += "\r\n" if "\r\n" in out else "\n"   # the file written ends its last line, as editors expect
    if args.out:
        write_atomic(args.out, out)
    elif args.json:
        print_json({"spelling": "ascii" if args.ascii else "unicode", "text": out})
    else:
        sys.stdout.write(out)
    return 0
