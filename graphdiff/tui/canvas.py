"""The graph drawn on a character grid once per zoom level; a step only changes which styles
apply, never the drawing.

Boxes are written as characters with their owner (the box key) in NumPy arrays; edges are
direction bits per cell (north, east, south, west), so where routes meet or cross the right
box-drawing character follows from the union of their bits. A row is read back as one string
and a list of runs of one kind (blank, edge, or a box), which the widget styles.
"""
from __future__ import annotations

import numpy as np

from .layout import Geometry

N, E, S, W = 1, 2, 4, 8
_LINES = {0: " ", N: "│", S: "│", N | S: "│", E: "─", W: "─", E | W: "─",
          E | S: "╭", W | S: "╮", N | E: "╰", N | W: "╯",
          N | S | E: "├", N | S | W: "┤", E | W | S: "┬", E | W | N: "┴", N | E | S | W: "┼"}
LINE_CODES = np.array([ord(_LINES.get(b, "┼")) for b in range(16)], dtype=np.uint32)
ARROW = "▶"

BLANK, EDGE, EDGE_STEP, EDGE_TERM = -1, -2, -3, -4   # run kinds; a box's kind is its key (≥ 0)

FRAMES = {   # (top-left, top, top-right, side, bottom-left, bottom-right) of a full-size box
    "node": ("╭", "─", "╮", "│", "╰", "╯"),
    "ghost": ("╭", "┄", "╮", "┆", "╰", "╯"),
    "group": ("┏", "━", "┓", "┃", "┗", "┛"),     # a collapsed group: one heavy box
}
GLYPHS = {"input": "◆", "output": "◉", "op": "●", "const": "■", "ghost": "○", "group": "▣"}


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


class Canvas:
    """One zoom level's drawing, built in tiles of TILE columns as they come into view (a graph of
    thousands of nodes is tens of thousands of columns wide). `kind_of(key)` says what a box is:
    input, output, op, const or ghost; `text` gives each box's label."""

    TILE = 256

    def __init__(self, geo: Geometry, text: dict, kind_of):
        self.geometry = geo
        self.layout = geo            # what the benchmark and older callers read (engine, boxes)
        self.width, self.height = geo.width, geo.height
        self.text, self.kind_of = text, kind_of
        T = self.TILE
        self._boxes: dict = {}      # tile -> box keys
        self._segments: dict = {}   # tile -> ((x0, y0), (x1, y1)) segments
        self._arrows: dict = {}     # tile -> arrow cells
        for key, (x, y, w, h) in geo.boxes.items():
            for t in range(x // T, (x + w - 1) // T + 1):
                self._boxes.setdefault(t, []).append(key)
        for route in geo.routes.values():
            for a, b in zip(route, route[1:]):
                lo, hi = min(a[0], b[0]), max(a[0], b[0])
                for t in range(lo // T, hi // T + 1):
                    self._segments.setdefault(t, []).append((a, b))
            if geo.zoom != "overview":
                x, y = route[-1]
                self._arrows.setdefault(x // T, []).append((x, y))
        self._tiles: dict = {}

    def _tile(self, t: int):
        """(chars, bits, owner) of tile t, drawn on first use."""
        if t in self._tiles:
            return self._tiles[t]
        T, h = self.TILE, self.height
        x0 = t * T
        chars = np.zeros((h, T), dtype=np.uint32)
        bits = np.zeros((h, T), dtype=np.uint8)
        owner = np.full((h, T), -1, dtype=np.int64)
        for (ax, ay), (bx, by) in self._segments.get(t, ()):
            if ay == by:
                a, b = sorted((ax - x0, bx - x0))
                if a >= 0:
                    bits[ay, a] |= E
                bits[ay, max(a + 1, 0):max(min(b, T), 0)] |= E | W
                if b < T:
                    bits[ay, b] |= W
            else:
                a, b = sorted((ay, by))
                x = ax - x0
                bits[a, x] |= S
                bits[a + 1:b, x] |= N | S
                bits[b, x] |= N
        for key in self._boxes.get(t, ()):
            self._box(chars, bits, owner, x0, key, self.geometry.boxes[key])
        for x, y in self._arrows.get(t, ()):
            if 0 <= y < h and owner[y, x - x0] < 0:
                chars[y, x - x0] = ord(ARROW)
        self._tiles[t] = (chars, bits, owner)
        return self._tiles[t]

    def _box(self, chars, bits, owner, x0, key, box) -> None:
        """Draw one box into a tile starting at column x0 (clipped to the tile)."""
        x, y, w, h = box
        text, kind, zoom = self.text[key], self.kind_of(key), self.geometry.zoom
        if zoom == "overview":
            rows = [GLYPHS.get(kind, "●")]
        elif zoom == "compact":
            left, right = ("(", ")") if kind == "ghost" else ("[", "]")
            rows = [left + text + right]
        else:
            tl, top, tr, side, bl, br = FRAMES.get(kind, FRAMES["node"])
            middle = side + " " + text + " " * (w - 3 - len(text)) + side
            blank = side + " " * (w - 2) + side
            rows = [tl + top * (w - 2) + tr] + [middle if k == h // 2 else blank for k in range(1, h - 1)] \
                + [bl + top * (w - 2) + br]
        T = chars.shape[1]
        a, b = max(x - x0, 0), min(x + w - x0, T)
        if a >= b:
            return
        for k, line in enumerate(rows):
            chars[y + k, a:b] = _codes(line)[a - (x - x0):b - (x - x0)]
        owner[y:y + h, a:b] = key
        bits[y:y + h, a:b] = 0

    # ------------------------------------------------------------ reading

    def highlight(self, edges) -> "Highlight":
        """The routes of `edges` [(edge, kind), ...] to mark (edges without a route are skipped)."""
        routes = self.geometry.routes
        return Highlight([(routes[e], k) for e, k in edges if routes.get(e)])

    def row(self, y: int, x0: int, width: int, highlight: dict | None = None) -> tuple[str, list]:
        """Row y from column x0, `width` cells: its text and its runs [(start, end, kind), ...].
        `highlight` maps a row to [(x, kind), ...] edge cells to mark EDGE_STEP / EDGE_TERM."""
        if not 0 <= y < self.height or x0 >= self.width or width <= 0:
            return " " * max(width, 0), [(0, max(width, 0), BLANK)]
        x0 = max(x0, 0)
        x1 = min(x0 + width, self.width)
        T = self.TILE
        parts = []
        for t in range(x0 // T, (x1 - 1) // T + 1):
            chars, bits, owner = self._tile(t)
            a, b = max(x0 - t * T, 0), min(x1 - t * T, T)
            parts.append((chars[y, a:b], bits[y, a:b], owner[y, a:b]))
        chars = np.concatenate([p[0] for p in parts])
        bits = np.concatenate([p[1] for p in parts])
        owner = np.concatenate([p[2] for p in parts])
        codes = np.where(chars != 0, chars, LINE_CODES[bits])
        text = codes.astype("<u4").tobytes().decode("utf-32-le")
        kind = np.where(owner >= 0, owner, np.where((bits != 0) | (chars != 0), EDGE, BLANK))
        for x, k in (highlight or {}).get(y, ()):
            if x0 <= x < x1 and BLANK > kind[x - x0]:
                kind[x - x0] = min(kind[x - x0], k)   # a term's edge wins over the step's
        if x1 - x0 < width:
            text += " " * (width - (x1 - x0))
            kind = np.concatenate([kind, np.full(width - (x1 - x0), BLANK)])
        cuts = np.flatnonzero(np.diff(kind)) + 1
        starts = [0] + cuts.tolist()
        ends = cuts.tolist() + [len(kind)]
        return text, [(a, b, int(kind[a])) for a, b in zip(starts, ends)]

    def box_at(self, x: int, y: int) -> int | None:
        """The box key drawn at cell (x, y), if any."""
        if not (0 <= y < self.height and 0 <= x < self.width):
            return None
        owner = self._tile(x // self.TILE)[2][y, x % self.TILE]
        return int(owner) if owner >= 0 else None


class Highlight:
    """Edges to mark on the canvas: route polylines with their kind (EDGE_STEP / EDGE_TERM), cut to
    the window on screen when it is drawn. A node that feeds thousands of others has thousands of
    long routes; only their segments that cross the window become cells."""

    def __init__(self, routes: list | None = None):
        segs = []
        for pts, kind in routes or ():
            if len(pts) == 1:
                segs.append((*pts[0], *pts[0], kind))
            segs.extend((xa, ya, xb, yb, kind) for (xa, ya), (xb, yb) in zip(pts, pts[1:]))
        self._segs = np.array(segs, dtype=np.int64).reshape(-1, 5)
        self._window: tuple | None = None
        self._rows: dict = {}

    def __bool__(self) -> bool:
        return len(self._segs) > 0

    def rows(self, x0: int, y0: int, x1: int, y1: int) -> dict:
        """row -> [(x, kind), ...]: the marked cells in columns [x0, x1) of rows [y0, y1)."""
        if self._window == (x0, y0, x1, y1):
            return self._rows
        s = self._segs
        lo_x, hi_x = np.minimum(s[:, 0], s[:, 2]), np.maximum(s[:, 0], s[:, 2])
        lo_y, hi_y = np.minimum(s[:, 1], s[:, 3]), np.maximum(s[:, 1], s[:, 3])
        inside = (lo_x < x1) & (hi_x >= x0) & (lo_y < y1) & (hi_y >= y0)
        out: dict = {}
        for a, b, c, d, kind in np.column_stack([lo_x, lo_y, hi_x, hi_y, s[:, 4]])[inside].tolist():
            # routes are orthogonal: one of the two ranges is a single value
            for y in range(max(b, y0), min(d, y1 - 1) + 1):
                out.setdefault(y, []).extend((x, kind) for x in range(max(a, x0), min(c, x1 - 1) + 1))
        self._window, self._rows = (x0, y0, x1, y1), out
        return out
