"""The debugger leaves when its terminal hangs up without a hangup signal (a dropped SSH session
or a killed tmux pane under `make run`, where make receives the signal): before, Textual's input
thread read end-of-file in a loop at full CPU for ever. A real process on a pseudo-terminal."""
import os
import pty
import select
import subprocess
import sys
import threading
import time

import pytest

from conftest import GRAPHS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are Unix")


def test_the_debugger_exits_when_its_terminal_hangs_up():
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    child = subprocess.Popen([sys.executable, "-m", "graphdiff", "tui", str(GRAPHS / "peyre.gd"), "--layout", "layered"],
                             stdin=slave, stdout=slave, stderr=slave, env=env,
                             start_new_session=True)     # no controlling terminal: no SIGHUP will come
    os.close(slave)
    seen, stop = bytearray(), threading.Event()

    def drain():      # keep the terminal's buffer empty, as a terminal would, until told to stop
        while not stop.is_set():
            if select.select([master], [], [], 0.1)[0]:
                try:
                    seen.extend(os.read(master, 65536))
                except OSError:
                    return
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while b"peyre.gd" not in seen and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
        assert b"peyre.gd" in seen, "the debugger did not draw its screen"
        assert child.poll() is None
        stop.set()
        reader.join()
        os.close(master)                              # the terminal goes away
        master = None
        assert child.wait(timeout=20) == 1            # it left, and says it did not end normally
    finally:
        stop.set()
        reader.join()
        if master is not None:
            os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait()
