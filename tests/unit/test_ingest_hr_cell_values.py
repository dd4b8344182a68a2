"""Cell texts that are no value as written: a pivot table's ``(blank)`` and a failed lookup's ``#N/A`` (empty cells in
every column), and line breaks typed into a single-line field's cell (folded to one space)."""

from __future__ import annotations

from ingest.hr.cells import blank_or
from ingest.hr.read import HrTable
from ingest.hris import parse_export

HEADER = ["Employee ID", "Name", "Department", "Location", "Title", "Manager ID", "Status", "Hire Date", "Skills"]


def _row(n: int, *cells: str) -> tuple[int, dict[str, str]]:
    return n, dict(zip(HEADER, cells, strict=True))


def test_blank_markers_read_as_empty_and_other_text_stays() -> None:
    assert [blank_or(v) for v in ("(blank)", "(Blank)", " (BLANK) ", "(Leer)", "(vide)", "#N/A", "#n/a")] == \
        [None] * 7
    assert [blank_or(v) for v in ("blank", "(blanks)", "Blank Inc", "N/A Team", "", None, 3)] == \
        ["blank", "(blanks)", "Blank Inc", "N/A Team", "", None, 3]


def test_a_pivot_exports_blank_cells_store_nothing_and_reject_nothing() -> None:
    table = HrTable("pivot.csv", HEADER, [
        _row(2, "1", "Ann Lee", "Engineering", "Berlin", "CTO", "(blank)", "Active", "2020-01-02", "python"),
        _row(3, "2", "Bo Roe", "(blank)", "#N/A", "(blank)", "1", "(blank)", "(blank)", "(blank)"),
        _row(4, "(blank)", "Cy Poe", "Sales", "Paris", "", "1", "Active", "", ""),
    ])
    parsed = parse_export(table)
    people = {r.person.id: r.person for r in parsed.rows}
    assert set(people) == {"hr:1", "hr:2"}
    bo = people["hr:2"]
    assert (bo.department, bo.location, bo.title, bo.manager_id, bo.active, bo.hired_on) == \
        (None, None, None, "hr:1", True, None)
    assert [r.skills for r in parsed.rows if r.person.id == "hr:2"] == [()]
    assert people["hr:1"].manager_id is None
    assert [(r.row, r.reason) for r in parsed.rejects] == [(4, "id is empty (column 'Employee ID')")]
    assert parsed.link_rejects == []  # a manager id "(blank)" is no manager, not one that matches no one


def test_line_breaks_in_single_line_fields_fold_to_one_space() -> None:
    header = ["id", "First Name", "Last Name", "Title", "Department", "Location", "Manager", "Email"]
    table = HrTable("book.xlsx", header, [
        (2, dict(zip(header, ["1", "Ann\n", "Lee", "Head of\nEngineering", "R&D\r\nPlatform", "Berlin\nMitte",
                              "", "ann@x.com"], strict=True))),
        (3, dict(zip(header, ["2", "Bo", "Roe", "Engineer", "R&D  Platform", " Berlin\u00a0Mitte ", "Ann\nLee",
                              "bo@x.com"], strict=True))),
    ])
    parsed = parse_export(table)
    ann, bo = (r.person for r in parsed.rows)
    assert (ann.name, ann.title, ann.department, ann.location) == \
        ("Ann Lee", "Head of Engineering", "R&D Platform", "Berlin Mitte")
    assert (bo.department, bo.location, bo.manager_id) == ("R&D Platform", "Berlin Mitte", "hr:1")


def test_a_control_character_is_not_folded_away() -> None:
    header = ["id", "Name"]
    parsed = parse_export(HrTable("x.csv", header, [(2, {"id": "1", "Name": "Ann\x1fLee"})]))
    assert parsed.rows == []
    assert "control character U+001F" in parsed.rejects[0].reason
