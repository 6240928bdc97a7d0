"""The `render` and `frames` commands (Pillow and pypdf are imported only when needed)."""
from __future__ import annotations

from ..cli import _resolve_seed, command, emit, load_graph, parse_seed
from ..source import GraphError


def _sweep(g, mode, seed_text):
    from ..sweeps import SWEEPS
    if mode is None:
        return None
    if mode == "primal":
        if seed_text:
            raise GraphError("--seed applies to forward and reverse sweeps only")
        return SWEEPS["primal"](g)
    kind = "input" if mode == "forward" else "output"
    return SWEEPS[mode](g, seed=_resolve_seed(g, parse_seed(seed_text), kind))


def step_index(text: str | None, n_steps: int) -> int | None:
    """`--step N` counts from 1 (as the TUI and the frame files do); -1 or `last` is the last step."""
    if text is None:
        return None
    t = text.strip().lower()
    if t == "last":
        return n_steps - 1
    try:
        k = int(t)
    except ValueError:
        raise GraphError(f"bad --step '{text}': expected a step number (1 to {n_steps}) or 'last'") from None
    if k == 0:
        raise GraphError("steps count from 1: --step 1 is the first step")
    if not -n_steps <= k <= n_steps:
        raise GraphError(f"--step {k} is out of range: this sweep has {n_steps} steps")
    return k - 1 if k > 0 else n_steps + k


def _options(args, mode):
    from .build import parse_show
    from .build import split_threshold
    split_threshold(args.split_leaves)      # a bad value: exit 2 before any work
    return {"show": parse_show(args.show, mode), "theme": args.theme, "rankdir": args.rankdir,
            "split_leaves": args.split_leaves, "fit": args.fit, "focus": args.focus}


def _common(p):
    p.add_argument("--show", metavar="WHAT",
                   help="comma-separated annotations: values, tangents, adjoints, partials, shapes, "
                        "terms, equation, all, none (default: what the sweep needs)")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--rankdir", choices=("LR", "TB"), default=None,
                   help="left-to-right (default) or top-to-bottom (with --fit: chosen to fill the frame)")
    p.add_argument("--dpi", type=int, default=None, help="PNG resolution (default 200)")
    p.add_argument("--fit", metavar="FRAME",
                   help="fill a frame without distortion: 16:9, 4:3 or WxH (px for PNG; pt, in, cm or mm "
                        "for PDF, SVG and TikZ); frames share one layout and one page size")
    p.add_argument("--seed", help="forward: input NAME or NAME[i]; reverse: output NAME or NAME[i]")
    p.add_argument("--focus", metavar="NAME[:K]",
                   help="draw only the nodes within K steps (default 2) of node NAME (a name or v<number>)")
    p.add_argument("--split-leaves", metavar="WHEN", default="auto",
                   help="draw an input or named constant beside each node that uses it: auto (when used "
                        "by 6 nodes or more, the default), all (when used twice or more), none, or a number of uses")


@command("render", "the graph as an SVG, PNG, PDF or DOT file, optionally at a step of a sweep")
def cmd_render(args) -> int:
    from . import render
    from .output import check_target, format_of
    fmt = format_of(args.output)      # bad extension or folder: exit 2 before any work
    check_target(args.output)
    if args.fit:
        from .fit import parse_fit
        parse_fit(args.fit, fmt)
    if args.fit and args.dpi is not None:
        raise GraphError("--fit sets the PNG's size in pixels; drop --dpi")
    if args.dpi is not None and not 10 <= args.dpi <= 1200:
        raise GraphError(f"--dpi {args.dpi} is out of range (10 to 1200)")
    g = load_graph(args)
    mode = args.mode or ("reverse" if args.step is not None else None)
    sw = _sweep(g, mode, args.seed)
    step = step_index(args.step, len(sw.steps)) if sw is not None else None
    render(g, args.output, sweep=sw, step=step, dpi=args.dpi, tree=args.tree, title=args.title,
           **_options(args, mode))
    if args.json:
        emit({"output": args.output, "format": fmt, "mode": mode,
              "step": step + 1 if step is not None else None,
              "steps": len(sw.steps) if sw is not None else None})
    else:
        print(f"wrote {args.output}")
    return 0


def _configure_render(p):
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="OUT.svg, OUT.png, OUT.pdf, OUT.dot or OUT.tex (a TikZ picture)")
    p.add_argument("--mode", choices=("primal", "forward", "reverse"),
                   help="show a sweep (default: none; reverse when --step is given)")
    p.add_argument("--step", metavar="N", help="highlight step N of the sweep (from 1; -1 or 'last' for the last)")
    p.add_argument("--tree", action="store_true", help="draw the expression tree (sharing off) beside the DAG")
    p.add_argument("--title", help="a title under the graph")
    _common(p)


cmd_render.configure = _configure_render


@command("frames", "one image per step of a sweep into a folder, plus an animated GIF and a PDF deck")
def cmd_frames(args) -> int:
    from .frames import FRAME_FORMATS, write_frames
    from .output import check_target, format_of, write_atomic
    if not (args.output or args.beamer):
        raise GraphError("frames needs -o DIR (one picture per step) or --beamer DECK.tex (or both)")
    if args.beamer:
        format_of(args.beamer, allowed={".tex": "tex"})
        check_target(args.beamer)
    if args.gif:
        format_of(args.gif, allowed={".gif": "gif"})
    if args.pdf:
        format_of(args.pdf, allowed={".pdf": "pdf"})
    if args.format not in FRAME_FORMATS:
        raise GraphError(f"unknown frame format '{args.format}'")
    if args.delay <= 0:
        raise GraphError("--delay must be a positive number of milliseconds")
    if args.dpi is not None and not 10 <= args.dpi <= 1200:
        raise GraphError(f"--dpi {args.dpi} is out of range (10 to 1200)")
    if args.fit:
        from .fit import parse_fit
        parse_fit(args.fit, args.format)
    g = load_graph(args)
    sw = _sweep(g, args.mode, args.seed)
    options = _options(args, args.mode)
    files = []
    if args.output:
        files = write_frames(g, sw, args.output, fmt=args.format, gif=args.gif, pdf=args.pdf, dpi=args.dpi,
                             delay_ms=args.delay, **options)
    if args.beamer:
        from pathlib import Path

        from .tikz import beamer_deck
        deck = beamer_deck(g, sw, title=Path(args.file).name, show=options["show"], theme=options["theme"],
                           rankdir=options["rankdir"], split_leaves=options["split_leaves"], fit=options["fit"],
                           focus=options["focus"])
        write_atomic(args.beamer, deck.encode("utf-8"))
    if args.json:
        emit({"mode": sw.mode, "steps": len(sw.steps), "frames": [str(f) for f in files],
              "gif": args.gif, "pdf": args.pdf, "beamer": args.beamer})
    else:
        if files:
            print(f"wrote {len(files)} frames to {args.output}/ ({files[0].name} … {files[-1].name})")
        for extra in (args.gif, args.pdf, args.beamer):
            if extra:
                print(f"wrote {extra}")
    return 0


def _configure_frames(p):
    p.add_argument("-o", "--output", metavar="DIR", help="the folder for frame-001.png …")
    p.add_argument("--mode", choices=("primal", "forward", "reverse"), default="reverse")
    p.add_argument("--format", choices=("png", "svg", "pdf", "dot"), default="png", help="format of each frame")
    p.add_argument("--gif", metavar="OUT.gif", help="also write an animated GIF, one frame per step")
    p.add_argument("--pdf", metavar="OUT.pdf", help="also write a PDF with one page per step")
    p.add_argument("--beamer", metavar="DECK.tex",
                   help="write a Beamer deck (pdflatex): one frame whose overlays reveal the sweep step by step")
    p.add_argument("--delay", type=int, default=1200, metavar="MS", help="GIF time per frame (default 1200 ms)")
    _common(p)


cmd_frames.configure = _configure_frames


@command("html", "one self-contained HTML page that steps through the sweeps in a browser")
def cmd_html(args) -> int:
    from pathlib import Path

    from .build import split_threshold
    from .html import page_html
    from .output import check_target, format_of, write_atomic
    format_of(args.output, allowed={".html": "html", ".htm": "html"})
    check_target(args.output)
    split_threshold(args.split_leaves)
    g = load_graph(args)
    text = page_html(g, title=args.title or Path(args.file).name, theme=args.theme, rankdir=args.rankdir,
                     split_leaves=args.split_leaves)
    write_atomic(args.output, text.encode("utf-8"))
    if args.json:
        emit({"output": args.output, "bytes": len(text.encode("utf-8"))})
    else:
        print(f"wrote {args.output}")
    return 0


def _configure_html(p):
    p.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the page to write")
    p.add_argument("--title", help="the page's title (default: the file's name)")
    p.add_argument("--theme", choices=("light", "dark"), default="light", help="the theme it opens in")
    p.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="left-to-right (default) or top-to-bottom")
    p.add_argument("--split-leaves", metavar="WHEN", default="auto",
                   help="draw an input beside each node that uses it: auto, all, none or a number of uses")


cmd_html.configure = _configure_html
