"""Ctrl-C as a user sees it when work runs in worker processes (``ingest manifest --workers``, the structure
stages of a large ``analyze``): the pool of graph/workers.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("to_group", [True, False], ids=["ctrl-c-in-a-terminal", "sigint-to-the-parent-only"])
def test_an_interrupt_stops_the_workers_at_once_without_their_tracebacks(tmp_path: Path, to_group: bool) -> None:
    script = tmp_path / "pool.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from graph.workers import worker_pool

        def work(marker):
            Path(marker).write_text("started")
            time.sleep(120)

        def quick():
            return 1

        if __name__ == "__main__":
            with worker_pool(2) as pool:
                busy = pool.submit(work, sys.argv[1])
                pool.submit(quick).result()  # the other worker is idle now, waiting for work
                busy.result()
            print("unreachable: the pool re-raises", file=sys.stderr)
    """), encoding="utf-8")
    marker = tmp_path / "started"
    proc = subprocess.Popen(  # its own process group, SIGINT as a terminal leaves it
        [sys.executable, str(script), str(marker)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the worker never started"
            time.sleep(0.05)
        time.sleep(0.5)  # the quick task is done: one worker busy, one idle
        if to_group:  # a terminal's Ctrl-C reaches every process of the group
            os.killpg(proc.pid, signal.SIGINT)
        else:  # a supervisor signalling the process it started
            os.kill(proc.pid, signal.SIGINT)
        started = time.monotonic()
        _, err = proc.communicate(timeout=30)  # the workers hold the pipe too: this returns once they are gone
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert time.monotonic() - started < 15  # not after the busy worker's two minutes
    assert "SpawnProcess" not in err, err  # no worker printed its own traceback
    assert err.count("Traceback") == 1, err  # the parent's own KeyboardInterrupt, which the CLI turns into a line
    assert "unreachable" not in err
