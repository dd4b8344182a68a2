"""Next month's export opened and saved in Excel: the employee ids lost their leading zeros. Through ``whoknows
ingest hris`` as a subprocess on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_hris_export_shapes import people, run


def test_ids_that_lost_their_zeros_are_rejected_not_loaded_twice(tmp_path: Path) -> None:
    """Before: everyone loaded a second time (hr:101 beside hr:000101), silently, exit 0."""
    (tmp_path / "m1.csv").write_text("Employee ID,Name,Manager ID\n000101,Ann Lee,\n000102,Bo Roe,000101\n",
                                     encoding="utf-8")
    (tmp_path / "m2.csv").write_text("Employee ID,Name,Manager ID\n101,Ann Lee,\n102,Bo Roe,101\n103,Cy Poe,101\n",
                                     encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    dry = run(tmp_path, "hris", "m2.csv", "--dry-run")
    assert dry.returncode == 1
    p = run(tmp_path, "hris", "m2.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    assert [r[:2] for r in people(tmp_path)] == [("hr:000101", "Ann Lee"), ("hr:000102", "Bo Roe"),
                                                 ("hr:103", "Cy Poe")]
    rejects = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    rows = [r for r in rejects if r.get("kind", "row") == "row"]
    assert [(r["row"], r["reason"][:63]) for r in rows] == [
        (2, "id '101' is the stored id '000101' with its leading zeros lost;"),
        (3, "id '102' is the stored id '000102' with its leading zeros lost;")]
    assert any("is on row 2, which was rejected" in r["reason"] for r in rejects)  # Cy's manager, named as such


def test_with_full_the_people_behind_the_lost_zeros_are_no_leavers(tmp_path: Path) -> None:
    (tmp_path / "m1.csv").write_text("Employee ID,Name\n000101,Ann Lee\n000102,Bo Roe\n", encoding="utf-8")
    (tmp_path / "m2.csv").write_text("Employee ID,Name\n101,Ann Lee\n000102,Bo Roe\n", encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    p = run(tmp_path, "hris", "m2.csv", "--full")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "marked inactive │ 0" in " ".join(p.stdout.split())


def test_an_id_in_another_case_is_rejected_not_a_second_visible_person(tmp_path: Path) -> None:
    """Last month Ann (E101) opted out; this month's report has no opt-out column and spells her id ``e101``.
    Before: a second Ann (hr:e101) was loaded, not opted out, and shown in every answer."""
    (tmp_path / "m1.csv").write_text("Employee ID,Name,Opted Out\nE101,Ann Lee,yes\nE102,Bo Roe,no\n",
                                     encoding="utf-8")
    (tmp_path / "m2.csv").write_text("Employee ID,Name\ne101,Ann Lee\nＥ102,Bo Roe\nE103,Cy Poe\n",
                                     encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    p = run(tmp_path, "hris", "m2.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    assert [r[:2] for r in people(tmp_path)] == [("hr:E101", "Ann Lee"), ("hr:E102", "Bo Roe"),
                                                 ("hr:E103", "Cy Poe")]
    rejects = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    assert [(r["row"], r["reason"][:60]) for r in rejects] == [
        (2, "id 'e101' is the stored id 'E101' spelled in another case or"),
        (3, "id 'Ｅ102' is the stored id 'E102' spelled in another case or")]


def test_ids_written_with_digit_grouping_are_rejected_not_loaded_twice(tmp_path: Path) -> None:
    """A sheet whose id column got a number format with thousands separators, saved as CSV: ``21,001`` for the
    stored ``21001``. Before: a second person (hr:21,001) beside the first, silently; and ``1,000`` (1 or 1000, both
    stored) a third, and a float's ``21002.0`` a fourth."""
    (tmp_path / "m1.csv").write_text("Employee ID,Name\n21001,Ann Lee\n21002,Bo Roe\n1,Al Ma\n1000,Ed Ko\n",
                                     encoding="utf-8")
    (tmp_path / "m2.csv").write_text('Employee ID,Name\n"21,001",Ann Lee\n21002.0,Bo Roe\n21003,Cy Poe\n'
                                     '"1,000",Ed Ko\n', encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    p = run(tmp_path, "hris", "m2.csv", "--rejects", "bad.jsonl", "--full")
    assert p.returncode == 1, p.stdout + p.stderr
    assert [r[0] for r in people(tmp_path)] == ["hr:1", "hr:1000", "hr:21001", "hr:21002", "hr:21003"]
    rejects = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    said = [(r["row"], r["reason"]) for r in rejects if r.get("kind", "row") == "row"]
    assert [row for row, _ in said] == [2, 3, 5]
    assert said[0][1].startswith("id '21,001' is the stored id '21001' as a spreadsheet's number format wrote it; ")
    assert said[1][1].startswith("id '21002.0' is the stored id '21002' as a spreadsheet's number format wrote it")
    assert said[2][1].startswith("id '1,000' may write the number of the stored ids '1' or '1000' ")
    # --full: no one the rejected rows may stand for is made a leaver (Al Ma is 1, or not; Ed Ko is 1000, or not)
    assert "marked inactive │ 0" in " ".join(p.stdout.split())
