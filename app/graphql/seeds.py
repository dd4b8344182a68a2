"""Seeds for a new forum who can be reached now: the plan behind ``seedCandidates`` and ``seedPlan``.

What "now" means. The analysis weighs a tie ``a`` days before the data's last post (its ``as_of``) by
``2 ** (-a / half_life)`` (graph/projection.py, 180 days by default), so the influence and expertise figures already
favour recent activity. Seeding used to ignore it: a seed could be someone whose last post was four years before the
data's last one, and the people a seed "reaches" were counted over every tie ever made. An L&D team seeds a forum
with people it can ask this week, who reach people who are around. So, with the same clock and the same half-life,
and nothing tuned to one site:

- *recent* is the last half-life to the data's last post: the ties that still count at least half in the graph
  the other figures are computed on;
- a seed must have acted (posted anything, or made a tie) in that window. Experts whose latest act is older are
  *left out*, and said to be: the plan names them with their last activity, so a reader who expected them knows
  why they are missing. Someone with no dated activity at all (an HR-declared expert who never posted) is not
  judged by it: nothing says they went quiet;
- a seed reaches the people it has a tie with in that window, and its communities (memberships are current);
- among the topic's strongest credible experts who are active, seeds are picked by greedy maximum coverage
  (``graph.analytics.seeding.greedy_seeds``; Kempe, Kleinberg & Tardos 2003 frame seeding a network as a coverage
  problem; for a coverage objective the greedy choice is within 1 - 1/e of the best, Nemhauser, Wolsey & Fisher
  1978). Only the ground set changes, so the guarantee holds for the active experts.

The clock is the data's (``app.clock.data_clock``), never the wall clock: an export from 2017 has no one active
"in the last 180 days" of today, yet its own last half-year is as live as any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.clock import data_clock
from app.graphql import rankings
from app.graphql.explain import isolated
from graph.analytics.seeding import greedy_seeds
from graph.store import base
from graph.store.common import shared_ranks

DEFAULT_HALF_LIFE_DAYS = 180.0  # graph.jobs.AnalyticsParams' default, for a run that did not record its own


@dataclass(frozen=True)
class Window:
    """The recent window of one analysis: ``days`` (its half-life) up to ``until`` (the data's last post)."""

    until: datetime
    days: float

    @property
    def since(self) -> datetime:
        return self.until - timedelta(days=self.days)

    def phrase(self) -> str:
        """The window in words.

        >>> Window(datetime(2023, 8, 31, tzinfo=UTC), 180.0).phrase()
        'in the 180 days to 31 Aug 2023'
        """
        return f"in the {self.days:g} days to {rankings.day(self.until)}"


def recent_window(stats: Mapping[str, Any] | None, now: datetime) -> Window:
    """The window of the last analysis: its half-life (``params.half_life_days``) up to its ``as_of``.

    >>> recent_window({"as_of": "2017-03-13T20:04:42+00:00", "params": {"half_life_days": 90}},
    ...               datetime(2026, 1, 1, tzinfo=UTC)).since.date().isoformat()
    '2016-12-13'
    >>> recent_window(None, datetime(2026, 1, 1, tzinfo=UTC)).days
    180.0
    """
    params = (stats or {}).get("params")
    raw = params.get("half_life_days") if isinstance(params, Mapping) else None
    days = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0 else None
    return Window(until=data_clock(stats, now), days=days or DEFAULT_HALF_LIFE_DAYS)


@dataclass(frozen=True)
class LeftOut:
    """A credible expert on the topic left out of the seeds for having no activity in the window."""

    hit: base.ExpertHit
    expert_rank: int  # place among the topic's credible experts (1 = strongest)
    last_active: datetime


@dataclass(frozen=True)
class Seed:
    hit: base.ExpertHit
    gain: float
    new_people: int
    new_communities: int
    last_active: datetime | None


@dataclass(frozen=True)
class SeedPlan:
    seeds: list[Seed]
    left_out: list[LeftOut]
    window: Window
    pool: int  # active credible experts the seeds were chosen among

    def note(self) -> str:
        """What the plan means and who it left out, in one paragraph."""
        head = (f"Seeds are experts active {self.window.phrase()} (the analysis' half-life, up to the data's last "
                f"post); what each reaches counts the people it has a tie with in that window.")
        if not self.left_out:
            return head
        named = [f"{isolated(x.hit.person.name)} (#{x.expert_rank} by expertise, last active "
                 f"{rankings.day(x.last_active)})" for x in self.left_out[:NOTE_NAMES]]
        more = len(self.left_out) - len(named)
        tail = f" and {more} more" if more > 0 else ""
        return f"{head} Left out for no activity in that window: {'; '.join(named)}{tail}."


NOTE_NAMES = 5  # left-out experts named in the note (all of them are in ``leftOut``)


def split_active(
    pool: Sequence[base.ExpertHit], reach: Mapping[str, base.Reach], since: datetime
) -> tuple[list[base.ExpertHit], list[LeftOut]]:
    """The experts active at or after ``since`` (or with no dated activity at all), and the others, left out.

    >>> from schema.models import Person
    >>> t = datetime(2023, 8, 1, tzinfo=UTC)
    >>> hits = [base.ExpertHit(Person(id=f"x:{i}", name=i), "go", 1.0, (), i, 1) for i in "abc"]
    >>> reach = {"x:a": base.Reach(frozenset(), frozenset(), t - timedelta(days=900)),
    ...          "x:b": base.Reach(frozenset(), frozenset(), t), "x:c": base.Reach(frozenset(), frozenset())}
    >>> active, out = split_active(hits, reach, t - timedelta(days=180))
    >>> [h.person.id for h in active], [(x.hit.person.id, x.expert_rank) for x in out]
    (['x:b', 'x:c'], [('x:a', 1)])
    >>> tied = [base.ExpertHit(Person(id=f"x:{i}", name=i), "go", s, (), i, 1) for i, s in zip("cab", (2.0, 1.0, 1.0))]
    >>> [x.expert_rank for x in split_active(tied, reach, t - timedelta(days=180))[1]]
    [2]
    >>> [x.expert_rank for x in split_active(tied, reach, t + timedelta(days=1))[1]]
    [2, 2]
    """
    active: list[base.ExpertHit] = []
    left: list[LeftOut] = []
    # equal scores share a place, as everywhere else: two experts tied on the directory's #74 were told apart by
    # their ids here ("#75 by expertise" for the second)
    for k, hit in zip(shared_ranks([(h.score,) for h in pool]), pool, strict=True):
        r = reach.get(hit.person.id)
        last = r.last_active if r is not None else None
        if last is not None and _aware(last) < since:
            left.append(LeftOut(hit=hit, expert_rank=k, last_active=_aware(last)))
        else:
            active.append(hit)
    return active, left


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def plan_seeds(
    credible: Sequence[base.ExpertHit], count: int, window: Window, reach_of: Any,
) -> SeedPlan:
    """Choose ``count`` seeds among the strongest active credible experts (``credible``: in expertise order).

    ``reach_of(ids, since)`` reads the store's reach (synchronously). The pool is the
    ``rankings.seed_pool``-sized head of the *active* experts, so a topic whose best people went quiet still gets
    as many candidates to choose among; the left-out are the inactive ones in the head of all credible experts
    (those a reader would have expected).
    """
    size = rankings.seed_pool_size(count)
    reach: dict[str, base.Reach] = reach_of([h.person.id for h in credible], window.since)
    active, left = split_active(credible, reach, window.since)
    expected = {h.person.id for h in credible[:size]}
    left = [x for x in left if x.hit.person.id in expected]
    pool = active[:size]
    picks = greedy_seeds([(h.person.id, h.score) for h in pool], reach, count)
    by_id = {h.person.id: h for h in pool}
    seeds = [
        Seed(hit=by_id[pid], gain=gain, new_people=people, new_communities=comms,
             last_active=reach[pid].last_active if pid in reach else None)
        for (pid, gain), (people, comms) in zip(picks, rankings.seed_marginals(picks, reach), strict=True)
    ]
    return SeedPlan(seeds=seeds, left_out=left, window=window, pool=len(pool))


__all__ = ["LeftOut", "Seed", "SeedPlan", "Window", "plan_seeds", "recent_window", "split_active"]
