import gc
import json
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"


def pytest_collection_modifyitems(config, items):
    """Tests marked `dot` need Graphviz; CI installs it, elsewhere they are skipped with a reason."""
    if shutil.which("dot"):
        return
    skip = pytest.mark.skip(reason="Graphviz 'dot' is not installed (make test installs it)")
    for item in items:
        if item.get_closest_marker("dot") is not None:
            item.add_marker(skip)


def pytest_unconfigure(config):
    """The heap frozen at the end: pytest then runs five full collections as it unconfigures
    (0.5–2 s each over a test process's 700,000 objects), and with xdist the run waits for its
    slowest process to end. (Likewise the snapshot tests share one process, `xdist_group`, and
    `make test` runs with --dist loadgroup: syrupy, at the end, matches every snapshot a process did
    not use against every test it ran, seconds when they are spread over both processes.)"""
    gc.freeze()


def run(capsys, *argv):
    """Run the command line in-process: (exit status, stdout, stderr)."""
    from graphdiff.cli import main
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv):
    """Run a command with --json; it must succeed and print one JSON document."""
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(autouse=True)
def _quick_pilot(monkeypatch):
    """Pilot waits for the app to go idle after every key, in 20 ms slices (two at least, so 40 ms a
    key); 2 ms slices, with the same idle criterion (under a tenth of a slice's time on the CPU),
    keep the debugger's tests short without changing what they check: each key is still handled
    to the end, and sweeps and layouts are awaited as before (workers.wait_for_complete)."""
    import textual._wait
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 0.002)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 0.0002)
