"""Hostile manifests (``whoknows ingest manifest DIR`` as a real subprocess): a step naming /etc/passwd read it as
an HR export and quoted its first line in the error; "full": "no" ran a full import (a non-empty string is true);
a deeply nested or 5,000-digit manifest, or a NUL in a path, printed a traceback. All are refused before any step
runs, naming the manifest and the step."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_ingest_cli import no_traceback, run

HR = "id,name,email\nE1,Ann,ann@x.com\n"


def _manifest(tmp_path: Path, steps: object | str) -> Path:
    d = tmp_path / "export"
    d.mkdir()
    (d / "hris.csv").write_text(HR)
    (d / "manifest.json").write_text(steps if isinstance(steps, str) else json.dumps(steps))
    return d


@pytest.mark.parametrize(
    ("steps", "said"),
    [
        ([{"kind": "hris", "path": "hris.csv"}, {"kind": "hris", "path": "../../../../../etc/passwd"}],
         "manifest.json, row 2: path '../../../../../etc/passwd' lies outside the manifest's folder; refused"),
        ([{"kind": "hris", "path": "hris.csv"}, {"kind": "hris", "path": "/etc/passwd"}],
         "manifest.json, row 2: path '/etc/passwd' lies outside the manifest's folder; refused"),
        ([{"kind": "hris", "path": "hris.csv", "mapping": "/etc/passwd"}],
         "manifest.json, row 1: mapping '/etc/passwd' lies outside the manifest's folder; refused"),
        ([{"kind": "forum", "format": "jsonl", "path": "hris.csv", "identities": "../../../../../etc/hostname"}],
         "manifest.json, row 1: identities '../../../../../etc/hostname' lies outside the manifest's folder"),
        ([{"kind": "hris", "path": "hris.csv", "full": "no"}],
         "manifest.json, row 1: full must be true or false, not 'no'"),
        ([{"kind": "hris", "path": "hris\u0000.csv"}],
         "manifest.json, row 1: path must be a file name (text, without NUL)"),
        ('[{"kind": "hris", "path": "hris.csv", "full": ' + "9" * 5000 + "}]", "full must be true or false"),
        ("[" * 100_000 + "]" * 100_000, "manifest.json: unreadable manifest: nested too deeply"),
    ],
    ids=["climbing", "absolute", "mapping-outside", "identities-outside", "flag-as-text", "nul", "5000-digits",
         "deep"],
)
def test_a_bad_step_is_refused_before_any_step_runs(tmp_path: Path, steps: object, said: str) -> None:
    _manifest(tmp_path, steps)
    p = run(tmp_path, "manifest", "export")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    assert said in " ".join(p.stderr.split())
    assert "root:" not in p.stdout + p.stderr  # nothing of the file outside is read
    with sqlite3.connect(tmp_path / "w.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "person" not in tables or conn.execute("SELECT count(*) FROM person").fetchone() == (0,)


def test_a_link_leaving_the_folder_is_refused_and_one_inside_is_read(tmp_path: Path) -> None:
    d = _manifest(tmp_path, [{"kind": "hris", "path": "people.csv"}])
    (tmp_path / "secret.csv").write_text(HR.replace("E1", "E9"))
    (d / "people.csv").symlink_to(tmp_path / "secret.csv")
    p = run(tmp_path, "manifest", "export")
    assert p.returncode == 2, p.stderr
    assert "path 'people.csv' lies outside the manifest's folder" in " ".join(p.stderr.split())
    (d / "people.csv").unlink()
    (d / "people.csv").symlink_to(d / "hris.csv")
    p = run(tmp_path, "manifest", "export")
    assert p.returncode == 0, p.stderr


def test_a_manifest_of_many_steps_keeps_file_descriptors_and_the_screen_bounded(tmp_path: Path) -> None:
    """Each step's writer thread opened a SQLite connection that was never closed (ended threads' connections
    were closed only with the store): with 128 descriptors a manifest of 300 steps failed half-way, exit 3. And
    every step's progress bars stayed on screen, each redraw slower than the last."""
    import os
    import resource
    import subprocess

    from tests.integration.test_ingest_cli import whoknows

    _manifest(tmp_path, [{"kind": "hris", "path": "hris.csv"}] * 300)
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}", "COLUMNS": "200"}
    p = subprocess.run([*whoknows(), "ingest", "manifest", "export"], capture_output=True, text=True, cwd=tmp_path,
                       env=env, timeout=300, check=False,
                       preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128)))  # noqa: PLW1509
    no_traceback(p)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.count("ingest hris") == 300
    with sqlite3.connect(tmp_path / "w.db") as conn:
        assert conn.execute("SELECT id FROM person").fetchall() == [("hr:E1",)]
