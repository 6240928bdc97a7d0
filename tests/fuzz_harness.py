"""The fuzz harness: runs what graphdiff.fuzzing draws through the command line, in-process
(`graphdiff.cli.main(argv)`, no subprocess per example), inside a temporary folder, and checks
what a user is promised (docs/cli.md on exit statuses and errors; issue 17):

  * exit status 0, 1 or 2; no "internal error", no traceback, no library warning on stderr;
  * a bad file (exit 2 on a plain `eval`) is named with `file:line:col`, and the excerpt under
    the message is that line of the file; a planted mistake is reported on its own line;
    programs the language accepts load, programs it refuses are refused;
  * exit 2 prints nothing on stdout; `--json` prints one strict JSON document;
  * files written by -o are whole or absent (an earlier file survives a failure, even on a full
    disk), and nothing else is left behind (no temp files); DOT files parse (`dot -Tcanon`);
  * generated Python compiles and imports without side effects;
  * each run within a time bound (a SIGALRM timer: the run is reported as a hang);
  * and, for programs that evaluate to finite values, the differential maths of fuzz_maths.py.

Failures are collected, not raised, so a campaign counts every category and keeps going.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import types
import warnings
from dataclasses import dataclass, field

from hypothesis import strategies as st

import graphdiff
from graphdiff.cli import main
from graphdiff.fuzzing import GraphInfo, Program, Run, at_oracle_lines, chance, command_lines, uniform
from graphdiff.source import GraphError

TIMEOUT = 10.0   # seconds per run
# Messages about the file as a whole, which need no line:col.
WHOLE_FILE = ("no such file", "is a directory", "cannot read the file", "holds no statements", "has no output",
              "is a FIFO", "not a regular file", "is empty")
SENTINEL = b"an earlier file that a failed run must leave alone\n"
# Warnings Python hides from users by default; any other warning reaching stderr is a finding.
HIDDEN_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


class Hang(BaseException):
    """Raised by the timer in the middle of a run that took too long (not an Exception, so the
    CLI's `except Exception` does not turn it into an internal error)."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Interrupt the block after `seconds` with Hang (main thread only; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise Hang(f"still running after {seconds:g} s")

    old = signal.signal(signal.SIGALRM, ring)
    # Then every half second: a Hang raised inside a garbage-collector callback (Hypothesis
    # installs one) is swallowed by Python, and the run must still be stopped.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def file_size_limit(limit: int | None):
    """A full disk: writes past `limit` bytes fail with EFBIG (SIGXFSZ ignored) during the block."""
    if limit is None:
        yield
        return
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old)


def kill_children() -> None:
    """Kill the processes this process started and that still run (a Graphviz run a timer
    interrupted from another thread, e.g. frames' pool), by their ids."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
        except OSError:
            continue
        if ppid == me:
            try:
                os.kill(int(entry), signal.SIGKILL)
            except OSError:
                pass


@dataclass
class Result:
    argv: tuple
    status: int | None
    stdout: str
    stderr: str
    seconds: float
    escaped: str | None = None       # a traceback that escaped main()
    hang: bool = False
    warned: list = field(default_factory=list)


def run_cli(argv, *, timeout: float | None = TIMEOUT, fsize: int | None = None, stdin: bytes = b"") -> Result:
    """graphdiff.cli.main(argv) in this process, stdout/stderr captured (UTF-8, strict on stdout
    as a UTF-8 terminal is), standard input holding `stdin` (a pipe, not a terminal), warnings
    recorded, within a time bound."""
    out_b, err_b = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_b, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_b, encoding="utf-8", errors="backslashreplace", write_through=True)
    old_stdin, sys.stdin = sys.stdin, io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    status, escaped, hang = None, None, False
    os.environ.pop("GRAPHDIFF_DEBUG", None)   # main() would re-raise instead of reporting
    swallowed = []   # a Hang in a callback Python ignores ("Exception ignored in: …"): still a hang
    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: swallowed.append(u) if isinstance(u.exc_value, Hang) else hook(u)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit(timeout), \
                    file_size_limit(fsize):
                status = main(list(argv))
        except SystemExit as e:           # argparse: usage errors (2), --help (0)
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Hang:
            hang = True
            kill_children()
        except BaseException:             # noqa: BLE001 - anything escaping main() is a finding
            escaped = traceback.format_exc(limit=-6)
        finally:
            sys.unraisablehook = hook
            sys.stdin = old_stdin
    hang = hang or bool(swallowed)
    seconds = time.perf_counter() - t0
    warned = [f"{w.category.__name__}: {w.message} ({os.path.basename(w.filename)}:{w.lineno})"
              for w in caught if not issubclass(w.category, HIDDEN_WARNINGS)]
    text = lambda b: b.getvalue().decode("utf-8", "replace")  # noqa: E731
    return Result(tuple(argv), status, text(out_b), text(err_b), seconds, escaped, hang, warned)


@dataclass
class Failure:
    """One broken promise: a category, what happened, and how to get it again."""

    category: str
    detail: str
    argv: tuple
    program: bytes
    file_name: str
    kind: str

    def signature(self) -> str:
        """Category plus the detail's first line with the file name, numbers, quoted names and
        --at names blurred: one per root cause (more or less)."""
        d = self.detail
        for name in sorted({shown("./" + self.file_name), shown(self.file_name)}, key=len, reverse=True):
            if name not in ("", "./"):
                d = d.replace(name + ":", "FILE:")   # the name as a location, never inside a word
        d = d.split("\n")[0]
        d = re.sub(r"--at [^=\s]*=", "--at NAME=", d)
        d = re.sub(r"'[^']*'", "'…'", d)
        d = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", d)
        return f"{self.category}: {d[:120]}"

    def to_json(self) -> dict:
        return {"category": self.category, "detail": self.detail, "argv": list(self.argv),
                "file_name": self.file_name, "kind": self.kind,
                "program": self.program.decode("utf-8", "surrogateescape")}


JSON_STRICT = dict(parse_constant=lambda c: (_ for _ in ()).throw(ValueError(f"non-standard JSON constant {c}")))
LOCATION = r"(?P<line>\d+):(?P<col>\d+): error: "


def _python_text(run: Run, res: Result) -> str | None:
    """The module a `codegen --lang python` run produced (from -o, --json or stdout)."""
    argv = list(run.argv)
    if res.status != 0 or ("--lang" in argv and argv[argv.index("--lang") + 1] != "python"):
        return None
    if "-o" in argv:
        path = argv[argv.index("-o") + 1]
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    if "--json" in argv:
        return json.loads(res.stdout)["source"]
    return res.stdout


def files_under(root: str) -> dict:
    """Relative path -> sha1 of every file under root."""
    out = {}
    for d, dirs, files in os.walk(root):
        for f in files + [x for x in dirs if not os.listdir(os.path.join(d, x))]:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)
            try:
                out[rel] = hashlib.sha1(open(p, "rb").read()).hexdigest() if os.path.isfile(p) else "dir"
            except OSError:
                out[rel] = "?"
    return out


def whole(path: str, command: str, argv=()) -> str | None:
    """Why the file a command wrote is not whole (None when it is)."""
    data = open(path, "rb").read()
    ext = os.path.splitext(path)[1].lower()
    argv = list(argv)
    if command == "codegen" and "--lang" in argv and argv[argv.index("--lang") + 1] == "pseudo":
        try:   # the textbook's notation: text, not Python
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            return f"not UTF-8: {e}"
        return None
    if command == "codegen":
        try:
            with warnings.catch_warnings():   # warnings are codegen-compile's to report
                warnings.simplefilter("ignore")
                compile(data.decode("utf-8"), path, "exec")
        except (SyntaxError, ValueError, UnicodeDecodeError) as e:
            return f"the module does not compile: {type(e).__name__}: {e}"
        return None
    if ext in (".dot", ".gv"):
        text = data.decode("utf-8", "replace").rstrip()
        return None if re.match(r"(strict\s+)?digraph\b", text) and text.endswith("}") else "truncated DOT"
    if ext == ".svg":
        import xml.etree.ElementTree as ET
        try:
            ET.fromstring(data)
        except ET.ParseError as e:
            return f"SVG is not well-formed XML: {e}"
        return None
    if ext == ".png":
        return None if data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82") else "truncated PNG"
    if ext == ".pdf":
        return None if data.startswith(b"%PDF") and b"%%EOF" in data[-1024:] else "truncated PDF"
    if ext == ".gif":
        return None if data.startswith(b"GIF8") and data.endswith(b";") else "truncated GIF"
    if ext in (".html", ".htm"):
        return None if data.rstrip().lower().endswith(b"</html>") else "truncated HTML"
    if ext == ".tex":
        return None if data.rstrip().endswith((b"\\end{document}", b"\\end{tikzpicture}")) else "truncated TeX"
    if ext == ".json":
        try:
            json.loads(data, **JSON_STRICT)
        except ValueError as e:
            return f"not one JSON document: {e}"
        return None
    if command == "fmt":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            return f"not UTF-8: {e}"
        try:   # the file written must be a whole program: it parses (fmt reads syntax only)
            from graphdiff.lang.parser import parse_statements
            parse_statements(text, path)
        except GraphError as e:
            return f"the program written does not parse: {first_line(e.format())}"
        except Exception as e:  # noqa: BLE001
            return f"the program written does not parse: {type(e).__name__}: {e}"
        return None
    return None


DOT = shutil.which("dot")


def dot_problem(path: str) -> str | None:
    """Why Graphviz refuses a DOT file graphdiff wrote (None when it parses, or without `dot`)."""
    if not DOT or os.path.getsize(path) > 200_000:
        return None
    import subprocess
    try:
        r = subprocess.run([DOT, "-Tcanon"], input=open(path, "rb").read(), capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return None
    if r.returncode:
        return "Graphviz refuses the DOT: " + r.stderr.decode("utf-8", "replace").strip().split("\n")[0][:200]
    return None


def excerpt_problem(source: bytes, stderr: str, path: str) -> str | None:
    """Check `path:L:C: error:` and the excerpt under it against line L of the file (lines split
    at \\n, or at \\r\\n, \\r and \\n; nothing else is a line end)."""
    m = re.search(re.escape(path) + ":" + LOCATION, stderr)
    if not m:
        return None
    line, col = int(m.group("line")), int(m.group("col"))
    rest = stderr[m.end():].split("\n")
    shown = rest[1][4:] if len(rest) > 1 and rest[1].startswith("    ") else None
    text = source.decode("utf-8", "replace").replace("\0", "\ufffd")   # a NUL byte is shown as U+FFFD
    conventions = [[ln.removesuffix("\r") for ln in t.split("\n")] for t in (text, text.removeprefix("\ufeff"))]
    conventions += [re.split(r"\r\n|\r|\n", t) for t in (text, text.removeprefix("\ufeff"))]
    for lines in conventions:
        if not 1 <= line <= len(lines):
            continue
        want = lines[line - 1].replace("\t", " ")
        if not 1 <= col <= len(want) + 1:
            continue
        if shown is None:
            return None
        core = shown.removeprefix("…").removesuffix("…")
        if (core == want) or (core and core in want and len(want) > 100) or (not core and not want.strip()):
            return None
    return (f"{path}:{line}:{col}: the excerpt shown is {shown!r}, not line {line} of the file "
            f"(or the column is past its end)")


class Example:
    """One generated program in its own temporary folder, and the failures found on it."""

    def __init__(self, program: Program, file_name: str, *, timeout: float = TIMEOUT):
        self.program, self.file_name, self.timeout = program, file_name, timeout
        self.path = file_name if not file_name.startswith("-") else "./" + file_name
        self.shown = shown(self.path)   # as stderr shows it (a lone surrogate as \udcff)
        self.failures: list[Failure] = []
        self.runs: list[Result] = []
        self.imported_codegen = False
        self.moderate = None   # set by the maths: whether its strict comparisons ran

    def first(self, stderr: str) -> str:
        """The first line of a message, the file's name (which may hold a newline) as FILE."""
        return first_line(stderr.replace(self.shown + ":", "FILE:"))

    def fail(self, category: str, detail: str, argv=()) -> None:
        self.failures.append(Failure(category, detail, tuple(argv), self.program.source, self.file_name,
                                     self.program.kind))

    @contextlib.contextmanager
    def sandbox(self):
        old = os.getcwd()
        self.dir = tempfile.mkdtemp(prefix="gdfuzz-")
        os.chdir(self.dir)
        try:
            with open(self.file_name, "wb") as f:
                f.write(self.program.source)
            yield self
        finally:
            os.chdir(old)
            shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------ one command line

    def bound(self, run: Run) -> float:
        return run.timeout or self.timeout * run.timeout_factor

    def run(self, run: Run) -> Result:
        for p in run.existing:
            with open(p, "wb") as f:
                f.write(SENTINEL)
        before = files_under(".")
        res = run_cli(run.argv, timeout=self.bound(run), fsize=run.fsize,
                      stdin=self.program.source if run.stdin is None else run.stdin)
        self.runs.append(res)
        self.check(run, res, before)
        if self.path in run.outputs:   # fmt -o FILE rewrote the graph file: the next runs read the original
            with open(self.path, "rb") as f:
                changed = f.read() != self.program.source
            if changed and res.status != 0:
                self.fail("partial-output", f"{run.argv[0]}: exit {res.status} but the graph file it was to "
                          f"rewrite changed", run.argv)
            with open(self.path, "wb") as f:
                f.write(self.program.source)
        return res

    def check(self, run: Run, res: Result, before: dict) -> None:
        argv = run.argv
        if res.hang:
            self.fail("hang", f"{argv[0]}: still running after {self.bound(run):g} s", argv)
            return
        if res.escaped:
            self.fail("traceback", "an exception escaped main(): " + res.escaped.strip().split("\n")[-1], argv)
            return
        if res.status not in (0, 1, 2):
            self.fail("exit-status", f"exit status {res.status}", argv)
        m = re.search(r"internal error: (.*)", res.stderr)
        if m:
            self.fail("internal-error", f"{argv[0]}: {m.group(1)}", argv)
        if "Traceback (most recent call last)" in res.stderr:
            self.fail("traceback", "a traceback on stderr", argv)
        for w in res.warned:
            self.fail("library-warning", f"{argv[0]}: {w}", argv)
        if res.status == 2 and res.stdout and not (argv[0] == "practice" and "cannot write" in res.stderr):
            # (practice asks its questions on stdout as the session runs; a record it then cannot
            # write, on a full disk, fails the run after them)
            self.fail("stdout-on-error", f"exit 2 with stdout {res.stdout[:80]!r}", argv)
        if "--json" in argv and res.stdout and res.status in (0, 1):
            try:
                json.loads(res.stdout, **JSON_STRICT)
            except ValueError as e:
                self.fail("json", f"{argv[0]} --json: not one JSON document: {e}", argv)
        if res.status == 2:
            problem = excerpt_problem(self.program.source, res.stderr, self.shown)
            if problem:
                self.fail("bad-location", problem, argv)
        self.check_files(run, res, before)
        if argv[0] == "codegen" and not self.imported_codegen:
            self.check_module(run, res)

    def check_files(self, run: Run, res: Result, before: dict) -> None:
        after = files_under(".")
        full = f" (writes limited to {run.fsize} bytes: a full disk)" if run.fsize else ""
        allowed = {os.path.normpath(o) for o in run.outputs if not o.endswith("/")}
        dirs = [os.path.normpath(o) for o in run.outputs if o.endswith("/")]
        for rel in sorted(set(after) - set(before)):
            inside = next((d for d in dirs if rel.startswith(d + os.sep)), None)
            if rel in allowed or (inside and re.fullmatch(r"frame-\d+\.\w+", rel[len(inside) + 1:])):
                continue
            self.fail("leftover", f"{run.argv[0]} left '{rel}' behind (status {res.status}){full}", run.argv)
        for o in run.outputs:
            p = os.path.normpath(o)
            if o.endswith("/"):
                frames = sorted(k for k in after if k.startswith(p + os.sep))
                if res.status == 0 and not frames:
                    self.fail("partial-output", f"{run.argv[0]}: exit 0 but no frames in {o}", run.argv)
                for f in frames[-1:] if res.status == 0 and frames[-1].endswith(".dot") else ():
                    why = dot_problem(f)
                    if why:
                        self.fail("invalid-dot", f"{run.argv[0]} (last frame): {why}", run.argv)
                existed = p in before or any(k.startswith(p + os.sep) for k in before)
                if res.status != 0 and not existed and os.path.isdir(p) and os.listdir(p):
                    self.fail("partial-output", f"{run.argv[0]}: exit {res.status} left frames in {o}{full}", run.argv)
                continue
            if res.status == 0:
                if p not in after:
                    self.fail("partial-output", f"{run.argv[0]}: exit 0 but '{o}' was not written", run.argv)
                elif os.path.isfile(p):
                    why = whole(p, run.argv[0], run.argv)
                    if why:
                        self.fail("partial-output", f"{run.argv[0]} -o {o}: {why}", run.argv)
                    elif run.argv[0] == "render" and p.lower().endswith((".dot", ".gv")):
                        why = dot_problem(p)
                        if why:
                            self.fail("invalid-dot", f"render: {why}", run.argv)
            elif o in run.existing:
                if os.path.isfile(p) and open(p, "rb").read() != SENTINEL:
                    self.fail("partial-output", f"{run.argv[0]}: exit {res.status} but the earlier '{o}' was "
                              f"overwritten{full}", run.argv)
            elif p in after and p not in before:
                self.fail("partial-output", f"{run.argv[0]}: exit {res.status} but '{o}' was written{full}", run.argv)

    def check_module(self, run: Run, res: Result) -> types.ModuleType | None:
        """The generated module compiles, and importing it runs nothing but definitions."""
        try:
            text = _python_text(run, res)
        except (OSError, ValueError, KeyError):
            return None
        if text is None:
            return None
        self.imported_codegen = True
        return self.import_module(text, run.argv)

    def import_module(self, text: str, argv) -> types.ModuleType | None:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code = compile(text, "generated.py", "exec")
        except (SyntaxError, ValueError) as e:
            self.fail("codegen-compile", f"{type(e).__name__}: {e}", argv)
            return None
        for w in caught:   # Python 3.12 shows these to whoever imports the module
            self.fail("codegen-compile", f"compiles with a warning: {w.category.__name__}: {w.message}", argv)
        mod = types.ModuleType("graphdiff_fuzz_generated")
        before = files_under(".")
        try:
            with time_limit(self.timeout), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(code, mod.__dict__)
        except Hang:
            self.fail("hang", "importing the generated module", argv)
            return None
        except Exception as e:  # noqa: BLE001
            self.fail("codegen-import", f"{type(e).__name__}: {e}", argv)
            return None
        new = sorted(set(files_under(".")) - set(before))
        if new:
            self.fail("codegen-side-effect", f"importing the generated module created {new}", argv)
        return mod

    # ------------------------------------------------------------ what the language promises

    def check_baseline(self, res: Result) -> None:
        p, argv = self.program, res.argv
        if res.hang or res.escaped:
            return
        if p.expect == "ok" and res.status != 0:
            self.fail("rejects-valid", f"{self.first(res.stderr)}\n(generator: {p.kind})", argv)
        if p.expect == "error" and res.status == 0:
            self.fail("accepts-invalid", f"{p.mistake} was accepted\n(generator: {p.kind})", argv)
        if res.status != 2:
            return
        m = re.match(re.escape(self.shown) + ":" + LOCATION, res.stderr)
        if m:
            line = int(m.group("line"))
            if p.expect == "error" and p.error_lines and not p.error_lines[0] <= line <= p.error_lines[1]:
                want = p.error_lines[0] if p.error_lines[0] == p.error_lines[1] else f"{p.error_lines[0]}-{p.error_lines[1]}"
                self.fail("wrong-line", f"{self.first(res.stderr)}\n(reported on line {line}; the mistake, "
                          f"{p.mistake}, is on line {want}; generator: {p.kind})", argv)
        elif res.stderr.startswith(f"{self.shown}: error: ") and any(w in res.stderr for w in WHOLE_FILE):
            pass
        else:
            self.fail("no-location", f"exit 2 without FILE:line:col: {self.first(res.stderr)}", argv)


def shown(text: str) -> str:
    """Text as a UTF-8 stream with backslashreplace (stderr) writes it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def first_line(text: str) -> str:
    return text.strip().split("\n")[0][:300] if text.strip() else "(nothing on stderr)"


SPECIAL_FILES = ("fifo", "directory", "missing", "empty")


def special_file(ex: Example, kind: str) -> None:
    """FILE that is no graph file: a FIFO, a folder, a missing path, an empty file."""
    name = {"fifo": "pipe.gd", "directory": "folder.gd", "missing": "nosuch.gd", "empty": "empty.gd"}[kind]
    if kind == "fifo":
        os.mkfifo(name)
    elif kind == "directory":
        os.mkdir(name)
    elif kind == "empty":
        open(name, "wb").close()
    res = run_cli(("eval", name), timeout=1.0)
    if res.hang:
        ex.fail("hang", f"eval on a {kind} as FILE blocks", ("eval", f"<{kind}>"))
    elif res.status != 2 or "internal error" in res.stderr or res.escaped:
        ex.fail("special-file", f"eval on a {kind} as FILE: exit {res.status}: {first_line(res.stderr)}",
                ("eval", f"<{kind}>"))


def run_example(program: Program, file_name: str, data, *, timeout: float = TIMEOUT, heavy: bool = True,
                maths: bool = True) -> Example:
    """Every check on one program: the baseline `eval`, 1–6 drawn command lines, the --at
    oracle, sometimes a special FILE, and the differential maths."""
    ex = Example(program, file_name, timeout=timeout)
    with ex.sandbox():
        base = ex.run(Run(("eval", ex.path, "--json")))
        ex.check_baseline(base)
        info = GraphInfo()
        graph = None
        if base.status == 0:
            try:
                with time_limit(timeout), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    graph = graphdiff.load(ex.path)
                info = GraphInfo.of(graph)
            except (GraphError, Hang):
                pass
            except Exception as e:  # noqa: BLE001
                ex.fail("api-exception", f"graphdiff.load: {type(e).__name__}: {e}")
        n = data.draw(uniform(2, 6) if graph is not None else uniform(1, 2), label="runs")
        for _ in range(n):
            ex.run(data.draw(command_lines(ex.path, info, heavy=heavy), label="command line"))
        if graph is not None:
            oracle = data.draw(at_oracle_lines(ex.path, info), label="--at oracle")
            if oracle is not None:
                run, want = oracle
                res = ex.run(run)
                if want == "accept" and res.status != 0 and not res.hang:
                    ex.fail("at-rejects-valid", f"--at {run.argv[-1]}: {ex.first(res.stderr)}", run.argv)
                if want == "refuse" and res.status == 0:
                    ex.fail("at-accepts-invalid", f"--at {run.argv[-1]} was accepted", run.argv)
                if want == "refuse-shape" and res.status == 0:
                    name = run.argv[-1].split("=")[0]
                    ex.fail("at-reshapes", f"--at with a value of another shape than the input's is accepted\n"
                            f"(--at {run.argv[-1]} for input {name} of shape {dict(info.inputs)[name]})", run.argv)
        if chance(data.draw, 0.02):
            special_file(ex, data.draw(st.sampled_from(SPECIAL_FILES)))
        seed = data.draw(uniform(0, 2 ** 32 - 1), label="rng")   # drawn always: Hypothesis wants the
        if maths and graph is not None:                           # same draws for the same choices
            from fuzz_maths import differential
            differential(ex, seed)
    return ex


__all__ = ["Example", "Failure", "Hang", "Result", "run_cli", "run_example", "time_limit", "TIMEOUT"]
