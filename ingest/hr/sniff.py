"""What a file passed as an HR export really is, from its bytes, whatever its name says.

Exports reach the operator by download and mail, so the name is often wrong: a sign-in or error page saved as
``people.xlsx`` when the session had expired, a PDF report named ``.csv``, an HR system's "Export to Excel" that
writes an HTML table or an Excel 2003 XML spreadsheet named ``.xls``, a workbook the HR system protected with a
password, a download cut short. Read as text, each became "missing required column 'id' (columns: <!DOCTYPE html>)"
or the whole page quoted back, or "no text encoding reads it cleanly", which says nothing of what to do. Each is
named here for what it is, with the formats that are read and what to do instead. Pure functions over bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from ingest.hr.suffixes import WORKBOOK

ACCEPTED = "not a CSV, TSV, JSON, LDIF or .xlsx export"
XLSX = "an Excel workbook (.xlsx)"
XML_SPREADSHEET = "an Excel 2003 XML spreadsheet"
HTML_TABLE = "a web page holding a table (as an HR system's \"Export to Excel\" writes)"
_RESAVE = "save the sheet as .xlsx or CSV UTF-8 (or export CSV from the HR system) and ingest that file"
_ENCRYPTED = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0".encode("latin-1")  # the CFB stream's UTF-16 name


@dataclass(frozen=True)
class Kind:
    """What a file is (``what``: "a PDF document") and what the operator can do (``advice``)."""

    what: str
    advice: str = _RESAVE
    read: bool = False  # a format that is read (a workbook cut short): no "not a CSV ... export"

    def message(self) -> str:
        return f"{self.what}: {self.advice}" if self.read else f"{self.what}, {ACCEPTED}: {self.advice}"


def binary_kind(raw: bytes, suffix: str = "") -> Kind | None:
    """The kind of a file that is no text (a workbook, an archive, a PDF), :data:`XLSX` for a workbook that is
    read, or None for text. ``suffix`` (".xlsx") tells a workbook cut short from another damaged zip."""
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE compound file
        if _ENCRYPTED in raw:
            return Kind("a password-protected Excel workbook (encrypted)",
                        "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
                        "Password, empty), save it, and ingest that file, or save the sheet as CSV UTF-8")
        return Kind("an Excel workbook (.xls)")
    if raw.startswith(b"%PDF-"):
        return Kind("a PDF document", "export the report from the HR system as CSV or Excel (.xlsx), not as PDF")
    if raw.startswith(b"\x1f\x8b"):
        return Kind("a gzip archive", "unpack it (gunzip) and ingest the file inside")
    if not raw.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        if suffix.lower() in WORKBOOK:
            return Kind(f"a damaged Excel workbook ({len(raw):,} bytes, its zip directory missing: cut short in "
                        "the download or the copy?)", "download or copy it again, or save the sheet as CSV UTF-8",
                        read=True)
        return Kind("a zip archive (damaged)", "download or copy it again")
    if "xl/workbook.bin" in names:
        return Kind("an Excel binary workbook (.xlsb)", "open it in Excel and save it as .xlsx or CSV UTF-8")
    if any(n.startswith("xl/") for n in names):
        return Kind(XLSX)
    if "content.xml" in names:
        return Kind("an OpenDocument spreadsheet (.ods)")
    inside = [n for n in names if not n.endswith("/")]
    shown = ", ".join(inside[:5]) + (f" and {len(inside) - 5} more" if len(inside) > 5 else "")
    return Kind(f"a zip archive ({shown or 'empty'})",
                "unpack it and ingest each export in it (one command per file, or one manifest listing them)")


_TITLE = re.compile(r"<title[^>]*>([^<]{1,120})", re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def text_kind(text: str) -> Kind | None:
    """The kind of a text file that is no table of people: a web page, an HTML table, an XML or RTF document; None
    for anything else (CSV, TSV, JSON, LDIF go on to their readers)."""
    head = text[:4096].lstrip("\ufeff \t\r\n")
    low = head.lower()
    if low.startswith("{\\rtf"):
        return Kind("an RTF document", "export the report from the HR system as CSV or Excel (.xlsx)")
    if low.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in low:
            # read when a sheet has a header (:mod:`ingest.hr.spreadsheetml`); this is said when none has
            return Kind(XML_SPREADSHEET, "no sheet in it has a header naming an id and a name: open it in Excel and "
                                         "save it as .xlsx or CSV UTF-8")
        body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head, flags=re.DOTALL)
        root = _ROOT.search(body)
        return Kind(f"an XML document{f' (<{root.group(1)}>)' if root else ''}",
                    "export the report as CSV or JSON instead")
    if not low.startswith("<") or not re.match(r"<(!doctype\s+html|html|head|body|table|meta|!--)", low):
        return None
    if "<table" in text[:1_000_000].lower():
        # read when one of its tables has a header (:mod:`ingest.hr.htmltable`); this is said when none has
        return Kind(HTML_TABLE, "no table in it has a header naming an id and a name: open it in Excel and save "
                                "it as .xlsx or CSV UTF-8, or export CSV from the HR system")
    title = _TITLE.search(text[:65536])
    said = f" titled {' '.join(title.group(1).split())!r}" if title else ""
    return Kind(f"a web page{said} (no export)",
                "the download most likely saved a sign-in or error page: sign in to the HR system and download "
                "the export again")


__all__ = ["ACCEPTED", "HTML_TABLE", "XLSX", "XML_SPREADSHEET", "Kind", "binary_kind", "text_kind"]
