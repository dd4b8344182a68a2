"""HR lists kept in Excel and saved the ways a German office saves them: "CSV (Trennzeichen-getrennt)" (cp1252,
semicolons, a title above the header, decimal commas, DD.MM.YYYY, a total line, a trailing separator on every
line), with Excel's "sep=;" hint line, and as "Unicode text" (UTF-16, tabs, quoted cells). ``whoknows ingest hris``
as a subprocess on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.integration.test_hris_export_shapes import run

GERMAN_EXCEL = (
    "Mitarbeiterliste Stand 31.12.2024;;;;;;;;\r\n"
    "Erstellt von: Personalabteilung;;;;;;;;\r\n"
    ";;;;;;;;\r\n"
    "Personalnummer;Name;Vorname;Abteilung;Eintrittsdatum;Wochenstunden;Gehalt;Kompetenzen;\r\n"
    '00017;Müller;Jürgen;Entwicklung;01.04.2015;40,0;"4.500,00";"Python:4, SQL";\r\n'
    '00018;Weiß;Zoë;Büro;31.12.2019;32,5;"3.100,50";Excel;\r\n'
    '00019;Núñez;José;Vertrieb;15.03.2021;20,0;"2.000,00";;\r\n'
    ";;;;;;;;\r\n"
    'Summe: 3 Mitarbeiter;;;;;92,5;"9.600,50";;\r\n'
)


def _db(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute(sql).fetchall()


def test_a_german_excel_list_saved_as_csv_loads_every_person_in_full(tmp_path: Path) -> None:
    """Before: the file was refused for its encoding, people were called by their surname, and Jürgen's row was
    rejected for 'unknown skill level 4, SQL' (skills listed with commas in a semicolon-separated file)."""
    (tmp_path / "liste.csv").write_bytes(GERMAN_EXCEL.encode("cp1252"))
    p = run(tmp_path, "hris", "liste.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _db(tmp_path, "SELECT id, name, department, hired_on FROM person ORDER BY id") == [
        ("hr:00017", "Jürgen Müller", "Entwicklung", "2015-04-01"),
        ("hr:00018", "Zoë Weiß", "Büro", "2019-12-31"),
        ("hr:00019", "José Núñez", "Vertrieb", "2021-03-15"),
    ]
    skills = _db(tmp_path, "SELECT person_id, skill, level FROM has_skill ORDER BY person_id, skill")
    assert skills == [("hr:00017", "python", 4), ("hr:00017", "sql", None), ("hr:00018", "excel", None)]


def test_excels_sep_hint_line_is_no_header(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text("sep=;\r\nPersonalnummer;Vorname;Nachname;E-Mail\r\n1;Anna;Schmidt;anna@x.de\r\n",
                                    encoding="utf-8-sig")
    p = run(tmp_path, "hris", "b.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _db(tmp_path, "SELECT id, name, email FROM person") == [("hr:1", "Anna Schmidt", "anna@x.de")]


def test_excel_unicode_text_keeps_quoted_tabs_and_quotes(tmp_path: Path) -> None:
    text = ("Employee ID\tFirst Name\tLast Name\tJob Title\r\n"
            'E1\tZoë\tLefèvre\t"Head of ""R&D"""\r\nE2\tSøren\tKjær\t"Lead\tEngineer"\r\n')
    (tmp_path / "people.txt").write_bytes(text.encode("utf-16"))  # with its BOM, as Excel writes it
    p = run(tmp_path, "hris", "people.txt")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _db(tmp_path, "SELECT id, name, title FROM person ORDER BY id") == [
        # the quoted tab stays inside its cell (not split into a fifth field); a title is one line, so it is a space
        ("hr:E1", "Zoë Lefèvre", 'Head of "R&D"'), ("hr:E2", "Søren Kjær", "Lead Engineer")]


@pytest.mark.parametrize(("cell", "skills"), [
    ("Python:4,5", [("python", 5)]),  # a decimal comma: level 4,5, rounded half up as levels are whole (1-5)
    ("Python:4, SQL:3", [("python", 4), ("sql", 3)]),
    ("Python:4,5;SQL:3", [("python", 5), ("sql", 3)]),
    ("Python:2,4, SQL", [("python", 2), ("sql", None)]),
])
def test_a_decimal_comma_in_a_skill_level_is_part_of_the_level_not_a_skill(
        tmp_path: Path, cell: str, skills: list[tuple[str, int | None]]) -> None:
    """Before: 'Python:4,5' loaded python at level 4 and a skill named '5'."""
    (tmp_path / "liste.csv").write_bytes(GERMAN_EXCEL.replace("Python:4, SQL", cell).encode("cp1252"))
    p = run(tmp_path, "hris", "liste.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    rows = _db(tmp_path, "SELECT skill, level FROM has_skill WHERE person_id = 'hr:00017' ORDER BY skill")
    assert rows == skills


def test_a_number_left_alone_by_a_split_is_no_skill_and_its_row_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "liste.csv").write_bytes(GERMAN_EXCEL.replace("Python:4, SQL", "Python:4, 5").encode("cp1252"))
    p = run(tmp_path, "hris", "liste.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    err = " ".join(p.stderr.split())
    assert "liste.csv, row 5: skill '5' in 'Python:4, 5' is a number, not a skill name" in err, err
    assert _db(tmp_path, "SELECT DISTINCT skill FROM has_skill") == [("excel",)]
    assert [n for (n,) in _db(tmp_path, "SELECT id FROM person ORDER BY id")] == ["hr:00018", "hr:00019"]
