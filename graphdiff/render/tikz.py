"""TikZ and Beamer: the picture placed from Graphviz's layout, its labels in LaTeX.

`render -o g.tex` writes one `tikzpicture`: Graphviz lays the picture out (json0: node centres
and sizes, edge B-splines, label positions), and every label is translated from the same
HTML-like markup the other formats draw (`<I>v̄</I><SUB>4</SUB>` → `$\\bar{v}_{4}$`, √ →
`$\\sqrt{\\cdot}$`). `frames --beamer deck.tex` writes a Beamer document with one frame: the
layout is pinned, every step is drawn, and each part of the picture (a node, an edge, the
caption) is written once per run of steps in which it looks the same, inside `\\only<a-b>`,
so the slide reveals the sweep step by step. Both need pdflatex and the standard `tikz`
package only (Beamer for the deck).
"""
from __future__ import annotations

import html
import json
import re

from .build import to_dot

# ------------------------------------------------------------------ labels: markup → LaTeX

ACCENTS = {"\u0304": "bar", "\u0307": "dot"}
SYMBOLS = {
    "−": "$-$", "×": "$\\times$", "÷": "$\\div$", "√": "$\\sqrt{\\cdot}$", "·": "$\\cdot$",
    "∂": "$\\partial$", "‖": "$\\|$", "⟨": "$\\langle$", "⟩": "$\\rangle$", "∞": "$\\infty$",
    "Σ": "$\\Sigma$", "σ": "$\\sigma$", "⊗": "$\\otimes$", "⊙": "$\\odot$", "Δ": "$\\Delta$",
    "ᵀ": "$^{T}$", "⁻": "$^{-}$", "¹": "$^{1}$", "²": "$^{2}$", "³": "$^{3}$", "…": "\\dots{}",
    "—": "---", "⚠": "(!)", "→": "$\\to$", "≪": "$\\ll$", "≤": "$\\leq$", "≥": "$\\geq$",
    "π": "$\\pi$", "\u00a0": "~", "⇄": "$\\leftrightarrows$",
    "#": "\\#", "$": "\\$", "%": "\\%", "&": "\\&", "_": "\\_", "{": "\\{", "}": "\\}",
    "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "\\": "\\textbackslash{}",
    "<": "\\textless{}", ">": "\\textgreater{}", "|": "$|$",
}
GREEK = dict(zip("αβγδεζηθικλμνξοπρστυφχψω",
                 "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho "
                 "sigma tau upsilon phi chi psi omega".split()))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
WORD_OPS = {"log", "exp", "sin", "cos", "tan", "tanh", "det"}


def latex_text(text: str) -> str:
    """Plain label text (entities decoded) as LaTeX text: symbols, Greek, accents, escapes."""
    out = []
    k = 0
    while k < len(text):
        c = text[k]
        nxt = text[k + 1] if k + 1 < len(text) else ""
        if nxt in ACCENTS:
            base = "\\" + GREEK[c] if c in GREEK else c
            out.append(f"$\\{ACCENTS[nxt]}{{{base}}}$")
            k += 2
            continue
        if c in SYMBOLS:
            out.append(SYMBOLS[c])
        elif c in GREEK:
            out.append(f"$\\{GREEK[c]}$")
        elif c in SUBSCRIPTS:
            out.append(f"$_{{{SUBSCRIPTS[c]}}}$")
        elif c in ACCENTS:
            pass                                  # a stray combining mark
        elif ord(c) < 128:
            out.append(c)
        else:
            out.append("?")                       # a character pdflatex cannot set without packages
        k += 1
    return "".join(out).replace("$$", "")       # adjacent math pieces join into one


SIZES = [(9, "\\scriptsize"), (10, "\\footnotesize"), (12, "\\small"), (14, "\\normalsize"),
         (16, "\\large"), (19, "\\Large"), (1e9, "\\LARGE")]
_TOKEN = re.compile(r"<(/?)(\w+)([^>]*)>|([^<]+)")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_MATH_NAME = re.compile(r"<I>([A-Za-zα-ω])([\u0304\u0307]?)</I>(?:<SUB>([^<]*)</SUB>)?")


def _math_name(m) -> str:
    base, mark, sub = m.group(1), m.group(2), m.group(3)
    base = "\\" + GREEK[base] if base in GREEK else base
    if mark:
        base = f"\\{ACCENTS[mark]}{{{base}}}"
    sub = f"_{{{latex_text(html.unescape(sub)).replace('$', '')}}}" if sub else ""
    return f"\x00${base}{sub}$\x00"       # \x00: already LaTeX, not to be escaped again


class Colors:
    """The picture's colours, each defined once as gdN."""

    def __init__(self):
        self.names: dict[str, str] = {}

    def __call__(self, hex_color: str) -> str:
        h = hex_color.lstrip("#").upper()
        if h in ("TRANSPARENT", "NONE", ""):
            return "none"
        return self.names.setdefault(h, f"gd{len(self.names)}")

    def definitions(self) -> str:
        return "".join(f"\\definecolor{{{n}}}{{HTML}}{{{h}}}\n" for h, n in self.names.items())


def latex_label(markup: str, colors: Colors) -> str:
    """An HTML-like label as LaTeX: tables as tabulars, FONT as size and colour, I/SUB/SUP."""
    markup = _MATH_NAME.sub(_math_name, markup)
    out: list[str] = []
    stack: list[tuple[str, str]] = []          # (tag, what closes it)
    for close, tag, attrs, text in _TOKEN.findall(markup):
        if text:
            for k, piece in enumerate(text.split("\x00")):
                out.append(piece if k % 2 else latex_text(html.unescape(piece)))
            continue
        tag = tag.upper()
        a = dict(_ATTR.findall(attrs))
        if close:
            while stack:
                t, end = stack.pop()
                out.append(end)
                if t == tag:
                    break
            continue
        if tag == "TABLE":
            out.append("\x01TABLE\x01")          # the column spec is known at </TABLE>
            stack.append(("TABLE", "\x01END\x01"))
        elif tag == "TR":
            stack.append(("TR", "\\\\"))
        elif tag == "TD":
            sides = a.get("SIDES", "")
            out.append(f"\x01TD{sides}\x01")
            stack.append(("TD", "\x01/TD\x01"))
        elif tag == "FONT":
            size = float(a.get("POINT-SIZE", 0) or 0)
            cmd = next(c for s, c in SIZES if size <= s) if size else ""
            color = a.get("COLOR")
            # \textcolor, not \color: \color swallows the spaces that follow it
            out.append("{" + cmd + " " + (f"\\textcolor{{{colors(color)}}}{{" if color else "{"))
            stack.append(("FONT", "}}"))
        elif tag == "I":
            out.append("\\textit{")
            stack.append(("I", "}"))
        elif tag == "B":
            out.append("\\textbf{")
            stack.append(("B", "}"))
        elif tag in ("SUB", "SUP"):
            out.append("$" + ("_" if tag == "SUB" else "^") + "{\\mbox{\\scriptsize ")
            stack.append((tag, "}}$"))
        elif tag == "BR":
            out.append("\\\\")
    while stack:
        out.append(stack.pop()[1])
    return _tabulars("".join(out))


_TABLE = re.compile("\x01TABLE\x01((?:(?!\x01TABLE\x01).)*?)\x01END\x01", re.S)


def _tabulars(text: str) -> str:
    """Turn the table markers into tabulars, innermost first (a matrix grid gets its rules)."""
    while True:
        m = _TABLE.search(text)
        if not m:
            return text.replace("\x01/TD\x01", "").replace("\x01TD\x01", "")
        body = m.group(1)
        rows = [r for r in body.split("\\\\") if r.strip()]
        cols = max((r.count("\x01TD") for r in rows), default=1) or 1
        ruled = "\x01TDL" in body or "\x01TDLR" in body
        spec = ("|" + "r" * cols + "|") if ruled else "c" * cols
        cells = []
        for r in rows:
            parts = re.split("\x01TD[LR]*\x01", r)[1:] or [r]
            cells.append(" & ".join(p.replace("\x01/TD\x01", "").strip() for p in parts))
        inner = " \\\\ ".join(cells)
        text = text[:m.start()] + f"\\begin{{tabular}}{{@{{}}{spec}@{{}}}}{inner}\\end{{tabular}}" + text[m.end():]


# ------------------------------------------------------------------ the picture from json0

def _pt(p: str) -> tuple[float, float]:
    x, y = p.split(",")[:2]
    return float(x), float(y)


def _xy(p) -> str:
    return f"({p[0]:.2f},{p[1]:.2f})"


def node_code(o: dict, colors: Colors) -> str:
    """One node as TikZ: its box (unless shape=plain) and its label, at its centre."""
    x, y = _pt(o["pos"])
    w, h = float(o["width"]) * 72, float(o["height"]) * 72
    style = o.get("style", "")
    opts = ["inner sep=0pt", "align=center", f"minimum width={w:.1f}pt", f"minimum height={h:.1f}pt"]
    if o.get("shape") != "plain":
        opts.append(f"draw={colors(o.get('color', '#000000'))}")
        opts.append(f"line width={float(o.get('penwidth', 1)) * 0.75:.2f}pt")
        if "filled" in style:
            opts.append(f"fill={colors(o.get('fillcolor', '#ffffff'))}")
        if "rounded" in style:
            opts.append("rounded corners=4pt")
        if "dashed" in style:
            opts.append("dashed")
    return f"\\node[{', '.join(opts)}] at {_xy((x, y))} {{{latex_label(o.get('label', ''), colors)}}};"


def edge_code(e: dict, colors: Colors) -> str:
    """One edge: its B-spline as Bézier segments, its arrow, and its label where Graphviz put it."""
    parts = e["pos"].split()
    end = next((p[2:] for p in parts if p.startswith("e,")), None)
    pts = [_pt(p) for p in parts if not p.startswith(("e,", "s,"))]
    path = _xy(pts[0])
    for k in range(1, len(pts) - 2, 3):
        path += f" .. controls {_xy(pts[k])} and {_xy(pts[k + 1])} .. {_xy(pts[k + 2])}"
    width = float(e.get("penwidth", 1)) * 0.75
    color = colors(e.get("color", "#000000"))
    code = f"\\draw[draw={color}, line width={width:.2f}pt"
    if end:
        code += f", -stealth] {path} -- {_xy(_pt(end))};"
    else:
        code += f"] {path};"
    for key in ("lp", "xlp"):
        if key in e and e.get("label" if key == "lp" else "xlabel"):
            label = e["label" if key == "lp" else "xlabel"]
            code += f"\n\\node[inner sep=0pt, align=center] at {_xy(_pt(e[key]))} {{{latex_label(label, colors)}}};"
    return code


def parts_of(doc: dict, colors: Colors) -> dict[str, str]:
    """Every part of a laid-out picture as TikZ code, keyed by a stable name (node, edge, caption)."""
    out = {}
    names = {}
    for o in doc.get("objects", ()):
        if "pos" in o:
            out["node " + o["name"]] = node_code(o, colors)
            names[o["_gvid"]] = o["name"]
        elif o.get("name", "").startswith("cluster") and "bb" in o:
            x0, y0, x1, y1 = (float(v) for v in o["bb"].split(","))
            fill = f", fill={colors(o['fillcolor'])}" if "filled" in o.get("style", "") and "fillcolor" in o else ""
            code = f"\\draw[draw={colors(o.get('color', '#cccccc'))}{fill}, rounded corners=6pt] {_xy((x0, y0))} rectangle {_xy((x1, y1))};"
            if o.get("label") and "lp" in o:
                code += f"\n\\node[inner sep=0pt] at {_xy(_pt(o['lp']))} {{{latex_label(o['label'], colors)}}};"
            out["cluster " + o["name"]] = code
    for e in doc.get("edges", ()):
        out["edge " + e.get("id", f"{names.get(e['tail'])}-{names.get(e['head'])}")] = edge_code(e, colors)
    if doc.get("label") and "lp" in doc:
        out["caption"] = f"\\node[inner sep=0pt, align=center] at {_xy(_pt(doc['lp']))} {{{latex_label(doc['label'], colors)}}};"
    return out


HEADER = ("% Made by graphdiff: a TikZ picture placed from Graphviz's layout.\n"
          "% Needs \\usepackage{tikz} in the preamble; compiles with pdflatex.\n")


def _picture(doc: dict, body: str, colors: Colors, *, scale: float = 1.0, page=None) -> str:
    """The tikzpicture: colours, the background (the page, pt, centred on the drawing), the parts."""
    x0, y0, x1, y1 = (float(v) for v in doc["bb"].split(","))
    bg = colors(doc.get("bgcolor", "#ffffff"))
    if page:
        cx, cy, (pw, ph) = (x0 + x1) / 2, (y0 + y1) / 2, page
        x0, y0, x1, y1 = cx - pw / 2 + 8, cy - ph / 2 + 8, cx + pw / 2 - 8, cy + ph / 2 - 8
    # scale with `transform shape`: boxes, text and lines grow or shrink with the coordinates
    zoom = f", scale={scale:.4f}, transform shape" if abs(scale - 1) > 1e-4 else ""
    return ("\\begin{tikzpicture}[x=1pt, y=1pt" + zoom + ", line cap=round, line join=round]\n"
            + colors.definitions()
            + f"\\fill[{bg}] {_xy((x0 - 8, y0 - 8))} rectangle {_xy((x1 + 8, y1 + 8))};\n"
            + body + "\n\\end{tikzpicture}\n")


def tikz_picture(g, sweep=None, step=None, *, fit=None, **options) -> str:
    """The picture (options as for `to_dot`) as one tikzpicture. `fit` lays it out for a frame
    (direction and spacing as `render --fit` chooses them) and scales it to that frame."""
    from .effort import run_layout
    rankdir = options.pop("rankdir", None)
    if fit is None:
        dg = to_dot(g, sweep, step, rankdir=rankdir or "LR", **options)
        doc = json.loads(run_layout(dg.source, "json0").data)
        colors = Colors()
        return HEADER + _picture(doc, "\n".join(parts_of(doc, colors).values()), colors)
    from .fit import check_readable, choose_layout, padded, parse_fit
    frame = parse_fit(fit, "tex") if isinstance(fit, str) else fit
    build = lambda **kw: to_dot(g, sweep, step, **options, **kw)   # noqa: E731
    chosen = choose_layout(build, frame, rankdirs=(rankdir,) if rankdir else ("LR", "TB"))
    check_readable(chosen.size, frame)
    page = padded(chosen.size, frame.aspect)
    colors = Colors()
    body = "\n".join(parts_of(chosen.doc, colors).values())
    return HEADER + _picture(chosen.doc, body, colors, scale=frame.width / page[0], page=page)


# ------------------------------------------------------------------ Beamer: one overlay per step

def overlays(per_step: list[dict[str, str]]) -> str:
    """Each part once per run of steps in which it is the same: `\\only<a-b>{…}` (1-based)."""
    n = len(per_step)
    keys = list(dict.fromkeys(k for parts in per_step for k in parts))
    # edges first, then nodes, then the rest: the picture's drawing order
    keys.sort(key=lambda k: (0 if k.startswith(("cluster", "edge")) else 1 if k.startswith("node") else 2))
    out = []
    for key in keys:
        runs, start = [], 0
        for k in range(1, n + 1):
            if k == n or per_step[k].get(key) != per_step[start].get(key):
                runs.append((start, k - 1, per_step[start].get(key)))
                start = k
        if len(runs) == 1 and runs[0][2] is not None:
            out.append(runs[0][2])
            continue
        for a, b, code in runs:
            if code is not None:
                spec = f"{a + 1}" if a == b else f"{a + 1}-{b + 1}"
                out.append(f"\\only<{spec}>{{{code}}}")
    return "\n".join(out)


def beamer_deck(g, sweep, *, title: str = "graphdiff", show=None, theme="light", rankdir=None,
                split_leaves="auto", fit=None, focus=None, collapse=None, repeats="auto") -> str:
    """A Beamer document with one frame whose overlays step through the sweep (slide k = step k)."""
    from .effort import DRAW_TIMEOUT_S, run_tool, json_docs
    from .fit import parse_fit
    from .frames import frame_dots, one_page_size
    frame = parse_fit(fit or "16:9", "tex") if not hasattr(fit, "aspect") else fit
    dots = frame_dots(g, sweep, show=show, theme=theme, rankdir=rankdir, split_leaves=split_leaves, fit=frame,
                      focus=focus, collapse=collapse, repeats=repeats)
    one_page_size(dots, aspect=frame.aspect)
    text = run_tool(["neato", "-n2", "-Tjson0"], "\n".join(d.source for d in dots).encode("utf-8"),
                DRAW_TIMEOUT_S * max(1, len(dots) // 50))
    docs = json_docs(text.decode("utf-8"))
    colors = Colors()
    per_step = [parts_of(doc, colors) for doc in docs]
    body = overlays(per_step)
    picture = _picture(docs[0], body, colors)
    ratio = "169" if abs(frame.aspect - 16 / 9) < 0.02 else "43" if abs(frame.aspect - 4 / 3) < 0.02 else "169"
    safe = latex_text(title)
    return (f"% Made by graphdiff: the {sweep.mode} sweep of {safe}, one overlay per step.\n"
            "% Compile with pdflatex (Beamer and TikZ). The frame can be copied into another deck\n"
            "% whose preamble loads tikz.\n"
            f"\\documentclass[aspectratio={ratio}]{{beamer}}\n\\usepackage{{tikz}}\n"
            "\\setbeamertemplate{navigation symbols}{}\n\\begin{document}\n"
            f"\\begin{{frame}}[plain]{{}}\n\\centering\n"
            f"\\resizebox{{\\linewidth}}{{!}}{{%\n{picture}}}\n\\end{{frame}}\n\\end{{document}}\n")
