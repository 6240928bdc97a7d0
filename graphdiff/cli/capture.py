"""Captures of the real debugger screen, for the README and the docs:

    python -m graphdiff.cli.capture graphs/peyre.gd --size 80x24 --keys "r n n n" \\
        -o assets/tui-peyre-80x24.txt --svg assets/tui-peyre-80x24.svg

runs the app headless at the given size, waits for its layouts (Graphviz's too, when installed)
and sweeps, presses the keys, and writes the screen as plain text (-o) and as an SVG picture
(--svg, Textual's screenshot).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path


def screen_text(app) -> str:
    """The current screen as plain text, one line per terminal row (trailing spaces dropped)."""
    return "\n".join(strip.text.rstrip() for strip in app.screen._compositor.render_strips()) + "\n"


async def capture(path: str, size: tuple[int, int], keys: list[str], *, mode: str = "primal",
                  layout: str = "auto", answers: list[str] | None = None) -> tuple[str, str]:
    """(text, svg) of the debugger on `path` at `size` after `keys`; with `answers`, of the
    practice screen (`graphdiff practice`) after typing each answer and enter (`?` asks a hint)."""
    from ..api import load
    from ..tui.app import GraphdiffApp
    g = load(path)
    practice = None
    if answers is not None:
        from ..practice import Session
        practice = Session(g, mode=mode, path=path)
    app = GraphdiffApp(g, path=path, mode=mode, layout_engine=layout, layout_timeout=60, practice=practice)
    async with app.run_test(size=size) as pilot:
        typed = [[*text, "enter"] for text in answers or ()]
        for key in [None, *keys, *[k for keys_ in typed for k in keys_]]:
            if key is not None:
                await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            while app.main.busy:
                await app.workers.wait_for_complete()
                await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        return screen_text(app), app.export_screenshot(title=f"graphdiff tui {Path(path).name}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m graphdiff.cli.capture", description=__doc__.split("\n\n")[0])
    p.add_argument("file", help="a .gd graph file")
    p.add_argument("--size", default="80x24", help="WIDTHxHEIGHT of the terminal (default 80x24)")
    p.add_argument("--keys", default="", help='keys to press, separated by spaces: "r n n n"')
    p.add_argument("--mode", choices=("primal", "forward", "reverse"), default="primal")
    p.add_argument("--layout", choices=("auto", "dot", "layered"), default="auto")
    p.add_argument("--practice", metavar="ANSWERS", default=None,
                   help='open the practice screen and type these answers, separated by | ("-1|1|?")')
    p.add_argument("-o", "--out", help="write the screen as text here (default: stdout)")
    p.add_argument("--svg", help="also write an SVG picture of the screen here")
    args = p.parse_args(argv)
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        p.error(f"bad --size '{args.size}': expected WIDTHxHEIGHT such as 80x24")
    answers = None if args.practice is None else [a.strip() for a in args.practice.split("|") if a.strip()]
    text, svg = asyncio.run(capture(args.file, (w, h), args.keys.split(), mode=args.mode, layout=args.layout,
                                    answers=answers))
    if args.out:
        Path(args.out).write_text(text)
    else:
        sys.stdout.write(text)
    if args.svg:
        Path(args.svg).write_text(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
