"""The endings an HR export is read under: one list for the reader and the folder layout (docker/ingest.sh)."""

from __future__ import annotations

from pathlib import Path

from ingest.hr.suffixes import HR_SUFFIXES, is_hr_name

ROOT = Path(__file__).resolve().parents[2]


def test_every_format_the_reader_reads_has_its_endings_in_the_list() -> None:
    for name in ("a.csv", "a.tsv", "a.txt", "a.json", "a.ldif", "a.xlsx", "a.xlsm", "a.xls", "a.htm", "a.html",
                 "a.mht", "a.mhtml", "a.xml", "A.XLS"):
        assert is_hr_name(name), name
    for name in ("a.pdf", "a.ods", "a.xlsb", "a.zip", "csv", ".csv", "a.csv.gz"):
        assert not is_hr_name(name), name


def test_the_layout_planner_takes_the_list_and_keeps_none_of_its_own() -> None:
    script = (ROOT / "docker" / "ingest.sh").read_text(encoding="utf-8")
    assert "from ingest.hr.suffixes import GENERIC, HR_SUFFIXES, is_hr_name" in script
    assert not any(f'"{s}"' in script for s in HR_SUFFIXES)  # a second list would drift from the reader's
