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
from ingest.rejects import read_rejects
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


@pytest.mark.parametrize(("stray", "into"), [(0x81, "Einkauf"), (0x9d, "Vertrieb"), (0x8f, "Entwicklung")])
def test_a_cp1252_csv_with_a_byte_cp1252_leaves_undefined_rejects_only_that_row(
        tmp_path: Path, stray: int, into: str) -> None:
    """Before: 0x81 made the whole file 'read equally well as iso8859_10, iso8859_14' and refused it; 0x9d made it
    cp1250, 'Zoë Lefčvre' and 'Søren Kjćr'."""
    raw = CSV.encode("cp1252")
    raw = raw.replace(into.encode(), into[:3].encode() + bytes([stray]) + into[3:].encode())
    (tmp_path / "export.csv").write_bytes(raw)
    line = next(n for n, text in enumerate(raw.split(b"\n"), 1) if bytes([stray]) in text)
    p = run(tmp_path, "hris", "export.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    err = " ".join(p.stderr.split())
    assert f"of which 0x{stray:02x} is undefined in cp1252 (its rows rejected), read as cp1252 (a guess" in err, err
    assert f"export.csv, row {line}: not cp1252 text (byte 0x{stray:02x} is no cp1252 character" in err, err
    [r] = read_rejects(tmp_path / "bad.jsonl")
    assert (Path(r.file).name, r.row) == ("export.csv", line)
    assert f"byte 0x{stray:02x}" in r.reason
    assert _names(tmp_path) == [(f"hr:{i}", n, d) for i, n, d in PEOPLE if into not in (n, d)]


def test_a_stray_cp1252_byte_in_a_long_file_loses_its_row_only(tmp_path: Path) -> None:
    """Only ü (0xfc) and one 0x81: detection alone said DOS Baltic cp775, which reads 0x81 as 'ü'."""
    text = "id,name,dept\n" + "".join(f"{i},Jürgen Müller {i},Entwicklung\n" for i in range(200))
    raw = text.encode("cp1252").replace(b"7,J", b"7,\x81J", 1)
    (tmp_path / "long.csv").write_bytes(raw)
    p = run(tmp_path, "hris", "long.csv")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "long.csv, row 9: not cp1252 text (byte 0x81" in " ".join(p.stderr.split())
    names = [n for _, n, _ in _names(tmp_path)]
    assert len(names) == 199
    assert "Jürgen Müller 8" in names


def test_stray_bytes_leave_a_central_european_file_in_its_code_page_and_a_mapping_still_wins(
        tmp_path: Path) -> None:
    """cp1250 reads 0x9d as 'ť': a Czech file with it in some names is cp1250, every row read."""
    cz = "id;jméno\n1;Jiří Šťastný\n2;Tomáš Dvořák\n3;Petr Koťátko\n4;Anna Nováková\n".encode("cp1250")
    assert decode_export(cz, "cz.csv").encoding == "cp1250"
    raw = CSV.encode("cp1252").replace(b"Einkauf", b"Ein\x81kauf")
    (tmp_path / "export.csv").write_bytes(raw)
    (tmp_path / "m.toml").write_text('[options]\nencoding = "latin-1"\n', encoding="utf-8")
    p = run(tmp_path, "hris", "export.csv", "--mapping", "m.toml", "--rejects", "bad.jsonl")
    assert "a guess" not in p.stderr  # latin-1 reads every byte: the mapping said so, and nothing is detected
    # but 0x81 in latin-1 is a C1 control character: that row is rejected for it, naming it, not stored as a name
    [r] = read_rejects(tmp_path / "bad.jsonl")
    assert "control character U+0081 in 'Ein\\x81kauf'" in r.reason, r.reason
    assert _names(tmp_path) == [(f"hr:{i}", n, d) for i, n, d in PEOPLE if d != "Einkauf"]
