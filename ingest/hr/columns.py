"""Which column of an HR export feeds which field: the mapping's names, then the recognised names (exact, then
with a remark in brackets ignored, then an HR API's nested fields), and of several id columns the one the
manager ids point into. A missing required column is UnreadableInput, saying what to name in a mapping.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ingest.hr.cells import BLANKS
from ingest.hr.idnumbers import id_numbers
from ingest.hr.mapping import (
    LOCALISED,
    REQUIRED,
    SYNONYMS,
    WEAK,
    ColumnMapping,
    family_name_column,
    norm_header,
    without_remarks,
)
from ingest.hr.nested import suffix_index
from ingest.numbers import BigInt
from schema.errors import UnreadableInput

# values that mean "none" in a manager or date cell (SuccessFactors writes NO_MANAGER, spreadsheets #N/A)
NULLS = frozenset({"", "na", "n/a", "none", "null", "nil", "-", "--", "no_manager", "nan", "0000-00-00", *BLANKS})


def _cell(v: Any) -> str:
    """A cell's text, case-folded, for comparing ids across columns."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else (v.raw if isinstance(v, BigInt) else str(v)).strip().casefold()


def _numbers(v: Any) -> tuple[str, ...]:
    return id_numbers(_cell(v))


def _as_written(v: Any) -> tuple[str, ...]:
    return (_cell(v),)


BLANK_ID = "is blank on every row"  # how an id column that names no one is said
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_NAMES = frozenset(norm_header(n) for n in (*SYNONYMS["id"], *LOCALISED["id"]))


def id_column(header: list[str], rows: list[tuple[int, dict[str, Any]]], cols: dict[str, str],
               how: dict[str, str], mapping: ColumnMapping) -> None:
    """Of several columns named like an id (``ID`` and ``Employee ID``), the one the manager ids point into: a
    sheet's row counter or a system's record id called ``ID`` came first, the people were loaded under it (and
    renumbered with the rows next month), and every manager id matched no one. Without that evidence the first
    stays, and the dry run names the others."""
    if "id" in mapping.columns:
        return
    others = [h for h in header if norm_header(h) in _ID_NAMES and h != cols["id"] and h not in cols.values()]
    if rows and all(_cell(rec.get(cols["id"])) in ("", "none", *BLANKS) for _, rec in rows):
        _blank_id_column(rows, cols, how, others)
        _id_as_email(rows, cols, how)
        return
    _id_as_email(rows, cols, how)
    if not others:
        return
    mids = {t for _, rec in rows if (t := _cell(rec.get(cols.get("manager_id", "")))) not in NULLS}
    if mids and not any(mids & {_cell(rec.get(h)) for _, rec in rows} for h in (cols["id"], *others)):
        # no manager id is any column's value as written: compare the numbers they write (``000123`` for a
        # workbook's ``123``, as the links are made, :mod:`ingest.hr.idnumbers`)
        mids = {n for t in mids for n in id_numbers(t)}
        key = _numbers
    else:
        key = _as_written

    def hits(column: str) -> int:
        return len(mids & {v for _, rec in rows for v in key(rec.get(column))})

    best = max(others, key=hits) if mids else None
    if best is not None and not hits(cols["id"]) and hits(best):
        how["id"] = f"the manager ids ({cols['manager_id']!r}) are its values, not those of {cols['id']!r}"
        cols["id"] = best
    else:
        how["id"] += f"; {', '.join(map(repr, others))} may be the id: pin one with [columns] id"


def _blank_id_column(rows: list[tuple[int, dict[str, Any]]], cols: dict[str, str], how: dict[str, str],
                     others: list[str]) -> None:
    """An id column blank on every row names no one: a directory's user export (Google Workspace's ``Employee
    ID``, Entra ID's ``employeeId``) has the column but most organisations never fill it, and every row was
    rejected as "id is empty". Its people are named instead by another id column that holds values (Entra ID's
    sign-in name ``userPrincipalName``), else by the email column, as the directory itself names its accounts."""
    for h in (*others, cols.get("email", "")):
        if h and any(_cell(rec.get(h)) for _, rec in rows):
            how["id"] = f"{cols['id']!r} {BLANK_ID}: each person is named by {h!r}"
            cols["id"] = h
            return


def _id_as_email(rows: list[tuple[int, dict[str, Any]]], cols: dict[str, str], how: dict[str, str]) -> None:
    """An id column of addresses (a directory's ``UserPrincipalName``) in a file with no email column is the
    email too: the export's manager column names managers by that address, and matched no one."""
    if "email" in cols or not rows:
        return
    values = [v for _, rec in rows if (v := _cell(rec.get(cols["id"])))]
    if values and all(_ADDRESS.match(v) for v in values):
        cols["email"] = cols["id"]
        how["email"] = f"the id column {cols['id']!r} holds addresses and no column is the email"


def columns(header: list[str], mapping: ColumnMapping, file: str) -> tuple[dict[str, str], dict[str, str]]:
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(norm_header(h), h)
    remarked: dict[str, str] = {}  # "Email Address [Required]" found as "Email Address", after every exact name
    for h in header:
        bare = without_remarks(h)
        if bare is not None and norm_header(bare) not in by_norm:
            remarked.setdefault(norm_header(bare), h)
    out: dict[str, str] = {}
    how: dict[str, str] = {}
    for fld, col in mapping.columns.items():
        hit = col if col in header else by_norm.get(norm_header(col))
        if hit is None:
            raise UnreadableInput(file, f"mapping names column {col!r} for {fld}, but the file has no such column")
        out[fld] = hit
        how[fld] = "from --mapping"
    nested = suffix_index(header)  # an HR API's nested fields by their last parts: work.title as title
    for fld, names in SYNONYMS.items():
        if fld in out:
            continue
        weak = WEAK.get(fld, frozenset())
        named = (*(n for n in names if n not in weak), *LOCALISED.get(fld, ()), *(n for n in names if n in weak))
        # the file's own names first, then names with a remark after them, then an HR API's nested fields
        for index, words, found in ((by_norm, named, None), (remarked, named, "recognised name, {} ignored"),
                                    (nested, names, "recognised name of a nested field")):
            hit = next((h for h in (index.get(norm_header(n)) for n in words) if h is not None
                        and h not in out.values()), None)
            if hit is not None:
                out[fld] = hit
                how[fld] = found.format(repr(hit[len(without_remarks(hit) or hit):].strip())) if found else \
                    "default name" if norm_header(hit) == norm_header(fld) else "recognised name"
                break
    if "name" in out and "first_name" in out and "last_name" not in out and "name" not in mapping.columns \
            and family_name_column(out["name"], out["first_name"]):
        out["last_name"] = out.pop("name")  # German "Vorname;Name": Name is the family name
        how["last_name"] = f"{out['last_name']!r} beside a first-name column: the family name"
        del how["name"]
    missing = [f for f in REQUIRED if f not in out and not (f == "name" and "first_name" in out)]
    if missing:
        shown = ", ".join(header[:12]) + (f", ... ({len(header)} columns)" if len(header) > 12 else "")
        raise UnreadableInput(
            file,
            f"missing required column {missing[0]!r} (columns: {shown}); name the column that holds it in a "
            f"--mapping file: {_stand_in(missing[0], out)}",
        )
    return out, how


def _stand_in(missing: str, found: dict[str, str]) -> str:
    """What a mapping may name for a missing required column: a hand-made sheet without ids names each person by
    the email column (an id must stay the same from one export to the next, as an address does)."""
    if missing == "id" and "email" in found:
        email = json.dumps(found["email"], ensure_ascii=False)
        return f"[columns] id = {email} (the email column, when nothing else names each person for good)"
    return f'[columns] {missing} = "..."'


__all__ = ["BLANK_ID", "NULLS", "columns", "id_column"]
