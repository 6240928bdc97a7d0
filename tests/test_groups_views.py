"""Groups in the views: clusters and collapsed groups in pictures (DOT source, one real render of
each, a 30-step recurrence on one 16:9 slide), the page's collapsed nodes, and `--by-group` in
trace, stats and cost. Graphs are built with the Python API (`@gd.function`, `g.group`); any
graph under graphs/ with groups is checked too."""
from __future__ import annotations

import re

import numpy as np
import pytest

import graphdiff as gd
from graphdiff.render import to_dot
from graphdiff.render.groups import collapse_set, drawn_edges, fold_groups, repeat_min
from graphdiff.render.themes import DARK, LIGHT
from graphdiff.source import GraphError
from graphdiff.sweeps import forward, primal, reverse

from conftest import GRAPHS, ROOT, run, run_json

LAYERS = str(ROOT / "examples" / "layers.py")


def net():
    """net( layer(x, W1, b1) → layer#2(h, W2, b2) ) → f = sum: nodes 0–4 inputs, 5–7 and 8–10 the
    layers, 11 the sum."""
    g = gd.Graph()
    x = g.input("x", [1.0, 2.0])
    W1, b1 = g.input("W1", np.full((3, 2), 0.1)), g.input("b1", np.zeros(3))
    W2, b2 = g.input("W2", np.full((1, 3), 0.5)), g.input("b2", np.zeros(1))

    @gd.function
    def layer(x, W, b):
        return gd.tanh(W @ x + b)

    with g.group("net"):
        h = layer(x, W1, b1)
        o = layer(h, W2, b2)
    g.output("f", gd.sum(o))
    return g


def rnn(steps=30):
    """h_t = cell(h_{t−1}, x[t]) for t = 1…steps, loss = Σ h²: a chain of equal `cell` instances."""
    g = gd.Graph()
    h = g.input("h0", [0.1, -0.2])
    W, U = g.input("W", [[0.5, -0.3], [0.2, 0.4]]), g.input("U", [[1.0], [0.5]])
    b = g.input("b", [0.0, 0.1])
    xs = g.input("x", np.linspace(-1, 1, steps).reshape(steps, 1))

    @gd.function
    def cell(h, x, W, U, b):
        return gd.tanh(W @ h + U @ x + b)

    for t in range(steps):
        h = cell(h, xs[t], W, U, b)
    g.output("loss", gd.sum(h * h))
    return g


def clusters_of(src: str) -> dict[str, tuple[str | None, list[str]]]:
    """cluster name -> (its parent cluster or None, the nodes declared directly in it), by reading
    the DOT source's braces line by line."""
    out, stack = {}, []
    for line in src.splitlines():
        m = re.match(r"\s*subgraph (cluster_\w+) \{", line)
        if m:
            out[m.group(1)] = (stack[-1] if stack else None, [])
            stack.append(m.group(1))
        elif line.strip() == "}" and stack:
            stack.pop()
        else:
            n = re.match(r"\s*(\w+) \[", line)
            if n and stack and n.group(1) not in ("graph", "node", "edge"):
                out[stack[-1]][1].append(n.group(1))
    return out


def node_text(src: str, nid: str) -> str:
    m = re.search(rf"^\s*{nid} \[(.*?)\]$", src, re.M | re.S)
    assert m, f"no node {nid}"
    return m.group(1)


def edges(src: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+)", src, re.M)


# ------------------------------------------------------------------ clusters

def test_each_group_is_a_cluster_nested_as_the_groups_nest():
    g = net()
    src = to_dot(g).source
    cl = clusters_of(src)
    assert cl["cluster_g0"][0] is None
    assert cl["cluster_g1"] == ("cluster_g0", ["n5", "n6", "n7"])
    assert cl["cluster_g2"] == ("cluster_g0", ["n8", "n9", "n10"])
    assert "layer#2" in src and ">net<" in src
    # every node inside a cluster is drawn once, and the inputs and the sum stay outside
    inside = [n for _, ns in cl.values() for n in ns]
    assert len(inside) == len(set(inside)) == 6
    assert all(f"n{i}" not in inside for i in (0, 1, 2, 3, 4, 11))
    assert src.index("subgraph cluster_g0") < src.index("n5 -> n6")    # edges after every node


def test_a_cluster_names_the_function_when_its_name_differs_and_reads_in_both_themes():
    g = gd.Graph()
    x = g.input("x", 0.5)
    with g.group("encoder"):
        y = gd.sin(x) * 2
    g.output("f", y + 1)
    for th in (LIGHT, DARK):
        src = to_dot(g, theme=th.name).source
        head = re.search(r"subgraph cluster_g0 \{\s*graph \[(.*?)\]", src, re.S).group(1)
        assert f'color="{th.group_border}"' in head and f'fillcolor="{th.group_fill}"' in head
        assert "encoder" in head
    assert th.group_fill != th.background and LIGHT.group_box != LIGHT.node_fill


def test_graphs_without_groups_draw_no_cluster():
    g = gd.load(str(GRAPHS / "peyre.gd"))
    assert "cluster" not in to_dot(g).source
    assert "cluster" not in to_dot(g, collapse="all").source     # nothing to collapse: drawn as it is


# ------------------------------------------------------------------ --collapse

def test_collapse_names_depths_paths_and_functions():
    g = net()
    assert collapse_set(g, "all") == {0, 1, 2}
    assert collapse_set(g, "1") == {0} and collapse_set(g, "2") == {1, 2}
    assert collapse_set(g, "layer") == {1, 2}                 # the function: every instance
    assert collapse_set(g, "layer#2") == {2} and collapse_set(g, "net.layer") == {1}
    assert collapse_set(g, "net, layer#2") == {0, 2}
    assert collapse_set(g, None) == collapse_set(g, "none") == frozenset()
    with pytest.raises(GraphError, match="no group is named 'lyer'") as e:
        collapse_set(g, "lyer")
    assert "layer" in e.value.format()
    for bad, why in (("0", "counts from 1"), ("3", "at most 2 deep")):
        with pytest.raises(GraphError, match=why):
            collapse_set(g, bad)


def test_a_collapsed_group_is_one_node_with_its_function_shapes_and_values():
    g = net()
    src = to_dot(g, primal(g), None, collapse="layer").source
    ids = set(re.findall(r"^\s*(\w+) \[", src, re.M))
    assert {"g1", "g2"} <= ids and not ids & {f"n{i}" for i in range(5, 11)}
    first, second = node_text(src, "g1"), node_text(src, "g2")
    assert ">layer<" in first and "net.layer<" in first and "2, 3×2, 3 → 3" in first
    assert "net.layer#2" in second and "3, 1×3, 1 → 1" in second
    assert "[0.291, 0.291, 0.291&#93;" in first     # the sweep's values: tanh(0.1·1 + 0.1·2) = 0.2913
    # edges from outside go to the box, once per source; the boxes chain; the sum reads the second
    es = edges(src)
    assert ("n0", "g1") in es and ("n1", "g1") in es and ("g1", "g2") in es and ("g2", "n11") in es
    assert len(es) == len(set(es))
    # the box sits in its parent's cluster, which is still drawn open
    assert clusters_of(src)["cluster_g0"][1] == ["g1", "g2"]


def test_collapse_all_keeps_only_the_outermost_groups():
    src = to_dot(net(), collapse="all").source
    assert "cluster" not in src and re.findall(r"^\s*(g\d+) \[", src, re.M) == ["g0"]
    assert ">net<" in node_text(src, "g0") and "3×2, 2, 3, 1×3, 1 → 1" in node_text(src, "g0")


def test_a_step_inside_a_collapsed_group_lights_up_the_group():
    g = net()
    sw = reverse(g)
    k = next(s.index for s in sw.steps if s.node == 7)   # tanh of the first layer: v̄7 = v̄8 ∂v8/∂v7
    src = to_dot(g, sw, k, collapse="layer").source
    assert f'fillcolor="{LIGHT.current_fill}"' in node_text(src, "g1")
    assert f'fillcolor="{LIGHT.current_fill}"' not in node_text(src, "g2")
    assert "inside net.layer (collapsed)" in src
    hot = [m.group(1) for m in re.finditer(r"^\s*(\w+ -> \w+) \[([^\]]*)\]", src, re.M)
           if LIGHT.current_border in m.group(2)]
    assert hot == ["g1 -> g2"]      # the chain-rule term crosses from the second layer into the first
    # the box shows the layer's output adjoint, from the sweep's records
    assert "v&#772;" in node_text(src, "g1") or "v\u0304" in node_text(src, "g1")
    adj = sw.steps[next(s.index for s in sw.steps if s.node == 7)].adjoint
    assert f"{adj[0]:.3g}" in node_text(src, "g1")


def test_forward_tangent_shows_on_a_box_once_its_output_is_done():
    g = net()
    sw = forward(g)
    last = max(s.index for s in sw.steps if s.node == 7)
    before = to_dot(g, sw, last - 1, collapse="layer").source
    after = to_dot(g, sw, last + 1, collapse="layer").source
    assert "v\u0307" not in node_text(before, "g1") and "v\u0307" in node_text(after, "g1")
    assert f'fillcolor="{LIGHT.current_fill}"' in node_text(after, "g2")


def test_a_chain_of_equal_instances_is_drawn_once_with_its_count():
    g = rnn()
    src = to_dot(g, collapse="cell").source
    boxes = re.findall(r"^\s*(g\d+) \[", src, re.M)
    assert boxes == ["g0"] and "×30" in node_text(src, "g0") and "box3d" in node_text(src, "g0")
    assert "cell … cell#30" in node_text(src, "g0")
    # x[t] feeds only the t-th cell: drawn inside the run, so x has one edge, not thirty
    es = edges(src)
    assert es.count((f"n{g.input_node('x')}", "g0")) == 1
    assert not any(a.startswith("l") for a, _ in es)    # used by one drawn node: no copy beside it
    assert len([n for n in re.findall(r"^\s*(n\d+) \[", src, re.M)]) == 5 + 2   # inputs, h*h, the sum
    # --repeats none (or a run too short) draws every instance
    assert len(re.findall(r"^\s*g\d+ \[", to_dot(g, collapse="cell", repeats="none").source, re.M)) == 30
    assert len(re.findall(r"^\s*g\d+ \[", to_dot(g, collapse="cell", repeats=31).source, re.M)) == 30
    assert len(re.findall(r"^\s*g\d+ \[", to_dot(rnn(2), collapse="cell").source, re.M)) == 2   # auto: 3 or more
    assert "×2" in to_dot(rnn(2), collapse="cell", repeats=2).source


def test_a_step_in_a_run_names_its_instance():
    g = rnn(5)
    sw = reverse(g)
    k = next(s.index for s in sw.steps if g.call_path(s.node).startswith("cell#4."))
    src = to_dot(g, sw, k, collapse="cell").source
    assert "step in instance 4 of 5" in node_text(src, "g0")


def test_runs_need_the_same_function_shapes_and_a_chain():
    g = gd.Graph()
    x = g.input("x", [1.0, 2.0])

    @gd.function
    def f(v):
        return gd.sin(v) + 1

    a, b, c = f(x), f(x * 2), f(x * 3)          # three instances, none feeding the next
    wide = f(g.input("y", [1.0, 2.0, 3.0]))     # another shape
    g.output("s", gd.sum(a + b + c) + gd.sum(wide))
    fo = fold_groups(g, collapse_set(g, "f"))
    assert [bx.count for bx in fo.boxes] == [1, 1, 1, 1]
    assert repeat_min("auto") == 3 and repeat_min("none") is None
    with pytest.raises(GraphError, match="--repeats"):
        repeat_min("often")


def test_pinned_frames_keep_collapsed_groups_and_clusters():
    from graphdiff.render.frames import pins_from_json0
    doc = {"objects": [{"name": "cluster_g0", "bb": "1,2,3,4", "lp": "2,3", "_gvid": 0},
                       {"name": "g1", "pos": "5,6", "width": "1", "height": "0.5", "_gvid": 1}], "edges": []}
    pins = pins_from_json0(doc)
    assert pins["cluster_g0"] == {"bb": "1,2,3,4", "lp": "2,3"}
    assert pins["g1"]["fixedsize"] == "true"
    g = net()
    src = to_dot(g, reverse(g), 2, collapse="layer#2", pins=pins).source
    assert 'bb="1,2,3,4"' in src and 'pos="5,6!"' not in src.split("g1 [")[0]


def test_the_page_maps_hidden_nodes_and_terms_to_what_is_drawn():
    from graphdiff.render.html import page_data
    g = net()
    fo = fold_groups(g, collapse_set(g, "layer"))
    data = page_data(g, fold=fo)
    assert [n.get("box") for n in data["nodes"]] == [None] * 5 + ["g1"] * 3 + ["g2"] * 3 + [None]
    mapping = drawn_edges(g, fo)
    assert mapping[5, 6, 0] is None and mapping[7, 8, 1] == "e7_8_1" and mapping[0, 5, 1] == "e0_5_1"
    rev = data["sweeps"]["reverse"][0]["steps"]
    crossing = [t["edge"] for s in rev for t in s.get("terms", ()) if t["from"] == 7 and t["to"] == 8]
    assert crossing == ["e7_8_1"]
    inner = [t["edge"] for s in rev for t in s.get("terms", ()) if t["from"] == 5 and t["to"] == 6]
    assert inner == [None]


# ------------------------------------------------------------------ --by-group

def test_stats_counts_instances_and_totals_by_group(capsys):
    doc = run_json(capsys, "stats", f"{LAYERS}:net", "--by-group")
    assert doc["groups"] == {"layer": 2}
    rows = {r["group"]: r for r in doc["by_group"]}
    assert set(rows) == {"layer", "layer#2", None}
    assert sum(r["nodes"] for r in rows.values()) == doc["nodes"]
    assert sum(r["ops"] for r in rows.values()) == doc["ops"]
    assert sum(r["flops"] for r in rows.values()) == doc["flops"]
    assert rows["layer"]["function"] == "layer" and rows["layer"]["depth"] == 1
    code, out, _ = run(capsys, "stats", f"{LAYERS}:net", "--by-group")
    assert code == 0 and "groups      layer ×2" in out and "(outside any group)" in out
    # without --by-group, the instance counts are still there; without groups, neither
    assert "by_group" not in run_json(capsys, "stats", f"{LAYERS}:net")
    assert "groups" not in run_json(capsys, "stats", str(GRAPHS / "peyre.gd"))


def test_cost_by_group_adds_up_to_the_whole(capsys):
    doc = run_json(capsys, "cost", f"{LAYERS}:rnn", "--by-group")
    rows = doc["by_group"]
    assert len(rows) == 31 and rows[-1]["group"] is None
    for key in ("primal", "tangent_sweep", "adjoint_sweep"):
        assert sum(r["flops"][key] for r in rows) == doc[key]
    assert len({(r["flops"]["primal"], r["nodes"]) for r in rows[:-1]}) == 1    # thirty equal cells
    code, out, _ = run(capsys, "cost", f"{LAYERS}:rnn", "--by-group")
    assert code == 0 and "flops by group" in out and "cell#30" in out


def test_trace_by_group_counts_each_sweeps_steps(capsys):
    for mode in ("primal", "forward", "reverse"):
        full = run_json(capsys, "trace", f"{LAYERS}:net", "--mode", mode)
        doc = run_json(capsys, "trace", f"{LAYERS}:net", "--mode", mode, "--by-group")
        assert doc["mode"] == mode and doc["steps"] == len(full["steps"]) and "by_group" in doc
        assert sum(r["steps"] for r in doc["by_group"]) == len(full["steps"])
        layer = next(r for r in doc["by_group"] if r["group"] == "layer")
        in_layer = [s["index"] + 1 for s in full["steps"] if s["node"] in {f"v{i}" for i in range(5, 8)}]
        assert (layer["first_step"], layer["last_step"]) == (min(in_layer), max(in_layer))
    code, out, _ = run(capsys, "trace", f"{LAYERS}:net", "--by-group")
    assert code == 0 and "reverse sweep: 12 steps, by group" in out and re.search(r"layer#2 +layer +3 +2–4", out)


def test_bad_group_options_exit_2(capsys, tmp_path):
    for argv, message in ((("render", f"{LAYERS}:net", "-o", tmp_path / "a.svg", "--collapse", "lyr"), "did you mean 'layer'"),
                          (("render", f"{LAYERS}:net", "-o", tmp_path / "a.svg", "--repeats", "1"), "2 or more"),
                          (("frames", f"{LAYERS}:net", "-o", tmp_path / "f", "--collapse", "9"), "at most 1 deep"),
                          (("html", f"{LAYERS}:net", "-o", tmp_path / "a.html", "--collapse", "x.y"), "no group")):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and message in err, err
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------ the curriculum's groups

def _grouped_graphs():
    out = []
    for path in sorted(GRAPHS.rglob("*.gd")):
        try:
            g = gd.load(str(path))
        except GraphError:
            continue
        if g.groups:
            out.append((path, g))
    return out


def test_every_graph_with_groups_draws_them_and_counts_them(capsys):
    """Whatever graphs/ holds with groups (none before the language has functions)."""
    for path, g in _grouped_graphs():
        src = to_dot(g).source
        drawn = {int(name[len("cluster_g"):]) for name in clusters_of(src)}
        working = {grp.id for grp in g.groups if any(not g.node(i).is_leaf for i in g.members(grp.id))}
        assert working <= drawn <= {grp.id for grp in g.groups}, path     # every group that made an operation
        top = to_dot(g, collapse="1").source
        assert "cluster_" not in top, path      # every group is inside a top-level one
        sw = reverse(g)
        for k in (0, len(sw.steps) // 2, len(sw.steps) - 1):
            to_dot(g, sw, k, collapse="all")
        doc = run_json(capsys, "stats", str(path), "--by-group")
        assert sum(doc["groups"].values()) == len(g.groups)
        assert sum(r["nodes"] for r in doc["by_group"] if r["depth"] <= 1) == doc["nodes"], path


# ------------------------------------------------------------------ real pictures

@pytest.mark.dot
def test_collapsed_and_expanded_network_render(tmp_path, capsys):
    """The pictures looked at while building this (PNG through dot, and SVG for their parts)."""
    from PIL import Image
    for extra, name in (((), "expanded"), (("--collapse", "layer"), "collapsed")):
        png = tmp_path / f"{name}.png"
        code, _, err = run(capsys, "render", f"{LAYERS}:net", "-o", png, "--mode", "reverse", "--step", "5", *extra)
        assert code == 0, err
        assert Image.open(png).size[0] > 400
        svg = tmp_path / f"{name}.svg"
        assert run(capsys, "render", f"{LAYERS}:net", "-o", svg, *extra)[0] == 0
        text = svg.read_text()
        if name == "expanded":
            assert text.count('class="cluster"') == 2 and ">layer#2<" in text
        else:
            assert 'class="cluster"' not in text and text.count(">layer<") == 2


@pytest.mark.dot
def test_a_thirty_step_recurrence_collapsed_is_one_readable_slide(tmp_path, capsys):
    from PIL import Image
    png = tmp_path / "rnn.png"
    code, _, err = run(capsys, "render", f"{LAYERS}:rnn", "-o", png, "--collapse", "cell", "--fit", "16:9",
                       "--mode", "reverse", "--step", "50")
    assert code == 0, err     # --fit refuses a picture whose text would be too small to read
    assert Image.open(png).size == (1920, 1080)
    # expanded, the same recurrence is far too big for one slide
    code, _, err = run(capsys, "render", f"{LAYERS}:rnn", "-o", tmp_path / "all.png", "--fit", "16:9")
    assert code == 2 and "readable" in err


@pytest.mark.dot
def test_frames_with_clusters_keep_them_on_every_frame(tmp_path, capsys):
    code, _, err = run(capsys, "frames", f"{LAYERS}:net", "-o", tmp_path / "f", "--format", "svg",
                       "--collapse", "layer#2")
    assert code == 0, err
    frames = sorted((tmp_path / "f").glob("frame-*.svg"))
    assert len(frames) == 12
    for f in frames:
        text = f.read_text()
        assert text.count('class="cluster"') == 1 and "layer#2" in text


@pytest.mark.dot
@pytest.mark.browser
def test_the_page_lights_up_a_collapsed_group_in_chromium(tmp_path, capsys):
    from test_render_html import _browser
    drv, why = _browser()
    if drv is None:
        pytest.skip(why)
    page = tmp_path / "net.html"
    try:
        assert run(capsys, "html", f"{LAYERS}:net", "-o", page, "--collapse", "layer")[0] == 0
        state = """
            const ids = (sel) => [...document.querySelectorAll(sel)].map(e => e.id);
            return {cur: ids('#graph g.node.current'), hot: ids('#graph g.edge.hot'),
                    pending: ids('#graph g.node.pending'), counter: document.getElementById('counter').textContent};"""
        # reverse step 5 is the first layer's tanh (v7): v̄7 = v̄8 ∂v8/∂v7, a term from the second layer
        drv.get(page.as_uri() + "#reverse/5")
        st = drv.execute_script(state)
        assert st["counter"] == "step 5 of 12" and st["cur"] == ["g0"] and st["hot"] == ["e7_8_1"]
        assert "g1" not in st["pending"]          # the second layer is done
        drv.get("about:blank")
        drv.get(page.as_uri() + "#reverse/3")     # inside the second layer: its node lights up
        st = drv.execute_script(state)
        assert st["cur"] == ["g1"] and "g0" in st["pending"] and st["hot"] == []
        errors = [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert errors == []
    finally:
        drv.quit()


def test_a_collapsed_group_holding_an_output_says_so():
    g = gd.Graph()
    x = g.input("x", 0.5)
    with g.group("enc"):
        g.output("f", gd.sin(x) * 2)
    src = to_dot(g, collapse="all").source
    label = node_text(src, "g0")
    assert ">enc<" in label and "output <I>f</I>" in label and "scalar → scalar" in label
    assert not re.search(r"<FONT[^>]*></FONT>", src)      # Graphviz refuses an empty <FONT>


def test_calls_inside_loop_iterations_chain_across_the_iterations():
    """A loop whose iterations are groups around one call each: collapsing the function (or the
    iterations) still draws the chain once, and a step on the iteration's own x[t] is in it."""
    g = gd.Graph()
    h = g.input("h0", [0.1, -0.2])
    W, U = g.input("W", [[0.5, -0.3], [0.2, 0.4]]), g.input("U", [[1.0], [0.5]])
    xs = g.input("x", np.linspace(-1, 1, 12).reshape(12, 1))

    @gd.function
    def cell(h, x, W, U):
        return gd.tanh(W @ h + U @ x)

    for t in range(12):
        with g.group("step"):
            h = cell(h, xs[t], W, U)
    g.output("loss", gd.sum(h * h))
    # an iteration holding one call reads as that call, whichever of the two is collapsed
    for what, head in (("cell", "cell"), ("1", "cell"), ("step", "cell")):
        fo = fold_groups(g, collapse_set(g, what))
        assert [(b.count, b.parent) for b in fo.boxes] == [(12, -1)], what
        src = to_dot(g, collapse=what).source
        assert "cluster" not in src and f">{head}  ×12<" in src
    assert len(fold_groups(g, collapse_set(g, "cell"), repeats="none").boxes) == 12   # one per iteration
    sw = reverse(g)
    k = next(s.index for s in sw.steps if s.op == "index" and g.call_path(s.node).startswith("step#6."))
    src = to_dot(g, sw, k, collapse="cell").source
    assert "step in instance 6 of 12" in src and "step.cell … step#12.cell" in src


def test_a_loop_of_calls_counts_reads_and_collapses_as_its_calls(capsys):
    """recurrence30.gd: 30 iterations t=1 … t=30, each holding one call of cell."""
    from conftest import GRAPHS, run_json
    from graphdiff.cost import instance_counts
    path = GRAPHS / "recurrence30.gd"
    g = gd.load(path)
    assert instance_counts(g) == {"for t": 30, "cell": 30}                   # the iterations counted together
    assert run_json(capsys, "stats", path)["groups"] == {"for t": 30, "cell": 30}
    iterations = collapse_set(g, "t")
    assert len(iterations) == 30 and all(g.groups[k].function is None for k in iterations)
    fo = fold_groups(g, collapse_set(g, "all"))
    assert [b.count for b in fo.boxes] == [30]                               # t=1 chains with the others
    src = to_dot(g, collapse="all").source
    assert ">cell  ×30<" in src and "t=1 … t=30" in src
