"""Columns that say who a person is, through ``whoknows ingest hris`` (a subprocess): an ``ID`` column that is not
the employee id (a sheet's row counter beside ``Employee ID``), and names in another script beside a Latin alias
that colleagues use to name their manager."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from ingest.hr.mapping import ColumnMapping
from ingest.hris import resolve_columns
from tests.integration.clirun import ingest_in


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return ingest_in(tmp_path, "hris", *args)


def people(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, name, manager_id FROM person ORDER BY id").fetchall()


def test_a_row_counter_called_id_is_not_taken_for_the_employee_id(tmp_path: Path) -> None:
    """A Google Sheets download with a numbered ``ID`` column before ``Employee ID``: people were loaded as hr:1,
    hr:2... (renumbered, so swapped, when next month's rows come in another order) and every manager id matched
    no one. The manager ids point into ``Employee ID``, which is the id, and the dry run says why."""
    (tmp_path / "march.csv").write_text("ID,Employee ID,Name,Manager ID\n1,E100,Ann Lee,\n2,E101,Bo Chen,E100\n"
                                        "3,E102,Cy Diaz,E101\n")
    dry = run(tmp_path, "march.csv", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "the manager ids ('Manager ID') are its values, not those of 'ID'" in " ".join(dry.stdout.split())
    assert run(tmp_path, "march.csv").returncode == 0
    want = [("hr:E100", "Ann Lee", None), ("hr:E101", "Bo Chen", "hr:E100"), ("hr:E102", "Cy Diaz", "hr:E101")]
    assert people(tmp_path) == want
    (tmp_path / "april.csv").write_text("ID,Employee ID,Name,Manager ID\n1,E102,Cy Diaz,E101\n2,E100,Ann Lee,\n"
                                        "3,E101,Bo Chen,E100\n")
    assert run(tmp_path, "april.csv", "--full").returncode == 0
    assert people(tmp_path) == want


def test_without_manager_ids_the_first_id_column_stays_and_the_others_are_named() -> None:
    cols = resolve_columns(["ID", "Employee ID", "Name"], ColumnMapping(), "x.csv", [(2, {"ID": "1"})])
    assert cols["id"] == "ID"
    pinned = resolve_columns(["ID", "Employee ID", "Name", "Manager ID"], ColumnMapping(columns={"id": "ID"}),
                             "x.csv", [(2, {"ID": "1", "Employee ID": "E1", "Manager ID": "E1"})])
    assert pinned["id"] == "ID"  # a mapping always wins


def test_managers_named_by_the_latin_alias_of_a_name_in_another_script(tmp_path: Path) -> None:
    """A Japanese subsidiary's export: names in kanji (and Cyrillic), a "Name (English)" column, and the manager
    written in Latin letters. Every reporting line matched no one; the alias now names the person too (the stored
    name stays as HR writes it)."""
    (tmp_path / "jp.csv").write_text(
        "Employee ID,Name,Name (English),Email,Manager\n"
        "1,山田 太郎,Taro Yamada,taro@x.jp,\n"
        "2,佐藤 花子,Hanako Sato,hanako@x.jp,Taro Yamada\n"
        "3,Иван Петров,Ivan Petrov,ivan@x.jp,\"SATO, Hanako\"\n", encoding="utf-8")
    p = run(tmp_path, "jp.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == [("hr:1", "山田 太郎", None), ("hr:2", "佐藤 花子", "hr:1"),
                                ("hr:3", "Иван Петров", "hr:2")]


def test_a_manager_named_by_a_preferred_first_name_links(tmp_path: Path) -> None:
    """Gusto's export has First Name and Preferred First Name; colleagues write the manager as "Bobby Chen"
    (Namely's "Preferred name" is the same): that matched no one. Rippling's "Accepted" (an offer accepted, a
    future hire) was rejected as an unknown status."""
    (tmp_path / "gusto.csv").write_text(
        "Last Name,First Name,Middle Initial,Preferred First Name,Work Email,Job Title,Manager,Employment Status,"
        "Hire Date,Employee ID\n"
        "Lee,Ann,B,,ann@x.com,CEO,,Active,01/25/2015,1\n"
        "Chen,Robert,,Bobby,bo@x.com,Engineer,Ann Lee,Active,06/03/2019,2\n"
        "Eve,Di,,,di@x.com,Intern,Bobby Chen,Active,07/01/2024,3\n"
        "Fox,Ed,,,ed@x.com,Intern,Ann Lee,Accepted,07/01/2027,4\n", encoding="utf-8")
    p = run(tmp_path, "gusto.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == [("hr:1", "Ann Lee", None), ("hr:2", "Robert Chen", "hr:1"),
                                ("hr:3", "Di Eve", "hr:2"), ("hr:4", "Ed Fox", "hr:1")]


def test_addresses_with_a_display_name_or_a_mailto_are_the_address(tmp_path: Path) -> None:
    """Emails pasted from Outlook or Exchange ("Ann Lee <ann@x.com>", '"Chen, Bo" <bo@x.com>') rejected the
    person's row; a hyperlink's "mailto:cy@x.com" was stored as the address (matching no forum account); and a
    manager written so matched no one."""
    (tmp_path / "outlook.csv").write_text(
        'Employee ID,Name,Email,Manager\nE1,Ann Lee,Ann Lee <Ann@x.com>,\n'
        'E2,Bo Chen,"""Chen, Bo"" <bo@x.com>",Ann Lee <ann@x.com>\n'
        'E3,Cy Diaz,MAILTO:cy@x.com,"""Chen, Bo"" <BO@x.com>"\n', encoding="utf-8")
    p = run(tmp_path, "outlook.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    with sqlite3.connect(tmp_path / "w.db") as db:
        got = db.execute("SELECT id, email, manager_id FROM person ORDER BY id").fetchall()
    assert got == [("hr:E1", "ann@x.com", None), ("hr:E2", "bo@x.com", "hr:E1"), ("hr:E3", "cy@x.com", "hr:E2")]
