"""The command line: `graphdiff COMMAND FILE [options]` (docs/cli.md).

`spec.py` declares every command and its arguments; `basic.py` (eval, grad, jacobian, trace,
stats, check), `pictures.py` (render, frames, html), `programs.py` (codegen, cost) and
`debugger.py` (tui) run them; `common.py` holds what they share.

Exit status: 0 success, 2 bad usage or a bad graph file (message on stderr, nothing on stdout),
1 anything else (including `check` finding a disagreement, and `--strict` on a NaN).
"""
from __future__ import annotations

import importlib
import os
import sys

from .spec import build_parser


def main(argv=None) -> int:
    for stream in (sys.stdout, sys.stderr):   # a file name that is not UTF-8 must not crash a message
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    from ..source import GraphError
    module, function = args.run.split(":")
    try:
        return getattr(importlib.import_module(module), function)(args)
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
