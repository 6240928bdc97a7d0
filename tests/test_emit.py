"""Code generation (graphdiff.emit, docs/cli.md `codegen`).

The generated Python of every graph, in every mode, against the interpreted sweeps (values,
tangents, adjoints, gradients, Jacobians, at the file's inputs and at a perturbed point); the
pseudo-code of the Peyré graph against golden files (GRAPHDIFF_UPDATE_GOLDEN=1 rewrites them);
the line ↔ node links; the op-template table; the compiled fast path; the `codegen` command.
Adding a graph file or an op needs no new code here.
"""
import difflib
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import types
import warnings
import zlib

import numpy as np
import pytest

import graphdiff as gd
from graphdiff import sweeps
from graphdiff.emit import (compile_module, compiled, compiled_gradient, compiled_jacobian,
                            pseudo_code, pseudo_lines, python_lines, python_source)
from graphdiff.graph import as_value
from graphdiff.ops import OPS
from conftest import GRAPHS, run

MODES = ("primal", "forward", "reverse", "all")
RTOL = 1e-12
GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"
PEYRE = GRAPHS / "peyre.gd"

GRAPH_FILES = {p.relative_to(GRAPHS).with_suffix("").as_posix(): p for p in sorted(GRAPHS.rglob("*.gd"))}

# Small graphs for what the curriculum files do not show.
INLINE = {
    # several outputs; an input (z) that no output depends on; u shared by two outputs
    "several_outputs": """
        input x = 0.5
        input y = [1, 2, -1]
        input z = 3
        u = x * y
        output s = sum(u * u)
        output v = u + sin(x)
        output w = x^2
    """,
    # outputs that are one node under two names, an input itself, a constant, a matrix
    "odd_outputs": """
        input x = 0.5
        input Y = [[1, 2], [3, -4]]
        output a = x * 2
        output b = x * 2
        output c = x
        output d = 3
        output m = Y.T @ Y * x
    """,
    # matrices; a vector broadcast over rows and a scalar over a matrix; indexing; reductions
    "matrices_and_broadcasting": """
        input A = [[1, -0.5, 2], [0.3, 1, -1]]
        input b = [0.1, -0.2, 0.3]
        input s = 1.5
        const M = [[2, 0], [1, 3]]
        B = A + b
        C = s * B
        output F = M @ C @ transpose(C)
        output G = outer(b, diag(M)) / s
        output n = norm(C) + mean(B) + logsumexp(A[1]) + A[0, 2] + dot(b, A[0])
    """,
    # scalar code (Python floats and `math`): each elementwise function; pow with literal exponents
    # (integral, fractional, negative), a literal base, and a variable exponent
    "scalar_functions": """
        input x = 0.7
        input y = 1.3
        a = exp(x) + log(y) + sqrt(y) + sin(x) * cos(y) + tan(x) + tanh(y)
        b = sigmoid(x) - relu(x) + abs(-y) + softplus(x)
        c = x^2 + y^0.5 + x^-1 + 2^x + pow(y, x) - x
        output f = a * b / c
    """,
    # input names that cannot be Python parameters (a module, a builtin, a generated variable)
    "unsafe_input_names": """
        input np = 0.5
        input max = [1, 2]
        input v1 = 2
        input inputs = -0.5
        output f = sum(np * max) * v1 + inputs^2
    """,
    # a subexpression of constants only (never differentiated) feeding an active node
    "constant_subexpression": """
        const c = 2
        const W = [[1, 2], [3, 4]]
        input x = [0.5, -1]
        k = exp(c) * inv(W)
        output y = k @ x + sum(W)
    """,
}

CASES = list(GRAPH_FILES) + [f"inline/{name}" for name in INLINE]


# ------------------------------------------------------------------ helpers

def load_case(case: str) -> gd.Graph:
    """A graph file of graphs/ by its id (e.g. 'sheet3/det'), or an INLINE graph ('inline/…')."""
    if case.startswith("inline/"):
        name = case.split("/", 1)[1]
        text = "\n".join(line.strip() for line in INLINE[name].strip().splitlines())
        return gd.parse(text, f"{name}.gd")
    return gd.load(GRAPH_FILES[case])


def rng_for(*key) -> np.random.Generator:
    """A generator seeded by the test's own key: reproducible, and different per test."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, key)).encode()))


def assert_close(actual, expected, what: str):
    """Equal to 1e-12 relative, with an absolute floor scaled by the reference's magnitude."""
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    finite = expected[np.isfinite(expected)]
    scale = max(1.0, float(np.max(np.abs(finite)))) if finite.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale, equal_nan=True, err_msg=what)


def exec_module(source: str, name: str = "generated") -> types.ModuleType:
    """The generated source executed in a fresh namespace (nothing from the test leaks in)."""
    mod = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), mod.__dict__)
    return mod


def import_file(path: pathlib.Path) -> types.ModuleType:
    """A generated file imported as a module, as `python file.py` or an `import` would see it."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def public_functions(mod) -> set:
    return {k for k, v in vars(mod).items() if isinstance(v, types.FunctionType) and not k.startswith("_")}


def scalar_output(g) -> bool:
    return len(g.outputs) == 1 and g.node(g.outputs[0][1]).shape == ()


def expected_functions(g, mode: str) -> set:
    """What a module of each mode defines (docs/cli.md): `gradient` only for a single scalar output."""
    fns = {"primal": {"evaluate"}, "forward": {"evaluate", "jvp", "jacobian"},
           "reverse": {"evaluate", "vjp", "jacobian"}, "all": {"evaluate", "jvp", "vjp", "jacobian"}}[mode]
    return fns | ({"gradient"} if mode != "primal" and scalar_output(g) else set())


def input_shapes(g) -> dict:
    return {g.input_name(i): g.node(i).shape for i in g.inputs}


def output_shapes(g) -> dict:
    return {name: g.node(i).shape for name, i in g.outputs}


def random_values(shapes: dict, rng, batch=()) -> dict:
    return {name: as_value(rng.standard_normal(batch + s)) for name, s in shapes.items()}


def flat(values: dict, shapes: dict) -> np.ndarray:
    """Named arrays as one vector: entries row-major, names in order (the Jacobian's convention)."""
    return np.concatenate([np.ravel(values[name]) for name in shapes] + [np.zeros(0)])


def unflat(vector, shapes: dict) -> dict:
    out, k = {}, 0
    for name, s in shapes.items():
        n = int(np.prod(s))
        out[name] = np.reshape(vector[k:k + n], s)
        k += n
    return out


def finite_everywhere(g, at) -> bool:
    values = sweeps.evaluate(g, at)
    return (all(np.all(np.isfinite(v)) for v in values.values())
            and np.all(np.isfinite(sweeps.jacobian(g, at).matrix)))


def perturbed_point(g, rng):
    """The inputs moved off the file's values, staying inside the domain (the interpreted sweeps
    give finite values and derivatives there); None when no such point is found."""
    base = {g.input_name(i): g.node(i).value for i in g.inputs}
    for scale in (0.1, 0.03, 0.01):
        at = {k: as_value(np.asarray(v) + scale * rng.standard_normal(np.shape(v))) for k, v in base.items()}
        if finite_everywhere(g, at):
            return at
    return None


def point(g, which: str, rng):
    """None for the file's own inputs (the generated defaults), else a perturbed point."""
    if which == "default":
        return None
    at = perturbed_point(g, rng)
    if at is None:
        pytest.skip("no perturbed point inside the domain")
    return at


def needed_nodes(g) -> set:
    """The nodes the outputs depend on (a loop over the topological order, backwards)."""
    needed = {i for _, i in g.outputs}
    for n in reversed(g.nodes):
        if n.id in needed:
            needed.update(n.operands)
    return needed


def active_nodes(g) -> set:
    """The nodes that depend on an input (only they carry tangents and adjoints)."""
    active = set(g.inputs)
    for n in g.nodes:
        if active.intersection(n.operands):
            active.add(n.id)
    return active


def sweep_derivative(sweep, i, shape):
    d = sweep.derivative(i)
    return np.zeros(shape) if d is None else d


def check_module(g, mod, mode: str, at, rng, where: str):
    """Every function the generated module defines against the interpreted sweeps at one point."""
    assert public_functions(mod) == expected_functions(g, mode), where
    args = {} if at is None else dict(at)
    ins, outs = input_shapes(g), output_shapes(g)
    distinct_outputs = len({i for _, i in g.outputs}) == len(g.outputs)

    values = mod.evaluate(**args)
    reference = sweeps.evaluate(g, at)
    assert list(values) == list(outs), f"{where}: evaluate's keys"
    for name in outs:
        assert_close(values[name], reference[name], f"{where}: evaluate()[{name!r}]")

    J = sweeps.jacobian(g, at, mode="reverse").matrix
    if "jvp" in public_functions(mod):
        tangents = random_values(ins, rng)
        got = mod.jvp(args, tangents)
        assert list(got) == list(outs), f"{where}: jvp's keys"
        swept = sweeps.forward(g, at, seed=tangents)
        columns = unflat(J @ flat(tangents, ins), outs)
        for name, i in g.outputs:
            assert_close(got[name], sweep_derivative(swept, i, outs[name]), f"{where}: jvp vs forward sweep, {name}")
            assert_close(got[name], columns[name], f"{where}: jvp vs J·ẋ, {name}")
        batch = random_values(ins, rng, batch=(3,))  # tangents with a leading seed axis
        got = mod.jvp(args, batch)
        for k in range(3):
            columns = unflat(J @ flat({n: v[k] for n, v in batch.items()}, ins), outs)
            for name in outs:
                assert_close(got[name][k], columns[name], f"{where}: batched jvp, seed {k}, {name}")

    if "vjp" in public_functions(mod):
        adjoints = random_values(outs, rng)
        got = mod.vjp(args, adjoints)
        assert list(got) == list(ins), f"{where}: vjp's keys"
        rows = unflat(J.T @ flat(adjoints, outs), ins)
        swept = sweeps.reverse(g, at, seed=adjoints) if distinct_outputs else None
        for name in ins:
            assert_close(got[name], rows[name], f"{where}: vjp vs Jᵀ·ȳ, {name}")
            if swept is not None:
                expected = sweep_derivative(swept, g.input_node(name), ins[name])
                assert_close(got[name], expected, f"{where}: vjp vs reverse sweep, {name}")
        batch = random_values(outs, rng, batch=(3,))
        got = mod.vjp(args, batch)
        for k in range(3):
            rows = unflat(J.T @ flat({n: v[k] for n, v in batch.items()}, outs), ins)
            for name in ins:
                assert_close(got[name][k], rows[name], f"{where}: batched vjp, seed {k}, {name}")

    if "gradient" in public_functions(mod):
        value, grads = mod.gradient(**args)
        assert list(grads) == list(ins), f"{where}: gradient's keys"
        for how in ("reverse", "forward"):
            ref_value, ref_grads = sweeps.gradient(g, at, mode=how)
            assert_close(value, ref_value, f"{where}: gradient value")
            for name in ins:
                assert_close(grads[name], ref_grads[name], f"{where}: gradient vs {how} sweep, {name}")

    if "jacobian" in public_functions(mod):
        matrix = mod.jacobian(**args)
        for how in ("forward", "reverse"):
            assert_close(matrix, sweeps.jacobian(g, at, mode=how).matrix, f"{where}: jacobian vs {how} sweep")


def functions_of(lines) -> dict:
    """The generated module's lines grouped by the function they belong to."""
    fns, current = {}, None
    for ln in lines:
        m = re.match(r"def (\w+)\(", ln.text)
        if m:
            current = fns.setdefault(m.group(1), [])
        elif current is not None and ln.text.startswith("    "):
            current.append(ln)
        elif ln.text.strip():
            current = None
    return fns


def mentions(text: str, i: int) -> bool:
    """Whether text names node i: v{i}, v̇{i}, v̄{i}, v{i}_dot, v{i}_bar (not v{i}0)."""
    return re.search(rf"v[\u0307\u0304]?{i}(?!\d)", text) is not None


def primal_assignments(lines, i: int) -> int:
    return sum(1 for ln in lines if re.match(rf"\s*v{i} = ", ln.text))


def adjoint_terms(lines, j: int, lang: str) -> int:
    """How many lines add a term to node j's adjoint."""
    pattern = rf"\s*v{j}_bar = (?!.*# v{j} seed)" if lang == "python" else rf"v\u0304{j} \+= "
    return sum(1 for ln in lines if re.match(pattern, ln.text))


def reverse_sweep_terms(g) -> dict:
    """{node: number of chain-rule terms it receives} in the interpreted reverse sweep."""
    return {s.node: len(s.terms) for s in sweeps.reverse(g).steps}


def assert_golden(name: str, text: str):
    """text equals tests/golden/<name>; GRAPHDIFF_UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    if os.environ.get("GRAPHDIFF_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run GRAPHDIFF_UPDATE_GOLDEN=1 pytest tests/test_emit.py"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), text.splitlines(keepends=True),
                                            fromfile=f"{path} (golden)", tofile="generated"))
        pytest.fail(f"the generated text differs from {path}:\n{diff}\nIf the change is intended, rerun with "
                    "GRAPHDIFF_UPDATE_GOLDEN=1, read the new file and commit it.", pytrace=False)


# ------------------------------------------------------------------ generated Python vs the sweeps

@pytest.mark.parametrize("which", ["default", "perturbed"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES)
def test_generated_python_matches_the_sweeps(case, mode, which):
    g = load_case(case)
    rng = rng_for(case, mode, which)
    at = point(g, which, rng)
    mod = exec_module(python_source(g, mode=mode), case)
    check_module(g, mod, mode, at, rng, f"{case} [{mode}, {which}]")


def op_graphs(name: str):
    """One-op graphs at the op's sample points: every operand an input; for a binary op also each
    operand in turn a constant; for an elementwise op also scalar operands (the `math` code)."""
    op = OPS[name]
    samples = [op.sample(np.random.default_rng(seed)) for seed in range(8)]
    if op.elementwise:
        args, attrs = samples[0]
        samples.append((tuple(as_value(np.ravel(a)[0]) for a in args), attrs))
    for args, attrs in samples:
        for const_slot in [None] + (list(range(op.arity)) if op.arity > 1 else []):
            g = gd.Graph()
            ids = [g.add_const(a) if k == const_slot else g.add_input(f"a{k}", a) for k, a in enumerate(args)]
            g.set_output("y", g.apply(name, ids, tuple(sorted(attrs.items()))))
            yield g


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_generates_code_that_matches_the_sweeps(name, mode):
    for k, g in enumerate(op_graphs(name)):
        shapes = [g.node(j).shape for j in g.node_list()[-1].operands]
        where = f"{name} #{k} operands {shapes}"
        check_module(g, exec_module(python_source(g, mode=mode), name), mode, None, rng_for(name, mode, k), where)


def defined_helpers(source: str) -> list[str]:
    """The helpers and scaffolding functions a generated module defines (`def _name(`)."""
    return sorted(re.findall(r"^def (_\w+)\(", source, flags=re.M))


def test_helpers_noted_while_writing_are_those_the_code_calls():
    """The emitter notes the helpers as it writes (a long module is never searched); they must be
    exactly those a search of the finished functions finds (helpers_called), for every op (every
    operand shape, constant operands, the float forms) and every graph file, and with only some
    inputs differentiated. Modes all and forward write every kind of line (primal, tangent,
    adjoint, the batched forward gradient)."""
    from graphdiff.emit.prelude import helper_closure, helpers_called
    from graphdiff.emit.python import PythonEmitter
    graphs = [(name, g) for name in sorted(OPS) for g in op_graphs(name)]
    graphs += [(case, load_case(case)) for case in CASES]
    for where, g in graphs:
        wrts = [None] + ([[g.input_names()[0]]] if len(g.input_names()) > 1 else [])
        for mode in ("all", "forward"):
            for wrt in wrts:
                e = PythonEmitter(g, mode=mode, wrt=wrt)
                text = "\n".join(ln.text for fn in e.functions() for ln in fn)
                assert helper_closure(e.found) == helpers_called(text), f"{where} [{mode}, wrt={wrt}]"


def test_module_defines_the_helpers_its_code_calls():
    """A module with helpers in its code (relu's _relu and _step on floats, sigmoid's _expit on arrays,
    _unbroadcast) defines each of them, once."""
    g = gd.parse("input x = [1, -2]\ninput s = 0.5\nh = relu(x * s)\noutput f = sum(sigmoid(h))\n"
                 "output r = relu(s)\n")
    source = python_source(g, mode="all")
    assert {"_relu", "_step", "_expit", "_unbroadcast"} <= set(defined_helpers(source))
    assert len(defined_helpers(source)) == len(set(defined_helpers(source)))


@pytest.mark.parametrize("case", ["peyre", "sheet4/relu_softmax", "sheet0/matrix_factorization"])
def test_generated_file_is_a_self_contained_module(case, tmp_path):
    g = load_case(case)
    path = tmp_path / f"{case.replace('/', '_')}_generated.py"
    path.write_text(python_source(g, mode="all"), encoding="utf-8")
    mod = import_file(path)
    check_module(g, mod, "all", None, rng_for(case, "file"), f"{path.name} imported")
    # run as `python file.py` would, in a fresh interpreter: it needs nothing from graphdiff
    probe = ("import json, runpy, sys\n"
             f"ns = runpy.run_path({str(path)!r}, run_name='__main__')\n"
             "values = ns['evaluate']()\n"
             "assert not [m for m in sys.modules if m.split('.')[0] == 'graphdiff'], 'imports graphdiff'\n"
             "print(json.dumps({k: __import__('numpy').asarray(v).tolist() for k, v in values.items()}))\n")
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    printed = json.loads(p.stdout)
    for name, value in sweeps.evaluate(g).items():
        assert_close(printed[name], value, f"{path.name} run standalone: {name}")


def test_inputs_default_to_the_file_values_and_can_be_given():
    g = load_case("inline/several_outputs")
    mod = exec_module(python_source(g))
    at = {"x": -0.25, "y": [0.5, 1.0, 2.0], "z": 7.0}
    assert_close(mod.evaluate(**at)["s"], sweeps.evaluate(g, at)["s"], "evaluate at given inputs")
    assert_close(mod.evaluate()["s"], sweeps.evaluate(g)["s"], "evaluate at the defaults")
    only_x = mod.evaluate(x=-0.25)["v"]
    assert_close(only_x, sweeps.evaluate(g, {"x": -0.25})["v"], "evaluate with one input given")
    with pytest.raises(TypeError):
        mod.evaluate(-0.25)  # inputs are keyword-only: no silent mix-up of their order


def test_unsafe_input_names_are_passed_by_keyword():
    g = load_case("inline/unsafe_input_names")
    mod = exec_module(python_source(g))
    at = {"np": 1.5, "max": [0.5, -1.0], "v1": 3.0, "inputs": 0.25}
    value, grads = mod.gradient(**at)
    ref_value, ref_grads = sweeps.gradient(g, at)
    assert_close(value, ref_value, "value")
    for name in at:
        assert_close(grads[name], ref_grads[name], f"gradient {name}")


@pytest.mark.parametrize("mode", ["forward", "reverse", "all"])
def test_gradient_of_a_chosen_output_and_chosen_inputs(mode):
    g = load_case("inline/several_outputs")
    for output, wrt in [("s", None), ("w", None), ("s", ["y"]), ("w", ["z", "x"])]:
        mod = exec_module(python_source(g, mode=mode, output=output, wrt=wrt))
        value, grads = mod.gradient()
        assert list(grads) == (wrt or list(g.input_names()))
        for how in ("forward", "reverse"):
            ref_value, ref_grads = sweeps.gradient(g, wrt=wrt, output=output, mode=how)
            assert_close(value, ref_value, f"{output} value")
            for name in grads:
                assert_close(grads[name], ref_grads[name], f"∂{output}/∂{name} ({mode} module, {how} sweep)")


@pytest.mark.parametrize("mode", ["forward", "reverse", "all"])
def test_jacobian_of_a_module_generated_with_wrt(mode):
    # the module's jacobian may cover every input or only the chosen ones, but must be right
    g = load_case("inline/several_outputs")
    mod = exec_module(python_source(g, mode=mode, output="s", wrt=["y"]))
    full = sweeps.jacobian(g)
    matrix = np.asarray(mod.jacobian())
    every_input = matrix.shape[1] == len(full.cols)
    keep = [k for k, c in enumerate(full.cols) if every_input or c.startswith("y[")]
    assert_close(matrix, full.matrix[:, keep], f"jacobian of a --wrt y module ({mode})")


def test_bad_choices_raise():
    g = load_case("inline/several_outputs")
    with pytest.raises(gd.GraphError, match="no output named 'nope'"):
        python_source(g, output="nope")
    with pytest.raises(gd.GraphError, match="scalar output"):
        python_source(g, output="v")
    with pytest.raises(gd.GraphError, match="no input named 'q'"):
        python_source(g, wrt=["q"])
    with pytest.raises(ValueError, match="unknown mode"):
        python_source(g, mode="sideways")
    with pytest.raises(ValueError, match="unknown mode"):
        pseudo_code(g, mode="sideways")


def test_scalar_code_raises_on_a_domain_error_as_documented():
    # Python floats and `math` raise where the sweeps give NaN; the module's docstring says so
    g = gd.parse("input x = 2\noutput f = log(x) * 2")
    src = python_source(g)
    assert "raises where graphdiff's interpreted sweeps give NaN" in src
    mod = exec_module(src)
    assert np.isnan(sweeps.evaluate(g, {"x": -1.0})["f"])
    with pytest.raises(ValueError):
        mod.evaluate(x=-1.0)


# ------------------------------------------------------------------ pseudo-code of the Peyré graph

@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_peyre_pseudo_code_matches_the_golden_file(mode):
    assert_golden(f"peyre_{mode}.txt", pseudo_code(gd.load(PEYRE), mode=mode))


def test_peyre_pseudo_code_is_the_textbook_program():
    g = gd.load(PEYRE)
    x, u, v, f = g.names["x"], g.names["u"], g.names["v"], g.names["f"]
    ops = [n.id for n in g.nodes if not n.is_leaf]
    assert len(ops) == 8 and {g.fanout(i) for i in (x, u, v)} == {2}

    forward = pseudo_lines(g, mode="forward")
    tangents = [ln for ln in forward if "v̇" in ln.text and ln.node is not None and not ln.text.startswith("return")]
    assert [ln.node for ln in tangents] == [x] + ops  # v̇ᵢ beside vᵢ, in topological order
    assert all(ln.text.startswith(f"v{ln.node} = ") and f"v̇{ln.node} = " in ln.text for ln in tangents)
    assert forward[-1].text == f"return f = v{f}, f\u0307 = v\u0307{f}"

    reverse = pseudo_lines(g, mode="reverse")
    terms = [ln for ln in reverse if re.match(r"v̄\d+ \+= ", ln.text)]
    senders = [ln.node for ln in terms]
    assert senders == sorted(senders, reverse=True)  # reverse topological order
    for j in (x, u, v):  # a shared node: one term per consumer
        assert adjoint_terms(reverse, j, "pseudo") == 2
    for n in g.nodes:  # every operand slot of every op sends exactly one term
        if not n.is_leaf:
            sent = [ln for ln in terms if ln.node == n.id]
            assert len(sent) == sum(1 for j in n.operands if g.node(j).op != "const")
    assert reverse[-1].text == f"return ∂f/∂x = v̄{x}"


def test_one_line_peyre_gives_the_same_program():
    # hash-consing: the one-expression file builds the same DAG, so the same program (names aside)
    strip = lambda text: [re.sub(r"\s*#.*", "", s).rstrip() for s in text.splitlines()]  # noqa: E731
    for mode in ("primal", "forward", "reverse"):
        a = strip(pseudo_code(gd.load(PEYRE), mode=mode))
        b = strip(pseudo_code(gd.load(GRAPHS / "peyre_oneline.gd"), mode=mode))
        assert [re.sub(r"\s+", " ", s) for s in a] == [re.sub(r"\s+", " ", s) for s in b]


# ------------------------------------------------------------------ every line names its node

def programs(g):
    """(where, lines) of every program: the generated Python functions that run the graph's nodes
    (`jacobian` only calls jvp / vjp, the helpers come from no node), and the pseudo-code, per mode."""
    for mode in MODES:
        for fn, lines in functions_of(python_lines(g, mode=mode)).items():
            if fn in ("evaluate", "jvp", "vjp", "gradient"):
                yield f"python {mode} {fn}()", lines
        yield f"pseudo {mode}", pseudo_lines(g, mode=mode)


@pytest.mark.parametrize("case", CASES)
def test_every_line_names_its_node_and_shared_nodes_are_computed_once(case):
    g = load_case(case)
    needed = needed_nodes(g)
    computed = [n.id for n in g.nodes if n.id in needed and n.op != "const"]  # inputs and ops
    for where, lines in programs(g):
        nodes = {ln.node for ln in lines}
        missing = [i for i in computed if i not in nodes]
        assert not missing, f"{case}, {where}: no line for nodes {missing}"
        for ln in lines:
            if ln.node is not None:
                assert mentions(ln.text, ln.node), f"{case}, {where}: {ln} does not name v{ln.node}"
        copies = 2 if where == "pseudo all" else 1  # pseudo 'all' is the forward then the reverse program
        for i in computed:  # shared nodes (fan-out ≥ 2) too: computed once, then reused
            times = primal_assignments(lines, i)
            assert times == copies, f"{case}, {where}: v{i} (fan-out {g.fanout(i)}) computed {times}×"


def test_module_level_lines_name_their_node():
    offenders = []
    for case in CASES:
        g = load_case(case)
        for mode in MODES:
            for ln in python_lines(g, mode=mode):
                if ln.node is not None and not ln.text.startswith(" ") and not mentions(ln.text, ln.node):
                    offenders.append(f"{case} [{mode}]: {ln.text[:70]}")
    assert not offenders, "\n".join(offenders[:10])


def test_pseudo_return_lines_name_their_node():
    offenders = []
    for case in CASES:
        g = load_case(case)
        for mode in MODES:
            offenders += [f"{case} [{mode}]: {ln}" for ln in pseudo_lines(g, mode=mode)
                          if ln.node is not None and not mentions(ln.text, ln.node)]
    assert not offenders, "\n".join(offenders[:10])


@pytest.mark.parametrize("case", CASES)
def test_adjoint_programs_send_one_term_per_consumer_slot(case):
    # the same terms as the interpreted reverse sweep (which shows one Term per consumer slot)
    g = load_case(case)
    active = active_nodes(g)  # a constant subexpression (eps^2) gets no adjoint in the programs
    expected = {j: count for j, count in reverse_sweep_terms(g).items() if j in active}
    reverse = pseudo_lines(g, mode="reverse")
    senders = [ln.node for ln in reverse if re.match(r"v̄\d+ \+= ", ln.text)]
    assert senders == sorted(senders, reverse=True), "reverse topological order"
    gradient = functions_of(python_lines(g, mode="reverse")).get("gradient")
    for j, count in expected.items():
        assert adjoint_terms(reverse, j, "pseudo") == count, f"pseudo: v̄{j}"
        if gradient is not None:
            assert adjoint_terms(gradient, j, "python") == count, f"python gradient(): v{j}_bar"


def test_json_lines_and_source_agree_with_the_emitters(capsys):
    g = gd.load(PEYRE)
    code, out, err = run(capsys, "codegen", PEYRE, "--lang", "pseudo", "--mode", "forward", "--json")
    doc = json.loads(out)
    lines = pseudo_lines(g, mode="forward")
    assert doc["lines"] == [{"node": None if ln.node is None else f"v{ln.node}", "text": ln.text} for ln in lines]
    assert doc["source"] == "\n".join(ln["text"] for ln in doc["lines"]) + "\n"


# ------------------------------------------------------------------ the op table

@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_stanza_has_code_per_operand(name):
    op = OPS[name]
    code = op.code
    assert code.py and code.pseudo, "primal code and pseudo-code"
    assert code.elementwise == op.elementwise, "elementwise ops give partials, others JVP/VJP terms"
    rules = ("partials", "pseudo_partials") if op.elementwise else ("jvp", "vjp", "jvp_pseudo", "vjp_pseudo")
    for rule in rules:
        assert len(getattr(code, rule)) == op.arity, f"{name}: {rule} needs one entry per operand"
    if code.scalar_partials:
        assert len(code.scalar_partials) == op.arity


# ------------------------------------------------------------------ the compiled fast path

COMPILED = ["peyre", "sheet0/least_squares", "sheet0/matrix_factorization", "sheet3/det_xxt",
            "sheet3/trace_sqrt_xxt", "sheet4/relu_softmax", "sheet4/relu_softmax_nll", "inline/several_outputs"]


def assert_same_gradient(got, expected, what):
    (value, grads), (ref_value, ref_grads) = got, expected
    assert_close(value, ref_value, f"{what}: value")
    assert list(grads) == list(ref_grads), f"{what}: inputs"
    for name in ref_grads:
        assert_close(grads[name], ref_grads[name], f"{what}: ∂/∂{name}")


def assert_same_jacobian(got, expected, what):
    assert got.rows == expected.rows and got.cols == expected.cols, what
    assert_close(got.matrix, expected.matrix, what)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("case", COMPILED)
def test_compiled_path_matches_the_sweeps(case, mode):
    g = load_case(case)
    at = perturbed_point(g, rng_for(case, "compiled"))
    jac = compiled_jacobian(g, mode=mode)
    for where in (None, at):
        assert_same_jacobian(jac(where), sweeps.jacobian(g, where, mode=mode), f"{case} compiled_jacobian")
    if scalar_output(g):
        fn = compiled_gradient(g, mode=mode)
        for where in (None, at):
            assert_same_gradient(fn(where), sweeps.gradient(g, where, mode=mode), f"{case} compiled_gradient")
        name = list(g.input_names())[-1]
        assert_same_gradient(compiled_gradient(g, mode=mode, wrt=[name])(at),
                             sweeps.gradient(g, at, mode=mode, wrt=[name]), f"{case} compiled_gradient wrt")
    else:
        output = next((n for n, i in g.outputs if g.node(i).shape == ()), None)
        if output is not None:
            assert_same_gradient(compiled_gradient(g, mode=mode, output=output)(at),
                                 sweeps.gradient(g, at, mode=mode, output=output), f"{case} gradient of {output}")


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_drop_in_gradient_and_jacobian_equal_the_sweeps_on_every_call(mode):
    g = gd.load(PEYRE)
    for k, x in enumerate([0.7, -1.3, 2.5, 0.0]):  # the first call is interpreted, later ones compiled
        assert_same_gradient(compiled.gradient(g, {"x": x}, mode=mode), sweeps.gradient(g, {"x": x}, mode=mode),
                             f"gradient, call {k + 1}")
        assert_same_gradient(g.grad({"x": x}, mode=mode), sweeps.gradient(g, {"x": x}, mode=mode),
                             f"Graph.grad, call {k + 1}")
    net = load_case("sheet4/relu_softmax")
    expected = sweeps.jacobian(net, mode=mode)
    for k in range(3):
        assert_same_jacobian(compiled.jacobian(net, mode=mode), expected, f"jacobian, call {k + 1}")
        assert_same_jacobian(net.jacobian(mode=mode), expected, f"Graph.jacobian, call {k + 1}")


def test_the_module_is_compiled_once(monkeypatch):
    made = []
    real = compiled.python_source
    monkeypatch.setattr(compiled, "python_source", lambda *a, **kw: made.append(kw.get("mode")) or real(*a, **kw))
    g = gd.load(PEYRE)
    assert compile_module(g, mode="reverse") is compile_module(g, mode="reverse")
    assert made == ["reverse"]
    made.clear()
    g = gd.load(PEYRE)
    compiled.gradient(g, {"x": 0.1})
    assert made == [], "a one-off gradient runs the interpreted sweep"
    for x in (0.2, 0.3, 0.4, 0.5):
        compiled.gradient(g, {"x": x})
    assert made == ["reverse"], "compiled at the second call, then reused"
    net = load_case("sheet4/relu_softmax")
    made.clear()
    for _ in range(4):
        compiled.jacobian(net, mode="forward")
    assert made == ["forward"]


def test_compiled_path_follows_a_graph_built_further():
    # the cache is per graph state: a new node or a new output after a compiled call recompiles
    g = gd.Graph()
    x = g.input("x", 0.5)
    g.output("f", x * 3)
    later = gd.sin(x)
    for _ in range(3):
        assert_same_jacobian(g.jacobian(), sweeps.jacobian(g), "before")
        assert_same_gradient(g.grad(), sweeps.gradient(g), "before")
    g.output("h", later)  # an existing node: the graph's length does not change
    for _ in range(2):
        assert_same_jacobian(g.jacobian(), sweeps.jacobian(g), "with output h")
        assert_same_gradient(g.grad(output="h"), sweeps.gradient(g, output="h"), "gradient of h")
    g.output("k", x * x)  # a new node
    for _ in range(2):
        assert_same_jacobian(g.jacobian(mode="forward"), sweeps.jacobian(g, mode="forward"), "with output k")


DOMAIN_ERRORS = [
    ("input x = 2\noutput f = log(x) * 2", {"x": -1.0}),             # math.log: ValueError
    ("input x = 2\noutput f = sqrt(x) + x", {"x": -4.0}),             # math.sqrt: ValueError
    ("input x = 2\noutput f = 1 / x + x", {"x": 0.0}),                # ZeroDivisionError
    ("input x = 2\noutput f = exp(x) * x", {"x": 1000.0}),            # math.exp: OverflowError
    ("input x = 2\noutput f = x^0.5", {"x": -1.0}),                   # math.pow: ValueError
    ("input x = [1, 2]\noutput f = sum(log(x))", {"x": [-1.0, 2.0]}),  # NumPy: NaN, quietly
]


@pytest.mark.parametrize("text, at", DOMAIN_ERRORS, ids=[t.split("= ", 2)[-1] for t, _ in DOMAIN_ERRORS])
def test_domain_errors_give_what_the_sweeps_give(text, at):
    g = gd.parse(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither an exception nor a NumPy warning reaches the caller
        for mode in ("forward", "reverse"):
            expected = sweeps.gradient(g, at, mode=mode)
            assert not np.all(np.isfinite(expected[0])) or not np.all(np.isfinite(expected[1]["x"]))
            assert_same_gradient(compiled_gradient(g, mode=mode)(at), expected, f"compiled_gradient {mode}")
            assert_same_jacobian(compiled_jacobian(g, mode=mode)(at), sweeps.jacobian(g, at, mode=mode),
                                 f"compiled_jacobian {mode}")
            for _ in range(2):  # the drop-ins: interpreted, then compiled
                assert_same_gradient(compiled.gradient(g, at, mode=mode), expected, f"gradient {mode}")
                assert_same_jacobian(compiled.jacobian(g, at, mode=mode), sweeps.jacobian(g, at, mode=mode),
                                     f"jacobian {mode}")


@pytest.mark.parametrize("call, words", [
    (lambda g: compiled_gradient(g, output="s", wrt=["nope"]), "no input named 'nope'"),
    (lambda g: compiled_gradient(g, output="nope"), "no output named 'nope'"),
    (lambda g: compiled_gradient(g, output="v"), "scalar output"),
    (lambda g: compiled_gradient(g), "single scalar output"),
    (lambda g: compiled_gradient(g, output="s", mode="sideways"), "unknown mode"),
    (lambda g: compiled_jacobian(g, mode="sideways"), "unknown mode"),
    (lambda g: compiled_gradient(g, output="s")(at={"q": 1.0}), "'q' is not an input"),
    (lambda g: compiled_jacobian(g)(at={"y": [1.0]}), "shape"),
])
def test_bad_choices_give_graph_errors(call, words):
    g = load_case("inline/several_outputs")
    with pytest.raises(gd.GraphError, match=re.escape(words)):
        call(g)


def test_drop_in_gradient_raises_graph_errors_on_every_call():
    g = gd.load(PEYRE)
    for _ in range(3):
        with pytest.raises(gd.GraphError, match="no input named 'y'"):
            compiled.gradient(g, wrt=["y"])
        with pytest.raises(gd.GraphError, match="no output named 'g'"):
            compiled.gradient(g, output="g")


# ------------------------------------------------------------------ the codegen command

def test_codegen_python_prints_a_module_that_runs(capsys, tmp_path):
    code, out, err = run(capsys, "codegen", PEYRE, "--lang", "python")
    assert code == 0 and err == ""
    path = tmp_path / "peyre_cli.py"
    path.write_text(out, encoding="utf-8")
    mod = import_file(path)
    g = gd.load(PEYRE)
    check_module(g, mod, "all", None, rng_for("cli"), "codegen --lang python")
    assert_same_gradient(mod.gradient(x=-1.3), sweeps.gradient(g, {"x": -1.3}), "gradient(x=-1.3)")


def test_codegen_modes_and_at(capsys):
    g = gd.load(PEYRE)
    for mode in MODES:
        code, out, _ = run(capsys, "codegen", PEYRE, "--mode", mode)
        assert code == 0 and public_functions(exec_module(out)) == expected_functions(g, mode)
    code, out, _ = run(capsys, "codegen", PEYRE, "--at", "x=0.3")
    assert code == 0
    assert_close(exec_module(out).evaluate()["f"], sweeps.evaluate(g, {"x": 0.3})["f"], "--at sets the default")


def test_codegen_pseudo_reverse(capsys):
    code, out, err = run(capsys, "codegen", PEYRE, "--lang", "pseudo", "--mode", "reverse")
    assert code == 0 and err == ""
    assert out == pseudo_code(gd.load(PEYRE), mode="reverse")
    assert_golden("peyre_reverse.txt", out)


def test_codegen_json(capsys):
    code, out, err = run(capsys, "codegen", PEYRE, "--lang", "python", "--mode", "reverse", "--json")
    doc = json.loads(out)
    assert code == 0 and err == ""
    assert set(doc) == {"lang", "mode", "source", "lines"}
    assert doc["lang"] == "python" and doc["mode"] == "reverse"
    assert all(set(ln) == {"node", "text"} for ln in doc["lines"])
    assert doc["source"] == "\n".join(ln["text"] for ln in doc["lines"]) + "\n"
    g = gd.load(PEYRE)
    assert {ln["node"] for ln in doc["lines"]} - {None} == {f"v{n.id}" for n in g.nodes if n.op != "const"}
    assert_same_gradient(exec_module(doc["source"]).gradient(), sweeps.gradient(g), "the JSON's source")


def test_codegen_writes_a_file(capsys, tmp_path):
    path = tmp_path / "out" / "peyre.py"
    path.parent.mkdir()
    code, out, err = run(capsys, "codegen", PEYRE, "-o", path)
    assert code == 0 and out == "" and err == ""
    assert path.read_text(encoding="utf-8") == python_source(gd.load(PEYRE), title="peyre.gd")
    assert_same_gradient(import_file(path).gradient(), sweeps.gradient(gd.load(PEYRE)), "the written file")
    pseudo = tmp_path / "peyre.txt"
    code, out, _ = run(capsys, "codegen", PEYRE, "--lang", "pseudo", "--mode", "forward", "-o", pseudo, "--json")
    assert code == 0 and json.loads(out)["source"] == pseudo.read_text(encoding="utf-8")


def test_codegen_bad_graph_file_exits_2_with_the_place(capsys, tmp_path):
    path = tmp_path / "syntax.gd"
    path.write_text("input x = 1\noutput f = x +\n")
    code, out, err = run(capsys, "codegen", path, "--lang", "python")
    assert code == 2 and out == ""
    assert err.startswith(f"{path}:2:15: error: expected an expression") and "Traceback" not in err


@pytest.mark.parametrize("argv, words", [
    (["--wrt", "y"], "no input named 'y'"),
    (["--wrt", "x,nope", "--lang", "pseudo"], "no input named 'nope'"),
    (["--of", "g"], "no output named 'g'"),
    (["--output", "g"], "no output named 'g'"),
    (["-o", "/nonexistent/dir/out.py"], "cannot write"),
])
def test_codegen_bad_usage_exits_2(capsys, argv, words):
    code, out, err = run(capsys, "codegen", PEYRE, *argv)
    assert code == 2 and out == "" and words in err and "Traceback" not in err


# ------------------------------------------------------------------ the fast path compiles only what runs

@pytest.mark.parametrize("mode,only,defined,absent", [
    ("reverse", ("gradient",), {"gradient"}, {"evaluate", "vjp", "jacobian"}),
    ("forward", ("gradient",), {"gradient"}, {"evaluate", "jvp", "jacobian"}),
    ("reverse", ("jacobian",), {"jacobian", "vjp"}, {"evaluate", "gradient"}),
    ("forward", ("jacobian",), {"jacobian", "jvp"}, {"evaluate", "gradient"}),
])
def test_only_writes_the_functions_asked_for(mode, only, defined, absent):
    g = gd.load(GRAPHS / "sheet3" / "two_layer.gd")
    mod = exec_module(python_source(g, mode=mode, only=only))
    assert all(callable(getattr(mod, f, None)) for f in defined)
    assert not any(hasattr(mod, f) for f in absent)
    if "gradient" in defined:
        value, grads = mod.gradient()
        ref_value, ref_grads = sweeps.gradient(g)
        assert_close(value, ref_value, "value")
        for k in ref_grads:
            assert_close(grads[k], ref_grads[k], f"∂f/∂{k}")
    else:
        assert_close(np.asarray(mod.jacobian()), sweeps.jacobian(g).matrix, "jacobian")


def test_square_root_as_a_power_is_math_sqrt_in_scalar_code():
    g = gd.parse("input x = 2\noutput f = x ** 0.5 * x")
    src = python_source(g, mode="reverse", only=("gradient",))
    assert "math.sqrt(v0)" in src and "math.pow" not in src and "0.5 / v" in src
    value, grads = exec_module(src).gradient(x=3.0)
    assert_close(grads["x"], 1.5 * 3.0 ** 0.5, "d(x^1.5)/dx")
