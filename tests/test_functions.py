"""Functions and loops in the graph language: `def` (one line, or a body ending in return), calls
inlined as group instances with call paths, `for` loops unrolled one group per iteration, and
the errors (file:line:col, a caret, the call chain)."""
import re
import time

import numpy as np
import pytest

import graphdiff as gd
from graphdiff import GraphError
from graphdiff.lang.fmt import format_text
from graphdiff.lang.lower import MAX_ITERATIONS
from conftest import GRAPHS, run

NET_INPUTS = """\
input x = [1, 2]
input W1 = [[1, 0], [0, 1], [1, 1]]
input b1 = [0.5, 0, -0.5]
input W2 = [[0.5, -0.5, 0.25]]
"""


def parse_error(text) -> GraphError:
    with pytest.raises(GraphError) as e:
        gd.parse(text, "t.gd")
    return e.value


def place(e: GraphError) -> str:
    """file:line:col of an error, and the caret line under the source line."""
    lines = e.format().splitlines()
    return f"{e.span} {lines[2].strip()}"


def groups(g):
    """(name, function, parent's name, ops of the members) of every group instance."""
    return [(grp.name, grp.function, g.groups[grp.parent].name if grp.parent >= 0 else None,
             [g.node(i).op for i in g.members(grp.id)]) for grp in g.groups]


def structure(g):
    return [(n.op, n.operands, n.attrs, n.names) for n in g.node_list()]


# ---------------------------------------------------------------------------- definitions and calls

def test_one_line_and_block_definitions_build_the_same_graph():
    one = gd.parse(NET_INPUTS + "def layer(x, W, b) = tanh(W @ x + b)\noutput f = sum(layer(x, W1, b1))")
    block = gd.parse(NET_INPUTS + "def layer(x, W, b):\n    a = W @ x + b\n    return tanh(a)\n"
                                  "output f = sum(layer(x, W1, b1))")
    inline = gd.parse(NET_INPUTS + "def layer(x, W, b): a = W @ x + b; return tanh(a)\n"
                                   "output f = sum(layer(x, W1, b1))")
    flat = gd.parse(NET_INPUTS + "output f = sum(tanh(W1 @ x + b1))")
    assert [n.op for n in one.node_list()] == [n.op for n in block.node_list()] == [n.op for n in flat.node_list()]
    assert structure(block) == structure(inline)
    assert one.eval()["f"] == block.eval()["f"] == flat.eval()["f"]
    for g in (one, block):
        assert groups(g) == [("layer", "layer", None, ["matmul", "add", "tanh"])]
        grp = g.groups[0]
        assert grp.inputs == tuple(g.input_node(n) for n in ("x", "W1", "b1"))
        assert grp.outputs == (g.node_list()[-2].id,) and g.node(grp.outputs[0]).op == "tanh"
        assert grp.span.col == 16 and grp.span.source.line(grp.span.line).startswith("output f")   # the call


def test_calls_nest_and_every_node_keeps_its_call_path():
    g = gd.parse(NET_INPUTS + """\
def layer(x, W, b):
    z = W @ x + b
    return tanh(z)
def net(x, W1, b1, W2):
    h = layer(x, W1, b1)
    return layer(h, W2, 0)
output f = sum(net(x, W1, b1, W2))
""")
    assert groups(g) == [("net", "net", None, ["matmul", "add", "tanh", "const", "matmul", "add", "tanh"]),
                         ("layer", "layer", "net", ["matmul", "add", "tanh"]),
                         ("layer#2", "layer", "net", ["matmul", "add", "tanh"])]   # the 0 is net's
    assert [grp.depth for grp in g.groups] == [1, 2, 2]
    paths = [g.call_path(n.id) for n in g.node_list() if not n.is_leaf]
    assert paths == ["net.layer.matmul", "net.layer.z", "net.layer.h", "net.layer#2.matmul", "net.layer#2.z#2",
                     "net.layer#2.tanh", "f"]
    # the second call's number 0 is no input of it; its inputs are h and W2
    second = g.groups[2]
    assert second.inputs == (g.names["h"], g.input_node("W2"))
    assert g.eval()["f"] == pytest.approx(np.tanh(np.array([0.5, -0.5, 0.25]) @ np.tanh([1.5, 2, 2.5])))


def test_two_calls_on_the_same_arguments_are_one_instance():
    g = gd.parse(NET_INPUTS + """\
def layer(x, W, b) = tanh(W @ x + b)
h = layer(x, W1, b1)
again = layer(x, W1, b1)
other = layer(x, W1, 2 * b1)
output f = sum(h + again + other)
""")
    assert g.names["h"] == g.names["again"]
    assert [(grp.name, grp.function) for grp in g.groups] == [("layer", "layer"), ("layer#2", "layer")]
    assert g.call_path(g.names["other"]) == "layer#2.other"
    # W1 @ x is shared too: the second instance makes its add and tanh; 2·b1 is made before it
    assert [g.node(i).op for i in g.members(1)] == ["add", "tanh"]
    assert g.n_ops() == 3 + 1 + 2 + 3


def test_local_names_stay_local_and_label_their_nodes():
    text = NET_INPUTS + """\
const z = 3
def layer(x, W, b):
    z = W @ x + b          # a local z: the constant z is untouched
    return tanh(z)
h = layer(x, W1, b1)
h2 = layer(h, W2, 0)
output f = sum(h2) * z
"""
    g = gd.parse(text)
    # the top level keeps its names as written; each call's local z labels that call's node
    assert g.node(g.names["z"]).op == "const"
    assert [g.label(i) for i in g.members(0) + g.members(1) if g.node(i).op == "add"] == ["z#2", "z#3"]
    e = parse_error(NET_INPUTS + "def f(x):\n    y = x + 1\n    return y\nout = f(x)\noutput g = sum(y)")
    assert e.message == "unknown name 'y'" and str(e.span) == "t.gd:9:16"


def test_a_name_of_the_top_level_bound_after_a_call_keeps_its_spelling():
    g = gd.parse("input x = 2\ndef f(x):\n    y = x * x\n    return y + 1\nu = f(x)\ny = u * 3\noutput out = y")
    assert g.node(g.names["y"]).op == "mul" and g.node(g.names["y"]).operands[1] != g.names["y#2"]
    assert g.label(g.members(0)[0]) == "y#2"       # the local y moved aside
    assert g.eval()["out"] == 15


def test_a_function_sees_constants_defined_before_it_but_not_inputs():
    g = gd.parse("const c = 2\nd = c\ninput x = 3\ndef f(x) = c * x + d\noutput y = f(x)")
    assert g.eval()["y"] == 8
    assert gd.parse("const c = 2\ndef f(c) = c + 1\noutput y = f(5)").eval()["y"] == 6   # a parameter shadows
    e = parse_error("input q = 1\ndef f(x) = x * q\noutput y = f(q)")
    assert "'q' is not known inside 'f'" in e.message and e.hint == "pass q as an argument: def f(x, q)"
    assert place(e) == "t.gd:2:16 ^"
    e = parse_error("def f(x) = x * c\nconst c = 2\ninput x = 1\noutput y = f(x)")
    assert e.message == "unknown name 'c' in the body of 'f'" and str(e.span) == "t.gd:1:16"


def test_functions_may_call_functions_defined_below_them():
    g = gd.parse("input x = 1\ndef f(x) = g(x) * 2\ndef g(x) = x + 1\noutput y = f(x)")
    assert g.eval()["y"] == 4
    assert [(grp.name, grp.parent) for grp in g.groups] == [("f", -1), ("g", 0)]
    assert gd.parse("input x = 1\ndef three() = 3\noutput y = three() * x").eval()["y"] == 3


def test_the_api_forms_build_the_same_groups_as_the_language():
    language = gd.parse(NET_INPUTS + """\
input b2 = 0.5
def layer(x, W, b) = tanh(W @ x + b)
def net(x, W1, b1, W2, b2):
    h = layer(x, W1, b1)
    return layer(h, W2, b2)
output f = sum(net(x, W1, b1, W2, b2))
""")
    values = {n: language.node(language.input_node(n)).value for n in ("x", "W1", "b1", "W2", "b2")}

    @gd.function
    def layer(x, W, b):
        return gd.tanh(W @ x + b)

    @gd.function
    def net(x, W1, b1, W2, b2):
        return layer(layer(x, W1, b1), W2, b2)

    api = gd.Graph()
    refs = {n: api.input(n, v) for n, v in values.items()}
    api.output("f", gd.sum(net(*refs.values())))

    blocks = gd.Graph()
    refs = {n: blocks.input(n, v) for n, v in values.items()}
    with blocks.group("net"):
        out = layer(layer(refs["x"], refs["W1"], refs["b1"]), refs["W2"], refs["b2"])
    blocks.output("f", gd.sum(out))

    assert groups(api) == groups(language)
    assert [grp.inputs for grp in api.groups] == [grp.inputs for grp in language.groups]
    assert [(name, fn) for name, fn, *_ in groups(blocks)] == [("net", None), ("layer", "layer"), ("layer#2", "layer")]
    assert [(name, parent, ops) for name, _, parent, ops in groups(blocks)] == \
        [(name, parent, ops) for name, _, parent, ops in groups(language)]
    assert [n.op for n in api.node_list()] == [n.op for n in language.node_list()]
    assert api.eval()["f"] == language.eval()["f"] == blocks.eval()["f"]


# ---------------------------------------------------------------------------- errors

FUNCTION_ERRORS = [
    ("input x = 1\ndef layer(x) = tanh(x)\noutput f = layr(x)",
     "unknown function 'layr'", "t.gd:3:12 ^^^^"),
    ("input x = 1\ndef layer(x, W, b) = tanh(W * x + b)\noutput f = layer(x, 2)",
     "layer takes 3 arguments, got 2", "t.gd:3:12 ^^^^^"),
    ("input x = 1\ndef f(x) = f(x) + 1\noutput y = f(x)",
     "recursion: f → f", "t.gd:2:12 ^"),
    ("input x = 1\ndef f(x) = g(x) + 1\ndef g(x):\n    y = f(x)\n    return y\noutput y = f(x)",
     "recursion: g → f → g", "t.gd:4:9 ^"),
    ("input x = 1\ndef f(x) = g(x)\ndef g(x) = h(x)\ndef h(x) = f(x) * 2\noutput y = f(x)",
     "recursion: h → f → g → h", "t.gd:4:12 ^"),
    ("def tanh(x) = x", "'tanh' is a built-in function", "t.gd:1:5 ^^^^"),
    ("def f(x) = x\ndef f(y) = y", "'f' is already defined, at line 1", "t.gd:2:5 ^"),
    ("input x = 1\nreturn x", "'return' outside a def", "t.gd:2:1 ^^^^^^"),
    ("input x = 1\ndef f(x):\n    y = x\noutput z = f(x)", "def f has no return", "t.gd:2:5 ^"),
    ("def f(x, x) = x", "parameter 'x' appears twice in def f", "t.gd:1:10 ^"),
    ("def f(x):\n    return x\n    y = 2\n", "'return' ends the body of 'f'", "t.gd:3:5 ^"),
    ("def f(x):\n    input y = 2\n    return x\n", "'input' is a statement of the top level", "t.gd:2:5 ^^^^^"),
    ("def f(x):\n    for t in 1..3: x = x * t; return x\n    return x\n", "'return' inside a for loop",
     "t.gd:2:31 ^^^^^^"),
    ("for t in 1..3:\n    def f(x) = x\n", "a def inside another def or a for loop", "t.gd:2:5 ^^^"),
    ("input x = 1\ndef f(x) = gg(x)\noutput y = x", "unknown function 'gg' (called in the body of 'f'",
     "t.gd:2:12 ^^"),
    ("def for(x) = x", "'for' is a keyword of the language", "t.gd:1:5 ^^^"),
    ("input x = 1\ndef f(x) = g(x, 2)\ndef g(x) = x + 1\noutput z = x",        # g is never called
     "g takes 1 argument, got 2", "t.gd:2:12 ^"),
]


def test_error_hints_give_the_signature_and_the_closest_function():
    e = parse_error("input x = 1\ndef layer(x, W, b) = tanh(W * x + b)\noutput f = layer(x, 2)")
    assert e.hint == "it is def layer(x, W, b), at line 2"
    assert parse_error("input x = 1\ndef layer(x) = tanh(x)\noutput f = layr(x)").hint == "did you mean 'layer'?"
    e = parse_error("input x = 1\ndef f(x) = g(x) + 1\ndef g(x) = f(x)\noutput y = f(x)")
    assert "a function may not call itself, directly or through other functions" in e.message
    assert "for loop" in e.hint


def test_an_error_inside_a_call_or_an_iteration_says_which():
    e = parse_error("input x = [1, 2]\ndef f(v) = v @ [1, 2, 3]\nfor t in 1..2: x = x + f(x)\noutput y = sum(x)")
    assert str(e.span) == "t.gd:2:14"
    assert e.hint.startswith("in the call of f at line 3, in iteration t=1 of the loop at line 3")
    e = parse_error("input x = [1, 2, 3]\ns = 0\nfor t in 0..3: s = s + x[t]\noutput y = s")
    assert "index 3 is out of range" in e.message and e.hint == "in iteration t=3 of the loop at line 3"


def test_errors_reach_the_command_line_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.gd"
    bad.write_text("input x = 1\ndef f(x) = g(x)\ndef g(x) = f(x)\noutput y = f(x)\n")
    code, out, err = run(capsys, "eval", bad)
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"{bad}:3:12: error: recursion: g → f → g" in err


# ---------------------------------------------------------------------------- loops

RECURRENCE = """\
const a = 0.9
input x = [0.5, -0.25, 1, 0.75]
def cell(h, xt) = tanh(a * h + xt)
h = 0
s = 0
for t in 1..4:
    h = cell(h, x[t - 1])
    s = s + cell(h, t)
output f = s + h
"""


def test_a_loop_unrolls_with_one_group_per_iteration():
    g = gd.parse(RECURRENCE)
    top = [grp for grp in g.groups if grp.parent == -1]
    assert [grp.name for grp in top] == ["t=1", "t=2", "t=3", "t=4"] and all(grp.function is None for grp in top)
    assert [grp.name for grp in g.groups if grp.parent == top[2].id] == ["cell", "cell#2"]
    h, s = 0.0, 0.0
    x = [0.5, -0.25, 1, 0.75]
    for t in range(1, 5):
        h = np.tanh(0.9 * h + x[t - 1])
        s = s + np.tanh(0.9 * h + t)
    assert g.eval()["f"] == pytest.approx(s + h, rel=1e-15)
    # the cell's tanh of the second call is unnamed: its call path ends in the op
    second = g.groups[[grp.id for grp in g.groups].index(top[2].id) + 2]
    tanh = [i for i in g.members(second.id) if g.node(i).op == "tanh"][0]
    assert g.call_path(tanh) == "t=3.cell#2.tanh"
    # an iteration hands back the names it bound
    assert [g.label(i) for i in top[3].outputs] == ["h#5", "s#5"]
    assert g.label(g.output_node("f")) == "f"


def test_a_loop_builds_the_graph_of_the_file_written_out():
    looped = gd.parse(RECURRENCE)
    written = gd.parse(RECURRENCE.replace("for t in 1..4:\n", "").replace(
        "    h = cell(h, x[t - 1])\n    s = s + cell(h, t)\n",
        "".join(f"h = cell(h, x[{t - 1}])\ns = s + cell(h, {t})\n" for t in range(1, 5))))
    assert structure(looped) == structure(written)
    assert len(looped.groups) == 4 + len(written.groups)


def test_loop_bounds_and_indices_are_whole_numbers_known_when_the_file_is_read():
    g = gd.parse("const N = 3\ninput x = [1, 2, 3, 4]\ns = x[0]\nfor k in 1..N: s = s * x[k] + k^2\noutput f = s")
    assert g.eval()["f"] == ((1 * 2 + 1) * 3 + 4) * 4 + 9
    g = gd.parse("input A = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\ns = 0\n"
                 "for i in 0..2:\n  for j in 0..i: s = s + A[i, j] * (i - j + 1)\noutput f = s")
    assert g.eval()["f"] == sum(3 * i + j + 1 for i in range(3) for j in range(i + 1)
                                for _ in range(i - j + 1))
    assert gd.parse("input x = [1, 2, 3, 4]\ns = 0\nfor t in 1..2: s = s + sum(x[t - 1:t + 1])\n"
                    "output f = s").eval()["f"] == 3 + 5
    g = gd.parse("input x = 2\ndef power(a):\n    p = a\n    for k in 2..4: p = p * a\n    return p\noutput f = power(x)")
    assert g.eval()["f"] == 16 and [grp.name for grp in g.groups] == ["power", "k=2", "k=3", "k=4"]


LOOP_ERRORS = [
    ("input x = 1\nfor t in 5..1: x = x * t\noutput y = x", "the loop runs from 5 down to 1", "t.gd:2:13 ^"),
    ("input x = 1\nfor t in 1..2.5: x = x * t\noutput y = x", "must be a whole number, and 2.5 is not",
     "t.gd:2:13 ^^^"),
    ("input x = 1\nfor t in 1..x: x = x * t\noutput y = x", "'x' is an input, not a whole number", "t.gd:2:13 ^"),
    ("input x = 1\nfor t in 1..3: t = x\noutput y = x", "'t' is the variable of a for loop", "t.gd:2:16 ^"),
    ("input x = 1\nfor x in 1..3: y = x\noutput y = y", "'x' is already a name here", "t.gd:2:5 ^"),
    ("input x = [1, 2]\nfor t in 1..2: y = x[t / 2]\noutput y = y", "an index must be a whole number",
     "t.gd:2:24 ^"),
    ("input x = 1\nfor t in 1..3: x = x * 2\n    x = x + 1\noutput y = x",
     "indented under a one-line 'for'", "t.gd:3:5 ^"),
    ("input x = 1\nfor t in 1..3:\noutput y = x", "expected an indented body after 'for t in 1..3:'",
     "t.gd:3:1 ^^^^^^"),
    ("for t 1..3: x = 1", "expected 'in' after 'for t'", "t.gd:1:7 ^"),
    ("for t in 1:3: x = 1", "expected '..' between the bounds", "t.gd:1:11 ^"),
    ("input x = 1\ndef f(a):\n    for k in 1..2: a = a * k\n    return a * k\noutput y = f(x)",
     "unknown name 'k' in the body of 'f'", "t.gd:4:16 ^"),      # the loop variable ends with the loop
]


@pytest.mark.parametrize("text,message,where", FUNCTION_ERRORS + LOOP_ERRORS)
def test_errors_name_the_place(text, message, where):
    e = parse_error(text)
    assert message in e.message
    assert place(e) == where


def test_a_huge_loop_is_refused_and_the_loop_variable_ends_with_the_loop():
    e = parse_error(f"input x = 1\nfor t in 1..{MAX_ITERATIONS + 1}: x = x * 1.5\noutput y = x")
    assert re.search(r"would unroll 100,001 iterations \(at most 100,000\)", e.message)
    e = parse_error("input x = 1\nfor t in 1..3: x = x * t\noutput y = x * t")
    assert e.message == "unknown name 't'" and e.hint == "'t' was the variable of the loop at line 2: it ends with the loop"
    # without an output, the last name bound (in the loop) is the output
    g = gd.parse("input x = 1\nfor t in 1..3: x = x * t")
    assert g.outputs[0][0] == "x" and g.eval()["x"] == 6
    g = gd.parse("input x = 1\ndef f(x):\n    q = x + 1\n    return q\ny = f(x)\nconst c = 2")
    assert [name for name, _ in g.outputs] == ["y"]          # not the local q, nor the constant


def test_a_long_loop_and_a_long_chain_of_calls_stay_fast_and_never_recurse():
    text = ("input x = 0.5\nconst a = 0.9\ndef cell(h, x) = tanh(a * h + x)\nh = x\n"
            "for t in 1..20000: h = cell(h, x * t)\noutput f = h\n")
    start = time.perf_counter()
    g = gd.parse(text)
    assert time.perf_counter() - start < 6      # about 1.5 s on a quiet machine
    assert len(g.groups) == 40_000 and g.groups[-2].name == "t=20000"
    assert g.call_path(g.output_node("f")) == "t=20000.cell.h#20001"
    # calls nested 1,500 deep (past Python's recursion limit, were calls inlined by recursion)
    chain = "".join(f"def f{k}(x) = f{k - 1}(x) + 1\n" for k in range(1, 1500))
    g = gd.parse("input x = 0\ndef f0(x) = x + 1\n" + chain + "output y = f1499(x)")
    assert g.eval()["y"] == 1500 and max(grp.depth for grp in g.groups) == 1500


# ---------------------------------------------------------------------------- fmt

def test_fmt_round_trips_definitions_and_loops():
    text = ("input x = [1, 2]\nconst A = [[1, 0], [0, 1]]\n"
            "def f(v, s):           # a comment stays\n"
            "    w = v * s + v ** 2\n"
            "    return sqrt(w * w) - 1\n"
            "def sq(u) = u^2\n"
            "h = x\n"
            "for t in 1..3: h = f(h, 2 - t) + f(A, t)[0] * sq(t)\n"
            "output y = sum(h)\n")
    unicode = format_text(text)
    # v is a vector in one call and a matrix in the other: v · s (not ⊙), and no superscript on v
    assert unicode.splitlines()[2:8] == [
        "def f(v, s):           # a comment stays",
        "    w = v · s + v ^ 2",
        "    return √(w ⊙ w) − 1",
        "def sq(u) = u²",                       # only ever called on numbers
        "h = x",
        "for t in 1..3: h = f(h, 2 − t) + f(A, t)[0] · sq(t)"]
    assert format_text(unicode, unicode=False) == format_text(text, unicode=False)
    assert structure(gd.parse(unicode)) == structure(gd.parse(text))


@pytest.mark.parametrize("name", ["sheet0/tanh_network.gd", "sheet1/one_hidden_layer.gd", "sheet3/two_layer.gd",
                                  "sheet3/residual_loss.gd", "sheet4/relu_softmax_nll.gd", "recurrence30.gd"])
def test_fmt_keeps_the_layered_curriculum(name):
    text = (GRAPHS / name).read_text(encoding="utf-8")
    ascii_ = format_text(text, unicode=False)
    assert format_text(format_text(ascii_), unicode=False) == ascii_
    assert structure(gd.parse(format_text(text))) == structure(gd.parse(text))


# ---------------------------------------------------------------------------- the curriculum in layers

LAYERED = {
    "sheet0/tanh_network.gd": ["hidden", "neuron"],
    "sheet0/composition.gd": ["G", "F"],
    "sheet1/one_hidden_layer.gd": ["hidden_layer", "output_layer"],
    "sheet3/two_layer.gd": ["hidden", "readout"],
    "sheet3/residual.gd": ["residual_block"],
    "sheet3/residual_loss.gd": ["residual_block"],
    "sheet3/training_error.gd": ["network"],
    "sheet4/relu_softmax.gd": ["relu_layer", "softmax_layer"],
    "sheet4/relu_softmax_nll.gd": ["relu_layer", "softmax_layer"],
    "relu_softmax.gd": ["relu_layer", "softmax_layer"],
}


@pytest.mark.parametrize("name", sorted(LAYERED))
def test_the_curriculum_networks_define_their_layers_as_functions(name):
    g = gd.load(GRAPHS / name)
    assert [(grp.name, grp.function) for grp in g.groups] == [(f, f) for f in LAYERED[name]]
    # every operation but the loss after the network is inside a layer
    inside = {i for grp in g.groups for i in g.members(grp.id)}
    last = g.groups[-1].outputs[0]
    assert all(i in inside for i in range(len(g)) if not g.node(i).is_leaf and i <= last)


def test_the_recurrence_has_thirty_steps_of_one_cell():
    g = gd.load(GRAPHS / "recurrence30.gd")
    steps = [grp for grp in g.groups if grp.parent == -1]
    cells = [grp for grp in g.groups if grp.function == "cell"]
    assert [grp.name for grp in steps] == [f"t={t}" for t in range(1, 31)]
    assert len(cells) == 30 and all(g.groups[c.parent].name == f"t={t}" for t, c in enumerate(cells, 1))
    assert all([g.node(i).op for i in g.members(c.id)] == ["matmul", "mul", "add", "add", "tanh"] for c in cells)
    x = g.node(g.names["x"]).value
    W, u, b = (g.node(g.input_node(n)).value for n in ("W", "u", "b"))
    h = np.zeros(2)
    for t in range(30):
        h = np.tanh(W @ h + u * x[t] + b)
    assert g.eval()["L"] == pytest.approx(0.5 * np.sum((h - [0.5, -0.25]) ** 2), rel=1e-14)
