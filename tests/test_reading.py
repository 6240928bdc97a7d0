"""Reading a large file (issue 11): how the lexer, the parser and the lowering spend their work,
checked by counting, never by timing (benchmarks/bench_engine.py times the 100,000-line read)."""
import gc
import math
import tracemalloc

import pytest

import graphdiff as gd
from graphdiff import GraphError
from graphdiff.lang.lexer import tokenize
from graphdiff.source import Source, Span


def recurrence(lines: int) -> str:
    """The benchmark's recurrence: t_k = sin(t_{k-1}) * x + t_{k-2}, three nodes a line."""
    out = ["input x = 0.3", "input y = 0.7", "t0 = x * y", "t1 = sin(t0) * x + y"]
    out += [f"t{k} = sin(t{k - 1}) * x + t{k - 2}" for k in range(2, lines)]
    return "\n".join(out + [f"output f = t{lines - 1}"]) + "\n"


@pytest.fixture
def spans_made(monkeypatch):
    """How many Spans have been made since the fixture was set up."""
    made = [0]
    init = Span.__init__

    def counting(self, *args, **kw):
        made[0] += 1
        init(self, *args, **kw)

    monkeypatch.setattr(Span, "__init__", counting)
    return made


def test_the_lexer_makes_no_span_per_token(spans_made):
    tokens = tokenize(Source(recurrence(1000)))
    assert len(tokens) > 11_000 and spans_made[0] == 0
    # a token's place is made when asked for, and is that of what was written
    t = tokenize(Source("x₁ᵀ + π·y²  # c\n"))
    assert [(k.kind, k.text, k.span.offset, k.span.length) for k in t] == [
        ("name", "x₁", 0, 2), ("op", ".T", 2, 1), ("op", "+", 4, 1), ("name", "pi", 6, 1), ("op", "*", 7, 1),
        ("name", "y", 8, 1), ("sup", "2", 9, 1), ("newline", "\n", 15, 1), ("eof", "", 16, 1)]
    assert spans_made[0] == 9


def tokens_or_error(text: str):
    try:
        t = tokenize(Source(text, "t.gd"))
    except GraphError as e:
        return e.format()
    return [(k.kind, k.text, k.span.offset, k.span.length) for k in t]


TEXTS = ["f = (a\n  + b) * [1,\n 2]\n\n\n# a comment (\ng = 1;; h = 2\n",
         "  x₁ᵀ + π·y² − √z⁻¹  # c\n\ny = x)\nz = (y\n)\n",    # a ')' that closes nothing, then a '(' closed
         "x = a)\ny = (b\n",                                    # ... and a '(' never closed
         "x = [(1,\n2)]\ny = 2 ÷ x\n"]


@pytest.mark.parametrize("text", TEXTS)
def test_the_lexer_reads_the_same_tokens_a_chunk_at_a_time(text, monkeypatch):
    whole = tokens_or_error(text)
    for chunk in (1, 2, 3, 5):
        monkeypatch.setattr("graphdiff.lang.lexer._CHUNK", chunk)
        assert tokens_or_error(text) == whole


def test_a_closing_bracket_that_closes_nothing_leaves_the_brackets_open_as_they_were():
    assert tokens_or_error("x = a)\ny = (b\n").startswith("t.gd:2:5: error: '(' was never closed")
    kinds = [k for k, *_ in tokens_or_error("y = x)\nz = (y\n)\n")]
    assert kinds == ["name", "op", "name", "op", "newline", "name", "op", "op", "name", "op", "newline", "eof"]
    e = parse_error_of("input x = 1\ny = x)\nz = (y\n)\n")
    assert (e.span.line, e.span.col) == (2, 6) and e.message == "unmatched ')': no '(' is open"


def parse_error_of(text: str) -> GraphError:
    with pytest.raises(GraphError) as e:
        gd.parse(text, "t.gd")
    return e.value


def test_reading_makes_a_span_per_node_not_per_token(spans_made):
    lines = 2000
    g = gd.parse(recurrence(lines))
    assert len(g) == 3 * lines
    # one for each new node (the three ops of a line) and one for the statement's name; a name used
    # as an operand makes none (there are 11 tokens a line)
    assert spans_made[0] <= 4 * lines + 50     # (a few more for the declarations, read off the common path)


def test_a_long_recurrence_reads_with_every_node_in_its_place():
    lines = 20_000
    g = gd.parse(recurrence(lines), "rec.gd")
    a, b = 0.3 * 0.7, math.sin(0.3 * 0.7) * 0.3 + 0.7
    for _ in range(2, lines):
        a, b = b, math.sin(b) * 0.3 + a
    assert len(g) == 3 * lines and g.eval()["f"] == pytest.approx(b, rel=1e-12)
    last = g.node(g.output_node("f"))
    assert str(last.span) == f"rec.gd:{lines + 2}:{len(f't{lines - 1} = sin(t{lines - 2}) * x ') + 1}"
    assert last.op == "add" and last.span.length == 1
    call = g.node(g.node(last.operands[0]).operands[0])
    assert call.op == "sin" and (call.span.line, call.span.col, call.span.length) == (lines + 2, len(f"t{lines - 1} = ") + 1, 3)


def test_the_peak_memory_of_a_read_is_under_a_kilobyte_a_node():
    text = recurrence(5000)
    gc.collect()
    tracemalloc.start()
    try:
        g = gd.parse(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak / len(g) < 1000


@pytest.mark.parametrize("text", [recurrence(50), "input x = 1\noutput f = x +", "input x = 1\noutput f = 2 ÷ x"])
def test_the_garbage_collector_is_paused_only_while_a_file_is_read(text, monkeypatch):
    seen = []
    apply = gd.Graph.apply

    def noting(self, *args, **kw):
        seen.append(gc.isenabled())
        return apply(self, *args, **kw)

    monkeypatch.setattr(gd.Graph, "apply", noting)
    assert gc.isenabled()
    try:
        gd.parse(text)
    except GraphError:
        pass
    assert gc.isenabled() and not any(seen)
    gc.disable()          # a caller that turned it off finds it off
    try:
        try:
            gd.parse(text)
        except GraphError:
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
