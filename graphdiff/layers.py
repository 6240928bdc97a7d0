"""Layer-level steps: a sweep read one group at a time.

A group instance (a call of a function, an iteration, a `with g.group(...)` block) that a person
has *collapsed* is read as one step, its whole JVP (forward: the output tangents from the input
tangents) or VJP (reverse: each input's share J_layerᵀ ȳ of its adjoint, from the group's output
adjoints). Nothing here runs the sweep again: a `LayerStep` is assembled from the op-level step
records of the sweep —

  forward   ẏ            the tangent the op-level step at output y reached;
  reverse   x̄ += J_xᵀ ȳ  the sum of the terms the group's members sent to input x
                         (the op-level terms that cross the group's boundary).

The layer's Jacobian matrix, where a view shows it, comes from `layer_jacobian`: a batched sweep
of the group's sub-graph alone (its members replayed over its inputs' values), done here, in the
analysis layer, and only for layers small enough to write out.

`steps(g, sweep, collapsed)` is the sequence a person steps through: op-level steps outside the
collapsed groups and one LayerStep per collapsed instance (the outermost collapsed one when
groups nest), each standing at the index of its last inner step in `sweep.steps`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .graph import Graph, base_name
from .source import GraphError, did_you_mean

JACOBIAN_MAX = 4096      # entries of a layer's Jacobian computed for display (rows × columns)
JACOBIAN_NODES = 2000    # members of a sub-graph swept for its Jacobian


class Boundary(NamedTuple):
    """What crosses a group instance's edge: `inputs` are the non-constant nodes from outside that
    its members use (its call arguments first), `outputs` the members used outside it or named as
    outputs of the graph (what it hands back first); `members` every node made in it."""

    inputs: tuple
    outputs: tuple
    members: frozenset


class LayerStep(NamedTuple):
    """One collapsed group instance as one step of a sweep.

    `index` is the sweep's step the layer stands at (its last inner step: the debugger's cursor),
    `first` its first inner step, `inner` every inner step (indices into `sweep.steps`).
    `into` (one per input) and `out` (one per output) are the numbers of the layer-level rule:

      primal   into: the inputs' values             out: the outputs' values
      forward  into: the inputs' tangents ẋ         out: the outputs' tangents ẏ = J ẋ
      reverse  into: each input's share J_xᵀ ȳ      out: the outputs' adjoints ȳ (as they come
                                                    from outside: an output the group also uses
                                                    itself sends its own members' terms on)

    (None where the sweep gives a node nothing: an input the seed does not reach, an output whose
    adjoint is not needed). `terms` are the op-level Term records crossing the boundary (forward:
    from an input into a member; reverse: from a member back to an input)."""

    group: int
    mode: str
    index: int
    first: int
    inner: tuple
    inputs: tuple
    outputs: tuple
    into: tuple
    out: tuple
    values: tuple      # the outputs' values
    terms: tuple


# ------------------------------------------------------------------ groups

def boundary(g: Graph, gid: int) -> Boundary:
    """The inputs, outputs and members of group instance gid (cached on the graph)."""
    key = ("layers.boundary", gid, len(g))
    if key in g.cache:
        return g.cache[key]
    grp = g.groups[gid]
    members = frozenset(_members(g)[gid])
    found = []
    for i in sorted(members):
        for j in g.node(i).operands:
            if j not in members and g.node(j).op != "const":
                found.append(j)
    inputs = tuple(dict.fromkeys([j for j in grp.inputs if j in set(found)] + found))
    graph_outputs = {i for _, i in g.outputs}
    used_outside = [i for i in sorted(members)
                    if i in graph_outputs or any(c not in members for c in g.consumers(i))]
    outputs = tuple(dict.fromkeys([i for i in grp.outputs if i in members and i in set(used_outside)]
                                  + used_outside))
    g.cache[key] = b = Boundary(inputs, outputs, members)
    return b


def _members(g: Graph) -> list[list[int]]:
    """Every group's members (nodes made in it or in a group inside it), in one pass over the
    nodes (Graph.members answers for one group; a recurrence has thousands)."""
    key = ("layers.members", len(g), len(g.groups))
    if key not in g.cache:
        out: list[list[int]] = [[] for _ in g.groups]
        for n in g.node_list():
            gid = n.group
            while gid >= 0:
                out[gid].append(n.id)
                gid = g.groups[gid].parent
        g.cache[key] = out
    return g.cache[key]


def owners(g: Graph, collapsed) -> list[int]:
    """For each group, the outermost collapsed group it is in (itself included), or -1."""
    collapsed = set(collapsed)
    top = [-1] * len(g.groups)
    for grp in g.groups:   # a parent is made before its children: its entry is ready
        up = top[grp.parent] if grp.parent >= 0 else -1
        top[grp.id] = up if up >= 0 else (grp.id if grp.id in collapsed else -1)
    return top


def owner_of(g: Graph, collapsed) -> dict[int, int]:
    """{node: the outermost collapsed group it was made in}, for the nodes in a collapsed group."""
    top = owners(g, collapsed)
    return {n.id: top[n.group] for n in g.node_list() if n.group >= 0 and top[n.group] >= 0}


def call_of(g: Graph, grp):
    """The function call a group stands for: itself when it is one, or the one call a loop
    iteration holds (`t=3` around `cell(…)`), so that the iteration reads and chains as that call."""
    if grp.function is None:
        kids = g.group_children(grp.id)
        if len(kids) == 1 and kids[0].function is not None:
            return kids[0]
    return grp


def function_name(g: Graph, gid: int) -> str:
    """What a group computes, as a function's name: `layer`, `cell` for a loop iteration around
    one call of cell, else the block's own name."""
    grp = g.groups[gid]
    return call_of(g, grp).function or grp.name


def collapse_spec(g: Graph, spec: str | None) -> set[int]:
    """The groups `--collapse SPEC` names, as group ids (the debugger and the pictures read the
    option through this one function): `all`, `none`, a depth N (the groups at depth N, each
    drawn and stepped as one box; 1: the top-level groups), or comma-separated names (an
    instance's name such as layer1 or layer#2, a function's name such as cell, or a call path such
    as net.layer1). `all` or a depth on a graph without groups is nothing to collapse; a name the
    graph does not have is an error that lists the ones it has."""
    word = (spec or "").strip()
    if not word or word == "none":
        return set()
    groups = g.groups
    if not groups:
        if word == "all" or word.isdigit() and int(word) >= 1:
            return set()            # nothing to collapse: the graph is shown as it is
        raise GraphError(f"--collapse {word}: this graph has no groups",
                         hint="groups come from functions (def), loops, or g.group()/@gd.function in Python")
    if word == "all":
        return {grp.id for grp in groups}
    if word.lstrip("-").isdigit():
        depth, deepest = int(word), max(grp.depth for grp in groups)
        if depth < 1:
            raise GraphError(f"bad --collapse {word}: a depth counts from 1 (1: the top-level groups)")
        if depth > deepest:
            raise GraphError(f"--collapse {word}: the groups of this graph are at most {deepest} deep")
        return {grp.id for grp in groups if grp.depth == depth}
    known: dict[str, set[int]] = {}
    for grp in groups:
        path = ".".join(groups[k].name for k in g.group_path(grp.id))
        for key in {grp.name, base_name(grp.name), grp.function, path} - {None, ""}:
            known.setdefault(key, set()).add(grp.id)
    chosen: set[int] = set()
    for name in (n.strip() for n in word.split(",")):
        if not name:
            continue
        if name not in known:
            names = sorted(known, key=lambda k: (k.count("."), k))
            shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
            raise GraphError(f"--collapse: no group is named '{name}'",
                             hint=did_you_mean(name, names) or f"the groups are {shown} (or all, or a depth)")
        chosen |= known[name]
    return chosen


# ------------------------------------------------------------------ the layer-level walk

def steps(g: Graph, sweep, collapsed) -> list:
    """The steps a person steps through: each op-level Step of `sweep` outside the collapsed
    groups, and one LayerStep per collapsed instance the sweep enters, in the sweep's order (a
    layer where its last inner step is)."""
    owner = owner_of(g, collapsed)
    if not owner:
        return list(sweep.steps)
    inner: dict[int, list[int]] = {}
    for s in sweep.steps:
        gid = owner.get(s.node)
        if gid is not None:
            inner.setdefault(gid, []).append(s.index)
    at = {s.node: s for s in sweep.steps}
    sent: dict | None = None
    if sweep.mode == "reverse":    # the terms into each group from outside, by (input, group), in one pass
        sent = {}
        for s in sweep.steps:
            for t in s.terms:
                gid = owner.get(t.dst)
                if gid is not None and owner.get(t.src) != gid:
                    sent.setdefault((t.src, gid), []).append(t)
    out = []
    for s in sweep.steps:
        gid = owner.get(s.node)
        if gid is None:
            out.append(s)
        elif inner[gid][-1] == s.index:
            out.append(layer_step(g, sweep, gid, inner[gid], at, sent))
    return out


def layer_step(g: Graph, sweep, gid: int, inner=None, at=None, sent=None) -> LayerStep | None:
    """Group instance gid read as one step of `sweep` (None when the sweep does not enter it).
    `inner` (its steps' indices), `at` (node -> step) and `sent` (reverse: (input, group) -> the
    terms its members sent that input) save the callers' passes over the sweep."""
    b = boundary(g, gid)
    if inner is None:
        inner = [s.index for s in sweep.steps if s.node in b.members]
    if not inner:
        return None
    if at is None:
        at = {s.node: s for s in sweep.steps}
    mode = sweep.mode
    values = tuple(sweep.values[y] for y in b.outputs)
    if mode == "primal":
        into = tuple(sweep.values[x] for x in b.inputs)
        return LayerStep(gid, mode, inner[-1], inner[0], tuple(inner), b.inputs, b.outputs, into, values,
                         values, ())
    if mode == "forward":
        into = tuple(at[x].tangent if x in at else None for x in b.inputs)
        out = tuple(at[y].tangent if y in at else None for y in b.outputs)
        terms = tuple(t for k in inner for t in sweep.steps[k].terms if t.src not in b.members)
        return LayerStep(gid, mode, inner[-1], inner[0], tuple(inner), b.inputs, b.outputs, into, out, values,
                         terms)
    # reverse: what the members sent to each input (those terms are listed in the input's own step)
    terms, into = [], []
    for x in b.inputs:
        to_x = sent.get((x, gid), ()) if sent is not None else \
            [t for t in (at[x].terms if x in at else ()) if t.dst in b.members]
        terms.extend(to_x)
        total = None
        for t in to_x:
            total = t.term if total is None else total + t.term
        into.append(total)
    return LayerStep(gid, mode, inner[-1], inner[0], tuple(inner), b.inputs, b.outputs, tuple(into),
                     tuple(_from_outside(at.get(y), b.members) for y in b.outputs), values, tuple(terms))


def _from_outside(step, members):
    """An output's adjoint as the layer receives it: what came from outside the group (its seed and
    the terms of consumers outside), not what the group's own members sent it."""
    if step is None:
        return None
    inside = [t.term for t in step.terms if t.dst in members]
    if not inside:
        return step.adjoint
    return step.adjoint - sum(inside)


# ------------------------------------------------------------------ the layer's Jacobian

class LayerJacobian(NamedTuple):
    """J of a layer at its inputs' values: a row per entry of its outputs, a column per entry of its
    inputs (row-major, in the order of `Boundary`); `rows` / `cols` slice the blocks by node."""

    matrix: np.ndarray
    rows: dict      # output node -> slice of rows
    cols: dict      # input node -> slice of columns

    def block(self, y: int, x: int) -> np.ndarray:
        """∂y/∂x as a matrix (entries of y × entries of x)."""
        return self.matrix[self.rows[y], self.cols[x]]


def jacobian_size(g: Graph, gid: int) -> tuple[int, int]:
    """(rows, columns) of the layer's Jacobian: entries of its outputs, of its inputs."""
    b = boundary(g, gid)
    return (sum(math.prod(g.node(y).shape) for y in b.outputs),
            sum(math.prod(g.node(x).shape) for x in b.inputs))


def layer_jacobian(g: Graph, gid: int, values) -> LayerJacobian | None:
    """The Jacobian of group instance gid at the primal `values` (by node), by one batched sweep of
    its sub-graph; None when it is too large to write out (JACOBIAN_MAX entries) or has no inputs
    or outputs. Cached on the graph per group and per values of its inputs."""
    from . import sweeps
    b = boundary(g, gid)
    m, n = jacobian_size(g, gid)
    if not b.inputs or not b.outputs or m * n > JACOBIAN_MAX or len(b.members) > JACOBIAN_NODES:
        return None
    key = ("layers.jacobian", gid, len(g),
           tuple(np.asarray(values[x], dtype=float).tobytes() for x in b.inputs))
    if key in g.cache:
        return g.cache[key]
    sub = Graph(share=False)
    new: dict[int, int] = {}
    for k, x in enumerate(b.inputs):
        new[x] = sub.add_input(f"in{k}", values[x])
    for i in sorted(b.members):
        n_ = g.node(i)
        if n_.op == "input":          # an input of the graph declared inside a block: an input here too
            new[i] = sub.add_input(f"in{len(sub.inputs)}", values[i])
            continue
        if n_.op == "const":
            new[i] = sub.add_const(n_.value)
            continue
        operands = []
        for j in n_.operands:
            if j not in new:           # a constant from outside
                new[j] = sub.add_const(g.node(j).value)
            operands.append(new[j])
        new[i] = sub.apply(n_.op, operands, n_.attrs)
    for k, y in enumerate(b.outputs):
        sub.set_output(f"out{k}", new[y])
    mode = "reverse" if m <= n else "forward"
    J = sweeps.jacobian(sub, mode=mode).matrix
    # columns of inputs of the graph made inside the block are not the layer's: keep its inputs'
    keep, cols, at = [], {}, 0
    for i_sub in sub.inputs:
        width = math.prod(sub.node(i_sub).shape)
        keep.append((at, at + width, i_sub < len(b.inputs)))
        at += width
    J = np.concatenate([J[:, a:e] for a, e, mine in keep if mine], axis=1) if keep else J
    at = 0
    for x in b.inputs:
        width = math.prod(g.node(x).shape)
        cols[x] = slice(at, at + width)
        at += width
    rows, at = {}, 0
    for y in b.outputs:
        width = math.prod(g.node(y).shape)
        rows[y] = slice(at, at + width)
        at += width
    result = LayerJacobian(J, rows, cols)
    g.cache[key] = result
    return result


def contributions(g: Graph, layer: LayerStep, J: LayerJacobian | None) -> dict | None:
    """Forward: {(y, x): J_yx ẋ}, each input's share of each output's tangent (None without J)."""
    if J is None or layer.mode != "forward":
        return None
    out = {}
    for x, xdot in zip(layer.inputs, layer.into):
        if xdot is None:
            continue
        for y in layer.outputs:
            share = J.block(y, x) @ np.asarray(xdot, dtype=float).reshape(-1)
            out[(y, x)] = share.reshape(g.node(y).shape) if g.node(y).shape else float(share[0])
    return out
