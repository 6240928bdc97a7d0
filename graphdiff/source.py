"""Source spans and the one error type users see: `file:line:col: error: ...`, the line, a caret."""
from __future__ import annotations

import bisect
import difflib


class Source:
    """The text of a graph file and its name, for locating errors."""

    __slots__ = ("text", "filename", "_starts")

    def __init__(self, text: str, filename: str = "<string>"):
        self.text = text
        self.filename = filename
        self._starts = None   # offsets where lines start, found when a place is first asked for

    def line(self, lineno: int) -> str:
        # Only "\n" ends a line (as in the lexer): str.splitlines() would also split at a form
        # feed, U+2028 or NEL inside a comment and show the wrong line under an error.
        lines = self.text.split("\n")
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    def place(self, offset: int) -> tuple[int, int]:
        """(line, column), both from 1, of a character offset."""
        if self._starts is None:
            starts, k = [0], self.text.find("\n")
            while k >= 0:
                starts.append(k + 1)
                k = self.text.find("\n", k + 1)
            self._starts = starts
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


def normalize(text: str) -> str:
    """Source text as the lexer reads it: no byte-order mark, and CRLF or CR-only line ends
    (Windows, classic Mac) written as "\n"."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Span:
    """A place in a source: a character offset and a length; `line` and `col` (from 1) are worked
    out when asked for (a span is made for every token, a place only for an error)."""

    __slots__ = ("source", "offset", "length")

    def __init__(self, source: Source, offset: int, length: int = 1):
        self.source = source
        self.offset = offset
        self.length = length

    @property
    def line(self) -> int:
        return self.source.place(self.offset)[0]

    @property
    def col(self) -> int:
        return self.source.place(self.offset)[1]

    def __str__(self) -> str:
        line, col = self.source.place(self.offset)
        return f"{self.source.filename}:{line}:{col}"

    def __repr__(self) -> str:
        return f"Span({self}, length={self.length})"


WIDTH = 100  # longest source excerpt shown under an error


class GraphError(Exception):
    """Any error in a user's graph: bad syntax, unknown names, shape mismatches, bad values.

    Prints as `file:line:col: error: message`, then the source line with a caret under the
    column when the error has a span.
    """

    def __init__(self, message: str, span: Span | None = None, *, hint: str | None = None,
                 where: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.where = where

    def format(self, *, level: str = "error") -> str:
        """The full message, with location, source line and caret (`level`: error or warning)."""
        if self.span is None:
            head = f"{self.where + ': ' if self.where else ''}{level}: {self.message}"
            return head + (f"\n  hint: {self.hint}" if self.hint else "")
        s = self.span
        line, col = s.source.place(s.offset)
        text = s.source.line(line).replace("\t", " ")
        if len(text) > WIDTH:  # show a window of a long line around the caret
            start = max(0, min(col - 1 - WIDTH // 2, len(text) - WIDTH))
            text = ("…" if start else "") + text[start:start + WIDTH] + ("…" if start + WIDTH < len(text) else "")
            col = col - start + (1 if start else 0)
        caret = " " * (col - 1) + "^" * max(1, min(s.length, len(text) - col + 1))
        out = f"{s}: {level}: {self.message}\n    {text}\n    {caret}"
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out

    def __str__(self) -> str:
        return self.format()


def closest(name: str, candidates) -> str | None:
    """The candidate a misspelt name most likely meant (the same but for case first), or None."""
    candidates = list(candidates)
    same_but_case = [c for c in candidates if c.lower() == name.lower()]
    close = same_but_case or difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None."""
    close = closest(name, candidates)
    return f"did you mean '{close}'?" if close else None
