"""Where in a user's Python code something happened, as a `Span` (file:line:col and a caret).

Tracing runs the user's own function: an error it meets (a NumPy function with no op, `math.sin`
on a node handle, an `if` on a traced value, shapes that do not fit) is reported at the user's
line, not inside graphdiff or NumPy. The column comes from the code object's positions (Python
3.11+), so the caret sits under the expression; on 3.10, under the whole line.
"""
from __future__ import annotations

import functools
import linecache
import os
import sys
from types import FrameType, TracebackType

from ..source import Source, Span

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


@functools.lru_cache(maxsize=None)
def _library_dirs() -> tuple[str, ...]:
    """Folders of installed code (the standard library, site-packages): never the user's (found
    when an error is first reported: importing sysconfig costs start-up time)."""
    import sysconfig
    dirs = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            dirs.add(os.path.abspath(sysconfig.get_path(key)) + os.sep)
        except (KeyError, TypeError):
            pass
    return tuple(sorted(dirs))


def is_user_file(filename: str) -> bool:
    """Whether code in `filename` is the user's (not graphdiff's, NumPy's or the standard library's)."""
    if not filename or filename.startswith("<frozen") or filename.startswith("<__array_function__"):
        return False
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return not path.startswith(_PACKAGE) and not path.startswith(_library_dirs())


def _position(code, lasti: int) -> tuple[int | None, int | None, int | None, int | None]:
    """(line, end line, column, end column) of the instruction at byte offset `lasti` (columns are
    UTF-8 byte offsets from 0; None where Python does not know them)."""
    positions = getattr(code, "co_positions", None)
    if positions is None or lasti < 0:
        return None, None, None, None
    for k, pos in enumerate(positions()):
        if k == lasti // 2:
            return pos
    return None, None, None, None


def span_at(filename: str, lineno: int, code=None, lasti: int = -1) -> Span | None:
    """The span of the instruction at `lasti` of `code` (or of line `lineno`) in `filename`; None
    when the file's text cannot be read."""
    lines = linecache.getlines(filename)
    if not lines or not 0 < lineno <= len(lines):
        return None
    line, end_line, col, end_col = _position(code, lasti) if code is not None else (None,) * 4
    if line != lineno:
        line, end_line, col, end_col = lineno, None, None, None
    text = lines[line - 1].rstrip("\n")
    if col is None:                  # the whole line, less its indentation
        start = len(text) - len(text.lstrip())
        length = max(1, len(text.strip()))
    else:
        raw = text.encode("utf-8")
        start = len(raw[:col].decode("utf-8", "replace"))
        stop = len(raw[:end_col].decode("utf-8", "replace")) if end_line == line and end_col is not None else len(text)
        length = max(1, stop - start)
    offset = sum(len(ln) for ln in lines[:line - 1]) + start
    return Span(Source("".join(lines), filename), offset, length)


def frame_span(frame: FrameType) -> Span | None:
    return span_at(frame.f_code.co_filename, frame.f_lineno, frame.f_code, frame.f_lasti)


def caller_span(skip: int = 1) -> Span | None:
    """The span of the innermost frame of the user's code on the current stack."""
    frame = sys._getframe(skip)
    while frame is not None and not is_user_file(frame.f_code.co_filename):
        frame = frame.f_back
    return None if frame is None else frame_span(frame)


def caller_frame(skip: int = 1) -> FrameType | None:
    frame = sys._getframe(skip)
    while frame is not None and not is_user_file(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def traceback_span(tb: TracebackType | None, *, filename: str | None = None) -> Span | None:
    """The span of the innermost frame of a traceback in the user's code (in `filename` only,
    when given)."""
    found = None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if (os.path.abspath(name) == os.path.abspath(filename)) if filename else is_user_file(name):
            found = tb
        tb = tb.tb_next
    if found is None:
        return None
    return span_at(found.tb_frame.f_code.co_filename, found.tb_lineno, found.tb_frame.f_code, found.tb_lasti)


def source_text(span: Span | None) -> str:
    """The code a span covers (one line at most)."""
    if span is None:
        return ""
    return span.source.text[span.offset:span.offset + span.length].split("\n")[0]
