"""Node boxes and edge routes on a character grid, from Graphviz or from a built-in layered layout.

Both produce a `Layout`: boxes (x, y, w, h in cells) and edges as lists of cells. Graphviz runs
once (`dot -Tjson0`, nodes pre-sized in cells: 0.1 in a column, 0.2 in a row, so its points land
on the grid); without `dot`, networkx's topological generations give layers, barycentre sweeps
order them, and edges are routed orthogonally through the gaps between layers.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field

from ..graph import Graph
from ..ops import OPS, index_text

COL_PT, ROW_PT = 7.2, 14.4   # a character cell in points (0.1 in × 0.2 in)
BOX_H = 3


@dataclass
class Layout:
    width: int
    height: int
    boxes: dict = field(default_factory=dict)   # node -> (x, y, w, h)
    edges: dict = field(default_factory=dict)   # (src, dst) -> [(x, y), ...] cells, src side first
    engine: str = "layered"


def box_text(g: Graph, i: int) -> str:
    """What a node's box says: the op symbol and the node's name (inputs and consts: name/value)."""
    n = g.node(i)
    if n.op == "input":
        return g.label(i)
    if n.op == "const":
        if n.names:
            return n.names[0]
        v = n.value
        return f"{float(v):g}" if n.shape == () else "⟨" + "×".join(map(str, n.shape)) + "⟩"
    sym = OPS[n.op].label
    if n.op == "index":
        sym = "[" + index_text(n.kw["index"]).replace(" ", "") + "]"
    return f"{sym} {g.label(i)}"


def visible_nodes(g: Graph) -> list[int]:
    """Nodes drawn in the pane: everything but scalar constants (shown in their consumers' rows)."""
    return [n.id for n in g.node_list() if not (n.op == "const" and not n.names and n.shape == ())]


def layout(g: Graph, *, engine: str = "auto") -> Layout:
    """Lay the graph out once: with Graphviz when it is installed (or asked for), else layered."""
    if engine == "dot" or (engine == "auto" and shutil.which("dot")):
        try:
            return from_json0(g, dot_json0(g))
        except Exception:  # a broken or missing Graphviz: the built-in layout still works
            if engine == "dot":
                raise
    return layered(g)


# ------------------------------------------------------------------ Graphviz

BIG = 300   # past this many nodes, straight edges and bounded crossing reduction (2,000 nodes: 25 s -> 3.5 s)


def to_dot(g: Graph) -> str:
    """DOT source with every box sized in character cells."""
    nodes = visible_nodes(g)
    keep = set(nodes)
    fast = "splines=line; mclimit=0.1; nslimit=1; nslimit1=1;" if len(nodes) > BIG else "splines=spline;"
    lines = ["digraph G {", f"  rankdir=LR; nodesep=0.25; ranksep=0.45; {fast}",
             '  node [shape=box, fixedsize=true, label=""];']
    for i in nodes:
        w = len(box_text(g, i)) + 4
        lines.append(f"  n{i} [width={w * 0.1:.2f}, height={BOX_H * 0.2:.2f}];")
    for n in g.node_list():
        for j in dict.fromkeys(n.operands):
            if j in keep and n.id in keep:
                lines.append(f"  n{j} -> n{n.id};")
    lines.append("}")
    return "\n".join(lines)


def dot_json0(g: Graph) -> dict:
    import graphviz
    src = graphviz.Source(to_dot(g))
    return json.loads(src.pipe(format="json0").decode("utf-8"))


def from_json0(g: Graph, doc: dict) -> Layout:
    """A Layout from Graphviz's json0 output (also used with recorded fixtures in tests)."""
    bb = [float(v) for v in doc["bb"].split(",")]
    height_pt = bb[3]
    boxes, names = {}, {}
    for obj in doc.get("objects", []):
        name = obj["name"]
        i = int(name[1:])
        cx, cy = (float(v) for v in obj["pos"].split(","))
        w = len(box_text(g, i)) + 4
        x = int(round(cx / COL_PT - w / 2))
        y = int(round((height_pt - cy) / ROW_PT - BOX_H / 2))
        boxes[i] = (max(x, 0), max(y, 0), w, BOX_H)
        names[obj["_gvid"]] = i
    edges = {}
    for e in doc.get("edges", []):
        src, dst = names[e["tail"]], names[e["head"]]
        pts = []
        for tok in e["pos"].split():
            if tok.startswith(("e,", "s,")):
                continue
            x, y = (float(v) for v in tok.split(","))
            pts.append((x / COL_PT, (height_pt - y) / ROW_PT))
        cells = _bezier_cells(pts)
        edges[(src, dst)] = _trim(cells, boxes[src], boxes[dst])
    width = max((x + w for x, y, w, h in boxes.values()), default=1) + 2
    height = max((y + h for x, y, w, h in boxes.values()), default=1) + 1
    return Layout(width, height, boxes, edges, engine="dot")


def _bezier_cells(pts) -> list:
    """Sample a piecewise cubic Bézier (3n+1 points) into grid cells."""
    cells = []
    for k in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[k:k + 4]
        span = abs(p3[0] - p0[0]) + abs(p3[1] - p0[1])
        steps = max(4, int(span * 3))
        for s in range(steps + 1):
            t = s / steps
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            x = a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0]
            y = a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]
            cell = (int(x), int(y))
            if not cells or cells[-1] != cell:
                cells.append(cell)
    return cells


def _inside(cell, box) -> bool:
    x, y, w, h = box
    return x <= cell[0] < x + w and y <= cell[1] < y + h


def _trim(cells, src_box, dst_box) -> list:
    return [c for c in cells if not _inside(c, src_box) and not _inside(c, dst_box)]


# ------------------------------------------------------------------ built-in layered layout

def layered(g: Graph, *, gap: int = 6, sweeps: int = 4) -> Layout:
    """Layers by longest path from the inputs, barycentre ordering, orthogonal edge routes."""
    nodes = visible_nodes(g)
    keep = set(nodes)
    preds = {i: [j for j in dict.fromkeys(g.node(i).operands) if j in keep] for i in nodes}
    layer = {}
    for i in nodes:   # topological order, so operands are placed first
        layer[i] = 1 + max((layer[j] for j in preds[i]), default=-1)
    n_layers = max(layer.values(), default=0) + 1
    layers = [[] for _ in range(n_layers)]
    for i in nodes:
        layers[layer[i]].append(i)
    succs = {i: [] for i in nodes}
    for i in nodes:
        for j in preds[i]:
            succs[j].append(i)
    pos = {i: k for lay in layers for k, i in enumerate(lay)}
    for it in range(sweeps):   # barycentre sweeps, down then up
        order = range(1, n_layers) if it % 2 == 0 else range(n_layers - 2, -1, -1)
        for L in order:
            nbrs = preds if it % 2 == 0 else succs
            def key(i):
                ps = [pos[j] for j in nbrs[i]]
                return (sum(ps) / len(ps)) if ps else pos[i]
            layers[L].sort(key=key)
            for k, i in enumerate(layers[L]):
                pos[i] = k
    boxes, x = {}, 1
    for lay in layers:
        w_max = max((len(box_text(g, i)) + 4 for i in lay), default=4)
        for k, i in enumerate(lay):
            w = len(box_text(g, i)) + 4
            boxes[i] = (x, 1 + k * (BOX_H + 1), w, BOX_H)
        x += w_max + gap
    edges = {}
    bottom = max((by + h for bx, by, w, h in boxes.values()), default=1)
    lane = bottom   # long edges (spanning layers) run in lanes below the boxes, one lane each
    for i in nodes:
        for j in preds[i]:
            if layer[i] - layer[j] == 1:
                edges[(j, i)] = _route(boxes[j], boxes[i], 0)
            else:
                edges[(j, i)] = _route_lane(boxes[j], boxes[i], lane)
                lane += 1
    width = max((bx + w for bx, by, w, h in boxes.values()), default=1) + 2
    return Layout(width, lane + 1, boxes, edges, engine="layered")


def _route(src, dst, shift: int) -> list:
    """Orthogonal route between adjacent layers: out of src's right side, up or down in the gap,
    into dst's left side."""
    sx, sy, sw, sh = src
    dx, dy, dw, dh = dst
    y0, y1 = sy + sh // 2, dy + dh // 2
    x0, x1 = sx + sw, dx - 1
    turn = max(x1 - 2 - shift, x0)
    return _path([(x0, y0), (turn, y0), (turn, y1), (x1, y1)])


def _route_lane(src, dst, lane: int) -> list:
    """A long edge: down from src's gap into its own lane below the boxes, along it, up into dst."""
    sx, sy, sw, sh = src
    dx, dy, dw, dh = dst
    y0, y1 = sy + sh // 2, dy + dh // 2
    out_x, in_x = sx + sw + 1, dx - 3
    return _path([(sx + sw, y0), (out_x, y0), (out_x, lane), (in_x, lane), (in_x, y1), (dx - 1, y1)])


def _path(corners) -> list:
    """The cells of a polyline through axis-aligned corner points, without repeats."""
    cells = []
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        n = max(abs(x1 - x0), abs(y1 - y0))
        for k in range(n + 1):
            c = (x0 + (x1 - x0) * k // max(n, 1), y0 + (y1 - y0) * k // max(n, 1))
            if not cells or cells[-1] != c:
                cells.append(c)
    return cells
