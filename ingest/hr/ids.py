"""Employee ids that lost (or gained) their leading zeros, or a spreadsheet's digit grouping, between two exports.

Excel drops the zeros of an id column it reads as numbers: last month's export said ``000101``, this month's CSV,
opened and saved in Excel, says ``101``. Loaded as it was, that made a second person (``hr:101`` beside
``hr:000101``) of everyone, silently. Such a row is rejected instead, naming the stored id, so the export can be
fixed (the column formatted as text) before anyone is doubled. Pure functions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from ingest.hr.idnumbers import id_numbers
from ingest.hr.read import HrTable
from ingest.rejects import Reject


def renumbered(file_ids: Iterable[str], stored_ids: Collection[str]) -> dict[str, list[str]]:
    """Ids of the file that are new to the store but write the number of a stored id (leading zeros, a float's
    ``.0`` or thousands separators aside: :func:`~ingest.hr.idnumbers.id_numbers`) -> those stored ids (only when
    the file does not give a stored form itself); several where the text may write two numbers (``1,000``: 1 or
    1000) and both are stored.

    >>> sorted(renumbered(["101", "102", "000103", "7"], {"000101", "000102", "102", "103", "0007x"}).items())
    [('000103', ['103']), ('101', ['000101'])]
    >>> renumbered(["21,001", "22.0", "1,000"], {"21001", "22", "1", "1000"})
    {'1,000': ['1', '1000'], '21,001': ['21001'], '22.0': ['22']}
    """
    ids = set(file_ids)
    stored_by_value: dict[str, list[str]] = {}
    for s in stored_ids:
        numbers = id_numbers(s)
        if len(numbers) == 1:  # a stored id that may write two numbers is matched by neither
            stored_by_value.setdefault(numbers[0], []).append(s)
    out: dict[str, list[str]] = {}
    for i in sorted(ids):
        if i in stored_ids:
            continue
        same = sorted({s for n in id_numbers(i) for s in stored_by_value.get(n, []) if s not in ids})
        if same:
            out[i] = same
    return out


def respelled(file_ids: Iterable[str], stored_ids: Collection[str]) -> dict[str, str]:
    """Ids of the file that are new to the store but equal one stored id ignoring case and character width
    (``e00101`` or ``Ｅ00101`` for a stored ``E00101``) -> that stored id (only when the file does not give the
    stored form itself). An HR system keeps one employee under either spelling; loaded as it came, the spelling
    made a second person, who showed even when the stored one had opted out.

    >>> sorted(respelled(["e1", "E2", "x3", "Ｅ4"], {"E1", "E2", "e2", "X3", "x3", "E4"}).items())
    [('e1', 'E1'), ('Ｅ4', 'E4')]
    """
    ids = set(file_ids)
    by_fold: dict[str, list[str]] = {}
    for s in stored_ids:
        by_fold.setdefault(_fold(s), []).append(s)
    out: dict[str, str] = {}
    for i in sorted(ids):
        if i in stored_ids:
            continue
        same = [s for s in by_fold.get(_fold(i), []) if s not in ids]
        if len(same) == 1:
            out[i] = same[0]
    return out


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold()


def reject_renumbered(table: HrTable, id_column: str, stored_ids: Collection[str]) -> HrTable:
    """The table with each row whose id is a stored id with its leading zeros lost (or added), its digits grouped
    or its case or width changed rejected, naming the stored id (or ids): loading it would make a second person."""
    def local(rec: dict[str, Any]) -> str:
        v = rec.get(id_column)
        return str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else ""

    file_ids = [local(rec) for _, rec in table.rows]
    found = renumbered(file_ids, stored_ids)
    other_case = respelled(file_ids, stored_ids)
    if not found and not other_case:
        return table
    keep, rejects, unread = [], list(table.rejects), list(table.unread)
    for n, rec in table.rows:
        numbered = found.get(local(rec), [])
        stored = numbered[0] if numbered else other_case.get(local(rec))
        if stored is None:
            keep.append((n, rec))
            continue
        if len(numbered) > 1:
            why = (f"id {local(rec)!r} may write the number of the stored ids {' or '.join(map(repr, numbered))} "
                   "(a spreadsheet's number format wrote it); loading it would make another person. Export the id "
                   "column as text (in Excel: format the column as Text before saving)")
        elif numbered:
            how = (f"with its leading zeros {'lost' if len(local(rec)) < len(stored) else 'added'}"
                   if local(rec).isdigit() and stored.isdigit() else "as a spreadsheet's number format wrote it")
            why = (f"id {local(rec)!r} is the stored id {stored!r} {how}; loading it would make a second person. "
                   "Export the id column as text (in Excel: format the column as Text before saving)")
        else:
            why = (f"id {local(rec)!r} is the stored id {stored!r} spelled in another case or width; loading it "
                   f"would make a second person (shown even if {stored!r} opted out). Export the ids as stored")
        rejects.append(Reject(table.file, n, why))
        unread.append((n, rec))
        # the stored person is in the file (one of them, where the number may be either): no leaver under --full
        unread.extend((n, {**rec, id_column: s}) for s in (numbered or [stored]))
    return replace(table, rows=keep, rejects=rejects, unread=unread)


__all__ = ["reject_renumbered", "renumbered", "respelled"]
