"""A "Name" column beside a first-name column is the family name (German HR systems write "Vorname;Name", French
ones "Prénom;Nom"); alone, or holding the first names too, it is the full name. Through ``whoknows ingest hris``
as a subprocess on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ingest.hris import HrRow, parse_hris, read_hris
from tests.integration.test_hris_export_shapes import run

GERMAN = (
    "Personalnummer;Vorname;Name;Abteilung;Vorgesetzter\r\n"
    "1001;Katrin;Schäfer;Management;\r\n"
    "1002;Jürgen;Müller;Entwicklung;Katrin Schäfer\r\n"
    "1003;Sofía;Pérez;Entwicklung;Müller, Jürgen\r\n"
)


def _people(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, name, manager_id FROM person ORDER BY id").fetchall()


def test_german_vorname_and_name_make_the_full_name_and_managers_link(tmp_path: Path) -> None:
    """Before: people were called by their surname only ('Müller'), and no manager given by full name linked."""
    (tmp_path / "de.csv").write_text(GERMAN, encoding="utf-8-sig")
    dry = run(tmp_path, "hris", "de.csv", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    out = " ".join(dry.stdout.split())
    assert "last_name │ Name │ 'Name' beside a first-name column: the family name" in out, out
    p = run(tmp_path, "hris", "de.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _people(tmp_path) == [("hr:1001", "Katrin Schäfer", None), ("hr:1002", "Jürgen Müller", "hr:1001"),
                                 ("hr:1003", "Sofía Pérez", "hr:1002")]


def test_french_prenom_and_nom_make_the_full_name_and_nom_alone_is_the_full_name(tmp_path: Path) -> None:
    (tmp_path / "fr.csv").write_text("Matricule;Prénom;Nom\nF1;Élodie;Lefèvre\nF2;François;Moreau\n",
                                     encoding="utf-8")
    (tmp_path / "fr2.csv").write_text("Matricule;Nom\nF3;Hélène Roux\n", encoding="utf-8")
    for name in ("fr.csv", "fr2.csv"):
        p = run(tmp_path, "hris", name)
        assert p.returncode == 0, p.stdout + p.stderr
    assert [n for _, n, _ in _people(tmp_path)] == ["Élodie Lefèvre", "François Moreau", "Hélène Roux"]


@pytest.mark.parametrize(("csv", "names"), [
    ("Personalnummer;Name\n1;Jürgen Müller\n", ["Jürgen Müller"]),  # alone: the full name
    ("Personalnummer;Vorname;Nachname;Name\n1;Jürgen;Müller;J. Müller\n", ["J. Müller"]),  # a family-name column too
    # a "Name" holding the first name too is a full name, whatever column stands beside it
    ("Employee ID,First Name,Name\n1,Ann,Ann Lee\n2,Bo,\"Roe, Bo\"\n3,Cy,Cy Poe\n", ["Ann Lee", "Roe, Bo", "Cy Poe"]),
    ("Employee ID,Preferred First Name,Name\n1,Bob,Robert Lee\n", ["Robert Lee"]),  # a nickname is no first name
])
def test_a_name_column_stays_the_full_name_when_it_is_one(tmp_path: Path, csv: str, names: list[str]) -> None:
    (tmp_path / "p.csv").write_text(csv, encoding="utf-8")
    rows = [r for r in parse_hris(read_hris(tmp_path / "p.csv")) if isinstance(r, HrRow)]
    assert [r.person.name for r in rows] == names


def test_a_mapping_naming_the_name_column_wins(tmp_path: Path) -> None:
    (tmp_path / "de.csv").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "m.toml").write_text('[columns]\nname = "Name"\n', encoding="utf-8")
    p = run(tmp_path, "hris", "de.csv", "--mapping", "m.toml")
    assert p.returncode == 1, p.stdout + p.stderr  # as told: so the managers' full names match no one
    assert [n for _, n, _ in _people(tmp_path)] == ["Schäfer", "Müller", "Pérez"]
    assert "manager (name 'Katrin Schäfer') matches no person" in " ".join(p.stderr.split())


def test_a_german_opt_out_column_of_ja_and_nein_loads(tmp_path: Path) -> None:
    """Before: every row rejected, "opted_out 'nein' is not a yes/no value"."""
    (tmp_path / "w.csv").write_text("Personalnummer;Vorname;Nachname;Widerspruch\n1;Anna;Schmidt;nein\n"
                                    "2;Ben;Koch;Ja\n", encoding="utf-8")
    (tmp_path / "f.csv").write_text("Matricule;Prénom;Nom;Refus annuaire\nF1;Élodie;Lefèvre;oui\nF2;Luc;Roux;non\n",
                                    encoding="utf-8")
    for name in ("w.csv", "f.csv"):
        p = run(tmp_path, "hris", name)
        assert p.returncode == 0, p.stdout + p.stderr
    with sqlite3.connect(tmp_path / "w.db") as db:
        got = db.execute("SELECT id, name, opted_out FROM person ORDER BY id").fetchall()
    assert got == [("hr:1", "Anna Schmidt", 0), ("hr:2", "Ben Koch", 1), ("hr:F1", "Élodie Lefèvre", 1),
                   ("hr:F2", "Luc Roux", 0)]
