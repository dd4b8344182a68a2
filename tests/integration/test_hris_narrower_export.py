"""Next month's HR export comes from a narrower report (no opt-out column, no emails): what it does not say is
kept from the earlier export. Through ``whoknows ingest hris`` as a subprocess on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from graph.store.sqlite import SQLiteStore
from tests.integration.test_hris_export_shapes import people, run

MONTH_1 = (
    "Employee ID,Worker,Email - Primary Work,Business Title,Manager,Opted Out\n"
    "21001,Logan Reyes,logan@acme.example,CEO,,\n"
    "21002,Priya Natarajan,priya@acme.example,VP Engineering,Logan Reyes,Yes\n"
    "21003,Marcus O'Neill,marcus@acme.example,Engineer,Priya Natarajan,No\n"
)
MONTH_2 = (  # a report without the email and opt-out columns; Marcus is promoted
    "Employee ID,Worker,Business Title,Manager\n"
    "21001,Logan Reyes,CEO,\n"
    "21002,Priya Natarajan,VP Engineering,Logan Reyes\n"
    "21003,Marcus O'Neill,Staff Engineer,Priya Natarajan\n"
)


def _visible(tmp_path: Path) -> set[str]:
    store = SQLiteStore(tmp_path / "w.db")
    try:
        return set(store.people(["hr:21001", "hr:21002", "hr:21003"]))
    finally:
        store.close()


def test_an_opt_out_and_emails_survive_an_export_without_their_columns(tmp_path: Path) -> None:
    """Before, month 2 opted Priya back in (she appeared in the API again) and blanked every email, the key
    forum accounts are matched to people by."""
    (tmp_path / "m1.csv").write_text(MONTH_1, encoding="utf-8")
    (tmp_path / "m2.csv").write_text(MONTH_2, encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    assert _visible(tmp_path) == {"hr:21001", "hr:21003"}
    for _ in range(2):  # and again: idempotent
        p = run(tmp_path, "hris", "m2.csv")
        assert p.returncode == 0, p.stdout + p.stderr
        assert _visible(tmp_path) == {"hr:21001", "hr:21003"}
        assert [(r[0], r[2]) for r in people(tmp_path)] == [
            ("hr:21001", "logan@acme.example"), ("hr:21002", "priya@acme.example"), ("hr:21003", "marcus@acme.example")]
    assert "updated │ 0 │ │ unchanged │ 5" in " ".join(p.stdout.split())  # 3 people, 2 lines
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert store.stored_people(["hr:21003"])["hr:21003"].title == "Staff Engineer"  # what it says still counts
    finally:
        store.close()


def test_a_blank_cell_in_a_column_that_is_there_still_clears(tmp_path: Path) -> None:
    """Priya opts back in: month 3 has the column and says No."""
    (tmp_path / "m1.csv").write_text(MONTH_1, encoding="utf-8")
    (tmp_path / "m3.csv").write_text(MONTH_1.replace("Logan Reyes,Yes", "Logan Reyes,No"), encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    assert run(tmp_path, "hris", "m3.csv").returncode == 0
    assert _visible(tmp_path) == {"hr:21001", "hr:21002", "hr:21003"}
