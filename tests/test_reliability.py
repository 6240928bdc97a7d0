"""Regression tests for what fuzzing found (reliability): each test is built from a reproducer.

Generated code never lets a user's name shadow its own, and the compiled path agrees with the
interpreted sweeps; user text in generated code is escaped; sqrtm and the other matrix ops give
NaN with a note (never an exception or a quiet wrong number) where they are undefined; non-finite
constants compile; `codegen -o` writes whole files; values typed on the command line and odd
source files are read as the language reads them, or refused with a clear error.
"""
import ast
import importlib.util
import json
import os
import sys
import threading
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphdiff as gd
from graphdiff import sweeps
from graphdiff.cli import main
from graphdiff.emit import python_source
from graphdiff.emit.python import GENERATED_NAMES
from conftest import run


def write(tmp_path, text, name="g.gd"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def import_module(path):
    spec = importlib.util.spec_from_file_location("generated", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------ names in generated code

# Names of the generated module's functions, tables, locals and imports, and a few builtins.
DANGEROUS = sorted(GENERATED_NAMES | {"m", "n", "t", "a", "seeds", "blocks", "k", "float", "abs",
                                      "max", "C1", "D0", "S2", "v1", "v0_dot", "x", "y", "ℓ", "α"})


def _graph(names, values):
    """f = Σ names[k]^(k+1) · names[k+1] … : every input used, several outputs, scalars and a vector."""
    g = gd.Graph()
    refs = [g.input(nm, v) for nm, v in zip(names, values)]
    total = refs[0] * refs[-1]
    for k, r in enumerate(refs[1:], 2):
        total = total + gd.sum(r ** k * refs[0]) if np.ndim(values[k - 1]) else total + r ** k * refs[0]
    g.output("f", total)
    g.output("h", gd.sin(refs[0]) * refs[-1])
    return g


def _agree(g):
    for mode in ("reverse", "forward"):
        first = g.jacobian(mode=mode)          # interpreted
        second = g.jacobian(mode=mode)         # compiled
        third = g.jacobian(mode=mode)
        assert first.rows == second.rows and first.cols == second.cols
        np.testing.assert_allclose(second.matrix, first.matrix, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(third.matrix, first.matrix, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", DANGEROUS)
def test_an_input_named_like_generated_code_does_not_change_the_answer(name):
    other = "q" if name != "q" else "r"
    _agree(_graph([name, other], [0.5, 2.0]))
    _agree(_graph([other, name], [0.5, 2.0]))


def test_the_reproducers_from_the_issue():
    g = gd.parse("input m = 0.5\ninput x = 2\noutput f = m*x\n")
    assert g.jacobian().matrix.tolist() == [[2.0, 0.5]]
    assert g.jacobian().matrix.tolist() == [[2.0, 0.5]]      # the compiled call gave [[2, 1]]
    g = gd.parse("input n = 0.5\ninput x = 2\noutput a = n*x\noutput b = n+x\noutput c = x^2\n")
    _agree(g)
    for bad in ("vjp", "INPUTS", "jacobian", "OUTPUTS"):
        _agree(gd.parse(f"input {bad} = 0.5\ninput x = 2\noutput f = {bad}*x\n"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.sampled_from(DANGEROUS) | st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,3}", fullmatch=True),
                      min_size=2, max_size=4, unique=True),
       data=st.data())
def test_compiled_path_agrees_with_the_sweeps_whatever_the_names(names, data):
    values = [data.draw(st.sampled_from([0.3, -1.25, 2.0, [0.5, -1.0], [1.5, 2.0, -0.5]])) for _ in names]
    values[0] = 0.7   # the shared factor stays a scalar
    _agree(_graph(names, values))


def _function_params(tree):
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            yield fn, {a.arg for a in fn.args.kwonlyargs}


@pytest.mark.parametrize("name", DANGEROUS)
def test_a_parameter_is_read_once_into_its_node_and_never_again(name):
    """Structure of every generated function: a keyword parameter (an input's name) appears in the
    body only where it is read — its own input line `vN = float(name)`, or as the first statement,
    the dict of all inputs `_inputs = {'name': name, …}` that `jacobian` passes on. Nothing assigns
    it and no other line refers to it, so it cannot shadow a local, a global or a helper."""
    g = _graph([name, "q"], [0.5, [1.0, 2.0]])
    tree = ast.parse(python_source(g, mode="all"))
    for fn, params in _function_params(tree):
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and node.id in params:
                assert isinstance(node.ctx, ast.Load), f"{fn.name} assigns the parameter {node.id}"
        for k, stmt in enumerate(fn.body[1:]):        # after the docstring
            uses = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and n.id in params}
            if not uses:
                continue
            text = ast.unparse(stmt)
            input_line = isinstance(stmt, ast.Assign) and len(uses) == 1 and ast.unparse(stmt.value) in (
                {f"float({u})" for u in uses} | {f"np.asarray({u}, dtype=float)" for u in uses})
            inputs_dict = k == 0 and text.startswith("_inputs = {") and uses == params
            assert input_line or inputs_dict, f"{fn.name}: {text}"


# ------------------------------------------------------------------ user text in generated code

def test_a_file_name_cannot_inject_code(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    evil = 'a""", __import__("os").system("touch PWNED"), """b.gd'
    src = write(tmp_path, "input m = 0.5\ninput x = 2\noutput f = m*x\n", evil)
    code, _, err = run(capsys, "codegen", src, "-o", "mod.py")
    assert code == 0, err
    mod = import_module(tmp_path / "mod.py")
    assert not (tmp_path / "PWNED").exists()
    assert mod.__doc__.startswith(evil)
    assert mod.gradient() == (1.0, {"m": 2.0, "x": 0.5})


@pytest.mark.parametrize("title", ["a\\Nb.gd", "x\\u12.gd", "tri'''ple\"\"\".gd", "new\nline.gd", "nul\x00\u2028\x85.gd",
                                   "back\\"])
def test_odd_titles_compile_and_read_back(title):
    g = gd.parse("input x = 0.7\noutput f = x^2\n")
    src = python_source(g, title=title)
    tree = ast.parse(src)
    assert ast.get_docstring(tree).startswith(title)


def test_node_names_from_the_api_cannot_break_comments():
    g = gd.Graph()
    x = g.input("x", 0.7)
    y = g.input("y", [1.0, 2.0])
    g.const("c\nimport os; os.system('touch PWNED')", 2.0)
    u = x * y
    g.bind("u\nraise SystemExit", u.id)
    g.output("f", gd.sum(u * u))
    src = python_source(g)
    ns = {}
    exec(compile(src, "<generated>", "exec"), ns)
    value, grads = ns["gradient"]()
    assert value == pytest.approx(0.49 * 5)
    for line in src.splitlines():
        assert not line.lstrip().startswith(("import os", "raise SystemExit"))


# ------------------------------------------------------------------ matrix ops at bad points

def _no_warnings(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn()


@pytest.mark.parametrize("A, note", [
    ([[-1.0, 0.0], [0.0, 1.0]], "negative eigenvalue"),
    ([[0.0, 1.0], [0.0, 0.0]], "no square root"),
    ([[np.nan, 0.0], [0.0, 1.0]], "NaN or inf"),
    ([[np.inf, 0.0], [0.0, 1.0]], "NaN or inf"),
])
def test_sqrtm_without_a_real_principal_root_is_nan_with_a_note(A, note):
    g = gd.Graph()
    a = g.input("A", A)
    g.output("f", gd.trace(gd.sqrtm(a)))
    sw = _no_warnings(lambda: gd.primal(g))
    step = next(s for s in sw.steps if s.op == "sqrtm")
    assert np.isnan(step.value).all() and note in step.note
    for _ in range(2):    # interpreted, then compiled
        value, grads = _no_warnings(lambda: g.grad())
        assert np.isnan(value) and np.isnan(grads["A"]).all()
        J = _no_warnings(lambda: g.jacobian())
        assert np.isnan(J.matrix).all()


def test_sqrtm_at_a_singular_matrix_has_its_value_and_no_derivative():
    g = gd.parse("input A = [[1, 0], [0, 0]]\noutput f = trace(sqrtm(A))\n")
    for _ in range(2):
        value, grads = _no_warnings(lambda: g.grad())
        assert value == 1.0 and np.isnan(grads["A"]).all()       # was 4.5e15 with a LinAlgWarning
    step = next(s for s in gd.reverse(g).steps if s.op == "sqrtm")
    assert "singular" in step.note and "not differentiable" in step.note


def test_sqrtm_of_a_rotation_is_still_real():
    """No negative eigenvalue (±i): the principal root is real and differentiable."""
    g = gd.parse("input A = [[0, -1], [1, 0]]\noutput f = trace(sqrtm(A))\n")
    value, grads = g.grad()
    assert value == pytest.approx(2 ** 0.5)
    assert np.isfinite(grads["A"]).all()


@pytest.mark.parametrize("expr", ["trace(sqrtm(A))", "det(A)", "sum(inv(A))", "trace(sqrtm(A)) + det(A) + sum(inv(A))"])
@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_nan_or_inf_reaching_a_matrix_op_is_a_nan_never_an_exception(expr, bad, capsys, tmp_path):
    src = write(tmp_path, f"input x = 1\nA = [[1, 0], [0, 1]] * x\noutput f = {expr}\n")
    for cmd in (["jacobian"], ["jacobian", "--mode", "forward"], ["grad"], ["eval"], ["trace"],
                ["check", "--json"], ["codegen"]):
        code, out, err = run(capsys, *cmd, src, "--at", f"x={bad}")
        assert code in (0, 1) and "internal error" not in err, (cmd, err)
    g = gd.load(src, at={"x": float(bad)})
    for _ in range(3):
        J = _no_warnings(lambda: g.jacobian())
        assert J.matrix.shape == (1, 1)


def test_inv_of_a_singular_matrix_is_flagged_not_garbage():
    g = gd.parse("input A = [[1, 2], [2, 4]]\noutput f = sum(inv(A))\n")
    step = next(s for s in gd.primal(g).steps if s.op == "inv")
    assert np.isnan(step.value).all() and "singular" in step.note


def test_the_cli_warns_where_a_nan_first_appeared(capsys, tmp_path):
    src = write(tmp_path, "input A = [[-1, 0], [0, 1]]\nS = sqrtm(A)\noutput f = trace(S)\n")
    code, out, err = run(capsys, "grad", src)
    assert code == 0 and "nan" in out
    assert f"{src}:2:5: warning:" in err and "S (sqrtm)" in err and "negative eigenvalue" in err
    assert "LinAlgWarning" not in err and "Traceback" not in err
    code, _, _ = run(capsys, "grad", src, "--strict")
    assert code == 1
    src = write(tmp_path, "input x = 0\noutput f = sqrt(x) + 1\n", "q.gd")
    code, out, err = run(capsys, "jacobian", src, "--json")
    assert code == 0 and json.loads(out)["matrix"] == [["inf"]]
    assert "first inf derivative comes from v1 (sqrt)" in err and "not differentiable at 0" in err
    code, out, err = run(capsys, "eval", write(tmp_path, "input x = 0.7\noutput f = log(-x)\n", "l.gd"))
    assert code == 0 and "log is undefined" in err


# ------------------------------------------------------------------ non-finite constants

@pytest.mark.parametrize("expr", ["x^1e999", "x^(-1e999)", "x*1e999", "x + [1e999, -1e999]", "x^1e300",
                                  "norm([1, 2] * x, 300)", "x^5e-324", "x * -0.0"])
def test_non_finite_constants_compile(expr, tmp_path, capsys):
    src = write(tmp_path, f"input x = 0.7\noutput f = sum({expr})\n")
    code, _, err = run(capsys, "codegen", src, "-o", tmp_path / "m.py")
    assert code == 0, err
    mod = import_module(tmp_path / "m.py")
    g = gd.load(src)
    with np.errstate(all="ignore"):
        value, grads = mod.gradient()
    ref_value, ref_grads = sweeps.gradient(g)
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    np.testing.assert_allclose(grads["x"], ref_grads["x"], rtol=1e-12)
    for _ in range(2):
        np.testing.assert_allclose(g.jacobian().matrix, sweeps.jacobian(g).matrix, rtol=1e-12)


def test_a_large_p_norm_does_not_overflow_into_a_wrong_answer():
    g = gd.parse("input x = [0.7, 2]\noutput f = norm(x, 300)\n")
    assert g.eval()["f"] == pytest.approx(2.0)          # the unscaled sum overflowed: f was 1
    with pytest.raises(gd.GraphError, match="finite number"):
        gd.parse("input x = [0.7, 2]\noutput f = norm(x, 1e999)\n")


# ------------------------------------------------------------------ codegen -o

def test_codegen_writes_atomically(tmp_path, capsys, monkeypatch):
    src = write(tmp_path, "input x = 0.7\noutput f = x^2\n")
    out = tmp_path / "mod.py"
    out.write_text("GOOD = 1\n")

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:10])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    code, _, err = run(capsys, "codegen", src, "-o", out)
    assert code == 2 and "No space left on device" in err
    assert out.read_text() == "GOOD = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gd", "mod.py"]


# ------------------------------------------------------------------ values and files

@pytest.mark.parametrize("value, expect", [(".5", 1.0), ("+1", 2.0), ("-1e-3", -0.002), ("1e999", float("inf")),
                                           ("9" * 400, float("inf")), ("9" * 5000, float("inf")),
                                           ("nan", "nan"), ("-inf", float("-inf"))])
def test_at_values_are_read_as_the_language_reads_them(value, expect, tmp_path, capsys):
    src = write(tmp_path, "input m = 0.5\noutput f = m*2\n")
    code, out, err = run(capsys, "eval", src, "--at", f"m={value}", "--json")
    assert code == 0 and "internal error" not in err
    f = json.loads(out)["outputs"]["f"]
    assert f == expect if isinstance(expect, str) else f == pytest.approx(expect) or f in ("inf", "-inf")


@pytest.mark.parametrize("value, words", [
    ("[true]", "numbers only"), ("[]", "empty array"), ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ("[" * 5000, "'[' was never closed"), ("[1, 2", "'[' was never closed"), ("abc", "expected a number"), ("", "empty"), ("[1, 2]", "shape (2,)"),
    ("٣", "U+0663 ARABIC-INDIC DIGIT THREE"), ("1; 2", "end of the value"),
])
def test_bad_at_values_are_refused_clearly(value, words, tmp_path, capsys):
    src = write(tmp_path, "input m = 0.5\noutput f = m*2\n")
    code, out, err = run(capsys, "eval", src, "--at", f"m={value}")
    assert code == 2 and out == "" and words in err and "internal error" not in err


def test_a_shape_other_than_the_declared_one_is_refused_never_reshaped(tmp_path, capsys):
    src = write(tmp_path, "input w = [1, 2, 3]\noutput f = sum(w)\n")
    code, _, err = run(capsys, "eval", src, "--at", "w=[[1, 2, 3]]")
    assert code == 2 and "shape (1, 3)" in err and "shape (3,)" in err
    src = write(tmp_path, "input w\noutput f = sum(w)\n", "free.gd")   # no declared value: any shape
    code, out, _ = run(capsys, "eval", src, "--at", "w=[[1, 2], [3, 4]]")
    assert code == 0 and out == "f = 10\n"


@pytest.mark.parametrize("seed, words", [
    ("f[0][1]", "one pair of brackets, f[0,1]"), ("x[" + "9" * 5000 + "]", "whole numbers"),
    ('{"x": ' + "9" * 5000 + "}", "not valid JSON"), ('{"x": [true]}', "numbers"), ('{"x": "a"}', "numbers"),
    ("[1]", "no output named ''"),
])
def test_bad_seeds_are_refused_clearly(seed, words, capsys):
    from conftest import GRAPHS
    code, out, err = run(capsys, "trace", GRAPHS / "peyre.gd", "--mode", "forward" if "x" in seed else "reverse",
                         "--seed", seed)
    assert code == 2 and words in err and "internal error" not in err


def test_index_literals_that_are_not_whole_numbers(tmp_path, capsys):
    for index in ("1e999", "-1e999", "0.5", "1e300"):
        src = write(tmp_path, f"input x = [1, 2]\noutput f = x[{index}]\n")
        code, _, err = run(capsys, "eval", src)
        assert code == 2 and f"{src}:2:" in err and "internal error" not in err


def test_bom_crlf_and_cr_only_files(tmp_path, capsys):
    for data in (b"\xef\xbb\xbfinput x = 0.7\noutput f = x^2\n", b"input x = 0.7\r\noutput f = x^2\r\n",
                 b"input x = 0.7\routput f = x^2\r", b"\xef\xbb\xbfinput x = 0.7\routput f = x^2"):
        p = tmp_path / "g.gd"
        p.write_bytes(data)
        code, out, err = run(capsys, "eval", p)
        assert (code, out) == (0, "f = 0.49\n"), err


@pytest.mark.parametrize("sep", ["\f", "\u2028", "\x85", "\v", "\x1c"])
def test_line_separators_in_comments_do_not_shift_the_excerpt(sep, tmp_path, capsys):
    src = write(tmp_path, f"input x = 0.7  # a{sep}b\ny = x +\noutput f = y $ 2\n")
    code, _, err = run(capsys, "eval", src)
    assert code == 2 and f"{src}:3:14:" in err and "    output f = y $ 2\n" in err


def test_a_form_feed_between_statements_is_white_space(tmp_path, capsys):
    src = write(tmp_path, "input x = 0.7\n\f\noutput f = x^2\n")
    assert run(capsys, "eval", src)[:2] == (0, "f = 0.49\n")


def test_an_unknown_character_is_named(tmp_path, capsys):
    src = write(tmp_path, "input x = 0.7\noutput f = ∂x\n")
    code, _, err = run(capsys, "eval", src)
    assert code == 2 and "'∂' (U+2202 PARTIAL DIFFERENTIAL)" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_not_waited_on(tmp_path, capsys):
    fifo = tmp_path / "pipe.gd"
    os.mkfifo(fifo)
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("code", main(["eval", str(fifo)])), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():    # unblock the reader so the test process can end, then fail
        with open(fifo, "w"):
            pass
        pytest.fail("graphdiff blocked on a FIFO")
    assert result["code"] == 2 and "not a regular file" in capsys.readouterr().err


def test_standard_input_as_dash(monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"input x = 0.7\noutput f = x^2\n")))
    assert run(capsys, "eval", "-")[:2] == (0, "f = 0.49\n")


def test_bytes_that_are_not_text_are_errors_at_their_place(tmp_path, capsys):
    p = tmp_path / "u.gd"
    p.write_bytes(b"input x = 0.5 # caf\xe9\noutput f = x\n")
    code, _, err = run(capsys, "eval", p)
    assert code == 2 and f"{p}:1:20: error: byte 0xe9 is not UTF-8" in err and "^" in err
    p.write_bytes(b"input x = 0.5\noutput f = x\0\n")
    code, _, err = run(capsys, "eval", p)
    assert code == 2 and f"{p}:2:13: error:" in err and "NUL byte" in err


def test_the_generated_jacobian_of_a_graph_without_inputs_is_empty(tmp_path, capsys):
    src = write(tmp_path, "const c = [1, 2, 3]\noutput f = diff(c)\n")
    for mode in ("forward", "reverse", "all"):
        code, _, err = run(capsys, "codegen", src, "--mode", mode, "-o", tmp_path / "m.py")
        assert code == 0, err
        assert import_module(tmp_path / "m.py").jacobian().shape == (2, 0)


@pytest.mark.dot
@pytest.mark.parametrize("title", ["\x01", "\x1b[31mred", "\v", "nul\x00", "a\udcffb"])
def test_control_characters_in_a_title_make_valid_dot(title, tmp_path, capsys):
    code, out, err = run(capsys, "render", "graphs/peyre.gd", "-o", tmp_path / "t.svg", "--title", title)
    assert code == 0 and "internal error" not in err and (tmp_path / "t.svg").stat().st_size > 0


def test_a_failed_frames_run_leaves_no_new_folder(tmp_path, capsys, monkeypatch):
    real = os.replace

    def full(src, dst):
        if "frame-" in str(dst):
            raise OSError(27, "File too large")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", full)
    code, _, err = run(capsys, "frames", "graphs/peyre.gd", "-o", tmp_path / "frames", "--format", "dot")
    assert code == 2 and "File too large" in err and not (tmp_path / "frames").exists()


# ------------------------------------------------------------------ found by the long fuzz campaign (issue 17)

def test_check_with_one_entry_per_input(tmp_path, capsys):
    """`check --max-entries 1` checked nothing and crashed (ZeroDivisionError spreading one entry)."""
    f = tmp_path / "c.gd"
    f.write_text("input x = [1.6, 0.3, 0.7]\noutput f = sum(x * x)\n")
    code, out, err = run(capsys, "check", f, "--max-entries", "1")
    assert code == 0 and "internal error" not in err
    assert "1 of 3 entries checked" in out
    from graphdiff.check import _entries_to_check
    assert _entries_to_check(5, 1) == [0] and _entries_to_check(5, 0) == [0] and _entries_to_check(5, 2) == [0, 4]


@pytest.mark.parametrize("eps", ["1e-300", "5e-324"])
def test_check_steps_too_small_to_move_the_input_are_no_evidence(eps, tmp_path, capsys):
    """With `--eps 1e-300`, x ± h == x: the finite difference was 0 ± 0 and check reported a correct
    derivative as FAILED. A step that does not move x gives no estimate (inconclusive)."""
    f = tmp_path / "c.gd"
    f.write_text("input x = [1.6, 0.3, 0.7]\noutput f = sum(x * x)\n")
    code, out, err = run(capsys, "check", f, "--eps", eps)
    assert code == 0, out + err
    assert "FAILED" not in out and "failed" not in out
    assert "too small to change the input" in out


def test_focus_with_a_huge_number_of_steps_ends_at_once(tmp_path, capsys):
    """`render --focus v:99999999999999999999` looped that many times over an empty frontier (a hang)."""
    import time
    t0 = time.perf_counter()
    from conftest import GRAPHS
    code, out, err = run(capsys, "render", GRAPHS / "peyre.gd", "-o", tmp_path / "o.dot", "--focus", "x:" + "9" * 20)
    assert code == 0, err
    assert time.perf_counter() - t0 < 10
    from graphdiff.render.build import focus_set
    g = gd.load(GRAPHS / "peyre.gd")
    assert focus_set(g, "x:" + "9" * 20) == frozenset(range(len(g)))


def test_pow_at_a_zero_base_has_a_zero_exponent_partial(tmp_path, capsys):
    """0^p (p > 1) with p an input: ∂/∂p = 0^p·log 0 was NaN (0·−∞), so the batched forward
    Jacobian put NaN in the other inputs' columns (forward NaN, reverse 0) and the generated code
    raised `math domain error`. 0^p is 0 for every p > 0: the partial is 0."""
    f = tmp_path / "p.gd"
    f.write_text("input i1 = 0.0\ninput p = 1.328\nc2 = i1 ^ p\ninput i6 = 1.37\noutput f8 = (c2 <= i6) + c2\n")
    g = gd.load(f)
    for mode in ("forward", "reverse"):
        for _ in range(2):   # interpreted, then compiled
            assert np.array_equal(g.jacobian(mode=mode).matrix, [[0.0, 0.0, 0.0]]), mode
    code, out, err = run(capsys, "codegen", f, "-o", tmp_path / "pmod.py")
    assert code == 0, err
    ns = {}
    exec(compile((tmp_path / "pmod.py").read_text(), "pmod.py", "exec"), ns)
    assert np.array_equal(ns["jacobian"](), [[0.0, 0.0, 0.0]])
    # elsewhere the rule is unchanged: ∂(a^b)/∂b = a^b·log a
    h = gd.parse("input a = 2.0\ninput b = 3.0\noutput f = a ^ b\n")
    assert np.allclose(h.jacobian().matrix, [[12.0, 8 * np.log(2)]])


@pytest.mark.parametrize("tol", ["1e999", "inf"])
def test_practice_refuses_an_infinite_tolerance(tol, tmp_path, capsys, monkeypatch):
    """`practice --tol 1e999` took every answer as right and wrote `"tolerance": Infinity`, which is
    not JSON."""
    import io
    f = tmp_path / "p.gd"
    f.write_text("input x = 0.5\ninput y = 1\noutput f = y + x\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    code, out, err = run(capsys, "practice", f, "--json", "--mode", "primal", "--tol", tol)
    assert code == 2 and "tolerance" in err and not out
    with pytest.raises(gd.GraphError):
        from graphdiff.practice import Session
        Session(gd.load(f), mode="primal", tol=float("inf"))


def test_a_file_name_that_is_not_utf8_in_practice_and_html_records(tmp_path, capsys, monkeypatch):
    """A graph file whose name is not UTF-8 (b'\\xff.gd'): `practice -o s.json` and `html -o p.html`
    ended in "internal error: UnicodeEncodeError"; the name is written with a \\x escape."""
    import io
    name = os.fsdecode(b"\xff.gd")
    path = tmp_path / name
    path.write_text("input x = 0.5\noutput f = x * x\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("0.5\n"))
    code, out, err = run(capsys, "practice", path, "--mode", "primal", "-o", tmp_path / "s.json")
    assert code == 0, err
    record = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert record["sessions"][0]["file"].endswith("\\xff.gd")
    code, out, err = run(capsys, "html", path, "-o", tmp_path / "p.html", "--json")
    assert code == 0, err
    assert "<title>\\xff.gd" in (tmp_path / "p.html").read_text(encoding="utf-8")   # whole and UTF-8


@pytest.mark.filterwarnings("ignore")
def test_an_infinite_partial_does_not_spoil_other_inputs_columns():
    """√a at a = 0 has an infinite partial. The full Jacobian pushes every input (forward) or output
    (reverse) through one batched sweep, and 0 · ∞ = NaN in the other lanes made ∂f/∂b NaN for
    f = √a + b (forward) and ∂f2/∂a NaN for f2 = 3a + b beside f1 = √a (reverse), where a sweep
    seeded with that input or output alone gives 1 and 3."""
    g = gd.parse("input a = 0\ninput b = 2\noutput f = sqrt(a) + b\n")
    h = gd.parse("input a = 0\ninput b = 2\noutput f1 = sqrt(a)\noutput f2 = a * 3 + b\n")
    for mode in ("forward", "reverse"):
        for _ in range(2):   # interpreted, then compiled
            assert g.jacobian(mode=mode).matrix.tolist() == [[np.inf, 1.0]], mode
            assert h.jacobian(mode=mode).matrix.tolist() == [[np.inf, 0.0], [3.0, 1.0]], mode
    value, grads = g.grad(mode="forward")
    assert grads["b"] == 1.0 and grads["a"] == np.inf


def test_atan2_partials_at_tiny_and_huge_arguments():
    """atan2(1e-308, x) at x = 2.2e-308: a² + b² underflowed to 0 and ∂/∂x came out −inf (and the
    generated code raised ZeroDivisionError); it is about −1.68e307. At 1e200 the square overflowed."""
    g = gd.parse("input x = 2.2250738585072014e-308\noutput f = atan2(1e-308, x)\n")
    for mode in ("forward", "reverse"):
        for _ in range(2):
            d = g.jacobian(mode=mode).matrix[0, 0]
            assert d == pytest.approx(-1e308 / (1 + 2.2250738585072014 ** 2), rel=1e-12)   # −y/(x² + y²)
    h = gd.parse("input y = 1e200\ninput x = 2e200\noutput f = atan2(y, x)\n")
    assert np.allclose(h.jacobian().matrix, [[4e-201, -2e-201]], rtol=1e-12, atol=0)   # x/(x² + y²), −y/(x² + y²)
    k = gd.parse("input y = 0.3\ninput x = -1.7\noutput f = atan2(y, x)\n")
    assert np.allclose(k.jacobian().matrix, [[-1.7 / 2.98, -0.3 / 2.98]], rtol=1e-14)


@pytest.mark.filterwarnings("ignore")
def test_the_compiled_path_agrees_where_a_partial_is_infinite():
    """atan2(a, a) at a = 5e-324 has infinite partials: the generated code's batched forward sweep
    put 0·∞ = NaN into the other inputs' columns, so the second (compiled) g.jacobian() differed
    from the first (interpreted) one. A compiled result holding NaN is recomputed by the sweeps."""
    g = gd.parse("input v = [0.37, 0.25]\ninput a = 5e-324\noutput f = atan2(a, a)\n")
    for mode in ("forward", "reverse"):
        first, second = g.jacobian(mode=mode).matrix, g.jacobian(mode=mode).matrix
        assert np.array_equal(first, second, equal_nan=True), mode
        assert first[0, :2].tolist() == [0.0, 0.0], mode
        grads = [g.grad(mode=mode)[1] for _ in range(2)]
        assert np.array_equal(grads[0]["v"], grads[1]["v"]) and grads[1]["v"].tolist() == [0.0, 0.0]


def test_check_refuses_a_max_entries_below_one(capsys):
    from conftest import GRAPHS
    for bad in ("0", "-1"):
        code, out, err = run(capsys, "check", GRAPHS / "peyre.gd", "--max-entries", bad)
        assert code == 2 and out == "" and f"--max-entries {bad} is out of range" in err


def test_fmt_ends_the_last_line(tmp_path, capsys):
    src = tmp_path / "nl.gd"
    src.write_text("input x = 1\noutput f = x^2")          # no final newline
    for spelling in ("--unicode", "--ascii"):
        code, out, _ = run(capsys, "fmt", src, spelling)
        assert code == 0 and out.endswith("\n") and not out.endswith("\n\n")
        again = tmp_path / f"again{spelling}.gd"
        again.write_text(out)
        assert run(capsys, "fmt", again, spelling)[1] == out     # formatting twice changes nothing


def test_cost_chain_of_thousands_of_factors_skips_the_cubic_search(tmp_path, capsys):
    """Found by the fuzzer (seed 1207): a 1,830-step loop made `cost --chain` run for ever."""
    src = tmp_path / "loops.gd"
    src.write_text("input x = 0.5\nh = x\nfor i in 1..60:\n    for j in 1..i: h = sin(h) + 0.01 * j\noutput f = h\n")
    code, out, err = run(capsys, "cost", src, "--chain", "--json")
    assert code == 0, err
    ch = json.loads(out)["chain"]
    assert len(ch["factors"]) == 3660 and ch["optimal"] is None and "not searched" in ch["bracketing"]
    assert ch["forward"] > 0 and ch["reverse"] > 0
