"""Checks of the derivatives graphdiff computes, honest about what finite differences can tell.

1. Forward and reverse mode against each other (they share no code path past the op rules, so
   agreement to rounding is strong evidence), and every op's tangent rule against its adjoint
   rule at this point (⟨ȳ, J ẋ⟩ = ⟨Jᵀȳ, ẋ⟩).
2. Both against finite differences: Ridders' extrapolation of central differences over shrinking
   steps, per input entry, which also estimates its own error. A gap larger than that estimate
   (by a wide margin) is a failure; a gap within it is "inconclusive": the finite difference is
   ill-conditioned there, and the report says so with the estimate.
3. Points where the function is not differentiable (relu at 0, √ at 0) or not defined (log of a
   negative number) are named by node, entry and reason, from the ops' own notes.

Verdicts per input: `ok`, `failed`, `inconclusive`. The report is `ok` when nothing failed and
every value and derivative is finite.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .graph import Graph
from .ops import OPS
from .source import GraphError
from .sweeps import entry_names, input_values, jacobian, primal, primal_values
from .values import jsonable

RTOL, ATOL = 1e-6, 1e-9      # agreement that needs no error estimate
MARGIN = 100.0               # a gap is a failure only when it exceeds the FD error estimate this many times
MODES_RTOL = 1e-9            # forward vs reverse: rounding only
MAX_ENTRIES = 32             # input entries checked by finite differences, per input


# ------------------------------------------------------------------ finite differences

def ridders(f, x: float, h: float, *, levels: int = 10, shrink: float = 1.6):
    """Ridders' method: central differences of f (a vector function of one number) at steps h,
    h/shrink, …, extrapolated (Neville's tableau); returns (estimate, error estimate), per entry.
    Each difference divides by the step actually taken, (x + h) − (x − h) in floating point; a step
    too small to move x at all gives NaN (no estimate), never a confident 0."""
    c2 = shrink * shrink
    table = [[None] * levels for _ in range(levels)]
    best, err = None, None
    hh = h
    for i in range(levels):
        xp, xm = x + hh, x - hh
        table[0][i] = (f(xp) - f(xm)) / (xp - xm) if xp != xm else np.full(np.shape(f(x)), np.nan)
        if i == 0:
            best, err = table[0][0], np.full(np.shape(table[0][0]), np.inf)
            hh /= shrink
            continue
        fac = c2
        for j in range(1, i + 1):
            table[j][i] = (table[j - 1][i] * fac - table[j - 1][i - 1]) / (fac - 1.0)
            fac *= c2
            e = np.maximum(np.abs(table[j][i] - table[j - 1][i]), np.abs(table[j][i] - table[j - 1][i - 1]))
            better = np.nan_to_num(e, nan=np.inf) <= err
            best = np.where(better, table[j][i], best)
            err = np.where(better, e, err)
        hh /= shrink
        if np.all(np.abs(table[i][i] - table[i - 1][i - 1]) >= 2 * err):
            break   # higher orders only grow worse from here on
    return best, err


def _outputs(g: Graph, base: dict, i: int, k: int, x: float) -> np.ndarray:
    values = dict(base)
    v = np.array(base[i], dtype=float)
    v.flat[k] = x
    values[i] = v[()] if v.ndim == 0 else v
    vals = primal_values(g, values)
    return np.concatenate([np.ravel(np.asarray(vals[o], dtype=float)) for _, o in g.outputs])


def finite_difference_jacobian(g: Graph, at=None, *, eps: float | None = None, error: bool = False):
    """Finite-difference Jacobian of every output entry w.r.t. every input entry (Jacobian layout),
    by Ridders' method; with `error=True`, also its error estimate (same shape)."""
    base = input_values(g, at)
    cols, errs = [], []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in g.inputs:
            x = np.asarray(base[i], dtype=float)
            for k in range(x.size):
                est, err = ridders(lambda t: _outputs(g, base, i, k, t), float(x.flat[k]),
                                   (eps or STARTS[0]) * max(abs(float(x.flat[k])), 1e-3))
                cols.append(est)
                errs.append(err)
    n_out = sum(int(np.prod(g.node(o).shape)) for _, o in g.outputs)
    J = np.stack(cols, axis=1) if cols else np.zeros((n_out, 0))
    E = np.stack(errs, axis=1) if errs else np.zeros((n_out, 0))
    return (J, E) if error else J


STARTS = (0.05, 1e-3, 2e-5, 1e-7)   # first steps of the extrapolations, relative to the entry


def fd_compare(f, x: float, ad: np.ndarray, *, eps: float | None = None):
    """Compare AD values (one per output entry) with finite differences of f at x.

    Ridders' extrapolation runs from a first step down, then again from smaller first steps, until
    the AD values are matched. Returns (status per entry: "ok" | "failed" | "unclear", and the
    estimate and error estimate shown for each entry). An entry fails only when the most precise
    run is far from AD and a second run from a smaller step confirms it with an error about as
    small: a run alone can be confidently wrong on a function that wiggles on a finer scale than
    its steps (a chaotic map), and then the smaller steps' estimates scatter — unclear."""
    scale = max(abs(x), 1e-3)
    starts = STARTS if eps is None else tuple(eps / 50 ** k for k in range(len(STARTS)))
    tol = ATOL + RTOL * np.maximum(np.abs(ad), 1.0)
    runs = []
    for start in starts:
        est, err = ridders(f, x, start * scale)
        runs.append((est, np.where(np.isfinite(err), err, np.inf)))
        if np.all(np.abs(ad - est) <= np.maximum(tol, RTOL * np.abs(est))):
            break
    ests = np.array([e for e, _ in runs])
    errs = np.array([e for _, e in runs])
    matches = np.abs(ad - ests) <= np.maximum(tol, RTOL * np.abs(ests))
    ok = np.any(matches, axis=0)
    best = np.where(ok, np.argmax(matches, axis=0), np.argmin(errs, axis=0))   # the run shown
    est = np.take_along_axis(ests, best[None], 0)[0]
    err = np.take_along_axis(errs, best[None], 0)[0]
    far = (np.abs(ad - est) > MARGIN * err) & np.isfinite(ad) & np.isfinite(est)
    confirmed = np.zeros(ad.shape, bool)
    for j in range(len(runs)):
        other = j != best
        confirmed |= other & (errs[j] <= MARGIN * err + tol) & (np.abs(ests[j] - est) <= 10 * (err + errs[j]) + tol) \
            & (np.abs(ad - ests[j]) > MARGIN * errs[j])
    status = np.where(ok, "ok", np.where(far & confirmed, "failed", "unclear"))
    return status, est, err


# ------------------------------------------------------------------ the op rules at this point

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


# ------------------------------------------------------------------ the report

@dataclass
class Report:
    """What `check` found: overall `ok`, forward vs reverse, per-input verdicts, named nodes."""

    ok: bool = True
    modes: dict = field(default_factory=dict)      # {"agree": bool, "max_rel_gap": float, "exact": bool}
    inputs: dict = field(default_factory=dict)     # name -> figures and verdict
    nodes: list = field(default_factory=list)      # nodes at non-differentiable or undefined points
    problems: list = field(default_factory=list)   # sentences for people

    def to_json(self) -> dict:
        return {"ok": self.ok, "modes": {k: jsonable(v) if isinstance(v, float) else v for k, v in self.modes.items()},
                "inputs": {name: {k: jsonable(v) if isinstance(v, float) else v for k, v in r.items()}
                           for name, r in self.inputs.items()},
                "nodes": self.nodes, "problems": self.problems}

    def lines(self) -> list[str]:
        m = self.modes
        if m.get("exact"):
            out = ["forward and reverse mode agree exactly"]
        elif m.get("agree"):
            out = [f"forward and reverse mode agree to rounding (largest relative gap {m['max_rel_gap']:.2g})"]
        else:
            out = [f"FAILED: forward and reverse mode disagree (largest relative gap {m['max_rel_gap']:.3g})"]
        out.append("against finite differences (Ridders' extrapolation, with its error estimate):")
        for name, r in self.inputs.items():
            checked = "" if r["checked"] == r["entries"] else f", {r['checked']} of {r['entries']:,} entries checked"
            if np.isnan(r["max_abs_err"]):
                figures = "no finite difference could be taken"
            else:
                figures = (f"max abs gap {r['max_abs_err']:.3g}, max rel gap {r['max_rel_err']:.3g}, "
                           f"finite-difference error ≤ {r['fd_error']:.3g}")
            out.append(f"  {name:12s} {r['verdict']:<13s} {figures}{checked}")
            if r.get("note"):
                out.append(f"  {'':12s} {r['note']}")
        out.extend(f"  {p}" for p in self.problems)
        verdicts = {r["verdict"] for r in self.inputs.values()}
        if not self.ok:
            out.append("FAILED" + (": a value or derivative is not finite" if "failed" not in verdicts and m.get("agree", True)
                                   else ""))
        elif "inconclusive" in verdicts:
            out.append("OK where finite differences can tell; inconclusive elsewhere (see above)")
        else:
            out.append("OK: derivatives agree with finite differences")
        return out


def _entries_to_check(n: int, cap: int) -> list[int]:
    """All entries, or `cap` of them spread evenly (first and last included; one: the first)."""
    cap = max(1, cap)
    if n <= cap:
        return list(range(n))
    if cap == 1:
        return [0]
    return sorted({round(k * (n - 1) / (cap - 1)) for k in range(cap)})


def _named_points(g: Graph, sweep, reach) -> list[dict]:
    """Every node on a path from an input to an output whose op notes a kink or a domain error."""
    points = []
    for s in sweep.steps:
        if not s.note or not reach[s.node]:
            continue
        n = g.node(s.node)
        spec = OPS[n.op]
        args = tuple(sweep.values[j] for j in n.operands)
        where = getattr(spec.note, "where", None)
        found = where(args, s.value) if where else None
        entry = None
        if found and n.shape:
            entry = entry_names(g.label(s.node), n.shape)[int(np.ravel_multi_index(found[1], n.shape))]
        defined = bool(np.all(np.isfinite(np.asarray(s.value, dtype=float))))
        points.append({"node": f"v{s.node}", "name": n.names[0] if n.names else None, "op": n.op,
                       "entry": entry, "reason": s.note,
                       "problem": "not differentiable here" if defined else "not defined here"})
    return points


def check_graph(g: Graph, at=None, *, seed: int = 0, eps: float | None = None,
                max_entries: int = MAX_ENTRIES) -> Report:
    """Check forward and reverse mode against each other, the op rules at this point, and both
    against finite differences with an error estimate. Raises GraphError for a graph without
    inputs (there is nothing to differentiate)."""
    if not g.inputs:
        raise GraphError("there is nothing to differentiate: the graph has no inputs",
                         hint="declare one with `input NAME = VALUE`")
    rep = Report()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _check(g, at, rep, np.random.default_rng(seed), eps, max_entries)
    return rep


def _check(g, at, rep, rng, eps, max_entries):
    sw = primal(g, at)
    values = sw.values
    needed = g.ancestors([i for _, i in g.outputs])
    active = g.descendants(g.inputs)
    reach = [a and b for a, b in zip(needed, active)]
    rep.nodes = _named_points(g, sw, reach)
    for p in rep.nodes:
        where = f" at {p['entry']}" if p["entry"] else ""
        n = g.node(int(p["node"][1:]))
        rep.problems.append(f"{g.label(n.id)} = {n.op}({', '.join(g.label(j) for j in n.operands)}){where}: "
                            f"{p['reason']}")
        if p["problem"] == "not defined here":
            rep.ok = False

    # 1. the op rules at this point, then the two modes against each other
    for n in g.nodes:
        if n.is_leaf or not n.var_slots or not reach[n.id] or \
                not all(np.all(np.isfinite(values[j])) for j in n.operands + (n.id,)):
            continue
        gap = adjoint_identity(n.op, [values[j] for j in n.operands], n.kw, rng, slots=set(n.var_slots))
        if gap > 1e-9:   # (NaN: an infinite partial at a noted point, named above)
            rep.ok = False
            rep.problems.append(f"{g.label(n.id)} = {n.op}({', '.join(g.label(j) for j in n.operands)}): "
                                f"its tangent and adjoint rules disagree "
                                f"(relative gap {gap:.3g})")
            rep.nodes.append({"node": f"v{n.id}", "name": n.names[0] if n.names else None, "op": n.op,
                              "entry": None, "reason": f"relative gap {gap:.3g}", "problem": "adjoint identity"})
    rev = jacobian(g, at, mode="reverse").matrix
    fwd = jacobian(g, at, mode="forward").matrix
    finite = np.isfinite(rev) & np.isfinite(fwd)
    gap = np.abs(rev - fwd)[finite] / (1.0 + np.abs(rev[finite])) if finite.any() else np.zeros(0)
    max_gap = float(gap.max()) if gap.size else 0.0
    # Where a derivative is infinite or undefined (√ at 0), the two modes may meet the infinity in
    # another order (∞·0 is NaN, 0·∞ too, ∞·1 is not): that is no disagreement at a named point.
    same_pattern = bool(np.array_equal(np.isfinite(rev), np.isfinite(fwd))) or bool(rep.nodes)
    rep.modes = {"agree": max_gap <= MODES_RTOL and same_pattern,
                 "exact": bool(np.array_equal(rev, fwd, equal_nan=True)), "max_rel_gap": max_gap}
    if not rep.modes["agree"]:
        rep.ok = False

    # 2. both against finite differences, per input
    base = input_values(g, at)
    rows = [r for name, i in g.outputs for r in entry_names(name, g.node(i).shape)]
    col = 0
    for i in g.inputs:
        name = g.input_name(i)
        x = np.asarray(base[i], dtype=float)
        entries = _entries_to_check(x.size, max_entries)
        block = slice(col, col + x.size)
        col += x.size
        r = {"verdict": "ok", "entries": int(x.size), "checked": len(entries),
             "max_abs_err": np.nan, "max_rel_err": np.nan, "fd_error": np.nan}
        # At a kink (relu at 0) the derivative does not exist: a gap there is no failure.
        touching = [p for p in rep.nodes if p["problem"] != "adjoint identity" and _depends(g, p, i)]
        failed = unclear = None
        for k in entries:
            ad = rev[:, block][:, k]
            status, fd, err = fd_compare(lambda t: _outputs(g, base, i, k, t), float(x.flat[k]), ad, eps=eps)
            diff = np.abs(ad - fd)
            known = np.isfinite(diff)
            if known.any():   # (NaN: a finite difference of a function not defined on both sides)
                r["max_abs_err"] = float(np.fmax(r["max_abs_err"], diff[known].max()))
                r["max_rel_err"] = float(np.fmax(r["max_rel_err"], (diff / np.maximum(np.abs(ad), 1.0))[known].max()))
                r["fd_error"] = float(np.fmax(r["fd_error"], err[known].max()))
            for row in np.flatnonzero(status != "ok"):
                example = (rows[row], entry_names(name, x.shape)[k], ad[row], fd[row], err[row])
                if status[row] == "failed" and not touching:
                    failed = failed or example
                else:
                    unclear = unclear or example
        r["verdict"] = "failed" if failed else "inconclusive" if unclear or touching else "ok"
        if failed or unclear:
            out, entry, a, f, e = failed or unclear
            if failed:
                what = "the gap is far beyond the finite difference's error estimate"
            elif touching:
                what = "a node on its path is not differentiable here"
            elif not np.isfinite(f):
                what = "finite differences are not defined here (or their steps are too small to change the input)"
            elif abs(a - f) > MARGIN * e:
                what = ("finite differences from smaller steps do not confirm this estimate: they are "
                        "ill-conditioned here (the function varies on a finer scale than the steps)")
            else:
                what = "finite differences are ill-conditioned here: their error estimate is as large as the gap"
            r["note"] = f"∂{out}/∂{entry}: AD {a:.10g}, finite difference {f:.10g} ± {e:.2g}: {what}"
        elif touching:
            r["note"] = "a node on its path is at a non-differentiable point: " + \
                "; ".join(f"{p['name'] or p['node']} ({p['reason']})" for p in touching)
        if r["verdict"] == "failed":
            rep.ok = False
        rep.inputs[name] = r


def _depends(g: Graph, point: dict, i: int) -> bool:
    return g.descendants([i])[int(point["node"][1:])]
