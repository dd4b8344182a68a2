"""What of a community's health may be shown: small-group withholding and the weekly trend.

Pure functions over stored :class:`~schema.models.CommunityHealth` rows, applied where figures leave the service
(the API and the pages), with the group size of the settings. The rules are in ``docs/health.md``:

- a period's figures are shown only when the community had at least ``min_group`` members and at least
  ``min_group`` people contributed in that period; otherwise every figure of the period is withheld (a figure over
  three posters, even a count, points at them). A period nobody posted in is no exception to withhold: its counts
  are 0 and its rates empty, which point at no one (a forum whose export ends years before the others' read
  "withheld" everywhere, its member count too, as if a few people were being protected);
- a figure computed over a smaller sub-population (newcomer retention over newcomers, leader participation over
  leaders, cross-department share over the people in cross-department responses) is withheld when that
  population has 1 to ``min_group - 1`` people (with none, the figure is empty: there is nothing to show);
- the trend compares the last ``TREND_WEEKS`` complete weeks with the ``TREND_WEEKS`` before; it is shown only when
  every one of those weeks is shown and each window holds at least ``TREND_MIN_POSTS`` posts (the reply-rate trend
  also ``TREND_MIN_THREADS`` threads): with fewer, a change of a few posts reads as +1000 %.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from schema.models import CommunityHealth

TREND_WEEKS = 4
TREND_MIN_POSTS = 20
TREND_MIN_THREADS = 10

#: every figure a health row shows, in the order a reader meets them
FIGURES = (
    "members",
    "active_members",
    "posts",
    "posts_per_week",
    "threads",
    "reply_rate",
    "median_first_response_hours",
    "unanswered_share",
    "contributor_gini",
    "absence_factor",
    "newcomer_retention",
    "managers_active_share",
    "cross_department_share",
)
#: figures over a sub-population: (figure, the population field, what the population is called)
SUB_POPULATIONS = (
    ("newcomer_retention", "newcomers", "newcomers"),
    ("managers_active_share", "leaders", "leaders"),
    ("cross_department_share", "cross_department_people", "people in cross-department responses"),
)


def quiet(h: CommunityHealth) -> bool:
    """Nobody posted in the period: its figures are 0 or empty, and describe no one."""
    return h.active_members == 0 and h.posts == 0 and h.threads == 0


def withheld(h: CommunityHealth, min_group: int) -> tuple[tuple[str, ...], str | None]:
    """The figures of one health row to withhold, and why (None when everything may be shown).

    >>> from datetime import date
    >>> from schema.labels import HealthPeriod
    >>> row = CommunityHealth(community_id="x:1", period=HealthPeriod.WEEK, start=date(2026, 1, 5), members=6,
    ...                       active_members=4, posts=30)
    >>> fields, reason = withheld(row, 5)
    >>> fields == FIGURES, reason
    (True, 'fewer than 5 people contributed in this period')
    >>> withheld(row.model_copy(update={"active_members": 5, "newcomers": 9, "leaders": 9,
    ...                                 "cross_department_people": 9}), 5)
    ((), None)
    >>> withheld(row.model_copy(update={"active_members": 0, "posts": 0}), 5)  # a quiet period: nothing to hide
    ((), None)
    """
    if min_group < 1:
        raise ValueError(f"min_group must be >= 1, got {min_group}")
    if h.members < min_group:
        return FIGURES, f"fewer than {min_group} members"
    if h.active_members < min_group and not quiet(h):
        return FIGURES, f"fewer than {min_group} people contributed in this period"
    # a population of 0 leaves the figure empty (no data), not withheld
    hidden = [(name, what) for name, pop, what in SUB_POPULATIONS if 0 < getattr(h, pop) < min_group]
    if not hidden:
        return (), None
    return tuple(n for n, _ in hidden), "; ".join(f"{n.replace('_', ' ')}: fewer than {min_group} {w}"
                                                  for n, w in hidden)


COMPLEMENT_REASON = ("withheld with the quieter weeks beside it: the 30-day figures minus the weeks shown would "
                     "give those weeks back")


def complementary_weeks(current: CommunityHealth | None, weekly: Sequence[CommunityHealth], min_group: int
                        ) -> frozenset[date]:
    """Starts of the weeks to withhold besides their own rule, so the current (30-day) figures, less the weeks
    shown, do not give back a withheld week (complementary suppression, as the pages do for departments).

    Posts and threads add up over weeks: with the current period shown and one week in it withheld (two posters),
    ``current.posts`` minus the other weeks' posts was that week's posts. When a week the current period overlaps is
    withheld and holds posts, one shown week of it is withheld too (the running week first, which no trend uses,
    then the quietest), so what the difference gives back covers a week of at least ``min_group`` contributors.

    >>> from datetime import date, timedelta
    >>> from schema.labels import HealthPeriod
    >>> def row(start, days, active, posts, period=HealthPeriod.WEEK):
    ...     return CommunityHealth(community_id="x:1", period=period, start=start, days=days, members=40,
    ...                            active_members=active, posts=posts)
    >>> monday = date(2026, 3, 2)
    >>> weeks = [row(monday + timedelta(weeks=i), 7, a, p) for i, (a, p) in enumerate([(6, 6), (2, 6), (6, 9)])]
    >>> weeks.append(row(monday + timedelta(weeks=3), 2, 5, 5))
    >>> current = row(date(2026, 2, 23), 30, 12, 26, HealthPeriod.CURRENT)
    >>> sorted(complementary_weeks(current, weeks, 5))
    [datetime.date(2026, 3, 23)]
    >>> complementary_weeks(current, [w for w in weeks if w.active_members != 2], 5)
    frozenset()
    >>> quiet_week = row(date(2026, 2, 23), 7, 0, 0)  # shown (nothing in it), but withholding it hides nothing
    >>> sorted(complementary_weeks(current, [quiet_week, *weeks[:3]], 5))
    [datetime.date(2026, 3, 2)]
    """
    if current is None or withheld(current, min_group)[0] == FIGURES:
        return frozenset()
    start, end = current.start, current.start + timedelta(days=math.ceil(current.days))
    within = [w for w in weekly if w.start < end and w.start + timedelta(days=math.ceil(w.days)) > start]
    if not any(w.posts and withheld(w, min_group)[0] == FIGURES for w in within):
        return frozenset()
    # a quiet week gives nothing back when withheld: only a shown week with posts can cover the withheld one
    shown = [w for w in within if w.posts and withheld(w, min_group)[0] != FIGURES]
    if not shown:
        return frozenset()
    pick = min(shown, key=lambda w: (w.days >= 7 - 1e-6, w.posts, w.start))
    return frozenset({pick.start})


@dataclass(frozen=True)
class Trend:
    """Relative change, last ``TREND_WEEKS`` complete weeks against the ones before (0.25 = +25 %)."""

    posts: float | None = None
    active_members: float | None = None  # of the mean weekly contributors
    reply_rate: float | None = None  # of the pooled reply rate (replied threads / threads of the window)
    reason: str | None = None  # why there is no trend, when there is none


def _change(recent: float, before: float) -> float | None:
    return round((recent - before) / before, 4) if before > 0 else None


def weekly_trend(
    weeks: Sequence[CommunityHealth],
    min_group: int,
    *,
    span: int = TREND_WEEKS,
    min_posts: int = TREND_MIN_POSTS,
    min_threads: int = TREND_MIN_THREADS,
    also_withheld: Collection[date] = (),
) -> Trend:
    """The trend of a community's weekly rows (oldest first), or why there is none.

    The week still running (shorter than 7 days) is left out: half a week against whole ones reads as a fall.
    ``also_withheld``: starts of weeks withheld besides their own rule (:func:`complementary_weeks`).

    >>> from datetime import date, timedelta
    >>> from schema.labels import HealthPeriod
    >>> def week(i, posts):
    ...     return CommunityHealth(community_id="x:1", period=HealthPeriod.WEEK, start=date(2026, 1, 5) +
    ...                            timedelta(weeks=i), members=40, active_members=8, posts=posts, threads=posts // 2,
    ...                            replied_threads=posts // 4)
    >>> weekly_trend([week(i, p) for i, p in enumerate((10, 10, 10, 10, 15, 15, 10, 10))], 5).posts
    0.25
    >>> weekly_trend([week(i, p) for i, p in enumerate((1, 1, 1, 1, 4, 4, 4, 4))], 5).reason
    'fewer than 20 posts in one of the two 4-week windows'
    """
    complete = [w for w in weeks if w.days >= 7 - 1e-6]
    if len(complete) < 2 * span:
        return Trend(reason=f"fewer than {2 * span} complete weeks")
    window = complete[-2 * span :]
    if any(withheld(w, min_group)[0] == FIGURES or w.start in also_withheld for w in window):
        return Trend(reason=f"a week of the last {2 * span} has its figures withheld")
    before, recent = window[:span], window[span:]
    posts_b, posts_r = sum(w.posts for w in before), sum(w.posts for w in recent)
    if min(posts_b, posts_r) < min_posts:
        return Trend(reason=f"fewer than {min_posts} posts in one of the two {span}-week windows")
    threads_b, threads_r = sum(w.threads for w in before), sum(w.threads for w in recent)
    reply = None
    if min(threads_b, threads_r) >= min_threads:
        reply = _change(
            sum(w.replied_threads for w in recent) / threads_r, sum(w.replied_threads for w in before) / threads_b
        )
    return Trend(
        posts=_change(posts_r, posts_b),
        active_members=_change(sum(w.active_members for w in recent), sum(w.active_members for w in before)),
        reply_rate=reply,
    )


__all__ = [
    "COMPLEMENT_REASON",
    "FIGURES",
    "SUB_POPULATIONS",
    "TREND_MIN_POSTS",
    "TREND_MIN_THREADS",
    "TREND_WEEKS",
    "Trend",
    "complementary_weeks",
    "quiet",
    "weekly_trend",
    "withheld",
]
