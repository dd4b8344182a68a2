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


def test_ctrl_c_during_analyze_is_one_line_exit_130_and_a_rerun_finishes(tmp_path: Path) -> None:
    import json
    import re

    from tests.integration.clirun import cli, whoknows_argv

    data, env = tmp_path / "demo", {"WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}"}
    assert cli("demo-data", str(data), "--people", "300").returncode == 0
    assert cli("ingest", "manifest", str(data), "--rejects-dir", str(tmp_path / "rejects"), env=env).returncode == 0
    proc = subprocess.Popen(  # a terminal as rich sees it, so the stage labels come live on stderr
        [*whoknows_argv(), "analyze"],
        env={**os.environ, **env, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "120",
             "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    seen = b""
    try:
        while b"expertise" not in seen and b"question router" not in seen:  # well inside the run
            chunk = proc.stderr.read1(4096)
            assert chunk, seen.decode(errors="replace")  # it must not end before
            seen += chunk
        os.killpg(proc.pid, signal.SIGINT)
        err = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", (seen + proc.stderr.read()).decode(errors="replace"))
        rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    assert rc == 130, err
    assert "Traceback" not in err
    assert "error: interrupted: run the same command again to finish the job" in err
    assert json.loads(cli("stats", "--json", env=env).stdout)["last_run"] is None  # nothing half-written
    assert cli("analyze", env=env).returncode == 0
    assert json.loads(cli("stats", "--json", env=env).stdout)["last_run"] is not None
