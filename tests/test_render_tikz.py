"""TikZ pictures and Beamer decks: the .tex text (nodes, edges, labels in LaTeX, one overlay run
per step), and, where pdflatex with TikZ and Beamer is installed (marked `latex`), that both
compile and a page converts to PNG."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.render.tikz import Colors, latex_label, latex_text, overlays

from conftest import GRAPHS

PEYRE = str(GRAPHS / "peyre.gd")


def test_labels_in_latex():
    c = Colors()
    assert latex_label("<I>v̄</I><SUB>10</SUB> ∂<I>v</I>", c) == "$\\bar{v}_{10}$ $\\partial$$v$"
    assert latex_label('<FONT POINT-SIZE="18" COLOR="#1f2933">√</FONT>', c) == "{\\Large \\textcolor{gd0}{$\\sqrt{\\cdot}$}}"
    assert latex_text("a_b & 50% #1 {x} −0.5·10") == "a\\_b \\& 50\\% \\#1 \\{x\\} $-$0.5$\\cdot$10"
    assert latex_text("α₁ ∞") == "$\\alpha$$_{1}$ $\\infty$".replace("$$", "")
    grid = latex_label('<TABLE><TR><TD ALIGN="RIGHT" BORDER="1" SIDES="L">1</TD>'
                       '<TD ALIGN="RIGHT" BORDER="1" SIDES="R">2</TD></TR></TABLE>', c)
    assert grid == "\\begin{tabular}{@{}|rr|@{}}1 & 2\\end{tabular}"
    assert c.definitions() == "\\definecolor{gd0}{HTML}{1F2933}\n"


def test_overlays_write_each_part_once_per_run_of_steps():
    steps = [{"node a": "A0", "edge e": "E"}, {"node a": "A1", "edge e": "E"}, {"node a": "A1", "edge e": "E"}]
    assert overlays(steps) == "E\n\\only<1>{A0}\n\\only<2-3>{A1}"


@pytest.mark.dot
def test_render_tex_is_a_tikzpicture(tmp_path, capsys):
    out = tmp_path / "g.tex"
    assert main(["render", PEYRE, "-o", str(out), "--mode", "reverse", "--step", "4"]) == 0
    tex = out.read_text()
    assert tex.count("\\begin{tikzpicture}") == 1 and tex.rstrip().endswith("\\end{tikzpicture}")
    g = gd.load(PEYRE)
    boxes = re.findall(r"\\node\[inner sep=0pt, align=center, minimum width", tex)
    assert len(boxes) == len(g) - 3 + 3          # 9 nodes drawn once, 3 unnamed constants at their uses
    assert tex.count("-stealth]") == sum(len(n.operands) for n in g.nodes)
    assert "$\\bar{v}_{10}$" in tex and "$\\sqrt{\\cdot}$" in tex and "log" in tex
    assert not re.search(r"[^\x00-\x7f]", tex.split("\n", 2)[2])      # pdflatex-safe: ASCII only


@pytest.mark.dot
def test_beamer_deck_has_one_overlay_run_per_step(tmp_path, capsys):
    out = tmp_path / "deck.tex"
    assert main(["frames", PEYRE, "--mode", "reverse", "--beamer", str(out)]) == 0
    tex = out.read_text()
    assert tex.count("\\begin{frame}") == 1 and "\\documentclass[aspectratio=169]{beamer}" in tex
    specs = re.findall(r"\\only<(\d+)(?:-(\d+))?>", tex)
    singles = {int(a) for a, b in specs if not b}
    assert singles >= set(range(1, 10))              # the current node and caption of every step
    # the caption of step 4 carries its chain rule, in LaTeX
    cap4 = re.search(r"\\only<4>\{\\node\[inner sep=0pt, align=center\] at .*?reverse sweep.*", tex)
    assert cap4 and "step 4 of 9" in cap4.group(0) and "$\\bar{v}_{10}$" in cap4.group(0)
    assert main(["frames", PEYRE, "--beamer", str(tmp_path / "deck.pdf")]) == 2


def _latex_ready():
    tools = all(shutil.which(t) for t in ("pdflatex", "pdftoppm", "kpsewhich"))
    if not tools:
        return "pdflatex or pdftoppm is not installed (make test installs them where it can)"
    for sty in ("tikz.sty", "beamer.cls"):
        if subprocess.run(["kpsewhich", sty], capture_output=True, text=True).stdout.strip() == "":
            return f"{sty} is not installed (texlive-pictures, texlive-latex-recommended)"
    return None


def _pdflatex(path, cwd):
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    return path.with_suffix(".pdf")


@pytest.mark.dot
@pytest.mark.latex
def test_tikz_and_beamer_compile_and_convert(tmp_path):
    why = _latex_ready()
    if why:
        pytest.skip(why)
    # the deck's picture is the same TikZ as `render -o g.tex`, so one compile covers both
    assert main(["frames", PEYRE, "--mode", "reverse", "--beamer", str(tmp_path / "deck.tex")]) == 0
    pdf = _pdflatex(tmp_path / "deck.tex", tmp_path)
    from pypdf import PdfReader
    assert len(PdfReader(pdf).pages) == 9                  # one slide per step
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "4", "-l", "4", str(pdf), str(tmp_path / "slide")],
                   check=True, timeout=60)
    from PIL import Image
    im = Image.open(next(tmp_path.glob("slide*.png"))).convert("RGB")
    assert im.width / im.height == pytest.approx(16 / 9, rel=0.02)
    # the current node's fill (the accent yellow) is on the slide
    assert (255, 243, 196) in {c for _, c in im.getcolors(1 << 16)}
