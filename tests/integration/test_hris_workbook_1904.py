"""A workbook saved in the 1904 date system (Excel for Mac's old default): its date cells were always read right
(openpyxl applies the system), but a hire date typed as a plain number (a program's serial, a pasted value) was
read in the 1900 system, four years and a day early. Written by openpyxl, loaded into a SQLite store on disk."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_hris

SERIAL_1904 = 42808  # 2021-03-15 counted from 1904-01-01 (the same day is 44270 in the 1900 system)


def _book(path: Path, epoch: datetime | None) -> Path:
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.append(["Employee ID", "Name", "Hire Date"])
    sheet.append([1, "Ann Lee", datetime(2021, 3, 15)])  # a date cell
    sheet.append([2, "Bo Roe", SERIAL_1904 if epoch is not None else 44270])  # a plain number
    sheet.append([3, "Cy Poe", (SERIAL_1904 if epoch is not None else 44270) - 365])
    book.save(path)
    return path


def _hired(tmp_path: Path, book: Path) -> dict[str, date | None]:
    store = SQLiteStore(tmp_path / "w.db")
    try:
        s = ingest_hris(store, book)
        assert (s.rows_loaded, s.rows_rejected) == (3, 0)
        return {pid: p.hired_on for pid, p in store.people(["hr:1", "hr:2", "hr:3"]).items()}
    finally:
        store.close()


def test_plain_numbers_in_a_1904_workbooks_date_column_are_its_serials(tmp_path: Path) -> None:
    hired = _hired(tmp_path, _book(tmp_path / "mac.xlsx", CALENDAR_MAC_1904))
    assert hired == {"hr:1": date(2021, 3, 15), "hr:2": date(2021, 3, 15), "hr:3": date(2020, 3, 15)}


def test_a_1900_workbook_reads_its_serials_as_before(tmp_path: Path) -> None:
    hired = _hired(tmp_path, _book(tmp_path / "pc.xlsx", None))
    assert hired == {"hr:1": date(2021, 3, 15), "hr:2": date(2021, 3, 15), "hr:3": date(2020, 3, 15)}
