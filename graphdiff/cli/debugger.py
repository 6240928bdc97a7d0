"""tui (its arguments: cli/spec.py). Textual is imported only here, when the command runs (it
costs about 0.45 s)."""
from __future__ import annotations

from ..source import GraphError
from .common import load_graph


def cmd_tui(args) -> int:
    if args.json:
        raise GraphError("the debugger is interactive and has no JSON output: "
                         "use `graphdiff trace FILE --json` for the step records")
    g = load_graph(args)   # a bad file fails here, with the CLI's message, before any screen opens
    if args.symbolic:
        from ..interop.sympy import show_formulas
        show_formulas(g)
    from ..tui.app import GraphdiffApp
    app = GraphdiffApp(g, path=args.file, mode=args.mode, layout_engine=args.layout,
                       layout_timeout=args.layout_timeout or None)
    app.run()
    return app.return_code or 0   # Textual sets 1 when the app had to stop on an error
