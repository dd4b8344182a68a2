"""HR exports as files really arrive: a download that saved a sign-in page, a PDF or an HTML table named for a
spreadsheet, a workbook protected with a password or cut short, a zip of CSVs; Excel's ``="000123"`` text trick,
a used range wider than the header, a row or file cut short, a DOS end-of-file mark; formula errors and number
formats in a workbook. Files written here with the real codecs, zipfile and openpyxl; ``whoknows ingest hris`` as a
subprocess; SQLite on disk."""

from __future__ import annotations

import codecs
import io
import quopri
import re
import sqlite3
import struct
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.integration.clirun import ingest_in

HEADER = ["Employee ID", "Name", "Email", "Manager ID", "Hire Date", "Title"]
PEOPLE = [["000101", "Zoë Lefèvre", "zoe@example.org", "", "2019-12-31", "CTO"],
          ["000102", "José Muñoz", "jose@example.org", "000101", "2020-02-01", "Ingénieur"],
          ["000103", "Björn Ångström", "bjorn@example.org", "000101", "2021-01-15", "Verkäufer"]]


def _csv(rows: list[list[str]], sep: str = ",") -> str:
    return "".join(sep.join(r) + "\r\n" for r in [HEADER, *rows])


def _people(tmp_path: Path) -> list[tuple[str, str, str | None, str | None, str | None]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, name, manager_id, hired_on, title FROM person ORDER BY id").fetchall()


def _loaded(tmp_path: Path) -> None:
    (tmp_path / "good.csv").write_text(_csv(PEOPLE), encoding="utf-8", newline="")
    assert ingest_in(tmp_path, "hris", "good.csv").returncode == 0
    assert [p[0] for p in _people(tmp_path)] == ["hr:000101", "hr:000102", "hr:000103"]


def _workbook(rows: list[list[object]], setup: Callable[[object], None] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    if setup is not None:
        setup(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _encrypted_workbook() -> bytes:
    """An OLE compound file as Excel writes a workbook saved with a password ([MS-OFFCRYPTO]): streams
    EncryptionInfo and EncryptedPackage (left empty here: only the directory tells what the file is)."""
    end, free, fat = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    head = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
            + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
            + struct.pack("<I", 0) + struct.pack("<I", free) * 108)

    def entry(name: str, kind: int, child: int = free, right: int = free) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", free, right, child)
                + b"\0" * 36 + struct.pack("<IQ", end, 0))

    directory = entry("Root Entry", 5, child=1) + entry("EncryptionInfo", 2, right=2) + entry("EncryptedPackage", 2)
    sectors = struct.pack("<III", fat, end, end) + struct.pack("<I", free) * 125
    return head + sectors + directory.ljust(512, b"\0")


def _cut_workbook() -> bytes:
    whole = _workbook([HEADER, *PEOPLE])
    return whole[: len(whole) // 2]


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return out.getvalue()


_HTML_TABLE = ("<html><body><table><tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>"
               + "".join("<tr>" + "".join(f"<td>{v}</td>" for v in r) + "</tr>" for r in PEOPLE)
               + "</table></body></html>")
NOT_EXPORTS = [
    ("people.xlsx", lambda: b"<!DOCTYPE html>\n<html><head><title>Sign in - HR Portal</title></head><body>"
                            b"<form>Your session has expired</form></body></html>",
     "a web page titled 'Sign in - HR Portal' (no export), not a CSV, TSV, JSON, LDIF or .xlsx export"),
    ("report.csv", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
     "a PDF document"),
    ("export.xls", lambda: b"<html><body><table><tr><td><img src=logo.png></td><td>Your session has expired</td>"
                           b"</tr></table></body></html>", "a web page holding a table"),  # a layout table
    ("export.xls", lambda: b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns='
                           b'"urn:schemas-microsoft-com:office:spreadsheet"><Worksheet/></Workbook>\n',
     "an Excel 2003 XML spreadsheet"),
    ("report.xml", lambda: b'<?xml version="1.0" encoding="UTF-8"?>\n<wd:Report_Data xmlns:wd="urn:com.workday.report">'
                           b"<wd:Report_Entry/></wd:Report_Data>", "an XML document (<wd:Report_Data>)"),
    ("people.xlsx", _encrypted_workbook, "a password-protected Excel workbook (encrypted)"),
    ("people.xlsx", _cut_workbook, "a damaged Excel workbook"),
    ("export.zip", lambda: _zip({"active.csv": _csv(PEOPLE[:2]), "leavers.csv": _csv(PEOPLE[2:])}),
     "a zip archive (active.csv, leavers.csv)"),
    ("people.xlsb", lambda: _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.bin": "\0"}),
     "an Excel binary workbook (.xlsb)"),
]


@pytest.mark.parametrize(("name", "content", "said"), NOT_EXPORTS, ids=[s for _, _, s in NOT_EXPORTS])
def test_a_file_that_is_no_export_is_named_for_what_it_is_and_nothing_stored_is_lost(
        tmp_path: Path, name: str, content: Callable[[], bytes], said: str) -> None:
    """Before: "missing required column 'id' (columns: <!DOCTYPE html>)", the whole HTML table quoted back, "no
    text encoding reads it cleanly" for a PDF, "an Excel workbook (.xls)" for a password-protected .xlsx."""
    _loaded(tmp_path)
    (tmp_path / name).write_bytes(content())
    done = ingest_in(tmp_path, "hris", name)
    err = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stdout + done.stderr
    assert err.startswith(f"error: {name}: {said}"), err
    assert "missing required column" not in err, err
    assert "encoding" not in err, err
    assert len(err) < 400, err
    assert [p[0] for p in _people(tmp_path)] == ["hr:000101", "hr:000102", "hr:000103"]


def test_an_html_table_saved_as_xls_loads_like_the_csv(tmp_path: Path) -> None:
    """The "Export to Excel" of PeopleSoft, SAP GUI and many HR portals writes a web page holding the table,
    named ``.xls``, which Excel opens as a sheet: it was refused ("save it as .xlsx"). Its table is read; a title
    row spanning the columns above the header is skipped, and entities and ``<br>`` are read as text."""
    page = ('<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>'
            '<table border=1><tr><td colspan=6>Query: EMPLOYEES &amp; MANAGERS</td></tr>'
            + _HTML_TABLE.split("<table>", 1)[1])
    (tmp_path / "export.xls").write_bytes(codecs.BOM_UTF8 + page.encode())
    done = ingest_in(tmp_path, "hris", "export.xls")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _people(tmp_path) == [("hr:000101", "Zoë Lefèvre", None, "2019-12-31", "CTO"),
                                 ("hr:000102", "José Muñoz", "hr:000101", "2020-02-01", "Ingénieur"),
                                 ("hr:000103", "Björn Ångström", "hr:000101", "2021-01-15", "Verkäufer")]


def test_a_single_file_web_page_holding_the_table_loads(tmp_path: Path) -> None:
    """Oracle BI Publisher's "Excel (mhtml)" and Excel's "Single File Web Page" wrap the page in MIME, its text
    quoted-printable: it was refused as "missing required column 'id' (columns: MIME-Version: 1.0)"."""
    page = quopri.encodestring(_HTML_TABLE.encode()).decode("ascii")
    (tmp_path / "report.xls").write_text(
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01D9"\r\n\r\n'
        "------=_NextPart_01D9\r\nContent-Location: file:///C:/report.htm\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n"
        + page + "\r\n------=_NextPart_01D9--\r\n", encoding="ascii", newline="")
    done = ingest_in(tmp_path, "hris", "report.xls")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p[:3] for p in _people(tmp_path)] == [("hr:000101", "Zoë Lefèvre", None),
                                                  ("hr:000102", "José Muñoz", "hr:000101"),
                                                  ("hr:000103", "Björn Ångström", "hr:000101")]


def test_excels_text_formula_keeps_the_ids_zeros_and_links_the_managers(tmp_path: Path) -> None:
    """Payroll systems write ``="000101"`` so that Excel keeps the zeros; read as written, every id was
    ``hr:="000101"`` (a second person beside last month's) and no line linked to a stored manager."""
    _loaded(tmp_path)
    rows = [[f'="{v}"' if i in (0, 3) and v else v for i, v in enumerate(r)] for r in PEOPLE]
    text = _csv(rows).replace('="000103"', '"=""000103"""')  # as a CSV writer quotes it
    (tmp_path / "payroll.csv").write_text(text, encoding="utf-8", newline="")
    done = ingest_in(tmp_path, "hris", "payroll.csv")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(p[0], p[2]) for p in _people(tmp_path)] == [
        ("hr:000101", None), ("hr:000102", "hr:000101"), ("hr:000103", "hr:000101")]


def _cut_utf8(tmp_path: Path) -> str:
    text = _csv(PEOPLE).rstrip("\r\n")
    (tmp_path / "cut.csv").write_text(text[: text.rindex("000101") + 3], encoding="utf-8", newline="")
    return "cut.csv"


def _cut_utf16(tmp_path: Path) -> str:
    raw = codecs.BOM_UTF16_LE + _csv(PEOPLE, "\t").encode("utf-16-le")
    (tmp_path / "cut.txt").write_bytes(raw[: raw.rindex("000101".encode("utf-16-le")) + 5])  # inside a character
    return "cut.txt"


@pytest.mark.parametrize("cut", [_cut_utf8, _cut_utf16], ids=["csv-utf8", "unicode-text-utf16"])
def test_a_file_cut_short_rejects_the_row_it_stops_in_and_keeps_what_was_stored(
        tmp_path: Path, cut: Callable[[Path], str]) -> None:
    """Before: a CSV cut inside its last row loaded that person with the missing cells blank (manager, hire date
    and title gone, the stored reporting line removed); a UTF-16 file cut inside a character was refused whole."""
    _loaded(tmp_path)
    name = cut(tmp_path)
    done = ingest_in(tmp_path, "hris", name)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(rf"rejected: {re.escape(name)}, row 4: the file ends inside this row \(4 of the header's 6 "
                     r"cells, no line break after it\)", " ".join(done.stderr.split())), done.stderr
    assert _people(tmp_path)[2] == ("hr:000103", "Björn Ångström", "hr:000101", "2021-01-15", "Verkäufer")


def test_a_row_split_by_a_line_break_is_rejected_and_a_ragged_file_still_loads(tmp_path: Path) -> None:
    """A line break inside an unquoted cell splits one row in two short ones: the first loaded with its later
    cells blank. A file whose writer leaves out trailing empty cells on every row is ragged throughout: it loads."""
    _loaded(tmp_path)
    text = _csv(PEOPLE).replace("000101,2020-02-01,Ingénieur", "000101,2020-02-01,Ingé\r\nnieur")
    (tmp_path / "split.csv").write_text(text, encoding="utf-8", newline="")
    done = ingest_in(tmp_path, "hris", "split.csv")
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert "split.csv, row 3: a line break inside a cell splits rows 3 and 4 (6 and 1 cells" in said, said
    assert "split.csv, row 4: a line break" in said, said
    assert _people(tmp_path)[1] == ("hr:000102", "José Muñoz", "hr:000101", "2020-02-01", "Ingénieur")
    ragged = "Employee ID,Name,Email,Manager ID,Title\r\n9001,Ann Lee\r\n9002,Bo Chen,bo@example.org,9001\r\n" \
             "9003,Cy Diaz\r\n"
    (tmp_path / "ragged.csv").write_text(ragged, encoding="utf-8", newline="")
    assert ingest_in(tmp_path, "hris", "ragged.csv", db="r.db").returncode == 0
    # a writer that leaves out trailing empty cells writes only the top manager's row short: it is whole
    top_short = "Employee ID,Name,Email,Manager ID,Title\r\n9001,Ann Lee,ann@example.org\r\n" \
                "9002,Bo Chen,bo@example.org,9001,Clerk\r\n9003,Cy Diaz,cy@example.org,9001,Clerk\r\n" \
                "9004,Di Eze,di@example.org,9002,Clerk"
    (tmp_path / "top.csv").write_text(top_short, encoding="utf-8", newline="")
    done = ingest_in(tmp_path, "hris", "top.csv", db="t.db")
    assert done.returncode == 0, done.stdout + done.stderr


def test_empty_cells_past_the_header_and_a_dos_end_of_file_mark_are_no_rows_to_reject(tmp_path: Path) -> None:
    """Before: every row with empty cells past the header ("12 fields but the header has 8") was rejected, where a
    workbook's are ignored; the Ctrl-Z an old payroll system ends its file with was a row ("control character")."""
    text = _csv(PEOPLE).replace("\r\n", ",,,\r\n").replace(",,,\r\n", "\r\n", 1) + "\x1a"
    (tmp_path / "wide.csv").write_bytes(text.encode("cp1252"))
    done = ingest_in(tmp_path, "hris", "wide.csv")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p[:3] for p in _people(tmp_path)] == [("hr:000101", "Zoë Lefèvre", None), (
        "hr:000102", "José Muñoz", "hr:000101"), ("hr:000103", "Björn Ångström", "hr:000101")]


def test_a_formula_error_in_a_read_cell_rejects_its_row_naming_the_cell(tmp_path: Path) -> None:
    """Before: "#REF! Ångström" was loaded as a name, and a manager lookup's #N/A read as no manager, which removed
    the stored reporting line. An error in a column the import does not read changes nothing."""
    _loaded(tmp_path)

    def errors(sheet: object) -> None:
        for cell, value in (("D3", "#N/A"), ("B4", "#REF!"), ("G2", "#DIV/0!")):
            sheet[cell] = value  # type: ignore[index]
            sheet[cell].data_type = "e"  # type: ignore[index]

    (tmp_path / "people.xlsx").write_bytes(_workbook([[*HEADER, "Ratio"], *PEOPLE], errors))
    done = ingest_in(tmp_path, "hris", "people.xlsx")
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert "people.xlsx, row 3: D3 holds #N/A: a formula that failed in the spreadsheet" in said, said
    assert "people.xlsx, row 4: B4 holds #REF!" in said, said
    assert "G2" not in said, said
    assert _people(tmp_path)[1:] == [("hr:000102", "José Muñoz", "hr:000101", "2020-02-01", "Ingénieur"),
                                     ("hr:000103", "Björn Ångström", "hr:000101", "2021-01-15", "Verkäufer")]
    (tmp_path / "saved.csv").write_text(_csv(PEOPLE).replace("Björn Ångström", "#REF!"), encoding="utf-8")
    done = ingest_in(tmp_path, "hris", "saved.csv")
    assert "saved.csv, row 4: Name holds #REF!" in " ".join(done.stderr.split()), done.stderr
    assert _people(tmp_path)[2][1] == "Björn Ångström"


@pytest.mark.parametrize(("fmt", "ids"), [('"E"000000', ["E000101", "E000102"]), ("000000;@", ["000101", "000102"]),
                                          ("\\E000000", ["E000101", "E000102"])])
def test_ids_keep_what_their_number_format_shows(tmp_path: Path, fmt: str, ids: list[str]) -> None:
    """Before: only a format of zeros alone was applied, so ``"E"000000`` and ``000000;@`` ids lost their letter or
    their zeros (``hr:101`` beside last month's ``hr:000101``)."""
    def numbers(sheet: object) -> None:
        for row in (2, 3):
            for col in ("A", "D"):
                cell = sheet[f"{col}{row}"]  # type: ignore[index]
                if cell.value:
                    cell.value, cell.number_format = int(cell.value), fmt

    rows: list[list[object]] = [[*r[:4], datetime.fromisoformat(r[4]), r[5]] for r in PEOPLE[:2]]
    (tmp_path / "ids.xlsx").write_bytes(_workbook([HEADER, *rows], numbers))
    done = ingest_in(tmp_path, "hris", "ids.xlsx")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [(p[0], p[2], p[3]) for p in _people(tmp_path)] == [
        (f"hr:{ids[0]}", None, "2019-12-31"), (f"hr:{ids[1]}", f"hr:{ids[0]}", "2020-02-01")]


def test_a_used_range_to_the_last_column_reads_each_row_at_its_own_width(tmp_path: Path) -> None:
    """A used range of A1:XFD1048576 (a format once applied far right and below) made openpyxl pad every row to
    16,384 cells: 2,000 rows took 26 s instead of 3, and progress counted to 1,048,576 rows. (Timing: bench/.)"""
    rows = [[f"{i:06d}", f"Person {i}", f"p{i}@example.org", "" if i == 1 else "000001", "2020-01-01", "Eng"]
            for i in range(1, 301)]
    whole = _workbook([HEADER, *rows])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', data)
                assert n == 1
            dst.writestr(info, data)
    (tmp_path / "wide.xlsx").write_bytes(out.getvalue())
    done = ingest_in(tmp_path, "hris", "wide.xlsx")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1048576" not in done.stderr.replace(",", ""), done.stderr
    people = _people(tmp_path)
    assert len(people) == 300
    assert people[-1][:3] == ("hr:000300", "Person 300", "hr:000001")
