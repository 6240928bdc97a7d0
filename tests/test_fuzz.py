"""graphdiff's own fuzzer, short run (make test): generated programs through every command in-process
(tests/fuzz_harness.py) and the differential maths (tests/fuzz_maths.py), from a fixed seed; plus
checks that the strategies (graphdiff/fuzzing.py) cover every op, spelling and option of the tables
they are derived from. The long run is `make fuzz` (tests/fuzz_run.py)."""
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import graphdiff as gd
from graphdiff import fuzzing
from graphdiff.ops import OPS
from conftest import GRAPHS

SHORT_EXAMPLES = int(os.environ.get("FUZZ_SHORT_EXAMPLES", 60))
SHORT_SEED = 17


def test_every_op_has_a_spelling():
    assert fuzzing.unreachable_ops() == [], "ops no surface syntax reaches: add a spelling (parser) or HAND_FORMS"
    assert fuzzing.unknown_ops() == [], "spellings of ops the op table does not have"


def test_every_option_has_fuzz_values():
    assert fuzzing.unfuzzed_options() == [], "options without values in graphdiff.fuzzing.OPTION_VALUES"
    assert set(fuzzing.fuzzed_commands()) | set(fuzzing.NOT_FUZZED) == set(fuzzing.cli_table())


@pytest.mark.parametrize("op", sorted(name for name in OPS if OPS[name].sample is not None))
def test_each_op_is_generated_and_loads(op):
    """A program of one op (drawn by the same strategy as the fuzzer) loads and holds that op:
    a new op of the table is fuzzed without new test code."""
    seen = []

    @settings(max_examples=3, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(fuzzing.typed_programs(max_steps=2, mistakes=False, ops=(op,)))
    def one(program):
        g = gd.parse(program.source.decode("utf-8"))
        seen.append({n.op for n in g.nodes})

    one()
    assert any(op in ops for ops in seen)


def test_planted_mistakes_are_refused_on_their_line():
    """The generator's own oracle: a planted mistake makes the program fail at its line."""
    from graphdiff.source import GraphError
    lines = []

    @settings(max_examples=60, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True)
    @given(fuzzing.typed_programs())
    def one(program):
        try:
            gd.parse(program.source.decode("utf-8"), "g.gd")
            assert program.expect == "ok", program
        except GraphError as e:
            assert program.expect == "error", e.format()
            if program.error_lines and e.span is not None:
                assert program.error_lines[0] <= e.span.line <= program.error_lines[1], e.format()
                lines.append(e.span.line)

    one()
    assert lines


def test_short_run(capsys):
    """SHORT_EXAMPLES examples from a fixed seed: no failure of any category (the categories and a
    reproducer per root cause are printed when there are some)."""
    from fuzz_run import campaign
    summary = campaign(SHORT_EXAMPLES, SHORT_SEED, graphs_dir=GRAPHS)
    report = summary.report(SHORT_SEED)
    with capsys.disabled():
        print("\n" + report)
    assert summary.examples == SHORT_EXAMPLES
    assert not summary.failures, report + "\n" + "\n".join(
        f"--- {f['category']}: {f['detail']}\n$ graphdiff {' '.join(map(repr, f['argv']))}   # file {f['file_name']!r}\n"
        f"{f['program'][:600]}" for f in list({s: fs[0] for s, fs in summary.by_signature().items()}.values())[:10])


# ------------------------------------------------------------------ the harness catches what it should

def _example(source: bytes, runs, monkeypatch=None, *, timeout=10.0, maths=False):
    """Run the harness on one program with the given command lines (no drawing)."""
    from fuzz_harness import Example
    from graphdiff.fuzzing import Program, Run
    ex = Example(Program(source, "any", "test"), "g.gd", timeout=timeout)
    with ex.sandbox():
        for argv in runs:
            ex.run(Run(tuple(argv), outputs=tuple(a for a in argv if a.endswith(".py"))))
        if maths:
            from fuzz_maths import differential
            differential(ex, 0)
    return {f.category for f in ex.failures}, ex


PEYRE = b"input x = 0.7\nu = sqrt(x^2 + 1)\nv = log(x + u)\noutput f = v / u - v^3\n"


def test_harness_passes_a_good_program():
    found, _ = _example(PEYRE, [["eval", "g.gd", "--json"], ["codegen", "g.gd", "-o", "gen.py"]], maths=True)
    assert found == set()


def test_harness_reports_internal_errors_hangs_and_stray_files(monkeypatch):
    import time
    from graphdiff.cli import basic

    def crash(args):
        raise ZeroDivisionError("boom")

    def slow(args):
        time.sleep(5)
        return 0

    def litter(args):
        open(".tmp-left-behind", "w").close()
        return 0

    for fn, want in ((crash, "internal-error"), (slow, "hang"), (litter, "leftover")):
        monkeypatch.setattr(basic, "cmd_eval", fn)
        found, _ = _example(PEYRE, [["eval", "g.gd"]], timeout=0.5)
        assert want in found, (fn.__name__, found)


def test_harness_reports_a_wrong_compiled_jacobian(monkeypatch):
    from graphdiff.emit import compiled
    real = compiled.compiled_jacobian

    def off_by_one(g, *, mode="reverse"):
        fn = real(g, mode=mode)
        return lambda at=None: fn(at)._replace(matrix=fn(at).matrix + 1.0)

    monkeypatch.setattr(compiled, "compiled_jacobian", off_by_one)
    found, _ = _example(PEYRE, [], maths=True)
    assert "disagree-compiled" in found


def test_harness_reports_a_wrong_derivative_rule(monkeypatch):
    """A rule wrong in both modes alike (log's derivative doubled) is caught by finite differences."""
    import dataclasses
    from graphdiff import ops
    log = ops.OPS["log"]
    doubled = dataclasses.replace(
        log, partial=lambda k, args, y: 2 * log.partial(k, args, y),
        partials=tuple((lambda *a, p=p: 2 * p(*a)) for p in log.partials), scalar_partials=None,
        jvp=lambda k, x_dot, args, y, attrs: 2 * log.jvp(k, x_dot, args, y, attrs),
        vjp=lambda k, y_bar, args, y, attrs: 2 * log.vjp(k, y_bar, args, y, attrs))
    monkeypatch.setitem(ops.OPS, "log", doubled)
    found, _ = _example(PEYRE, [], maths=True)
    assert "disagree-fd" in found and "disagree-fwd-rev" not in found


def test_excerpt_and_whole_file_checks(tmp_path):
    from fuzz_harness import excerpt_problem, whole
    src = b"input x = 0.5\nt = x +\noutput f = t\n"
    good = "g.gd:2:8: error: expected an expression\n    t = x +\n           ^\n"
    bad = "g.gd:2:8: error: expected an expression\n    input x = 0.5\n           ^\n"
    assert excerpt_problem(src, good, "g.gd") is None
    assert "not line 2" in excerpt_problem(src, bad, "g.gd")
    (tmp_path / "a.dot").write_text("digraph g {\n a -> b\n")
    (tmp_path / "b.dot").write_text("digraph g {\n a -> b\n}\n")
    assert whole(str(tmp_path / "a.dot"), "render") and whole(str(tmp_path / "b.dot"), "render") is None
