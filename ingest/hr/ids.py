"""Employee ids that lost (or gained) their leading zeros between two exports.

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

from ingest.hr.read import HrTable
from ingest.rejects import Reject


def renumbered(file_ids: Iterable[str], stored_ids: Collection[str]) -> dict[str, str]:
    """Ids of the file that are new to the store but equal a stored id up to leading zeros -> that stored id (only
    when the file does not give the stored form itself).

    >>> sorted(renumbered(["101", "102", "000103", "7"], {"000101", "000102", "102", "103", "0007x"}).items())
    [('000103', '103'), ('101', '000101')]
    """
    ids = set(file_ids)
    stored_by_value: dict[str, list[str]] = {}
    for s in stored_ids:
        if s.isdigit():
            stored_by_value.setdefault(s.lstrip("0"), []).append(s)
    out: dict[str, str] = {}
    for i in sorted(ids):
        if not i.isdigit() or i in stored_ids:
            continue
        same = [s for s in stored_by_value.get(i.lstrip("0"), []) if s not in ids]
        if len(same) == 1:
            out[i] = same[0]
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
    """The table with each row whose id is a stored id with its leading zeros lost (or added) rejected, naming
    the stored id: loading it would make a second person."""
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
        stored = found.get(local(rec)) or other_case.get(local(rec))
        if stored is None:
            keep.append((n, rec))
            continue
        if local(rec) in found:
            why = (f"id {local(rec)!r} is the stored id {stored!r} with its leading zeros "
                   f"{'lost' if len(local(rec)) < len(stored) else 'added'}; loading it would make a second person. "
                   "Export the id column as text (in Excel: format the column as Text before saving)")
        else:
            why = (f"id {local(rec)!r} is the stored id {stored!r} spelled in another case or width; loading it "
                   f"would make a second person (shown even if {stored!r} opted out). Export the ids as stored")
        rejects.append(Reject(table.file, n, why))
        unread.append((n, rec))
        unread.append((n, {**rec, id_column: stored}))  # the stored person is in the file: no leaver under --full
    return replace(table, rows=keep, rejects=rejects, unread=unread)


__all__ = ["reject_renumbered", "renumbered", "respelled"]
