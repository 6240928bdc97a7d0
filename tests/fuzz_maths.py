"""Differential maths for the fuzzer: on a generated program whose outputs are finite,

  * forward and reverse Jacobians agree (interpreted sweeps);
  * the compiled fast path (the second `g.jacobian()` / `g.grad()` call on a graph,
    graphdiff.emit.compiled) agrees with the interpreted first call, and `grad` with the Jacobian;
  * `jacobian --json` prints exactly the API's numbers;
  * the module `codegen --lang python` writes, imported and run, agrees on values and Jacobian;
  * directional derivatives agree with finite differences where those are well conditioned.

plus two identities on values (√X·√X = X, X·X⁻¹ = I) where the op gives no note.

Numbers are compared only on "moderate" programs: every node's value finite and at most 1e8 in
size, every square matrix among them with a condition number at most 1e8, and no op noting a
kink, a singularity or a domain error. Beyond that, forward and reverse sums (or the compiled
code's) may differ by far more than rounding for legitimate reasons (cancellation of huge
terms, ill-conditioned solves), and a false alarm must be practically impossible. There, gaps
up to 1e-7 relative plus 1e-9 of the matrix's scale pass, NaN/inf must match, and finite
differences count only where three Richardson-extrapolated estimates (central, forward,
backward) agree with each other, with a 1 % gap beyond that spread counting as a disagreement.
On every program: the API does not raise, the CLI prints the API's numbers bit for bit, and the
generated module runs (raising only the documented domain errors, and those only where a node
is non-finite).
"""
from __future__ import annotations

import os
import warnings

import numpy as np

import graphdiff
from graphdiff import sweeps
from fuzz_harness import Example, Hang, time_limit
from graphdiff.fuzzing import Run
from graphdiff.source import GraphError

RTOL, STOL = 1e-7, 1e-9
MODERATE, CONDITION = 1e8, 1e8


def _sqrtm_identity(args, y):
    a = args[0]
    scale = max(1.0, float(np.max(np.abs(a))))
    gap = float(np.max(np.abs(y @ y - a)))
    if gap > 1e-6 * scale and np.linalg.cond(a) < 1e8:
        return f"√X·√X differs from X by {gap:.3g} (X = {np.round(a, 4).tolist()}), yet no note"
    return None


def _inv_identity(args, y):
    a = args[0]
    if np.linalg.cond(a) > 1e8:
        return None
    gap = float(np.max(np.abs(a @ y - np.eye(len(a)))))
    return f"X·X⁻¹ differs from I by {gap:.3g}" if gap > 1e-6 else None


IDENTITIES = {"sqrtm": _sqrtm_identity, "inv": _inv_identity}


def moderate(prim) -> bool:
    """Whether a primal sweep's numbers allow strict comparisons (see the module's docstring)."""
    if any(s.note for s in prim.steps):
        return False
    for v in prim.values:
        a = np.asarray(v, dtype=float)
        if not np.all(np.isfinite(a)) or np.any(np.abs(a) > MODERATE):
            return False
        if a.ndim == 2 and a.shape[0] == a.shape[1] and np.linalg.cond(a) > CONDITION:
            return False
    return True


def mismatch(a, b, *, tame: bool) -> str | None:
    """Where two arrays of numbers differ beyond rounding (None when they agree)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return f"shapes {a.shape} and {b.shape}"
    with np.errstate(all="ignore"):
        return _mismatch(a, b, tame)


def _mismatch(a, b, tame):
    fa, fb = np.isfinite(a), np.isfinite(b)
    both = fa & fb
    if both.any():
        scale = max(1.0, float(np.max(np.abs(a[both]))), float(np.max(np.abs(b[both]))))
        gap = np.where(both, np.abs(a - b), 0.0)
        tol = RTOL * np.maximum(np.abs(a), np.abs(b)) + STOL * scale
        bad = np.argwhere(both & (gap > tol))
        if len(bad):
            ix = tuple(int(i) for i in bad[0])
            return f"entry {list(ix)}: {float(a[ix])!r} vs {float(b[ix])!r}"
    if tame:
        differ = (fa != fb) | (~fa & ~fb & ~((np.isnan(a) & np.isnan(b)) | (a == b)))
        if differ.any():
            ix = tuple(int(i) for i in np.argwhere(differ)[0])
            return f"entry {list(ix)}: {float(a[ix])!r} vs {float(b[ix])!r} (non-finite in one only)"
    return None


def _json_matrix(doc) -> np.ndarray:
    conv = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}
    return np.array([[conv.get(x, x) if isinstance(x, str) else x for x in row] for row in doc["matrix"]],
                    dtype=float).reshape(len(doc["rows"]), len(doc["cols"]))


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


class Maths:
    """The differential checks on one loaded graph."""

    def __init__(self, ex: Example, rng):
        self.ex, self.rng = ex, rng

    def fail(self, category, detail, argv=("<api>",)):
        self.ex.fail(category, detail, argv)

    def api(self, what: str, fn):
        """Call the API under the time bound; None (and a failure) if it raises or hangs."""
        try:
            with time_limit(self.ex.timeout), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn()
        except GraphError:
            return None
        except Hang:
            self.fail("hang", f"{what}: still running after {self.ex.timeout:g} s")
        except Exception as e:  # noqa: BLE001
            self.fail("api-exception", f"{what}: {type(e).__name__}: {e}")
        return None

    def run(self):
        path = self.ex.path
        g = self.api("graphdiff.load", lambda: graphdiff.load(path))
        if g is None:
            return
        prim = self.api("sweeps.primal(g)", lambda: sweeps.primal(g))
        if prim is None:
            return
        outs = [np.asarray(prim.values[i], dtype=float) for _, i in g.outputs]
        with np.errstate(all="ignore"):
            self.tame = moderate(prim)
        self.ex.moderate = self.tame
        self.identities(g, prim)
        J = {}
        for mode in ("reverse", "forward"):
            first = self.api(f"g.jacobian(mode='{mode}') (interpreted)", lambda: g.jacobian(mode=mode))
            second = self.api(f"g.jacobian(mode='{mode}') (compiled)", lambda: g.jacobian(mode=mode))
            if first is None:
                return
            J[mode] = first
            if second is not None and self.tame:
                why = mismatch(second.matrix, first.matrix, tame=self.tame)
                if why or second.rows != first.rows or second.cols != first.cols:
                    self.fail("disagree-compiled", f"jacobian {mode}: compiled vs interpreted: {why or 'rows/cols'}")
        why = self.tame and mismatch(J["forward"].matrix, J["reverse"].matrix, tame=self.tame)
        if why:
            self.fail("disagree-fwd-rev", f"jacobian forward vs reverse: {why}")
        self.grad(path, J["reverse"])
        self.cli(J)
        self.fmt(g, outs)
        self.codegen(g, outs, J["reverse"])
        if self.tame:
            self.finite_differences(g, J["reverse"].matrix)

    def identities(self, g, prim):
        """Values that must satisfy an identity: √X·√X = X, X·X⁻¹ = I (where no note is given)."""
        for s in prim.steps:
            check = IDENTITIES.get(s.op)
            if check is None or s.note:
                continue
            args = [np.asarray(prim.values[j], dtype=float) for j in s.operands]
            y = np.asarray(s.value, dtype=float)
            if not (np.all(np.isfinite(y)) and all(np.all(np.isfinite(a)) for a in args)):
                continue
            with np.errstate(all="ignore"):
                why = check(args, y)
            if why:
                self.fail("wrong-value", f"{s.op} at node v{s.node}: {why}")

    def grad(self, path, J):
        g = self.api("graphdiff.load", lambda: graphdiff.load(path))
        if g is None or len(g.outputs) != 1 or g.node(g.outputs[0][1]).shape != ():
            return
        row = J.matrix[0]
        for mode in ("reverse", "forward"):
            first = self.api(f"g.grad(mode='{mode}') (interpreted)", lambda: g.grad(mode=mode))
            second = self.api(f"g.grad(mode='{mode}') (compiled)", lambda: g.grad(mode=mode))
            if first is None:
                continue
            flat = np.concatenate([np.ravel(first[1][n]) for n in g.input_names()]) if g.inputs else np.zeros(0)
            why = self.tame and mismatch(flat, row, tame=self.tame)
            if why:
                self.fail("disagree-grad", f"grad {mode} vs the Jacobian's row: {why}")
            if second is not None and self.tame:
                flat2 = np.concatenate([np.ravel(second[1][n]) for n in g.input_names()]) if g.inputs else np.zeros(0)
                why = mismatch([second[0], *flat2], [first[0], *flat], tame=self.tame)
                if why:
                    self.fail("disagree-compiled", f"grad {mode}: compiled vs interpreted: {why}")

    def cli(self, J):
        import json
        for mode in ("reverse", "forward"):
            argv = ("jacobian", self.ex.path, "--json", "--mode", mode)
            res = self.ex.run(Run(argv))
            if res.status == 2 and not J[mode].cols and "no inputs" in res.stderr:
                continue   # the command line refuses a graph without inputs; the API gives an empty matrix
            if res.status != 0:
                self.fail("cli-vs-api", f"jacobian --mode {mode} failed where the API did not: "
                          f"{self.ex.first(res.stderr)}", argv)
                continue
            try:
                M = _json_matrix(json.loads(res.stdout))
            except (ValueError, KeyError, TypeError) as e:
                self.fail("json", f"jacobian --json: {e}", argv)
                continue
            if not _same_bits(M, J[mode].matrix):
                self.fail("cli-vs-api", f"jacobian --json --mode {mode} differs from g.jacobian(): "
                          f"{mismatch(M, J[mode].matrix, tame=True)}", argv)

    def fmt(self, g, outs):
        """`fmt --unicode` and `fmt --ascii` print the same program: it loads to the same values
        (bit for bit: the same ops on the same numbers), and formatting it again changes nothing."""
        for style in ("--unicode", "--ascii"):
            argv = ("fmt", self.ex.path, style)
            res = self.ex.run(Run(argv))
            if res.status != 0:
                self.fail("fmt", f"fmt {style} failed on a graph that loads: {self.ex.first(res.stderr)}", argv)
                continue
            h = self.api(f"graphdiff.parse(fmt {style})", lambda: graphdiff.parse(res.stdout, "formatted.gd"))
            if h is None:
                self.fail("fmt", f"fmt {style} printed a program that does not load", argv)
                continue
            got = self.api("g.eval() of the formatted program", lambda: h.eval())
            if got is None:
                continue
            names = [n for n, _ in g.outputs]
            if sorted(got) != sorted(names):
                self.fail("fmt", f"fmt {style}: the formatted program's outputs are {sorted(got)[:5]}, "
                          f"not {sorted(names)[:5]}", argv)
            elif not all(_same_bits(got[n], v) for n, v in zip(names, outs)):
                n = next(n for n, v in zip(names, outs) if not _same_bits(got[n], v))
                self.fail("fmt", f"fmt {style} changed the value of output {n}: "
                          f"{mismatch(got[n], outs[names.index(n)], tame=True)}", argv)
            with open("formatted.gd", "w", encoding="utf-8") as f:
                f.write(res.stdout)
            again = self.ex.run(Run(("fmt", "formatted.gd", style)))
            if again.status == 0 and again.stdout != res.stdout:
                self.fail("fmt", f"fmt {style} is not idempotent: formatting its output again changes it", argv)
            os.remove("formatted.gd")

    def codegen(self, g, outs, J):
        argv = ("codegen", self.ex.path, "--lang", "python", "-o", "fuzz_generated.py")
        res = self.ex.run(Run(argv, outputs=("fuzz_generated.py",)))
        if res.status != 0:
            if res.status == 2:
                self.fail("cli-vs-api", f"codegen refused a graph that evaluates: {self.ex.first(res.stderr)}", argv)
            return
        with open("fuzz_generated.py", encoding="utf-8") as f:
            mod = self.ex.import_module(f.read(), argv)
        if mod is None:
            return
        for what, call, want in (("evaluate()", lambda: mod.evaluate(), outs),
                                 ("jacobian()", lambda: mod.jacobian(), J.matrix)):
            if not hasattr(mod, what[:-2]):
                continue
            try:
                with time_limit(self.ex.timeout), warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    got = call()
            except Hang:
                self.fail("hang", f"generated {what}", argv)
                continue
            except (ArithmeticError, ValueError) as e:
                if self.tame:   # math.log(-1) raising is documented; on a tame program it is a bug
                    self.fail("codegen-raises", f"generated {what}: {type(e).__name__}: {e}", argv)
                continue
            except Exception as e:  # noqa: BLE001
                self.fail("codegen-raises", f"generated {what}: {type(e).__name__}: {e}", argv)
                continue
            if what == "evaluate()":
                names = [n for n, _ in g.outputs]
                if not isinstance(got, dict) or set(got) != set(names):
                    self.fail("disagree-codegen", f"generated evaluate() returned keys {list(got)[:5]}, "
                              f"not the outputs {names[:5]}", argv)
                    continue
                got = np.concatenate([np.ravel(np.asarray(got[n], dtype=float)) for n in names])
                want = np.concatenate([np.ravel(v) for v in want])
            why = self.tame and mismatch(np.asarray(got, dtype=float).reshape(np.shape(want))
                                         if np.size(got) == np.size(want) else got, want, tame=self.tame)
            if why:
                self.fail("disagree-codegen", f"generated {what} vs graphdiff: {why}", argv)

    def finite_differences(self, g, J):
        """Directional derivatives J·v against Richardson-extrapolated finite differences."""
        names = list(g.input_names())
        x0 = [np.asarray(g.node(i).value, dtype=float) for i in g.inputs]
        flat0 = np.concatenate([np.ravel(x) for x in x0]) if x0 else np.zeros(0)
        n = flat0.size
        if n == 0 or n > 64 or J.shape[1] != n or np.max(np.abs(flat0)) > 1e4:
            return

        def F(t, v):
            x = flat0 + t * v
            at, k = {}, 0
            for name, x_ in zip(names, x0):
                at[name] = x[k:k + x_.size].reshape(x_.shape) if x_.ndim else float(x[k])
                k += x_.size
            with np.errstate(all="ignore"):
                out = g.eval(at=at)
            return np.concatenate([np.ravel(np.asarray(out[nm], dtype=float)) for nm, _ in g.outputs])

        f0 = self.api("g.eval", lambda: F(0.0, np.zeros(n)))
        if f0 is None or not np.all(np.isfinite(f0)) or np.max(np.abs(f0), initial=0) > 1e8:
            return
        h = 1e-3 * max(1.0, float(np.max(np.abs(flat0))))
        directions = [v / np.max(np.abs(v)) for v in self.rng.standard_normal((2, n))]
        directions += [np.eye(n)[k] for k in self.rng.permutation(n)[:3]]
        eps = np.finfo(float).eps
        for v in directions:
            vals = self.api("g.eval", lambda: {t: F(t, v) for t in (h, -h, h / 2, -h / 2)})
            if vals is None:
                return
            fp1, fm1, fp2, fm2 = vals[h], vals[-h], vals[h / 2], vals[-h / 2]
            with np.errstate(all="ignore"):
                central = (4 * (fp2 - fm2) / h - (fp1 - fm1) / (2 * h)) / 3
                fwd = 2 * (fp2 - f0) / (h / 2) - (fp1 - f0) / h
                bwd = 2 * (f0 - fm2) / (h / 2) - (f0 - fm1) / h
                ad = J @ v
                fmax = np.max(np.abs(np.stack([f0, fp1, fm1, fp2, fm2])), axis=0)
                noise = 1e4 * eps * fmax / h
                spread = np.maximum(np.abs(central - fwd), np.abs(central - bwd))
                ok = np.isfinite(central) & np.isfinite(spread) & np.isfinite(ad) \
                    & (spread <= 1e-4 * (1 + np.abs(central)) + noise)
                gap = np.abs(ad - central)
                bad = ok & (gap > 1e-2 * (1 + np.abs(central)) + 100 * spread + 100 * noise)
            if bad.any():
                r = int(np.argwhere(bad)[0][0])
                self.fail("disagree-fd", f"output entry {r}, direction {np.round(v, 3).tolist()[:6]}: "
                          f"J·v = {ad[r]!r}, finite differences {central[r]!r} (spread {spread[r]:.2g})")
                return


def differential(ex: Example, seed: int) -> None:
    Maths(ex, np.random.default_rng(seed)).run()
