"""The file name endings an HR export is read under, one list for the reader and for a folder read by layout.

The reader reads a file for what its bytes are, but a few decisions start from the name (``.tsv`` is tab-separated,
``.json`` is JSON, an ``.xlsx`` cut short is a workbook), and a folder of exports read by layout (``docker/ingest.sh``
on ``./exports``) takes a file at its top as an HR export by its ending alone. The layout kept a list of its own
(CSV, TSV, JSON, .xlsx), so the web pages and XML spreadsheets HR systems save as ``.xls``, ``.mht`` and ``.xml``,
which the reader reads, were skipped there without a word. No imports: the layout's planner imports this alone.
"""

from __future__ import annotations

TEXT = (".csv", ".txt")  # any of , ; tab |; Excel's "Unicode text" is saved as .txt
TSV = (".tsv", ".tab")
JSON = (".json",)
LDIF = (".ldif", ".ldf")
WORKBOOK = (".xlsx", ".xlsm")
# a web page holding the table ("Export to Excel" writes HTML named .xls), MIME-wrapped pages, XML spreadsheet 2003
PAGES = (".xls", ".htm", ".html", ".mht", ".mhtml", ".xml")
HR_SUFFIXES = (*TEXT, *TSV, *JSON, *LDIF, *WORKBOOK, *PAGES)


def is_hr_name(name: str) -> bool:
    """Whether a file of this name is taken as an HR export where only its name is seen (a folder read by layout).

    >>> is_hr_name("people.CSV"), is_hr_name("Report.xls"), is_hr_name("export.mht"), is_hr_name("notes.pdf")
    (True, True, True, False)
    """
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in HR_SUFFIXES


__all__ = ["HR_SUFFIXES", "JSON", "LDIF", "PAGES", "TEXT", "TSV", "WORKBOOK", "is_hr_name"]
