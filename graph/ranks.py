"""Sport ranks ('1, 1, 3'): the one rule every ranked list follows, served or computed, so that people equal
on what a list is ordered by are never told apart by the order of their ids. Pure: no store, no analytics."""

from __future__ import annotations

import math
from collections.abc import Sequence


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)
    return a == b


def shared_ranks(keys: Sequence[Sequence[object]]) -> list[int]:
    """Sport ranks ("1, 1, 3") of rows already in order: a row whose ordering key equals the one before it (every
    part, floats to nine significant digits) shares its rank. Every ranked list served (influencers, brokers,
    bridges, leaderboards) ranks through this, so people equal on everything a list is ordered by are never told
    apart by the order of their ids.

    >>> shared_ranks([(3, 0.5), (3, 0.5 + 1e-12), (3, 0.4), (2, 0.4)])
    [1, 1, 3, 4]
    """
    out: list[int] = []
    for k, key in enumerate(keys, start=1):
        same = k > 1 and len(key) == len(keys[k - 2]) and all(map(_same, key, keys[k - 2]))
        out.append(out[-1] if same else k)
    return out


__all__ = ["shared_ranks"]
