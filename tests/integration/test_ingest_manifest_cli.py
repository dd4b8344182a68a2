"""``whoknows ingest manifest`` as a subprocess: a demo-data folder into a real SQLite store, in parallel workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from graph.store.sqlite import SQLiteStore
from ingest.demo import generate_demo_data
from ingest.manifest import ingest_manifest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "WHOKNOWS_STORE": f"sqlite:///{store}"}
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )


def test_manifest_in_two_workers_equals_one_in_order(tmp_path: Path) -> None:
    org = tmp_path / "org"
    generate_demo_data(org, people=200, seed=5)
    db = tmp_path / "cli.db"
    proc = run_cli("ingest", "manifest", str(org), "--workers", "2", "--rejects-dir", str(tmp_path), store=db)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for step in ("hris", "stackexchange", "slack", "jsonl"):
        assert f"ingest {step}" in proc.stdout

    reference = SQLiteStore(tmp_path / "ref.db")
    cli_store = SQLiteStore(db)
    try:
        ingest_manifest(reference, org, rejects_dir=tmp_path, workers=1)
        assert cli_store.dump() == reference.dump()
        assert cli_store.counts()["people"] >= 200
    finally:
        reference.close()
        cli_store.close()


def test_a_folder_without_manifest_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("ingest", "manifest", str(tmp_path), store=tmp_path / "x.db")
    assert proc.returncode == 2
    assert "manifest.json" in proc.stderr
    assert "Traceback" not in proc.stderr
