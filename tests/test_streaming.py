"""Long outputs written as they are made: `trace --json` a few thousand steps at a time, `codegen`
a few thousand lines at a time (docs/cli.md). The streamed text is the document the commands
wrote whole before, byte for byte, on a few-thousand-line recurrence (the benchmark's graph) and
on the values JSON writes specially (names to escape, NaN and infinities, notes, arrays)."""
import json

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.cli.basic import step_json, trace_json_chunks
from graphdiff.cli.common import line_chunks
from graphdiff.emit import python_lines, python_source
from graphdiff.sweeps import SWEEPS
from conftest import run

LINES = 2000


def recurrence_text(lines: int) -> str:
    """t_k = sin(t_{k-1}) · x + t_{k-2}: benchmarks/bench_engine.py's reading benchmark, shorter."""
    out = ["input x = 0.3", "input y = 0.7", "t0 = x * y", "t1 = sin(t0) * x + y"]
    out += [f"t{k} = sin(t{k - 1}) * x + t{k - 2}" for k in range(2, lines)]
    out.append(f"output f = t{lines - 1}")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def recurrence(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "rec.gd"
    path.write_text(recurrence_text(LINES))
    return path, gd.load(path)


def whole_trace(g, sw) -> str:
    """`trace --json` as it was written before streaming: one dict, one json.dumps."""
    doc = {"mode": sw.mode, "steps": [step_json(g, sw, s) for s in sw.steps]}
    return json.dumps(doc, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("mode", ["primal", "forward", "reverse"])
def test_trace_json_of_a_long_recurrence_is_the_whole_document(recurrence, capsys, mode):
    path, g = recurrence
    code, out, err = run(capsys, "trace", path, "--json", "--mode", mode)
    assert code == 0, err
    sw = SWEEPS[mode](g)
    assert len(sw.steps) > 5000
    expected = whole_trace(g, sw)
    assert out == expected
    assert json.loads(out) == json.loads(expected)


def test_trace_json_is_written_in_pieces(recurrence):
    _, g = recurrence
    chunks = list(trace_json_chunks(g, SWEEPS["reverse"](g)))
    text = "".join(chunks)
    assert len(chunks) > 3 and max(map(len, chunks)) < len(text) / 2
    assert json.loads(text)["steps"][-1]["index"] == len(json.loads(text)["steps"]) - 1


def odd_graph() -> gd.Graph:
    """Names JSON must escape, values it writes as strings (nan, ±inf), notes, arrays."""
    g = gd.Graph()
    x = g.input('x "quoted" \\ é\tπ', 0.0)
    w = g.input("w", [[1.0, -2.0], [0.5, 4.0]])
    g.output("f", gd.relu(x) + gd.log(x) + gd.sum(w @ w) * x)
    g.output("ratio", x / x)
    return g


@pytest.mark.parametrize("mode", ["primal", "forward", "reverse"])
def test_trace_json_writes_odd_values_as_json_dumps_does(mode):
    g = odd_graph()
    sw = SWEEPS[mode](g)
    text = "".join(trace_json_chunks(g, sw))
    assert text == whole_trace(g, sw)
    steps = json.loads(text)["steps"]
    assert any(s.get("note") for s in steps)
    assert {"nan", "-inf"} & {json.dumps(s["value"]).strip('"') for s in steps}


def test_codegen_of_a_long_recurrence_is_the_module_and_runs(recurrence, capsys, tmp_path):
    path, g = recurrence
    code, out, err = run(capsys, "codegen", path)
    assert code == 0, err
    assert out == python_source(g, title="rec.gd")
    ns = {}
    exec(compile(out, "rec_generated", "exec"), ns)
    value, grads = ns["gradient"]()
    ref_value, ref_grads = g.grad(mode="reverse")
    assert value == pytest.approx(float(ref_value), rel=1e-12)
    for name in ("x", "y"):
        assert grads[name] == pytest.approx(float(ref_grads[name]), rel=1e-9)
    # -o writes the same text to the file (through a temporary name), --json the same document
    target = tmp_path / "rec_ad.py"
    code, out, err = run(capsys, "codegen", path, "-o", target, "--json")
    assert code == 0, err
    assert target.read_text() == python_source(g, title="rec.gd")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec_ad.py"]
    lines = python_lines(g, title="rec.gd")
    whole = {"lang": "python", "mode": "all", "source": python_source(g, title="rec.gd"),
             "lines": [{"node": None if ln.node is None else f"v{ln.node}", "text": ln.text} for ln in lines]}
    assert out == json.dumps(whole, ensure_ascii=False) + "\n"


def test_codegen_json_of_every_language_is_json_dumps_of_its_document(capsys, tmp_path):
    src = tmp_path / "odd.gd"
    src.write_text('input x = 0.5\ny = x * 2\noutput f = exp(y) / x\n')
    for lang in ("python", "pseudo", "jax"):
        code, out, err = run(capsys, "codegen", src, "--lang", lang, "--json")
        assert code == 0, err
        doc = json.loads(out)
        assert doc["source"] == "\n".join(line["text"] for line in doc["lines"]) + "\n"
        assert out == json.dumps(doc, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("n", [0, 1, 4095, 4096, 4097, 9000])
def test_line_chunks_join_into_the_lines_each_ended(n):
    texts = [f"line {k} é" for k in range(n)]
    chunks = list(line_chunks(texts))
    assert "".join(chunks) == "\n".join(texts) + "\n"
    assert len(chunks) == max(1, -(-n // 4096))


def test_values_json_text_is_json_dumps_of_jsonable():
    from graphdiff.values import json_string, json_text, jsonable
    for v in (0.1, -0.0, 1e300, 5e-324, np.float64(2.5), np.nan, np.inf, -np.inf, float("nan"),
              np.array([1.0, np.nan]), np.array([[1.5, -np.inf]]), np.float64(-np.inf), None, 3):
        assert json_text(v) == json.dumps(jsonable(v), ensure_ascii=False), repr(v)
    for s in ('plain', 'quote " backslash \\ tab \t newline \n é π \u2028 \x00'):
        assert json_string(s) == json.dumps(s, ensure_ascii=False)
