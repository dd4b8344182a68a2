"""A real HR workbook (written by openpyxl with real cell types) and the CSV saved from it: employee ids are
numbers (``101``, ``104.0``) while manager ids are text with leading zeros (``000101``), or the other way round.
Before, no manager linked (every row reported, the hierarchy lost); now each reference that one id writes as a
number links, is counted in the summary, and one that several ids write is reported with the candidates. Loaded
into a SQLite store on disk and read back through it; the CLI is run as a subprocess, as an operator runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum, ingest_hris
from tests.integration.clirun import ingest_in


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "w.db")
    yield s
    s.close()


def _workbook(path: Path, rows: list[list[object]], text_columns: tuple[int, ...] = ()) -> Path:
    """A sheet as HR's "export to Excel" gives it; ``text_columns`` (1-based) are formatted as Text (``@``)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "People"
    sheet.append(["Employee ID", "Name", "Email", "Manager ID"])
    for row in rows:
        sheet.append(row)
    for r in range(2, len(rows) + 2):
        for c in text_columns:
            sheet.cell(row=r, column=c).number_format = "@"
    book.save(path)
    return path


# employee ids numbers (one a float, as a program writes them), manager ids text with zeros
NUMBERS_AND_PADDED_TEXT = [
    [101, "Ann Lee", "ann@x.com", None],
    [102, "Bo Roe", "bo@x.com", "000101"],
    [103, "Cy Poe", "cy@x.com", "000101"],
    [104.0, "Di Low", "di@x.com", "0102"],
    [105, "Ed Kim", "ed@x.com", "104"],  # exact once 104.0 reads as 104: not counted
]


def _rejects(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_a_workbook_of_number_ids_and_padded_manager_ids_keeps_its_hierarchy(store: SQLiteStore,
                                                                             tmp_path: Path) -> None:
    book = _workbook(tmp_path / "people.xlsx", NUMBERS_AND_PADDED_TEXT, text_columns=(4,))
    s = ingest_hris(store, book, rejects=tmp_path / "bad.jsonl")
    assert _rejects(tmp_path / "bad.jsonl") == []
    assert (s.links["linked"], s.links["id matched by number"], s.links["unresolved"]) == (4, 3, 0)
    assert store.reporting_lines() == {"hr:102": "hr:101", "hr:103": "hr:101", "hr:104": "hr:102",
                                       "hr:105": "hr:104"}
    people = store.people(["hr:101", "hr:102", "hr:104", "hr:000101"])
    assert sorted(people) == ["hr:101", "hr:102", "hr:104"]  # ids as the sheet shows them, none rewritten
    assert (people["hr:102"].manager_id, people["hr:104"].manager_id) == ("hr:101", "hr:102")
    again = ingest_hris(store, book)  # the same file again: the same lines, no second person
    assert again.links["id matched by number"] == 3
    assert len(store.people([f"hr:{i}" for i in range(101, 106)])) == 5
    assert store.reporting_lines() == {"hr:102": "hr:101", "hr:103": "hr:101", "hr:104": "hr:102",
                                       "hr:105": "hr:104"}


def test_padded_text_ids_with_number_manager_ids_link_the_other_way_round(store: SQLiteStore,
                                                                          tmp_path: Path) -> None:
    book = _workbook(tmp_path / "people.xlsx", [
        ["000201", "Ann Lee", "ann@x.com", None],
        ["000202", "Bo Roe", "bo@x.com", 201],
        ["000203", "Cy Poe", "cy@x.com", 202.0],
    ], text_columns=(1,))
    s = ingest_hris(store, book)
    assert s.links["id matched by number"] == 2
    assert store.reporting_lines() == {"hr:000202": "hr:000201", "hr:000203": "hr:000202"}


def test_the_csv_saved_from_the_workbook_links_the_same_and_cli_says_how_many(tmp_path: Path) -> None:
    """Saved as CSV after a float round trip: ``101.0`` beside ``000101``."""
    (tmp_path / "people.csv").write_text(
        "Employee ID,Name,Email,Manager ID\n101.0,Ann Lee,ann@x.com,\n102.0,Bo Roe,bo@x.com,000101\n"
        "103.0,Cy Poe,cy@x.com,000102\n", encoding="utf-8")
    done = ingest_in(tmp_path, "hris", "people.csv")
    assert done.returncode == 0, done.stdout + done.stderr
    said = " ".join(done.stdout.split())
    assert "manager ids matched by number (zeros or digit grouping differ) │ 2" in said, said
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert store.reporting_lines() == {"hr:102.0": "hr:101.0", "hr:103.0": "hr:102.0"}
    finally:
        store.close()


def test_the_cli_on_a_workbook_counts_number_matches_and_reports_ambiguous_ones(tmp_path: Path) -> None:
    rows = [*NUMBERS_AND_PADDED_TEXT, ["0101", "Fay Wu", "fay@x.com", None],  # 0101 and 101 both present
            [106, "Gus Ho", "gus@x.com", "00101"]]
    _workbook(tmp_path / "people.xlsx", rows, text_columns=(4,))
    dry = ingest_in(tmp_path, "hris", "people.xlsx", "--dry-run")
    assert "manager ids would be matched by number (zeros or digit grouping differ) │ 1" in " ".join(dry.stdout.split())
    done = ingest_in(tmp_path, "hris", "people.xlsx", "--rejects", "bad.jsonl")
    assert done.returncode == 1, done.stdout + done.stderr  # the ambiguous line is a problem
    said = " ".join(done.stdout.split())
    # with 0101 in the file, the 000101 of Bo and Cy fits two ids too: only Di's 0102 links by number
    assert "manager ids matched by number (zeros or digit grouping differ) │ 1" in said, said
    assert "reporting lines ambiguous (manager fits several people) │ 3" in said, said
    [bad] = _rejects(tmp_path / "bad.jsonl")
    assert (bad["file"], bad["row"], bad["kind"]) == ("people.xlsx", 3, "link:ambiguous")
    assert "manager id '000101' matches no id exactly, and 2 ids write the number 101: 0101 (row 7), " \
           "101 (row 2); nothing guessed, not linked for 3 people (rows 3, 4, 8)" in str(bad["reason"])
    assert "rejected:" in done.stderr
    assert "0101 (row 7), 101 (row 2)" in " ".join(done.stderr.split())
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert store.reporting_lines() == {"hr:104": "hr:102", "hr:105": "hr:104"}
    finally:
        store.close()


def test_identities_naming_an_hr_id_with_other_zeros_find_the_person(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_hris(store, _workbook(tmp_path / "people.xlsx", NUMBERS_AND_PADDED_TEXT, text_columns=(4,)))
    events = tmp_path / "guild.jsonl"
    events.write_text("\n".join(json.dumps(o) for o in [
        {"type": "person", "handle": "bo", "name": "Bo"},
        {"type": "post", "id": "p1", "author": "bo", "created_at": "2024-01-02T10:00:00Z", "tags": ["python"]},
    ]) + "\n", encoding="utf-8")
    ids = tmp_path / "ids.csv"
    ids.write_text("source,handle,person_id\n*,bo,000102\n", encoding="utf-8")
    s = ingest_forum(store, events, "jsonl", identities=ids, rejects=tmp_path / "r.jsonl")
    assert (s.rejected, s.matched_mapping, s.identity_ids_by_number) == (0, 1, 1)
    assert {p.id: p.author_id for p in store.read_projection().posts} == {"jsonl/guild:post/p1": "hr:102"}


def test_manager_ids_written_with_thousands_separators_link_to_plain_ids(tmp_path: Path) -> None:
    """A CSV saved from a sheet whose manager column had a number format with grouping (``"21,001"``, German
    ``21.001``, French ``21 001``): compared as text, no manager linked. Each now links to the one id writing that
    number; ``21.000`` (21, or 21000) is reported with both candidates, never guessed."""
    (tmp_path / "people.csv").write_text(
        'Employee ID,Name,Manager ID\n21001,Ann Lee,\n21002,Bo Roe,"21,001"\n21003,Cy Poe,21.001\n'
        "21004,Di Wu,21 002\n21000,Ed Yu,\n21,Fay Ho,\n21005,Gus Li,21.000\n", encoding="utf-8")
    done = ingest_in(tmp_path, "hris", "people.csv", "--rejects", "bad.jsonl")
    assert done.returncode == 1, done.stdout + done.stderr  # the ambiguous line is reported
    said = " ".join(done.stdout.split())
    assert "manager ids matched by number (zeros or digit grouping differ) │ 3" in said, said
    [bad] = _rejects(tmp_path / "bad.jsonl")
    assert (bad["row"], bad["kind"]) == (8, "link:ambiguous")
    assert "ids write the number 21 or 21000: 21 (row 7), 21000 (row 6)" in str(bad["reason"])
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert store.reporting_lines() == {"hr:21002": "hr:21001", "hr:21003": "hr:21001", "hr:21004": "hr:21002"}
    finally:
        store.close()
