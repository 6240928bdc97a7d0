"""Graph pictures: DOT source (labels, highlights, sharing, pinned frames) without Graphviz, and
each output format through the real `dot` (marked `dot`)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.render import Picture, render, to_dot
from graphdiff.render.build import XLABEL_NODES, parse_show
from graphdiff.cli.common import step_index
from graphdiff.render.frames import frame_dots, frame_name, layout_pins
from graphdiff.render.labels import math_name, num, value_text
from graphdiff.render.notebook import mimebundle, plain
from graphdiff.render.output import unique_svg_ids
from graphdiff.render.themes import DARK, LIGHT

from conftest import GRAPHS

PEYRE = str(GRAPHS / "peyre.gd")


@pytest.fixture(scope="module")
def peyre():
    return gd.load(PEYRE)


def nodes_of(src: str) -> dict[str, str]:
    """node id -> its attribute text, from DOT source."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s*(\w+) \[(.*?)\]$", src, re.M | re.S)
            if "->" not in m.group(0)}


def edges_of(src: str) -> list[tuple[str, str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)(?: \[(.*?)\])?$", src, re.M | re.S)


def attr(text: str, name: str) -> str | None:
    m = re.search(rf"\b{name}=(\"[^\"]*\"|<.*>|[^\s\]]+)", text, re.S)
    return m.group(1).strip('"') if m else None


# ------------------------------------------------------------------ the DAG and its sharing

def test_peyre_has_eight_operation_nodes_and_shared_log_and_sqrt(peyre):
    src = to_dot(peyre).source
    nodes = {k: v for k, v in nodes_of(src).items() if re.fullmatch(r"n\d+", k)}
    ops = [k for k in nodes if peyre.node(int(k[1:])).op != "input"]
    assert len(ops) == 8
    log = nodes["n7"]
    sqrt = nodes["n5"]
    assert ">log<" in log and "2 uses" in log
    assert ">√<" in sqrt and "2 uses" in sqrt
    # fan-out drawn: one edge from the shared node to each consumer
    out = lambda k: sorted(b for a, b, _ in edges_of(src) if a == k)
    assert out("n7") == ["n10", "n8"] and out("n5") == ["n6", "n8"]
    assert attr(log, "color") == LIGHT.shared and attr(nodes["n4"], "color") == LIGHT.node_border


def test_tree_beside_the_dag_repeats_what_the_dag_shares(peyre):
    src = to_dot(peyre, tree=True).source
    assert "cluster_d" in src and "cluster_t" in src
    dag = [v for k, v in nodes_of(src).items() if k.startswith("dn")]
    tree = [v for k, v in nodes_of(src).items() if k.startswith("tn")]
    count = lambda vs, sym: sum(f">{sym}<" in v for v in vs)
    assert (count(dag, "√"), count(dag, "log")) == (1, 1)
    assert (count(tree, "√"), count(tree, "log")) == (3, 2)
    assert "8 operations" in src and f"{peyre.tree().n_ops()} operations" in src


def test_inputs_outputs_and_constants_are_distinct(peyre):
    nodes = nodes_of(to_dot(peyre).source)
    assert attr(nodes["n0"], "fillcolor") == LIGHT.input_fill and "input" in nodes["n0"]
    assert attr(nodes["n11"], "fillcolor") == LIGHT.output_fill and "output" in nodes["n11"]
    consts = [k for k in nodes if k.startswith("c")]
    assert len(consts) == 3 and all(attr(nodes[k], "shape") == "plain" for k in consts)


def test_names_are_math_with_subscripts():
    assert math_name("v12") == "<I>v</I><SUB>12</SUB>"
    assert math_name("x_0") == "<I>x</I><SUB>0</SUB>"
    assert math_name("loss") == "loss"
    assert math_name("u", "\u0304") == "<I>u\u0304</I>"
    assert "<SUB></SUB>" not in math_name("x")
    assert num(-0.0) == "0" and num(-1.5) == "−1.5" and num(1e-7) == "1·10<SUP>−7</SUP>"


def test_small_arrays_show_entries_and_large_ones_their_shape():
    assert value_text([1.0, -2.0]) == "[1, −2]"
    assert value_text([[1, 2], [3, 4]]).startswith("<TABLE")
    assert value_text(list(range(20))).startswith("20 in [0, 19]")


# ------------------------------------------------------------------ a step of a sweep

def test_reverse_step_highlights_node_terms_and_equation(peyre):
    sw = gd.reverse(peyre)
    k = next(s.index for s in sw.steps if s.node == 7)     # v = log(...): two consumers
    src = to_dot(peyre, sw, k).source
    nodes = nodes_of(src)
    assert attr(nodes["n7"], "fillcolor") == LIGHT.current_fill and attr(nodes["n7"], "penwidth") == "3"
    assert attr(nodes["n0"], "fillcolor") == LIGHT.pending_fill         # x: pending in reverse mode
    assert attr(nodes["n11"], "fillcolor") == LIGHT.output_fill          # f: done
    hot = {(a, b) for a, b, at in edges_of(src) if at and f'color="{LIGHT.current_border}"' in at}
    assert hot == {("n7", "n8"), ("n7", "n10")}
    assert "−1.278" in src and "0.8192" in src                           # the two terms
    assert f"step {k + 1} of {len(sw.steps)}" in src
    assert "(−1)·1.278 + 1·0.8192 = −0.4587" in src
    # done nodes show their adjoint, pending ones do not
    assert "v\u0304</I> = 1" in nodes["n11"] and "v\u0304</I> =" not in nodes["n0"]


def test_forward_seed_step_and_tangent_rows(peyre):
    sw = gd.forward(peyre)
    src0 = to_dot(peyre, sw, 0).source
    assert "(seed)" in src0
    last = to_dot(peyre, sw, len(sw.steps) - 1).source
    assert "v\u0307</I> =" in nodes_of(last)["n11"]


def test_annotations_switch_on_and_off(peyre):
    sw = gd.reverse(peyre)
    bare = to_dot(peyre, sw, 3, show=set()).source
    assert "= 0.6527" not in bare and "v\u0304" not in bare and "∂ =" not in bare
    partials = to_dot(peyre, show={"partials"}).source
    assert partials.count("∂ = ") >= 10                    # every non-constant edge
    ls = gd.load(GRAPHS / "sheet0" / "least_squares.gd")
    shapes = to_dot(ls, show={"shapes"}).source
    assert ">3×2<" in shapes and ">2<" in shapes
    assert parse_show("value,adjoint", "reverse") == {"values", "adjoints"}
    assert parse_show("all", None) >= {"partials", "equation"}
    with pytest.raises(gd.GraphError, match="did you mean 'values'"):
        parse_show("valuez", None)


def test_themes_rankdir_and_title(peyre):
    src = to_dot(peyre, theme="dark", rankdir="TB", title="a <b> & c").source
    assert f'bgcolor="{DARK.background}"' in src and "rankdir=TB" in src
    assert "a &lt;b&gt; &amp; c" in src
    with pytest.raises(gd.GraphError):
        to_dot(peyre, theme="neon")


def test_big_graphs_use_external_edge_labels():
    g = gd.Graph()
    v = g.input("x", 0.5)
    for _ in range(XLABEL_NODES):
        v = gd.sin(v)
    g.output("f", v)
    src = to_dot(g, show={"partials"}).source
    assert "xlabel=" in src and " label=<" not in src.split("->", 1)[1].split("\n", 1)[0]


def test_step_numbers_count_from_one():
    assert step_index("1", 9) == 0 and step_index("-1", 9) == 8 and step_index("last", 9) == 8
    for bad in ("0", "10", "x"):
        with pytest.raises(gd.GraphError):
            step_index(bad, 9)


def test_frame_names_sort_in_step_order():
    names = [frame_name(k, 1200, "png") for k in range(1200)]
    assert names == sorted(names) and names[0] == "frame-0001.png"
    assert frame_name(0, 9, "svg") == "frame-001.svg"


def test_notebook_text_fallback_without_dot(peyre, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    sw = gd.reverse(peyre)
    b = mimebundle(peyre, sw, 3)
    assert set(b) == {"text/plain"} and "8 operations" in b["text/plain"]
    assert "v̄₁₀" in b["text/plain"] and "install Graphviz" in b["text/plain"]
    assert plain("<I>v</I><SUB>12</SUB> &lt; 1·10<SUP>−7</SUP>") == "v₁₂ < 1·10^−7"


def test_svg_ids_made_unique_per_picture():
    svg = '<svg><symbol id="glyph0-1"/><use xlink:href="#glyph0-1"/><g clip-path="url(#clip1)"/><clipPath id="clip1"/></svg>'
    out = unique_svg_ids(svg, "p7-")
    assert 'id="p7-glyph0-1"' in out and 'href="#p7-glyph0-1"' in out and "url(#p7-clip1)" in out


# ------------------------------------------------------------------ command-line errors (no dot needed)

def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_render_dot_source_needs_no_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    rc, out, err = run(capsys, "render", PEYRE, "-o", str(tmp_path / "g.dot"), "--step", "4")
    assert rc == 0 and (tmp_path / "g.dot").read_text().startswith("digraph")


@pytest.mark.parametrize("target, message", [
    ("missing/g.png", "does not exist"),
    ("g.jpg", "cannot tell the output format"),
    ("g", "no extension"),
    ("g.svgz", "cannot tell the output format"),
])
def test_bad_output_paths_exit_2(tmp_path, capsys, target, message):
    rc, out, err = run(capsys, "render", PEYRE, "-o", str(tmp_path / target))
    assert rc == 2 and out == "" and message in err
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_binary_exits_2_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    rc, out, err = run(capsys, "render", PEYRE, "-o", str(tmp_path / "g.png"))
    assert rc == 2 and "Graphviz's 'dot' program is not installed" in err and "apt-get install graphviz" in err
    rc, out, err = run(capsys, "frames", PEYRE, "-o", str(tmp_path / "frames"), "--gif", str(tmp_path / "a.gif"))
    assert rc == 2 and "not installed" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_step_and_options_exit_2(tmp_path, capsys):
    for argv in (["--step", "0"], ["--step", "99"], ["--show", "colours"], ["--mode", "primal", "--seed", "x"],
                 ["--tree", "--mode", "reverse"], ["--dpi", "0"]):
        rc, out, err = run(capsys, "render", PEYRE, "-o", str(tmp_path / "g.dot"), *argv)
        assert rc == 2 and out == "" and err.startswith("error:"), argv
    rc, out, err = run(capsys, "frames", PEYRE, "-o", str(tmp_path / "f"), "--gif", str(tmp_path / "a.png"))
    assert rc == 2 and ".gif" in err
    (tmp_path / "file").write_text("x")
    rc, out, err = run(capsys, "frames", PEYRE, "-o", str(tmp_path / "file"))
    assert rc == 2 and "not a folder" in err


# ------------------------------------------------------------------ with the real dot

@pytest.mark.dot
def test_each_format_through_dot(tmp_path, capsys, peyre):
    rc, out, err = run(capsys, "render", PEYRE, "-o", str(tmp_path / "g.svg"), "--step", "4", "--json")
    assert rc == 0 and '"step": 4' in out
    ET.parse(tmp_path / "g.svg")                                       # SVG parses as XML
    assert main(["render", PEYRE, "-o", str(tmp_path / "g.png"), "--tree"]) == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["render", PEYRE, "-o", str(tmp_path / "g.pdf"), "--mode", "forward", "--theme", "dark"]) == 0
    assert (tmp_path / "g.pdf").read_bytes()[:5] == b"%PDF-"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary files left
    capsys.readouterr()


@pytest.mark.dot
def test_frames_pinned_gif_and_pdf_one_per_step(tmp_path, capsys, peyre):
    from PIL import Image
    from pypdf import PdfReader
    sw = gd.reverse(peyre)
    n = len(sw.steps)
    # positions are pinned: every frame carries the same pos for every node and edge
    dots = frame_dots(peyre, sw, pins=layout_pins(peyre, sw))
    pos = [dict(re.findall(r'^\s*(\w+) \[.*?\bpos="([^"]+)"', d.source, re.M | re.S)) for d in dots]
    assert len(pos[0]) >= 12 and all(p == pos[0] for p in pos)
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "frame-999.png").write_bytes(b"old")           # a stale frame of an earlier run
    (tmp_path / "frames" / "notes.txt").write_text("keep")
    rc, out, err = run(capsys, "frames", PEYRE, "--mode", "reverse", "-o", str(tmp_path / "frames"),
                       "--gif", str(tmp_path / "a.gif"), "--pdf", str(tmp_path / "a.pdf"), "--dpi", "60")
    assert rc == 0, err
    files = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert files == [frame_name(k, n, "png") for k in range(n)] + ["notes.txt"]
    sizes = {Image.open(tmp_path / "frames" / f).size for f in files if f.endswith(".png")}
    assert len(sizes) == 1
    assert Image.open(tmp_path / "a.gif").n_frames == n
    assert len(PdfReader(tmp_path / "a.pdf").pages) == n


@pytest.mark.dot
def test_every_curriculum_graph_makes_valid_dot():
    """Graphviz accepts the labels of every example, at a middle step of both sweeps."""
    from graphdiff.render.output import pipe
    for path in sorted(GRAPHS.rglob("*.gd")):
        g = gd.load(path)
        for sweep in (gd.forward, gd.reverse):
            sw = sweep(g)
            pipe(to_dot(g, sw, len(sw.steps) // 2, show=parse_show("all", sw.mode)), "json0")


@pytest.mark.dot
def test_two_thousand_nodes_render_to_svg(tmp_path):
    import random
    rng = random.Random(0)   # an AD-like DAG, as benchmarks/bench_render.py: one or two recent operands
    g = gd.Graph()
    vs = [g.input("x", 0.3), g.input("y", 0.7)]
    while g.n_ops() < 2000:
        a = vs[-1 - rng.randrange(min(len(vs), 6))]
        b = vs[-1 - rng.randrange(min(len(vs), 30))]
        vs.append((a * b, a + b, gd.sin(a), gd.tanh(a) - b)[rng.randrange(4)])
    g.output("f", vs[-1])
    render(g, tmp_path / "big.svg")
    ET.parse(tmp_path / "big.svg")


@pytest.mark.dot
def test_picture_displays_svg_in_notebooks(peyre):
    b = Picture(peyre, gd.reverse(peyre), 3)._repr_mimebundle_()
    assert b["image/svg+xml"].lstrip().startswith("<?xml") and "step 4 of 9" in b["text/plain"]
    ET.fromstring(b["image/svg+xml"].encode())
    assert set(Picture(peyre)._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}


@pytest.mark.dot
def test_svg_keeps_labels_as_text_and_is_smaller_than_cairos(peyre):
    """SVG through Graphviz's core renderer: labels are <text> (log, √, v̄ found as text), sub- and
    superscripts smaller and shifted, and the file smaller than the outlined glyphs of svg:cairo."""
    import subprocess
    from graphdiff.render.output import SVG_FONTS, pipe
    dg = to_dot(peyre, gd.reverse(peyre), 3)
    svg = pipe(dg, "svg")
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "log" in texts and "√" in texts and any("v̄" in t for t in texts)
    assert any("−0.4587" in t for t in texts)
    assert SVG_FONTS.encode() in svg and b"baseline-shift" not in svg
    sub = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == "10"]
    assert sub and {t.get("font-size") for t in sub} <= {"12.50", "10.00"}   # v₁₀ at 15 and 12 pt, / 1.2
    cairo = subprocess.run(["dot", "-Tsvg:cairo"], input=dg.source.encode(), capture_output=True, check=True).stdout
    assert b"<text" not in cairo and len(svg) < len(cairo) / 2


def test_focus_draws_the_neighbourhood_of_a_node(peyre, capsys):
    src = to_dot(peyre, gd.reverse(peyre), 3, focus="v:1").source
    drawn = {k for k in nodes_of(src) if re.fullmatch(r"n\d+", k)}
    assert drawn == {"n6", "n7", "n8", "n10"}                 # log, its operand and its two consumers
    assert all(a in drawn | {k for k in nodes_of(src) if k.startswith("c")} for a, b, _ in edges_of(src))
    assert "focus: 4 of 12 nodes, around v" in src
    assert len({k for k in nodes_of(to_dot(peyre, focus="v:0").source) if re.fullmatch(r"n\d+", k)}) == 1
    for bad in ("vv", "v:x", "v:-1"):
        with pytest.raises(gd.GraphError):
            to_dot(peyre, focus=bad)
    assert main(["render", PEYRE, "-o", "x.dot", "--focus", "v", "--tree"]) == 2
    assert "does not combine" in capsys.readouterr().err


def test_frames_may_put_the_gif_in_their_own_new_folder(tmp_path, capsys):
    out = tmp_path / "fr"
    rc, _, err = run(capsys, "frames", PEYRE, "-o", str(out), "--gif", str(out / "deck.gif"), "--format", "dot")
    assert rc == 0, err
    assert (out / "deck.gif").stat().st_size > 0 and (out / "frame-001.dot").exists()
