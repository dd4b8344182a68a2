"""Hostile CSV and HR JSON, second pass (``whoknows ingest`` as a real subprocess): a quote never closed swallowed
every later row into one cell with exit code 0, and an HR JSON id written as NaN loaded a person ``hr:nan``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ingest.rejects import read_rejects
from tests.integration.test_ingest_cli import no_traceback, run

HEADER = "id,name,email,department\n"


def _people(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "w.db") as conn:
        return dict(conn.execute("SELECT id, name FROM person"))


def test_an_unterminated_quote_rejects_its_row_and_the_rows_after_it_load(tmp_path: Path) -> None:
    (tmp_path / "hris.csv").write_text(
        HEADER + "E1,Ann,ann@x.com,Eng\n" + 'E2,"Bob,bob@x.com,Eng\n' + "E3,Cy,cy@x.com,Eng\nE4,Di,di@x.com,Eng"
    )
    p = run(tmp_path, "hris", "hris.csv", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    [r] = read_rejects(tmp_path / "r.jsonl")
    assert (r.row, r.reason) == (3, 'unterminated quote: a " opens a cell on this row and is never closed; '
                                    "the 2 line(s) after it are read again")
    assert "hris.csv, row 3: unterminated quote" in " ".join(p.stderr.split())
    assert _people(tmp_path) == {"hr:E1": "Ann", "hr:E3": "Cy", "hr:E4": "Di"}
    (tmp_path / "ok.csv").write_text(HEADER + 'E5,"Ed\nSmith",ed@x.com,"Eng"')  # a cell spanning lines, closed
    p = run(tmp_path, "hris", "ok.csv")
    assert p.returncode == 0, p.stderr
    assert _people(tmp_path)["hr:E5"] == "Ed Smith"  # one cell; a name is one line, so its line break is a space


def test_an_unterminated_quote_in_a_viva_engage_export_stops_there_keeping_the_rows_before(tmp_path: Path) -> None:
    (tmp_path / "Messages.csv").write_text(
        "id,replied_to_id,thread_id,group_id,group_name,sender_id,sender_name,sender_email,created_at\n"
        "1,,1,7,Data,11,Ann,ann@x.com,2024-01-02T10:00:00Z\n"
        '2,1,1,7,"Data,12,Bob,bob@x.com,2024-01-02T11:00:00Z\n'
        "3,1,1,7,Data,13,Cy,cy@x.com,2024-01-02T12:00:00Z\n"
    )
    p = run(tmp_path, "forum", "Messages.csv", "--format", "vivaengage")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    said = " ".join(p.stderr.split())
    assert "Messages.csv, row 3: unterminated quote" in said
    assert "records before it were loaded" in said
    with sqlite3.connect(tmp_path / "w.db") as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM post")] == ["vivaengage:message/1"]


def test_nan_and_infinity_in_an_hr_json_export_reject_their_rows(tmp_path: Path) -> None:
    (tmp_path / "people.json").write_text(
        '[{"id": NaN, "name": "Bob"}, {"id": "E2", "name": "Cy", "hire_date": Infinity}, {"id": "E3", "name": "Di"}]'
    )
    p = run(tmp_path, "hris", "people.json", "--rejects", "r.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr
    assert [(r.row, r.reason) for r in read_rejects(tmp_path / "r.jsonl")] == [
        (1, "id: nan is not a JSON value (JSON has no NaN or Infinity)"),
        (2, "hire_date: inf is not a JSON value (JSON has no NaN or Infinity)"),
    ]
    assert _people(tmp_path) == {"hr:E3": "Di"}


def test_an_unterminated_quote_in_a_sharepoint_csv_stops_there_saying_so(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "Discussion.csv").write_text(
        "ID,Created,Created By\n1,2024-01-02T10:00:00Z,Ann <a@x.com>\n"
        '2,"2024-01-02,Bob <b@x.com>\n3,2024-01-02T10:00:00Z,Cy <c@x.com>\n'
    )
    p = run(tmp_path, "forum", "lists", "--format", "sharepoint")
    no_traceback(p)
    assert p.returncode == 2, p.stderr
    said = " ".join(p.stderr.split())
    assert "Discussion.csv, row 3: unterminated quote: a \" opens a cell on this row and is never closed (" in said
    assert "read again" not in said  # this reader stops: nothing after the row is read
