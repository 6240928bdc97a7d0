"""render, frames and html (their arguments: cli/spec.py). Pillow, pypdf and Graphviz are imported
only by the commands that draw."""
from __future__ import annotations

from ..explain import stops
from ..source import GraphError
from .common import load_graph, print_json, step_index, sweep_for


def _options(args, mode):
    from ..render.build import parse_show, split_threshold
    from ..render.groups import repeat_min
    split_threshold(args.split_leaves)      # a bad value: exit 2 before any work
    repeat_min(args.repeats)
    return {"show": parse_show(args.show, mode), "theme": args.theme, "rankdir": args.rankdir,
            "split_leaves": args.split_leaves, "fit": args.fit, "focus": args.focus,
            "collapse": args.collapse, "repeats": args.repeats}


def cmd_render(args) -> int:
    from ..render import render
    from ..render.output import check_target, format_of
    if not args.out:
        raise GraphError("render needs the file to write: -o OUT.svg (or .png, .pdf, .dot, .tex)")
    fmt = format_of(args.out)      # bad extension or folder: exit 2 before any work
    check_target(args.out)
    if args.fit:
        from ..render.fit import parse_fit
        parse_fit(args.fit, fmt)
    if args.fit and args.dpi is not None:
        raise GraphError("--fit sets the PNG's size in pixels; drop --dpi")
    if args.dpi is not None and not 10 <= args.dpi <= 1200:
        raise GraphError(f"--dpi {args.dpi} is out of range (10 to 1200)")
    g = load_graph(args)
    mode = args.mode or ("reverse" if args.step is not None else None)
    sw = sweep_for(g, mode, args.seed)
    shown = stops(g, sw) if sw is not None else []     # the steps a person counts, as trace and the TUI do
    k = step_index(args.step, len(shown)) if sw is not None else None
    step = shown[k] if k is not None else None
    render(g, args.out, sweep=sw, step=step, dpi=args.dpi, tree=args.tree, title=args.title,
           **_options(args, mode))
    if args.json:
        print_json({"output": args.out, "format": fmt, "mode": mode,
              "step": k + 1 if k is not None else None,
              "steps": len(shown) if sw is not None else None})
    else:
        print(f"wrote {args.out}")
    return 0


def cmd_frames(args) -> int:
    from ..render.frames import FRAME_FORMATS, write_frames
    from ..render.output import check_target, format_of, write_atomic
    if not (args.out or args.beamer):
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
        from ..render.fit import parse_fit
        parse_fit(args.fit, args.format)
    g = load_graph(args)
    sw = sweep_for(g, args.mode, args.seed)
    options = _options(args, args.mode)
    files = []
    if args.out:
        files = write_frames(g, sw, args.out, fmt=args.format, gif=args.gif, pdf=args.pdf, dpi=args.dpi,
                             delay_ms=args.delay, **options)
    if args.beamer:
        from pathlib import Path

        from ..render.tikz import beamer_deck
        deck = beamer_deck(g, sw, title=Path(args.file).name, show=options["show"], theme=options["theme"],
                           rankdir=options["rankdir"], split_leaves=options["split_leaves"], fit=options["fit"],
                           focus=options["focus"], collapse=options["collapse"], repeats=options["repeats"])
        write_atomic(args.beamer, deck.encode("utf-8"))
    if args.json:
        print_json({"mode": sw.mode, "steps": len(stops(g, sw)), "frames": [str(f) for f in files],
              "gif": args.gif, "pdf": args.pdf, "beamer": args.beamer})
    else:
        if files:
            print(f"wrote {len(files)} frames to {args.out}/ ({files[0].name} … {files[-1].name})")
        for extra in (args.gif, args.pdf, args.beamer):
            if extra:
                print(f"wrote {extra}")
    return 0


def cmd_html(args) -> int:
    from pathlib import Path

    from ..render.build import split_threshold
    from ..render.html import page_html
    from ..render.output import check_target, format_of, write_atomic
    if not args.out:
        raise GraphError("html needs the page to write: -o OUT.html")
    format_of(args.out, allowed={".html": "html", ".htm": "html"})
    check_target(args.out)
    split_threshold(args.split_leaves)
    from ..render.groups import repeat_min
    repeat_min(args.repeats)
    g = load_graph(args)
    title = (args.title or Path(args.file).name).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = page_html(g, title=title, theme=args.theme, rankdir=args.rankdir,
                     split_leaves=args.split_leaves, collapse=args.collapse, repeats=args.repeats)
    write_atomic(args.out, text.encode("utf-8"))
    if args.json:
        print_json({"output": args.out, "bytes": len(text.encode("utf-8"))})
    else:
        print(f"wrote {args.out}")
    return 0
