"""Running the real ``whoknows`` in a subprocess as an operator would, and reading its one-line error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def whoknows_argv() -> list[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_") and k != "COLUMNS"}
    return subprocess.run([*whoknows_argv(), *args], capture_output=True, text=True, timeout=timeout, check=False,
                          env={**base, "WHOKNOWS_ENV": "development", **(env or {})})


def hris_csv(path: Path) -> Path:
    path.write_text("employee_id,name,email,department\nE1,Ann Lee,ann@example.org,Engineering\n"
                    "E2,Bo Chen,bo@example.org,Sales\n", encoding="utf-8")
    return path


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line the command printed, which must start ``error:``."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    return lines[0]


def made_store(tmp_path: Path) -> str:
    """The URL of a store ingest created (a few HR people), for commands that refuse a store never created."""
    db = tmp_path / "made.db"
    made = cli("ingest", "hris", str(hris_csv(tmp_path / "hris.csv")), "--store", f"sqlite:///{db}")
    assert made.returncode == 0, made.stderr
    return f"sqlite:///{db}"


def ingest_in(tmp_path: Path, *args: str, db: str = "w.db") -> subprocess.CompletedProcess[str]:
    """``whoknows ingest ARGS`` run in ``tmp_path`` on the store ``tmp_path/db``, as an operator runs it (their
    environment, a wide terminal); a traceback is never an answer."""
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / db}", "COLUMNS": "200"}
    done = subprocess.run([*whoknows_argv(), "ingest", *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=300, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


__all__ = ["cli", "hris_csv", "ingest_in", "made_store", "one_error_line", "whoknows_argv"]
