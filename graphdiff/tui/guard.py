"""An unexpected error in a handler of the debugger becomes a notice; the app stays alive.

Key actions go through `GraphdiffApp.run_action`, which catches; message handlers, watchers and
line renderers are wrapped with `guarded` (a renderer that fails draws a blank line)."""
from __future__ import annotations

from functools import wraps


def report(node, error: Exception) -> None:
    """Hand an error to the app's `report_error` (a notice and a record for tests)."""
    try:
        app = node.app
    except Exception:   # the app is shutting down: nothing left to tell
        return
    reporter = getattr(app, "report_error", None)
    if reporter is None:
        raise error
    reporter(error)


def guarded(fn=None, *, fallback=None):
    """Run a handler; an exception is reported and `fallback(self, *args)` (if given) is returned."""
    def wrap(fn):
        @wraps(fn)
        def run(self, *args, **kw):
            try:
                return fn(self, *args, **kw)
            except Exception as e:  # a bug in graphdiff: say so, keep going
                report(self, e)
                return fallback(self, *args) if fallback is not None else None
        return run
    return wrap(fn) if fn is not None else wrap
