"""Manager ids (and --identities person ids) that write an employee id's number with other zeros or a float's
``.0``: linked when exactly one id writes that number, never guessed when several do, never for ids that are not
numbers; an exact match always wins and a person's id is never rewritten."""

from __future__ import annotations

from pathlib import Path

from ingest.forum.common import Account
from ingest.hr.idnumbers import IdMatch, NumberIndex, id_number, match_id
from ingest.hr.managers import ManagerRef, PersonKeys, resolve_managers
from ingest.hr.read import HrTable
from ingest.hris import parse_export, read_hris
from ingest.identity import IdentityRow, build_resolver
from ingest.rejects import Reject
from schema.models import Person


def test_the_number_an_id_writes_ignores_leading_zeros_and_a_float_cells_point_zero() -> None:
    assert [id_number(v) for v in ("000123", "123", "123.0", "0123.00", "0", "0000")] == \
        ["123", "123", "123", "123", "0", "0"]
    assert [id_number(v) for v in ("E0123", "123.5", "1e3", "12 3", "", "-7", "١٢٣", "0x1F")] == [None] * 8


def test_an_exact_match_wins_over_any_number_match() -> None:
    ids = {"123", "0123", "000123"}
    index = NumberIndex(ids)
    assert match_id("0123", ids, index) == IdMatch("0123")
    assert match_id("123", ids, index) == IdMatch("123")


def test_a_unique_number_match_links_and_says_so() -> None:
    ids = {"123", "456.0", "E0789"}
    index = NumberIndex(ids)
    assert match_id("000123", ids, index) == IdMatch("123", by_number=True)
    assert match_id("456", ids, index) == IdMatch("456.0", by_number=True)
    assert match_id("123.0", ids, index) == IdMatch("123", by_number=True)


def test_several_ids_of_one_number_are_candidates_not_a_guess() -> None:
    ids = {"0123", "123", "9"}
    found = match_id("00123", ids, NumberIndex(ids))
    assert (found.id, found.ambiguous, found.candidates) == (None, True, ("0123", "123"))


def test_ids_that_are_not_numbers_never_match_by_number() -> None:
    ids = {"E0123", "A-1", "12.5"}
    index = NumberIndex(ids)
    assert [match_id(r, ids, index).id for r in ("E123", "E00123", "A-01", "12.50", "012.5")] == [None] * 5
    assert index.candidates("123") == ()


def test_a_prefixed_index_reads_only_its_namespace() -> None:
    index = NumberIndex(["hr:0042", "slack:42", "jsonl/x:42"], "hr:")
    assert index.candidates("hr:42") == ("hr:0042",)
    assert index.candidates("slack:042") == ()


def _people(*ids: str) -> list[PersonKeys]:
    return [PersonKeys(f"hr:{i}", n, (f"Person {n}",)) for n, i in enumerate(ids, start=2)]


def test_manager_ids_with_other_zeros_link_and_are_counted() -> None:
    ps = _people("123", "124.0", "125")
    refs = [ManagerRef("hr:124.0", 3, id="hr:000123"), ManagerRef("hr:125", 4, id="hr:124")]
    out = resolve_managers(ps, refs)
    assert out.links == {"hr:124.0": "hr:123", "hr:125": "hr:124.0"}  # the people keep their ids as written
    assert (out.linked_by["id"], out.by_number, out.problems) == (2, 2, [])


def test_an_exact_manager_id_is_not_counted_as_a_number_match() -> None:
    ps = _people("0123", "123", "7")
    out = resolve_managers(ps, [ManagerRef("hr:7", 4, id="hr:123")])
    assert (out.links, out.by_number, out.problems) == ({"hr:7": "hr:123"}, 0, [])


def test_a_manager_id_several_ids_write_is_reported_with_its_candidates() -> None:
    ps = _people("0123", "123", "7", "8")
    refs = [ManagerRef("hr:7", 4, id="hr:00123"), ManagerRef("hr:8", 5, id="hr:123.0")]
    out = resolve_managers(ps, refs)
    assert (out.links, out.ambiguous, out.by_number) == ({}, 2, 0)
    [problem] = out.problems
    assert (problem.kind, problem.row, problem.rows) == ("ambiguous", 4, (4, 5))
    assert "manager id '00123' matches no id exactly, and 2 ids write the number 123: 0123 (row 2), 123 (row 3)" \
        in problem.reason
    assert "nothing guessed" in problem.reason


def test_an_ambiguous_number_is_not_rescued_by_a_guess_but_an_exact_email_still_links() -> None:
    ps = [PersonKeys("hr:0123", 2, ("Ann Lee",), "ann@x.com"), PersonKeys("hr:123", 3, ("Bo Roe",)),
          PersonKeys("hr:9", 4, ("Cy Poe",))]
    out = resolve_managers(ps, [ManagerRef("hr:9", 4, id="hr:00123", email="ann@x.com")])
    assert (out.links, out.by_number) == ({"hr:9": "hr:0123"}, 0)


def test_a_letter_id_with_other_zeros_stays_unresolved() -> None:
    ps = _people("E123", "E7")
    out = resolve_managers(ps, [ManagerRef("hr:E7", 3, id="hr:E0123")])
    assert (out.links, out.unresolved) == ({}, 1)
    assert "matches no person" in out.problems[0].reason


def test_a_stored_manager_matches_by_number_and_a_rejected_one_is_named() -> None:
    ps = _people("5", "6")
    out = resolve_managers(ps, [ManagerRef("hr:5", 2, id="hr:00077")], known_ids={"hr:77", "slack:77"})
    assert (out.links, out.by_number) == ({"hr:5": "hr:77"}, 1)
    out = resolve_managers(ps, [ManagerRef("hr:6", 3, id="hr:0009")], rejected={"hr:9": 8})
    assert "is on row 8, which was rejected" in out.problems[0].reason


def test_a_number_matched_line_in_a_cycle_is_not_counted() -> None:
    ps = _people("1", "2")
    out = resolve_managers(ps, [ManagerRef("hr:1", 2, id="hr:02"), ManagerRef("hr:2", 3, id="hr:1")])
    assert (out.links, out.cycle, out.by_number) == ({}, 2, 0)


def test_a_zero_padded_manager_column_stays_an_id_column(tmp_path: Path) -> None:
    """Every manager id padded, every employee id a number: before, no manager id was an employee id, so the
    column was read as manager *codes*, and with no names beside them every line was lost."""
    path = tmp_path / "hris.csv"
    path.write_text("Employee ID,Name,Manager ID\n101,Ann Lee,\n102.0,Bo Roe,000101\n103,Cy Poe,000102\n",
                    encoding="utf-8")
    parsed = parse_export(read_hris(path))
    assert "manager_id" in parsed.columns
    assert {r.person.id: r.manager_id for r in parsed.rows} == {"hr:101": None, "hr:102.0": "hr:101",
                                                                "hr:103": "hr:102.0"}
    assert (parsed.links.by_number, parsed.link_rejects) == (2, [])


def test_the_ambiguous_reject_names_file_row_and_candidates() -> None:
    table = HrTable("export.csv", ["Employee ID", "Name", "Manager ID"], [
        (2, {"Employee ID": "0123", "Name": "Ann Lee", "Manager ID": ""}),
        (3, {"Employee ID": "123", "Name": "Bo Roe", "Manager ID": ""}),
        (4, {"Employee ID": "9", "Name": "Cy Poe", "Manager ID": "000123"}),
    ])
    [bad] = parse_export(table).link_rejects
    assert (bad.file, bad.row, bad.kind) == ("export.csv", 4, "link:ambiguous")
    assert "0123 (row 2), 123 (row 3)" in bad.reason


def _account(handle: str) -> Account:
    return Account(Person(id=f"slack:{handle}", name=handle, source="slack"), (handle,), True)


def test_identity_person_ids_match_a_stored_hr_id_by_number_once_and_never_guess() -> None:
    rejects: list[Reject] = []
    rows = [IdentityRow(2, "slack", "U1", "000042"), IdentityRow(3, "slack", "U2", "hr:43.0"),
            IdentityRow(4, "slack", "U3", "0077"), IdentityRow(5, "slack", "U4", "E042"),
            IdentityRow(6, "slack", "U5", "0044")]
    r = build_resolver("slack", "slack", email_index={}, identities=rows, source_names=("slack",),
                       known_people={"hr:42", "hr:43", "hr:077", "hr:77", "hr:0044", "slack:42"},
                       on_reject=rejects.append)
    for h in ("U1", "U2", "U3", "U4", "U5"):
        r.declare(_account(h))
    assert [r(f"slack:{h}") for h in ("U1", "U2", "U3", "U4", "U5")] == \
        ["hr:42", "hr:43", "slack:U3", "slack:U4", "hr:0044"]
    assert r.ids_by_number == 2  # 0044 is the stored id exactly
    assert [(x.row, x.reason) for x in rejects] == [
        (4, "person_id '0077' is not in the store, and 2 stored HR ids write the number 77: hr:077, hr:77; "
            "nothing guessed (give the stored id as written)"),
        (5, "person_id 'E042' is not in the store")]


def test_of_two_id_columns_the_one_padded_manager_ids_write_as_numbers_is_the_id(tmp_path: Path) -> None:
    """A sheet's row counter ``ID`` first, ``Employee ID`` numbers, manager ids padded text: the manager ids are
    no column's values as written, so the numbers they write pick the id column (before: the counter stayed)."""
    path = tmp_path / "hris.csv"
    path.write_text("ID,Employee ID,Name,Manager ID\n1,5001,Ann Lee,\n2,5002,Bo Roe,005001\n3,5003,Cy Poe,005002\n",
                    encoding="utf-8")
    parsed = parse_export(read_hris(path))
    assert parsed.columns["id"] == "Employee ID"
    assert {r.person.id: r.manager_id for r in parsed.rows} == {"hr:5001": None, "hr:5002": "hr:5001",
                                                                "hr:5003": "hr:5002"}


def test_a_manager_id_that_is_exactly_a_rejected_rows_id_is_not_matched_by_number_elsewhere() -> None:
    """``101`` is this file's row 2, rejected (its zeros lost against the stored ``000101``): the line is reported
    as pointing at that row, not linked to the stored ``000101`` by number behind the user's back."""
    out = resolve_managers(_people("103"), [ManagerRef("hr:103", 4, id="hr:101")], known_ids={"hr:000101"},
                           rejected={"hr:101": 2})
    assert (out.links, out.by_number) == ({}, 0)
    assert "is on row 2, which was rejected" in out.problems[0].reason


def test_thousands_separators_write_the_number_where_the_grouping_is_unambiguous() -> None:
    from ingest.hr.idnumbers import id_numbers

    for text in ("21,001", "21.001", "21 001", "21\u00a0001", "21\u202f001", "21'001", "21,001.00", "21.001,0"):
        assert id_numbers(text) == ("21001",), text
    assert id_numbers("1,234,567") == id_numbers("1.234.567") == ("1234567",)
    # not three-digit groups, mixed separators, a group of four, a leading zero group: no number
    for text in ("21,01", "2,10,01", "21,0001", "1,234.567", "1.234,567", "1,234 567", "0,001", "21 ,001", "21,,001"):
        assert id_numbers(text) == (), text


def test_a_separator_that_reads_as_a_decimal_point_too_gives_both_numbers_and_no_guess() -> None:
    from ingest.hr.idnumbers import id_numbers

    assert id_numbers("21.000") == id_numbers("21,000") == ("21", "21000")
    assert id_number("21.000") is None  # one number is never picked
    assert id_numbers("21 000") == ("21000",)  # a space is never a decimal point
    ids = {"21", "21000", "5"}
    index = NumberIndex(ids)
    found = match_id("21.000", ids, index)
    assert (found.id, found.candidates) == (None, ("21", "21000"))  # reported, as several ids are
    assert match_id("5,000", ids, index) == IdMatch("5", by_number=True)  # 5000 is no id: only 5 fits


def test_grouped_ids_and_plain_references_match_both_ways() -> None:
    ids = {"21,001", "21 002", "E21,003"}
    index = NumberIndex(ids)
    assert match_id("21001", ids, index) == IdMatch("21,001", by_number=True)
    assert match_id("021002.0", ids, index) == IdMatch("21 002", by_number=True)
    assert match_id("21003", ids, index).id is None  # a letter id is never read as a number
    plain = {"21001", "21002"}
    assert match_id("21.001", plain, NumberIndex(plain)) == IdMatch("21001", by_number=True)


def test_a_manager_column_with_grouped_numbers_links_in_a_parsed_export() -> None:
    table = HrTable("export.csv", ["Employee ID", "Name", "Manager ID"], [
        (2, {"Employee ID": "21001", "Name": "Ann Lee", "Manager ID": ""}),
        (3, {"Employee ID": "21002", "Name": "Bo Roe", "Manager ID": "21,001"}),
        (4, {"Employee ID": "21003", "Name": "Cy Poe", "Manager ID": "21 002"}),
        (5, {"Employee ID": "21000", "Name": "Di Wu", "Manager ID": ""}),
        (6, {"Employee ID": "21", "Name": "Ed Yu", "Manager ID": "21.000"}),
    ])
    parsed = parse_export(table)
    assert {r.person.id: r.manager_id for r in parsed.rows} == {
        "hr:21001": None, "hr:21002": "hr:21001", "hr:21003": "hr:21002", "hr:21000": None, "hr:21": None}
    [bad] = parsed.link_rejects
    assert (bad.row, bad.kind) == (6, "link:ambiguous")
    assert "write the number 21 or 21000: 21 (row 6), 21000 (row 5)" in bad.reason
