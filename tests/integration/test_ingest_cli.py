"""``whoknows ingest`` as a user runs it (a real subprocess): exit codes, messages naming file, row and reason,
never a traceback; and a run killed part-way then re-run gives the store a clean run gives."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from graph.store.sqlite import SQLiteStore
from ingest.rejects import read_rejects
from ingest.synthetic import write_stackexchange_dump

HEADER = "id,name,email,title,department,location,manager_id,hire_date,skills,opted_out,active\n"
GOOD = HEADER + "E1,Ann Lee,ann@x.com,CTO,Eng,Berlin,,2020-01-02,python:4,no,yes\n"


def whoknows() -> list[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]


def run(tmp_path: Path, *args: str, db: str = "w.db") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / db}", "COLUMNS": "200"}
    return subprocess.run([*whoknows(), "ingest", *args], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=300, check=False)


def no_traceback(p: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in p.stderr + p.stdout, p.stderr


def test_good_file_exit_0_with_summary(tmp_path: Path) -> None:
    (tmp_path / "hris.csv").write_text(GOOD)
    p = run(tmp_path, "hris", "hris.csv")
    assert p.returncode == 0, p.stderr
    assert "rows loaded" in p.stdout
    assert "inserted" in p.stdout
    assert "rows rejected" in p.stdout
    assert "reporting lines linked" in p.stdout
    no_traceback(p)


def test_rejected_rows_exit_1_and_name_the_reject_file(tmp_path: Path) -> None:
    (tmp_path / "hris.csv").write_text(GOOD + "E2,Bob,bob@,,,,,,,,\nE3,Cy,,,,,,2021-02-30,,,\n")
    p = run(tmp_path, "hris", "hris.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stderr
    assert "bad.jsonl" in p.stderr
    assert "hris.csv, row 3" in p.stderr
    assert "email" in p.stderr
    rejects = read_rejects(tmp_path / "bad.jsonl")
    assert [r.row for r in rejects] == [3, 4]
    assert "hire date" in rejects[1].reason
    with _closing(tmp_path) as store:
        assert store.person_ids() == {"hr:E1"}  # the good row loaded
    no_traceback(p)


class _closing:
    def __init__(self, tmp_path: Path) -> None:
        self.store = SQLiteStore(tmp_path / "w.db")

    def __enter__(self) -> SQLiteStore:
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def _zero_zip(tmp: Path) -> list[str]:
    (tmp / "export.zip").write_bytes(b"")
    return ["forum", "export.zip", "--format", "slack"]


def _stray_latin1_byte(tmp: Path) -> list[str]:
    """A UTF-8 export ("Zoë" on row 2) with one row in Latin-1: the stray byte is damage, not the encoding."""
    (tmp / "hris.csv").write_bytes(GOOD.replace("Ann Lee", "Zoë Lee").encode() + b"E2,Jos\xe9,,,,,,,,,\n")
    return ["hris", "hris.csv"]


def test_a_bad_byte_rejects_its_row_and_keeps_the_rows_before_and_after(tmp_path: Path) -> None:
    """Issue 9.6: an undecodable byte on row 3 keeps row 2 (and row 4), as docs/ingest-formats.md says."""
    _stray_latin1_byte(tmp_path)
    with (tmp_path / "hris.csv").open("a", encoding="utf-8") as fh:
        fh.write("E3,Cy,,,,,,,,,\n")
    p = run(tmp_path, "hris", "hris.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stderr
    assert "hris.csv, row 3: not UTF-8 text (byte 0xe9)" in " ".join(p.stderr.split())
    no_traceback(p)
    [r] = read_rejects(tmp_path / "bad.jsonl")
    assert (r.row, Path(r.file).name) == (3, "hris.csv")
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert store.person_ids() == {"hr:E1", "hr:E3"}
    finally:
        store.close()


def _truncated(tmp: Path) -> list[str]:
    d = write_stackexchange_dump(tmp / "site", questions=20, users=5)
    data = (d / "Posts.xml").read_bytes()
    (d / "Posts.xml").write_bytes(data[: len(data) // 2])
    return ["forum", "site", "--format", "stackexchange"]


def _missing_column(tmp: Path) -> list[str]:
    (tmp / "hris.csv").write_text("name,email\nAnn,ann@x.com\n")
    return ["hris", "hris.csv"]


def _empty(tmp: Path) -> list[str]:
    (tmp / "hris.csv").write_text("")
    return ["hris", "hris.csv"]


def _missing(tmp: Path) -> list[str]:
    return ["hris", "nope.csv"]


def _unknown_format(tmp: Path) -> list[str]:
    (tmp / "x.json").write_text("{}")
    return ["forum", "x.json", "--format", "reddit"]


def _not_zip(tmp: Path) -> list[str]:
    (tmp / "export.zip").write_text("hello")
    return ["forum", "export.zip", "--format", "slack"]


@pytest.mark.parametrize(
    ("make", "expect"),
    [
        (_zero_zip, "export.zip: empty file (a 0-byte zip)"),
        (_not_zip, "export.zip: not a zip archive"),
        (_truncated, "Posts.xml, row"),
        (_missing_column, "missing required column 'id'"),
        (_empty, "hris.csv: empty file"),
        (_missing, "nope.csv: no such file"),
        (_unknown_format, "unknown format 'reddit'"),
    ],
    ids=["zero-byte-zip", "not-a-zip", "truncated-xml", "missing-column", "empty-file",
         "missing-file", "unknown-format"],
)
def test_unreadable_input_exit_2_with_a_clear_message(tmp_path: Path, make, expect: str) -> None:
    p = run(tmp_path, *make(tmp_path))
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert expect in " ".join(p.stderr.split()), p.stderr
    no_traceback(p)


def test_truncated_xml_keeps_the_rows_before_it(tmp_path: Path) -> None:
    p = run(tmp_path, *_truncated(tmp_path))
    assert p.returncode == 2
    assert "records before it were loaded" in " ".join(p.stderr.split())
    with _closing(tmp_path) as store:
        assert store.counts()["posts"] > 0


def test_bad_usage_exit_2(tmp_path: Path) -> None:
    p = run(tmp_path, "forum", "x")  # --format missing
    assert p.returncode == 2
    no_traceback(p)


def _posts(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM post").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_killed_run_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    dump = write_stackexchange_dump(tmp_path / "site", questions=25_000, answers_per_question=2, users=3000)
    with (dump / "Comments.xml").open() as fh:
        total = 75_000 + sum(1 for _ in fh) - 3  # posts + comment rows (3 lines are XML framing)
    args = [*whoknows(), "ingest", "forum", str(dump), "--format", "stackexchange"]
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'killed.db'}"}
    proc = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed_at = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        killed_at = _posts(tmp_path / "killed.db")
        if killed_at > 0:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed: make the input bigger"
    partial = _posts(tmp_path / "killed.db")
    assert 0 < partial < total
    again = run(tmp_path, "forum", str(dump), "--format", "stackexchange", db="killed.db")
    assert again.returncode == 0, again.stderr
    assert "resumed from a checkpoint" in again.stdout
    clean = run(tmp_path, "forum", str(dump), "--format", "stackexchange", db="clean.db")
    assert clean.returncode == 0, clean.stderr
    a, b = SQLiteStore(tmp_path / "killed.db"), SQLiteStore(tmp_path / "clean.db")
    try:
        assert a.counts()["posts"] == total
        assert a.dump() == b.dump()
    finally:
        a.close()
        b.close()


def test_slack_zip_folder_inside(tmp_path: Path) -> None:
    """An export zipped with its folder as the top level still reads (users.json one level down)."""
    with zipfile.ZipFile(tmp_path / "ws.zip", "w") as z:
        z.writestr("ws/users.json", '[{"id": "U1", "name": "ann"}]')
        z.writestr("ws/channels.json", '[{"id": "C1", "name": "general", "members": ["U1"]}]')
        z.writestr("ws/general/2024-01-01.json", '[{"type": "message", "user": "U1", "ts": "1704100000.1"}]')
    p = run(tmp_path, "forum", "ws.zip", "--format", "slack")
    assert p.returncode == 0, p.stderr
    with _closing(tmp_path) as store:
        assert store.counts()["posts"] == 1


def test_unreadable_input_loses_nothing_already_loaded(tmp_path: Path) -> None:
    (tmp_path / "hris.csv").write_text(GOOD)
    assert run(tmp_path, "hris", "hris.csv").returncode == 0
    (tmp_path / "bad.csv").write_bytes(b"id,n\xe4me\nE2,Jos\n")  # an undecodable header: unreadable
    p = run(tmp_path, "hris", "bad.csv")
    assert p.returncode == 2
    no_traceback(p)
    with _closing(tmp_path) as store:
        assert store.person_ids() == {"hr:E1"}
        assert {s.skill for s in store.person_skills(["hr:E1"])["hr:E1"]} == {"python"}
