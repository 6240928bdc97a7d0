"""The `tui` command. Textual is imported only here, when the command runs (it costs ~0.45 s)."""
from __future__ import annotations

from ..cli import command, load_graph
from ..source import GraphError


@command("tui", "the Textual step-through debugger")
def cmd_tui(args) -> int:
    if args.json:
        raise GraphError("the debugger is interactive and has no JSON output: "
                         "use `graphdiff trace FILE --json` for the step records")
    g = load_graph(args)   # a bad file fails here, with the CLI's message, before any screen opens
    from .app import GraphdiffApp
    app = GraphdiffApp(g, path=args.file, mode=args.mode, layout_engine=args.layout,
                       layout_timeout=args.layout_timeout or None)
    app.run()
    return app.return_code or 0   # Textual sets 1 when the app had to stop on an error


def _configure(p):
    p.add_argument("--mode", choices=("primal", "forward", "reverse"), default="primal",
                   help="the sweep to open on (switch with e / f / r)")
    p.add_argument("--layout", choices=("auto", "dot", "layered"), default="auto",
                   help="graph layout: the built-in layered one at once, then Graphviz's when it is "
                        "installed (auto); layered: never Graphviz")
    p.add_argument("--layout-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="give up on Graphviz after this long (0: no limit); the built-in layout stays")


cmd_tui.configure = _configure
