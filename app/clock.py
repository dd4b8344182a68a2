"""The time a "last N days" window ends at, on the pages and in the API's explanations: the data's clock, the same
one the health figures use.

``whoknows analyze`` computes the 30-day health figures up to the latest post in the store (``as_of``, recorded in
the run's stats) so that a re-run gives the same figures. A window on the same page that ended at the wall clock
contradicted them on any export that is not from today: "47 active in 30 days" above "no posts in the last 90 days".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def data_clock(stats: Mapping[str, Any] | None, now: datetime) -> datetime:
    """The last analysis's ``as_of`` (never later than ``now``); ``now`` when there is no analysis or no as-of.

    >>> now = datetime(2026, 12, 3, tzinfo=UTC)
    >>> data_clock({"as_of": "2017-03-13T20:04:42.677000+00:00"}, now).isoformat()
    '2017-03-13T20:04:42.677000+00:00'
    >>> data_clock({"as_of": "2017-03-13T20:04:42"}, now).tzinfo is not None
    True
    >>> data_clock({}, now) == data_clock(None, now) == data_clock({"as_of": "2030-01-01T00:00:00+00:00"}, now) == now
    True
    """
    raw = (stats or {}).get("as_of")
    if not isinstance(raw, str):
        return now
    try:
        as_of = datetime.fromisoformat(raw)
    except ValueError:
        return now
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=UTC)
    return min(as_of, now)


__all__ = ["data_clock"]
