"""An HR export as an Excel workbook (.xlsx), the format Workday's and BambooHR's "export to Excel" give, through
``whoknows ingest hris`` (a subprocess) onto a SQLite store on disk. The workbooks are written by openpyxl with real
cell types: dates as dates, ids as numbers with a zero-padding format, a summary sheet before the data."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import openpyxl

from tests.integration.test_hris_export_shapes import run


def _workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["Headcount report"])
    summary.append(["Active", 3])
    data = book.create_sheet("Workers")
    data.append(["Worker Report - All Workers"])
    data.append(["Run Date", datetime(2024, 5, 1, 9, 12)])
    data.append([])
    data.append(["Employee ID", "Worker", "Email - Primary Work", "Hire Date", "Manager ID", "Worker Status"])
    data.append([7, "Ann Lee", "ann@x.com", datetime(2011, 7, 5), None, "Active"])
    data.append(["00123", "Bob Öz", "bob@x.com", datetime(2019, 2, 1), 7, "Active"])
    data.append([45, "Cy Mo", "cy@x.com", datetime(2020, 3, 9, 8, 30), 7, "Terminated"])
    data.append([])  # a blank row inside the used range
    data.append([46, "Dee", "dee@x.com", datetime(2021, 1, 4), "00123", "Active", "stray note"])
    for row in range(5, 10):  # ids typed as numbers, shown padded to six digits: the text HR means is 000007
        for column in (1, 5):
            data.cell(row=row, column=column).number_format = "000000"
    book.save(path)


def test_an_excel_workbook_loads_as_the_sheet_shows_it(tmp_path: Path) -> None:
    _workbook(tmp_path / "workers.xlsx")
    dry = run(tmp_path, "hris", "workers.xlsx", "--dry-run")
    assert dry.returncode in (0, 1), dry.stderr
    said = " ".join(dry.stdout.split())
    assert "header on line 4" in said, said
    assert not (tmp_path / "w.db").exists() or _people(tmp_path) == []  # a dry run writes nothing

    p = run(tmp_path, "hris", "workers.xlsx", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stderr  # one row rejected, the rest loaded
    assert "Traceback" not in p.stderr
    assert _people(tmp_path) == [
        ("hr:000007", "Ann Lee", "ann@x.com", None, "2011-07-05", 1),
        ("hr:000045", "Cy Mo", "cy@x.com", "hr:000007", "2020-03-09", 0),
        ("hr:00123", "Bob Öz", "bob@x.com", "hr:000007", "2019-02-01", 1),
    ]
    rejects = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    assert [(r["row"], "stray note" in r["reason"]) for r in rejects] == [(9, True)], rejects
    assert all("sheet 'Workers'" in r["file"] for r in rejects), rejects

    again = run(tmp_path, "hris", "workers.xlsx", "--rejects", "bad2.jsonl")  # idempotent
    assert again.returncode == 1, again.stderr
    assert len(_people(tmp_path)) == 3


def test_a_workbook_without_the_required_columns_names_what_it_found(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Department"])
    book.active.append(["Ann", "Sales"])
    book.save(tmp_path / "names.xlsx")
    p = run(tmp_path, "hris", "names.xlsx")
    err = " ".join(p.stderr.split())
    assert p.returncode == 2, p.stderr
    for said in ("names.xlsx", "missing required column 'id'", "Department"):
        assert said in err, err
    assert "Traceback" not in p.stderr


def _people(tmp_path: Path) -> list[tuple[str, str, str | None, str | None, str | None, int]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute(
            "SELECT id, name, email, manager_id, hired_on, active FROM person ORDER BY id").fetchall()


def test_reading_a_workbook_shows_progress(tmp_path: Path) -> None:
    """A workbook reads slowly (100,000 rows take about 25 s): the read reports its rows as it goes."""
    from ingest.hris import read_hris

    class Recorder:
        def __init__(self) -> None:
            self.started: list[tuple[str, int | None, str]] = []
            self.rows = 0

        def start(self, label: str, total: int | None, unit: str) -> None:
            self.started.append((label, total, unit))

        def advance(self, n: int) -> None:
            self.rows += n

    _workbook(tmp_path / "workers.xlsx")
    heard = Recorder()
    table = read_hris(tmp_path / "workers.xlsx", progress=heard)
    assert [(label, unit) for label, _, unit in heard.started] == [("reading workers.xlsx", "rows")]
    assert heard.rows == 5  # the sheet's rows below the header, the blank one included
    assert len(table.rows) == 3
