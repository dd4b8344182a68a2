"""German, French and Japanese HR exports as those systems write them (semicolons, cp1252 or UTF-8 with a BOM,
DD.MM.YYYY dates, column names and status words in the language), through ``whoknows ingest hris`` as a
subprocess on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.test_hris_export_shapes import run

PERSONIO_DE = (
    "Personalnummer;Vorname;Nachname;E-Mail;Position;Abteilung;Standort;Eintrittsdatum;Status;Vorgesetzter;"
    "Austrittsdatum;Wochenstunden\r\n"
    "1001;Katrin;Schäfer;katrin.schaefer@example.de;Geschäftsführerin;Management;München;01.04.2015;aktiv;;;40,0\r\n"
    "1002;Jürgen;Müller;juergen.mueller@example.de;Leiter Entwicklung;Entwicklung;München;15.09.2016;aktiv;"
    "Katrin Schäfer;;40,0\r\n"
    "1003;Sofía;Pérez;sofia.perez@example.de;Entwicklerin;Entwicklung;Berlin;03.01.2019;in Elternzeit;"
    "Jürgen Müller;;32,5\r\n"
    "1004;Lukas;Weiß;lukas.weiss@example.de;Entwickler;Entwicklung;Berlin;01.08.2020;inaktiv;Müller, Jürgen;"
    "31.03.2023;40,0\r\n"
)

FRENCH = (
    "Matricule;Nom;Prénom;Adresse e-mail;Intitulé du poste;Service;Site;Date d'entrée;Statut;"
    "Responsable hiérarchique;Date de sortie\r\n"
    "F001;Lefèvre;Élodie;elodie.lefevre@example.fr;Directrice générale;Direction;Paris;02/01/2012;Actif;;\r\n"
    "F002;Moreau;François;francois.moreau@example.fr;Responsable RH;RH;Lyon;15/03/2014;Actif;Élodie Lefèvre;\r\n"
    "F003;Benali;Yasmine;yasmine.benali@example.fr;Comptable;Finance;Lyon;12/11/2020;En congé maternité;"
    "Élodie Lefèvre;\r\n"
    "F004;Roux;Hélène;helene.roux@example.fr;Ingénieure;R&D;Paris;01/09/2018;Sorti;François Moreau;30/06/2023\r\n"
)


def _people(tmp_path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, name, email, title, department, location, hired_on, active, manager_id "
                          "FROM person ORDER BY id").fetchall()


def test_german_personio_export_in_cp1252_loads_with_only_its_encoding(tmp_path: Path) -> None:
    """Before: 'missing required column name' without a mapping, and, with one, every row rejected for the
    unknown statuses 'aktiv', 'in Elternzeit' and 'inaktiv'."""
    (tmp_path / "export.csv").write_bytes(PERSONIO_DE.encode("cp1252"))
    (tmp_path / "m.toml").write_text('[options]\nencoding = "cp1252"\n', encoding="utf-8")
    p = run(tmp_path, "hris", "export.csv", "--mapping", "m.toml")
    assert p.returncode == 0, p.stdout + p.stderr
    assert _people(tmp_path) == [
        ("hr:1001", "Katrin Schäfer", "katrin.schaefer@example.de", "Geschäftsführerin", "Management", "München",
         "2015-04-01", 1, None),
        ("hr:1002", "Jürgen Müller", "juergen.mueller@example.de", "Leiter Entwicklung", "Entwicklung", "München",
         "2016-09-15", 1, "hr:1001"),
        ("hr:1003", "Sofía Pérez", "sofia.perez@example.de", "Entwicklerin", "Entwicklung", "Berlin", "2019-01-03",
         1, "hr:1002"),
        ("hr:1004", "Lukas Weiß", "lukas.weiss@example.de", "Entwickler", "Entwicklung", "Berlin", "2020-08-01", 0,
         "hr:1002"),
    ]


def test_french_export_with_a_bom_loads_without_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "salaries.csv").write_text(FRENCH, encoding="utf-8-sig")
    dry = run(tmp_path, "hris", "salaries.csv", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "European DD/MM/YYYY" in dry.stdout
    assert "European DD/MM/YYYY - European" not in dry.stdout  # the order is said once
    p = run(tmp_path, "hris", "salaries.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    got = [(r[0], r[1], r[4], r[6], r[7], r[8]) for r in _people(tmp_path)]
    assert got == [("hr:F001", "Élodie Lefèvre", "Direction", "2012-01-02", 1, None),
                   ("hr:F002", "François Moreau", "RH", "2014-03-15", 1, "hr:F001"),
                   ("hr:F003", "Yasmine Benali", "Finance", "2020-11-12", 1, "hr:F001"),
                   ("hr:F004", "Hélène Roux", "R&D", "2018-09-01", 0, "hr:F002")]


def test_a_mapping_naming_non_latin_columns_reads_each_its_own_column(tmp_path: Path) -> None:
    """Before, every column name without a Latin letter normalised to '' and a mapping naming one read the first
    of them: the email column read the employee number ('E001' is not an email address) on every row."""
    (tmp_path / "jp.csv").write_text(
        "社員番号,氏名,メールアドレス,部署\nE001,山田 太郎,taro.yamada@example.jp,経営\n"
        "E002,佐藤 花子,hanako.sato@example.jp,開発\n", encoding="utf-8")
    (tmp_path / "jp.toml").write_text(
        '[columns]\nid = "社員番号"\nname = "氏名"\nemail = "メールアドレス"\ndepartment = "部署"\n', encoding="utf-8")
    p = run(tmp_path, "hris", "jp.csv", "--mapping", "jp.toml")
    assert p.returncode == 0, p.stdout + p.stderr
    assert [(r[0], r[1], r[2], r[4]) for r in _people(tmp_path)] == [
        ("hr:E001", "山田 太郎", "taro.yamada@example.jp", "経営"),
        ("hr:E002", "佐藤 花子", "hanako.sato@example.jp", "開発")]


def test_managers_and_statuses_written_in_other_scripts(tmp_path: Path) -> None:
    """Before, folding dropped every letter outside a-z: a manager named in Cyrillic or Japanese matched no one,
    and a value map of Japanese statuses (在職 employed, 退職 left) folded both keys to '', so every row took the
    last one's meaning (everyone a leaver)."""
    (tmp_path / "hr.csv").write_text(
        "社員番号,氏名,在籍状況,上長\n"
        "E001,山田 太郎,在職,\n"
        "E002,佐藤 花子,在職,山田 太郎\n"
        "E003,Алексей Иванов,退職,佐藤 花子\n"
        "E004,Мария Петрова,在職,\"Иванов, Алексей\"\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text(
        '[columns]\nid = "社員番号"\nname = "氏名"\nactive = "在籍状況"\nmanager_name = "上長"\n'
        '[values.active]\n"在職" = true\n"退職" = false\n', encoding="utf-8")
    p = run(tmp_path, "hris", "hr.csv", "--mapping", "m.toml")
    assert p.returncode == 0, p.stdout + p.stderr
    assert [(r[0], r[7], r[8]) for r in _people(tmp_path)] == [
        ("hr:E001", 1, None), ("hr:E002", 1, "hr:E001"), ("hr:E003", 0, "hr:E002"), ("hr:E004", 1, "hr:E003")]


FIXTURES = Path(__file__).parent.parent / "fixtures" / "hris"


def test_people_from_hr_apis_with_nested_fields(tmp_path: Path) -> None:
    """HiBob's people API nests work.title, work.reportsTo and internal.lifecycleStatus; Personio's wraps each
    field as {"label", "value"} under "attributes". Before, the nested fields were unused columns: the terminated
    person loaded as active, with no title, department or manager, and exit 0."""
    for name in ("hibob_api.json", "personio_api.json"):
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
        p = run(tmp_path, "hris", name)
        assert p.returncode == 0, p.stdout + p.stderr
    assert _people(tmp_path) == [
        ("hr:1001", "Katrin Schäfer", "katrin@example.de", "Managing Director", "Management", None, "2015-04-01",
         1, None),
        ("hr:1002", "Jürgen Müller", "juergen@example.de", "Head of Engineering", "Engineering", None, "2016-09-15",
         0, "hr:1001"),
        ("hr:3390284", "Olivia Bennett", "olivia.bennett@example.com", "CEO", "Leadership", "London", "2016-04-01",
         1, None),
        ("hr:3390291", "Samuel Okafor", "samuel.okafor@example.com", "CTO", "Engineering", "London", "2017-06-15",
         0, "hr:3390284"),
    ]


def test_an_abbreviated_spreadsheet_column_is_no_nested_field(tmp_path: Path) -> None:
    """'Mgr. Email' is the manager's email: read as a path of JSON keys, its last part made it the person's own."""
    (tmp_path / "hr.csv").write_text("Employee ID,Name,Mgr. Email\n1,Ann Lee,\n2,Bo Roe,ann@x.com\n", encoding="utf-8")
    p = run(tmp_path, "hris", "hr.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert [(r[0], r[2]) for r in _people(tmp_path)] == [("hr:1", None), ("hr:2", None)]
