"""The relations docs/health.md says bind the health figures, checked on random communities (hypothesis).

Each figure is also recomputed here by brute force from its definition (no bisection, no index), so the fast
implementation is checked against the definition, not only against itself.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.analytics.health import REPLY_KINDS, community_health
from graph.analytics.health_release import FIGURES, TREND_MIN_POSTS, weekly_trend, withheld
from graph.jobs import AnalyticsParams, compute_snapshot
from graph.store.base import MembershipRow, PersonRow, PostRow, Projection
from schema.labels import HealthPeriod
from schema.models import Community

AS_OF = datetime(2025, 6, 13, 15, 30, tzinfo=UTC)  # a Friday afternoon
PEOPLE = [f"p{i}" for i in range(12)]
KINDS = ("question", "answer", "reply", "comment")
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def communities(draw: st.DrawFn) -> tuple[list[SimpleNamespace], list[tuple[str, str, datetime | None]]]:
    """Posts of two communities over about 14 weeks: threads, answers, replies, comments, deleted accounts, and
    now and then a response dated before the post it answers."""
    n = draw(st.integers(0, 60))
    posts: list[SimpleNamespace] = []
    for i in range(n):
        community = draw(st.sampled_from(("slack:c", "slack:c", "slack:c", "slack:d")))
        author = draw(st.one_of(st.sampled_from(PEOPLE), st.none()))
        hours_ago = draw(st.integers(0, 24 * 7 * 14))
        earlier = [p for p in posts if p.community_id == community]
        if earlier and draw(st.booleans()):
            parent = draw(st.sampled_from(earlier))
            root = parent.thread_id or parent.id
            kind = draw(st.sampled_from(KINDS[1:]))
            if draw(st.integers(0, 4)):  # mostly after its parent; sometimes before (a merged answer keeps its date)
                hours_ago = min(hours_ago, int((AS_OF - parent.created_at).total_seconds() // 3600))
            posts.append(SimpleNamespace(
                id=f"x{i:02}", kind=kind, author_id=author, created_at=AS_OF - timedelta(hours=hours_ago),
                community_id=community, thread_id=root, parent_id=parent.id))
        else:
            posts.append(SimpleNamespace(
                id=f"x{i:02}", kind=draw(st.sampled_from(("question", "reply"))), author_id=author,
                created_at=AS_OF - timedelta(hours=hours_ago), community_id=community, thread_id=None,
                parent_id=None))
    members = draw(st.lists(
        st.tuples(st.sampled_from(PEOPLE), st.sampled_from(("slack:c", "slack:d")),
                  st.one_of(st.none(), st.integers(-24 * 7 * 20, 24 * 7).map(lambda h: AS_OF - timedelta(hours=h)))),
        max_size=15))
    return posts, members


def _end(h) -> datetime:
    if h.period is HealthPeriod.CURRENT:
        return AS_OF + timedelta(microseconds=1)
    start = datetime(h.start.year, h.start.month, h.start.day, tzinfo=UTC)
    return min(start + timedelta(weeks=1), AS_OF + timedelta(microseconds=1))


def _start(h) -> datetime:
    if h.period is HealthPeriod.CURRENT:
        return AS_OF + timedelta(microseconds=1) - timedelta(days=30)
    return datetime(h.start.year, h.start.month, h.start.day, tzinfo=UTC)


@given(communities())
@SETTINGS
def test_figures_obey_their_definitions_and_bind_each_other(data) -> None:
    posts, members = data
    managers = {"p0", "p1", "p2"}
    departments = {p: ("eng" if int(p[1:]) % 2 else "sales") for p in PEOPLE}
    rows = community_health(posts, members, departments=departments, managers=managers, as_of=AS_OF, weeks=16,
                            communities=["slack:c", "slack:d"])
    for h in rows:
        start, end = _start(h), _end(h)
        mine = [p for p in posts if p.community_id == h.community_id]
        period = [p for p in mine if start <= p.created_at < end]
        authors = {p.author_id for p in period if p.author_id is not None}
        joined = {p.author_id for p in mine if p.author_id is not None and p.created_at < end} | {
            who for who, c, since in members if c == h.community_id and (since is None or since < end)
        }
        threads = [p for p in period if p.thread_id is None]
        replied = [t for t in threads if any(
            q.thread_id == t.id and q.kind in REPLY_KINDS and (q.author_id is None or t.author_id is None
                                                               or q.author_id != t.author_id)
            for q in mine)]

        # the definitions, by brute force
        assert h.posts == len(period)
        assert h.active_members == len(authors)
        assert h.members == len(joined)
        assert h.threads == len(threads)
        assert h.replied_threads == len(replied)
        # the relations that bind them
        assert h.active_members <= h.members
        assert h.active_members <= h.posts  # a week's contributors are its posters and repliers
        assert h.replied_threads <= h.threads <= h.posts
        if h.threads:
            assert h.reply_rate is not None
            assert h.unanswered_share is not None
            assert h.reply_rate + h.unanswered_share == pytest.approx(1.0, abs=1e-9)
        else:
            assert h.reply_rate is None
            assert h.unanswered_share is None
        assert (h.contributor_gini is None) == (h.active_members == 0)
        if h.contributor_gini is not None:
            assert 0.0 <= h.contributor_gini < 1.0
            counts = Counter(p.author_id for p in period if p.author_id is not None)
            assert (h.contributor_gini == 0.0) == (len(set(counts.values())) == 1)
        if h.absence_factor is not None:
            assert 1 <= h.absence_factor <= h.active_members
        if h.median_first_response_hours is not None:
            assert h.median_first_response_hours >= 0
        elif h.replied_threads:
            pytest.fail("a thread with a reply has a first response")
        for share in (h.newcomer_retention, h.managers_active_share, h.cross_department_share):
            assert share is None or 0.0 <= share <= 1.0
        assert h.leaders <= h.members
        assert (h.managers_active_share is None) == (h.leaders == 0)
        assert h.posts_per_week == pytest.approx(h.posts * 7 / max(h.days, 7.0), abs=1e-5)
        if h.period is HealthPeriod.WEEK:
            assert h.days <= 7.0
    for cid in ("slack:c", "slack:d"):
        weekly = [h for h in rows if h.community_id == cid and h.period is HealthPeriod.WEEK]
        assert [w.members for w in weekly] == sorted(w.members for w in weekly)  # joining is for good
        assert all(w.days == 7.0 for w in weekly[:-1])


@given(communities(), st.integers(1, 8))
@SETTINGS
def test_what_is_shown_is_over_enough_people(data, k) -> None:
    posts, members = data
    rows = community_health(posts, members, departments={}, managers={"p0", "p1"}, as_of=AS_OF, weeks=16)
    for h in rows:
        hidden, reason = withheld(h, k)
        if h.members < k or (h.active_members < k and h.posts):
            assert hidden == FIGURES
            assert reason
        elif h.active_members < k:  # nobody posted: the zeros point at no one, so they are shown
            assert (h.active_members, h.posts, h.threads, h.posts_per_week) == (0, 0, 0, 0.0)
            assert "posts" not in hidden
            assert "members" not in hidden
            assert h.reply_rate is None
            assert h.contributor_gini is None
            assert h.absence_factor is None
        else:
            assert "posts" not in hidden
            assert "members" not in hidden
            for name, population in (("newcomer_retention", h.newcomers), ("managers_active_share", h.leaders)):
                assert (name in hidden) == (0 < population < k)
    for cid in ("slack:c", "slack:d"):
        weekly = [h for h in rows if h.community_id == cid and h.period is HealthPeriod.WEEK]
        t = weekly_trend(weekly, k)
        complete = [w for w in weekly if w.days == 7.0][-8:]
        if t.posts is not None:
            assert len(complete) == 8
            before, recent = sum(w.posts for w in complete[:4]), sum(w.posts for w in complete[4:])
            assert min(before, recent) >= TREND_MIN_POSTS
            assert t.posts == pytest.approx((recent - before) / before, abs=1e-4)
            assert all(withheld(w, k)[0] != FIGURES for w in complete)
        else:
            assert t.reason


def _projection(posts, members, opted_out: set[str]) -> Projection:
    people = [PersonRow(p, "eng", None, None, True, p in opted_out, False, "hr", None) for p in PEOPLE]
    return Projection(
        people,
        [PostRow(p.id, p.kind, p.author_id, p.created_at, p.community_id, p.thread_id or p.id, p.parent_id, (), 0,
                 False) for p in posts],
        [MembershipRow(who, c, since) for who, c, since in members],
        [], [], [], [Community(id=c, name=c, kind="channel", source="slack") for c in ("slack:c", "slack:d")],
    )


@given(communities(), st.sets(st.sampled_from(PEOPLE), min_size=1, max_size=3))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_opted_out_people_count_in_no_figure(data, opted_out) -> None:
    """The whole analytics job on a community with opted-out posters gives the health of one where they never
    posted nor joined: not as authors, not as repliers, not as members (issue 9.7)."""
    posts, members = data
    params = AnalyticsParams(as_of=AS_OF)  # one clock for both (by default it is the data's last post)
    with_them = compute_snapshot(_projection(posts, members, opted_out), params)
    gone = {p.id for p in posts if p.author_id in opted_out}
    without = compute_snapshot(_projection(
        [p for p in posts if p.id not in gone], [m for m in members if m[0] not in opted_out], opted_out), params)
    assert with_them.health == without.health
    assert with_them.run.stats["opted_out_digest"] == without.run.stats["opted_out_digest"]
