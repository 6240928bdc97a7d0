"""Every value makes valid DOT: ±1e308, ±inf, NaN, subnormals, −0.0, huge and all-NaN arrays, in
every label path (node values and derivatives, edge partials and terms, the caption's equation,
pinned frames). DOT-source checks run without Graphviz; the grid runs through a real `dot` and
`neato -n2` (one process for all pictures, so it stays fast)."""
from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.render import to_dot
from graphdiff.render.build import parse_show
from graphdiff.render.frames import frame_dots, pins_from_json0
from graphdiff.render.labels import html_label, value_text

BIG = np.full((40, 40), 1.0)
BIG[0, 0], BIG[1, 1], BIG[2, 2] = 1e308, -np.inf, np.nan

VALUES = {
    "1e308": 1e308, "-1e308": -1e308, "inf": np.inf, "-inf": -np.inf, "nan": np.nan,
    "subnormal": 5e-324, "-0": -0.0, "tiny": 1e-7, "large": 123456.0,
    "vec-1e308-last": [1.0, 1e308], "vec-range": [1, 2, 3, 1e308, 5], "vec-inf-last": [1, 2, 3, np.inf],
    "vec-all-nan": [np.nan] * 6, "mat-1e308": [[1.535, -1.894], [-1e308, -1.779]],
    "mat-nan": [[np.nan, 1, 2], [3, -0.0, 5e-324], [6, 7, -np.inf]], "mat-40x40": BIG,
}


def graph_of(value) -> gd.Graph:
    """y = x ⊙ x + sin(x), f = Σ y: every annotation carries the extreme value in some form."""
    g = gd.Graph()
    x = g.input("x", value)
    c = g.const("c", 1e308)
    y = x * x + gd.sin(x) * c
    g.output("f", gd.sum(y) if np.ndim(value) else y)
    return g


def pictures(g) -> list[str]:
    """DOT of every step of the three sweeps with every annotation on, and of the plain graph."""
    out = [to_dot(g, show=parse_show("all", None)).source]
    for sweep in (gd.primal(g), gd.forward(g), gd.reverse(g)):
        show = parse_show("all", sweep.mode)
        out += [to_dot(g, sweep, k, show=show).source for k in range(len(sweep.steps))]
    return out


HTML_LABEL = re.compile(r"<(<TABLE.*?</TABLE>)>", re.S)


def check_labels(src: str) -> None:
    """Every HTML-like label is well-formed XML with no text piece made only of ']'."""
    labels = HTML_LABEL.findall(src)
    assert labels
    for markup in labels:
        assert not re.search(r">\s*\]+\s*<", markup), markup
        ET.fromstring(markup.replace("&#93;", "]").replace("&#160;", " "))


@pytest.mark.parametrize("name", list(VALUES))
def test_labels_are_well_formed_for_extreme_values(name):
    for src in pictures(graph_of(VALUES[name])):
        check_labels(src)


def test_value_text_of_extremes():
    assert value_text([1.0, 1e308]) == "[1, 1·10<SUP>308</SUP>]"
    assert html_label("[1, 1·10<SUP>308</SUP>]") == "<[1, 1·10<SUP>308</SUP>&#93;>"
    assert value_text([np.nan] * 6) == "6, all NaN"
    assert value_text(BIG).startswith("40×40 in [−∞, 1·10<SUP>308</SUP>]") and "some NaN" in value_text(BIG)
    assert value_text(np.zeros((0, 3))) == "empty, 0×3"
    assert value_text(-0.0) == "0" and value_text(5e-324) == "4.941·10<SUP>−324</SUP>"


def run_many(cmd: list[str], sources: list[str]) -> list[dict]:
    """Run one Graphviz process on many graphs; its json0 documents, one per graph."""
    done = subprocess.run(cmd + ["-Tjson0"], input="\n".join(sources).encode(), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[:2000]
    text, docs, dec, k = done.stdout.decode(), [], json.JSONDecoder(), 0
    while k < len(text):
        while k < len(text) and text[k].isspace():
            k += 1
        if k < len(text):
            doc, k = dec.raw_decode(text, k)
            docs.append(doc)
    assert len(docs) == len(sources)
    return docs


@pytest.mark.dot
def test_graphviz_accepts_every_extreme_value_in_every_label_path():
    sources = [src for value in VALUES.values() for src in pictures(graph_of(value))]
    run_many(["dot"], sources)
    # pinned frames, as `frames` draws them: the fullest picture laid out once, each step drawn
    # by neato -n2 from those positions
    show = parse_show("all", "reverse")
    graphs = [(g, gd.reverse(g)) for g in map(graph_of, VALUES.values())]
    fullest = run_many(["dot"], [to_dot(g, sw, None, show=show, complete=True).source for g, sw in graphs])
    frames = []
    for (g, sw), doc in zip(graphs, fullest):
        frames += [d.source for d in frame_dots(g, sw, show=show, pins=pins_from_json0(doc))]
    run_many(["neato", "-n2"], frames)


@pytest.mark.dot
@pytest.mark.parametrize("text, argv", [
    ("input i1 = [1e308, 1e308, 1, 2, 3]\noutput f = i1\n", ["--mode", "primal", "--step", "1"]),
    ("input i1 = [[1.535, -1.894], [-1e308, -1.779]]\noutput f = sum(i1 * i1)\n",
     ["--mode", "primal", "--step", "last", "--theme", "dark"]),
    ("input x = [1, 20000]\noutput f = sum(x * x)\n", ["--mode", "reverse", "--step", "1", "--show", "all"]),
    ("input x = 1e999\ny = x - x\noutput f = y * y\n", ["--mode", "forward", "--step", "last", "--show", "all"]),
])
def test_fuzz_reproducers_render(tmp_path, capsys, text, argv):
    path = tmp_path / "t.gd"
    path.write_text(text)
    assert main(["render", str(path), "-o", str(tmp_path / "o.svg"), *argv]) == 0, capsys.readouterr().err
    ET.parse(tmp_path / "o.svg")
    assert main(["frames", str(path), "-o", str(tmp_path / "f"), "--format", "svg", "--pdf", str(tmp_path / "a.pdf"),
                 "--mode", "forward"]) == 0
    err = capsys.readouterr().err
    assert "internal error" not in err and "Warning" not in err
