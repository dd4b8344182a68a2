"""Keyset paging shared by both stores: page-size checks and the opaque (score, person id) cursor.

Apart from the store protocol because a cursor is untrusted client input: its decoder is strict before any JSON is
parsed, and it is easier to audit alone.
"""

from __future__ import annotations

import base64
import json
import math
import re

from schema.errors import BadInput
from schema.ids import check_id

MAX_PAGE = 100
MAX_CURSOR_LEN = 1024

_CURSOR = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_FLAT_PAIR = re.compile(rb'\["(?:[^"\\]|\\.)*","(?:[^"\\]|\\.)*"\]')  # ["score","id"], nothing nested
_SCORE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:e[+-][0-9]+)?")  # what repr() writes for a finite float


def encode_cursor(score: float, person_id: str) -> str:
    """Opaque keyset cursor for (score DESC, person_id ASC) ordering."""
    raw = json.dumps([repr(float(score)), person_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    """The (score, person id) of a cursor ``encode_cursor`` made; BadInput for anything else.

    Strict before any JSON is parsed: bounded length, base64url alphabet, and a decoded text that is a flat
    two-element list, so no input can make the parser recurse (a deeply nested list once raised RecursionError).
    Strict after too: a finite score as ``repr`` writes it and a valid person id. JSON escapes can spell what no
    request may carry (a lone surrogate, "\\ud800", which reached the store and answered as an internal error).
    """
    try:
        if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_LEN or not _CURSOR.fullmatch(cursor):
            raise ValueError("not a cursor")
        bare = cursor.rstrip("=")
        raw = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
        if not _FLAT_PAIR.fullmatch(raw):
            raise ValueError("not a cursor")
        score_text, person_id = json.loads(raw)
        if not isinstance(score_text, str) or not isinstance(person_id, str) or not _SCORE.fullmatch(score_text):
            raise TypeError
        score = float(score_text)
        if not math.isfinite(score):
            raise ValueError("not a cursor")
        person_id.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
        return score, check_id(person_id)
    except (ValueError, TypeError, RecursionError) as exc:
        raise BadInput(f"invalid cursor {str(cursor)[:40]!r}") from exc


def decode_id_cursor(cursor: str | None) -> str:
    """The id a page of communities starts after ("" for none: the first page); BadInput "invalid cursor" for
    anything but a valid id. That list's cursor is the last id of the page before, not an ``encode_cursor`` pair:
    it took any string, where every other paged list refuses a forged or garbled cursor."""
    if cursor is None or cursor == "":
        return ""
    try:
        if not isinstance(cursor, str):
            raise TypeError
        cursor.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
        return check_id(cursor)
    except (ValueError, TypeError) as exc:
        raise BadInput(f"invalid cursor {str(cursor)[:40]!r}: expected the id of the last community of a page") from exc


def check_page_size(first: int, limit: int = MAX_PAGE) -> int:
    if not 1 <= first <= limit:
        raise BadInput(f"page size must be between 1 and {limit}, got {first}")
    return first
