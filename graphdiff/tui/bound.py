"""Widgets bound to the debugger screen's cursor: reactive copies of its state (set with
`data_bind`), and one deferred update after the screen has changed all it changes at once."""
from __future__ import annotations

from textual.reactive import reactive

from .guard import guarded


class Bound:
    """Mixin: reactive copies of the screen's cursor; any change schedules one `_sync`."""

    step = reactive(0, init=False, repaint=False)
    term = reactive(-1, init=False, repaint=False)
    sweep = reactive(None, init=False, repaint=False, always_update=True)
    marks = reactive(0, init=False, repaint=False)

    def watch_step(self) -> None:
        self._later()

    def watch_term(self) -> None:
        self._later()

    def watch_sweep(self) -> None:
        self._later()

    def watch_marks(self) -> None:
        self._later()

    def _later(self) -> None:
        if not getattr(self, "_pending", False):
            self._pending = True
            self.call_later(self._run_sync)

    @guarded
    def _run_sync(self) -> None:
        self._pending = False
        self._sync()

    def _sync(self) -> None:
        raise NotImplementedError
