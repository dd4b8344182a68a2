"""The integer range every store holds: SQLite's INTEGER and Neo4j's Integer are both signed 64-bit.

A value outside it is refused where it is parsed (ingest rejects the row) and again by the records and the stores,
so no driver ever sees it (SQLite would raise OverflowError, Neo4j's driver a ValueError, mid-transaction).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]


def in_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


__all__ = ["INT64_MAX", "INT64_MIN", "Int64", "in_int64"]
