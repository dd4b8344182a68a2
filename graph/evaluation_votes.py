"""Votes and acceptances as they stood at an evaluation's cut-off, where the export dates them.

A Stack Exchange dump gives each post its score and accepted mark as of the dump date: a training answer from
before the cut-off carries every vote it received for years after, and an acceptance made after the cut-off. The
replay in :mod:`graph.evaluation` is meant to show the ranking only what was known at the cut-off, so where the
dump's Votes.xml dates each vote (by day: its ``CreationDate`` has no time), the training posts' scores are
recounted from the votes of the days wholly before the cut-off, and an answer accepted (``VoteTypeId`` 1) on or
after the cut-off day is not accepted yet. Without a dated vote file the marks stay as of the dump date, and the
report says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from graph.store.projection_rows import PostRow

UP, DOWN, ACCEPTED = "2", "3", "1"  # Stack Exchange VoteTypeId


@dataclass
class VoteDays:
    """The dated votes of one export, keyed by the post's own id (its id in the store)."""

    net: dict[str, list[tuple[date, int]]] = field(default_factory=dict)  # post -> (day, +1 / -1)
    accepted_on: dict[str, date] = field(default_factory=dict)  # answer -> the day it was accepted
    votes: int = 0

    def add(self, post: str, kind: str, day: date) -> None:
        if kind in (UP, DOWN):
            self.net.setdefault(post, []).append((day, 1 if kind == UP else -1))
            self.votes += 1
        elif kind == ACCEPTED:
            prev = self.accepted_on.get(post)
            self.accepted_on[post] = day if prev is None else min(prev, day)
            self.votes += 1


def vote_days(rows: Iterable[tuple[str, str, str]]) -> VoteDays:
    """(post id, VoteTypeId, CreationDate) rows as :class:`VoteDays` (rows without a readable day are left out)."""
    out = VoteDays()
    for post, kind, created in rows:
        try:
            day = date.fromisoformat(created[:10])
        except ValueError:
            continue
        out.add(post, kind, day)
    return out


def as_of(posts: Sequence[PostRow], votes: VoteDays, cutoff: datetime) -> list[PostRow]:
    """``posts`` with the scores and accepted marks they had at ``cutoff``: a post's votes of the days wholly
    before it, and an acceptance only when made on such a day (a post with no dated vote keeps its own).

    >>> t = datetime(2020, 3, 10, 15, tzinfo=UTC)
    >>> a = PostRow("s:post/2", "answer", "bob", datetime(2020, 1, 1, tzinfo=UTC), None, "s:post/1", "s:post/1",
    ...             (), 9, True)
    >>> v = vote_days([("s:post/2", "2", "2020-01-02T00:00:00.000"), ("s:post/2", "3", "2020-03-09"),
    ...                ("s:post/2", "2", "2020-03-10"), ("s:post/2", "1", "2021-06-01")])
    >>> b = as_of([a], v, t)[0]
    >>> b.score, b.accepted
    (0, False)
    """
    last_day = (cutoff.astimezone(UTC) - timedelta(days=1)).date()  # the last day wholly before the cut-off
    return list(_as_of(posts, votes, last_day))


def _as_of(posts: Sequence[PostRow], votes: VoteDays, last_day: date) -> Iterator[PostRow]:
    for p in posts:
        net, acc = votes.net.get(p.id), votes.accepted_on.get(p.id)
        if net is None and acc is None:
            yield p
            continue
        score = p.score if net is None else sum(d for day, d in net if day <= last_day)
        accepted = p.accepted and (acc is None or acc <= last_day)
        yield p._replace(score=score, accepted=accepted) if (score, accepted) != (p.score, p.accepted) else p


__all__ = ["VoteDays", "as_of", "vote_days"]
