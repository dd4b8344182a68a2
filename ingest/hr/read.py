"""Open and decode an HR export: CSV or TSV in any encoding (given, or detected), JSON, or an Excel workbook
(.xlsx), into rows of values by column name, each with the line (or sheet row) it came from.

Nothing here knows what the columns mean: the caller says which row is the header (``is_header``), so a report's
title and run-date lines above it are skipped the same way in a CSV and in a workbook. A row that cannot be split
or decoded is rejected alone, with its line number; the rows before and after it still load.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from ingest.csvrows import Records
from ingest.forum.common import MAX_MEMBER_ENV, max_member_bytes
from ingest.hr.cells import cell_text, error_text
from ingest.hr.encoding import decode_export
from ingest.hr.furniture import not_a_person
from ingest.hr.htmltable import mhtml_page
from ingest.hr.jsonread import read_json
from ingest.hr.ldif import looks_like_ldif, read_ldif
from ingest.hr.shape import formula_text, named_width, reject_short, trimmed, without_eof_mark
from ingest.hr.sniff import HTML_TABLE, XLSX, XML_SPREADSHEET, binary_kind, text_kind
from ingest.hr.suffixes import JSON, LDIF, TSV
from ingest.hr.table import HrTable, IsHeader, Progress, bad_byte, encoding_reason
from ingest.rejects import Reject
from schema.errors import UnreadableInput
from schema.files import read_regular

# --- text exports ----------------------------------------------------------------------------------


def read_table(path: str | Path, encoding: str | None = None, is_header: IsHeader | None = None,
               progress: Progress | None = None) -> HrTable:
    """Open and decode a CSV, TSV, JSON (a list of objects, or {"employees": [...]}) or .xlsx export, in
    ``encoding`` or, when None, the one its bytes show (:mod:`ingest.hr.encoding`). ``progress``
    hears of a workbook's rows as they are read (100,000 rows take about 25 s; a text file reads in a moment)."""
    p = Path(path)
    file = str(p)
    if p.is_dir():
        raise UnreadableInput(file, "is a directory, expected a CSV, JSON or Excel file")
    try:
        raw = read_regular(p)
    except FileNotFoundError:
        raise UnreadableInput(file, "no such file") from None
    except OSError as exc:
        raise UnreadableInput(file, f"cannot read: {exc.strerror}") from None
    if not raw.strip():
        raise UnreadableInput(file, "empty file")
    kind = binary_kind(raw, p.suffix)
    if kind is not None and kind.what == XLSX:
        return _read_xlsx(file, raw, is_header, progress)
    if kind is not None:
        raise UnreadableInput(file, kind.message())
    decoded = decode_export(raw, file, encoding)
    text, label = decoded.text, decoded.label
    page = mhtml_page(text)  # a "Single File Web Page" (.mht) holding the table: its page is what Excel shows
    text = page if page is not None else text
    kind = text_kind(text)
    if kind is not None and kind.what in (HTML_TABLE, XML_SPREADSHEET) and is_header is not None:
        from ingest.hr.markup import read_html, read_xml_sheets  # they read rows with this module's helpers

        table = read_html(file, text, is_header) if kind.what == HTML_TABLE else read_xml_sheets(file, text, is_header)
        if table is not None:
            table.encoding, table.encoding_guessed = decoded.encoding, decoded.guessed
            return table
    if kind is not None:
        raise UnreadableInput(file, kind.message())
    first = text.lstrip()[:1]
    if p.suffix.lower() in JSON or first in ("[", "{"):
        table = read_json(file, text, label)
    elif p.suffix.lower() in LDIF or looks_like_ldif(text):
        header, rows, rejects, skipped = read_ldif(file, text)
        if not rows and not rejects:
            raise UnreadableInput(file, "an LDIF file without a person entry (objectClass user, person, "
                                        "inetOrgPerson)")
        table = HrTable(file, header, rows, rejects, skipped=skipped)
    else:
        table = _read_csv(file, without_eof_mark(text), "\t" if p.suffix.lower() in TSV else None, label,
                          is_header)
    table.encoding, table.encoding_guessed = decoded.encoding, decoded.guessed
    return table


HEADER_SEARCH = 20  # lines read looking for the header below a report's title, run date and prompts


def _read_csv(file: str, text: str, delimiter: str | None, label: str = "UTF-8",
              is_header: Callable[[list[str]], bool] | None = None) -> HrTable:
    first_line = text.split("\n", 1)[0]
    # the first line's most frequent separator first (ties: in this order); another one when only it finds a header
    # below a title line (a semicolon-separated export titled "Headcount, Germany")
    candidates = [delimiter] if delimiter else sorted((",", ";", "\t", "|"), key=first_line.count, reverse=True)
    delimiter, skip = candidates[0], 0
    for d in candidates:
        found = _header_index(text, d, is_header) if is_header else None
        if found is not None:
            delimiter, skip = d, found
            break
    else:
        if is_header:  # no header: the missing column is said of the likeliest one, not of a title line above it
            lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            skip = _widest((lines.line_num, cells) for cells in _guarded(lines))
    records = Records(io.StringIO(text, newline=""), delimiter)
    reader = iter(records)
    rejects: list[Reject] = []
    header_line, got, above = 1, None, None
    for _ in range(skip + 1):
        header_line = records.line_num + 1
        above = got
        header_line, got = next(reader, (header_line, None))
    if got is None:
        raise UnreadableInput(file, "empty file")
    if isinstance(got, str):
        raise UnreadableInput(file, f"unreadable header: {got}", header_line)
    header = got
    bad = bad_byte(header)
    if bad is not None:
        raise UnreadableInput(file, f"the header is {encoding_reason(bad, label)}", header_line)
    header = _unique(grouped([h.strip() for h in header], above if isinstance(above, list) else None))
    if not any(header):
        raise UnreadableInput(file, "the first line (the header) is empty", 1)
    rows: list[tuple[int, dict[str, Any]]] = []
    unread: list[tuple[int, dict[str, Any]]] = []
    skipped: list[tuple[int, str]] = []
    width, named = len(header), named_width(header)
    counts: dict[int, int] = {}  # row -> its cells, to tell a row cut short
    final = 0
    errors: dict[int, dict[str, str]] = {}
    for n, cells in reader:
        if isinstance(cells, str):  # an unreadable record, or an unterminated quote (the rows after it read again)
            rejects.append(Reject(file, n, cells))
            continue
        if not cells or all(not f.strip() for f in cells):
            continue
        fields, final = trimmed([formula_text(f) for f in cells], width), n
        furniture = not_a_person(fields, header)
        if furniture is not None:
            skipped.append((n, furniture))
            continue
        bad = bad_byte(fields)
        if bad is not None or len(fields) > width:
            reason = encoding_reason(bad, label) if bad is not None else \
                f"{len(fields)} fields but the header has {width}"
            rejects.append(Reject(file, n, reason))
            unread.append((n, dict(zip(header, fields, strict=False))))
            continue
        said = {h: f"{h} holds {f.strip()}" for h, f in zip(header, fields, strict=False) if error_text(f)}
        if said:
            errors[n] = said
        counts[n] = len(fields)
        rows.append((n, dict(zip(header, fields, strict=False))))
    unended = None if text.endswith(("\n", "\r")) else final
    reject_short(file, rows, rejects, unread, counts, named, unended)
    table = HrTable(file, header, rows, rejects, header_line, unread, skipped)
    table.errors = errors
    return table


def _header_index(text: str, delimiter: str, is_header: Callable[[list[str]], bool]) -> int | None:
    """The position of the header among the first records, or None when none of them is one."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for k, fields in enumerate(reader):
            if reader.line_num > HEADER_SEARCH:
                return None
            if bad_byte(fields) is None and is_header([f.strip() for f in fields]):
                return k
    except csv.Error:
        return None
    return None


def grouped(header: list[str], above: list[str] | None) -> list[str]:
    """Column names written twice told apart by the group labels of the row above the header, as a report with a
    two-row header writes them (``Employee`` over ``ID, Name``, ``Manager`` over ``ID, Name``: a merged cell, or in
    a CSV the label over the group's first column): the later ones become ``Manager ID``, ``Manager Name``. Read as
    they were, they were unused columns, and every reporting line was silently lost. The first keeps its name;
    names that two columns of one group share, and a title line (one label over everything), stay as they are.

    >>> grouped(["ID", "Name", "ID", "Name"], ["Employee", "", "Manager", ""])
    ['ID', 'Name', 'Manager ID', 'Manager Name']
    >>> grouped(["ID", "ID"], ["Headcount report", ""]), grouped(["ID", "ID"], ["Headcount", "Run 2024-05-01"])
    (['ID', 'ID'], ['ID', 'Run 2024-05-01 ID'])
    """
    if not above or len(set(header)) == len(header):
        return header
    groups, current = [], ""
    for i in range(len(header)):
        label = above[i].strip() if i < len(above) else ""
        current = label or current
        groups.append(current)
    out = list(header)
    for name in {h for h in header if h and header.count(h) > 1}:
        cols = [i for i, h in enumerate(header) if h == name]
        if len({groups[i] for i in cols}) == len(cols):
            for i in cols[1:]:  # the first keeps its name: a title's words never hide the id or the name
                out[i] = f"{groups[i]} {name}"
    return out


def _unique(header: list[str]) -> list[str]:
    """Column names made unique: a name written twice keeps its first column (the one a mapping naming it reads);
    a later column of that name is ``Name [column N]``, so it is neither read by mistake nor out of reach."""
    seen: set[str] = set()
    out = []
    for i, h in enumerate(header, start=1):
        out.append(f"{h} [column {i}]" if h and h in seen else h)
        seen.add(h)
    return out


# --- Excel workbooks ---------------------------------------------------------------------------------


def _read_xlsx(file: str, raw: bytes, is_header: IsHeader | None, progress: Progress | None = None) -> HrTable:
    """The first sheet with a header among its first rows (else the first sheet, header on row 1), read as text the
    way the sheet shows it: row numbers are the sheet's, so a rejected row is the row a person sees in Excel."""
    import openpyxl  # only an .xlsx needs it

    _refuse_xlsx_bomb(file, raw)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook
        raise UnreadableInput(file, f"unreadable Excel workbook ({exc}): save it again from Excel, or save the sheet "
                                    "as CSV UTF-8 and ingest that file") from None
    try:
        sheets = list(book.worksheets)
        if not sheets:
            raise UnreadableInput(file, "the workbook has no sheet")
        totals = {id(s): _declared_rows(s) for s in sheets}
        for s in sheets:
            s.reset_dimensions()  # rows as long as their own cells: a used range to XFD made each 16,384 wide
        chosen, skip = sheets[0], 0
        found = next(((sheet, k) for sheet in sheets if is_header is not None
                      and (k := _first_header(_sheet_rows(sheet, file), is_header)) is not None), None)
        if found is not None:
            chosen, skip = found
        elif is_header is not None:  # say the missing column of the likeliest header, not of a title above it
            skip = _widest(_sheet_rows(chosen, file))
        label = file if len(sheets) == 1 else f"{file} (sheet {chosen.title!r})"
        if progress is not None:
            progress.start(f"reading {Path(file).name}", totals[id(chosen)], "rows")
        errors: dict[int, dict[int, str]] = {}
        table = _table(label, _sheet_rows(chosen, label, errors), skip, progress)
        table.errors = {n: {table.header[i]: said for i, said in cells.items() if i < len(table.header)}
                        for n, cells in errors.items()}
        _uncalculated(table, raw, getattr(chosen, "_worksheet_path", None))
        table.epoch = _epoch(book)
        if found is not None and is_header is not None:
            _other_sheets(table, file, [s for s in sheets if s is not chosen], is_header)
        return table
    finally:
        book.close()


def _epoch(book: Any) -> date | None:
    """Day 0 of the workbook's serial numbers when it is in the 1904 date system (``workbookPr date1904``), else
    None: the 1900 system every text export and most workbooks use."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    return CALENDAR_MAC_1904.date() if getattr(book, "epoch", None) == CALENDAR_MAC_1904 else None


def _declared_rows(sheet: Any) -> int | None:
    """The rows a sheet's used range claims, for progress; None when unrecorded or the whole sheet (a stray
    format at the bottom row claims 1,048,576). openpyxl pads every row to the used range's width, so a used range
    running to column XFD (a format or a deleted value far right) made 2,000 rows take 26 s, 50,000 about ten
    minutes: the sheets are read with the range reset, each row as long as its own cells."""
    rows = sheet.max_row
    return rows if isinstance(rows, int) and 0 < rows < 1_048_576 else None


def _other_sheets(table: HrTable, file: str, sheets: list[Any], is_header: IsHeader) -> None:
    """Say of every other sheet that lists people (a header of its own, and rows under it) that it is not read,
    and keep its rows as ``elsewhere``: an "Active" and a "Terminated" sheet, or one sheet per country, were read
    as the first alone, silently, and ``--full`` made leavers of everyone on the others."""
    for sheet in sheets:
        label = f"{file} (sheet {sheet.title!r})"
        k = _first_header(_sheet_rows(sheet, label), is_header)
        if k is not None:
            _other_sheet(table, label, sheet.title, _table(label, _sheet_rows(sheet, label), k))


def _other_sheet(table: HrTable, label: str, title: str, other: HrTable) -> None:
    rows = sorted([*other.rows, *other.unread], key=lambda t: t[0])
    if not rows:
        return
    table.notes.append(Reject(label, None, (
        f"sheet {title!r} also lists people ({_span(rows)}) and is "
        f"not read: one sheet is read per workbook. Save each sheet as its own file and ingest each, or put "
        f"everyone on one sheet; until then its people are neither loaded nor, under --full, made leavers"),
        kind="sheet"))
    table.elsewhere += [(f"sheet {title!r}, row {n}", rec) for n, rec in rows]


# a cell holding a formula and no value Excel saved (<v/>, <v></v> or none): a workbook a program wrote
_NO_VALUE = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)\s*'
                       rb"(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


def _uncalculated(table: HrTable, raw: bytes, part: str | None) -> None:
    """Note, by row, the cells that hold a formula with no saved value: a workbook written by a program (openpyxl,
    a report generator) and never opened in Excel has none, so they read as empty, and their rows were rejected
    ("name is empty") with no word of why. A row's reject names them."""
    if not part:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            xml = z.read(part)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return
    for m in _NO_VALUE.findall(xml):
        cell = m.decode()
        table.uncalculated.setdefault(int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append(cell)


def _span(rows: list[tuple[int, Any]]) -> str:
    return f"1 row, row {rows[0][0]}" if len(rows) == 1 else f"{len(rows)} rows, rows {rows[0][0]}-{rows[-1][0]}"


def _refuse_xlsx_bomb(file: str, raw: bytes) -> None:
    """UnreadableInput when a workbook part would unpack to more than ``WHOKNOWS_MAX_MEMBER_BYTES`` (256 MiB):
    openpyxl holds the shared strings whole, so 4 MB of workbook with 1.5 GB of strings took 1.9 GB of memory.
    zipfile never returns more than a member's declared size (a lying header fails its CRC), so the declared sizes
    bound what reading can take."""
    limit = max_member_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            big = next((i for i in z.infolist() if i.file_size > limit), None)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # load_workbook says what is wrong with it
    if big is not None:
        raise UnreadableInput(file, f"{big.filename} would unpack to {big.file_size:,} bytes, over the "
                                    f"{limit:,}-byte limit ({MAX_MEMBER_ENV}): not an HR export this size, or "
                                    "save the sheet as CSV UTF-8 and ingest that file")


def _sheet_rows(sheet: Any, file: str, errors: dict[int, dict[int, str]] | None = None,
                ) -> Iterator[tuple[int, list[str]]]:
    """(sheet row number, cell texts) of every row; ``errors`` gets each formula error cell (row -> column index
    -> "F3 holds #N/A"). A read-only sheet is parsed as it is iterated, so a damaged sheet (malformed XML, an
    entity declaration, a bad zip member) fails here: UnreadableInput naming the row."""
    from openpyxl.utils import get_column_letter

    last = 0
    rows = iter(sheet.iter_rows())
    while True:
        try:
            row = next(rows, None)
        except Exception as exc:  # noqa: BLE001 - openpyxl, expat, defusedxml and zipfile raise many kinds
            raise UnreadableInput(file, f"unreadable Excel sheet {sheet.title!r} after row {last} "
                                        f"({type(exc).__name__}: {str(exc)[:200]}): save it again from Excel, or "
                                        "save the sheet as CSV UTF-8 and ingest that file", last + 1) from None
        if row is None:
            return
        cells = [c for c in row if getattr(c, "row", None) is not None]
        if cells:
            last = cells[0].row
            if errors is not None:
                bad = {i: f"{get_column_letter(c.column)}{last} holds {c.value}"
                       for i, c in enumerate(row) if getattr(c, "data_type", None) == "e"}
                if bad:
                    errors[last] = bad
            yield last, [cell_text(c.value, getattr(c, "number_format", "General")) for c in row]


def _widest(rows: Iterable[tuple[int, list[str]]]) -> int:
    """The position of the first of the first rows with the most filled cells: where no row names the required
    fields, the likeliest header (a report's title above it fills one cell), so that the missing column is said
    with the columns the file has (``missing required column 'name' (columns: Employee #, ...)``), not with its
    title (``(columns: Employee Report)``).

    >>> _widest([(1, ["Employee Report"]), (2, []), (3, ["Employee #", "Full", "Dept"]), (4, ["1", "Ann", ""])])
    2
    """
    best, at = -1, 0
    for k, (n, fields) in enumerate(rows):
        if n > HEADER_SEARCH:
            break
        filled = sum(1 for f in fields if f and f.strip())
        if filled > best:
            best, at = filled, k
    return at


def _guarded(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """A csv reader's records up to the first it cannot read."""
    try:
        yield from reader
    except csv.Error:
        return


def _first_header(rows: Iterable[tuple[int, list[str]]], is_header: IsHeader) -> int | None:
    for k, (n, fields) in enumerate(rows):
        if n > HEADER_SEARCH:
            return None
        if is_header([f.strip() for f in fields]):
            return k
    return None


def _table(file: str, rows: Iterator[tuple[int, list[str]]], skip: int, progress: Progress | None = None) -> HrTable:
    above: tuple[int, list[str]] | None = None
    for _ in range(skip):
        above = next(rows, None)
    first = next(rows, None)
    if first is None:
        raise UnreadableInput(file, "empty sheet")
    header_line, names = first
    while names and not names[-1].strip():
        names.pop()  # a sheet's used range often runs past its last named column
    right_above = above is not None and above[0] == header_line - 1  # a blank row between: no group labels
    header = _unique(grouped([h.strip() for h in names], above[1] if above is not None and right_above else None))
    if not any(header):
        raise UnreadableInput(file, "the header row is empty", header_line)
    out: list[tuple[int, dict[str, Any]]] = []
    rejects: list[Reject] = []
    unread: list[tuple[int, dict[str, Any]]] = []
    skipped: list[tuple[int, str]] = []
    width = len(header)
    seen = 0
    for n, fields in rows:
        seen += 1
        if progress is not None and seen % 1000 == 0:
            progress.advance(1000)
        if all(not f.strip() for f in fields):
            continue
        furniture = not_a_person(fields, header)
        if furniture is not None:
            skipped.append((n, furniture))
            continue
        extra = [f for f in fields[width:] if f.strip()]
        if extra:
            rejects.append(Reject(file, n, f"values past the header's {width} columns: {', '.join(extra[:3])}"))
            unread.append((n, dict(zip(header, fields, strict=False))))
            continue
        out.append((n, dict(zip(header, fields, strict=False))))
    if progress is not None:
        progress.advance(seen % 1000)
    return HrTable(file, header, out, rejects, header_line, unread, skipped)


__all__ = ["HEADER_SEARCH", "XLSX", "HrTable", "IsHeader", "cell_text", "grouped", "read_table"]
