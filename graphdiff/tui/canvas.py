"""A character grid drawn once from a Layout; styles are applied per line at render time, so a
step only changes which styles apply, never the drawing."""
from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from ..graph import Graph
from .layout import Layout, box_text

STYLES = {
    "current": Style(color="black", bgcolor="yellow", bold=True),
    "done": Style(color="green"),
    "pending": Style(color="grey70"),
    "idle": Style(color="grey42"),
    "edge": Style(color="grey42"),
    "edge_step": Style(color="yellow", bold=True),
    "edge_term": Style(color="magenta", bold=True),
    "breakpoint": Style(color="red", bold=True),
    "blank": Style(),
}


class Canvas:
    """chars[y][x] and, per cell, what drew it: ('n', node), ('e', (src, dst)) or None."""

    def __init__(self, g: Graph, lay: Layout):
        self.layout = lay
        self.width, self.height = lay.width, lay.height
        self.chars = [[" "] * self.width for _ in range(self.height)]
        self.owner = [[None] * self.width for _ in range(self.height)]
        for key, cells in lay.edges.items():
            self._edge(key, cells)
        for i, box in lay.boxes.items():
            self._box(i, box, box_text(g, i))

    def _put(self, x, y, ch, owner):
        if 0 <= y < self.height and 0 <= x < self.width:
            self.chars[y][x] = ch
            self.owner[y][x] = owner

    def _edge(self, key, cells):
        for k, (x, y) in enumerate(cells):
            prev = cells[k - 1] if k else None
            nxt = cells[k + 1] if k + 1 < len(cells) else None
            self._put(x, y, _line_char(prev, (x, y), nxt), ("e", key))
        if cells:
            x, y = cells[-1]
            self._put(x, y, "▶", ("e", key))

    def _box(self, i, box, text):
        x, y, w, h = box
        own = ("n", i)
        self._put(x, y, "╭", own)
        self._put(x + w - 1, y, "╮", own)
        self._put(x, y + h - 1, "╰", own)
        self._put(x + w - 1, y + h - 1, "╯", own)
        for cx in range(x + 1, x + w - 1):
            self._put(cx, y, "─", own)
            self._put(cx, y + h - 1, "─", own)
        for cy in range(y + 1, y + h - 1):
            self._put(x, cy, "│", own)
            self._put(x + w - 1, cy, "│", own)
            for cx in range(x + 1, x + w - 1):
                self._put(cx, cy, " ", own)
        for k, ch in enumerate(text):
            self._put(x + 2 + k, y + h // 2, ch, own)

    def segments(self, y: int, x0: int, width: int, node_style, edge_style) -> list[Segment]:
        """Row y, columns x0..x0+width, as styled segments (runs of one style merged)."""
        segs, run, run_style = [], [], None
        if not 0 <= y < self.height:
            return [Segment(" " * width)]
        chars, owners = self.chars[y], self.owner[y]
        for x in range(x0, x0 + width):
            if x >= self.width:
                ch, st = " ", STYLES["blank"]
            else:
                ch, own = chars[x], owners[x]
                st = (STYLES["blank"] if own is None else
                      node_style(own[1]) if own[0] == "n" else edge_style(own[1]))
            if st is not run_style and run:
                segs.append(Segment("".join(run), run_style))
                run = []
            run.append(ch)
            run_style = st
        if run:
            segs.append(Segment("".join(run), run_style))
        return segs


def _line_char(prev, cur, nxt) -> str:
    """A box-drawing character for an edge cell from where the edge comes from and goes to."""
    dirs = set()
    for other in (prev, nxt):
        if other is None:
            continue
        dx, dy = other[0] - cur[0], other[1] - cur[1]
        if dx and dy:
            return "╲" if (dx > 0) == (dy > 0) else "╱"
        dirs.add("h" if dx else "v")
    if dirs == {"h", "v"}:
        (px, py), (nx, ny) = prev, nxt
        # a corner: which two sides does the line touch?
        sides = {_side(cur, prev), _side(cur, nxt)}
        return {frozenset("lb"): "╮", frozenset("lt"): "╯", frozenset("rb"): "╭",
                frozenset("rt"): "╰"}.get(frozenset(sides), "┼")
    return "│" if dirs == {"v"} else "─"


def _side(cur, other) -> str:
    dx, dy = other[0] - cur[0], other[1] - cur[1]
    return "l" if dx < 0 else "r" if dx > 0 else "t" if dy < 0 else "b"
