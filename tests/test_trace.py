"""gd.trace: Python functions written with NumPy become graphs (graphdiff.tracing,
graphdiff.interop.numpy). Oracles: the same function run on plain arrays (values), central
differences of it (gradients), and the language's own graphs (structure)."""
import inspect
import math

import numpy as np
import pytest
import scipy.special

import graphdiff as gd
from graphdiff.interop.numpy import supported
from graphdiff.ops import OPS

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def central_gradient(f, args: dict, h=1e-6):
    """∂f/∂arg by central differences of the plain NumPy function."""
    out = {}
    for name, v in args.items():
        v = np.asarray(v, dtype=float)
        grad = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            up, down = v.copy(), v.copy()
            up[idx] += h
            down[idx] -= h
            grad[idx] = (f(**{**args, name: up}) - f(**{**args, name: down})) / (2 * h)
        out[name] = grad
    return out


def line_of(fragment: str, fn) -> int:
    """The line number (from 1) of the first line of fn's source holding `fragment`."""
    lines, start = inspect.getsourcelines(fn)
    return start + next(k for k, ln in enumerate(lines) if fragment in ln)


# ------------------------------------------------------------------ the examples of the issue

def peyre(x):
    u = np.sqrt(x**2 + 1)
    v = np.log(x + u)
    return v / u - v**3


def test_the_peyre_function_written_with_numpy_is_the_8_op_dag():
    g = gd.trace(peyre, x=0.7)
    gd_file = gd.load(ROOT / "graphs" / "peyre.gd")
    assert g.n_ops() == 8 and g.stats() == gd_file.stats()
    assert g.input_names() == ("x",) and [n for n, _ in g.outputs] == ["peyre"]
    assert g.label(g.names["u"]) == "u" and g.node(g.names["v"]).op == "log"   # locals name their nodes
    value, grad = g.grad()
    assert value == pytest.approx(peyre(0.7), rel=1e-15)
    assert grad["x"] == pytest.approx(gd_file.grad()[1]["x"], rel=1e-14)


def mlp_loss(W1, b1, W2, b2, x, y):
    h = np.tanh(W1 @ x + b1)
    logits = W2 @ h + b2
    pred = scipy.special.expit(logits)
    loss = np.mean((pred - y) ** 2) + 1e-3 * np.sum(W1 ** 2)
    return loss


def test_a_numpy_mlp_loss_gives_the_gradient_of_the_function():
    rng = np.random.default_rng(3)
    args = dict(W1=rng.standard_normal((4, 3)), b1=rng.standard_normal(4), W2=rng.standard_normal((2, 4)),
                b2=rng.standard_normal(2), x=rng.standard_normal(3), y=np.array([1.0, 0.0]))
    g = gd.trace(mlp_loss, **args)
    assert g.input_names() == tuple(args) and [n for n, _ in g.outputs] == ["loss"]
    assert {"h", "logits", "pred"} <= set(g.names)
    value, grad = g.grad()
    assert value == pytest.approx(mlp_loss(**args), rel=1e-14)
    expected = central_gradient(mlp_loss, args)
    for name in args:
        np.testing.assert_allclose(grad[name], expected[name], rtol=1e-6, atol=1e-9)
    _, forward = g.grad(mode="forward")
    for name in args:
        np.testing.assert_allclose(forward[name], grad[name], rtol=1e-12, atol=1e-14)


def recurrence(x, a, steps=5):
    for _ in range(steps):
        x = a * np.sin(x) + x
    return x


def test_a_loop_unrolls_at_trace_time():
    g = gd.trace(recurrence, x=0.5, a=0.9)
    assert g.input_names() == ("x", "a")              # steps=5 is a setting, not an input
    assert sum(1 for n in g.nodes if n.op == "sin") == 5 and g.n_ops() == 15
    assert [n for n, _ in g.outputs] == ["recurrence"]   # `return x` would clash with the input x
    value, grad = g.grad()
    assert value == pytest.approx(recurrence(0.5, 0.9), rel=1e-15)
    expected = central_gradient(lambda x, a: recurrence(x, a), {"x": 0.5, "a": 0.9})
    assert grad["x"] == pytest.approx(expected["x"], rel=1e-7)
    assert grad["a"] == pytest.approx(expected["a"], rel=1e-7)
    assert gd.trace(recurrence, x=0.5, a=0.9, steps=2).n_ops() == 6


# ------------------------------------------------------------------ every NumPy function the table maps

A = np.array([[2.0, 0.5, -0.3], [0.4, 1.5, 0.2], [-0.1, 0.3, 1.8]])
V = np.array([0.7, -1.2, 0.4])
W = np.array([1.3, 0.6, -0.8])
P = np.array([0.6, 1.3, 2.1])          # positive entries

# name → (function of the inputs, the inputs): one call of each mapped NumPy function
CALLS = {
    "np.add": (lambda a, b: np.add(a, b), (V, W)),
    "np.subtract": (lambda a, b: np.subtract(a, b), (V, W)),
    "np.multiply": (lambda a, b: np.multiply(a, b), (V, W)),
    "np.divide": (lambda a, b: np.divide(a, b), (V, P)),
    "np.true_divide": (lambda a, b: np.true_divide(a, b), (V, P)),
    "np.negative": (lambda a: np.negative(a), (V,)),
    "np.power": (lambda a, b: np.power(a, b), (P, W)),
    "np.float_power": (lambda a: np.float_power(a, 1.5), (P,)),
    "np.matmul": (lambda a, b: np.matmul(a, b), (A, V)),
    "np.exp": (lambda a: np.exp(a), (V,)),
    "np.log": (lambda a: np.log(a), (P,)),
    "np.sqrt": (lambda a: np.sqrt(a), (P,)),
    "np.sin": (lambda a: np.sin(a), (V,)),
    "np.cos": (lambda a: np.cos(a), (V,)),
    "np.tan": (lambda a: np.tan(a), (V,)),
    "np.tanh": (lambda a: np.tanh(a), (V,)),
    "np.absolute": (lambda a: np.absolute(a), (V,)),
    "np.fabs": (lambda a: np.fabs(a), (V,)),
    "np.log1p": (lambda a: np.log1p(a), (P,)),
    "np.expm1": (lambda a: np.expm1(a), (V,)),
    "np.arctan2": (lambda a, b: np.arctan2(a, b), (V, W)),
    "np.hypot": (lambda a, b: np.hypot(a, b), (V, W)),
    "np.maximum": (lambda a, b: np.maximum(a, b), (V, W)),
    "np.minimum": (lambda a: np.minimum(a, 0.1), (V,)),
    "scipy.special.expit": (lambda a: scipy.special.expit(a), (V,)),
    "np.less": (lambda a, b: np.less(a, b), (V, W)),
    "np.less_equal": (lambda a, b: np.less_equal(a, b), (V, W)),
    "np.greater": (lambda a, b: np.greater(a, b), (V, W)),
    "np.greater_equal": (lambda a, b: np.greater_equal(a, b), (V, W)),
    "np.equal": (lambda a, b: np.equal(a, b), (V, W)),
    "np.not_equal": (lambda a, b: np.not_equal(a, b), (V, W)),
    "np.positive": (lambda a: np.positive(a) * 2.0, (V,)),
    "np.square": (lambda a: np.square(a), (V,)),
    "np.reciprocal": (lambda a: np.reciprocal(a), (P,)),
    "np.log2": (lambda a: np.log2(a), (P,)),
    "np.log10": (lambda a: np.log10(a), (P,)),
    "np.logaddexp": (lambda a, b: np.logaddexp(a, b) + np.logaddexp(0.0, a), (V, W)),
    "np.sum": (lambda a: np.sum(a) + np.sum(a, axis=0) @ V + np.sum(a, axis=-1) @ W, (A,)),
    "np.mean": (lambda a: np.mean(a) + np.mean(a, axis=1) @ V + a[0].mean(), (A,)),
    "np.prod": (lambda a: np.prod(a), (P,)),
    "np.dot": (lambda a, b, c: np.dot(a, b) + np.dot(b, c) * np.dot(c, c) + np.dot(2.0, c) + np.dot(a, a) @ b, (A, V, W)),
    "np.vdot": (lambda a, b: np.vdot(a, b), (V, W)),
    "np.inner": (lambda a, b: np.inner(a, b), (V, W)),
    "np.outer": (lambda a, b: np.outer(a, b), (V, W)),
    "np.transpose": (lambda a: np.transpose(a) @ V, (A,)),
    "np.matrix_transpose": (lambda a: np.matrix_transpose(a) @ V, (A,)),
    "np.linalg.matrix_transpose": (lambda a: np.linalg.matrix_transpose(a) @ V, (A,)),
    "np.trace": (lambda a: np.trace(a), (A,)),
    "np.diag": (lambda a, v: np.diag(a) + np.diag(v) @ v, (A, V)),
    "np.diff": (lambda v: np.sum(np.diff(v) ** 2) * np.sum(np.diff(v, 2)), (np.array([0.3, 1.1, -0.4, 0.9]),)),
    "np.linalg.det": (lambda a: np.linalg.det(a), (A,)),
    "np.linalg.inv": (lambda a: np.linalg.inv(a), (A,)),
    "np.linalg.norm": (lambda a, v: np.linalg.norm(a) + np.linalg.norm(v, 3) + np.linalg.norm(a, "fro"), (A, V)),
    "np.where": (lambda a, b: np.where(np.greater(a, b), a, b), (V, W)),
}

# facts about the shapes, known when the graph is built: plain numbers, not nodes
STATIC = {"np.shape": (np.shape, (3, 3)), "np.ndim": (np.ndim, 2), "np.size": (np.size, 9),
          "np.zeros_like": (np.zeros_like, None), "np.ones_like": (np.ones_like, None)}


def test_every_mapped_numpy_function_has_a_test_call():
    assert set(supported()) == set(CALLS) | set(STATIC)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_mapped_numpy_function_builds_its_op_with_numpys_values_and_derivatives(name):
    fn, args = CALLS[name]
    missing = [op for op in supported()[name] if op not in OPS]
    if name == "np.where":
        missing = [op for op in ("where", "gt") if op not in OPS]
    if name != "np.dot" and missing:
        pytest.skip(f"{name} needs the op '{missing[0]}', not in this version's op table")
    params = list(inspect.signature(fn).parameters)
    inputs = dict(zip(params, args))
    g = gd.trace(fn, **inputs)
    ops = {n.op for n in g.nodes if not n.is_leaf}
    assert set(supported()[name]) & ops or name in ("np.positive", "np.dot"), (name, ops)
    expected = fn(*args)
    np.testing.assert_allclose(g.eval()[g.outputs[0][0]], expected, rtol=1e-13, atol=1e-15)
    # the derivative of ⟨r, f(inputs)⟩ against central differences of the plain function
    r = np.random.default_rng(0).standard_normal(np.shape(expected))

    def scalar(**kw):
        return float(np.sum(r * fn(*kw.values())))

    g2 = gd.trace(lambda *a: np.sum(r * fn(*a)), *args)
    _, grad = g2.grad()
    fd = central_gradient(scalar, inputs)
    for k, p in enumerate(params):
        np.testing.assert_allclose(grad[f"a.{k}"], fd[p], rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("name", sorted(STATIC))
def test_shape_facts_are_numbers_and_like_arrays_are_constants(name):
    fn, expected = STATIC[name]
    seen = {}

    def f(a):
        seen["value"] = fn(a)
        return np.sum(a)
    gd.trace(f, a=A)
    if expected is None:
        assert isinstance(seen["value"], np.ndarray) and seen["value"].shape == A.shape
    else:
        assert seen["value"] == expected


def test_operators_methods_and_attributes_work_as_on_arrays():
    def f(M, v):
        total = 0.0
        for row in M:                      # a loop over the rows unrolls
            total = total + row @ v
        c = np.float64(2.0) * M.T.sum() + np.ones(3) @ (M @ v) + M.trace() + v.dot(v) + M.transpose().mean()
        assert M.ndim == 2 and M.size == 9 and len(v) == 3 and M.dtype == np.float64
        return total + c + np.array([1.0, 2.0, 3.0]) @ v - (1.0 - v)[0]
    g = gd.trace(f, M=A, v=V)
    assert g.eval()["f"] == pytest.approx(f(A, V), rel=1e-14)


# ------------------------------------------------------------------ inputs and outputs

def test_structures_defaults_and_settings():
    def model(params, x, scale=2.0, mode="tanh", layers=1):
        h = x
        for _ in range(layers):
            h = np.tanh(params["W"] @ h + params["b"]) if mode == "tanh" else h
        return {"out": scale * np.sum(h), "first": h[0]}
    g = gd.trace(model, params={"W": A, "b": V}, x=W)
    assert g.input_names() == ("params.W", "params.b", "x", "scale")      # a float default is an input
    assert [n for n, _ in g.outputs] == ["out", "first"]
    out = g.eval()
    assert out["out"] == pytest.approx(2.0 * np.sum(np.tanh(A @ W + V)), rel=1e-14)
    assert gd.trace(model, {"W": A, "b": V}, W, 3.0, layers=2).eval()["out"] == \
        pytest.approx(model({"W": A, "b": V}, W, 3.0, layers=2)["out"], rel=1e-14)


def test_a_tuple_names_its_outputs_after_its_variables():
    def f(x):
        a = np.sin(x)
        return a, np.cos(x)
    g = gd.trace(f, x=0.3)
    assert [n for n, _ in g.outputs] == ["a", "f2"]


def test_gd_trace_of_a_node_is_still_the_matrix_trace():
    g = gd.Graph()
    M = g.input("M", A)
    assert gd.trace(M).node.op == "trace"


@pytest.mark.parametrize("call, message", [
    (lambda: gd.trace(lambda x, y: x + y, x=1.0), "parameter 'y' needs an example value"),
    (lambda: gd.trace(lambda x: x, x=1.0, z=2.0), "unexpected keyword argument 'z'"),
    (lambda: gd.trace(lambda x: x, x=True), "not a number"),
    (lambda: gd.trace(lambda x: x, x="abc"), "not a number or an array"),
    (lambda: gd.trace(lambda x: 3.0, x=1.0), "does not depend on its inputs"),
    (lambda: gd.trace(lambda x: None, x=1.0), "does not depend on its inputs"),
    (lambda: gd.trace(42), "needs a Python function"),
])
def test_bad_calls_say_what_is_wrong(call, message):
    with pytest.raises(gd.GraphError, match=message):
        call()


# ------------------------------------------------------------------ errors at the user's line

def unmapped(x):
    return np.sinh(x) + 1


def uses_math(x):
    y = x * 2
    return math.sin(y)


def data_dependent(x):
    y = x * 2
    if y > 1:
        return y
    return -y


def truthy(x):
    while x:
        x = x - 1
    return x


def converts(x):
    return np.sum(np.array([x, x]))


def bad_shapes(W, x):
    return np.sum(W @ x)


@pytest.mark.parametrize("fn, fragment, message, hint", [
    (unmapped, "np.sinh(x)", "np.sinh has no op", "docs/python.md"),
    (uses_math, "math.sin(y)", "math.sin works on plain numbers", "np.sin"),
    (data_dependent, "y > 1", "Python control flow runs once", "np.where" if "gt" in OPS else "np.maximum"),
    (truthy, "while x", "Python control flow runs once", "np.where"),
    (converts, "np.array([x, x])", "np.array, np.asarray", "NumPy functions"),
])
def test_each_error_names_the_users_line_and_what_to_write(fn, fragment, message, hint):
    with pytest.raises(gd.GraphError) as e:
        gd.trace(fn, x=0.5)
    err = e.value
    assert message in err.message and hint in (err.hint or "")
    assert err.span is not None and err.span.source.filename == __file__
    assert err.span.line == line_of(fragment, fn)
    text = err.format()
    assert f"test_trace.py:{err.span.line}:" in text and "^" in text
    if fragment.startswith(("np.", "math.")):           # the caret under the call itself
        assert err.span.source.text[err.span.offset:].startswith(fragment)


def test_a_shape_error_inside_the_function_is_at_its_line():
    with pytest.raises(gd.GraphError, match=r"matmul.*\(2, 2\) @ \(3,\)") as e:
        gd.trace(bad_shapes, W=np.ones((2, 2)), x=np.ones(3))
    assert e.value.span.line == line_of("W @ x", bad_shapes)


def test_a_missing_op_names_the_op_it_needs():
    if "prod" in OPS:
        pytest.skip("the prod op is in the table: np.prod maps")
    with pytest.raises(gd.GraphError, match="np.prod needs graphdiff's 'prod' op"):
        gd.trace(lambda x: np.prod(x), x=V)


def test_unsupported_arguments_are_refused_by_name():
    with pytest.raises(gd.GraphError, match=r"np.sum\(\.\.\., keepdims=True\)"):
        gd.trace(lambda x: np.sum(x, axis=0, keepdims=True), x=A)
    with pytest.raises(gd.GraphError, match=r"np.linalg.norm\(\.\.\., ord=inf\)"):
        gd.trace(lambda x: np.linalg.norm(x, np.inf), x=V)
    with pytest.raises(gd.GraphError, match="np.add.reduce is not supported"):
        gd.trace(lambda x: np.add.reduce(x), x=V)


def test_numpy_on_handles_outside_a_trace():
    g = gd.Graph()
    x = g.input("x", 0.5)
    y = np.exp(np.sin(x)) + np.array(2.0)
    g.output("y", y)
    assert y.node.op == "add" and g.eval()["y"] == pytest.approx(math.exp(math.sin(0.5)) + 2)


def test_import_and_help_import_neither_sympy_nor_jax():
    import subprocess
    import sys
    code = ("import sys, graphdiff as gd; gd.Graph; gd.trace; gd.from_sympy; gd.from_jax; "
            "from graphdiff.cli.spec import build_parser; build_parser().format_help(); "
            "bad = [m for m in ('sympy', 'jax') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ------------------------------------------------------------------ the command line: PATH.py:FUNC

MODULE = '''
import numpy as np

W = np.array([[1.0, 2.0], [0.5, -1.0]])


def peyre(x=0.7):
    u = np.sqrt(x**2 + 1)
    v = np.log(x + u)
    return v / u - v**3


def layer(x, b=np.zeros(2)):
    h = np.tanh(W @ x + b)
    return np.sum(h ** 2)


def broken(x):
    y = x * 2
    return np.sinh(y)


def raises(x):
    return {}["missing"]
'''


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text(MODULE)
    return path


def test_commands_take_a_python_function(capsys, module):
    from tests.conftest import run_json
    doc = run_json(capsys, "grad", f"{module}:peyre")
    assert doc["output"] == "peyre" and doc["grad"]["x"] == pytest.approx(-0.6269671148040288, rel=1e-14)
    doc = run_json(capsys, "grad", f"{module}:layer", "--at", "x=[0.5, -0.25]")
    x = np.array([0.5, -0.25])
    h = np.tanh(np.array([[1.0, 2.0], [0.5, -1.0]]) @ x)
    np.testing.assert_allclose(doc["grad"]["b"], 2 * h * (1 - h ** 2), rtol=1e-13)
    assert run_json(capsys, "stats", f"{module}:peyre")["ops"] == 8


@pytest.mark.parametrize("target, at, message", [
    ("{m}:broken", ["x=0.5"], "mod.py:20:12: error: np.sinh has no op"),
    ("{m}:raises", ["x=0.5"], "mod.py:24:12: error: raises raised KeyError"),
    ("{m}:peyer", [], "no function 'peyer' in this file"),
    ("{m}:layer", [], "parameter 'x' needs an example value"),
    ("{m}:peyre", ["z=1"], "peyre has no parameter 'z'"),
    ("{m}", [], "FILE.py:FUNCTION"),
    ("{d}/nothere.py:f", [], "nothere.py: error: no such file"),
    ("{d}/syntax.py:f", [], "syntax.py:2:12: error: Python syntax error: '(' was never closed"),
    ("{d}/fails.py:f", [], "fails.py:2:1: error: running the file raised ZeroDivisionError"),
])
def test_a_bad_python_target_is_an_error_without_a_traceback(capsys, module, target, at, message):
    from tests.conftest import run
    (module.parent / "syntax.py").write_text("def f(x):\n    return (x +\n")
    (module.parent / "fails.py").write_text("import numpy\n1 / 0\n")
    code, out, err = run(capsys, "eval", target.format(m=module, d=module.parent), *[f"--at={a}" for a in at])
    assert code == 2 and out == "" and "Traceback" not in err
    assert message in err, err
