"""The curriculum as graphs: every example of the exercise sheets of the curriculum (quoted in docs/walkthroughs/) is a .gd file
under graphs/sheetN/ (sheet N = seed file 00N). Two tiers of checks:

(a) every graph parses and evaluates, its Jacobian is the same by forward and reverse mode, and it
    agrees with central finite differences; the expression tree (sharing off) gives the same;
(b) every graph is checked at its default values against the closed form the sheet derives,
    computed here with NumPy (formula, sheet and exercise in a comment), to 1e-10 relative.

Where a printed answer on a sheet is wrong, the closed form below follows the verified derivative
and says so (see `_general_function`, sheet 002 exercise 4a).
"""
from __future__ import annotations

import pathlib

import numpy as np
import pytest
import scipy.linalg

import graphdiff as gd

GRAPHS = pathlib.Path(__file__).resolve().parent.parent / "graphs"
FILES = sorted(p.relative_to(GRAPHS).as_posix() for p in GRAPHS.glob("sheet*/*.gd"))
RTOL = 1e-10


def load(path: str):
    return gd.load(str(GRAPHS / path))


def defaults(g) -> dict:
    """Default values of the named inputs and constants, as float arrays."""
    return {name: np.asarray(n.value, dtype=float)
            for n in g.nodes if n.op in ("input", "const") for name in n.names}


def input_defaults(g) -> dict:
    return {g.input_name(i): np.asarray(g.node(i).value, dtype=float) for i in g.inputs}


def flat_outputs(g, at) -> np.ndarray:
    values = g.eval(at=at)
    return np.concatenate([np.ravel(np.asarray(values[name], dtype=float)) for name, _ in g.outputs])


def central_differences(g, h: float = 1e-6) -> np.ndarray:
    """The Jacobian by central differences, in graphdiff's layout (outputs x inputs, row-major)."""
    base = input_defaults(g)
    cols = []
    for name, x in base.items():
        for k in range(x.size):
            step = h * max(1.0, abs(x.flat[k]))
            plus, minus = x.copy(), x.copy()
            plus.flat[k] += step
            minus.flat[k] -= step
            cols.append((flat_outputs(g, {**base, name: plus})
                         - flat_outputs(g, {**base, name: minus})) / (2 * step))
    return np.stack(cols, axis=1)


def assert_close(got, want, rtol=RTOL):
    """Relative agreement; exact zeros of `want` are compared against the scale of `want`."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


# ----------------------------------------------------------------------------------- (a) all files

def test_every_sheet_has_graphs():
    for n in range(5):
        assert any(f.startswith(f"sheet{n}/") for f in FILES), f"no graphs for sheet {n}"


@pytest.mark.parametrize("path", FILES)
def test_header_names_the_exercise(path):
    first = (GRAPHS / path).read_text(encoding="utf-8").splitlines()[0]
    sheet = path.split("/")[0].removeprefix("sheet")
    assert first.startswith(f"# sheet 00{sheet},"), first


@pytest.mark.parametrize("path", FILES)
def test_forward_reverse_and_finite_differences(path):
    g = load(path)
    assert g.inputs, "every curriculum graph has an input"
    values = flat_outputs(g, None)
    assert np.all(np.isfinite(values))
    jf = g.jacobian(mode="forward")
    jr = g.jacobian(mode="reverse")
    assert jf.rows == jr.rows and jf.cols == jr.cols
    assert jf.matrix.shape == (values.size, sum(v.size for v in input_defaults(g).values()))
    np.testing.assert_allclose(jf.matrix, jr.matrix, rtol=1e-12, atol=1e-12)
    fd = central_differences(g)
    np.testing.assert_allclose(jr.matrix, fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("path", FILES)
def test_tree_computes_the_same_derivatives(path):
    # Sharing is a matter of cost, never of value: the expression tree has the same Jacobian.
    g = load(path)
    tree = g.tree()
    assert tree.stats()["ops"] >= g.stats()["ops"]
    np.testing.assert_allclose(tree.jacobian().matrix, g.jacobian().matrix, rtol=1e-12, atol=1e-12)


def test_peyre_dag_shares_u_and_v():
    # sheet 003, Part 5: the efficient DAG has 8 operations, the expression tree 16.
    stats = load("sheet3/peyre.gd").stats()
    assert (stats["ops"], stats["tree_ops"]) == (8, 16)


# ----------------------------------------------------------------------- (b) closed forms per sheet
# Each function takes the file's default values {name: array} and returns either
#   {input name: gradient}  -> compared with g.grad (scalar output), in both modes, or
#   a matrix                -> compared with g.jacobian(...).matrix, in both modes.

CLOSED: dict = {}


def closed_form(path):
    def register(fn):
        CLOSED[path] = fn
        return fn
    return register


def dsigmoid(s):
    sig = 1 / (1 + np.exp(-s))
    return sig * (1 - sig)


def dtanh(s):
    return 1 - np.tanh(s) ** 2


# sheet 000 ----------------------------------------------------------------------------------

@closed_form("sheet0/chain_rule.gd")
def _chain_rule(v):
    # sheet 000, Q1: (f∘g)'(t) = f'(g(t)) g'(t); f = sin, g(t) = t²  ->  cos(t²)·2t
    t = v["t"]
    return {"t": np.cos(t**2) * 2 * t}


@closed_form("sheet0/least_squares.gd")
def _least_squares(v):
    # sheet 000, Q3: ∇f₁(x) = Aᵀ(Ax − b)
    A, b, x = v["A"], v["b"], v["x"]
    return {"x": A.T @ (A @ x - b)}


@closed_form("sheet0/affine.gd")
def _affine(v):
    # sheet 000, Q3: J_{f₂}(x) = B
    return v["B"]


@closed_form("sheet0/matrix_factorization.gd")
def _matrix_factorization(v):
    # sheet 000, Q3: R = M − PQ, ∇_P f₃ = −R Qᵀ, ∇_Q f₃ = −Pᵀ R
    M, P, Q = v["M"], v["P"], v["Q"]
    R = M - P @ Q
    return {"P": -R @ Q.T, "Q": -P.T @ R}


@closed_form("sheet0/tanh_network.gd")
def _tanh_network(v):
    # sheet 000, Q5–7: y = σ(⟨w, V(Wx)⟩), σ = V = tanh; z = Wx, a = ⟨w, tanh z⟩
    # ∇_w y = σ'(a) tanh(z),  ∇_W y = σ'(a) (w ⊙ V'(z)) xᵀ
    x, w, W = v["x"], v["w"], v["W"]
    z = W @ x
    a = w @ np.tanh(z)
    return {"w": dtanh(a) * np.tanh(z), "W": dtanh(a) * np.outer(w * dtanh(z), x)}


@closed_form("sheet0/composition.gd")
def _composition(v):
    # sheet 000, Q4: J_{F∘G}(x) = J_F(G(x)) J_G(x), G = tanh(Cx), F(u) = D exp(u)
    C, D, x = v["C"], v["D"], v["x"]
    u = np.tanh(C @ x)
    return (D @ np.diag(np.exp(u))) @ (np.diag(1 - u**2) @ C)


# sheet 001 ----------------------------------------------------------------------------------

@closed_form("sheet1/one_hidden_layer.gd")
def _one_hidden_layer(v):
    # sheet 001, eq. (6):  ∇_θ l = (ŷ − y) σ'(pre_y) h̄ᵀ
    # sheet 001, eq. (11): ∇_{w_h} l = (ŷ − y) σ'(pre_y) x̄ᵀ u,  u = θ̃ ⊙ σ'(pre_h), θ̃ = θ[:-1]
    xbar, y, theta, w_h = v["xbar"], v["y"], v["theta"], v["w_h"]
    pre_h = xbar @ w_h
    hbar = np.append(1 / (1 + np.exp(-pre_h)), 1.0)
    pre_y = theta @ hbar
    y_hat = 1 / (1 + np.exp(-pre_y))
    u = theta[:-1] * dsigmoid(pre_h)
    common = (y_hat - y) * dsigmoid(pre_y)
    return {"theta": common * hbar, "w_h": common * np.outer(xbar, u)}


# sheet 002 ----------------------------------------------------------------------------------

@closed_form("sheet2/product_rule.gd")
def _product_rule(v):
    # sheet 002, Ex. 1a: ∇(fᵀg) = J_fᵀ g + J_gᵀ f, f = Ax, g = tanh(Bx): J_f = A, J_g = diag(1−g²) B
    A, B, x = v["A"], v["B"], v["x"]
    f, g = A @ x, np.tanh(B @ x)
    return {"x": A.T @ g + B.T @ ((1 - g**2) * f)}


@closed_form("sheet2/chain_h2_h1_f.gd")
def _chain_h2_h1_f(v):
    # sheet 002, Ex. 2b: ∇(h₂∘h₁∘f) = ∇f · h₂'(h₁(f)) · h₁'(f); f = ⟨x,x⟩, h₁ = sin, h₂ = exp
    x = v["x"]
    f = x @ x
    return {"x": 2 * x * np.exp(np.sin(f)) * np.cos(f)}


@closed_form("sheet2/chain_three_paths.gd")
def _chain_three_paths(v):
    # sheet 002, Ex. 2c: ∇_w L = ∂ₓL ∇x + ∂_yL ∇y + ∂_zL ∇z, L = xyz,
    # x = ⟨a,w⟩ (∇x = a), y = ⟨w,w⟩ (∇y = 2w), z = tanh(w₁) (∇z = (1 − z²) e₁)
    a, w = v["a"], v["w"]
    x, y, z = a @ w, w @ w, np.tanh(w[0])
    e1 = np.array([1.0, 0.0])
    return {"w": y * z * a + x * z * 2 * w + x * y * (1 - z**2) * e1}


@closed_form("sheet2/inner_product.gd")
def _inner_product(v):
    # sheet 002, Ex. 3a: ∇ₓ⟨a, x⟩ = a
    return {"x": v["a"]}


@closed_form("sheet2/matvec.gd")
def _matvec(v):
    # sheet 002, Ex. 3b: J(Ax) = A
    return v["A"]


@closed_form("sheet2/quadratic_form.gd")
def _quadratic_form(v):
    # sheet 002, Ex. 3c: ∇ₓ⟨x, Ax⟩ = (A + Aᵀ)x;  Ex. 3d: ∇_A⟨x, Ax⟩ = xxᵀ
    x, A = v["x"], v["A"]
    return {"x": (A + A.T) @ x, "A": np.outer(x, x)}


@closed_form("sheet2/general_function.gd")
def _general_function(v):
    # sheet 002, Ex. 4a: f = ½x² + yz − ln(1 + exp(s)), s = x²y³z.
    # SHEET SLIP: the sheet prints ∇f = (x − 2xy³z/(1+exp(s)), z − 3x²y²z/(1+exp(s)),
    # y − x²y³/(1+exp(s))). But d/ds ln(1 + exp(s)) = exp(s)/(1 + exp(s)) = 1/(1 + exp(−s)) = σ(s),
    # so the denominators must be 1 + exp(−s). We follow the verified derivative:
    #   ∇f = (x − 2xy³z σ(s), z − 3x²y²z σ(s), y − x²y³ σ(s)).
    x, y, z = v["x"], v["y"], v["z"]
    s = x**2 * y**3 * z
    sig = 1 / (1 + np.exp(-s))
    return {"x": x - 2 * x * y**3 * z * sig, "y": z - 3 * x**2 * y**2 * z * sig,
            "z": y - x**2 * y**3 * sig}


def test_sheet2_ex4a_printed_gradient_is_wrong():
    # sheet 002, Ex. 4a: the printed formula (denominator 1 + exp(+s)) disagrees with graphdiff at the
    # file's default point, while the corrected one (σ(s)) agrees; see _general_function.
    g = load("sheet2/general_function.gd")
    v = defaults(g)
    x, y, z = v["x"], v["y"], v["z"]
    s = x**2 * y**3 * z
    printed = np.array([x - 2 * x * y**3 * z / (1 + np.exp(s)), z - 3 * y**2 * x**2 * z / (1 + np.exp(s)),
                        y - x**2 * y**3 / (1 + np.exp(s))])
    _, grad = g.grad()
    got = np.array([grad["x"], grad["y"], grad["z"]], dtype=float)
    assert np.abs(got - printed).max() > 1e-3
    assert_close(got, [_general_function(v)[k] for k in "xyz"])


@closed_form("sheet2/half_squared_norm.gd")
def _half_squared_norm(v):
    # sheet 002, Ex. 4b: ∇ ½‖x‖² = x. (Its derivation ii writes "½‖x‖² = Σᵢ xᵢ²", a dropped ½
    # in the text only; the printed result x is right and is what we check.)
    return {"x": v["x"]}


@closed_form("sheet2/logistic_loss.gd")
def _logistic_loss(v):
    # sheet 002, Ex. 4c: ∇_w ln(1 + exp(−wᵀx)) = −exp(−xᵀw)/(1 + exp(−xᵀw)) x
    x, w = v["x"], v["w"]
    e = np.exp(-x @ w)
    return {"w": -e / (1 + e) * x}


# sheet 003 ----------------------------------------------------------------------------------

def commutation(n: int, p: int) -> np.ndarray:
    """K with vec_r(Xᵀ) = K vec_r(X) for X ∈ ℝ^{n×p} (row-major vectorisation)."""
    K = np.zeros((n * p, n * p))
    for i in range(p):          # (Xᵀ)[i, j] = X[j, i]
        for j in range(n):
            K[i * n + j, j * p + i] = 1
    return K


@closed_form("sheet3/affine_scalar.gd")
def _affine_scalar(v):
    # sheet 003, Part 1 q1: d/dx g(ax + b) = a g'(ax + b), g = tanh
    a, b, x = v["a"], v["b"], v["x"]
    return {"x": a * dtanh(a * x + b)}


@closed_form("sheet3/affine_vector.gd")
def _affine_vector(v):
    # sheet 003, Part 1 q2: ∇ g(Ax + b) = Aᵀ ∇g(Ax + b); g = logsumexp, ∇g = softmax
    A, b, x = v["A"], v["b"], v["x"]
    u = A @ x + b
    return {"x": A.T @ (np.exp(u) / np.exp(u).sum())}


@closed_form("sheet3/p_norm.gd")
def _p_norm(v):
    # sheet 003, Part 1 q3: ∇‖x‖_p = sign(x) |x|^{p−1} / ‖x‖_p^{p−1}, p = 3 (x ≠ 0)
    x, p = v["x"], 3
    n = (np.abs(x) ** p).sum() ** (1 / p)
    return {"x": np.sign(x) * np.abs(x) ** (p - 1) / n ** (p - 1)}


@closed_form("sheet3/trace.gd")
def _trace(v):
    # sheet 003, Part 1 q4: ∇ tr(X) = I
    return {"X": np.eye(len(v["X"]))}


@closed_form("sheet3/det.gd")
def _det(v):
    # sheet 003, Part 1 q4: ∇ det(X) = det(X) X^{−ᵀ}
    X = v["X"]
    return {"X": np.linalg.det(X) * np.linalg.inv(X).T}


@closed_form("sheet3/transpose.gd")
def _transpose(v):
    # sheet 003, Part 2 q1: ∂(Xᵀ)ᵢⱼ/∂X_kl = δ_jk δ_il: the commutation matrix
    return commutation(*v["X"].shape)


@closed_form("sheet3/xxt.gd")
def _xxt(v):
    # sheet 003, Part 2 q1: d(XXᵀ) = dX Xᵀ + X dXᵀ, entrywise ∂(XXᵀ)ᵢⱼ/∂X_kl = δ_ik X_jl + δ_jk X_il
    X = v["X"]
    n, p = X.shape
    J = np.zeros((n * n, n * p))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                for l in range(p):
                    J[i * n + j, k * p + l] = (i == k) * X[j, l] + (j == k) * X[i, l]
    return J


@closed_form("sheet3/square.gd")
def _square(v):
    # sheet 003, Part 2 q1: d(X²) = dX X + X dX; row-major vec_r(A dX B) = (A ⊗ Bᵀ) vec_r(dX),
    # so J = I ⊗ Xᵀ + X ⊗ I
    X = v["X"]
    eye = np.eye(len(X))
    return np.kron(eye, X.T) + np.kron(X, eye)


@closed_form("sheet3/inverse.gd")
def _inverse(v):
    # sheet 003, Part 2 q1: d(X⁻¹) = −X⁻¹ dX X⁻¹, so J = −X⁻¹ ⊗ X⁻ᵀ (row-major)
    Xi = np.linalg.inv(v["X"])
    return -np.kron(Xi, Xi.T)


@closed_form("sheet3/axb.gd")
def _axb(v):
    # sheet 003, Part 2 q2: X ↦ AXB, A ∈ ℝ^{2×3}, X ∈ ℝ^{3×2}, B ∈ ℝ^{2×2}: J = A ⊗ Bᵀ (row-major)
    return np.kron(v["A"], v["B"].T)


@closed_form("sheet3/sqrtm.gd")
def _sqrtm(v):
    # sheet 003, Part 2 q3: S = √X, S dS + dS S = dX, so J = (S ⊗ I + I ⊗ Sᵀ)⁻¹ (row-major)
    S = np.real(scipy.linalg.sqrtm(v["X"]))
    eye = np.eye(len(S))
    return np.linalg.inv(np.kron(S, eye) + np.kron(eye, S.T))


@closed_form("sheet3/trace_square.gd")
def _trace_square(v):
    # sheet 003, Part 3 q1: ∇ tr(X²) = 2Xᵀ
    return {"X": 2 * v["X"].T}


@closed_form("sheet3/det_square.gd")
def _det_square(v):
    # sheet 003, Part 3 q1: ∇ det(X²) = 2 det(X)² X^{−ᵀ}
    X = v["X"]
    return {"X": 2 * np.linalg.det(X) ** 2 * np.linalg.inv(X).T}


@closed_form("sheet3/trace_xxt.gd")
def _trace_xxt(v):
    # sheet 003, Part 3 q2: ∇ tr(XXᵀ) = 2X
    return {"X": 2 * v["X"]}


@closed_form("sheet3/det_xxt.gd")
def _det_xxt(v):
    # sheet 003, Part 3 q2: ∇ det(XXᵀ) = 2 det(XXᵀ) (XXᵀ)⁻¹ X
    X = v["X"]
    C = X @ X.T
    return {"X": 2 * np.linalg.det(C) * np.linalg.inv(C) @ X}


@closed_form("sheet3/trace_sqrt_xxt.gd")
def _trace_sqrt_xxt(v):
    # sheet 003, Part 3 q3: ∇ tr(√(XXᵀ)) = (XXᵀ)^{−1/2} X
    X = v["X"]
    return {"X": np.linalg.inv(np.real(scipy.linalg.sqrtm(X @ X.T))) @ X}


@closed_form("sheet3/trace_sqrt_xxt_row.gd")
def _trace_sqrt_xxt_row(v):
    # sheet 003, Part 3 q3, X ∈ ℝ^{1×p}: tr(√(XXᵀ)) = ‖x‖ and ∇ = x/‖x‖ (gradient of the norm)
    X = v["X"]
    return {"X": X / np.linalg.norm(X)}


@closed_form("sheet3/smooth_abs.gd")
def _smooth_abs(v):
    # sheet 003, Part 4 q1: d/dx √(x² + ε²) = x/√(x² + ε²)
    x, eps = v["x"], v["eps"]
    return {"x": x / np.sqrt(x**2 + eps**2)}


def test_sheet3_part4_smooth_abs_lipschitz_bound():
    # sheet 003, Part 4 q1: f''(x) = ε²/(x² + ε²)^{3/2} ≤ 1/ε; check f'' by differencing graphdiff's f'.
    g = load("sheet3/smooth_abs.gd")
    eps, h = defaults(g)["eps"], 1e-5
    for x in (-0.3, 0.0, 0.05, 1.0):
        d2 = (g.grad(at={"x": x + h})[1]["x"] - g.grad(at={"x": x - h})[1]["x"]) / (2 * h)
        np.testing.assert_allclose(d2, eps**2 / (x**2 + eps**2) ** 1.5, rtol=1e-6)
        assert d2 <= 1 / eps * (1 + 1e-6)


@closed_form("sheet3/smooth_l1.gd")
def _smooth_l1(v):
    # sheet 003, Part 4 q2: ∇‖x‖_ε = x/√(x² + ε²) entrywise
    x, eps = v["x"], v["eps"]
    return {"x": x / np.sqrt(x**2 + eps**2)}


def finite_difference_matrix(n: int) -> np.ndarray:
    """G ∈ ℝ^{(n−1)×n}: (Gx)ᵢ = xᵢ₊₁ − xᵢ."""
    return np.eye(n - 1, n, k=1) - np.eye(n - 1, n)


def G_adjoint(u: np.ndarray) -> np.ndarray:
    # sheet 003, Part 4 q3: Gᵀu = (−u₁, u₁ − u₂, …, uₙ₋₂ − uₙ₋₁, uₙ₋₁)
    return np.concatenate([[-u[0]], u[:-1] - u[1:], [u[-1]]])


@closed_form("sheet3/finite_differences.gd")
def _finite_differences(v):
    # sheet 003, Part 4 q3: x ↦ Gx is linear, J = G
    return finite_difference_matrix(v["x"].size)


def test_sheet3_part4_reverse_sweep_applies_the_adjoint_of_G():
    # sheet 003, Part 4 q3: seeding the output adjoint with u, the reverse sweep gives Gᵀu.
    g = load("sheet3/finite_differences.gd")
    n = defaults(g)["x"].size
    u = np.array([0.3, -1.0, 2.0, 0.5])
    assert_close(G_adjoint(u), finite_difference_matrix(n).T @ u)
    J = g.jacobian(mode="reverse").matrix
    assert_close(u @ J, G_adjoint(u))


@closed_form("sheet3/total_variation.gd")
def _total_variation(v):
    # sheet 003, Part 4 q4: ∇‖Gx‖_ε = Gᵀ(Gx / √((Gx)² + ε²))
    x, eps = v["x"], v["eps"]
    u = np.diff(x)
    return {"x": G_adjoint(u / np.sqrt(u**2 + eps**2))}


@closed_form("sheet3/peyre.gd")
def _peyre(v):
    # sheet 003, Part 5: u = √(x²+1), v = log(x+u): u' = x/u, v' = (1 + x/u)/(x + u) = 1/u,
    # f = v/u − v³  ->  f' = (v' u − v u')/u² − 3v² v' = (1 − v x/u)/u² − 3v²/u
    x = v["x"]
    u = np.sqrt(x**2 + 1)
    w = np.log(x + u)
    return {"x": (1 - w * x / u) / u**2 - 3 * w**2 / u}


def test_sheet3_part5_copy_matches_the_flagship_graph():
    # graphs/sheet3/peyre.gd is a copy of graphs/peyre.gd: same DAG size, same value and derivative.
    mine, flagship = load("sheet3/peyre.gd"), gd.load(str(GRAPHS / "peyre.gd"))
    assert mine.stats() == flagship.stats()
    (f1, g1), (f2, g2) = mine.grad(), flagship.grad()
    assert f1 == f2 and g1["x"] == g2["x"]


@closed_form("sheet3/two_layer.gd")
def _two_layer(v):
    # sheet 003, Part 6 q2: f = b ρ(Ax), z = Ax, ρ = tanh:
    # ∇ₓf = Aᵀ(bᵀ ⊙ ρ'(z)), ∇_A f = (bᵀ ⊙ ρ'(z)) xᵀ, ∇_b f = ρ(z)ᵀ
    x, A, b = v["x"], v["A"], v["b"]
    z = A @ x
    s = b[0] * dtanh(z)
    return {"x": A.T @ s, "A": np.outer(s, x), "b": np.tanh(z)[None, :]}


@closed_form("sheet3/training_error.gd")
def _training_error(v):
    # sheet 003, Part 6 q4: E = Σᵢ (f(xᵢ) − yᵢ)², rᵢ = f(xᵢ) − yᵢ:
    # ∇_b E = 2 Σᵢ rᵢ ρ(A xᵢ),  ∇_A E = 2 Σᵢ rᵢ (b ⊙ ρ'(A xᵢ)) xᵢᵀ
    X, y, A, b = v["X"], v["y"], v["A"], v["b"]
    gb, gA = np.zeros_like(b), np.zeros_like(A)
    for xi, yi in zip(X, y):
        z = A @ xi
        r = b @ np.tanh(z) - yi
        gb += 2 * r * np.tanh(z)
        gA += 2 * r * np.outer(b * dtanh(z), xi)
    return {"A": gA, "b": gb}


@closed_form("sheet3/residual.gd")
def _residual(v):
    # sheet 003, Part 6 q5: F = x + Aᵀρ(Ax), z = Ax:
    # ∂F/∂x = I + Aᵀ diag(ρ'(z)) A;  ∂Fₖ/∂A_ab = δ_bk ρ(z)_a + A_ak ρ'(z)_a x_b
    x, A = v["x"], v["A"]
    q, n = A.shape
    z = A @ x
    Jx = np.eye(n) + A.T @ np.diag(dtanh(z)) @ A
    JA = np.zeros((n, q * n))
    for k in range(n):
        for a in range(q):
            for b in range(n):
                JA[k, a * n + b] = (b == k) * np.tanh(z[a]) + A[a, k] * dtanh(z[a]) * x[b]
    return np.hstack([Jx, JA])


@closed_form("sheet3/residual_loss.gd")
def _residual_loss(v):
    # sheet 003, Part 6 q5: u = ∇L(F) = F − t, z = Ax (backward chain rule):
    # (∂F/∂x)ᵀu = u + Aᵀ(ρ'(z) ⊙ Au);  (∂F/∂A)ᵀu = ρ(z)uᵀ + (ρ'(z) ⊙ Au) xᵀ
    x, A, t = v["x"], v["A"], v["t"]
    z = A @ x
    u = x + A.T @ np.tanh(z) - t
    s = dtanh(z) * (A @ u)
    return {"x": u + A.T @ s, "A": np.outer(np.tanh(z), u) + np.outer(s, x)}


# sheet 004 ----------------------------------------------------------------------------------

@closed_form("sheet4/linear_map.gd")
def _linear_map(v):
    # sheet 004, Ex. 1: J_z = M
    return v["M"]


@closed_form("sheet4/relu3d.gd")
def _relu3d(v):
    # sheet 004, Ex. 2: J_R = diag(1_{x>0}, 1_{y>0}, 1_{z>0})
    return np.diag((v["v"] > 0).astype(float))


# sheet 004, Ex. 3 q6: the Jacobian as printed on the sheet, columns (p11..p32, q11..q23).
SHEET4_JACOBIAN = np.array([
    [3/4, -3/4, -3/2, 3/2, 0, 0, 1/2, 1/4, 0, -1/2, -1/4, 0],
    [-3/4, 3/4, 3/2, -3/2, 0, 0, -1/2, -1/4, 0, 1/2, 1/4, 0],
])


@closed_form("sheet4/relu_softmax.gd")
def _relu_softmax(v):
    # sheet 004, Ex. 3 q6: ∂f/∂x = J_S(z') ∂z'/∂x with z' = Q R(PE), J_S = [[S₁(1−S₁), −S₁S₂],
    # [−S₁S₂, S₂(1−S₂)]], ∂z'/∂p_ij = Q J_R(PE) e_j 1_i, ∂z'/∂q_ij = R(PE)_j 1_i
    P, Q, E = v["P"], v["Q"], v["E"]
    z = P @ E
    g = np.maximum(z, 0)
    zp = Q @ g
    S = np.exp(zp) / np.exp(zp).sum()
    JS = np.diag(S) - np.outer(S, S)
    cols = []
    for i in range(3):
        for j in range(2):
            dz = np.zeros(3)
            dz[i] = E[j]
            cols.append(JS @ Q @ ((z > 0) * dz))
    for i in range(2):
        for j in range(3):
            dzp = np.zeros(2)
            dzp[i] = g[j]
            cols.append(JS @ dzp)
    return np.stack(cols, axis=1)


def test_sheet4_ex3_printed_jacobian():
    # sheet 004, Ex. 3 q6: the printed 2×12 Jacobian at (P₀, Q₀, E₀), inputs P then Q, E a const.
    g = load("sheet4/relu_softmax.gd")
    assert_close(_relu_softmax(defaults(g)), SHEET4_JACOBIAN, rtol=1e-15)
    for mode in ("forward", "reverse"):
        J = g.jacobian(mode=mode)
        assert J.rows == ("f[0]", "f[1]")
        assert J.cols == ("P[0,0]", "P[0,1]", "P[1,0]", "P[1,1]", "P[2,0]", "P[2,1]",
                          "Q[0,0]", "Q[0,1]", "Q[0,2]", "Q[1,0]", "Q[1,1]", "Q[1,2]")
        np.testing.assert_allclose(J.matrix, SHEET4_JACOBIAN, rtol=0, atol=1e-15)
    np.testing.assert_allclose(g.eval()["f"], [0.5, 0.5], rtol=0, atol=1e-15)


@closed_form("sheet4/relu_softmax_nll.gd")
def _relu_softmax_nll(v):
    # sheet 004, Ex. 3 q7: ∇l = −(1/f₁) ∇f₁ = −2 × (first row of J_f), as printed:
    # (−3/2, 3/2, 3, −3, 0, 0, −1, −1/2, 0, 1, 1/2, 0)
    row = -2 * SHEET4_JACOBIAN[0]
    printed = np.array([-3/2, 3/2, 3, -3, 0, 0, -1, -1/2, 0, 1, 1/2, 0])
    assert_close(row, printed)
    return {"P": row[:6].reshape(3, 2), "Q": row[6:].reshape(2, 3)}


# --------------------------------------------------------------------------------- the test itself

def test_every_graph_has_a_closed_form():
    assert sorted(CLOSED) == FILES


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("path", sorted(CLOSED))
def test_closed_form(path, mode):
    g = load(path)
    want = CLOSED[path](defaults(g))
    if isinstance(want, dict):
        _, grad = g.grad(mode=mode)
        assert list(grad) == [g.input_name(i) for i in g.inputs]
        for name, expected in want.items():
            assert np.shape(grad[name]) == np.shape(defaults(g)[name]), name
            assert_close(grad[name], expected)
    else:
        assert_close(g.jacobian(mode=mode).matrix, want)
