"""Calendar weeks (ISO: starting on Monday), shared by the pages and their charts."""

from __future__ import annotations

from datetime import date, timedelta


def monday(day: date) -> date:
    """The Monday of ``day``'s week.

    >>> monday(date(2026, 12, 3))
    datetime.date(2026, 11, 30)
    """
    return day - timedelta(days=day.weekday())


def week_range(first: date, last: date) -> list[date]:
    """Every Monday from ``first``'s week to ``last``'s, inclusive."""
    out, day = [], monday(first)
    while day <= last:
        out.append(day)
        day += timedelta(weeks=1)
    return out


__all__ = ["monday", "week_range"]
