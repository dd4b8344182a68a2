"""HR exports in the encodings spreadsheets and HR systems write: Excel's plain "CSV" on a Western-European Windows
(cp1252), CSV UTF-8 (with a BOM), "Unicode text" (UTF-16 with a BOM, tab-separated), and files whose encoding no
detection can tell. Real bytes from Python's codecs, ``whoknows ingest hris`` as a subprocess, SQLite on disk."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from ingest.hr.encoding import decode_export
from ingest.hris import HrRow, parse_hris, read_hris
from schema.errors import UnreadableInput
from tests.integration.test_hris_export_shapes import run

PEOPLE = [("1", "Jürgen Müller", "Entwicklung"), ("2", "José Núñez", "Vertrieb"), ("3", "Zoë Lefèvre", "Büro"),
          ("4", "Søren Kjær", "Einkauf"), ("5", "Renée Weiß", "Geschäftsführung")]
CSV = "Personalnummer;Name;Abteilung\r\n" + "".join(f"{i};{n};{d}\r\n" for i, n, d in PEOPLE)


def _names(tmp_path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, name, department FROM person ORDER BY id").fetchall()


def test_an_excel_csv_in_cp1252_loads_as_written_and_says_the_guess(tmp_path: Path) -> None:
    """Before: every row with an accent rejected, 'not UTF-8 text (byte 0xfc); set [options] encoding'."""
    raw = CSV.encode("cp1252")
    assert b"M\xfcller" in raw  # one byte per letter, as Excel writes it
    (tmp_path / "export.csv").write_bytes(raw)
    dry = run(tmp_path, "hris", "export.csv", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert 'encoding = "cp1252"  # a guess (not UTF-8 (bytes' in dry.stdout
    assert "Jürgen Müller" in dry.stdout
    p = run(tmp_path, "hris", "export.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    err = " ".join(p.stderr.split())
    assert "export.csv: not UTF-8 (bytes 0xdf 0xe4 0xe6 0xe8 ...), read as cp1252 (a guess" in err, err
    assert re.search(r"text encoding, guessed: check the names\s*│\s*cp1252", p.stdout), p.stdout
    assert _names(tmp_path) == [(f"hr:{i}", n, d) for i, n, d in PEOPLE]


def test_cp1252_punctuation_that_latin1_reads_as_control_characters_loads_as_cp1252(tmp_path: Path) -> None:
    # 0x80-0x9f: € „ “ – in cp1252, invisible C1 controls in latin-1
    (tmp_path / "p.csv").write_bytes("id,name,title\n1,Zoë Roe,Leiterin „Vertrieb“ – €\n".encode("cp1252"))
    [row] = [r for r in parse_hris(read_hris(tmp_path / "p.csv")) if isinstance(r, HrRow)]
    assert (row.person.name, row.person.title) == ("Zoë Roe", "Leiterin „Vertrieb“ – €")


def test_an_encoding_set_in_the_mapping_wins_over_detection(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_bytes(CSV.encode("cp1252"))
    (tmp_path / "m.toml").write_text('[options]\nencoding = "cp1250"\n', encoding="utf-8")
    p = run(tmp_path, "hris", "export.csv", "--mapping", "m.toml")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "a guess" not in p.stderr
    assert _names(tmp_path)[2][1] == "Zoë Lefčvre"  # cp1250 reads 0xe8 as č: the mapping said so


def test_a_central_european_file_is_read_in_its_own_code_page(tmp_path: Path) -> None:
    text = "Nr;Imię i nazwisko;Dział\n1;Łukasz Wójcik;Sprzedaż\n2;Małgorzata Dvořák;Księgowość\n"
    (tmp_path / "pl.csv").write_bytes(text.encode("cp1250"))
    table = read_hris(tmp_path / "pl.csv")
    assert table.encoding == "cp1250"
    assert [rec["Imię i nazwisko"] for _, rec in table.rows] == ["Łukasz Wójcik", "Małgorzata Dvořák"]


@pytest.mark.parametrize(("encoding", "name"), [("utf-8", "p.csv"), ("utf-8-sig", "p.csv"), ("utf-16", "p.tsv"),
                                                ("utf-16", "p.txt")])
def test_utf8_and_excel_unicode_text_are_read_as_such_and_nothing_is_guessed(
        tmp_path: Path, encoding: str, name: str) -> None:
    sep = "\t" if encoding == "utf-16" else ";"
    (tmp_path / name).write_bytes(CSV.replace(";", sep).encode(encoding))
    p = run(tmp_path, "hris", name)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "guess" not in p.stderr
    assert _names(tmp_path) == [(f"hr:{i}", n, d) for i, n, d in PEOPLE]


def test_a_file_no_detection_can_tell_is_refused_naming_the_file_and_the_candidates(tmp_path: Path) -> None:
    """Greek cp1253 also reads cleanly as Russian cp1251; Turkish cp1254 as cp1252 'Ayþe': refused, not guessed."""
    (tmp_path / "el.csv").write_bytes("id;όνομα\n1;Γιώργος Παπαδόπουλος\n".encode("cp1253"))
    (tmp_path / "tr.csv").write_bytes("id;ad\n1;Ayşe Yılmaz\n2;Şükrü Öztürk\n3;Ahmet Şahin\n".encode("cp1254"))
    for name in ("el.csv", "tr.csv"):
        p = run(tmp_path, "hris", name)
        err = " ".join(p.stderr.split())
        assert p.returncode == 2, (name, p.stdout, p.stderr)
        assert f"{name}: not UTF-8 (bytes" in err, err
        assert "reads equally well as" in err, err
        assert "[options] encoding" in err, err
        assert "Traceback" not in p.stderr
    assert not (tmp_path / "w.db").exists() or _names(tmp_path) == []


def test_a_refused_file_leaves_what_an_earlier_export_loaded(tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_text("id,name\n1,Ann Lee\n", encoding="utf-8")
    assert run(tmp_path, "hris", "good.csv").returncode == 0
    (tmp_path / "el.csv").write_bytes("id;όνομα\n1;Γιώργος Παπαδόπουλος\n".encode("cp1253"))
    assert run(tmp_path, "hris", "el.csv", "--full").returncode == 2
    with sqlite3.connect(tmp_path / "w.db") as db:
        assert db.execute("SELECT id, name, active FROM person").fetchall() == [("hr:1", "Ann Lee", 1)]


def test_utf8_with_a_few_damaged_bytes_stays_utf8() -> None:
    raw = "id,name\n1,Zoë\n2,Renée\n".encode() + b"3,Jos\xe9\n"
    d = decode_export(raw, "x.csv")
    assert (d.encoding, d.guessed) == ("utf-8-sig", None)
    assert d.text.splitlines()[1:3] == ["1,Zoë", "2,Renée"]


def test_a_json_export_in_cp1252_is_detected_too(tmp_path: Path) -> None:
    text = json.dumps([{"id": "1", "name": "Jürgen Müller"}, {"id": "2", "name": "Zoë Weiß"}], ensure_ascii=False)
    (tmp_path / "p.json").write_bytes(text.encode("cp1252"))
    rows = [r for r in parse_hris(read_hris(tmp_path / "p.json")) if isinstance(r, HrRow)]
    assert [r.person.name for r in rows] == ["Jürgen Müller", "Zoë Weiß"]


def test_decode_refuses_bytes_that_read_as_nothing() -> None:
    with pytest.raises(UnreadableInput, match="x.csv"):
        decode_export(bytes(range(0x80, 0x100)) * 4, "x.csv")


def test_a_mac_excel_csv_in_mac_roman_loads_and_says_so(tmp_path: Path) -> None:
    """Excel for Mac's plain CSV is Mac Roman: ü is 0x9f there (cp1252's Ÿ); the codec is named by its usual name."""
    (tmp_path / "mac.csv").write_bytes(CSV.replace("\r\n", "\r").encode("mac_roman"))  # and old Mac line ends
    p = run(tmp_path, "hris", "mac.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "read as mac_roman (a guess" in " ".join(p.stderr.split())
    assert _names(tmp_path) == [(f"hr:{i}", n, d) for i, n, d in PEOPLE]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_as_utf16(tmp_path: Path, codec: str) -> None:
    """SQL Server's bcp -w writes UTF-16 with no BOM. Before: an ASCII-only one is valid UTF-8 (NUL bytes), so
    every row was rejected for 'control character in id'."""
    (tmp_path / "bcp.csv").write_bytes("id,name\r\n1,Ann Lee\r\n2,Zoë Weiß\r\n".encode(codec))
    p = run(tmp_path, "hris", "bcp.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"UTF-16 without a byte-order mark (every other byte 0), read as {codec}" in " ".join(p.stderr.split())
    assert [n for _, n, _ in _names(tmp_path)] == ["Ann Lee", "Zoë Weiß"]
