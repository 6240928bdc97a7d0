"""Fuzz campaigns: N examples from a seed, every failure collected and counted by category and
root cause, one reproducer saved per cause. `make fuzz` runs this file; tests/test_fuzz.py runs
a short campaign.

    python tests/fuzz_run.py --examples 20000 --seed 1234 --jobs 2 --out fuzz-out
    python tests/fuzz_run.py --replay fuzz-out/case-003      # one saved reproducer again

Each worker k of --jobs J runs examples/J examples from seed + k, appending its failures to
OUT/failures-k.jsonl as they come. A worker that stops making progress (a hang no timer can
interrupt, inside a C library) is killed after --stall seconds, reported as a hard hang with the
example it was on, and restarted on a fresh seed. At the end: OUT/summary.txt (counts by
category and root cause), OUT/failures.json, and OUT/case-NNN-category/ (the shortest program
of each root cause, its file name and command line) for --replay.
"""
from __future__ import annotations

import argparse
import collections
import json
import multiprocessing as mp
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
GRAPHS = HERE.parent / "graphs"


@dataclass
class Summary:
    examples: int = 0
    distinct: int = 0      # distinct programs among the examples
    runs: int = 0
    seconds: float = 0.0
    failures: list = field(default_factory=list)          # Failure.to_json() dicts
    notes: list = field(default_factory=list)             # about the harness, not the product
    kinds: collections.Counter = field(default_factory=collections.Counter)
    loaded: collections.Counter = field(default_factory=collections.Counter)
    commands: collections.Counter = field(default_factory=collections.Counter)

    def merge(self, other: "Summary") -> None:
        self.examples += other.examples
        self.distinct += other.distinct
        self.runs += other.runs
        self.failures += other.failures
        self.notes += other.notes
        self.kinds.update(other.kinds)
        self.loaded.update(other.loaded)
        self.commands.update(other.commands)

    def by_category(self) -> collections.Counter:
        return collections.Counter(f["category"] for f in self.failures)

    def by_signature(self) -> dict:
        from fuzz_harness import Failure
        groups: dict[str, list] = {}
        for f in self.failures:
            sig = Failure(f["category"], f["detail"], (), b"", f["file_name"], "").signature()
            groups.setdefault(sig, []).append(f)
        return dict(sorted(groups.items(), key=lambda kv: (kv[0].split(":")[0], -len(kv[1]))))

    def report(self, seed, jobs=1) -> str:
        lines = [f"fuzz: {self.examples} examples, {self.runs} command runs, seed {seed}"
                 + (f" (workers use seeds {seed}..{seed + jobs - 1})" if jobs > 1 else "")
                 + f", {self.seconds:.0f} s"]
        ok = self.loaded["ok"]
        maths = self.loaded["maths-strict"] + self.loaded["maths-loose"]
        lines.append(f"  {self.distinct} distinct programs; {ok} of the {self.examples} examples load; differential maths on {maths} "
                     f"(numbers compared on {self.loaded['maths-strict']}, the others too extreme); by generator: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())))
        lines.append("  runs by command: " + ", ".join(f"{k} {v}" for k, v in sorted(self.commands.items())))
        lines += [f"  note: {n}" for n in self.notes]
        cats = self.by_category()
        if not cats:
            lines.append("  no failures")
            return "\n".join(lines)
        lines.append(f"  {len(self.failures)} failures in {len(cats)} categories:")
        for cat, n in sorted(cats.items(), key=lambda kv: -kv[1]):
            lines.append(f"    {cat:22s} {n}")
        lines.append("  by root cause (category: message with numbers and names blurred):")
        for sig, fs in self.by_signature().items():
            lines.append(f"    {len(fs):6d}  {sig}")
        return "\n".join(lines)


class OutOfTime(Exception):
    """Raised inside an example after the campaign's wall-time bound: Hypothesis stops there."""


def campaign(examples: int, seed: int, *, graphs_dir=GRAPHS, timeout: float | None = None, heavy: bool = True,
             maths: bool = True, progress=None, on_start=None, seconds: float | None = None) -> Summary:
    """Run `examples` generated examples from `seed` (or fewer, when `seconds` of wall time run out
    first: the summary says so); never raises for a finding. `on_start(program, file_name)` and
    `progress(summary)` are called before and after each example."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st
    from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable

    from fuzz_harness import TIMEOUT, Failure, run_example
    from graphdiff.fuzzing import file_names, programs
    from graphdiff.render.output import dot_available

    heavy = heavy and dot_available()   # pictures and frames need Graphviz
    summary = Summary()
    seen = set()   # Hypothesis repeats small programs: a repeat gets new command lines, not the maths again
    t0 = time.perf_counter()

    def one(program, file_name, data):
        if seconds is not None and time.perf_counter() - t0 > seconds:
            raise OutOfTime
        fresh = program.source not in seen
        seen.add(program.source)
        summary.distinct = len(seen)
        if on_start:
            on_start(program, file_name)
        try:
            ex = run_example(program, file_name, data, timeout=timeout or TIMEOUT, heavy=heavy,
                             maths=maths and fresh)   # (rejecting a repeat would make Hypothesis call the draws flaky)
        except Exception as e:  # noqa: BLE001 - a bug of the harness is a finding too
            import traceback
            f = Failure("harness-error", f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=-4)}", (),
                        program.source, file_name, program.kind)
            summary.failures.append(f.to_json())
            summary.examples += 1
            return
        summary.examples += 1
        summary.runs += len(ex.runs)
        summary.kinds[program.kind.split("+")[0]] += 1
        summary.loaded["ok" if ex.runs and ex.runs[0].status == 0 else "refused"] += 1
        if ex.moderate is not None:
            summary.loaded["maths-strict" if ex.moderate else "maths-loose"] += 1
        for r in ex.runs:
            summary.commands[r.argv[0]] += 1
        summary.failures.extend(f.to_json() for f in ex.failures)
        if progress:
            progress(summary)

    # Hypothesis stops a run whose draws differ for the same choices (a timeout can change what
    # an example draws next); the campaign then carries on from another seed.
    attempt = 0
    while summary.examples < examples and attempt < 20:
        run = settings(max_examples=examples - summary.examples, deadline=None, database=None,
                       phases=[Phase.generate], suppress_health_check=list(HealthCheck), print_blob=False)(
            hseed(seed + 7919 * attempt)(given(programs(str(graphs_dir)), file_names(), st.data())(one)))
        try:
            run()
        except OutOfTime:
            summary.notes.append(f"stopped after {summary.examples} examples: the wall-time bound of {seconds:g} s "
                                 f"ran out")
            break
        except (FlakyStrategyDefinition, Unsatisfiable) as e:
            if seconds is not None and time.perf_counter() - t0 > seconds:   # (the OutOfTime replayed)
                summary.notes.append(f"stopped after {summary.examples} examples: the wall-time bound of "
                                     f"{seconds:g} s ran out")
                break
            summary.notes.append(f"Hypothesis stopped after {summary.examples} examples ({type(e).__name__}); "
                                 f"went on with seed {seed + 7919 * (attempt + 1)}")
        attempt += 1
    summary.seconds = time.perf_counter() - t0
    return summary


def save_cases(summary: Summary, out: Path) -> list[Path]:
    """One reproducer per root cause (its shortest program): program bytes, file name, argv, detail."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, (sig, fs) in enumerate(summary.by_signature().items(), 1):
        f = min(fs, key=lambda f: (len(f["program"]), len(" ".join(f["argv"]))))
        d = out / f"case-{k:03d}-{f['category']}"
        d.mkdir(exist_ok=True)
        (d / "program.gd").write_bytes(f["program"].encode("utf-8", "surrogateescape"))
        (d / "case.json").write_text(json.dumps({**f, "signature": sig, "count": len(fs), "program": None}, indent=1))
        paths.append(d)
    return paths


def outputs_of(argv) -> tuple:
    """The files (folders with a trailing /) a saved command line writes."""
    out = []
    for k, word in enumerate(argv[:-1]):
        if word in ("-o", "--out") and argv[0] in ("render", "codegen", "frames", "html", "fmt", "practice") \
                or word in ("--gif", "--pdf", "--beamer"):
            out.append(argv[k + 1] + ("/" if argv[0] == "frames" and word in ("-o", "--output") else ""))
    return tuple(out)


MATHS = ("disagree-", "codegen-raises", "api-exception", "wrong-value", "cli-vs-api")


def replay(case: Path) -> int:
    """Run a saved case again, with the harness's checks: its command line, or (for a finding of
    the maths, or a hard hang) the whole differential check on its program."""
    from fuzz_harness import Example
    from graphdiff.fuzzing import Program, Run
    meta = json.loads((case / "case.json").read_text())
    program = Program((case / "program.gd").read_bytes(), "any", meta["kind"])
    ex = Example(program, meta["file_name"])
    argv = meta["argv"]
    with ex.sandbox():
        if meta["category"].startswith(MATHS) or not argv or argv[-1].startswith("<"):
            from fuzz_maths import differential
            ex.run(Run(("eval", ex.path)))
            differential(ex, 0)
        else:
            res = ex.run(Run(tuple(argv), outputs=outputs_of(argv)))
            print(f"$ graphdiff {' '.join(map(repr, argv))}\nexit {res.status}\n--- stdout\n{res.stdout[:3000]}"
                  f"\n--- stderr\n{res.stderr[:3000]}")
    for f in ex.failures:
        print(f"found   {f.category}: {f.detail}")
    print(f"recorded {meta['category']}: {meta['detail']}")
    return 0


# ------------------------------------------------------------------ parallel workers with a watchdog

def _worker(k, examples, seed, timeout, heavy, queue, beat, done, out, seconds=None):
    current = out / f".current-{k}.json"

    def on_start(program, file_name):
        current.write_text(json.dumps({"program": program.source.decode("utf-8", "surrogateescape"),
                                       "file_name": file_name, "kind": program.kind}))
        beat.value = time.time()

    written = [0]

    def progress(summary):
        beat.value = time.time()
        done.value = summary.examples
        if len(summary.failures) > written[0]:   # as they come, for a look during a long run
            with open(out / f"failures-{k}.jsonl", "a") as f:
                for failure in summary.failures[written[0]:]:
                    f.write(json.dumps(failure) + "\n")
            written[0] = len(summary.failures)

    queue.put(campaign(examples, seed, timeout=timeout, heavy=heavy, progress=progress, on_start=on_start,
                       seconds=seconds))


@dataclass
class Worker:
    """One worker process of a parallel campaign, and what the supervisor knows of it."""

    k: int
    examples: int
    seed: int
    process: object = None
    queue: object = None
    beat: object = None       # time of its last sign of life
    done: object = None       # examples it has finished
    logged: int = 0           # lines of failures-k.jsonl written before it started

    def start(self, ctx, *, timeout, heavy, out: Path, seconds=None) -> "Worker":
        log = out / f"failures-{self.k}.jsonl"
        self.logged = len(log.read_text().splitlines()) if log.exists() else 0
        self.queue, self.beat, self.done = ctx.Queue(), ctx.Value("d", time.time()), ctx.Value("i", 0)
        self.process = ctx.Process(target=_worker, daemon=True,
                                   args=(self.k, self.examples, self.seed, timeout, heavy, self.queue, self.beat,
                                         self.done, out, seconds))
        self.process.start()
        return self

    def salvage(self, out: Path) -> Summary:
        """What a killed worker had found: its examples and the failures it had logged."""
        log = out / f"failures-{self.k}.jsonl"
        lines = log.read_text().splitlines()[self.logged:] if log.exists() else []
        return Summary(examples=self.done.value, failures=[json.loads(x) for x in lines])


def parallel(examples: int, seed: int, jobs: int, *, timeout, heavy, out: Path, stall: float,
             seconds: float | None = None) -> Summary:
    """Run the campaign in `jobs` processes; restart (from a fresh seed, for the examples left) a
    worker that makes no progress for `stall` seconds, reporting the example it hung on."""
    ctx = mp.get_context("fork")
    total = Summary()
    t0 = shown = time.perf_counter()
    start = dict(timeout=timeout, heavy=heavy, out=out, seconds=seconds)
    running = [Worker(k, examples // jobs + (k < examples % jobs), seed + k).start(ctx, **start) for k in range(jobs)]
    restarts = 0
    while running:
        time.sleep(1.0)
        if time.perf_counter() - shown > 60:
            shown = time.perf_counter()
            print(f"  … {total.examples + sum(w.done.value for w in running)} of {examples} examples, "
                  f"{shown - t0:.0f} s", flush=True)
        for w in list(running):
            if not w.queue.empty():
                total.merge(w.queue.get())
                w.process.join()
                running.remove(w)
            elif not w.process.is_alive():
                running.remove(w)
                total.merge(w.salvage(out))
                total.notes.append(f"worker {w.k} died (exit {w.process.exitcode}) after {w.done.value} examples")
            elif time.time() - w.beat.value > stall:
                w.process.kill()
                w.process.join()
                running.remove(w)
                total.merge(w.salvage(out))
                current = out / f".current-{w.k}.json"
                cur = json.loads(current.read_text()) if current.exists() else \
                    {"file_name": "", "kind": "(before its first example)", "program": ""}
                total.failures.append({"category": "hang", "detail": f"hard hang: one example ran over {stall:g} s",
                                       "argv": ["<example>"], "file_name": cur["file_name"], "kind": cur["kind"],
                                       "program": cur["program"]})
                restarts += 1
                left = w.examples - w.done.value - 1
                if left > 0 and restarts <= 20:   # carry on from a fresh seed
                    if seconds is not None:   # the bound is the campaign's, not each worker's
                        start["seconds"] = max(1.0, seconds - (time.perf_counter() - t0))
                    running.append(Worker(w.k, left, w.seed + 1000 * restarts).start(ctx, **start))
    total.seconds = time.perf_counter() - t0
    return total


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", 2000)))
    p.add_argument("--seed", type=int, default=None, help="default: $FUZZ_SEED, else from the clock")
    p.add_argument("--jobs", type=int, default=int(os.environ.get("FUZZ_JOBS", os.cpu_count() or 1)))
    p.add_argument("--timeout", type=float, default=float(os.environ.get("FUZZ_TIMEOUT", 10)))
    p.add_argument("--stall", type=float, default=None,
                   help="restart a worker whose example runs this long (default: 30 × --timeout)")
    p.add_argument("--out", default=os.environ.get("FUZZ_OUT", "fuzz-out"))
    p.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS") or 0) or None,
                   help="a wall-time bound: stop after this many seconds, with the examples run so far")
    p.add_argument("--no-heavy", action="store_true", help="no Graphviz runs (pictures, frames)")
    p.add_argument("--replay", metavar="CASE_DIR")
    args = p.parse_args(argv)
    if args.replay:
        return replay(Path(args.replay))
    seed = args.seed if args.seed is not None else int(os.environ.get("FUZZ_SEED") or time.time()) % 2 ** 31
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    print(f"fuzz: {args.examples} examples, seed {seed}, {args.jobs} job(s), {args.timeout:g} s per run; "
          f"reproduce with: make fuzz FUZZ_EXAMPLES={args.examples} FUZZ_SEED={seed} FUZZ_JOBS={args.jobs}",
          flush=True)
    os.environ.pop("GRAPHDIFF_DEBUG", None)
    summary = parallel(args.examples, seed, max(1, args.jobs), timeout=args.timeout, heavy=not args.no_heavy,
                       out=out, stall=args.stall or 30 * args.timeout, seconds=args.seconds)
    text = summary.report(seed, args.jobs).encode("utf-8", "backslashreplace").decode("utf-8")
    cases = save_cases(summary, out)
    (out / "summary.txt").write_text(text + "\n")
    (out / "failures.json").write_text(json.dumps(summary.failures))
    for f in out.glob(".current-*.json"):
        f.unlink()
    print(text, flush=True)
    if cases:
        print(f"  one reproducer per root cause in {out}/case-*/ (replay: python tests/fuzz_run.py --replay DIR)")
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
