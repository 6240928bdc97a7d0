"""Graphviz in bounded time: layout effort chosen from the graph's shape, a time limit, a fallback.

`dot` lays a graph out in ranks. An edge that spans k ranks becomes a chain of k − 1 virtual
nodes, and the two network-simplex passes and crossing reduction work on all of them: a few
inputs that feed every line of a long program make that quadratic (70 lines: over 2 minutes).
So the effort is chosen from the *work*, real nodes plus the virtual nodes the long edges will
add, estimated here in linear time:

  full      work ≤ FULL_WORK     Graphviz's defaults (the best picture)
  bounded   work ≤ BOUNDED_WORK  no x-coordinate network-simplex passes (nslimit=0: the initial
                                 feasible placement, which reads as well on AD graphs), bounded
                                 crossing reduction (mclimit)
  minimal   work ≤ LAYERED_WORK  as bounded, plus straight edges and little crossing reduction
  layered   larger               placed here (below), Graphviz only draws

Every Graphviz process runs under a time limit. When a level runs out of time the next one is
tried, and when the budget is spent (or the work is beyond LAYERED_WORK) the graph is placed here, rank by rank (longest path,
barycentre order), and Graphviz only draws it (`neato -n`, straight edges): linear time, a
plainer picture, and a note on stderr. `run_layout` is the one entry point; the TUI and other
views can call it with their own DOT (node names must be plain identifiers).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass

from ..source import GraphError

FULL_WORK = 3000
BOUNDED_WORK = 30000
LAYERED_WORK = 250000    # minimal effort takes ≈ 10 s here on a 2-core machine (≈ 40 µs per unit)
BUDGET_S = 60.0          # all layout attempts of one picture together
MIN_ATTEMPT_S = 2.0      # an attempt gets at least this long (if the budget has it)
DRAW_TIMEOUT_S = 120.0   # drawing from fixed positions (neato -n/-n2) is linear; this only stops a hang

LEVELS = {
    "full": {},
    "bounded": {"nslimit": "0", "nslimit1": "4", "mclimit": "0.5", "searchsize": "20"},
    "minimal": {"nslimit": "0", "nslimit1": "2", "mclimit": "0.1", "searchsize": "10",
                "remincross": "false", "splines": "line"},
}
ORDER = ("full", "bounded", "minimal")


@dataclass(frozen=True)
class Shape:
    """What layout effort a graph needs: its nodes, edges, ranks and the virtual nodes of long edges."""

    nodes: int
    edges: int
    ranks: int
    span: int      # Σ over edges of (rank gap − 1): the virtual nodes `dot` will add

    @property
    def work(self) -> int:
        return self.nodes + self.span

    @property
    def level(self) -> str:
        """The first effort level to try for this shape."""
        if self.work <= FULL_WORK:
            return "full"
        if self.work <= BOUNDED_WORK:
            return "bounded"
        return "minimal" if self.work <= LAYERED_WORK else "layered"


@dataclass(frozen=True)
class Laid:
    """A finished Graphviz run: its output, the effort level that made it, and how long it took."""

    data: bytes
    level: str          # full, bounded, minimal or layered (placed here, drawn by neato -n)
    seconds: float


class LayoutTimeout(Exception):
    """A Graphviz process ran past its time limit."""


# ------------------------------------------------------------------ the graph's shape

_EDGE = re.compile(r"^\s*(\w+)\s*->\s*(\w+)", re.M)
_NODE = re.compile(r"^\s*(\w+)\s*(?:\[|;|$)", re.M)
_KEYWORDS = {"graph", "node", "edge", "digraph", "subgraph", "strict"}


def parse_graph(source: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Node names (in order of appearance) and edges of a DOT source whose names are identifiers."""
    edges = _EDGE.findall(source)
    seen = dict.fromkeys(m for m in _NODE.findall(source) if m not in _KEYWORDS)
    for a, b in edges:
        seen.setdefault(a)
        seen.setdefault(b)
    return list(seen), edges


def ranks_of(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """A rank per node as `dot` would roughly give it: longest path from the sources (Kahn's
    algorithm, a loop), then each source pulled down next to its first consumer."""
    succ = {n: [] for n in nodes}
    indeg = dict.fromkeys(nodes, 0)
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    rank = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if indeg[n] == 0]
    sources = list(ready)
    while ready:
        a = ready.pop()
        for b in succ[a]:
            rank[b] = max(rank[b], rank[a] + 1)
            indeg[b] -= 1
            if indeg[b] == 0:
                ready.append(b)
    for s in sources:
        if succ[s]:
            rank[s] = min(rank[b] for b in succ[s]) - 1
    return rank


def shape_of(nodes: list[str], edges: list[tuple[str, str]]) -> Shape:
    rank = ranks_of(nodes, edges)
    span = sum(max(abs(rank[b] - rank[a]) - 1, 0) for a, b in edges)
    ranks = (max(rank.values()) - min(rank.values()) + 1) if rank else 0
    return Shape(len(nodes), len(edges), ranks, span)


# ------------------------------------------------------------------ running Graphviz

def run_tool(cmd: list[str], source: bytes, timeout: float) -> bytes:
    """Run a Graphviz program (cmd) on source, within timeout seconds: its output, or a
    LayoutTimeout, a GraphError when the program is missing, a RuntimeError when it rejects the DOT."""
    try:
        done = subprocess.run(cmd, input=source, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LayoutTimeout(f"{cmd[0]} ran past {timeout:.0f} s") from None
    except FileNotFoundError:
        from .output import MISSING_DOT, MISSING_HINT
        fmt = next((a[2:].split(":")[0] for a in cmd if a.startswith("-T")), "picture")
        raise GraphError(MISSING_DOT.format(fmt=fmt.upper()), hint=MISSING_HINT) from None
    if done.returncode != 0:   # graphdiff wrote DOT that Graphviz rejects: our bug, not the user's
        err = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz failed on graphdiff's DOT ({' '.join(cmd[1:])}): {err[:500]}")
    return done.stdout


def json_docs(text: str) -> list[dict]:
    """The JSON documents of one Graphviz run over several graphs (one after another)."""
    dec, docs, k = json.JSONDecoder(), [], 0
    while True:
        while k < len(text) and text[k].isspace():
            k += 1
        if k >= len(text):
            return docs
        doc, k = dec.raw_decode(text, k)
        docs.append(doc)


def _args(fmt: str, attrs: dict) -> list[str]:
    return [f"-T{fmt}"] + [f"-G{k}={v}" for k, v in attrs.items()]


def run_layout(source: str, fmt: str, *, budget: float | None = None, engine: str = "dot",
               extra: tuple[str, ...] = (), rankdir: str | None = None, level: str | None = None,
               quiet: bool = False) -> Laid:
    """Lay out and draw `source` in format `fmt` (svg, png:cairo, json0 …) within `budget` seconds.

    The effort level comes from the graph's shape (or `level`); each level that runs out of time
    hands over to the next, and the last resort places the nodes here and lets `neato -n` draw
    them. `extra` are more command-line arguments for Graphviz. A note goes to stderr when the
    picture was simplified to fit the budget (unless `quiet`).
    """
    budget = BUDGET_S if budget is None else budget
    t0 = time.perf_counter()
    nodes, edges = parse_graph(source)
    shape = shape_of(nodes, edges)
    data = source.encode("utf-8")
    first = level or shape.level
    for name in ORDER[ORDER.index(first):] if first in ORDER else ():
        left = budget - (time.perf_counter() - t0)
        if left < MIN_ATTEMPT_S and name != first:
            break
        try:
            out = run_tool([engine, *_args(fmt, LEVELS[name]), *extra], data, max(left, MIN_ATTEMPT_S))
            return Laid(out, name, time.perf_counter() - t0)
        except LayoutTimeout:
            continue
    out = draw_layered(source, fmt, nodes, edges, rankdir=rankdir or _rankdir(source), extra=extra)
    if not quiet:
        why = (f"ran past {budget:.0f} s" if first in ORDER else "would take minutes")
        sys.stderr.write(f"graphdiff: Graphviz's layout {why} on this graph ({shape.nodes} nodes, "
                         f"{shape.span} edge segments across ranks): drawn with a simple layered layout "
                         "and straight edges instead (--split-leaves all may draw it better)\n")
    return Laid(out, "layered", time.perf_counter() - t0)


def layout_many(sources: list[str], *, budget: float | None = None) -> list[dict]:
    """The json0 layouts of several pictures. Small ones share one `dot` process (its start-up
    is most of their cost); a big one, or a batch that fails or runs late, goes one by one
    through `run_layout`'s bounded levels."""
    small = all(shape_of(*parse_graph(s)).level == "full" for s in sources)
    if small and len(sources) > 1:
        try:
            docs = json_docs(run_tool(["dot", "-Tjson0"], "\n".join(sources).encode("utf-8"),
                                  budget or BUDGET_S).decode("utf-8"))
            if len(docs) == len(sources):
                return docs
        except LayoutTimeout:
            pass
    return [json.loads(run_layout(s, "json0", budget=budget).data) for s in sources]


def _rankdir(source: str) -> str:
    m = re.search(r"\brankdir=\"?(LR|RL|TB|BT)", source)
    return m.group(1) if m else "TB"


# ------------------------------------------------------------------ the last resort: placed here

def _with_positions(source: str, pos: dict[str, tuple[float, float]]) -> str:
    """The source with `pos` (points, pinned) added to every node, before its closing brace."""
    body = source.rstrip()
    assert body.endswith("}")
    lines = "".join(f'\t{n} [pos="{x:.2f},{y:.2f}!"]\n' for n, (x, y) in pos.items())
    return body[:-1] + lines + "}\n"


def layered_order(nodes, edges, rank) -> list[list[str]]:
    """Nodes by rank, each rank ordered by a few barycentre sweeps (down, up, down, up)."""
    layers: dict[int, list[str]] = {}
    for n in nodes:
        layers.setdefault(rank[n], []).append(n)
    keys = sorted(layers)
    nbrs = {n: [] for n in nodes}
    for a, b in edges:
        nbrs[a].append(b)
        nbrs[b].append(a)
    place = {n: k for r in keys for k, n in enumerate(layers[r])}
    for sweep in range(4):
        for r in (keys if sweep % 2 == 0 else reversed(keys)):
            layer = layers[r]
            bary = {n: (sum(place[m] for m in nbrs[n]) / len(nbrs[n]) if nbrs[n] else place[n]) for n in layer}
            layer.sort(key=lambda n: bary[n])
            for k, n in enumerate(layer):
                place[n] = k
    return [layers[r] for r in keys]


def draw_layered(source: str, fmt: str, nodes, edges, *, rankdir: str = "LR", extra=(),
                 ranksep: float = 36.0, nodesep: float = 18.0) -> bytes:
    """Place the nodes rank by rank here and let `neato -n` draw them with straight edges.

    Node sizes come from a first `neato -n` pass that only measures labels; both passes are
    linear in the graph's size.
    """
    rank = ranks_of(nodes, edges)
    zero = _with_positions(source, {n: (0.0, 0.0) for n in nodes})
    doc = json.loads(run_tool(["neato", "-n", "-Tjson0", "-Gsplines=false", "-Goverlap=true"],
                          zero.encode("utf-8"), DRAW_TIMEOUT_S))
    size = {o["name"]: (float(o.get("width", 0.5)) * 72, float(o.get("height", 0.5)) * 72)
            for o in doc.get("objects", ()) if "name" in o}
    across = rankdir in ("LR", "RL")          # ranks run along x; a rank's nodes are stacked in y
    pos, along = {}, 0.0
    layers = layered_order(nodes, edges, rank)
    extent = lambda n: size.get(n, (36, 18))[1 if across else 0]
    total = max((sum(extent(n) + nodesep for n in layer) for layer in layers), default=0.0)
    for layer in layers:
        thick = max(size.get(n, (36, 18))[0 if across else 1] for n in layer)
        c = (total - sum(extent(n) + nodesep for n in layer)) / 2
        for n in layer:
            e = extent(n)
            mid_along, mid_across = along + thick / 2, total - (c + e / 2)
            pos[n] = (mid_along, mid_across) if across else (mid_across, -mid_along)
            c += e + nodesep
        along += thick + ranksep
    if rankdir in ("RL", "BT"):
        pos = {n: (-x, y) if across else (x, -y) for n, (x, y) in pos.items()}
    placed = _with_positions(source, pos)
    return run_tool(["neato", "-n", f"-T{fmt}", "-Gsplines=line", *extra], placed.encode("utf-8"), DRAW_TIMEOUT_S)
