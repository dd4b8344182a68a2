"""``--full`` makes leavers of the HR people an export no longer lists, but not of nearly everyone because a report
came out cut short. Through ``whoknows ingest hris`` as a subprocess on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.test_hris_export_shapes import run


def _export(tmp_path: Path, name: str, ids: range) -> str:
    rows = "".join(f"{i},Person {i},Dept {i % 3}\n" for i in ids)
    (tmp_path / name).write_text("id,name,department\n" + rows, encoding="utf-8")
    return name


def _active(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return int(db.execute("SELECT count(*) FROM person WHERE active = 1").fetchone()[0])


def test_a_cut_short_full_export_marks_no_one_and_says_why(tmp_path: Path) -> None:
    """Before: a header-only export with --full made leavers of all 30 people, and exited 0."""
    assert run(tmp_path, "hris", _export(tmp_path, "all.csv", range(1, 31))).returncode == 0
    for name, ids, leaving in (("empty.csv", range(0), 30), ("one-team.csv", range(1, 13), 18)):
        for extra in ((), ("--dry-run",)):
            p = run(tmp_path, "hris", _export(tmp_path, name, ids), "--full", *extra)
            said = " ".join(p.stderr.split())
            assert p.returncode == 2, p.stdout + p.stderr
            assert f"--full would make leavers of {leaving} of the 30 active HR people, as the file lists " \
                   f"{len(ids)}: it looks cut short" in said, said
            assert "--allow-mass-leave" in said
            assert _active(tmp_path) == 30


def test_ordinary_leavers_and_an_allowed_mass_leave_go_through(tmp_path: Path) -> None:
    assert run(tmp_path, "hris", _export(tmp_path, "all.csv", range(1, 31))).returncode == 0
    p = run(tmp_path, "hris", _export(tmp_path, "most.csv", range(1, 28)), "--full")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _active(tmp_path) == 27  # three leavers: an ordinary month
    refused = run(tmp_path, "hris", _export(tmp_path, "few.csv", range(1, 13)), "--full")
    assert refused.returncode == 2
    assert _active(tmp_path) == 27
    p = run(tmp_path, "hris", "few.csv", "--full", "--allow-mass-leave")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _active(tmp_path) == 12
