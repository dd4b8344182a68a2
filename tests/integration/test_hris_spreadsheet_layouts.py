"""Spreadsheets laid out for people to read, loaded through ``whoknows ingest hris`` (a subprocess): a two-row
header whose group labels tell repeated column names apart, and a workbook whose people are on several sheets."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import openpyxl

from tests.integration.clirun import whoknows_argv


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}", "COLUMNS": "200"}
    p = subprocess.run([*whoknows_argv(), "ingest", "hris", *args], capture_output=True, text=True, cwd=tmp_path,
                       env=env, timeout=300, check=False)
    assert "Traceback" not in p.stderr, p.stderr
    return p


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
