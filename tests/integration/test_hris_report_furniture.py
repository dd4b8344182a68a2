"""Rows of an HR report that are no person (a second header row of labels, total and footer lines), through
``whoknows ingest hris`` as a subprocess on a real SQLite file: skipped and named by the dry run, never loaded as
a person nor rejected with a reason that hides what they are."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl

from ingest.hr.furniture import footer_reason, label_row_reason
from tests.integration.test_hris_export_shapes import people, run


def test_a_total_line_at_the_end_of_a_workbook_is_no_person(tmp_path: Path) -> None:
    """A Workday report saved to Excel with a title, a blank row and a "Total" line under the last worker: the
    total line was loaded as a person with the id "Total" and the name "7"."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["All Workers - Custom Report"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["Employee ID", "Worker", "Hire Date", "Worker Status"])
    sheet.append(["000101", "Logan Reyes", dt.datetime(2008, 1, 15), "Active"])
    sheet.append(["000102", "王小明", dt.datetime(2011, 7, 5), "Terminated"])
    sheet.append([])
    sheet.append(["Total", "2"])
    book.save(tmp_path / "workday.xlsx")

    dry = run(tmp_path, "hris", "workday.xlsx", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "line 7 skipped: a report's total line ('Total'), not a person" in dry.stdout

    p = run(tmp_path, "hris", "workday.xlsx")
    assert p.returncode == 0, p.stdout + p.stderr
    assert [r[:2] for r in people(tmp_path)] == [("hr:000101", "Logan Reyes"), ("hr:000102", "王小明")]


def test_a_footer_line_of_a_csv_is_not_rejected_as_a_nameless_row(tmp_path: Path) -> None:
    """BambooHR-style CSV ending in ``"Total: 2 employees"``: rejected as "name is empty" (exit 1) before."""
    (tmp_path / "bamboo.csv").write_text(
        '"Employee #","First Name","Last Name","Status","Reports To"\n'
        '"1","Charlotte","Abbott","Active",""\n'
        '"4","Ashley","Adams","Active","Abbott, Charlotte"\n'
        "\n"
        '"Total: 2 employees",,,,\n',
        encoding="utf-8",
    )
    p = run(tmp_path, "hris", "bamboo.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert not (tmp_path / "whoknows-rejects-bamboo.csv.jsonl").exists()
    assert [r[:2] + r[3:4] for r in people(tmp_path)] == [("hr:1", "Charlotte Abbott", None),
                                                        ("hr:4", "Ashley Adams", "hr:1")]


def test_successfactors_label_row_under_the_header_is_skipped(tmp_path: Path) -> None:
    """SuccessFactors' user data file writes field ids, then their labels, then the users: the label row was
    rejected as "status 'Status' is not a known employment status". A real bad row still is rejected."""
    (tmp_path / "sf.csv").write_text(
        "STATUS,USERID,USERNAME,FIRSTNAME,LASTNAME,EMAIL,MANAGER,HIREDATE\n"
        "Status,User ID,Username,First Name,Last Name,Email,Manager,Hire Date\n"
        "active,cgrant,cgrant,Carla,Grant,carla@example.com,NO_MANAGER,03/01/2009\n"
        "active,hmeyer,hmeyer,Hans,Meyer,hans@example.com,cgrant,09/15/2010\n"
        "activ,lfischer,lfischer,Lena,Fischer,lena@example.com,cgrant,04/01/2013\n",
        encoding="utf-8",
    )
    p = run(tmp_path, "hris", "sf.csv", "--mapping", "successfactors", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    rejects = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    assert [(r["row"], r["reason"][:14]) for r in rejects] == [(5, "status 'activ'")]
    assert [r[:2] + r[3:4] for r in people(tmp_path)] == [("hr:cgrant", "Carla Grant", None),
                                                        ("hr:hmeyer", "Hans Meyer", "hr:cgrant")]


def test_rows_of_people_are_never_taken_for_furniture() -> None:
    header = ["Employee ID", "Name", "Email", "Title", "Status"]
    assert label_row_reason(["17", "Ann Title", "ann@x.com", "Title", "Status"], header) is None  # 2 of 5
    assert label_row_reason(["Employee ID", "Name", "", "", ""], header) is not None
    assert footer_reason(["Count Basie", "cb@x.com", "Pianist", "Active"]) is None  # four cells: a person
    assert footer_reason(["Totally Real Name", "42"]) is None  # "total" must be a word of its own
    assert footer_reason(["Anzahl Mitarbeiter: 12"]) is not None
    assert footer_reason(["Grand Total", "", "311"]) is not None


def test_a_clean_run_leaves_no_reject_file_of_an_earlier_run(tmp_path: Path) -> None:
    """The admin fixes the export the reject file pointed at and runs again: the old reject file stayed beside
    it, still listing the rows that now loaded."""
    path = tmp_path / "hr.csv"
    path.write_text("Employee ID,Name,Email\n1,Ann Lee,ann@x.com\n2,Bo Roe,bo@\n", encoding="utf-8")
    assert run(tmp_path, "hris", "hr.csv").returncode == 1
    rejects = tmp_path / "whoknows-rejects-hr.csv.jsonl"
    assert json.loads(rejects.read_text())["row"] == 3
    path.write_text("Employee ID,Name,Email\n1,Ann Lee,ann@x.com\n2,Bo Roe,bo@x.com\n", encoding="utf-8")
    dry = run(tmp_path, "hris", "hr.csv", "--dry-run")
    assert dry.returncode == 0
    assert rejects.exists()  # a dry run writes (and removes) nothing
    p = run(tmp_path, "hris", "hr.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert not rejects.exists()
    assert [r[:3] for r in people(tmp_path)] == [("hr:1", "Ann Lee", "ann@x.com"), ("hr:2", "Bo Roe", "bo@x.com")]
