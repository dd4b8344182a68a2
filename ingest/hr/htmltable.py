"""The tables of a web page saved as a spreadsheet: the "Export to Excel" of PeopleSoft queries, SAP GUI lists,
Oracle and many HR portals writes an HTML page (often named ``.xls``) that Excel opens as a sheet.

Such a file was refused ("open it in Excel and save it as .xlsx"), though it holds the table a user sees when they
open it. Each ``<table>`` is read as rows of cell texts, numbered as Excel numbers them when it opens the page (the
table's first row is row 1); a cell spanning columns (``colspan``) fills them, the first with its text, as a merged
cell does. Pure: the standard library's HTML parser, which fetches nothing and expands no external entity.
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from html.parser import HTMLParser

_MAX_SPAN = 1000  # a colspan past any sheet's width is a broken attribute, not a thousand columns


@dataclass
class _Open:
    """A table being read: its rows, the row and cell open in it, and that cell's column span."""

    rows: list[list[str]] = field(default_factory=list)
    row: list[str] | None = None
    cell: list[str] | None = None
    span: int = 1


class _Tables(HTMLParser):
    """Collects every table's rows; a table inside a cell is a table of its own (its text is no part of the
    outer cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.open: list[_Open] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.open.append(_Open())
        elif not self.open:
            return
        elif tag == "tr":
            self._close_row()
            self.open[-1].row = []
        elif tag in ("td", "th"):
            self._close_cell()
            t = self.open[-1]
            span = (next((v for k, v in attrs if k == "colspan"), None) or "1").strip()
            t.row = t.row if t.row is not None else []
            t.cell, t.span = [], min(int(span), _MAX_SPAN) if span.isdigit() and int(span) > 0 else 1
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            return
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()
        elif tag == "table":
            self.close_table()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1].cell is not None:
            self.open[-1].cell.append(data)

    def close_table(self) -> None:
        self._close_row()
        self.tables.append(self.open.pop().rows)

    def _close_cell(self) -> None:
        t = self.open[-1]
        if t.cell is None or t.row is None:
            return
        text = "\n".join(" ".join(line.split()) for line in "".join(t.cell).split("\n")).strip()
        t.row.extend([text] + [""] * (t.span - 1))
        t.cell, t.span = None, 1

    def _close_row(self) -> None:
        self._close_cell()
        t = self.open[-1]
        if t.row is not None:
            t.rows.append(t.row)
        t.row = None


def html_tables(text: str) -> list[list[list[str]]]:
    """Every table of an HTML page, in the order they close (an inner table before the one holding it), as rows
    of cell texts (whitespace collapsed as a browser shows it, ``<br>`` kept as a line break, entities read).

    >>> html_tables("<table><tr><th>ID</th><th>Name</th></tr><tr><td>1</td><td>Ann &amp; Bo</td></tr></table>")
    [[['ID', 'Name'], ['1', 'Ann & Bo']]]
    >>> html_tables("<table><tr><td colspan=2>Report</td><td>x<td>y</table>")
    [[['Report', '', 'x', 'y']]]
    """
    parser = _Tables()
    parser.feed(text)
    parser.close()
    while parser.open:  # a page cut short: the tables it opened hold what was read
        parser.close_table()
    return parser.tables


def mhtml_page(text: str) -> str | None:
    """The web page inside a MIME HTML file (``.mht``; Oracle BI Publisher's and Excel's "Single File Web Page",
    often named ``.xls``), its quoted-printable or base64 transfer encoding undone; None when the text is no MIME
    document or holds no HTML part.

    >>> mhtml_page('MIME-Version: 1.0\\nContent-Type: multipart/related; boundary="b"\\n\\n--b\\n'
    ...            'Content-Type: text/html; charset="utf-8"\\nContent-Transfer-Encoding: quoted-printable\\n\\n'
    ...            '<table><tr><td>J=C3=BCrgen</td></tr></table>\\n--b--\\n')
    '<table><tr><td>Jürgen</td></tr></table>'
    """
    if not text.lstrip("\ufeff").lower().startswith("mime-version:"):
        return None
    message = email.message_from_string(text.lstrip("\ufeff"))
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    return None


__all__ = ["html_tables", "mhtml_page"]
