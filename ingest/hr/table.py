"""What every HR export reader returns (:class:`HrTable`) and the pieces the readers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ingest.rejects import Reject

IsHeader = Callable[[list[str]], bool]


class Progress(Protocol):
    """Where a long read reports how far it got (the pipeline's progress: a rich bar at the CLI)."""

    def start(self, label: str, total: int | None, unit: str) -> None: ...
    def advance(self, n: int) -> None: ...


@dataclass
class HrTable:
    """A decoded export: its header (column names as in the file) and rows as (line number, values by column)."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    rejects: list[Reject] = field(default_factory=list)  # rows the reader could not split or decode
    header_line: int = 1  # a report's title and run-date lines above the header are skipped
    # rows the reader rejected, as far as they could be split: their people are in the file (never leavers)
    unread: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # rows that are not people (a second header row of labels, a report's total lines): (line, why), not read
    skipped: list[tuple[int, str]] = field(default_factory=list)
    encoding: str | None = None  # the text encoding read (None: a workbook)
    encoding_guessed: str | None = None  # set when the encoding was detected, not given: what was seen
    notes: list[Reject] = field(default_factory=list)  # said once for the file (a workbook's sheet not read)
    # rows of people the file holds but the table does not (another sheet of a workbook): (where, values by column)
    elsewhere: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    uncalculated: dict[int, list[str]] = field(default_factory=dict)  # row -> cells of formulas never calculated
    errors: dict[int, dict[str, str]] = field(default_factory=dict)  # row -> column -> a formula error it holds
    # day 0 of a workbook's date serials when it is in the 1904 date system (None: the 1900 system, or no workbook):
    # its date cells are read right by openpyxl, but a plain number in a date column is a serial of that system
    epoch: date | None = None


def bad_byte(values: Iterable[Any]) -> int | None:
    """The first undecodable byte (as escaped by surrogateescape) in any string value, else None."""
    for v in values:
        if isinstance(v, str):
            for ch in v:
                if "\udc80" <= ch <= "\udcff":
                    return ord(ch) - 0xDC00
    return None


def encoding_reason(byte: int, label: str) -> str:
    if label == "UTF-8":
        return f"not {label} text (byte 0x{byte:02x}); set [options] encoding in --mapping (e.g. \"cp1252\")"
    return (f"not {label} text (byte 0x{byte:02x} is no {label} character, the file's other bytes read as "
            f"{label}): fix that cell, or set [options] encoding in --mapping")


__all__ = ["HrTable", "IsHeader", "Progress", "bad_byte", "encoding_reason"]
