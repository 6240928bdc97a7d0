"""`graphdiff html`: the page's precomputed records (no browser), and the page itself in a real
headless Chromium driven by Selenium (marked `browser`, skipped with the reason where Chromium,
chromedriver or Selenium is missing)."""
from __future__ import annotations

import json
import re
import shutil

import pytest

import graphdiff as gd
from graphdiff.cli import main
from graphdiff.render.html import MAX_SEEDS, Page, page_data, page_html

from conftest import GRAPHS

PEYRE = str(GRAPHS / "peyre.gd")


@pytest.fixture(scope="module")
def peyre():
    return gd.load(PEYRE)


@pytest.fixture(scope="module")
def peyre_page(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "peyre.html"
    assert main(["html", PEYRE, "-o", str(path)]) == 0
    return path


def trace_json(capsys, *argv):
    assert main(["trace", PEYRE, "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------ the records (no browser)

def test_records_are_the_sweeps(peyre, capsys):
    data = page_data(peyre)
    rev = trace_json(capsys, "--mode", "reverse")["steps"]
    mine = data["sweeps"]["reverse"][0]["steps"]
    assert [f"v{s['node']}" for s in mine] == [s["node"] for s in rev]
    assert [float(s["d_full"]) for s in mine] == pytest.approx([s["adjoint"] for s in rev], rel=1e-11)
    assert "(−1)·1.278 + 1·0.8192 = −0.4587" in mine[3]["eq"]
    assert {t["edge"] for t in mine[3]["terms"]} == {"e7_8_0", "e7_10_0"}
    assert [s["label"] for s in data["sweeps"]["forward"]] == ["x"]
    assert data["compare"]["verdict"].startswith(("forward", "reverse"))


def test_seeds_are_the_files_entries_up_to_a_limit():
    ls = gd.load(GRAPHS / "sheet0" / "least_squares.gd")
    data = page_data(ls)
    labels = [s["label"] for s in data["sweeps"]["forward"]]
    assert labels[0].endswith("[0]") and len(labels) == min(MAX_SEEDS, data["seed_totals"]["forward"])
    g = gd.Graph()
    x = g.input("x", [0.5] * 40)
    g.output("f", gd.sum(x * x))
    data = page_data(g)
    assert len(data["sweeps"]["forward"]) == MAX_SEEDS and data["seed_totals"]["forward"] == 40


@pytest.mark.dot
def test_page_is_self_contained_and_small(peyre_page):
    text = peyre_page.read_text()
    assert text.startswith("<!DOCTYPE html>") and len(text.encode()) < 150_000
    # nothing is fetched: no links, sources or URLs other than the SVG namespaces
    assert not re.search(r"<link|<img|\bsrc=|@import|url\(http", text)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= {"http://www.w3.org/2000/svg",
                                                                "http://www.w3.org/1999/xlink"}
    assert "<text" in text and ">log<" in text and 'id="a_d7"' in text and "<a " not in text


@pytest.mark.dot
def test_page_in_jupyter_is_an_iframe(peyre):
    html = Page(peyre)._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "&lt;!DOCTYPE html&gt;" in html


def test_bad_html_target_exits_2(tmp_path, capsys):
    assert main(["html", PEYRE, "-o", str(tmp_path / "page.svg")]) == 2
    assert ".html" in capsys.readouterr().err


def test_title_cannot_inject_markup(peyre):
    if not shutil.which("dot"):
        pytest.skip("Graphviz 'dot' is not installed")
    text = page_html(peyre, title="{{svg}} </script><b>x</b>")
    assert "&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in text and text.count('<svg width=') == 1


# ------------------------------------------------------------------ in a real browser

def _browser():
    """A headless Chromium through Selenium, or the reason there is none."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        return None, "Chromium and chromedriver are not installed (make test installs them where it can)"
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None, "selenium is not installed (pip install -e '.[dev]')"
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,800",
                 "--disable-dev-shm-usage"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(options=opts, service=Service(driver)), None
    except Exception as e:      # a browser that will not start here: skip, saying why
        return None, f"Chromium did not start: {str(e).splitlines()[0][:200]}"


@pytest.fixture(scope="module")
def browser():
    drv, why = _browser()
    if drv is None:
        pytest.skip(why)
    yield drv
    drv.quit()


def _state(drv):
    return drv.execute_script("""
        const cur = document.querySelector('#graph g.node.current');
        const num = (k) => { const e = document.querySelector(`#inspector [data-k="${k}"]`); return e && e.textContent; };
        return {counter: document.getElementById('counter').textContent, hash: location.hash,
                current: cur && cur.id, node: document.getElementById('current-node').dataset.node,
                value: num('value'), adjoint: num('adjoint'), tangent: num('tangent'),
                hot: [...document.querySelectorAll('#graph g.edge.hot')].map(e => e.id).sort(),
                resources: performance.getEntriesByType('resource').length};
    """)


@pytest.mark.dot
@pytest.mark.browser
def test_page_steps_in_chromium(browser, peyre_page, capsys, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    drv = browser
    drv.get(peyre_page.as_uri())
    body = drv.find_element(By.TAG_NAME, "body")
    st = _state(drv)
    assert st["counter"] == "step 1 of 9" and st["hash"] == "#primal/1" and st["resources"] == 0
    assert drv.execute_script("return document.querySelectorAll('#graph svg g.node').length") >= 12
    assert ">log<" in drv.find_element(By.ID, "graph").get_attribute("innerHTML")
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert _state(drv)["counter"] == "step 3 of 9"
    body.send_keys(Keys.ARROW_LEFT)
    assert _state(drv)["counter"] == "step 2 of 9"
    # reverse mode, step 4: the node, its value and adjoint are those of `trace --mode reverse --json`
    body.send_keys("r", "g", Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    rev = trace_json(capsys, "--mode", "reverse")["steps"][3]
    st = _state(drv)
    assert st["hash"] == "#reverse/4" and st["counter"] == "step 4 of 9"
    assert st["current"] == "n" + rev["node"][1:] and st["node"] == rev["node"]
    assert float(st["value"]) == pytest.approx(rev["value"], rel=1e-11)
    assert float(st["adjoint"].replace("−", "-")) == pytest.approx(rev["adjoint"], rel=1e-11)
    assert st["hot"] == sorted(f"e{c['from'][1:]}_{c['to'][1:]}_0" for c in rev["contributions"])
    drv.save_screenshot(str(tmp_path / "reverse-4.png"))
    # the address of a step opens there, in a fresh page
    drv.get("about:blank")
    drv.get(peyre_page.as_uri() + "#reverse/4")
    again = _state(drv)
    assert (again["counter"], again["node"], again["adjoint"]) == (st["counter"], st["node"], st["adjoint"])
    # forward mode and the side-by-side view, the dark theme, the help
    body = drv.find_element(By.TAG_NAME, "body")
    body.send_keys("f", "G", "v", "t", "?")
    fwd = trace_json(capsys, "--mode", "forward")["steps"][-1]
    st = _state(drv)
    assert st["hash"] == "#forward/9" and float(st["tangent"].replace("−", "-")) == pytest.approx(fwd["tangent"])
    assert drv.execute_script("return document.documentElement.classList.contains('dark')")
    assert drv.execute_script("return !document.getElementById('help').hidden")
    assert drv.execute_script("return document.querySelectorAll('#trace .cmp table').length") == 2
    errors = [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
