"""Spreadsheets laid out for people to read, loaded through ``whoknows ingest hris`` (a subprocess): a two-row
header whose group labels tell repeated column names apart, and a workbook whose people are on several sheets."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import openpyxl

from tests.integration.clirun import ingest_in


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return ingest_in(tmp_path, "hris", *args)


def people(tmp_path: Path) -> list[tuple[str, str, str | None, bool]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return [(r[0], r[1], r[2], bool(r[3])) for r in db.execute(
            "SELECT id, name, manager_id, active FROM person ORDER BY id")]


def test_a_two_row_header_with_merged_group_labels_keeps_the_managers(tmp_path: Path) -> None:
    """"Employee" merged over ID/Name/Email and "Manager" over ID/Name: the manager's ID and Name read as
    ``ID [column 4]`` and ``Name [column 5]``, unused, and every reporting line was lost with exit code 0. The
    same sheet saved as CSV (the label over the group's first column) reads the same."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Employee", None, None, "Manager", None])
    sheet.merge_cells("A1:C1")
    sheet.merge_cells("D1:E1")
    sheet.append(["ID", "Name", "Email", "ID", "Name"])
    sheet.append(["E1", "Ann Lee", "ann@x.com", None, None])
    sheet.append(["E2", "Bo Chen", "bo@x.com", "E1", "Ann Lee"])
    sheet.append(["E3", "Cy Diaz", "cy@x.com", None, "Bo Chen"])
    book.save(tmp_path / "people.xlsx")
    dry = run(tmp_path, "people.xlsx", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert 'manager_id = "Manager ID"' in dry.stdout
    assert run(tmp_path, "people.xlsx").returncode == 0
    want = [("hr:E1", "Ann Lee", None, True), ("hr:E2", "Bo Chen", "hr:E1", True), ("hr:E3", "Cy Diaz", "hr:E2", True)]
    assert people(tmp_path) == want

    (tmp_path / "w.db").unlink()
    (tmp_path / "people.csv").write_text("Employee,,,Manager,\nID,Name,Email,ID,Name\nE1,Ann Lee,ann@x.com,,\n"
                                         "E2,Bo Chen,bo@x.com,E1,Ann Lee\nE3,Cy Diaz,cy@x.com,,Bo Chen\n")
    assert run(tmp_path, "people.csv").returncode == 0
    assert people(tmp_path) == want


def test_people_on_a_second_sheet_are_said_and_never_made_leavers(tmp_path: Path) -> None:
    """A workbook with an "Active" and an "On leave" sheet: the first was read alone, silently (exit code 0), and
    with ``--full`` everyone on the second became a leaver. Now the run names the sheet it did not read, a
    manager on it is said to be there, and ``--full`` leaves its people as they were."""
    (tmp_path / "january.csv").write_text("Employee ID,Name,Manager ID\nE1,Ann Lee,\nE2,Bo Chen,E1\nE3,Cy Diaz,E1\n"
                                          "E4,Di Eve,E3\n")
    assert run(tmp_path, "january.csv").returncode == 0
    book = openpyxl.Workbook()
    active = book.active
    active.title = "Active"
    active.append(["Employee ID", "Name", "Manager ID"])
    active.append(["E1", "Ann Lee", None])
    active.append(["E2", "Bo Chen", "E1"])
    active.append(["E4", "Di Eve", "E3"])
    active.append(["E6", "Fay Gil", "E5"])
    leave = book.create_sheet("On leave")
    leave.append(["Employee ID", "Name", "Manager ID"])
    leave.append(["E3", "Cy Diaz", "E1"])
    leave.append(["E5", "Ed Fox", "E1"])
    book.save(tmp_path / "february.xlsx")
    dry = run(tmp_path, "february.xlsx", "--full", "--dry-run")
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "sheet 'On leave' also lists people (2 rows, rows 2-3) and is not read" in " ".join(dry.stdout.split())
    p = run(tmp_path, "february.xlsx", "--full", "--rejects", "rej.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    said = " ".join((tmp_path / "rej.jsonl").read_text().split())
    assert "manager (id 'E5') is on sheet 'On leave', row 3, which is not read" in said
    got = people(tmp_path)
    assert ("hr:E3", "Cy Diaz", "hr:E1", True) in got  # no leaver
    assert ("hr:E4", "Di Eve", "hr:E3", True) in got  # a stored manager still links


def test_a_formula_never_calculated_is_named_in_its_rows_reject(tmp_path: Path) -> None:
    """A workbook a program wrote (openpyxl here, a report generator elsewhere) holds formulas with no saved
    value: they read as empty and the row was rejected as "name is empty" with no word of why. A row whose name
    comes from first and last names beside an uncalculated full-name formula still loads, and says nothing."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Employee ID", "Full Name", "Email"])
    sheet.append(["E1", '="Ann"&" Lee"', "ann@x.com"])
    sheet.append(["E2", "Bo Chen", "bo@x.com"])
    book.save(tmp_path / "generated.xlsx")
    p = run(tmp_path, "generated.xlsx")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "row 2: name is empty (cell(s) B2 hold a formula with no value saved" in " ".join(p.stderr.split())
    assert people(tmp_path) == [("hr:E2", "Bo Chen", None, True)]

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Employee ID", "First Name", "Last Name", "Name"])
    sheet.append(["E3", "Cy", "Diaz", "=B2&\" \"&C2"])
    book.save(tmp_path / "names.xlsx")
    p = run(tmp_path, "names.xlsx")
    assert p.returncode == 0, p.stdout + p.stderr
    assert ("hr:E3", "Cy Diaz", None, True) in people(tmp_path)
