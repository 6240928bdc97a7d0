"""practice (its arguments: cli/spec.py): the student computes each step before it is revealed.

`graphdiff practice FILE` opens the debugger's practice screen; `--plain` (or standard input
that is not a terminal) asks line by line over stdin/stdout, for any terminal and for scripts.
A folder walks through every `.gd` file in it, in name order. `--json` prints the session record
(every session and the totals) on stdout when done — the questions then go to stderr — and `-o
FILE` writes it to a file. Quitting (`quit`, end of input, or leaving the screen) keeps the score
so far.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..source import GraphError
from ..values import parse_at, parse_seed, resolve_seed
from .common import print_json

ALL_KINDS = "all"


def graph_files(target: str) -> list[Path]:
    """The graphs to practise on: the file, or the `.gd` files of a folder in name order."""
    if target == "-":
        raise GraphError("practice reads your answers from standard input, so the graph must come from a file",
                         hint="give the .gd file's path instead of '-'")
    p = Path(target)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix == ".gd" and f.is_file())
        if not files:
            raise GraphError("this folder holds no .gd graph files", where=target)
        return files
    return [p]


def parse_kinds(text: str | None):
    """`--ask steps,cost` as a tuple of question kinds (None: the mode's default)."""
    from ..practice import KINDS
    if not text:
        return None
    words = [w.strip().lower() for w in text.split(",") if w.strip()]
    if ALL_KINDS in words:
        return KINDS
    for w in words:
        if w not in KINDS:
            from ..source import did_you_mean
            raise GraphError(f"bad --ask '{text}': '{w}' is not a kind of question",
                             hint=did_you_mean(w, KINDS) or f"the kinds are {', '.join(KINDS)}, or {ALL_KINDS}")
    return tuple(dict.fromkeys(words))


def cmd_practice(args) -> int:
    from ..api import load
    from ..practice import Session, total_record
    files = graph_files(args.file)
    folder = len(files) > 1 or Path(args.file).is_dir()
    if folder and (args.seed or args.at):
        raise GraphError("--seed and --at name one graph's inputs and outputs: give a file, not a folder")
    if not args.tol > 0:
        raise GraphError(f"--tol must be a positive relative tolerance such as 1e-3, not {args.tol:g}")
    kinds = parse_kinds(args.ask)
    at = parse_at(args.at)
    graphs = [(str(f), load(f, at=at)) for f in files]   # every file is read (and refused) before any question
    if args.out:
        from ..files import check_target
        check_target(args.out)

    def session(path, g):
        kind = "input" if args.mode == "forward" else "output"
        seed = resolve_seed(g, parse_seed(args.seed), kind) if args.mode != "primal" else parse_seed(args.seed)
        return Session(g, mode=args.mode, seed=seed, at=at or None, tol=args.tol, kinds=kinds, path=path)

    makers = [(path, lambda path=path, g=g: session(path, g)) for path, g in graphs]
    if not folder:
        makers = [(path, lambda s=session(path, g): s) for path, g in graphs]   # a bad seed: exit 2 now
    plain = args.plain or not sys.stdin.isatty()
    if plain:
        out = sys.stderr if args.json else sys.stdout
        sessions = run_plain(makers, sys.stdin, out, echo=not sys.stdin.isatty())
    else:
        sessions = run_screen(makers, args)
        out = sys.stderr if args.json else sys.stdout
        for s in sessions:
            out.write("\n".join(s.summary_lines()) + "\n")
        if len(makers) > 1 and sessions:
            out.write("\n".join(folder_summary(sessions, len(makers))) + "\n")
    doc = total_record(sessions)
    doc["summary"]["graphs"] = len(graphs)
    if args.out:
        from ..files import write_atomic
        write_atomic(args.out, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    if args.json:
        print_json(doc)
    return 0


def run_plain(makers, inp, out, *, echo: bool = False) -> list:
    """Ask every question of every graph line by line; returns the sessions run. `echo` writes
    each answer after its prompt (when the answers come from a file or a pipe, the transcript
    then reads as a dialogue)."""
    sessions = []
    for k, (path, make) in enumerate(makers, start=1):
        if len(makers) > 1:
            out.write(f"\n== {path} ({k} of {len(makers)}) ==\n")
        try:
            s = make()
        except GraphError as e:   # in a folder: this graph cannot be practised in this mode
            out.write(f"skipped: {e.format()}\n")
            continue
        sessions.append(s)
        if not ask_all(s, inp, out, echo=echo):
            break
    if len(makers) > 1 and sessions:
        out.write("\n" + "\n".join(folder_summary(sessions, len(makers))) + "\n")
    return sessions


def ask_all(s, inp, out, *, echo: bool = False) -> bool:
    """One session over a stream; False when the student stopped (quit or the end of input)."""
    write = out.write
    for line in s.intro_lines():
        write(line + "\n")
    for given in s.opening:
        write(given.text + "\n")
    shown = None
    while s.current is not None:
        q = s.current
        if q is not shown and q.first_of_step:
            write(q.heading + "\n")
        shown = q
        write(f"  {q.prompt} ? ")
        out.flush()
        line = inp.readline()
        if not line:                   # the end of the input: stop, keeping the score
            write("\n")
            s.quit()
            break
        if echo:
            write(line.rstrip("\n") + "\n")
        fb = s.submit(line)
        for text in fb.lines if fb.status != "over" else ():
            write("\n".join("    " + t for t in text.split("\n")) + "\n")
        for given in fb.given:
            write(given.text + "\n")
    write("\n".join(s.summary_lines()) + "\n")
    out.flush()
    return not s.quitted


def folder_summary(sessions, n_graphs: int) -> list[str]:
    from ..practice import duration
    right = sum(s.score()["right_first_time"] for s in sessions)
    total = sum(s.total for s in sessions)
    done = sum(1 for s in sessions if s.finished)
    return [f"all graphs: {right} of {total} right first time over {done} of {n_graphs} graphs finished · "
            f"{duration(sum(s.seconds for s in sessions))}"]


def run_screen(makers, args) -> list:
    """The debugger's practice screen, one graph after another (leaving it with q stops the walk)."""
    from ..tui.app import GraphdiffApp
    sessions = []
    for k, (path, make) in enumerate(makers, start=1):
        try:
            s = make()
        except GraphError as e:
            sys.stderr.write(f"skipped {path}: {e.format()}\n")
            continue
        label = f"{Path(path).name} ({k} of {len(makers)})" if len(makers) > 1 else path
        app = GraphdiffApp(s.ctx.g, path=path, mode=args.mode, practice=s, practice_label=label,
                           practice_more=k < len(makers))
        app.run()
        if not s.over:
            s.quit()        # left mid-way: the score so far is kept
        sessions.append(s)
        if not app.practice_next:
            break
    return sessions
