"""Every command of the command line and its arguments, in one place.

Importing this module costs argparse and nothing else: a command's own module (and NumPy,
Textual, Graphviz) is imported only when that command runs, so `graphdiff --help` is fast.
Options mean the same everywhere: `-o/--out` is the file (or folder) written, `--of NAME` the
graph output differentiated, `--at NAME=VALUE` an input's value, `--json` one JSON document.
"""
from __future__ import annotations

import argparse
import sys
from typing import NamedTuple


class Arg(NamedTuple):
    flags: tuple
    options: dict


def arg(*flags, **options) -> Arg:
    return Arg(flags, options)


class Renamed(argparse.Action):
    """An option's old spelling, kept for one release: it works, with a note saying the new one."""

    def __init__(self, option_strings, dest, new: str = "", **kwargs):
        super().__init__(option_strings, dest, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stderr.write(f"graphdiff: note: {option_string} is now spelt {self.new}; "
                         f"{option_string} will be removed in the next release\n")
        setattr(namespace, self.dest, values)


class Command(NamedTuple):
    name: str
    help: str
    run: str            # "module:function", imported when the command runs
    args: tuple = ()
    file_help: str = ("a .gd graph file ('-': read it from standard input), or PATH.py:FUNC, a Python function "
                      "to trace (this runs the file; --at gives its inputs' values)")


MODES = ("primal", "forward", "reverse")
STRICT = arg("--strict", action="store_true",
             help="exit with status 1 when a result holds NaN or inf (by default only a warning)")
OF = arg("--of", metavar="NAME", help="the graph output to differentiate, when there are several")
OF_OLD = arg("--output", dest="of", action=Renamed, new="--of", help=argparse.SUPPRESS)
WRT = arg("--wrt", metavar="NAMES", help="comma-separated inputs to differentiate (default: all)")
SYMBOLIC = arg("--symbolic", action="store_true",
               help="write each local partial as a formula beside its number (∂v/∂u = 1/(2·√u)); "
                    "needs SymPy: pip install 'graphdiff[sympy]'")
SEED_HELP = ("forward: the input to seed, NAME or NAME[i,j] (default: the first input's first entry; "
             "nodes that do not depend on it get no step); reverse: the output entry to seed, NAME or "
             "NAME[i] (default: the first output's first entry); or a JSON object {\"x\": direction}")


def out(metavar: str, help: str, *, old_spelling: bool = True) -> tuple:
    """-o/--out FILE, and (where it meant the file) the old --output spelling of it."""
    new = arg("-o", "--out", dest="out", metavar=metavar, help=help)
    if not old_spelling:
        return (new,)
    return new, arg("--output", dest="out", action=Renamed, new="-o/--out", help=argparse.SUPPRESS)


PICTURE = (
    arg("--show", metavar="WHAT", help="comma-separated annotations: values, tangents, adjoints, partials, "
                                       "shapes, terms, equation, all, none (default: what the sweep needs)"),
    arg("--theme", choices=("light", "dark"), default="light"),
    arg("--rankdir", choices=("LR", "TB"), default=None,
        help="left-to-right (default) or top-to-bottom (with --fit: chosen to fill the frame)"),
    arg("--dpi", type=int, default=None, help="PNG resolution (default 200)"),
    arg("--fit", metavar="FRAME", help="fill a frame without distortion: 16:9, 4:3 or WxH (px for PNG; pt, in, "
                                       "cm or mm for PDF, SVG and TikZ); frames share one layout and page size"),
    arg("--seed", help=SEED_HELP),
    arg("--focus", metavar="NAME[:K]", help="draw only the nodes within K steps (default 2) of node NAME "
                                            "(a name or v<number>)"),
    arg("--split-leaves", metavar="WHEN", default="auto",
        help="draw an input or named constant beside each node that uses it: auto (when used by 6 nodes or "
             "more, the default), all (when used twice or more), none, or a number of uses"),
)

COMMANDS = (
    Command("eval", "primal values of the outputs (--all: every node)", "graphdiff.cli.basic:cmd_eval", (
        arg("--all", action="store_true", help="every node's value"), STRICT)),
    Command("grad", "gradient of the scalar output w.r.t. the inputs", "graphdiff.cli.basic:cmd_grad", (
        WRT, arg("--mode", choices=("forward", "reverse"), default="reverse"), OF, OF_OLD, STRICT)),
    Command("jacobian", "Jacobian of all outputs w.r.t. all inputs", "graphdiff.cli.basic:cmd_jacobian", (
        arg("--mode", choices=("forward", "reverse"), default="reverse"), STRICT)),
    Command("trace", "the step records of a sweep (text steps count from 1; JSON `index` from 0)",
            "graphdiff.cli.basic:cmd_trace", (arg("--mode", choices=MODES, default="reverse"),
                                               arg("--seed", help=SEED_HELP), SYMBOLIC)),
    Command("stats", "node and edge counts, with and without sharing", "graphdiff.cli.basic:cmd_stats"),
    Command("check", "forward vs reverse mode, then both against finite differences with their error estimate",
            "graphdiff.cli.basic:cmd_check", (
                arg("--eps", type=float, default=None,
                    help="the first step of the finite differences, relative to each entry (default: several, "
                         "from 0.05 down; Ridders' method shrinks each and extrapolates)"),
                arg("--max-entries", type=int, default=32,
                    help="input entries checked by finite differences, per input (default 32, spread evenly)"))),
    Command("render", "the graph as an SVG, PNG, PDF, DOT or TikZ file, optionally at a step of a sweep",
            "graphdiff.cli.pictures:cmd_render", (
                *out("OUT", "OUT.svg, OUT.png, OUT.pdf, OUT.dot or OUT.tex (a TikZ picture)"),
                arg("--mode", choices=MODES, help="show a sweep (default: none; reverse when --step is given)"),
                arg("--step", metavar="N", help="highlight step N of the sweep (from 1; -1 or 'last' for the last)"),
                arg("--tree", action="store_true", help="draw the expression tree (sharing off) beside the DAG"),
                arg("--title", help="a title under the graph"), *PICTURE)),
    Command("frames", "one image per step of a sweep into a folder, plus an animated GIF, a PDF deck or Beamer",
            "graphdiff.cli.pictures:cmd_frames", (
                *out("DIR", "the folder for frame-001.png …"),
                arg("--mode", choices=MODES, default="reverse"),
                arg("--format", choices=("png", "svg", "pdf", "dot"), default="png", help="format of each frame"),
                arg("--gif", metavar="OUT.gif", help="also write an animated GIF, one frame per step"),
                arg("--pdf", metavar="OUT.pdf", help="also write a PDF with one page per step"),
                arg("--beamer", metavar="DECK.tex",
                    help="write a Beamer deck (pdflatex): one frame whose overlays reveal the sweep step by step"),
                arg("--delay", type=int, default=1200, metavar="MS", help="GIF time per frame (default 1200 ms)"),
                *PICTURE)),
    Command("html", "one self-contained HTML page that steps through the sweeps in a browser",
            "graphdiff.cli.pictures:cmd_html", (
                *out("OUT.html", "the page to write"),
                arg("--title", help="the page's title (default: the file's name)"),
                arg("--theme", choices=("light", "dark"), default="light", help="the theme it opens in"),
                arg("--rankdir", choices=("LR", "TB"), default="LR", help="left-to-right (default) or top-to-bottom"),
                arg("--split-leaves", metavar="WHEN", default="auto",
                    help="draw an input beside each node that uses it: auto, all, none or a number of uses"))),
    Command("codegen", "the evaluation trace and the forward / reverse derivative programs (NumPy, pseudo-code, JAX)",
            "graphdiff.cli.programs:cmd_codegen", (
                arg("--mode", choices=("primal", "forward", "reverse", "all"), default="all",
                    help="which programs: the trace, tangents, adjoints, or all (default)"),
                arg("--lang", choices=("python", "numpy", "pseudo", "jax"), default="python",
                    help="python (or numpy): a NumPy module with the derivative programs; pseudo: the textbook's "
                         "notation; jax: the evaluation in jax.numpy, for jax.jit and jax.grad"), WRT,
                arg("--of", metavar="NAME", help="the scalar output `gradient` differentiates, when there are several"),
                OF_OLD, *out("FILE", "write the program to FILE (whole or not at all)", old_spelling=False))),
    Command("fmt", "print the file in the Unicode spelling (x², √x, x − 1, Aᵀ) or, with --ascii, the ASCII one",
            "graphdiff.cli.programs:cmd_fmt", (
                arg("--unicode", action="store_true",
                    help="math as written: x², x⁻¹, √x, x − 1, x · y, a ⊙ b, Aᵀ, π (the default)"),
                arg("--ascii", action="store_true", help="x^2, x^-1, sqrt(x), x - 1, x * y, A.T, pi"),
                *out("FILE", "write the result to FILE (it may be the file read; whole or not at all)",
                     old_spelling=False))),
    Command("cost", "operation counts: primal, tangent and adjoint sweeps, full Jacobian forward vs reverse",
            "graphdiff.cli.programs:cmd_cost", (
                arg("--chain", action="store_true",
                    help="the Jacobian chain from one input to one output: forward, reverse and optimal bracketing"),
                arg("--wrt", metavar="NAME", help="--chain: the input to start from (when there are several)"),
                arg("--of", metavar="NAME", help="--chain: the output to end at (when there are several)"), OF_OLD,
                arg("--nodes", action="store_true", help="also the flops of every node"))),
    Command("tui", "the Textual step-through debugger", "graphdiff.cli.debugger:cmd_tui", (
        SYMBOLIC,
        arg("--mode", choices=MODES, default="primal", help="the sweep to open on (switch with e / f / r)"),
        arg("--layout", choices=("auto", "dot", "layered"), default="auto",
            help="graph layout: the built-in layered one at once, then Graphviz's when it is installed (auto); "
                 "layered: never Graphviz"),
        arg("--layout-timeout", type=float, default=10.0, metavar="SECONDS",
            help="give up on Graphviz after this long (0: no limit); the built-in layout stays"))),
    Command("practice", "compute each step yourself before it is revealed: graphdiff checks it, hints and keeps "
                        "score (FILE may be a folder: every .gd file in it)", "graphdiff.cli.practice:cmd_practice", (
        arg("--mode", choices=MODES, default="reverse",
            help="what you compute: values (primal), tangents (forward) or adjoints (reverse, the default)"),
        arg("--seed", help=SEED_HELP),
        arg("--tol", type=float, default=1e-3, metavar="REL",
            help="an answer is right within this relative tolerance, entry by entry (default 1e-3)"),
        arg("--ask", metavar="KINDS", help="which questions, comma-separated: steps, derivative, counts, cost, or all "
                                           "(default: steps, derivative, cost; primal: steps, counts)"),
        arg("--plain", action="store_true", help="line by line on stdout, answers from stdin (no full screen; "
                                                 "the default when stdin is not a terminal)"),
        *out("FILE", "also write the session record (JSON) to FILE", old_spelling=False)),
        file_help="a .gd graph file, or a folder: every .gd file in it, in name order"),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (no command module is imported)."""
    from .. import __version__
    p = argparse.ArgumentParser(prog="graphdiff",
                                description="Computational graphs and automatic differentiation, step by step.")
    p.add_argument("--version", action="version", version=f"graphdiff {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for c in COMMANDS:
        sp = sub.add_parser(c.name, help=c.help, description=c.help)
        sp.add_argument("file", metavar="FILE", help=c.file_help)
        sp.add_argument("--at", action="append", metavar="NAME=VALUE",
                        help="an input's value: a number (0.5, -1e-3) or an array ([1, 2], [[1, 0], [0, 1]]) "
                             "of the input's declared shape; repeatable")
        sp.add_argument("--json", action="store_true", help="print one JSON document")
        for a in c.args:
            sp.add_argument(*a.flags, **a.options)
        sp.set_defaults(run=c.run)
    return p
