"""The README and docs/ are true as printed: every command in them runs, and they stand on their own.

What counts as a command (`extract`):
  * each line of a fenced ```sh / ```console / ```bash block; in a block with `$ ` prompts, the
    prompt lines, and the lines after one are its expected output (checked line by line; `...`
    and `…` skip lines);
  * each line of an indented code block that starts with a command (PROGRAMS);
  * each inline code span that starts with one (`graphdiff render FILE -o g.svg`, `make run`).

How each one is checked (`check_command`):
  * `graphdiff …` and `.venv/bin/graphdiff …` run in-process through graphdiff.cli.main, in a
    temporary folder that mirrors the repository's folders and holds a copy of graphs/ (outputs
    are written there). The exit status must be 0, or N where the line says `# exit status N`;
    no "internal error" and no traceback.
  * A synopsis (`graphdiff frames FILE -o DIR [--gif OUT.gif]`) runs with its placeholders
    replaced by examples (PLACEHOLDERS), its optional `[--…]` parts kept and the first of each
    `a|b` or `{a,b}` choice taken.
  * `graphdiff tui …` opens the debugger headless (App.run_test at 80×24) until its first sweep
    and layout are done: the first command of each set of options does so in the default run;
    the others open the app without its event loop there (the graph loaded, the app built), and
    all of them do in `make test-slow`.
  * `graphdiff COMMAND` alone names a command: it must exist.
  * `python -m graphdiff.…` runs that module in-process.
  * `make TARGET [VAR=VALUE]`: `make -n TARGET [VAR=VALUE]` must know it, and the graphdiff commands
    of its recipe are checked as above (`make run` opens the debugger).
  * Pipelines (`printf … | graphdiff eval -`, `… | head`) run in bash with .venv/bin on PATH.
  * `source .venv/bin/activate`, `export PATH=…/.venv/bin:…`: the venv they name holds graphdiff.
  * `apt-get install graphviz`, `brew install graphviz` need root or the network and are not run:
    the package must be the one scripts/ensure-dot.sh installs.
Anything else fails, asking for this file to learn it: nothing is skipped in silence.

The other tests: links and paths resolve inside the repository, nothing points outside it,
each walkthrough quotes the exercises it solves, docs/cli.md covers every command and option,
the README's screen captures are the files in assets/, the README's Python example runs.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
import unicodedata
import warnings
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BIN = Path(sys.executable).parent            # the venv's bin folder (.venv/bin after `make setup`)
PROGRAMS = {"graphdiff", "make", "source", "export", "apt-get", "sudo", "brew", "printf", "echo"}
SHELL_FENCES = {"sh", "bash", "shell", "console"}

# Examples for the placeholders of synopses (whole tokens or the part before an extension).
PLACEHOLDERS = {
    "FILE": "graphs/peyre.gd", "COMMAND": "stats", "DIR": "frames", "OUT": "out", "DECK": "deck",
    "NAME=VALUE": "x=0.7", "NAME": "x", "NAMES": "x", "VALUE": "0.7", "NAME[:K]": "v:2", "N": "4",
    "K": "2", "WxH": "1280x720", "FRAME": "16:9", "MS": "500", "SECONDS": "30", "WHAT": "values",
    "WHEN": "auto",
}
SMALL = "graphs/sheet0/chain_rule.gd"   # FILE in a `frames` synopsis (three steps to draw)


class Command(NamedTuple):
    doc: str            # path relative to the repository
    line: int           # 1-based line of the doc
    text: str           # as printed (continuations joined, prompt removed)
    where: str          # "fence" | "indent" | "inline"
    output: tuple = ()  # expected output lines (after a `$ ` prompt)
    block: int = 0      # the first line of its code block (0: inline); a block's commands run in order

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}: {self.text[:70]}"


# ------------------------------------------------------------------ finding the commands

def _is_command(text: str) -> bool:
    """Whether a line or a code span is a command (its first word is a program the docs run)."""
    first, _, rest = text.partition(" ")
    if first in ("python", "python3", ".venv/bin/python"):
        return rest.startswith(("-m graphdiff", "-c "))
    if first == "export":
        return rest.startswith("PATH=")
    return first in PROGRAMS or first.startswith(".venv/bin/")


def extract(path: Path) -> list[Command]:
    """Every command of one Markdown file, in order."""
    rel = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[Command] = []
    i, prose = 0, []                     # prose: (line number, text) of the current paragraph
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(\s*)(```+|~~~+)\s*([\w-]*)", line)
        if fence:
            _inline(rel, prose, out)
            prose = []
            indent, mark, lang = fence.groups()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(mark):
                j += 1
            body = [(k + 1, lines[k][len(indent):] if lines[k].startswith(indent) else lines[k].lstrip())
                    for k in range(i + 1, j)]
            if lang in SHELL_FENCES or (not lang and any(t.startswith("$ ") for _, t in body)):
                out.extend(_shell_block(rel, body))
            i = j + 1
            continue
        if line.startswith("    ") and not prose:       # an indented code block (none inside a paragraph)
            j = i
            block = []
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                block.append((j + 1, lines[j][4:]))
                j += 1
            if not _list_continuation(lines, i):
                out.extend(_shell_block(rel, [(n, t) for n, t in block if _is_command(t.strip())], indented=True))
                i = j
                continue
        if line.strip():
            prose.append((i + 1, line))
        else:
            _inline(rel, prose, out)
            prose = []
        i += 1
    _inline(rel, prose, out)
    return out


def _list_continuation(lines, i) -> bool:
    """Whether an indented line belongs to a list item above it (not a code block)."""
    for k in range(i - 1, -1, -1):
        if not lines[k].strip():
            continue
        return bool(re.match(r"^\s*([-*+]|\d+\.)\s", lines[k])) and not lines[k].startswith("    ")
    return False


def _shell_block(rel: str, body, *, indented: bool = False) -> list[Command]:
    prompts = any(t.startswith("$ ") for _, t in body)
    cmds: list[Command] = []
    k = 0
    while k < len(body):
        n, t = body[k]
        k += 1
        if prompts and not t.startswith("$ "):
            continue
        t = t[2:] if t.startswith("$ ") else t
        while t.rstrip().endswith("\\") and k < len(body):      # a continued line
            t = t.rstrip()[:-1] + " " + body[k][1].strip()
            k += 1
        if not t.strip() or t.lstrip().startswith("#"):
            continue
        expected = []
        if prompts:
            while k < len(body) and not body[k][1].startswith("$ "):
                expected.append(body[k][1])
                k += 1
        cmds.append(Command(rel, n, t.strip(), "indent" if indented else "fence", tuple(expected), body[0][0]))
    return cmds


def _inline(rel: str, prose, out: list) -> None:
    """Inline code spans of a paragraph (they may run across its lines) that are commands."""
    if not prose:
        return
    text = "\n".join(t for _, t in prose)
    for m in re.finditer(r"(?<!`)`([^`]+)`(?!`)", text):
        span = " ".join(m.group(1).replace("\\|", "|").split())
        if _is_command(span):
            line = prose[0][0] + text.count("\n", 0, m.start())
            out.append(Command(rel, line, span, "inline"))


ALL = [c for path in DOCS for c in extract(path)]


# ------------------------------------------------------------------ turning a command into argv

def expected_status(text: str) -> int:
    m = re.search(r"#.*\bexit(?:s| status)\s+(\d+)", text)
    return int(m.group(1)) if m else 0


def words(text: str) -> list[str]:
    """The command's words, its shell comment dropped and a synopsis made concrete."""
    text = re.sub(r"(^|\s)\[(--?[^\[\]]*)\]", r"\1\2", text)     # optional parts: kept
    text = text.replace("…", " ").replace("[options]", "")
    argv = []
    for w in shlex.split(text, comments=True):
        w = re.sub(r"\{([^{},]+),[^{}]*\}", r"\1", w)             # OUT.{svg,png} → OUT.svg
        if "|" in w and not w.startswith("{"):                  # forward|reverse → forward
            w = w.split("|")[0]
        argv.append(_concrete(w))
    if argv[1:2] == ["frames"] and "FILE" in text.split():    # a small graph: frames draws every step
        argv = [SMALL if w == PLACEHOLDERS["FILE"] else w for w in argv]
    return argv


def _concrete(w: str) -> str:
    if w in PLACEHOLDERS:
        return PLACEHOLDERS[w]
    stem, dot, ext = w.partition(".")
    if stem in PLACEHOLDERS and dot and ext.isalpha():
        return PLACEHOLDERS[stem] + dot + ext
    if re.fullmatch(r"[A-Z][A-Z_]+(\.\w+)?", w):
        raise AssertionError(f"placeholder {w!r}: add an example for it to PLACEHOLDERS in tests/test_docs.py")
    return w


# ------------------------------------------------------------------ running

class Result(NamedTuple):
    status: int
    out: str
    err: str


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A folder shaped like the repository: its folders (empty), graphs/ and the files commands read."""
    ws = tmp_path_factory.mktemp("docs")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for f in tracked:
        (ws / f).parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "graphs", ws / "graphs", dirs_exist_ok=True)
    return ws


def _copy_inputs(argv, ws: Path) -> None:
    for w in argv:
        w = w.split(":")[0] if ".py:" in w else w     # PATH.py:FUNC reads PATH.py
        src = ROOT / w
        if not w.startswith("-") and "/" in w and src.is_file() and not (ws / w).exists():
            shutil.copy(src, ws / w)


def run_inprocess(fn, ws: Path) -> Result:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(ws)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = fn()
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    finally:
        os.chdir(old)
    return Result(status or 0, out.getvalue(), err.getvalue())


def run_graphdiff(argv, ws: Path) -> Result:
    from graphdiff.cli import main
    _copy_inputs(argv, ws)
    if argv and argv[0] == "practice":
        # Not a terminal, so practice asks line by line; no answers: it stops at once, score kept.
        saved = sys.stdin
        sys.stdin = io.StringIO("")
        try:
            return run_inprocess(lambda: main(argv), ws)
        finally:
            sys.stdin = saved
    return run_inprocess(lambda: main(argv), ws)


def run_module(argv, ws: Path) -> Result:
    """`python -m MODULE ARGS` in-process: its `main(args)`, or the module run as __main__."""
    _copy_inputs(argv, ws)
    module = importlib.import_module(argv[0])
    if callable(getattr(module, "main", None)):
        return run_inprocess(lambda: module.main(argv[1:]), ws)

    def go():
        saved = sys.argv
        sys.argv = [argv[0], *argv[1:]]
        try:
            with warnings.catch_warnings():     # "found in sys.modules": it was imported, and that is fine
                warnings.simplefilter("ignore", RuntimeWarning)
                runpy.run_module(argv[0], run_name="__main__", alter_sys=False)
        finally:
            sys.argv = saved
        return 0
    return run_inprocess(go, ws)


def run_piped(data_cmd: str, argv, ws: Path) -> Result:
    """`printf … | graphdiff ARGS`: the data from bash, graphdiff in-process reading it on stdin."""
    data = subprocess.run(["bash", "-c", data_cmd], capture_output=True, check=True, timeout=30).stdout
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    saved = sys.stdin
    sys.stdin = stdin
    try:
        return run_graphdiff(argv, ws)
    finally:
        sys.stdin = saved


def run_shell(text: str, ws: Path) -> Result:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    p = subprocess.run(["bash", "-c", text.replace(".venv/bin/", f"{BIN}/")], cwd=ws, env=env,
                       capture_output=True, text=True, timeout=120)
    return Result(p.returncode, p.stdout, p.stderr)


@contextlib.contextmanager
def debugger_opened(*, run: bool):
    """Make GraphdiffApp.run open the app headless for a moment (run=True) or not at all."""
    from graphdiff.tui.app import GraphdiffApp
    opened: list = []           # (app, whether its event loop ran)

    def briefly(self, *args, **kwargs):
        async def go():
            async with self.run_test(size=(80, 24)) as pilot:
                await self.workers.wait_for_complete()
                await pilot.pause()
                while self.main.busy:
                    await self.workers.wait_for_complete()
                    await pilot.pause()
        if run:
            asyncio.run(go())
        opened.append((self, run))

    saved = GraphdiffApp.run
    GraphdiffApp.run = briefly
    try:
        yield opened
    finally:
        GraphdiffApp.run = saved


def shape(argv) -> tuple:
    """What a command exercises, its files and values aside: the program, subcommand and flags."""
    program = Path(argv[0]).name
    flags = tuple(sorted(w for w in argv if w.startswith("-")))
    return (program, *argv[1:2 if program == "graphdiff" else 3]) + flags


def _heavy(text: str) -> bool:
    """Commands that open the debugger or draw pictures (Graphviz, Pillow, pdflatex's inputs)."""
    return bool(re.match(r"(\.venv/bin/)?(graphdiff (tui|render|frames|html) \S|python -m graphdiff\.cli\.capture )",
                         text))


def _representatives(commands) -> set:
    """The first heavy command of each shape: these run in full in the default run. The others run
    everything but the debugger's event loop or the drawing there (their drawing of every graph of
    graphs/ is covered by test_render.py), and in full in `make test-slow`."""
    seen, ids = set(), set()
    for c in commands:
        if _heavy(c.text) and (c.output or expected_status(c.text) or shape(words(c.text)) not in seen):
            seen.add(shape(words(c.text)))
            ids.add(c.id)
    return ids


REPRESENTATIVES = _representatives(ALL)


def _commands_of_make(target: str, assignments=()) -> list[str]:
    p = subprocess.run(["make", "-n", target, *assignments], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"`make {target}` is not a target of the Makefile: {p.stderr}"
    return [ln.strip() for ln in p.stdout.splitlines() if ln.strip().startswith(".venv/bin/graphdiff ")]


def _without_comment(text: str) -> str:
    """The command before its shell comment (a `#` after a blank, outside quotes)."""
    quote = None
    for k, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or text[k - 1].isspace()):
            return text[:k].rstrip()
    return text


def check_command(cmd: Command, ws: Path, *, full: bool) -> None:
    """Run one command as the module docstring says; `full` opens every debugger for real."""
    text = cmd.text
    status = expected_status(text)
    piped = re.fullmatch(r"((?:printf|echo) (?:'[^']*'|\"[^\"]*\"|\S)+) \| (graphdiff [^|<>;&]*)",
                         _without_comment(text))
    if piped:
        _assert_ran(cmd, run_piped(piped.group(1), words(piped.group(2))[1:], ws), status)
        return
    if re.search(r"\s(\||>|<|&&|;)\s", _without_comment(text)) or re.match(r"(\.venv/bin/)?python3? -c ", text):
        _assert_ran(cmd, run_shell(_without_comment(text), ws), status)
        return
    argv = words(text)
    head = argv[0]
    if head == "source":
        assert argv[1:] == [".venv/bin/activate"], text
        assert (BIN / "activate").is_file() and (BIN / "graphdiff").is_file(), BIN
    elif head == "export":
        assert len(argv) == 2 and re.fullmatch(r"PATH=(\$PWD/)?\.venv/bin:\$PATH", argv[1]), text
        assert (BIN / "graphdiff").is_file(), BIN
    elif head in ("apt-get", "sudo", "brew"):     # root and the network: the package ensure-dot.sh installs
        assert "install graphviz" in " ".join(argv), text
        assert re.search(rf"\b{re.escape(head if head != 'sudo' else argv[1])}\b.*install.*\bgraphviz\b",
                         (ROOT / "scripts/ensure-dot.sh").read_text()), text
    elif head == "make":
        assert (ROOT / "Makefile").is_file()
        targets = [w for w in argv[1:] if "=" not in w]         # and variables: make test TEST_JOBS=0
        assert len(targets) <= 1, f"one make target at a time: {text}"
        assignments = [w for w in argv[1:] if "=" in w]
        for line in _commands_of_make(targets[0], assignments) if targets else ():
            check_command(cmd._replace(text=line), ws, full=full)
    elif Path(head).name in ("python", "python3"):
        assert argv[1] == "-m" and argv[2].startswith("graphdiff"), f"teach tests/test_docs.py to run {text!r}"
        if argv[2] == "graphdiff.cli.capture" and not (full or cmd.id in REPRESENTATIVES):
            import graphdiff.cli.capture as capture

            async def screen(*args, **kwargs):    # its arguments and files, not the debugger (that: test-slow)
                return "screen\n", "<svg/>"
            saved, capture.capture = capture.capture, screen
            try:
                res = run_module(argv[2:], ws)
            finally:
                capture.capture = saved
        else:
            res = run_module(argv[2:], ws)
        _assert_ran(cmd, res, status)
    else:
        assert head in ("graphdiff", ".venv/bin/graphdiff"), f"teach tests/test_docs.py to run {text!r}"
        _check_graphdiff(cmd, argv[1:], ws, status, run=full or cmd.id in REPRESENTATIVES)


def _check_graphdiff(cmd: Command, args: list, ws: Path, status: int, *, run: bool) -> None:
    from graphdiff.cli.spec import COMMANDS
    if len(args) <= 1 and not any(a.startswith("-") for a in args):   # `graphdiff tui`: a name
        assert not args or args[0] in {c.name for c in COMMANDS}, f"no command {args[0]!r}"
        return
    if args[0] in ("render", "frames", "html") and not run:     # all but the drawing
        from graphdiff.api import load
        from graphdiff.cli.spec import build_parser
        from graphdiff.values import parse_at
        parsed = build_parser().parse_args(args)
        _copy_inputs(args, ws)
        load(ws / parsed.file, at=parse_at(parsed.at))
        assert parsed.out or getattr(parsed, "beamer", None), f"{cmd.text}: writes nothing"
        return
    if args[0] != "tui":
        _assert_ran(cmd, run_graphdiff(args, ws), status)
        return
    with debugger_opened(run=run) as opened:
        res = run_graphdiff(args, ws)
    _assert_ran(cmd, res, status)
    if status == 0:
        assert len(opened) == 1, f"{cmd.text}: the debugger did not open ({res.err})"
        app, ran = opened[0]
        mode = args[args.index("--mode") + 1] if "--mode" in args else "primal"
        assert app.main.mode == mode and not app.internal_errors, (cmd.text, app.internal_errors)
        if ran:
            assert app.dbg.sweep is not None and app.dbg.sweep.steps, cmd.text


def _assert_ran(cmd: Command, res: Result, status: int) -> None:
    said = f"{cmd.id}\n--- stdout\n{res.out[-2000:]}\n--- stderr\n{res.err[-2000:]}"
    assert res.status == status, f"exit status {res.status}, the doc expects {status}: {said}"
    assert "internal error" not in res.err and "Traceback" not in res.err, said
    if cmd.output:
        _assert_output(cmd, res.out + res.err)


def _norm(s: str) -> str:
    """Blanks collapsed, and one Unicode form (ż typed as one character or as z and a dot)."""
    return " ".join(unicodedata.normalize("NFC", s).split())


def _assert_output(cmd: Command, actual: str) -> None:
    """Each line of the printed output is a line of the real one (in order); `...` skips lines."""
    have = [_norm(ln) for ln in actual.splitlines()]
    pos = 0
    for line in cmd.output:
        want = _norm(line)
        if not want or want in ("...", "…"):
            continue
        bare = _norm(re.sub(r"\s{2,}#\s.*$", "", line))       # an annotation after the output
        for k in range(pos, len(have)):
            if have[k] in (want, bare):
                pos = k + 1
                break
        else:
            raise AssertionError(f"{cmd.id}: the doc prints {line.strip()!r}, which the command does not "
                                 f"(after line {pos}):\n{actual}")


# ------------------------------------------------------------------ the tests

def test_the_docs_have_commands():
    """The extraction finds the commands (a broken extractor must not pass by finding none)."""
    by_doc = {}
    for c in ALL:
        by_doc.setdefault(c.doc, []).append(c)
    for doc in ["README.md", "docs/cli.md", *(f"docs/walkthroughs/sheet{k}.md" for k in range(5))]:
        assert len(by_doc.get(doc, ())) >= 3, doc
    assert any(c.output for c in ALL) and any(c.where == "inline" for c in ALL)


@pytest.mark.parametrize("cmd", ALL, ids=[c.id for c in ALL])
def test_command_runs_as_printed(cmd, workspace):
    for before in _earlier_in_block(cmd):     # what they write, this one may read (when run alone)
        if before.id not in RAN:
            check_command(before, workspace, full=False)
    check_command(cmd, workspace, full=False)
    RAN.add(cmd.id)


RAN: set = set()


def _earlier_in_block(cmd: Command) -> list:
    return [c for c in ALL if cmd.block and c.doc == cmd.doc and c.block == cmd.block and c.line < cmd.line]


HEAVY = [c for c in ALL if c.id not in REPRESENTATIVES and (_heavy(c.text) or re.match(r"make run\b", c.text))]


@pytest.mark.slow
@pytest.mark.parametrize("cmd", HEAVY, ids=[c.id for c in HEAVY])
def test_heavy_command_runs_in_full(cmd, workspace):
    """Every debugger and picture command in full: the debugger opened, the picture drawn (the
    default run does so for one command of each shape)."""
    for before in _earlier_in_block(cmd):
        check_command(before, workspace, full=False)
    check_command(cmd, workspace, full=True)


def test_synopses_are_made_concrete():
    assert words("graphdiff frames FILE -o DIR [--gif OUT.gif] [--pdf OUT.pdf]") == \
        ["graphdiff", "frames", SMALL, "-o", "frames", "--gif", "out.gif", "--pdf", "out.pdf"]
    assert words("graphdiff render FILE -o OUT.{svg,png,pdf} --mode forward|reverse --seed x[1]  # a comment") == \
        ["graphdiff", "render", "graphs/peyre.gd", "-o", "out.svg", "--mode", "forward", "--seed", "x[1]"]
    assert expected_status("graphdiff check bad.gd   # exit status 1") == 1
    with pytest.raises(AssertionError, match="PLACEHOLDERS"):
        words("graphdiff eval UNKNOWNTHING")


def test_a_failing_command_fails_the_test(workspace):
    """The checker is not a rubber stamp: a wrong status, a wrong output line, a missing command."""
    with pytest.raises(AssertionError, match="exit status 2"):
        check_command(Command("x.md", 1, "graphdiff eval graphs/missing.gd", "fence"), workspace, full=False)
    with pytest.raises(AssertionError, match="does not"):
        check_command(Command("x.md", 1, "graphdiff eval graphs/peyre.gd", "fence", ("f = 12",)), workspace, full=False)
    with pytest.raises(AssertionError, match="teach"):
        check_command(Command("x.md", 1, "rm -rf /", "fence"), workspace, full=False)
    check_command(Command("x.md", 1, "graphdiff eval graphs/peyre.gd", "fence", ("f = 0.256666527299",)),
                  workspace, full=False)


# ------------------------------------------------------------------ the docs stand on their own

# Spelt in pieces so that this file does not match itself.
OUTSIDE = [r"\.\./" + "shared", "shared" + "/seeds", "shared" + "/SPEC", r"\bSPEC" + r"(\.md| ?§)",
           r"\bSTYLE" + r"\.md", r"\bNOTES" + r"\.md", r"(^|[^A-Za-z0-9_.])/" + r"work/"]


def test_no_file_refers_to_a_path_outside_the_repository():
    """No tracked file cites the spec, the exercise sheets or a folder a clone does not have."""
    args = ["git", "grep", "-I", "-n", "-E"] + [x for p in OUTSIDE for x in ("-e", p)]
    p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr           # 1: no match
    found = []
    for hit in p.stdout.splitlines():
        name, line, said = hit.split(":", 2)
        said = said.strip()
        found.append(f"{name}:{line}: {said[:100]}")
    assert not found, "references to files a clone does not have:\n" + "\n".join(found)


def _links(path: Path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for m in re.finditer(r"(?<!\\)\[[^\]]*\]\(([^)\s]+)\)|<img [^>]*src=\"([^\"]+)\"", text):
        yield m.group(1) or m.group(2), text.count("\n", 0, m.start()) + 1


def _anchors(path: Path) -> set:
    """GitHub's anchors for the headings of a Markdown file."""
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#{1,6}\s+(.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            out.add(slug)
    return out


def test_links_resolve_inside_the_repository():
    bad = []
    for doc in DOCS:
        for target, line in _links(doc):
            if re.match(r"^[a-z]+:", target):           # http:, mailto: …
                continue
            file, _, anchor = target.partition("#")
            dest = (doc.parent / file).resolve() if file else doc
            where = f"{doc.relative_to(ROOT)}:{line}: {target}"
            if ROOT.resolve() not in dest.parents and dest != ROOT.resolve():
                bad.append(where + " (outside the repository)")
            elif not dest.exists():
                bad.append(where + " (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
                bad.append(where + " (no such heading)")
    assert not bad, "\n".join(bad)


PATH_SPAN = re.compile(r"`((?:graphdiff|tests|docs|benchmarks|scripts|graphs|assets)/[\w./-]*)`")


def test_paths_named_in_the_docs_exist():
    """`graphdiff/ops/table.py`, `tests/test_cost.py`, `graphs/sheet3/` …: every path a doc names."""
    bad = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for m in PATH_SPAN.finditer(text):
            path = m.group(1)
            if not (ROOT / path).exists():
                bad.append(f"{doc.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {path}")
    assert not bad, "\n".join(bad)


def test_the_docs_say_how_to_put_graphdiff_on_the_path():
    """The README says it once, in its own section; the pages people open first point to it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running graphdiff", 1)[1].split("\n## ", 1)[0]
    assert "make setup" in section and "source .venv/bin/activate" in section and ".venv/bin/graphdiff" in section
    for page in ["docs/README.md", "docs/cli.md", *(f"docs/walkthroughs/sheet{k}.md" for k in range(5))]:
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "source .venv/bin/activate" in text and "README.md#running-graphdiff" in text, page


def test_each_walkthrough_quotes_the_exercises_it_solves():
    """A student with only the clone has the statement: every exercise section quotes it."""
    for k in range(5):
        path = ROOT / f"docs/walkthroughs/sheet{k}.md"
        sections = re.split(r"^## ", path.read_text(encoding="utf-8"), flags=re.M)[1:]
        exercises = [s for s in sections if not s.startswith(("Pictures", "Keys", "How", "Practice"))]
        assert exercises, path
        for s in exercises:
            quote = [ln for ln in s.splitlines() if ln.startswith(">")]
            assert quote and len(" ".join(quote)) > 40, \
                f"{path.name}: section '{s.splitlines()[0]}' quotes no statement"


def test_the_cli_reference_covers_every_command_and_option():
    from graphdiff.cli.spec import COMMANDS, build_parser
    text = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    missing = []
    for c in COMMANDS:
        if not re.search(rf"^#+ .*`{c.name}`", text, re.M):
            missing.append(f"a section for `{c.name}`")
        for action in sub.choices[c.name]._actions:
            if action.help == "==SUPPRESS==":
                continue
            for flag in action.option_strings:
                in_code = re.search(rf"`[^`\n]*{re.escape(flag)}(?![\w-])[^`\n]*`", text)
                if flag.startswith("--") and flag != "--help" and not in_code:
                    missing.append(f"{c.name} {flag}")
    for status in ("0", "1", "2", "130"):
        assert re.search(rf"\|\s*{status}\s*\|", text), f"exit status {status} is not in the table"
    assert not missing, "docs/cli.md does not document: " + ", ".join(missing)


def test_the_readme_screens_are_the_captures_in_assets():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = 0
    for m in re.finditer(r"\((assets/tui-[\w-]+\.txt)\)[^`]*?```\n(.*?)```", text, flags=re.S):
        asset = (ROOT / m.group(1)).read_text(encoding="utf-8")
        assert [ln.rstrip() for ln in m.group(2).rstrip("\n").split("\n")] == \
            [ln.rstrip() for ln in asset.rstrip("\n").split("\n")], m.group(1)
        found += 1
    assert found >= 2


def test_the_readme_graphs_build():
    """The README's graph listings are graphs: the Peyré listing is graphs/peyre.gd's DAG."""
    import graphdiff as gd
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listings = [b for lang, b in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)
                if not lang and re.search(r"^input ", b, flags=re.M) and re.search(r"^output ", b, flags=re.M)]
    assert len(listings) >= 2
    for code in listings:
        g = gd.parse(code, filename="README.md")
        assert g.eval()
    assert gd.parse(listings[0]).stats() == gd.load(ROOT / "graphs/peyre.gd").stats()


def test_the_readme_python_example_runs(monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks
    monkeypatch.chdir(ROOT)
    for code in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        assert out.getvalue().strip(), "the README's example prints nothing"
