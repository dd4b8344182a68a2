"""``whoknows ingest ... --dry-run`` as a user runs it (a subprocess): it shows the inferred mapping, sample rows
and every problem grouped by reason, and writes nothing: no store file is created, an existing one is unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

from graph.store.sqlite import SQLiteStore
from ingest.synthetic import write_stackexchange_dump
from tests.integration.test_ingest_cli import no_traceback, run

HR = (
    "Employee_Name,EmpID,Position,Department,ManagerName,ManagerID,DateofHire,EmploymentStatus\n"
    '"Albert, Michael",10001,Director,Production,,,01/05/2010,Active\n'
    '"LaPotin, Mathew M",10002,Technician,Production,Michael Albert,22,07/05/2011,Active\n'
    '"Ruiz, Bea",10003,Technician,Production,Michael Albert,22,11/14/2012,Voluntarily Terminated\n'
    '"Smith, John A",10004,Technician,Sales,,,3/2/2015,Leave of Absence\n'  # two current John Smiths: ambiguous
    '"Smith, John",10005,Technician,Sales,,,3/2/2015,Active\n'
    '"Ng, Eve",10006,Technician,Sales,John Smith,30,2015-12-01,Active\n'
    '"Roy, Bob",10008,Technician,Sales,Eve Ng,,2015-13-40,Active\n'
    '"Poe, Dee",10007,Technician,Sales,Nobody Known,31,01/02/2016,Zombie\n'
    '"Kay, Lee",10009,Technician,Production,,22,01/03/2016,Active\n'
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_unchanged(db: Path, digest_before: str, before: object) -> None:
    """A dry run left the store as it found it: the same file, byte for byte, and the same records."""
    assert digest(db) == digest_before
    store = SQLiteStore(db)
    try:
        assert store.dump() == before
    finally:
        store.close()


def test_hris_dry_run_on_a_first_import_creates_no_store(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(HR, encoding="utf-8")
    p = run(tmp_path, "hris", "export.csv", "--dry-run")
    no_traceback(p)
    assert p.returncode == 1, p.stderr  # the real run would report problems
    out = " ".join(p.stdout.split())
    assert not (tmp_path / "w.db").exists()
    assert not list(tmp_path.glob("w.db*"))
    assert not list(tmp_path.glob("whoknows-rejects-*"))  # no reject file either
    # the inferred mapping, with how each column was found
    for fld, col in (("id", "EmpID"), ("name", "Employee_Name"), ("manager_name", "ManagerName"),
                     ("manager_code", "ManagerID"), ("hire_date", "DateofHire"), ("active", "EmploymentStatus")):
        assert f"│ {fld} " in p.stdout, fld
        assert col in p.stdout, col
    assert "read as a manager code" in out
    assert "US MM/DD/YYYY" in out
    assert "Voluntarily Terminated" in out
    assert "leaver (inactive)" in out
    # sample rows as they would be stored, the manager linked by name
    assert "Albert, Michael (hr:10001)" in out
    assert "2011-07-05" in out
    # rows and links counted apart
    assert "rows read │ 9" in out
    assert "rows would be loaded │ 7" in out
    assert "rows rejected │ 2" in out
    assert "reporting lines would be linked (code 1, name 2) │ 3" in out  # code 22 learnt from "Michael Albert"
    assert "reporting lines ambiguous (manager fits several people) │ 1" in out
    # every problem, grouped by reason with counts and example rows
    assert "problems, grouped by reason" in out
    assert "hire date '2015-13-40'" in out
    assert "status 'Zombie'" in out
    assert "fits 2 people" in out
    assert "dry run: nothing was written" in out
    # a mapping file to start from, pinning what was inferred
    assert "a mapping file that pins this" in out
    assert 'manager_code = "ManagerID"' in p.stdout
    assert '"Zombie" = false' in p.stdout


def test_hris_dry_run_leaves_an_existing_store_unchanged(tmp_path: Path) -> None:
    (tmp_path / "first.csv").write_text("id,name,email\nE1,Ann Lee,ann@x.com\n", encoding="utf-8")
    assert run(tmp_path, "hris", "first.csv").returncode == 0
    db = tmp_path / "w.db"
    store = SQLiteStore(db)
    before = store.dump()
    store.close()
    digest_before = digest(db)
    (tmp_path / "next.csv").write_text(
        "id,name,email,manager email,status\nE2,Bob Roy,bob@x.com,ann@x.com,Resigned\nE1,Ann Lee,ann@x.com,,\n",
        encoding="utf-8")
    p = run(tmp_path, "hris", "next.csv", "--dry-run", "--full")
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    out = " ".join(p.stdout.split())
    assert "linked (email 1)" in out
    assert "leavers (loaded inactive) │ 1" in out
    assert_unchanged(db, digest_before, before)


def test_forum_dry_run_shows_samples_and_writes_nothing(tmp_path: Path) -> None:
    dump = write_stackexchange_dump(tmp_path / "site", questions=15, users=4)
    posts = (dump / "Posts.xml").read_text(encoding="utf-8")
    bad = posts.replace('CreationDate="2022-01-01T00:02:00.000"', 'CreationDate="not a date"', 1)
    assert bad != posts
    (dump / "Posts.xml").write_text(bad, encoding="utf-8")
    p = run(tmp_path, "forum", "site", "--format", "stackexchange", "--dry-run")
    no_traceback(p)
    out = " ".join(p.stdout.split())
    assert "sample posts" in out
    assert "sample communities" in out
    assert "dry run: ingest stackexchange" in out
    assert "posts: would write" in out
    assert "dry run: nothing was written" in out
    assert p.returncode == 1  # the bad row, as the real run would
    assert "problems, grouped by reason" in out
    assert "not a date" in out
    assert not (tmp_path / "w.db").exists()
    assert not list(tmp_path.glob("whoknows-rejects-*"))
