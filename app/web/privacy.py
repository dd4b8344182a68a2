"""Small-group suppression for the pages' breakdowns (members by department and the like)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Breakdown:
    shown: list[tuple[str, int]]  # (group, count), largest first
    withheld_groups: int  # groups not shown
    total: int


def suppress_small(counts: Mapping[str | None, int], k: int, unknown: str = "no department") -> Breakdown:
    """Groups of at least ``k`` people, largest first; the rest withheld, with complementary suppression.

    Hiding the small groups alone is not enough when the total is shown: total minus the shown groups would give
    the hidden people's count. So when the hidden groups hold between 1 and ``k - 1`` people together, the
    smallest shown groups are hidden too, until what is hidden is 0 or at least ``k`` people.

    >>> suppress_small({"Sales": 12, "Eng": 30, "Legal": 2}, 5)
    Breakdown(shown=[('Eng', 30)], withheld_groups=2, total=44)
    >>> suppress_small({"Sales": 12, "Eng": 30, "Legal": 2, "HR": 4}, 5)
    Breakdown(shown=[('Eng', 30), ('Sales', 12)], withheld_groups=2, total=48)
    >>> suppress_small({"Sales": 3}, 5)
    Breakdown(shown=[], withheld_groups=1, total=3)
    """
    rows = sorted(((g if g else unknown, n) for g, n in counts.items() if n > 0), key=lambda r: (-r[1], r[0]))
    shown = [r for r in rows if r[1] >= k]
    hidden = sum(n for _, n in rows) - sum(n for _, n in shown)
    while shown and 0 < hidden < k:
        hidden += shown.pop()[1]
    return Breakdown(shown=shown, withheld_groups=len(rows) - len(shown), total=sum(n for _, n in rows))


__all__ = ["Breakdown", "suppress_small"]
