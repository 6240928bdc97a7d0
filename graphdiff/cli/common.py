"""What the commands share: reading the graph, printing JSON, running a mode's sweep, the NaN
warning, names and step numbers given on the command line."""
from __future__ import annotations

import itertools
import json
import sys

import numpy as np

from ..source import GraphError
from ..values import parse_at, parse_seed, resolve_seed


def load_graph(args):
    """The graph of FILE with the --at values (a bad file or value: GraphError, exit 2). FILE is a
    .gd file (parsed, never executed) or `path/mod.py:func`, a Python function to trace (this runs
    the file; the --at values are the function's example inputs)."""
    if str(args.file).endswith(".py") or ".py:" in str(args.file):
        from ..tracing import load_function
        return load_function(args.file, parse_at(args.at))
    from ..api import load
    return load(args.file, at=parse_at(args.at))


def print_json(doc) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")


def write_chunks(chunks) -> None:
    """Write pieces of text to stdout as they are made: a long document never sits in memory whole."""
    write = sys.stdout.write
    for chunk in chunks:
        write(chunk)


def line_chunks(texts, *, lines: int = 4096):
    """Lines of text (without their newlines) as chunks of a few thousand lines, each line ended:
    together, `"\\n".join(texts) + "\\n"`."""
    texts = iter(texts)
    batch = list(itertools.islice(texts, lines))
    if not batch:
        yield "\n"
    while batch:
        batch.append("")
        yield "\n".join(batch)
        batch = list(itertools.islice(texts, lines))


def comma_chunks(texts, *, per: int = 2000):
    """Texts (JSON values) as chunks of a few thousand each: together, `", ".join(texts)`."""
    texts = iter(texts)
    sep = ""
    while True:
        batch = list(itertools.islice(texts, per))
        if not batch:
            return
        yield sep + ", ".join(batch)
        sep = ", "


def fmt(v) -> str:
    """A value for people: scalars with 12 significant digits, arrays in full with their shape."""
    from ..explain import value_text
    return "—" if v is None else value_text(v, digits=12, full=True)


def names(text: str | None) -> list[str] | None:
    """A comma-separated list of names (--wrt), or None."""
    return [w.strip() for w in text.split(",") if w.strip()] if text else None


def sweep_for(g, mode: str | None, seed_text: str | None):
    """The recorded sweep a command shows: None without a mode, else that mode's, seeded as --seed says."""
    from ..sweeps import SWEEPS
    if mode is None:
        return None
    if mode == "primal":
        if seed_text:
            raise GraphError("--seed applies to forward and reverse sweeps only")
        return SWEEPS["primal"](g)
    kind = "input" if mode == "forward" else "output"
    return SWEEPS[mode](g, seed=resolve_seed(g, parse_seed(seed_text), kind))


def step_index(text: str | None, n_steps: int) -> int | None:
    """`--step N` counts from 1 (as the TUI and the frame files do); -1 or `last` is the last step.
    Returns the 0-based index into the `n_steps` steps a person counts (`explain.stops`)."""
    if text is None:
        return None
    if n_steps == 0:
        raise GraphError(f"--step {text}: this sweep has no steps")
    t = text.strip().lower()
    if t == "last":
        return n_steps - 1
    try:
        k = int(t)
    except ValueError:
        raise GraphError(f"bad --step '{text}': expected a step number (1 to {n_steps}) or 'last'") from None
    if k == 0:
        raise GraphError("steps count from 1: --step 1 is the first step")
    if not -n_steps <= k <= n_steps:
        raise GraphError(f"--step {k} is out of range: this sweep has {n_steps} steps")
    return k - 1 if k > 0 else n_steps + k


def warn_nonfinite(args, g, subject: str, *, primal_sweep=None, outputs=None) -> int:
    """Warn on stderr that `subject` holds NaN or inf, naming the node where it first appeared and
    why; returns the exit status (1 with --strict, else 0). Derivatives are traced back through a
    recorded adjoint sweep from each of `outputs`' entries (a few at most) when the values are finite."""
    from ..nonfinite import first_nonfinite, warning_text
    from ..sweeps import primal, reverse
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


def no_inputs_error():
    return GraphError("there is nothing to differentiate: the graph has no inputs",
                      hint="declare one with `input NAME = VALUE`")
