"""The `tui` command. Textual is imported only here, when the command runs (it costs ~0.45 s)."""
from __future__ import annotations

from ..cli import command, load_graph


@command("tui", "the Textual step-through debugger")
def cmd_tui(args) -> int:
    g = load_graph(args)   # a bad file fails here, with the CLI's message, before any screen opens
    from .app import GraphdiffApp
    GraphdiffApp(g, path=args.file, mode=args.mode, layout_engine=args.layout).run()
    return 0


def _configure(p):
    p.add_argument("--mode", choices=("primal", "forward", "reverse"), default="primal",
                   help="the sweep to open on (switch with e / f / r)")
    p.add_argument("--layout", choices=("auto", "dot", "layered"), default="auto",
                   help="graph layout: Graphviz when installed (auto), or the built-in layered one")


cmd_tui.configure = _configure
