"""Keyset cursors over string ids that Neo4j's filter and sort compare alike.

Why: Cypher sorts strings by code point (as SQLite and Python do), but ``a > b`` in a filter compares UTF-16 code
units, and the two orders disagree between a character beyond U+FFFF (a surrogate pair, U+D800-U+DFFF) and one in
U+E000-U+FFFF. A cursor id holding such a character made ``p.id > $after`` skip a row the sort put after it (an emoji
id after a fullwidth one). Against a key whose characters are all below U+D800 both comparisons agree, whatever the
other string holds; so the query filters from such a floor (the cursor's prefix before its first character at or
above U+D800) and the exact cut is made here, in code point order. Cursors of plain ids (nearly all) go unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

_SAFE = "\ud800"


def floor(key: str) -> str:
    """``key`` itself when Neo4j's filter compares it as its sort does, else its prefix before the first character
    at or above U+D800 (a prefix is below ``key`` in both orders, so nothing after ``key`` is filtered out).

    >>> floor("hr:E1"), floor("x:a\\U0001F6B2"), floor("x:\\uff41b")
    ('hr:E1', 'x:a', 'x:')
    """
    for i, ch in enumerate(key):
        if ch >= _SAFE:
            return key[:i]
    return key


def rows_after(fetch: Callable[[int], Sequence[T]], keep: Callable[[T], bool], need: int) -> list[T]:
    """The first ``need`` rows ``keep`` accepts, from ``fetch(limit)`` (a query filtered from a :func:`floor`, in
    sort order): asks again for four times as many while rows it drops leave the page short."""
    limit = need
    while True:
        rows = fetch(limit)
        kept = [r for r in rows if keep(r)]
        if len(kept) >= need or len(rows) < limit:
            return kept[:need]
        limit *= 4


__all__ = ["floor", "rows_after"]
