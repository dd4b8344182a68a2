"""HR exports as HR systems and spreadsheets really write them, through ``whoknows ingest hris`` (a subprocess):
a report title above the header, a column name written twice, a workbook passed where a CSV is expected."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from ingest.hris import HrRow, parse_hris, read_hris


def whoknows() -> list[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}", "COLUMNS": "200"}
    return subprocess.run([*whoknows(), "ingest", *args], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=300, check=False)


def people(tmp_path: Path) -> list[tuple[str, str, str | None, str | None, str | None]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, name, email, manager_id, hired_on FROM person ORDER BY id").fetchall()


def test_report_title_and_run_date_lines_above_the_header_are_skipped(tmp_path: Path) -> None:
    """A Workday / ADP report saved as CSV starts with its title, the run date and a blank line; semicolons (a
    European Excel's list separator) and a title without any separator are read the same."""
    (tmp_path / "workday.csv").write_text(
        '"Worker Report - All Active Workers",,,,\n'
        '"Run Date: 05/01/2024 09:12 AM",,,,\n'
        ",,,,\n"
        "Employee ID,Worker,Email - Primary Work,Hire Date,Manager ID\n"
        "00100,Ann Lee,ann@x.com,2020-01-02,\n"
        "00101,Bob Roe,bob@x.com,2021-01-02,00100\n"
        "00102,Cy Poe,bad@,2021-01-02,00100\n",
        encoding="utf-8-sig",
    )
    p = run(tmp_path, "hris", "workday.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stderr  # the one bad email
    assert "workday.csv, row 7" in " ".join(p.stderr.split())  # rows keep the file's line numbers
    assert "Traceback" not in p.stderr
    assert people(tmp_path) == [("hr:00100", "Ann Lee", "ann@x.com", None, "2020-01-02"),
                                ("hr:00101", "Bob Roe", "bob@x.com", "hr:00100", "2021-01-02")]

    (tmp_path / "de.csv").write_text(
        "Mitarbeiterliste Stand 01.05.2024\n"
        "Employee ID;Name;Email;Hire Date\n"
        "7;Jürgen Müller;jm@x.de;01.02.2020\n",
        encoding="utf-8-sig",
    )
    p = run(tmp_path, "hris", "de.csv")
    assert p.returncode == 0, p.stderr
    assert ("hr:7", "Jürgen Müller", "jm@x.de", None, "2020-02-01") in people(tmp_path)


def test_the_dry_run_says_which_line_is_the_header(tmp_path: Path) -> None:
    (tmp_path / "hris.csv").write_text("Headcount report\nRun by: admin\nid,name\nE1,Ann\n")
    p = run(tmp_path, "hris", "hris.csv", "--dry-run")
    assert p.returncode == 0, p.stderr
    assert "header on line 3" in " ".join(p.stdout.split())


def test_a_file_with_no_header_anywhere_still_names_the_first_line_columns(tmp_path: Path) -> None:
    # (column names no language's list knows: Personalnummer and Vorname are German names for id and first name)
    (tmp_path / "hris.csv").write_text("Kennung;Rufname\n1;Ann\n")
    p = run(tmp_path, "hris", "hris.csv")
    assert p.returncode == 2
    assert "missing required column 'id' (columns: Kennung, Rufname)" in " ".join(p.stderr.split())


def test_a_column_name_written_twice_reads_the_first_such_column(tmp_path: Path) -> None:
    """Two columns called "Email" (work, then private): the first is the one the mapping names and the one read,
    never the values of the last; the second stays addressable by its position."""
    path = tmp_path / "hris.csv"
    path.write_text("Employee ID,Name,Email,Email\n1,Ann,ann@x.com,ann.private@y.com\n2,Bob,,bob@y.com\n")
    p = run(tmp_path, "hris", "hris.csv")
    assert p.returncode == 0, p.stderr
    assert [(pid, email) for pid, _, email, _, _ in people(tmp_path)] == [("hr:1", "ann@x.com"), ("hr:2", None)]
    table = read_hris(path)
    assert table.header == ["Employee ID", "Name", "Email", "Email [column 4]"]
    (tmp_path / "m.toml").write_text('[columns]\nemail = "Email [column 4]"\n')
    p = run(tmp_path, "hris", "hris.csv", "--mapping", "m.toml")
    assert p.returncode == 0, p.stderr
    assert [email for _, _, email, _, _ in people(tmp_path)] == ["ann.private@y.com", "bob@y.com"]
    rows = [r for r in parse_hris(table) if isinstance(r, HrRow)]
    assert [r.person.email for r in rows] == ["ann@x.com", None]


def _xlsx(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")


def test_a_workbook_or_archive_is_refused_for_what_it_is_not_for_its_encoding(tmp_path: Path) -> None:
    _xlsx(tmp_path / "people.xlsx")
    (tmp_path / "people.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    with zipfile.ZipFile(tmp_path / "hr.zip", "w") as z:
        z.writestr("hr.csv", "id,name\n1,Ann\n")
    for name, says in [("people.xlsx", "unreadable Excel workbook"), ("people.xls", "an Excel workbook (.xls)"),
                       ("hr.zip", "a zip archive")]:
        p = run(tmp_path, "hris", name)
        err = " ".join(p.stderr.split())
        assert p.returncode == 2, (name, p.stderr)
        assert f"{name}: {says}" in err, err
        assert "CSV" in err, err
        assert "encoding" not in err, err
        assert "Traceback" not in p.stderr


def test_full_export_never_makes_a_leaver_of_a_row_it_rejected(tmp_path: Path) -> None:
    """``--full``: people absent from the file become inactive; people whose rows are in it but rejected (an
    unquoted comma in a name, a byte the encoding cannot read, a bad email) are not absent, whatever step
    rejected the row."""
    (tmp_path / "monday.csv").write_text(
        "id,name,email\nE1,Ann,ann@x.com\nE2,Bob Lee,bob@x.com\nE3,Cy,cy@x.com\nE4,Dee,dee@x.com\nE5,Eve,eve@x.com\n")
    assert run(tmp_path, "hris", "monday.csv").returncode == 0
    (tmp_path / "tuesday.csv").write_bytes(
        b"id,name,email\nE1,Ann,ann@x.com\nE2,Lee, Bob,bob@x.com\nE3,C\xff,cy@x.com\nE4,Dee,dee@\n")  # E5 left
    p = run(tmp_path, "hris", "tuesday.csv", "--full", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stderr
    with sqlite3.connect(tmp_path / "w.db") as db:
        active = dict(db.execute("SELECT id, active FROM person").fetchall())
    assert active == {"hr:E1": 1, "hr:E2": 1, "hr:E3": 1, "hr:E4": 1, "hr:E5": 0}


def test_one_letter_status_codes_read_t_as_terminated_not_as_true(tmp_path: Path) -> None:
    """PeopleSoft's EMPL_STATUS, UKG's and ADP's status codes: A active, L leave, T terminated, R retired, D
    deceased. "T" was read as the yes/no value true: a terminated person loaded as a current employee. A column of
    t/f (a database's booleans) still reads t as true."""
    (tmp_path / "codes.csv").write_text(
        "Employee ID,Name,Employee Status\n1,Ann,A\n2,Bob,T\n3,Cy,L\n4,Dee,R\n5,Eve,D\n6,Fay,P\n7,Gus,U\n")
    p = run(tmp_path, "hris", "codes.csv")
    assert p.returncode == 0, p.stderr
    with sqlite3.connect(tmp_path / "w.db") as db:
        active = dict(db.execute("SELECT id, active FROM person").fetchall())
    assert active == {"hr:1": 1, "hr:2": 0, "hr:3": 1, "hr:4": 0, "hr:5": 0, "hr:6": 1, "hr:7": 0}

    (tmp_path / "flags.csv").write_text("id,name,active\n8,Hal,t\n9,Ida,f\n")
    assert run(tmp_path, "hris", "flags.csv").returncode == 0
    with sqlite3.connect(tmp_path / "w.db") as db:
        assert db.execute("SELECT id, active FROM person WHERE id IN ('hr:8', 'hr:9') ORDER BY id").fetchall() == [
            ("hr:8", 1), ("hr:9", 0)]


def test_a_manager_whose_own_row_was_rejected_is_named_as_such(tmp_path: Path) -> None:
    """Ann's row is rejected (a bad email): her reports load without a manager, and the problem says her row was
    rejected rather than that "E1" matches no one; nor is the manager column, whose only id is hers, taken for a
    column of manager codes."""
    (tmp_path / "hr.csv").write_text("id,name,email,manager_id\nE1,Ann,ann@,\nE2,Bob,bob@x.com,E1\n"
                                     "E3,Cy,cy@x.com,E1\n")
    p = run(tmp_path, "hris", "hr.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stderr
    rejects = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    assert [r["row"] for r in rejects if r.get("kind", "row") == "row"] == [2], rejects
    links = [r for r in rejects if r.get("kind", "").startswith("link:")]
    assert len(links) == 1, rejects
    assert "manager (id 'E1') is on row 2, which was rejected" in links[0]["reason"], links
    assert "2 people loaded without a manager" in links[0]["reason"], links
    assert [(pid, mgr) for pid, _, _, mgr, _ in people(tmp_path)] == [("hr:E2", None), ("hr:E3", None)]
    dry = run(tmp_path, "hris", "hr.csv", "--dry-run")
    assert "manager_code" not in dry.stdout, dry.stdout


def test_a_missing_column_message_says_how_to_map_it_and_that_the_list_is_cut(tmp_path: Path) -> None:
    """Before: the list stopped at the 12th column without saying so (the 13th looked absent), and the hint was
    "(try --dry-run)", printed by the dry run too, which stops at the same error."""
    header = ";".join(f"Spalte {i}" for i in range(1, 14))
    (tmp_path / "hris.csv").write_text(f"{header}\n" + ";".join("x" * 13) + "\n", encoding="utf-8")
    p = run(tmp_path, "hris", "hris.csv", "--dry-run")
    assert p.returncode == 2
    err = " ".join(p.stderr.split())
    assert "Spalte 12, ... (13 columns)); name the column that holds it in a --mapping file: [columns] id = " in err
    assert "try --dry-run" not in err
