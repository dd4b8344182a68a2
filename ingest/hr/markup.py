"""HR exports written as markup that Excel opens as a sheet: a web page holding the table (an HR system's "Export
to Excel") and an Excel 2003 XML spreadsheet. Their rows are read as a workbook's are (the header among the first
rows, report furniture skipped, other sheets listing people said); :mod:`ingest.hr.read` hands them over.
"""

from __future__ import annotations

from ingest.hr.htmltable import html_tables
from ingest.hr.read import HrTable, IsHeader, _first_header, _other_sheet, _table
from ingest.hr.spreadsheetml import xml_sheets


def read_html(file: str, text: str, is_header: IsHeader) -> HrTable | None:
    """The first table of a web page saved as a spreadsheet (:mod:`ingest.hr.htmltable`) with a header among its
    first rows, rows numbered as Excel shows the table; None when no table has one (a sign-in page's layout)."""
    for rows in html_tables(text):
        numbered = list(enumerate(rows, start=1))
        k = _first_header(numbered, is_header)
        if k is not None:
            return _table(file, iter(numbered), k)
    return None



def read_xml_sheets(file: str, text: str, is_header: IsHeader) -> HrTable | None:
    """The first worksheet of an Excel 2003 XML spreadsheet (:mod:`ingest.hr.spreadsheetml`) with a header among
    its first rows, as a workbook's (the other sheets listing people said); None when none has one."""
    sheets = [(name, rows, _first_header(rows, is_header)) for name, rows in xml_sheets(file, text)]
    found = [(name, rows, k) for name, rows, k in sheets if k is not None]
    if not found:
        return None

    def label(name: str) -> str:
        return file if len(sheets) == 1 else f"{file} (sheet {name!r})"

    name, rows, k = found[0]
    table = _table(label(name), iter(rows), k)
    for other, other_rows, j in found[1:]:
        _other_sheet(table, label(other), other, _table(label(other), iter(other_rows), j))
    return table


__all__ = ["read_html", "read_xml_sheets"]
