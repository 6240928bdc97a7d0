"""Groups in pictures: which groups are drawn as clusters, which as one node, which runs once with ×N.

A group (a function call, a loop iteration, a `with g.group(...)` block; see `graph.Group`) is
drawn as a Graphviz cluster around its nodes, nested as the groups nest. `--collapse WHAT` draws
some groups as one node instead (a *box*): WHAT is

  all        every group (the outermost ones are the boxes)
  N          the groups at depth N (1: the top-level groups), those inside them hidden with them
  a,b,…      groups named by instance name (`layer#2`), call path (`net.layer`) or function (`cell`)

A box hides its members; an edge from outside goes to the box. Collapsed instances of one
function (or iterations of one loop) that are chained, each taking the previous one's output,
with the same input and output shapes, are drawn once as a box `cell ×30` when the run is at
least `--repeats` long (auto: 3; none: never).

`fold_groups(g, …)` computes this once per picture, from the graph alone: a `Fold` that the DOT builder
(build.py) reads. It runs no sweep and no Graphviz.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..graph import base_name
from ..layers import call_of, collapse_spec
from ..source import GraphError

REPEAT_MIN = 3     # `--repeats auto`: a chain of this many equal collapsed instances is drawn once


def group_path_text(g, gid: int) -> str:
    """A group's call path, dotted: `net.layer#2`."""
    return ".".join(g.groups[k].name for k in g.group_path(gid))


def collapse_set(g, text: str | None) -> frozenset:
    """The groups `--collapse WHAT` names, as group ids (graphdiff.layers.collapse_spec, which
    the debugger reads the option through too)."""
    return frozenset(collapse_spec(g, text))


def repeat_min(repeats="auto") -> int | None:
    """`--repeats`: auto, none, or a least number of chained instances → that number (None: off)."""
    if repeats in (None, "auto"):
        return REPEAT_MIN
    if repeats in ("none", "off", False):
        return None
    try:
        least = int(repeats)
    except (TypeError, ValueError):
        raise GraphError(f"bad --repeats '{repeats}': expected auto, none or a number of instances") from None
    if least < 2:
        raise GraphError(f"bad --repeats {least}: a run has 2 or more instances")
    return least


@dataclass
class Box:
    """One drawn node standing for a collapsed group instance, or a run of chained instances."""

    id: str                 # the DOT node id (g<first group id>)
    groups: tuple           # the group instances it stands for, in order
    members: tuple          # the nodes it hides, in topological order
    entries: tuple = ()     # nodes outside it that feed it (named or not; never an unnamed constant)
    exits: tuple = ()       # its members used outside it, or outputs of the graph
    parent: int = -1        # the group it sits in (-1: the top level)
    first: "Box | None" = None   # a run's first instance (its interface is the run's)
    spans: tuple = ()       # per instance, the outermost group it fills (itself, or a loop iteration around it)

    @property
    def count(self) -> int:
        return len(self.groups)


@dataclass
class Fold:
    """How one picture draws the groups: boxes for collapsed ones, clusters for the others."""

    g: object
    boxes: list = field(default_factory=list)
    box_of: dict = field(default_factory=dict)     # node id -> its Box (hidden nodes only)
    boxed: list = field(default_factory=list)      # group id -> id of the outermost collapsed group around it, or -1


def fold_groups(g, collapsed=frozenset(), *, repeats="auto") -> Fold:
    """Boxes for the collapsed groups (the outermost of each nest), runs folded into one."""
    f = Fold(g)
    groups = g.groups
    boxed = [-1] * len(groups)
    for grp in groups:           # a parent comes before its children (ids grow as groups open)
        up = boxed[grp.parent] if grp.parent >= 0 else -1
        boxed[grp.id] = up if up >= 0 else (grp.id if grp.id in collapsed else -1)
    f.boxed = boxed
    if not collapsed:
        return f
    members: dict[int, list] = {}
    for n in g.node_list():
        if n.group >= 0 and boxed[n.group] >= 0:
            members.setdefault(boxed[n.group], []).append(n.id)
    singles = [_box(g, (gid,), members[gid]) for gid in sorted(members)]
    least = repeat_min(repeats)
    hidden = {i for ms in members.values() for i in ms}
    lifted = _lifted(g, singles, hidden) if least is not None else {}
    for run in _runs(g, [lifted.get(b.id, b) for b in singles], least):
        box = _run_box(g, run, hidden) if len(run) > 1 else next(b for b in singles if b.id == run[0].id)
        f.boxes.append(box)
        for i in box.members:
            f.box_of[i] = box
    return f


def _box(g, gids: tuple, members: list, parent: int | None = None, spans: tuple = ()) -> Box:
    inside = set(members)
    entries, exits = {}, {}
    outputs = {i for _, i in g.outputs}
    nodes = g.node_list()
    for i in members:
        for j in nodes[i].operands:
            if j not in inside and not (nodes[j].op == "const" and not nodes[j].names):
                entries[j] = None
        if i in outputs or any(c not in inside for c in g.consumers(i)):
            exits[i] = None
    return Box(f"g{gids[0]}", gids, tuple(members), tuple(entries), tuple(sorted(exits)),
               g.groups[gids[0]].parent if parent is None else parent, spans=spans or gids)


def _lifted(g, singles: list, hidden: set) -> dict:
    """Boxes that fill their enclosing group, as standing for it: a loop iteration holding one
    call (and the nodes made for it, such as `x[t]`) is that call, so that calls in successive
    iterations chain into one run. Box id → the box grown to the outermost group it fills."""
    groups, nodes = g.groups, g.node_list()
    inclusive: dict[int, list] = {}     # group -> its nodes, the groups inside it included
    for n in nodes:
        for k in g.group_path(n.group) if n.group >= 0 else ():
            inclusive.setdefault(k, []).append(n.id)
    outputs = {i for _, i in g.outputs}
    out = {}
    for box in singles:
        grown = box
        while grown.parent >= 0:
            around = inclusive[grown.parent]
            inside = set(around)
            mine = set(grown.members)
            extra = [j for j in around if j not in mine]
            fills = all(nodes[j].op == "const" and not nodes[j].names or
                        not nodes[j].is_leaf and j not in hidden and j not in outputs
                        and all(c in inside for c in g.consumers(j)) for j in extra)
            if not fills:
                break
            grown = _box(g, box.groups, sorted(around), groups[grown.parent].parent, spans=(grown.parent,))
        if grown is not box:
            out[box.id] = grown
    return out


def _run_box(g, run: list, hidden: set) -> Box:
    """One box for a run of instances. Nodes made for one instance only, next to the run (such as
    `x[t]` feeding the t-th cell), go in with it: drawn apart they would be N nodes again."""
    members = sorted(i for b in run for i in b.members)
    gids = tuple(k for b in run for k in b.groups)
    spans = tuple(k for b in run for k in b.spans)
    parent = run[0].parent
    box = _box(g, gids, members, parent, spans)
    while True:
        inside = set(box.members)
        extra = [j for j in box.entries if j not in hidden and not g.node(j).is_leaf
                 and g.node(j).group == parent and j not in {i for _, i in g.outputs}
                 and all(c in inside for c in g.consumers(j))]
        if not extra:
            box.first = run[0]
            return box
        box = _box(g, gids, sorted(inside | set(extra)), parent, spans)


def interface(g, box: Box) -> tuple[tuple, tuple]:
    """(input shapes, output shapes) of one instance: its arguments and results for a function
    call, else the nodes that feed it and the nodes it hands on."""
    box = box.first or box
    grp = call_of(g, g.groups[box.groups[0]])
    ins = grp.inputs or box.entries
    outs = grp.outputs or box.exits
    return tuple(g.node(i).shape for i in ins), tuple(g.node(i).shape for i in outs)


def _runs(g, boxes: list, least: int | None) -> list[list]:
    """The boxes grouped into runs: chained instances of one function with equal interfaces.
    Runs shorter than `least` (or every run, when `least` is None) come back one box each."""
    runs, open_ = [], {}
    for b in boxes:
        grp = call_of(g, g.groups[b.groups[0]])
        key = (b.parent, grp.function, base_name(grp.name), interface(g, b))
        run = open_.get(key)
        if run is not None and set(run[-1].exits) & set(b.entries):
            run.append(b)
        else:
            run = open_[key] = [b]
            runs.append(run)
    out = []
    for run in runs:
        if least is not None and len(run) >= least:
            out.append(run)
        else:
            out.extend([b] for b in run)
    return sorted(out, key=lambda r: r[0].groups[0])


def drawn_edges(g, f: Fold, split=frozenset()) -> dict:
    """(src, dst, slot) → the id of the edge the picture draws for it, as the DOT builder names
    them (an edge to or from a box stands for all the edges between the same two drawn things,
    and takes the first one's id), or None when the edge is hidden inside a box."""
    out, drawn = {}, {}
    for n in g.node_list():
        i = n.id
        hbox = f.box_of.get(i)
        for slot, j in enumerate(n.operands):
            tbox = f.box_of.get(j)
            eid = f"e{j}_{i}_{slot}"
            src = g.node(j)
            if hbox is not None and (tbox is hbox or src.op == "const" and not src.names):
                out[j, i, slot] = None
                continue
            if hbox is None and tbox is None:
                out[j, i, slot] = eid
                continue
            tail = (f"l{j}_{hbox.id}" if hbox is not None else f"l{j}_{i}_{slot}") if j in split else \
                (tbox.id if tbox is not None else f"n{j}")
            out[j, i, slot] = drawn.setdefault((tail, hbox.id if hbox is not None else f"n{i}"), eid)
    return out
