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
# endings as likely to be anything else (a README.txt, a config .xml, a saved web page) as an HR export: at the top
# of a folder read by layout they are skipped, and said, rather than read and failing the whole run; under hris/
# every file is an HR export, so an HR export with one of these endings goes there
GENERIC = (".txt", ".xml", ".htm", ".html")


def is_hr_name(name: str, *, generic: bool = True) -> bool:
    """Whether a file of this name is taken as an HR export where only its name is seen (a folder read by layout);
    ``generic=False``: not the endings any other file may have (:data:`GENERIC`).

    >>> is_hr_name("people.CSV"), is_hr_name("Report.xls"), is_hr_name("export.mht"), is_hr_name("notes.pdf")
    (True, True, True, False)
    >>> is_hr_name("README.txt"), is_hr_name("README.txt", generic=False), is_hr_name("a.csv", generic=False)
    (True, False, True)
    """
    dot = name.rfind(".")
    ending = name[dot:].lower()
    return dot > 0 and ending in HR_SUFFIXES and (generic or ending not in GENERIC)


__all__ = ["GENERIC", "HR_SUFFIXES", "JSON", "LDIF", "PAGES", "TEXT", "TSV", "WORKBOOK", "is_hr_name"]
