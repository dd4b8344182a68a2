"""The shape of a CSV export's rows against its header: what spreadsheets add, and what a damaged file lacks.

- Excel's text trick ``="000123"``: payroll and HR systems write ids (and phone numbers) so, to keep Excel from
  dropping the zeros when the CSV is opened. Read as written, the id became ``hr:="000123"``: every person was new,
  and no manager ever linked to a stored person. The cell is its quoted text.
- Empty cells past the header (a used range that runs further right than the named columns: ``E1,Ann,,,``) rejected
  every row ("12 fields but the header has 8"), where a workbook's were ignored. They are dropped.
- A row with fewer cells than the header is a row cut short when the file stops inside it (a download or copy
  cut off: no line break after it, and every other row whole) or when a line break inside an unquoted cell split
  it in two (two neighbours whose cells add up to the header's and one more). Loaded, its missing cells read as
  blank: the person lost their manager, hire date and title, and a stored reporting line was removed as "manager
  now blank". It is rejected instead, naming the cells it has and the header's. Any other short row loads as
  before: a writer that leaves out trailing empty cells writes the top manager's row short, and it is whole.
- A DOS end-of-file mark (Ctrl-Z, ``\\x1a``) after the last line, as old payroll systems write, is no row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ingest.rejects import Reject

_FORMULA_TEXT = re.compile(r'^="((?:[^"]|"")*)"$')


def formula_text(cell: str) -> str:
    """A cell's text without Excel's ``="..."`` wrapping.

    >>> formula_text('="000123"'), formula_text('="a ""b"" c"'), formula_text("=A1+1"), formula_text("Ann")
    ('000123', 'a "b" c', '=A1+1', 'Ann')
    """
    if not cell.startswith('="'):
        return cell
    m = _FORMULA_TEXT.match(cell.strip())
    return m.group(1).replace('""', '"') if m else cell


def named_width(header: Sequence[str]) -> int:
    """The header's columns up to its last named one (a used range adds unnamed ones after it)."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


def trimmed(fields: list[str], width: int) -> list[str]:
    """``fields`` without empty cells past ``width`` (any filled one past it is kept, for the caller to reject)."""
    if len(fields) <= width or any(f.strip() for f in fields[width:]):
        return fields
    return fields[:width]


def without_eof_mark(text: str) -> str:
    """``text`` without a DOS end-of-file mark (Ctrl-Z) after its last line."""
    return text.rstrip("\x1a")


def short_reason(have: int, width: int) -> str:
    """The reason given for the last row when the file stops inside it.

    >>> short_reason(5, 8)[:71]
    "the file ends inside this row (5 of the header's 8 cells, no line break"
    """
    return (f"the file ends inside this row ({have} of the header's {width} cells, no line break after it): cut "
            "short in the export, download or copy? Export it again")


def reject_short(file: str, rows: list[tuple[int, dict[str, Any]]], rejects: list[Reject],
                 unread: list[tuple[int, dict[str, Any]]], counts: dict[int, int], named: int,
                 unended: int | None) -> None:
    """Move rows cut short from ``rows`` (row -> its number of cells in ``counts``) to the rejects: the
    ``unended`` last record (the file stops inside it) when it is the only short one; a row and the next when a line
    break inside a cell split them (their cells add up to the header's and one more)."""
    short = {n for n, k in counts.items() if k < named}
    # the unended last record, unless other rows are short too: a writer that leaves out trailing empty cells
    # (the top manager's empty manager cell) makes short rows that are whole, and then a short last one may be too
    cut = {n: short_reason(counts[n], named) for n in short if n == unended and short == {n}}
    pairs = [n for n in sorted(short) if n - 1 in counts and counts[n - 1] + counts[n] - 1 == named]
    paired = [m for n in pairs for m in (n - 1, n)]
    # a split: pairs of their own, among rows that all have every cell (a ragged file's short rows chain up)
    if len(set(paired)) == len(paired) and short <= set(paired) and len(counts) > len(paired):
        for n in pairs:
            for m in (n - 1, n):
                cut[m] = (f"a line break inside a cell splits rows {n - 1} and {n} ({counts[n - 1]} and "
                          f"{counts[n]} cells where the header has {named}): quote the cell, or fix the row")
    if not cut:
        return
    for n, rec in [r for r in rows if r[0] in cut]:
        rejects.append(Reject(file, n, cut[n]))
        unread.append((n, rec))
    rows[:] = [r for r in rows if r[0] not in cut]


__all__ = ["formula_text", "named_width", "reject_short", "short_reason", "trimmed", "without_eof_mark"]
