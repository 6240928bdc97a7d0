"""JAX interop (the extra graphdiff[jax]): from_jax against jax.grad, and codegen --lang jax
round trips (graphdiff's gradient of a .gd graph = jax.grad of the generated module)."""
import types

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.ops import OPS
from tests.conftest import GRAPHS, run

from graphdiff.emit.jax import jax_source

# JAX is imported by the first test that runs here, not when the file is collected: every pytest
# process (make test runs two) collects every file, and importing JAX costs two seconds of CPU.
jax = jnp = None


@pytest.fixture(autouse=True)
def x64():
    global jax, jnp
    jax = pytest.importorskip("jax", reason="JAX is not installed (pip install 'graphdiff[jax]'; make test installs it)")
    jnp = pytest.importorskip("jax.numpy")
    with jax.enable_x64(True):
        yield


def assert_same_gradients(ours: dict, theirs: dict, tol=1e-12):
    assert set(ours) == set(theirs)
    for k in ours:
        np.testing.assert_allclose(ours[k], np.asarray(theirs[k]), rtol=tol, atol=tol, err_msg=k)


# ------------------------------------------------------------------ from_jax

def mlp(params, x, y):
    h = jax.nn.relu(params["W1"] @ x + params["b1"])
    h = jnp.tanh(h) * jax.nn.sigmoid(h) + jax.nn.softplus(h)
    pred = params["W2"] @ h + params["b2"]
    return jnp.mean((pred - y) ** 2) + 1e-3 * jnp.sum(params["W1"] ** 2)


def test_a_jax_mlp_gives_jaxs_gradients():
    rng = np.random.default_rng(0)
    params = {"W1": rng.standard_normal((4, 3)), "b1": rng.standard_normal(4),
              "W2": rng.standard_normal((2, 4)), "b2": rng.standard_normal(2)}
    x, y = rng.standard_normal(3), np.array([1.0, 0.0])
    g = gd.from_jax(mlp, params, x, y)
    assert g.input_names() == ("params.W1", "params.W2", "params.b1", "params.b2", "x", "y")
    assert {n.op for n in g.nodes} >= {"relu", "sigmoid", "softplus", "tanh", "matmul", "sum"}
    value, grad = g.grad()
    j_value, (j_params, j_x, j_y) = jax.jit(jax.value_and_grad(mlp, argnums=(0, 1, 2)))(params, x, y)
    assert value == pytest.approx(float(j_value), rel=1e-14)
    assert_same_gradients(grad, {**{f"params.{k}": v for k, v in j_params.items()}, "x": j_x, "y": j_y})


def test_jitted_calls_become_groups_with_jaxs_gradients():
    @jax.jit
    def layer(x, W, b):
        return jnp.tanh(W @ x + b)

    def loss(p, x):
        return jnp.sum(layer(layer(x, p["W1"], p["b1"]), p["W2"], p["b2"]) ** 2)

    p = {"W1": np.full((3, 2), 0.3), "b1": np.zeros(3), "W2": np.full((1, 3), 0.2), "b2": np.zeros(1)}
    x = np.array([1.0, -2.0])
    g = gd.from_jax(loss, p, x)
    assert [(grp.name, grp.function) for grp in g.groups] == [("layer", "layer"), ("layer#2", "layer")]
    assert [g.node(i).op for i in g.members(0)] == ["matmul", "add", "tanh"]
    assert g.groups[0].inputs == tuple(g.input_node(n) for n in ("x", "p.W1", "p.b1"))
    _, grad = g.grad()
    j = jax.grad(loss, argnums=(0, 1))(p, x)
    assert_same_gradients(grad, {**{f"p.{k}": v for k, v in j[0].items()}, "x": j[1]})


def peyre(x):
    u = jnp.sqrt(x**2 + 1)
    v = jnp.log(x + u)
    return v / u - v**3


def test_the_peyre_function_in_jax_is_the_8_op_dag_with_jaxs_gradient():
    g = gd.from_jax(peyre, 0.7)
    assert g.n_ops() == 8 and g.stats() == gd.load(GRAPHS / "peyre.gd").stats()
    value, grad = g.grad()
    assert value == pytest.approx(float(jax.jit(peyre)(0.7)), rel=1e-15)
    assert grad["x"] == pytest.approx(float(jax.jit(jax.grad(peyre))(0.7)), rel=1e-14)


def linear_algebra(A, v):
    B = A @ A.T + 3.0 * jnp.eye(3)
    rows = jnp.sum(A, axis=0) @ v + jnp.mean(A, axis=1) @ v
    return (jnp.linalg.det(B) + jnp.trace(jnp.linalg.inv(B)) + jnp.linalg.norm(v) + rows
            + jnp.outer(v, v)[0, 1] + v[1:] @ v[:-1] + 1 / jnp.sqrt(v[0] ** 2 + 1) + jnp.exp2(v[2])
            + jnp.sum(v[:, None] * A) + jnp.logaddexp(v, 2 * v).sum() + jnp.square(v).sum()
            + jnp.maximum(v, 0.1).sum() + jnp.sin(v).dot(jnp.cos(v)) + jnp.abs(v).sum() + jnp.log1p(v ** 2).sum())


def test_linear_algebra_slices_and_broadcasts_give_jaxs_gradients():
    A = np.array([[0.9, -0.2, 0.4], [0.1, 1.3, -0.5], [0.3, 0.2, 0.8]])
    v = np.array([0.7, -1.1, 0.4])
    g = gd.from_jax(linear_algebra, A, v)
    assert {"det", "inv", "trace", "outer"} <= {n.op for n in g.nodes}
    value, grad = g.grad()
    jv, (jA, jvv) = jax.jit(jax.value_and_grad(linear_algebra, argnums=(0, 1)))(A, v)
    assert value == pytest.approx(float(jv), rel=1e-13)
    assert_same_gradients(grad, {"A": jA, "v": jvv}, tol=1e-11)


def test_outputs_are_named_after_a_dicts_keys_and_static_arguments_stay_python():
    def f(x, n):
        for _ in range(n):
            x = jnp.sin(x)
        return {"y": x, "z": 2 * x}
    g = gd.from_jax(f, 0.3, 3, static_argnums=1)
    assert g.input_names() == ("x",) and [n for n, _ in g.outputs] == ["y", "z"]
    assert sum(1 for n in g.nodes if n.op == "sin") == 3
    assert g.eval()["y"] == pytest.approx(np.sin(np.sin(np.sin(0.3))), rel=1e-15)


@pytest.mark.parametrize("fn, primitive", [
    (lambda x: jnp.sinh(x), "sinh"),
    (lambda x: jnp.cumsum(x).sum(), "cumsum"),
    (lambda x: jax.lax.fori_loop(0, 3, lambda i, v: v * 2, x).sum(), "scan"),
])
def test_an_unsupported_primitive_is_named(fn, primitive):
    with pytest.raises(gd.GraphError, match=f"'{primitive}'|{primitive}"):
        gd.from_jax(fn, np.array([0.5, 0.2]))


def test_a_missing_op_of_a_primitive_is_named():
    if "where" in OPS:
        pytest.skip("the where op is in the table: select_n maps")
    with pytest.raises(gd.GraphError, match="needs graphdiff's '(where|gt)' op"):
        gd.from_jax(lambda x: jnp.where(x > 0, x, 0.5 * x).sum(), np.array([0.5, -0.2]))


# ------------------------------------------------------------------ codegen --lang jax

def load_module(source: str):
    module = types.ModuleType("generated")
    exec(compile(source, "<generated>", "exec"), module.__dict__)
    return module


CURRICULUM = ["peyre.gd", "sheet3/two_layer.gd", "sheet3/trace_sqrt_xxt.gd", "sheet3/total_variation.gd",
              "sheet4/relu_softmax_nll.gd"]


@pytest.mark.parametrize("name", CURRICULUM)
def test_codegen_jax_round_trips_under_jit_and_grad(name):
    g = gd.load(GRAPHS / name)
    m = load_module(jax_source(g, title=name))
    args = [g.node(i).value for i in g.inputs]
    outs = jax.jit(m.evaluate)(*args)
    for k, v in g.eval().items():
        np.testing.assert_allclose(np.asarray(outs[k]), v, rtol=1e-12, atol=1e-13)
    value, grad = g.grad()
    argnums = tuple(range(len(args)))
    jgrad = jax.jit(jax.grad(m.value, argnums=argnums))(*args)
    assert_same_gradients(grad, dict(zip(g.input_names(), jgrad)), tol=1e-9 if "sqrtm" in name else 1e-12)


def test_every_op_has_a_jax_form():
    """One graph with every op of the table (its sample operands as inputs), one jax.jit(jax.grad)."""
    g = gd.Graph()
    total = None
    for k, op in enumerate(sorted(OPS)):
        spec = OPS[op]
        args, attrs = spec.sample(np.random.default_rng(4 + k))
        refs = [g.input(f"{op}.{n}", v) for n, v in zip("abc", args)]
        y = gd.Ref(g, g.apply(op, [r.id for r in refs], tuple(attrs.items())))
        term = gd.sum(y * np.random.default_rng(40 + k).standard_normal(y.shape))
        total = term if total is None else total + term
    g.output("f", total)
    m = load_module(jax_source(g))
    value, grad = g.grad()
    jv, jg = m.gradient()
    assert float(jv) == pytest.approx(value, rel=1e-12)
    for name in grad:
        tol = 1e-8 if name.startswith("sqrtm") else 1e-11
        np.testing.assert_allclose(np.asarray(jg[name]), grad[name], rtol=tol, atol=tol, err_msg=name)


def test_names_that_are_not_python_names_become_parameters(capsys, tmp_path):
    g = gd.from_jax(lambda params: jnp.sum(params["w"] ** 2), {"w": np.array([1.0, 2.0])})
    src = jax_source(g)
    assert "def value(params_w=D0):" in src and "params.w → params_w" in src
    _, grad = load_module(src).gradient()
    np.testing.assert_allclose(np.asarray(grad["params.w"]), [2.0, 4.0])


def test_the_command_line_writes_jax_and_numpy(capsys, tmp_path):
    code, out, err = run(capsys, "codegen", GRAPHS / "peyre.gd", "--lang", "jax")
    assert code == 0 and "import jax.numpy as jnp" in out and "def value(x=0.7):" in out
    code, out_numpy, _ = run(capsys, "codegen", GRAPHS / "peyre.gd", "--lang", "numpy")
    code, out_python, _ = run(capsys, "codegen", GRAPHS / "peyre.gd", "--lang", "python")
    assert out_numpy == out_python
    code, _, err = run(capsys, "codegen", GRAPHS / "peyre.gd", "--lang", "jax", "--mode", "reverse")
    assert code == 2 and "JAX differentiates it" in err
