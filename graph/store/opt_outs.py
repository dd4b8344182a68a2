"""A run's record of who was opted out, and which communities' health an opt-out since that run withholds.

Health figures are computed at analyze time; someone who opts out (or back in) afterwards may still be counted in
them. Each run keeps a digest of the opted-out ids and the ids themselves (never answered to a user), so a health
read can tell who changed since and withhold only the communities those people touched (issue 9.7).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from graph.store.base import HealthReport
from schema.labels import HealthPeriod
from schema.models import CommunityHealth

OPTED_OUT_DIGEST = "opted_out_digest"  # the analytics run's stats key holding the digest below
OPTED_OUT_IDS = "opted_out_ids"  # and the ids themselves (sorted), to tell who changed; never answered to a user
#: a run's stats that describe the opted-out people (the operator of ``whoknows analyze`` sees them; the API never
#: answers them): who they are, how many, and how many posts they wrote (graph/projection.py), which, taken before
#: and after one person opts out, is that person's activity
ABOUT_OPTED_OUT = frozenset({OPTED_OUT_DIGEST, OPTED_OUT_IDS, "people_opted_out", "posts_anonymised"})


def opted_out_digest(person_ids: Iterable[str]) -> str:
    """A digest of a set of opted-out person ids (order and repeats ignored), stored with each analytics run.

    >>> opted_out_digest(["b", "a", "a"]) == opted_out_digest(["a", "b"]), len(opted_out_digest([]))
    (True, 32)
    """
    h = hashlib.sha256()
    for pid in sorted(set(person_ids)):
        h.update(pid.encode("utf-8") + b"\0")
    return h.hexdigest()[:32]


@functools.lru_cache(maxsize=8)
def _current_digest(person_ids: tuple[str, ...]) -> str:
    """``opted_out_digest`` of the ids both stores memoise per data version (the same tuple request after request):
    sorting and hashing 3,000 ids at 100,000 people on every health read was the rest of what their memo saved."""
    return opted_out_digest(person_ids)


def opt_out_changes(run_stats: Mapping[str, Any] | None, opted_out_now: tuple[str, ...]) -> frozenset[str] | None:
    """Who opted out, or back in, since the run: empty when no one; None when the run cannot say who (it stored no
    id list, or one that is not what its digest says) while its digest differs: then every community is stale.

    >>> run = {OPTED_OUT_DIGEST: opted_out_digest(["hr:1"]), OPTED_OUT_IDS: ["hr:1"]}
    >>> sorted(opt_out_changes(run, ("hr:2",))), opt_out_changes(run, ("hr:1",))
    (['hr:1', 'hr:2'], frozenset())
    >>> opt_out_changes({OPTED_OUT_DIGEST: run[OPTED_OUT_DIGEST]}, ()) is None
    True
    """
    stats = run_stats or {}
    stored = stats.get(OPTED_OUT_DIGEST)
    if stored == _current_digest(opted_out_now):
        return frozenset()
    ids = stats.get(OPTED_OUT_IDS)
    if not isinstance(ids, list) or opted_out_digest(map(str, ids)) != stored:
        return None
    return frozenset(map(str, ids)).symmetric_difference(opted_out_now)


def health_report(snapshots: Iterable[CommunityHealth], stale: bool) -> HealthReport:
    """One community's stored health rows as a report, flagged ``stale`` when an opt-out since the run touches it."""
    rows = list(snapshots)
    current = [h for h in rows if h.period is HealthPeriod.CURRENT]
    weekly = sorted((h for h in rows if h.period is HealthPeriod.WEEK), key=lambda h: h.start)
    return HealthReport(current=current[-1] if current else None, weekly=weekly, opted_out_changed=bool(rows) and stale)


def health_stale(community_id: str, changes: frozenset[str] | None,
                 involved: Callable[[frozenset[str]], frozenset[str]]) -> bool:
    """Whether a community's health may count someone whose opt-out changed since the run: any change when the run
    cannot say who (``changes`` None), else one of them is a member or posted there (``involved(changes)``: the
    communities of those people, which each store memoises per data version).

    Why not withhold every community's health after any change, as before people could hide themselves: each
    click on the Privacy page would then blank every dashboard of the organisation until the next analyze."""
    if changes is None:
        return True
    return bool(changes) and community_id in involved(changes)
