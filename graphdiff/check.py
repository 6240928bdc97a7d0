"""Checks: derivatives against central finite differences, tangents against adjoints
(⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩ per node), and the first node that produced a NaN or infinity."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .graph import Graph
from .ops import OPS
from .values import jsonable
from .sweeps import _primal_values, entry_names, input_values, jacobian

RTOL, ATOL = 1e-5, 1e-7


def finite_difference_jacobian(g: Graph, at=None, *, h: float = 1e-6) -> np.ndarray:
    """Central differences of every output entry w.r.t. every input entry (Jacobian layout)."""
    base = input_values(g, at)
    names = {i: g.input_name(i) for i in g.inputs}
    with np.errstate(all="ignore"):   # inf ± step is NaN: a NaN column, not a warning on stderr
        return _fd_columns(g, base, names, h)


def _fd_columns(g: Graph, base: dict, names: dict, h: float) -> np.ndarray:
    cols = []
    for i in g.inputs:
        x = np.asarray(base[i], dtype=float)
        for k in range(x.size):
            step = h * max(1.0, abs(x.flat[k]))
            plus, minus = x.copy(), x.copy()
            plus.flat[k] += step
            minus.flat[k] -= step
            fp = _outputs(g, {**{names[j]: base[j] for j in base}, names[i]: plus})
            fm = _outputs(g, {**{names[j]: base[j] for j in base}, names[i]: minus})
            cols.append((fp - fm) / (2 * step))
    n_out = sum(g.node(i).shape and int(np.prod(g.node(i).shape)) or 1 for _, i in g.outputs)
    return np.stack(cols, axis=1) if cols else np.zeros((n_out, 0))


def _outputs(g: Graph, at) -> np.ndarray:
    values = _primal_values(g, input_values(g, at))
    return np.concatenate([np.ravel(values[i]) for _, i in g.outputs])


def adjoint_identity(op_name: str, args, attrs: dict, rng, *, slots=None) -> float:
    """Relative gap of ⟨ȳ, Σₖ Jₖ ẋₖ⟩ and Σₖ ⟨Jₖᵀ ȳ, ẋₖ⟩ for one op at one point, random ẋ and ȳ.

    `slots` limits k to the operands that vary (a graph's constants are never differentiated:
    the exponent of x^2 has no derivative to check, and a^b·log a is NaN for a < 0).
    """
    op = OPS[op_name]
    with np.errstate(all="ignore"):
        y = op.eval(*args, **attrs)
        y_bar = rng.standard_normal(np.shape(y))
        lhs = rhs = 0.0
        for k, a in enumerate(args):
            if slots is not None and k not in slots:
                continue
            x_dot = rng.standard_normal(np.shape(a))
            t = np.broadcast_to(op.jvp(k, x_dot, args, y, attrs), np.shape(y))
            lhs += float(np.sum(y_bar * t))
            rhs += float(np.sum(op.vjp(k, y_bar, args, y, attrs) * x_dot))
    return abs(lhs - rhs) / max(1.0, abs(lhs), abs(rhs))


@dataclass
class Report:
    ok: bool
    inputs: dict = field(default_factory=dict)
    nodes: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"ok": self.ok,
                "inputs": {k: {kk: jsonable(vv) for kk, vv in v.items()} for k, v in self.inputs.items()},
                "nodes": self.nodes, "problems": self.problems}

    def lines(self) -> list[str]:
        out = [f"{'OK' if self.ok else 'FAILED'}: derivatives {'agree' if self.ok else 'disagree'} "
               f"with finite differences"]
        for name, r in self.inputs.items():
            out.append(f"  {name:12s} max abs err {r['max_abs_err']:.3g}   max rel err {r['max_rel_err']:.3g}")
        out.extend(f"  problem: {p}" for p in self.problems)
        return out


def check_graph(g: Graph, at=None, *, seed: int = 0) -> Report:
    """Compare reverse and forward Jacobians with finite differences; check each node's rules."""
    rng = np.random.default_rng(seed)
    rep = Report(ok=True)
    values = _primal_values(g, input_values(g, at))
    # 1. the first node to produce a NaN or an infinity from finite operands
    for n in g.nodes:
        bad = not np.all(np.isfinite(values[n.id]))
        if bad and all(np.all(np.isfinite(values[j])) for j in n.operands):
            what = "nan" if np.any(np.isnan(values[n.id])) else "inf"
            rep.ok = False
            rep.problems.append(f"node {g.label(n.id)} = {n.op}({', '.join(g.label(j) for j in n.operands)}) "
                                f"produced {what}")
            rep.nodes.append({"node": f"v{n.id}", "name": n.names[0] if n.names else None, "op": n.op,
                              "problem": f"produced {what}"})
    # 2. ⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩ at every op node
    for n in g.nodes:
        if n.is_leaf or not all(np.all(np.isfinite(values[j])) for j in n.operands + (n.id,)):
            continue  # leaves have no rules; non-finite points were reported above
        if not n.var_slots:
            continue
        gap = adjoint_identity(n.op, [values[j] for j in n.operands], n.kw, rng,
                               slots=set(n.var_slots))
        if not gap <= 1e-9:
            rep.ok = False
            rep.problems.append(f"node {g.label(n.id)} ({n.op}): tangent and adjoint rules disagree "
                                f"(relative gap {gap:.3g})")
            rep.nodes.append({"node": f"v{n.id}", "name": n.names[0] if n.names else None, "op": n.op,
                              "problem": "adjoint identity", "gap": jsonable(gap)})
    # 3. both modes against finite differences, per input
    rev = jacobian(g, at, mode="reverse").matrix
    fwd = jacobian(g, at, mode="forward").matrix
    fd = finite_difference_jacobian(g, at)
    rows = [r for name, i in g.outputs for r in entry_names(name, g.node(i).shape)]
    col = 0
    for i in g.inputs:
        name = g.input_name(i)
        k = int(np.prod(g.node(i).shape)) if g.node(i).shape else 1
        block = slice(col, col + k)
        col += k
        abs_err = max(_max(np.abs(rev[:, block] - fd[:, block])), _max(np.abs(fwd[:, block] - fd[:, block])))
        scale = np.maximum(np.abs(fd[:, block]), 1.0)
        rel_err = max(_max(np.abs(rev[:, block] - fd[:, block]) / scale),
                      _max(np.abs(fwd[:, block] - fd[:, block]) / scale))
        rep.inputs[name] = {"max_abs_err": abs_err, "max_rel_err": rel_err}
        bad = ~(np.abs(rev[:, block] - fd[:, block]) <= ATOL + RTOL * np.abs(fd[:, block]))
        bad |= ~(np.abs(fwd[:, block] - rev[:, block]) <= 1e-9 * (1 + np.abs(rev[:, block])))
        if bad.any():
            rep.ok = False
            r, c = np.argwhere(bad)[0]
            entry = entry_names(name, g.node(i).shape)[c]
            rep.problems.append(f"∂{rows[r]}/∂{entry}: reverse {rev[r, block][c]:.10g}, "
                                f"forward {fwd[r, block][c]:.10g}, finite difference {fd[r, block][c]:.10g}")
    return rep


def _max(a) -> float:
    a = np.asarray(a)
    if a.size == 0:
        return 0.0
    return float(np.nanmax(a)) if not np.all(np.isnan(a)) else float("nan")
