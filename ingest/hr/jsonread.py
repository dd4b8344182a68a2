"""A JSON HR export (a list of people, or an HR API's page of them) into an :class:`~ingest.hr.table.HrTable`."""

from __future__ import annotations

import json
import math
from typing import Any

from ingest.hr.nested import flatten
from ingest.hr.table import HrTable, bad_byte, encoding_reason
from ingest.numbers import loads
from ingest.rejects import Reject
from schema.errors import UnreadableInput


def read_json(file: str, text: str, label: str = "UTF-8") -> HrTable:
    try:
        # integers past 64 bits become BigInt: their text, never a 4,300-digit int(); bad bytes are rejected per row
        data = loads(text, unicode_only=False)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(file, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise UnreadableInput(file, "invalid JSON: nested too deeply") from None
    if isinstance(data, dict):
        # SCIM 2.0's ListResponse holds its /Users in Resources, Microsoft Graph's /users page in value
        for key in ("employees", "people", "workers", "data", "Report_Entry", "Resources", "value", "users"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise UnreadableInput(file, 'expected a list of people or {"employees": [...]}')
    if not isinstance(data, list):
        raise UnreadableInput(file, 'expected a list of people or {"employees": [...]}')
    header: dict[str, None] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    unread: list[tuple[int, dict[str, Any]]] = []
    rejects = []
    for n, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            rejects.append(Reject(file, n, f"record is a JSON {type(rec).__name__}, expected an object"))
            continue
        rec = flatten(rec)  # an HR API's nested fields (HiBob's work.title) as dotted columns
        bad = bad_byte([*rec.keys(), *rec.values()])
        if bad is not None:
            rejects.append(Reject(file, n, encoding_reason(bad, label)))
            unread.append((n, {str(k): v for k, v in rec.items()}))
            continue
        odd = next((k for k, v in rec.items() if isinstance(v, float) and not math.isfinite(v)), None)
        if odd is not None:  # Python's json reads NaN and Infinity, which JSON has not: the id NaN became "hr:nan"
            rejects.append(Reject(file, n, f"{odd}: {rec[odd]} is not a JSON value (JSON has no NaN or Infinity)"))
            unread.append((n, {str(k): v for k, v in rec.items()}))
            continue
        for k in rec:
            header.setdefault(str(k), None)
        rows.append((n, {str(k): v for k, v in rec.items()}))
    return HrTable(file, list(header), rows, rejects, unread=unread)


__all__ = ["read_json"]
