"""Excel 2003 XML spreadsheets ("XML Spreadsheet 2003"), as SAP, Oracle and older HR portals export a report.

Such a file was refused ("open it in Excel and save it as .xlsx") though Excel opens it as a workbook. Each
``<Worksheet>`` is read as rows of cell texts, numbered as Excel numbers them (a ``Row``'s or ``Cell``'s
``ss:Index`` skips to that row or column; ``ss:MergeAcross`` fills the merged columns, the first with the text, as
a merged cell does). A date cell (``ss:Type="DateTime"``) reads as its ISO date (and time, when it has one).
Parsed by defusedxml: entity declarations and external references are refused.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from schema.errors import UnreadableInput

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_MAX_COLUMNS = 16_384  # a sheet's width: an index past it is a broken attribute


def _index(el: Element, after: int) -> int:
    raw = el.get(f"{_SS}Index", "")
    return min(int(raw), _MAX_COLUMNS if el.tag == f"{_SS}Cell" else 1_048_576) if raw.isdigit() and int(raw) > 0 \
        else after + 1


def _text(cell: Element) -> str:
    data = cell.find(f"{_SS}Data")
    if data is None:
        return ""
    text = "".join(data.itertext()).strip()
    if data.get(f"{_SS}Type") == "DateTime" and "T" in text:
        day, _, time = text.partition("T")
        time = time.split(".")[0]
        return day if time in ("", "00:00:00", "00:00") else f"{day} {time}"
    return text


def _row(row: Element) -> list[str]:
    cells: list[str] = []
    for cell in row.findall(f"{_SS}Cell"):
        at = _index(cell, len(cells))
        cells.extend([""] * (at - 1 - len(cells)))
        span = cell.get(f"{_SS}MergeAcross", "0")
        cells.extend([_text(cell)] + [""] * (min(int(span), _MAX_COLUMNS) if span.isdigit() else 0))
    return cells


def xml_sheets(file: str, text: str) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Each worksheet's name and its ``(row number, cell texts)``; malformed XML is UnreadableInput.

    >>> xml_sheets("f.xml", '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
    ...     'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="People"><Table>'
    ...     '<Row><Cell ss:MergeAcross="1"><Data ss:Type="String">Title</Data></Cell></Row>'
    ...     '<Row ss:Index="3"><Cell><Data ss:Type="Number">7</Data></Cell><Cell ss:Index="3"><Data '
    ...     'ss:Type="DateTime">2011-07-05T00:00:00.000</Data></Cell></Row></Table></Worksheet></Workbook>')
    [('People', [(1, ['Title', '']), (3, ['7', '', '2011-07-05'])])]
    """
    try:
        root = fromstring(text.lstrip("\ufeff"))
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise UnreadableInput(file, f"unreadable Excel 2003 XML spreadsheet ({type(exc).__name__}: "
                                    f"{str(exc)[:200]}): save it as .xlsx or CSV UTF-8 from Excel") from None
    sheets: list[tuple[str, list[tuple[int, list[str]]]]] = []
    for sheet in root.iter(f"{_SS}Worksheet"):
        rows: list[tuple[int, list[str]]] = []
        n = 0
        for table in sheet.findall(f"{_SS}Table"):
            for row in table.findall(f"{_SS}Row"):
                n = _index(row, n)
                rows.append((n, _row(row)))
        sheets.append((sheet.get(f"{_SS}Name", f"Sheet{len(sheets) + 1}"), rows))
    return sheets


__all__ = ["xml_sheets"]
