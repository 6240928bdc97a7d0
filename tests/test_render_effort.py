"""Rendering in bounded time: the effort level from the graph's shape, leaves split beside their
consumers, the time limit and the layered fallback."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.render import to_dot
from graphdiff.render.build import SPLIT_FANOUT, split_set
from graphdiff.render.effort import (FULL_WORK, Shape, draw_layered, parse_graph, ranks_of, run_layout,
                                     shape_of)


def recurrence(lines: int) -> gd.Graph:
    """t_k = sin(t_{k-1}) * x + t_{k-2}: the input x feeds every line (issue 15's hanging case)."""
    g = gd.Graph()
    x, y, t0 = g.input("x", 0.5), g.input("y", 0.3), g.input("t0", 0.1)
    prev2, prev = t0, gd.sin(t0) * x + y
    for _ in range(lines - 1):
        prev2, prev = prev, gd.sin(prev) * x + prev2
    g.output("f", prev)
    return g


def test_shape_counts_the_virtual_nodes_of_long_edges():
    nodes = ["a", "b", "c", "d"]
    assert ranks_of(nodes, [("a", "b"), ("b", "c"), ("c", "d")]) == {"a": 0, "b": 1, "c": 2, "d": 3}
    s = shape_of(nodes, [("a", "b"), ("b", "c"), ("c", "d"), ("a", "d")])
    assert (s.ranks, s.span, s.work) == (4, 2, 6)
    # a source is pulled next to its first consumer, as dot's ranking does
    assert ranks_of(["a", "b", "s"], [("a", "b"), ("s", "b")])["s"] == 0
    assert Shape(100, 120, 50, 10).level == "full"
    assert Shape(3000, 5000, 900, 20000).level == "bounded"
    assert Shape(600, 1000, 600, 60000).level == "minimal"
    assert Shape(6000, 10000, 6000, 6_000_000).level == "layered"


def test_parse_graph_reads_our_dot():
    src = to_dot(gd.load("graphs/peyre.gd")).source
    nodes, edges = parse_graph(src)
    assert "n7" in nodes and ("n7", "n8") in edges and "graph" not in nodes and "node" not in nodes


def test_split_leaves_draw_a_copy_beside_each_consumer():
    g = recurrence(10)
    x = g.input_node("x")
    assert split_set(g) == {x} and g.fanout(x) == 10 >= SPLIT_FANOUT
    assert split_set(g, "none") == frozenset() and split_set(g, "2") >= {x, g.input_node("t0")}
    src = to_dot(g).source
    copies = re.findall(rf"^\s*(l{x}_\d+_\d) \[", src, re.M)
    assert len(copies) == 10 and f"\tn{x} [" not in src
    assert len(re.findall(rf"^\s*l{x}_\d+_\d -> n\d+ \[id=e{x}_", src, re.M)) == 10
    nodes, edges = parse_graph(src)
    assert shape_of(nodes, edges).work < FULL_WORK            # no edge spans the picture any more
    unsplit = shape_of(*parse_graph(to_dot(g, split_leaves="none").source))
    assert unsplit.span > 3 * shape_of(nodes, edges).span
    with pytest.raises(gd.GraphError, match="split-leaves"):
        split_set(g, "sometimes")


def test_split_leaf_copies_light_up_at_the_leafs_step():
    g = recurrence(8)
    sw = gd.reverse(g)
    x = g.input_node("x")
    k = next(s.index for s in sw.steps if s.node == x)
    src = to_dot(g, sw, k).source
    copies = re.findall(rf"^\s*l{x}_\d+_\d \[.*?fillcolor=\"([^\"]+)\"", src, re.M)
    assert len(copies) == 8 and set(copies) == {gd.render.LIGHT.current_fill}


def test_bad_split_value_exits_2(tmp_path, capsys):
    assert main(["render", "graphs/peyre.gd", "-o", str(tmp_path / "g.dot"), "--split-leaves", "1"]) == 2
    assert "split-leaves" in capsys.readouterr().err


@pytest.mark.dot
def test_recurrence_of_200_lines_is_laid_out_at_full_effort(tmp_path):
    g = recurrence(200)
    assert shape_of(*parse_graph(to_dot(g).source)).level == "full"        # split: no long edges left
    assert shape_of(*parse_graph(to_dot(g, split_leaves="none").source)).level == "minimal"
    gd.render.render(g, tmp_path / "r.svg")            # timed in benchmarks/bench_render.py
    ET.parse(tmp_path / "r.svg")


@pytest.mark.dot
def test_frames_finish_when_every_layout_runs_out_of_time(tmp_path, monkeypatch, capsys):
    """issue 17: `frames … --gif … --pdf` had no bound. Every dot run now has a time limit; here
    each one 'times out', and the frames still come, from the layered fallback."""
    from graphdiff.render import effort
    real = effort.run_tool

    def slow_dot(cmd, source, timeout):
        if cmd[0] == "dot":
            raise effort.LayoutTimeout("dot ran past its limit")
        return real(cmd, source, timeout)
    monkeypatch.setattr(effort, "run_tool", slow_dot)
    assert main(["frames", "graphs/peyre.gd", "-o", str(tmp_path / "f"), "--gif", str(tmp_path / "a.gif"),
                 "--pdf", str(tmp_path / "a.pdf"), "--dpi", "40"]) == 0
    assert len(list((tmp_path / "f").glob("frame-*.png"))) == 9
    assert "simple layered layout" in capsys.readouterr().err


@pytest.mark.dot
def test_layered_fallback_draws_every_node(capsys):
    g = gd.load("graphs/peyre.gd")
    src = to_dot(g, gd.reverse(g), 3).source
    nodes, edges = parse_graph(src)
    svg = draw_layered(src, "svg", nodes, edges, rankdir="LR").decode()
    drawn = set(re.findall(r"<title>(\w+)</title>", svg))
    assert set(nodes) <= drawn
    # a layout that runs out of time hands over to the fallback, and says so
    laid = run_layout(src, "json0", level="layered")
    assert laid.level == "layered" and "simple layered layout" in capsys.readouterr().err
    assert run_layout(src, "json0").level == "full"
