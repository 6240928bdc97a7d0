"""The sweeps: primal, forward (tangent) and reverse (adjoint), as plain loops over the DAG.

Each sweep returns a `Sweep`: a tuple of immutable `Step` records that views only read.
Stepping backwards is indexing into `steps`, never re-running.

  forward step at node i:  v̇ᵢ = Σⱼ ∂vᵢ/∂vⱼ · v̇ⱼ      (one Term per operand slot j → i)
  reverse step at node j:  v̄ⱼ = Σᵢ v̄ᵢ · ∂vᵢ/∂vⱼ      (one Term per consumer slot j → i)

The same loops run batched (tangents and adjoints with a leading seed axis) for Jacobians.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np

from .graph import Graph, as_value
from .ops import OPS, lift, size, unbroadcast
from .source import GraphError, did_you_mean

def fit(t, batch: tuple, shape: tuple):
    """Broadcast a term to batch + shape (terms of broadcast operands are smaller than y)."""
    want = batch + shape
    return t if np.shape(t) == want else np.broadcast_to(t, want)


PARTIAL_MAX = 64  # show an array op's local partial densely when it has at most this many entries


class Term(NamedTuple):
    """One edge's chain-rule term: `partial` is ∂v_dst/∂v_src, `term` its contribution.

    For an elementwise op `partial` is the entrywise derivative (the Jacobian's diagonal, shaped
    like the output); for other ops it is the dense Jacobian (dst.shape + src.shape) when that has
    at most PARTIAL_MAX entries, else None. `slot` is the operand position of src in dst.
    """

    src: int
    dst: int
    slot: int
    partial: Any
    term: Any


class Step(NamedTuple):
    """One step of a sweep, at one node."""

    index: int
    node: int
    op: str
    operands: tuple
    value: Any
    tangent: Any
    adjoint: Any
    terms: tuple
    note: str | None


# Records are built with tuple.__new__ in the loops: the same immutable NamedTuples, without the
# Python-level __new__ call (a large share of a scalar sweep's time otherwise).
_record = tuple.__new__


class Sweep(NamedTuple):
    """A finished sweep: its mode, its seed description, and its steps."""

    mode: str
    seed: Any
    steps: tuple
    values: tuple

    def derivative(self, i: int):
        """The tangent (forward) or adjoint (reverse) reached at node i, or None."""
        for s in self.steps:
            if s.node == i:
                return s.tangent if self.mode == "forward" else s.adjoint
        return None


# ------------------------------------------------------------------ inputs and seeds

def input_values(g: Graph, at=None) -> dict[int, Any]:
    """Values of the inputs: `at` (name -> value) over the file's defaults, shapes checked."""
    at = dict(at or {})
    names = g.input_names()
    for name in at:
        if name not in names:
            raise GraphError(f"'{name}' is not an input of this graph",
                             hint=did_you_mean(name, names) or f"inputs: {', '.join(names) or 'none'}")
    values = {}
    for i in g.inputs:
        node = g.node(i)
        name = node.names[0]
        if name in at:
            try:
                v = as_value(at[name])
            except (TypeError, ValueError):
                raise GraphError(f"the value given for '{name}' is not a number or an array") from None
            if np.shape(v) != node.shape:
                raise GraphError(f"input '{name}' has shape {node.shape}, the value given has shape {np.shape(v)}",
                                 node.span)
        elif node.value is not None:
            v = node.value
        else:
            raise GraphError(f"input '{name}' has no value: give one with --at {name}=VALUE", node.span)
        values[i] = v
    return values


def _unit(shape, entry):
    e = np.zeros(size(shape))
    if not 0 <= entry < e.size:
        raise GraphError(f"seed entry {entry} is out of range for shape {shape}")
    e[entry] = 1.0
    return as_value(e.reshape(shape))


def _seed_dict(g: Graph, seed, kind: str) -> dict[int, Any]:
    """Normalise a seed: None, a name, (name, flat entry) or {name: direction} -> {node: direction}."""
    if kind == "input":
        if not g.inputs:
            raise GraphError("the graph has no inputs to seed")
        pick, default = g.input_node, g.input_names()[0]
    else:
        if not g.outputs:
            raise GraphError("the graph has no outputs to seed")
        pick, default = g.output_node, g.outputs[0][0]
    if seed is None:
        seed = default
    if isinstance(seed, str):
        seed = (seed, 0)
    if isinstance(seed, tuple):
        name, entry = seed
        i = pick(name)
        return {i: _unit(g.node(i).shape, entry)}
    out = {}
    for name, direction in dict(seed).items():
        i = pick(name)
        d = as_value(direction)
        if np.shape(d) != g.node(i).shape:
            raise GraphError(f"seed for '{name}' has shape {np.shape(d)}, expected {g.node(i).shape}")
        out[i] = out[i] + d if i in out else d   # two output names on one node: their seeds add
    return out


# ------------------------------------------------------------------ the loops

@contextmanager
def _quiet():
    """NumPy warnings off (log(−1) is a NaN in the records, not a warning) and the cyclic garbage
    collector paused: a sweep allocates one record per node and per edge and makes no cycles,
    so repeated collections would only rescan them (they cost more than the sweep itself)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with np.errstate(all="ignore"):
            yield
    finally:
        if was_enabled:
            gc.enable()


_DOMAIN = (ArithmeticError, ValueError)   # math.log(-1), 1.0 / 0.0, math.exp(1000): NumPy gives NaN/inf


def _scalar(v):
    """A scalar value as the loops keep it: a Python float (arithmetic on np.float64 costs more)."""
    return float(v) if type(v) is not float and np.ndim(v) == 0 else v


def _numpy(args) -> tuple:
    """Float operands as NumPy scalars, for NumPy's semantics (1.0 / 0.0 is inf, not an error)."""
    return tuple(np.float64(a) if type(a) is float else a for a in args)


def _note(spec, n, args, y):
    """Why node n is not differentiable (or defined) at these operands, or None: for float
    operands through the op's one-call scalar form, else its general note."""
    if n.scalar and spec.scalar_note is not None:
        try:
            return spec.scalar_note(*args, y)
        except _DOMAIN:
            pass
    return spec.note(args, y, n.kw)


def _primal_loop(g: Graph, inputs: dict, record: bool, notes=None):
    """Values of every node in topological order, and (if record) one Step per node.

    A scalar node runs its op's float form (`math`), falling back to NumPy on a domain error, so
    that log(−1) is a NaN with a note, as with arrays."""
    values = [None] * len(g)
    steps = []
    append = steps.append
    with _quiet():
        for n in g.node_list():
            op, note = n.op, None
            if op == "input":
                y = _scalar(inputs[n.id])
            elif op == "const":
                y = _scalar(n.value)
            else:
                spec = OPS[op]
                o = n.operands  # (unrolled for the common arities: this runs once per node)
                args = (values[o[0]], values[o[1]]) if len(o) == 2 else \
                    (values[o[0]],) if len(o) == 1 else tuple([values[j] for j in o])
                if n.scalar and spec.scalar_eval is not None:
                    try:
                        y = spec.scalar_eval(*args)
                    except _DOMAIN:
                        y = float(spec.eval(*_numpy(args)))
                else:
                    y = spec.eval(*args, **n.kw) if n.kw else spec.eval(*args)
                if record and spec.note is not None:
                    note = _note(spec, n, args, y)
            values[n.id] = y
            if record:
                append(_record(Step, (n.id, n.id, op, n.operands, y, None, None, (), note)))
    return values, tuple(steps)


def primal_values(g: Graph, inputs: dict) -> list:
    """Every node's value (a list by node id), no records: for the analyses that only need values."""
    return _primal_loop(g, inputs, record=False)[0]


def primal(g: Graph, at=None) -> Sweep:
    """Evaluate every node in topological order, one step per node."""
    values, steps = _primal_loop(g, input_values(g, at), record=True)
    return Sweep("primal", None, steps, tuple(values))


def dense_partial(op, k, args, y, attrs):
    """∂y/∂x_k as a dense array (y.shape + x_k.shape) when small, else None."""
    n_in, n_out = np.size(args[k]), np.size(y)
    if n_in * n_out > PARTIAL_MAX:
        return None
    basis = np.eye(n_in).reshape((n_in,) + np.shape(args[k]))
    J = np.asarray(op.jvp(k, basis, args, y, attrs)).reshape((n_in, n_out))
    return as_value(J.T.reshape(np.shape(y) + np.shape(args[k])))


def _partial_of(spec, k, args, y, fast: bool):
    """∂y/∂x_k of an elementwise op: its float form on scalar nodes (NumPy on a domain error)."""
    if fast and spec.scalar_partials is not None:
        try:
            return spec.scalar_partials[k](*args, y)
        except _DOMAIN:
            pass
    # NumPy code on NumPy scalars: Python's float operators would raise (1.0 / 0.0) or turn
    # complex ((−1.0) ** 0.5) where NumPy gives inf or NaN.
    return spec.partials[k](*_numpy(args + (y,)))


def _no_lane_from_zero(t, direction):
    """A term partial · direction, where a direction entry that is exactly 0 contributes exactly 0,
    also when the partial there is infinite or NaN (√ at 0). A batch of seeds (the full Jacobian)
    pushes every input through one sweep: without this, one input's infinite partial times the
    other inputs' zero lanes (0 · ∞ = NaN) would spoil their columns, which a sweep seeded with each
    input alone never visits. Called only when the term holds a NaN."""
    if np.ndim(t) == 0:
        return 0.0 if direction == 0 else t
    return np.where(np.broadcast_to(direction, np.shape(t)) == 0, 0.0, t)


def _tangents(g, values, seeds: dict, batch: tuple, record: bool, notes=None):
    """The forward loop: tangents of every node that depends on a seeded input.

    Elementwise ops multiply by their partial; scalar nodes skip the broadcasting helpers.
    `notes` (the primal sweep's, by node) saves recomputing them.
    """
    active = g.descendants(seeds)
    tangents = [None] * len(g)
    steps = []
    with _quiet():
        for n in g.node_list():
            if not active[n.id] or n.op == "const":
                continue
            y = values[n.id]
            terms, note = (), None
            if n.op == "input":
                x_dot = _scalar(seeds[n.id]) if not batch else seeds[n.id]
            else:
                o = n.operands
                spec, kw = OPS[n.op], n.kw
                args = (values[o[0]], values[o[1]]) if len(o) == 2 else tuple([values[j] for j in o])
                fast = n.scalar and not batch
                terms, x_dot = [], None
                for k, j in enumerate(n.operands):
                    t_j = tangents[j]
                    if t_j is None:
                        continue  # no dependency on the seed: no term
                    if spec.partials is not None:
                        partial = _partial_of(spec, k, args, y, fast)
                        if fast:
                            t = partial * t_j
                            if t != t:
                                t = _no_lane_from_zero(t, t_j)
                        else:
                            lifted = lift(t_j, np.ndim(args[k]), len(n.shape))
                            t = partial * lifted
                            if np.isnan(t).any():
                                t = _no_lane_from_zero(t, lifted)
                    else:
                        partial = dense_partial(spec, k, args, y, kw) if record else None
                        t = spec.jvp(k, t_j, args, y, kw)
                    if not fast:
                        t = fit(t, batch, n.shape)
                    if record:
                        terms.append(_record(Term, (j, n.id, k, partial, t)))
                    x_dot = t if x_dot is None else x_dot + t
                if record:
                    terms = tuple(terms)
                    note = notes[n.id] if notes is not None else \
                        _note(spec, n, args, y) if spec.note is not None else None
            tangents[n.id] = x_dot
            if record:
                steps.append(_record(Step, (len(steps), n.id, n.op, n.operands, y, x_dot, None, terms, note)))
    return tangents, tuple(steps)


def _adjoints(g, values, seeds: dict, batch: tuple, record: bool, notes=None):
    """The reverse loop: adjoints of every node a seeded output depends on.

    Node i's step closes its adjoint (the sum of the terms its consumers sent) and sends one
    term to each operand; those terms are shown again in the operand's own step. A node's terms
    are collected in a list from the second on (appending is O(1): a node with 50,000 consumers
    stays linear); a single term stays a one-tuple, which the step keeps as it is.
    """
    needed = g.ancestors(seeds)
    adjoints = [None] * len(g)          # running sums, closed when the node's step comes
    received: list = [None] * len(g)    # the Term records behind each sum (when recording)
    steps = []
    nodes = g.node_list()
    for i, d in seeds.items():
        adjoints[i] = _scalar(d) if not batch else d
    append = steps.append
    with _quiet():
        for n in reversed(nodes):
            i = n.id
            if not needed[i] or n.op == "const":
                continue
            y_bar = adjoints[i]
            if y_bar is None:  # needed, yet no path carries a derivative here (e.g. via consts)
                y_bar = adjoints[i] = np.zeros(batch + n.shape) if (batch or n.shape) else 0.0
            y = values[i]
            note = None
            if n.var_slots:
                spec = OPS[n.op]
                o = n.operands
                args = (values[o[0]], values[o[1]]) if len(o) == 2 else tuple([values[j] for j in o])
                scalar_partials = spec.scalar_partials if n.scalar and not batch else None
                for k in n.var_slots:
                    j = o[k]
                    if scalar_partials is not None:    # the common case, inlined: floats
                        try:
                            partial = scalar_partials[k](*args, y)
                        except _DOMAIN:
                            partial = spec.partials[k](*_numpy(args + (y,)))
                        t = y_bar * partial
                        if t != t:
                            t = _no_lane_from_zero(t, y_bar)
                    elif spec.partials is not None:
                        partial = _partial_of(spec, k, args, y, False)
                        t = y_bar * partial
                        if np.isnan(t).any():
                            t = _no_lane_from_zero(t, y_bar)
                        t = fit(unbroadcast(t, nodes[j].shape, len(n.shape)), batch, nodes[j].shape)
                    else:
                        partial = dense_partial(spec, k, args, y, n.kw) if record else None
                        t = fit(spec.vjp(k, y_bar, args, y, n.kw), batch, nodes[j].shape)
                    a = adjoints[j]
                    adjoints[j] = t if a is None else a + t
                    if record:
                        term = _record(Term, (j, i, k, partial, t))
                        r = received[j]
                        if r is None:
                            received[j] = (term,)          # one consumer (the usual case): the record itself
                        elif type(r) is tuple:
                            received[j] = [*r, term]
                        else:
                            r.append(term)
                if record:
                    note = notes[i] if notes is not None else \
                        _note(spec, n, args, y) if spec.note is not None else None
            if record:
                r = received[i]
                append(_record(Step, (len(steps), i, n.op, n.operands, y, None, y_bar,
                                      () if r is None else r if type(r) is tuple else tuple(r), note)))
    return adjoints, tuple(steps)


def _values_for(g: Graph, at, primal_sweep: Sweep | None) -> list:
    """Primal values: those of a finished primal sweep when given (no re-evaluation), else fresh."""
    if primal_sweep is not None:
        if at is not None:
            raise ValueError("give either `at` or `primal_sweep`, not both")
        return list(primal_sweep.values)
    return primal_values(g, input_values(g, at))


def _notes_of(primal_sweep: Sweep | None):
    """The notes a primal sweep recorded, by node (its step k is node k), or None."""
    return None if primal_sweep is None else [s.note for s in primal_sweep.steps]


def forward(g: Graph, at=None, *, seed=None, primal_sweep: Sweep | None = None) -> Sweep:
    """Forward mode: tangents from a seed direction on the inputs (default: first input, entry 0).

    `primal_sweep` reuses the values (and notes) of a primal sweep already run on this graph.
    """
    values = _values_for(g, at, primal_sweep)
    seeds = _seed_dict(g, seed, "input")
    _, steps = _tangents(g, values, seeds, (), record=True, notes=_notes_of(primal_sweep))
    return Sweep("forward", seeds, steps, tuple(values))


def reverse(g: Graph, at=None, *, seed=None, primal_sweep: Sweep | None = None) -> Sweep:
    """Reverse mode: adjoints from a seed on one output entry (default: first output, entry 0).

    `primal_sweep` reuses the values (and notes) of a primal sweep already run on this graph.
    """
    values = _values_for(g, at, primal_sweep)
    seeds = _seed_dict(g, seed, "output")
    _, steps = _adjoints(g, values, seeds, (), record=True, notes=_notes_of(primal_sweep))
    return Sweep("reverse", seeds, steps, tuple(values))


SWEEPS = {"primal": primal, "forward": forward, "reverse": reverse}


# ------------------------------------------------------------------ built on the sweeps

def evaluate(g: Graph, at=None) -> dict:
    """{output name: value}."""
    values = primal_values(g, input_values(g, at))
    return {name: values[i] for name, i in g.outputs}


class Jacobian(NamedTuple):
    """Rows are the outputs' entries, columns the inputs' entries (row-major, declaration order)."""

    rows: tuple
    cols: tuple
    matrix: np.ndarray


def entry_names(name: str, shape: tuple) -> list[str]:
    """`y` for a scalar, `y[i]` / `y[i,j]` for the entries of an array, row-major."""
    if not shape:
        return [name]
    return [f"{name}[{','.join(map(str, ix))}]" for ix in np.ndindex(*shape)]


def _identity_seeds(g: Graph, ids) -> tuple[dict, int]:
    """One batched seed per scalar entry of the given nodes: {node: (n, *shape)} and n.

    A node listed twice (two outputs naming one node) gets both unit blocks.
    """
    n = sum(size(g.node(i).shape) for i in ids)
    seeds, offset = {}, 0
    for i in ids:
        shape = g.node(i).shape
        block = np.zeros((n, size(shape)))
        block[offset:offset + size(shape), :] = np.eye(size(shape))
        block = block.reshape((n,) + shape)
        seeds[i] = seeds[i] + block if i in seeds else block
        offset += size(shape)
    return seeds, n


def _stack(derivs, g: Graph, ids, n: int) -> np.ndarray:
    """The batched derivatives at the given nodes as (n, entries) blocks side by side."""
    blocks = [(derivs[i] if derivs[i] is not None else np.zeros((n,) + g.node(i).shape)).reshape(n, -1)
              for i in ids]
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((n, 0))


def jacobian(g: Graph, at=None, *, mode: str = "reverse") -> Jacobian:
    """The full Jacobian, by one batched tangent sweep (n seeds) or one batched adjoint sweep (m seeds)."""
    values = primal_values(g, input_values(g, at))
    rows = [r for name, i in g.outputs for r in entry_names(name, g.node(i).shape)]
    cols = [c for i in g.inputs for c in entry_names(g.input_name(i), g.node(i).shape)]
    out_ids = [i for _, i in g.outputs]
    if mode == "forward":
        seeds, n = _identity_seeds(g, g.inputs)
        if n == 0:
            return Jacobian(tuple(rows), tuple(cols), np.zeros((len(rows), 0)))
        tangents, _ = _tangents(g, values, seeds, (n,), record=False)
        matrix = _stack(tangents, g, out_ids, n).T
    elif mode == "reverse":
        seeds, m = _identity_seeds(g, out_ids)
        if m == 0:
            return Jacobian(tuple(rows), tuple(cols), np.zeros((0, len(cols))))
        adjoints, _ = _adjoints(g, values, seeds, (m,), record=False)
        matrix = _stack(adjoints, g, g.inputs, m)
    else:
        raise GraphError(f"unknown mode '{mode}' (expected forward or reverse)")
    return Jacobian(tuple(rows), tuple(cols), np.asarray(matrix, dtype=float))


def scalar_output(g: Graph, output: str | None = None) -> tuple[str, int]:
    """(name, node) of the scalar output a gradient is taken of: the one named, else the only one.
    The errors a person reads for any other choice (every gradient — sweeps, generated code —
    chooses its output here)."""
    if output is None:
        if len(g.outputs) != 1:
            names = ", ".join(n for n, _ in g.outputs)
            raise GraphError(f"grad needs a single scalar output; this graph has {len(g.outputs)} ({names})",
                             hint="choose one with --of NAME, or use `graphdiff jacobian`")
        output = g.outputs[0][0]
    oi = g.output_node(output)
    if g.node(oi).shape != ():
        raise GraphError(f"grad needs a scalar output; '{output}' has shape {g.node(oi).shape}",
                         hint="use `graphdiff jacobian` for a vector or matrix output")
    return output, oi


def gradient(g: Graph, at=None, *, wrt=None, mode: str = "reverse", output: str | None = None):
    """(value, {input name: gradient shaped like the input}) of one scalar output."""
    output, oi = scalar_output(g, output)
    names = list(wrt) if wrt else list(g.input_names())
    ids = [g.input_node(nm) for nm in names]
    values = primal_values(g, input_values(g, at))
    if mode == "reverse":
        adjoints, _ = _adjoints(g, values, {oi: np.float64(1.0)}, (), record=False)
        grads = {nm: adjoints[i] if adjoints[i] is not None else as_value(np.zeros(g.node(i).shape))
                 for nm, i in zip(names, ids)}
    elif mode == "forward":
        seeds, n = _identity_seeds(g, ids)
        tangents, _ = _tangents(g, values, seeds, (n,), record=False)
        t = tangents[oi] if tangents[oi] is not None else np.zeros(n)
        grads, offset = {}, 0
        for nm, i in zip(names, ids):
            k = size(g.node(i).shape)
            grads[nm] = as_value(np.asarray(t)[offset:offset + k].reshape(g.node(i).shape))
            offset += k
    else:
        raise GraphError(f"unknown mode '{mode}' (expected forward or reverse)")
    return values[oi], {nm: as_value(v) for nm, v in grads.items()}
