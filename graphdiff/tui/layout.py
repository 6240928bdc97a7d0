"""Where the debugger draws each node, in three stages:

1. `topology(g)`: the boxes to draw (every node but literal constants) and their edges. An edge
   that would run across many ranks from a node feeding the whole graph (an input used on every
   line of a recurrence) is cut: the consumer gets a *ghost* box of its operand just before it,
   so no edge crosses the picture and Graphviz is not asked to route it.
2. A `Ranked` layout: each box's rank (its column, left to right) and position within the rank,
   and for each edge spanning several ranks a position at every rank it crosses. Two engines
   give it: Graphviz (`dot -Tjson0`, run with a time limit) and a built-in layered layout
   (longest-path ranks, dummy nodes on long edges, barycentre ordering, balanced positions),
   fast enough to paint at once while Graphviz works in the background.
3. `geometry(topo, ranked, zoom)`: boxes on a character grid at one zoom level (full boxes,
   compact one-line boxes, or one glyph a node) and every edge routed orthogonally: out of its
   box's right side, through free rows of the ranks it crosses, turning only in the lanes between
   ranks, into the left side of its target with one arrowhead. No edge runs through a box.
"""
from __future__ import annotations

import heapq
import json
import shutil
import subprocess
from dataclasses import dataclass, field

from ..explain import is_literal
from ..graph import Graph, base_name
from ..layers import boundary, call_of, owner_of
from ..ops import OPS, index_text

COL_PT, ROW_PT = 7.2, 14.4   # a character cell in points (0.1 in × 0.2 in)
ZOOMS = ("full", "compact", "overview")
BIG = 300           # past this many boxes, Graphviz places nodes only (no splines, bounded effort)
MAX_SPAN = 10       # an edge across more ranks than this is cut (a ghost box of its source) ...
HUB_SPAN = 3        # ... and so is one across more than this from a node feeding HUB_FANOUT or more
HUB_FANOUT = 4



# ------------------------------------------------------------------ 1. what to draw

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


_SUPERSCRIPT = str.maketrans("0123456789×", "⁰¹²³⁴⁵⁶⁷⁸⁹ˣ")


def space_text(shape) -> str:
    """A shape as the space its values live in: ℝ, ℝ³, ℝ²ˣ³."""
    return "ℝ" + "×".join(map(str, shape)).translate(_SUPERSCRIPT)


def group_text(g: Graph, gid: int) -> str:
    """What a collapsed group's box says: `▣ layer#2 ℝ³,ℝ²ˣ³,ℝ² → ℝ²` (its name, the function it
    instantiates when named otherwise, and the spaces of its inputs and outputs)."""
    grp, b = g.groups[gid], boundary(g, gid)
    call = call_of(g, grp)
    if call is not grp:                 # a loop iteration around one call: `cell t=29`
        head = f"{call.function} {grp.name}"
    elif not grp.function or grp.function == base_name(grp.name):
        head = grp.name
    else:
        head = f"{grp.name}={grp.function}"
    ins = ",".join(space_text(g.node(i).shape) for i in b.inputs)
    outs = ",".join(space_text(g.node(i).shape) for i in b.outputs)
    return f"▣ {head} {ins} → {outs}"


def visible_nodes(g: Graph) -> list[int]:
    """Nodes drawn in the pane: everything but literal constants (written in their consumers' rows)."""
    return [n.id for n in g.node_list() if not is_literal(n)]


@dataclass
class Topology:
    """The boxes and edges to lay out. Box keys are node ids; a ghost box (a copy of a node drawn
    beside a far consumer) has a key ≥ `ghost_base`, and `ghosts` maps it to the node it copies.
    `nodes` is in topological order; `edges` are (source key, target key) pairs."""

    nodes: list
    edges: list
    text: dict
    ghosts: dict = field(default_factory=dict)
    ghost_base: int = 0
    cut: dict = field(default_factory=dict)   # (node, consumer) -> ghost key, for highlighting
    groups: dict = field(default_factory=dict)   # box key of a collapsed group -> its group id
    box_of: dict = field(default_factory=dict)   # node inside a collapsed group -> its group's box key
    collapsed: frozenset = frozenset()           # the collapsed groups this topology was made for
    rep: dict = field(default_factory=dict)      # group box key -> a node of it (clicks go there)

    def real(self, key: int) -> int:
        """The graph node a box stands for (a ghost's original; a node of a collapsed group)."""
        key = self.ghosts.get(key, key)
        return self.rep.get(key, key)

    def key(self, node: int) -> int:
        """The box a node is drawn in: its own, or its collapsed group's."""
        return self.box_of.get(node, node)


def topology(g: Graph, nodes: list[int] | None = None, *, ghosts: bool = True, collapsed=()) -> Topology:
    """The boxes to draw for `nodes` (default: every visible node) and the edges between them,
    with far edges from busy nodes cut into ghosts (see the module docstring). The nodes of a
    collapsed group (the outermost one collapsed) are one box, keyed len(g) + its id."""
    nodes = visible_nodes(g) if nodes is None else nodes
    keep = set(nodes)
    owner = owner_of(g, collapsed) if collapsed else {}
    box_of = {i: len(g) + owner[i] for i in nodes if i in owner}
    boxes = list(dict.fromkeys(box_of.get(i, i) for i in nodes))
    preds: dict = {k: [] for k in boxes}
    for i in nodes:
        k = box_of.get(i, i)
        for j in g.node(i).operands:
            if j in keep:
                kj = box_of.get(j, j)
                if kj != k and kj not in preds[k]:
                    preds[k].append(kj)
    if box_of:
        boxes = _box_order(boxes, preds)
    groups = {len(g) + gid: gid for gid in set(owner[i] for i in box_of)}
    text = {k: group_text(g, groups[k]) if k in groups else box_text(g, k) for k in boxes}
    rep = {}
    for i, k in box_of.items():
        rep[k] = i
    topo = Topology(boxes, [(j, i) for i in boxes for j in preds[i]], text, {}, len(g) + len(g.groups),
                    groups=groups, box_of=box_of, collapsed=frozenset(collapsed), rep=rep)
    if not ghosts:
        return topo
    rank = _ranks(topo.nodes, preds)
    fanout: dict = {}
    for j, i in topo.edges:
        fanout[j] = fanout.get(j, 0) + 1
    edges, made = [], {}
    for j, i in topo.edges:
        span = rank[i] - rank[j]
        if span > MAX_SPAN or (span > HUB_SPAN and fanout[j] >= HUB_FANOUT):
            key = made.get((j, rank[i]))
            if key is None:
                key = made[(j, rank[i])] = topo.ghost_base + len(topo.ghosts)
                topo.ghosts[key] = j
                text[key] = text[j] if j in groups or g.node(j).op in ("input", "const") else g.label(j)
            edges.append((key, i))
            topo.cut[(j, i)] = key
        else:
            edges.append((j, i))
    # ghosts go just before their first consumer in the order (they have no operands)
    first_use = {}
    for k, (s, d) in enumerate(edges):
        if s in topo.ghosts:
            first_use.setdefault(d, []).append(s)
    order = []
    for i in topo.nodes:
        order.extend(dict.fromkeys(first_use.get(i, ())))
        order.append(i)
    topo.nodes, topo.edges = order, edges
    return topo


def _box_order(boxes: list, preds: dict) -> list:
    """The boxes in an order where every box comes after its operands, as close to `boxes` as can
    be (a group's box stands for nodes made at several places). Should collapsing make a cycle
    (a node outside a group both fed by it and feeding it), the edges closing it are dropped."""
    place = {k: n for n, k in enumerate(boxes)}
    waiting = {k: len(preds[k]) for k in boxes}
    users: dict = {k: [] for k in boxes}
    for k in boxes:
        for j in preds[k]:
            users[j].append(k)
    ready = [(place[k], k) for k in boxes if not waiting[k]]
    heapq.heapify(ready)
    order, done = [], set()
    while len(order) < len(boxes):
        if not ready:    # a cycle: take the earliest box left, dropping its edges from boxes not placed
            k = min((k for k in boxes if k not in done), key=place.__getitem__)
            preds[k] = [j for j in preds[k] if j in done]
            heapq.heappush(ready, (place[k], k))
            waiting[k] = 0
        _, k = heapq.heappop(ready)
        if k in done:
            continue
        done.add(k)
        order.append(k)
        for u in users[k]:
            waiting[u] -= 1
            if waiting[u] == 0 and u not in done:
                heapq.heappush(ready, (place[u], u))
    return order


def _preds(topo: Topology) -> dict:
    preds = {i: [] for i in topo.nodes}
    for s, d in topo.edges:
        preds[d].append(s)
    return preds


def _ranks(nodes: list, preds: dict) -> dict:
    """Longest-path ranks from the sources, then each source moved just before its first consumer
    (an input used late is drawn late, not at the far left with a long edge)."""
    rank = {}
    for i in nodes:
        rank[i] = 1 + max((rank[j] for j in preds[i]), default=-1)
    first = {}
    for i in nodes:
        for j in preds[i]:
            first[j] = min(first.get(j, 1 << 30), rank[i])
    for i in nodes:
        if not preds[i] and i in first:
            rank[i] = max(0, first[i] - 1)
    return rank


# ------------------------------------------------------------------ 2. ranks and positions

@dataclass
class Ranked:
    """An engine's layout: rank (column) and position (centre row at full zoom, downwards) of every
    box, and the position at which each long edge crosses every rank between its ends."""

    rank: dict
    pos: dict
    waypoints: dict      # (s, d) -> [position at rank(s)+1, …, rank(d)-1]
    engine: str = "layered"


def layered(g_or_topo, *, sweeps: int = 6) -> Ranked:
    """The built-in layered layout (also for the focus view's neighbourhoods): no Graphviz needed."""
    topo = g_or_topo if isinstance(g_or_topo, Topology) else topology(g_or_topo)
    preds = _preds(topo)
    rank = _ranks(topo.nodes, preds)
    n_ranks = max(rank.values(), default=0) + 1
    layers: list[list] = [[] for _ in range(n_ranks)]
    for i in topo.nodes:
        layers[rank[i]].append(i)
    # dummy nodes on long edges, one per rank crossed: ("d", edge number, rank)
    up: dict = {i: [] for i in topo.nodes}     # neighbours in the rank before
    down: dict = {i: [] for i in topo.nodes}   # neighbours in the rank after
    chains = {}
    for k, (s, d) in enumerate(topo.edges):
        chain = [s] + [("d", k, r) for r in range(rank[s] + 1, rank[d])] + [d]
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
        for r, dummy in zip(range(rank[s] + 1, rank[d]), chain[1:-1]):
            layers[r].append(dummy)
        chains[(s, d)] = chain[1:-1]
    order = {v: k for layer in layers for k, v in enumerate(layer)}
    for it in range(sweeps):   # barycentre ordering, alternately down and up
        rng = range(1, n_ranks) if it % 2 == 0 else range(n_ranks - 2, -1, -1)
        nbrs = up if it % 2 == 0 else down
        for r in rng:
            layer = layers[r]
            key = {}
            for v in layer:
                ns = nbrs[v]
                key[v] = sum(order[u] for u in ns) / len(ns) if ns else order[v]
            layer.sort(key=key.__getitem__)
            for k, v in enumerate(layer):
                order[v] = k
    pos = _positions(layers, up, down, set(topo.ghosts))
    waypoints = {e: [pos[v] for v in chain] for e, chain in chains.items()}
    return Ranked(rank, {i: pos[i] for i in topo.nodes}, waypoints, "layered")


def _half(v) -> float:
    return 0.5 if isinstance(v, tuple) else 1.5


def _positions(layers, up, down, ghosts: set, *, passes: int = 4) -> dict:
    """Centre rows within each rank: stacked in order, then pulled towards their neighbours in the
    rank before (or after, on the way back), the order and a one-row gap kept. A box aligns with
    the boxes next to it, not with edge bends or ghosts (which make way): chains of boxes stay on
    one row instead of drifting."""
    pos, half, weight = {}, {}, {}
    for layer in layers:
        y = 0.0
        for v in layer:
            flexible = isinstance(v, tuple) or v in ghosts
            half[v] = 0.5 if isinstance(v, tuple) else 1.5
            weight[v] = 1.0 if flexible else 1000.0
            y += half[v]
            pos[v] = y
            y += half[v] + 1

    def anchors(nbrs):   # the neighbours a node aligns with: boxes, else anything
        return {v: [u for u in ns if weight[u] > 1.0] or ns for v, ns in nbrs.items()}
    anchors_up, anchors_down = anchors(up), anchors(down)
    for it in range(passes):
        rng = range(1, len(layers)) if it % 2 == 0 else range(len(layers) - 2, -1, -1)
        nbrs = anchors_up if it % 2 == 0 else anchors_down
        for r in rng:
            _place(layers[r], nbrs, pos, half, weight)
    top = min((pos[v] - half[v] for v in pos), default=0.0)
    return {v: p - top for v, p in pos.items()}


def _place(layer: list, nbrs: dict, pos: dict, half: dict, weight: dict) -> None:
    """Place one rank: each entry wants the mean position of its anchors; the positions nearest
    those wants (least squares, boxes weighing far more than edge bends and ghosts) that keep the
    order and gaps, found by pooling adjacent violators (isotonic regression on position minus
    the gaps above it)."""
    blocks: list[list] = []   # [value, weight, entries]
    reach, prev = 0.0, None
    reaches = []
    for v in layer:
        if prev is not None:
            reach += half[prev] + half[v] + 1
        prev = v
        reaches.append(reach)
        ns = nbrs[v]
        want = sum(pos[u] for u in ns) / len(ns) if ns else pos[v]
        blocks.append([want - reach, weight[v], 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    k = 0
    for value, _, count in blocks:
        for _ in range(count):
            pos[layer[k]] = value + reaches[k]
            k += 1


# ------------------------------------------------------------------ Graphviz

def to_dot(g_or_topo) -> str:
    """DOT source with every box sized in character cells (what `graphviz_layout` runs)."""
    topo = g_or_topo if isinstance(g_or_topo, Topology) else topology(g_or_topo)
    big = len(topo.nodes) > BIG
    fast = "splines=false; mclimit=0.2; nslimit=2; nslimit1=2; searchsize=10;" if big else "splines=spline;"
    lines = ["digraph G {", f"  rankdir=LR; nodesep=0.25; ranksep=0.5; {fast}",
             '  node [shape=box, fixedsize=true, label=""];']
    for i in topo.nodes:
        w = len(topo.text[i]) + 4
        lines.append(f"  n{i} [width={w * 0.1:.2f}, height=0.60];")
    for s, d in topo.edges:
        lines.append(f"  n{s} -> n{d};")
    lines.append("}")
    return "\n".join(lines)


class LayoutTimeout(Exception):
    """Graphviz did not finish within its time limit."""


def dot_json0(source: str, *, timeout: float | None = 10.0, started=None) -> dict:
    """Run `dot -Tjson0` on DOT source, killing it after `timeout` seconds (LayoutTimeout).
    `started(process)` is called with the running process, so a caller can kill it early."""
    exe = shutil.which("dot")
    if exe is None:
        raise FileNotFoundError("Graphviz's dot is not installed")
    proc = subprocess.Popen([exe, "-Tjson0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    if started is not None:
        started(proc)
    try:
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise LayoutTimeout(f"Graphviz took longer than {timeout:g} s") from None
    if proc.returncode != 0:
        raise RuntimeError(f"dot failed ({proc.returncode}): {err.decode('utf-8', 'replace').strip()[:200]}")
    return json.loads(out.decode("utf-8"))


def graphviz_layout(topo: Topology, *, timeout: float | None = 10.0, started=None) -> Ranked:
    return from_json0(topo, dot_json0(to_dot(topo), timeout=timeout, started=started))


def from_json0(g_or_topo, doc: dict) -> Ranked:
    """A Ranked layout from Graphviz's json0 output (also used with recorded fixtures in tests):
    ranks are the distinct x centres, positions the y centres in rows, and a long edge crosses
    each rank where its spline does."""
    topo = g_or_topo if isinstance(g_or_topo, Topology) else topology(g_or_topo)
    bb = [float(v) for v in doc["bb"].split(",")]
    height = bb[3]
    cx, pos, gvid = {}, {}, {}
    for obj in doc.get("objects", []):
        key = int(obj["name"][1:])
        x, y = (float(v) for v in obj["pos"].split(","))
        cx[key], pos[key] = x, (height - y) / ROW_PT
        gvid[obj["_gvid"]] = key
    xs = sorted({round(x, 1) for x in cx.values()})
    column = {x: k for k, x in enumerate(xs)}
    rank = {key: column[round(x, 1)] for key, x in cx.items()}
    rank_x = {k: x for x, k in column.items()}
    splines = {}
    for e in doc.get("edges", []):
        s, d = gvid[e["tail"]], gvid[e["head"]]
        if "pos" in e:
            splines[(s, d)] = _spline_points(e["pos"], height)
    waypoints = {}
    for s, d in topo.edges:
        if rank[d] - rank[s] < 2:
            continue
        pts = splines.get((s, d)) or [(cx[s], pos[s]), (cx[d], pos[d])]
        waypoints[(s, d)] = [_y_at(pts, rank_x[r]) for r in range(rank[s] + 1, rank[d])]
    return Ranked(rank, {k: pos[k] for k in topo.nodes if k in pos}, waypoints, "dot")


def _spline_points(text: str, height: float) -> list:
    """A B-spline's control points, sampled along each cubic piece: (x in points, y in rows)."""
    ctrl = []
    for tok in text.split():
        if tok.startswith(("e,", "s,")):
            continue
        x, y = (float(v) for v in tok.split(","))
        ctrl.append((x, (height - y) / ROW_PT))
    pts = []
    for k in range(0, len(ctrl) - 3, 3):
        p0, p1, p2, p3 = ctrl[k:k + 4]
        for s in range(9):
            t = s / 8
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            pts.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return pts or ctrl


def _y_at(pts, x: float) -> float:
    """The row of a sampled curve at x (linear between the samples either side)."""
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if min(x0, x1) <= x <= max(x0, x1) and x0 != x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return min(pts, key=lambda p: abs(p[0] - x))[1]


# ------------------------------------------------------------------ 3. boxes and routes on a grid

@dataclass
class Zoom:
    """Sizes at one zoom level: box height, box width from its text, vertical scale, gaps."""

    name: str
    box_h: int
    pad: int        # columns a box adds to its text (borders and spaces)
    scale: float    # rows per full-zoom row
    min_gap: int    # columns between ranks at least
    arrows: bool


ZOOM = {
    "full": Zoom("full", 3, 4, 1.0, 5, True),
    "compact": Zoom("compact", 1, 2, 0.5, 4, True),
    "overview": Zoom("overview", 1, 0, 0.5, 3, False),
}


@dataclass
class Geometry:
    """Boxes and edge routes on the character grid at one zoom level.

    `boxes[key] = (x, y, w, h)`; `routes[(s, d)]` is the list of corner points of the edge's
    polyline, from the cell right of s to the cell left of d (where its arrowhead goes)."""

    zoom: str
    width: int
    height: int
    boxes: dict
    routes: dict
    engine: str


def geometry(topo: Topology, ranked: Ranked, zoom: str = "full") -> Geometry:
    z = ZOOM[zoom]
    rank, n_ranks = ranked.rank, max(ranked.rank.values(), default=0) + 1
    width_of = {k: (1 if z.pad == 0 else len(topo.text[k]) + z.pad) for k in topo.nodes}
    # rows: scaled centres, then pushed apart within each rank (box, one free row, box)
    members: list[list] = [[] for _ in range(n_ranks)]
    for k in topo.nodes:
        members[rank[k]].append(k)
    top, occupied = {}, [set() for _ in range(n_ranks)]
    half = z.box_h // 2
    for r, keys in enumerate(members):
        keys.sort(key=lambda k: ranked.pos.get(k, 0.0))
        floor = 0
        for k in keys:
            y = max(int(round(ranked.pos.get(k, 0.0) * z.scale)) - half, floor)
            top[k] = y
            floor = y + z.box_h + 1
            occupied[r].update(range(y, y + z.box_h))
    centre = {k: top[k] + half for k in topo.nodes}
    # rows where long edges cross ranks: free of boxes and of each other where possible
    rows_of = {}
    for e in topo.edges:
        s, d = e
        rows = [centre[s]]
        crossed = range(rank[s] + 1, rank[d])
        wps = ranked.waypoints.get(e)
        if wps is None or len(wps) != len(crossed):   # no recorded crossing: a straight line
            p0, p1, n = ranked.pos.get(s, 0.0), ranked.pos.get(d, 0.0), rank[d] - rank[s]
            wps = [p0 + (p1 - p0) * (r - rank[s]) / n for r in crossed]
        for r, p in zip(crossed, wps):
            y = _free_row(int(round(p * z.scale)), occupied[r])
            occupied[r].add(y)
            rows.append(y)
        rows_of[e] = rows + [centre[d]]
    # the hops of every edge through the gaps between ranks, then lanes in each gap
    hops: list[list] = [[] for _ in range(max(n_ranks - 1, 0))]
    for e, rows in rows_of.items():
        for r, y0, y1 in zip(range(rank[e[0]], rank[e[1]]), rows, rows[1:]):
            hops[r].append((e, y0, y1))
    lanes = [_lanes(h) for h in hops]
    # columns: each rank as wide as its widest box, each gap as wide as its lanes need
    x, rank_x, gap_x = 1, [], []
    for r in range(n_ranks):
        rank_x.append(x)
        x += max((width_of[k] for k in members[r]), default=1)
        if r < n_ranks - 1:
            gap_x.append(x)
            used = max(lanes[r].values(), default=-1) + 1
            x += max(z.min_gap, used + 3)
    boxes = {}
    for r, keys in enumerate(members):
        span = max((width_of[k] for k in keys), default=1)
        for k in keys:
            boxes[k] = (rank_x[r] + (span - width_of[k]) // 2, top[k], width_of[k], z.box_h)
    routes = {}
    for e, rows in rows_of.items():
        s, d = e
        sx, sy, sw, sh = boxes[s]
        pts = [(sx + sw, rows[0])]
        for r, y0, y1 in zip(range(rank[s], rank[d]), rows, rows[1:]):
            if y0 != y1:
                lx = gap_x[r] + 1 + lanes[r][(e, y0, y1)]
                pts += [(lx, y0), (lx, y1)]
        pts.append((boxes[d][0] - 1, rows[-1]))
        routes[e] = _simplify(pts)
    # no empty rows above the drawing
    shift = min([y for (_, y, _, _) in boxes.values()] + [y for rows in rows_of.values() for y in rows], default=0)
    if shift:
        boxes = {k: (x, y - shift, w, h) for k, (x, y, w, h) in boxes.items()}
        routes = {e: [(x, y - shift) for x, y in pts] for e, pts in routes.items()}
        rows_of = {e: [y - shift for y in rows] for e, rows in rows_of.items()}
    width = x + 1
    height = max((y + h for (_, y, _, h) in boxes.values()), default=1)
    height = max([height] + [y + 1 for rows in rows_of.values() for y in rows])
    return Geometry(zoom, width, height, boxes, routes, ranked.engine)


def least_width(topo: Topology, ranked: Ranked, zoom: str) -> int:
    """A lower bound of the drawing's width at `zoom` (its ranks side by side with the narrowest
    gaps), cheap enough to rule out a zoom level before drawing it."""
    z = ZOOM[zoom]
    widest: dict = {}
    for k in topo.nodes:
        w = 1 if z.pad == 0 else len(topo.text[k]) + z.pad
        r = ranked.rank[k]
        widest[r] = max(widest.get(r, 0), w)
    return sum(widest.values()) + z.min_gap * max(len(widest) - 1, 0) + 2


def _free_row(y: int, taken: set) -> int:
    """The row nearest y (not above row 0) that no box or other crossing uses."""
    y = max(y, 0)
    for d in range(0, 64):
        for c in (y + d, y - d):
            if c >= 0 and c not in taken:
                return c
    return y


def _lanes(hops: list) -> dict:
    """Lane (0 = leftmost) of each hop that changes row in one gap between ranks.

    Hops leaving from one row share a vertical trunk. A trunk that starts on the row where
    another ends goes left of it (so their horizontal runs never overlap); trunks in one lane
    keep a free row between them. Greedy: the constrained left-edge algorithm of channel routing.
    """
    groups: dict = {}
    for h in hops:
        e, y0, y1 = h
        if y0 != y1:
            groups.setdefault(y0, []).append(h)
    if not groups:
        return {}
    span = {y0: (min([y0] + [h[2] for h in hs]), max([y0] + [h[2] for h in hs])) for y0, hs in groups.items()}
    ends: dict = {}
    for y0, hs in groups.items():
        for h in hs:
            ends.setdefault(h[2], set()).add(y0)
    before = {y0: set() for y0 in groups}   # groups that must be left of y0's trunk
    after = {y0: set() for y0 in groups}
    for y0 in groups:
        for other in ends.get(y0, ()):   # `other` ends on the row where y0 starts: y0 goes left
            if other != y0:
                before[other].add(y0)
                after[y0].add(other)
    remaining = set(groups)
    lane_of: dict = {}
    lanes: list[list] = []
    while remaining:
        ready = [y for y in remaining if not (before[y] & remaining)]
        pick = min(ready or remaining, key=lambda y: span[y])
        remaining.discard(pick)
        lo, hi = span[pick]
        least = max((lane_of[y] + 1 for y in before[pick] if y in lane_of), default=0)
        k = least
        while k < len(lanes) and any(not (hi + 1 < a or b < lo - 1) for a, b in lanes[k]):
            k += 1
        if k == len(lanes):
            lanes.append([])
        lanes[k].append((lo, hi))
        lane_of[pick] = k
    return {h: lane_of[h[1]] for hs in groups.values() for h in hs}


def _simplify(pts: list) -> list:
    """Drop repeated points and points in the middle of a straight run."""
    out = []
    for p in pts:
        if out and out[-1] == p:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == p[0] or out[-2][1] == out[-1][1] == p[1]):
            out[-1] = p
            continue
        out.append(p)
    return out


# ------------------------------------------------------------------ choosing an engine

def layout(g: Graph, *, engine: str = "auto", timeout: float | None = 10.0) -> Ranked:
    """Lay the graph out once: with Graphviz when it is installed (or asked for), else layered.
    With engine "auto", a Graphviz failure or timeout falls back to the layered layout."""
    topo = topology(g)
    if engine == "dot" or (engine == "auto" and shutil.which("dot")):
        try:
            return graphviz_layout(topo, timeout=timeout)
        except Exception:  # a broken, missing or slow Graphviz: the built-in layout still works
            if engine == "dot":
                raise
    return layered(topo)
