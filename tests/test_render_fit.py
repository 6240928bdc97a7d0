"""`--fit`: every curriculum graph at 16:9 has that aspect and readable labels (measured on the
output files), PNG and PDF are sized exactly, frames share one page size, and a graph too big
for a slide is refused with a suggestion."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.render import render_bytes
from graphdiff.render.fit import LABEL_PT, MIN_TEXT_PX, parse_fit

from conftest import GRAPHS

PEYRE = str(GRAPHS / "peyre.gd")


def test_frames_parse():
    assert (parse_fit("16:9", "png").width, parse_fit("16:9", "png").height) == (1920, 1080)
    assert (parse_fit("4:3", "pdf").width, parse_fit("4:3", "pdf").unit) == (720, "pt")
    assert parse_fit("10x5in", "svg").width == 720 and parse_fit("1280x720", "png").aspect == pytest.approx(16 / 9)
    assert parse_fit("800x600px", "svg").width == 600          # CSS pixels on a page in points
    for bad, fmt in (("16/9", "png"), ("10x5in", "png"), ("0x0", "svg"), ("3x4furlong", "pdf")):
        with pytest.raises(gd.GraphError):
            parse_fit(bad, fmt)


def svg_metrics(svg: str) -> tuple[float, float]:
    """(aspect of the file's width/height, smallest label text in px on a 1920×1080 slide)."""
    w, h = (float(x) for x in re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    vb_w, vb_h = (float(x) for x in re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', svg).groups())
    assert vb_w / vb_h == pytest.approx(w / h, rel=0.01)        # no distortion: the drawing keeps its shape
    sizes = [float(x) for x in re.findall(r'<text [^>]*font-size="([\d.]+)"', svg)]
    label = min(s for s in sizes if s >= LABEL_PT)
    return w / h, label * min(1920 / vb_w, 1080 / vb_h)


@pytest.mark.dot
def test_every_curriculum_graph_fits_16_9_with_readable_labels():
    def one(path):
        g = gd.load(path)
        sw = gd.reverse(g)
        svg = render_bytes(g, "svg", sweep=sw, step=len(sw.steps) - 1, fit="16:9").decode()
        return path.name, svg_metrics(svg)
    with ThreadPoolExecutor(2) as pool:        # each picture is Graphviz processes: two at a time
        results = list(pool.map(one, sorted(GRAPHS.rglob("*.gd"))))
    assert len(results) >= 40
    for name, (aspect, px) in results:
        assert aspect == pytest.approx(16 / 9, rel=0.02), name
        assert px >= MIN_TEXT_PX, name


@pytest.mark.dot
def test_png_and_pdf_are_the_frame(tmp_path):
    from PIL import Image
    from pypdf import PdfReader
    assert main(["render", PEYRE, "-o", str(tmp_path / "a.png"), "--fit", "4:3", "--step", "4"]) == 0
    assert Image.open(tmp_path / "a.png").size == (1440, 1080)
    assert main(["render", PEYRE, "-o", str(tmp_path / "a.pdf"), "--fit", "16:9", "--theme", "dark"]) == 0
    box = PdfReader(tmp_path / "a.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((960, 540))
    assert main(["render", PEYRE, "-o", str(tmp_path / "b.png"), "--fit", "16:9", "--dpi", "100"]) == 2


@pytest.mark.dot
def test_frames_share_one_page_size(tmp_path):
    from PIL import Image
    from pypdf import PdfReader
    small = str(GRAPHS / "sheet0" / "composition.gd")      # 5 steps: quick to draw
    assert main(["frames", small, "-o", str(tmp_path / "f"), "--fit", "1280x720", "--pdf", str(tmp_path / "d.pdf"),
                 "--mode", "forward"]) == 0
    assert {Image.open(p).size for p in (tmp_path / "f").glob("*.png")} == {(1280, 720)}
    pages = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(tmp_path / "d.pdf").pages}
    assert pages == {(1280, 720)}                       # a PDF frame without a unit is in points
    # without --fit too: every page the same size (captions differ in width from step to step)
    assert main(["frames", small, "-o", str(tmp_path / "g"), "--format", "svg", "--pdf", str(tmp_path / "e.pdf")]) == 0
    sizes = {re.search(r'<svg width="[^"]+" height="[^"]+"', p.read_text()).group(0) for p in (tmp_path / "g").glob("*.svg")}
    assert len(sizes) == 1 and len({tuple(p.mediabox) for p in PdfReader(tmp_path / "e.pdf").pages}) == 1


@pytest.mark.dot
def test_too_big_for_a_slide_is_refused_with_a_suggestion(tmp_path, capsys):
    lines = ["input x = 0.5"] + [f"a{k} = sin(x * {k + 1}) * cos(x + {k})" for k in range(120)]
    lines.append("output f = " + " + ".join(f"a{k}" for k in range(120)))
    path = tmp_path / "wide.gd"
    path.write_text("\n".join(lines))
    assert main(["render", str(path), "-o", str(tmp_path / "w.svg"), "--fit", "16:9"]) == 2
    err = capsys.readouterr().err
    assert "cannot fit" in err and "px tall on a 1920×1080 slide" in err and "--focus" in err
    assert not (tmp_path / "w.svg").exists()
    # what the hint says works: the part around one node fits
    assert main(["render", str(path), "-o", str(tmp_path / "w.svg"), "--fit", "16:9", "--focus", "a7:1"]) == 0
