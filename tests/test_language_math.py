"""Math as people write it (issue 12, items 1–3): Unicode spellings, constants, prod, slices,
comparisons and where, rebinding, `graphdiff fmt`, and errors that teach. Each test names the
complaint of the issue it answers."""
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import graphdiff as gd
from graphdiff import GraphError
from graphdiff.lang.fmt import format_text
from graphdiff.lang.lexer import SUPERSCRIPTS, UNICODE, Source, tokenize
from graphdiff.lang import parser
from conftest import GRAPHS, ROOT, run


def parse_error(text) -> GraphError:
    with pytest.raises(GraphError) as e:
        gd.parse(text, "t.gd")
    return e.value


def structure(g) -> list:
    """A graph's nodes without their spans: equal lists are the same DAG."""
    return [(n.op, n.operands, n.attrs, n.shape, n.names, None if n.value is None else n.value.tobytes())
            for n in g.nodes]


def same_graph(a: str, b: str) -> bool:
    return structure(gd.parse(a)) == structure(gd.parse(b))


# ------------------------------------------------------------------ Unicode math input

@pytest.mark.parametrize("unicode, ascii", [
    ("output f = √x", "output f = sqrt(x)"),
    ("output f = √(x + 1)", "output f = sqrt(x + 1)"),
    ("output f = √x² + √x·y", "output f = sqrt(x^2) + sqrt(x)*y"),      # √ binds like unary minus
    ("output f = x² + x³ − x⁻¹", "output f = x^2 + x^3 - x^-1"),
    ("output f = -x² + 2^x²", "output f = -x^2 + 2^x^2"),                # superscripts bind like ^
    ("output f = x − 1", "output f = x - 1"),
    ("output f = x · 3 + x × y + y ⊙ x", "output f = x * 3 + x * y + y * x"),
    ("n = 3\noutput f = xⁿ + x⁻ⁿ", "n = 3\noutput f = x^n + x^-n"),
    ("output f = π · x", "output f = pi * x"),
])
def test_math_as_written_means_its_ascii_form(unicode, ascii):
    head = "input x = 0.7\ninput y = 1.3\n"
    assert same_graph(head + unicode, head + ascii)


def test_transpose_greek_letters_and_subscripts():
    g = gd.parse("input A = [[1, 2], [3, 4]]\ninput α = 2\nx₁ = Aᵀ @ [1, 0]\noutput f = α · sum(x₁)")
    assert g.eval()["f"] == 2 * (1 + 2)
    assert g.input_names() == ("A", "α") and "x₁" in g.names


def test_superscripts_and_transpose_are_never_part_of_a_name():
    kinds = [(t.kind, t.text) for t in tokenize(Source("x₁²ᵀ + yⁿ"))][:-1]
    assert kinds == [("name", "x₁"), ("sup", "2"), ("op", ".T"), ("op", "+"), ("name", "y"), ("sup", "n")]


@pytest.mark.parametrize("text, char, instead", [
    ("output f = x ÷ 2", "U+00F7 DIVISION SIGN", "write /"),
    ("output f = x ≤ 2", "U+2264 LESS-THAN OR EQUAL TO", "write <="),
    ("output f = x ≠ 2", "U+2260 NOT EQUAL TO", "write !="),
    ("output f = ∂x", "U+2202 PARTIAL DIFFERENTIAL", "differentiates"),
    ("output f = x٣", "U+0663 ARABIC-INDIC DIGIT THREE", "ASCII digit 3"),     # names take 0-9 and ₀-₉ only
    ("output f = xᵢ", "U+1D62 LATIN SUBSCRIPT SMALL LETTER I", "x[i]"),
])
def test_an_unknown_character_is_named_and_its_ascii_form_given(text, char, instead):
    e = parse_error("input x = 1\n" + text)
    assert e.span.line == 2 and char in e.message and instead in e.hint


def test_a_superscript_power_of_a_matrix_is_refused_as_ambiguous():
    e = parse_error("input A = [[2, 1], [1, 3]]\noutput f = sum(A⁻¹)")
    assert "matrix" in e.message and "inv(X)" in e.hint and (e.span.line, e.span.col) == (2, 17)
    assert "X @ X" in parse_error("input A = [[2, 1], [1, 3]]\noutput f = sum(A²)").hint
    assert gd.parse("input v = [1, 2]\noutput f = sum(v²)").eval()["f"] == 5      # a vector's is entrywise


# ------------------------------------------------------------------ more of the language

def test_constants_pi_and_e_and_reserved_words():
    g = gd.parse("input x = 1\noutput f = pi * x + e + π")
    assert g.eval()["f"] == pytest.approx(2 * np.pi + np.e)
    assert gd.parse("input x = -pi\noutput f = x").eval()["f"] == -np.pi
    for text in ("input e = 1", "pi = 3", "input x = 1\nπ = x"):
        e = parse_error(text)
        assert "constant" in e.message and "input, const, output, pi, e" in e.message
    g = gd.parse("input x = 2\ndot = x * 3\nmax = dot + 1\noutput f = max(dot, max)")   # function names are names
    assert g.eval()["f"] == 7


def test_prod_has_a_derivative_without_division_by_zero():
    """Speelpenning's product, and an entry 0: the gradient is the product of the others, no NaN."""
    g = gd.parse("input x = [2, 0, 3, 5]\noutput f = prod(x)")
    value, grad = g.grad()
    assert value == 0
    np.testing.assert_array_equal(grad["x"], [0, 30, 0, 0])
    _, grad = gd.parse("input x = [0, 0, 3]\noutput f = prod(x)").grad()
    np.testing.assert_array_equal(grad["x"], [0, 0, 0])
    g = gd.parse("input x = [1.5, -0.5, 2, 0.25]\noutput f = prod(x)")
    np.testing.assert_allclose(g.grad(mode="forward")[1]["x"], [-0.25, 0.75, -0.1875, -1.5])


def test_slices_with_steps_on_vectors_and_matrices():
    g = gd.parse("""
        input x = [1, 2, 3, 4, 5]
        input A = [[1, 2, 3], [4, 5, 6]]
        output tail = x[1:]
        output head = x[:-1]
        output odd = x[::2]
        output rev = x[::-1]
        output col = A[:, 0]
        output mixed = A[1, ::-2]
        output block = A[:, 1:]
        output d = x[1:] - x[:-1]
    """)
    v = g.eval()
    x, A = np.arange(1.0, 6), np.array([[1.0, 2, 3], [4, 5, 6]])
    for name, want in (("tail", x[1:]), ("head", x[:-1]), ("odd", x[::2]), ("rev", x[::-1]), ("col", A[:, 0]),
                       ("mixed", A[1, ::-2]), ("block", A[:, 1:]), ("d", np.diff(x))):
        np.testing.assert_array_equal(v[name], want, err_msg=name)
    J = g.jacobian(mode="reverse").matrix
    np.testing.assert_array_equal(J, g.jacobian(mode="forward").matrix)
    # two spellings of the same entries are one node; a row is A[1] and A[1, :]
    g = gd.parse("input x = [1, 2, 3, 4]\ninput A = [[1, 2], [3, 4]]\na = x[1:]\nb = x[1:4]\nc = x[-3::1]\n"
                 "r = A[1]\ns = A[1, :]\noutput f = sum(a + b + c) + sum(r + s)")
    assert g.names["a"] == g.names["b"] == g.names["c"] and g.names["r"] == g.names["s"]
    e = parse_error("input x = [1, 2]\noutput f = x[::0]")
    assert "step cannot be 0" in e.message and (e.span.line, e.span.col) == (2, 13)
    assert "takes no entries" in parse_error("input x = [1, 2]\noutput f = x[2:]").message


def test_comparisons_and_where():
    g = gd.parse("input x = [-1, 0.5, 2]\noutput f = sum(where(x > 0, x^2, -x)) + sum(x <= 0.5)")
    value, grad = g.grad()
    assert value == 1 + 0.25 + 4 + 2
    np.testing.assert_array_equal(grad["x"], [-1, 1, 4])
    # comparisons bind looser than arithmetic and do not chain
    assert gd.parse("input x = 1\noutput f = x + 1 < 2 * x").eval()["f"] == 0
    e = parse_error("input x = 1\noutput f = 0 < x < 2")
    assert "do not chain" in e.message and (e.span.line, e.span.col) == (2, 18)
    # derivative 0, and a note where a = b
    sw = gd.forward(gd.parse("input x = 2\noutput f = x == 2"))
    assert sw.steps[-1].tangent == 0 and "a = b" in sw.steps[-1].note


def test_rebinding_a_name_builds_a_new_node():
    g = gd.parse("input x = 0.3\nx = 3.9 * x * (1 - x)\nx = 3.9 * x * (1 - x)\noutput f = x")
    x1 = 3.9 * 0.3 * 0.7
    assert g.eval()["f"] == pytest.approx(3.9 * x1 * (1 - x1))
    assert g.input_names() == ("x",)                 # an input keeps its name
    labels = [g.label(n.id) for n in g.nodes]
    assert "x#2" in labels and "x#3" in labels and g.label(g.outputs[0][1]) == "x#3"
    assert "already defined" in parse_error("input x = 1\ninput x = 2").message


# ------------------------------------------------------------------ errors that teach

@pytest.mark.parametrize("expr, col, suggestion", [
    ("2x", 13, "2*x"), ("2(x+1)", 13, "2*(x+1)"), ("x y", 14, "x*y"), ("2sin(x)", 13, "2*sin(x)"),
    ("x(x + 1)", 12, "x*(…)"),
])
def test_implicit_multiplication_suggests_the_product(expr, col, suggestion):
    e = parse_error(f"input x = 1\ny = 2\noutput f = {expr}")
    assert (e.span.line, e.span.col) == (3, col) and f"did you mean {suggestion}?" in e.hint


def test_a_misspelt_function_suggests_functions_of_the_same_arity_first():
    e = parse_error("input x = 1\noutput f = tanh2(x, 1)")      # tanh takes 1 argument, atan2 two
    assert e.hint.startswith("did you mean 'atan2'?")
    assert parse_error("input x = 1\noutput f = sofmax(x)").hint == "did you mean 'softmax'?"


def test_an_unclosed_bracket_is_named_at_the_bracket():
    e = parse_error("input x = 1\noutput f = (x + 2\n\n")
    assert (e.span.line, e.span.col) == (2, 12) and e.message == "'(' was never closed"
    e = parse_error("input x = 1\noutput f = exp(x\noutput g = x)")  # closed only a line later
    assert (e.span.line, e.span.col) == (2, 15) and "not closed before line 3" in e.message
    e = parse_error("input x = [1, 2]\noutput f = sum(x]")
    assert (e.span.line, e.span.col) == (2, 17) and "does not match the '(' at 2:15" in e.message


# ------------------------------------------------------------------ graphdiff fmt

def test_fmt_round_trips_every_graph_of_the_curriculum():
    for path in sorted(GRAPHS.rglob("*.gd")):
        text = path.read_text(encoding="utf-8")
        ascii_ = format_text(text, str(path), unicode=False)
        unicode = format_text(ascii_, str(path))
        assert format_text(unicode, str(path), unicode=False) == ascii_, path
        assert format_text(unicode, str(path)) == unicode, path
        assert structure(gd.parse(unicode)) == structure(gd.parse(text)), path
        assert unicode.count("#") == text.count("#") and unicode.count("\n") == text.count("\n")


@pytest.mark.parametrize("written, ascii_, unicode", [
    ("x²**2", "(x^2)^2", "x²^2"),            # x²² would be x^22
    ("y²[0]", "(y^2)[0]", "y²[0]"),          # y^2[0] would index the 2
    ("x^2^3", "x^2^3", "x^2³"),              # x²^3 would be (x²)^3
    ("2^x^2", "2^x^2", "2^x²"),
    ("sqrt(x)^2", "sqrt(x)^2", "sqrt(x)²"),  # √(x)² would be √(x²)
    ("sqrt(y)[1]", "sqrt(y)[1]", "sqrt(y)[1]"),
    ("√x² + √(x)·y[0]", "sqrt(x^2) + sqrt(x)*y[0]", "√x² + √(x)·y[0]"),
    ("x ^ 2 + x^0.5 + x**-2", "x ^ 2 + x^0.5 + x^-2", "x ^ 2 + x^0.5 + x⁻²"),
    ("y*y + 2*y", "y*y + 2*y", "y⊙y + 2·y"),
    ("sum(y)ᵀ - 2ᵀ + 2.T + 2.", "sum(y).T - 2.T + 2.T + 2.", "sum(y)ᵀ − 2ᵀ + 2ᵀ + 2."),
])
def test_fmt_changes_only_the_spelling(written, ascii_, unicode):
    head = "input x = 0.5\ninput y = [1, 2]\noutput f = "
    assert format_text(head + written, unicode=False) == head + ascii_
    assert format_text(head + written) == head + unicode
    assert same_graph(head + written, head + ascii_) and same_graph(head + ascii_, head + unicode)


def test_fmt_keeps_comments_and_their_columns(tmp_path, capsys):
    text = ("input x = 0.7        # the input; x·y and √ in a comment stay as they are\n"
            "u = sqrt(x^2 + 1)    # u\n"
            "input A = [[2, 1], [1, 3]]\n"
            "output f = sum(A^2 * A) + u ** 2 - A.T[0, 1] * pi   # done\n")
    src = tmp_path / "g.gd"
    src.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "fmt", src)
    assert code == 0, err
    assert out == ("input x = 0.7        # the input; x·y and √ in a comment stay as they are\n"
                   "u = √(x² + 1)        # u\n"
                   "input A = [[2, 1], [1, 3]]\n"
                   "output f = sum(A^2 ⊙ A) + u ^ 2 − Aᵀ[0, 1] · π      # done\n")
    code, back, err = run(capsys, "fmt", src, "--ascii")
    assert code == 0 and back == text.replace("u ** 2", "u ^ 2").replace("pi   #", "pi    #")   # ** is ^
    assert run(capsys, "fmt", src, "--ascii", "--json")[1] == json.dumps({"spelling": "ascii", "text": back},
                                                                        ensure_ascii=False) + "\n"
    out_file = tmp_path / "u.gd"
    assert run(capsys, "fmt", src, "-o", out_file)[:2] == (0, "")
    assert out_file.read_text(encoding="utf-8") == out


def test_fmt_reports_a_bad_file_and_needs_shapes_for_superscripts(tmp_path, capsys):
    src = tmp_path / "bad.gd"
    src.write_text("input x = 1\noutput f = 2x\n")
    code, out, err = run(capsys, "fmt", src)
    assert code == 2 and out == "" and "did you mean 2*x?" in err
    src.write_text("input X\noutput f = sum(X^2)\n")
    assert run(capsys, "fmt", src)[1] == "input X\noutput f = sum(X^2)\n"       # shape unknown: kept
    assert run(capsys, "fmt", src, "--at", "X=[1, 2]")[1] == "input X\noutput f = sum(X²)\n"
    assert run(capsys, "fmt", src, "--at", "X=[[1, 2], [3, 4]]")[1] == "input X\noutput f = sum(X^2)\n"


# Random programs in a random mixture of both spellings: fmt --ascii and fmt --unicode of each build
# the same DAG as the program (same stats, same derivatives), and the two spellings round-trip.
LEAVES = ["x", "y", "α", "x₁", "n", "2", "0.5", "pi", "π", "e", "sum(y[1:])", "y[::2][1]", "prod(y)", "(y)²[0]",
          "y[-1]ᵀ", "sum(y ⊙ y)", "y[:−1][0]"]
UNARY = ["sqrt(1 + ({})^2)", "√(1 + ({})²)", "√(1 + {}**2)", "√{}", "sqrt({})", "-{}", "−{}", "exp(-({})²)",
         "tanh({})", "({})^2", "{}^2", "{}²", "{}^-1", "{}⁻¹", "{}^n", "{}ⁿ", "({}) ^ 2", "({})**2", "({})³ᵀ",
         "{}.T", "sin({})ᵀ", "(1 + ({})²)⁻¹", "(2 + tanh({}))^-1", "sqrt({})^2", "sqrt(1 + y + ({})²)[0]"]
BINARY = ["{} + {}", "{} - {}", "{} − {}", "{} * {}", "{} · {}", "{} × {}", "{} ⊙ {}", "{}/(2 + tanh({}))",
          "where({} < 0.3, {}, 1)", "max({}, {})", "({} >= 1)·{}", "{}^{}"]


def programs():
    expr = st.recursive(
        st.sampled_from(LEAVES),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0].format(t[1])),
            st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: "(" + t[0].format(t[1], t[2]) + ")"),
        ),
        max_leaves=10,
    )
    return st.tuples(expr, expr, st.sampled_from(["", "   # a comment", "# √x"]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_fmt_round_trip_property(program):
    e1, e2, comment = program
    text = (f"input x = 0.3\ninput y = [0.5, -0.2, 0.9]{comment}\ninput α = -0.7\ninput x₁ = 1.1; n = 2\n"
            f"a = {e1}\nb = {e2}{comment}\na = a · b + b\noutput f = sum(a * b) + sum(a)\noutput g = a + b\n")
    ascii_, unicode = format_text(text, unicode=False), format_text(text)
    assert format_text(unicode, unicode=False) == ascii_                  # the spellings agree
    assert format_text(format_text(ascii_), unicode=False) == ascii_      # ASCII → Unicode → ASCII is exact
    assert format_text(ascii_, unicode=False) == ascii_ and format_text(unicode) == unicode
    g, ga, gu = gd.parse(text), gd.parse(ascii_), gd.parse(unicode)
    assert structure(ga) == structure(gu) == structure(g)
    assert ga.stats() == gu.stats() == g.stats()
    J = g.jacobian(mode="forward").matrix
    np.testing.assert_array_equal(ga.jacobian(mode="forward").matrix, J)
    np.testing.assert_array_equal(gu.jacobian(mode="reverse").matrix, g.jacobian(mode="reverse").matrix)


def test_the_language_reference_covers_the_syntax_tables():
    """docs/language.md is written by hand: every spelling of the parser's and lexer's tables is in it."""
    doc = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for word in [*parser.KEYWORDS, *parser.CONSTANTS, *parser.BINARY, *parser.PREFIX, *UNICODE, *SUPERSCRIPTS]:
        assert f"`{word}`" in doc or word in doc.replace("`", ""), word
    assert "(operations.md)" in doc
