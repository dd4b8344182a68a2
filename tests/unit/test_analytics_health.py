"""Health figures on hand-made communities whose answers are worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from graph.analytics.health import absence_factor, community_health, gini
from schema.labels import HealthPeriod

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)  # a Friday


def post(pid, author, hours_ago, *, kind="question", thread=None, parent=None, community="c"):
    return SimpleNamespace(id=pid, kind=kind, author_id=author, created_at=NOW - timedelta(hours=hours_ago),
                           community_id=community, thread_id=thread, parent_id=parent)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([5], 0.0), ([2, 2, 2], 0.0), ([0, 0, 0, 6], 0.75), ([1, 2, 3, 4], 0.25), ([1, 3], 0.25), ([0, 1], 0.5)],
)
def test_gini_hand_computed(values, expected) -> None:
    # [1,2,3,4]: mean abs difference over all ordered pairs = 20/16 = 1.25; / (2 * mean 2.5) = 0.25
    assert gini(values) == pytest.approx(expected)


def test_gini_edges() -> None:
    assert gini([]) is None
    assert gini([0, 0]) is None
    with pytest.raises(ValueError, match="non-negative"):
        gini([-1, 2])


@pytest.mark.parametrize(
    ("counts", "expected"),
    [([10, 5, 3, 2], 1), ([4, 4, 4, 4], 2), ([3, 3, 3], 2), ([1] * 9 + [0], 5), ([6, 2, 2, 1, 1], 1),
     ([5, 2, 2, 1, 1], 2), ([], None)],
)
def test_absence_factor_hand_computed(counts, expected) -> None:
    assert absence_factor(counts) == expected


def test_hand_made_community() -> None:
    # four threads in the last 30 days:
    #  t1 question by ann (100 h ago): cy comments after 1 h, bob answers after 3 h  -> replied, answered, 1 h
    #  t2 question by bob (50 h ago): only bob himself follows up                   -> unanswered, no response
    #  t3 discussion by cy (20 h ago): ann replies after 5 h                          -> replied, answered, 5 h
    #  t4 question by dan (10 h ago): cy comments after 2 h, no answer                 -> replied, unanswered, 2 h
    # one old thread by ann 40 days ago with a reply by eve, and bob's first post 45 days ago: the contributors
    # whose first post fell in the 30 days before "current" are ann, eve and bob; ann and bob post again now.
    posts = [
        post("t1", "ann", 100), post("t1c", "cy", 99, kind="comment", thread="t1", parent="t1"),
        post("t1a", "bob", 97, kind="answer", thread="t1", parent="t1"),
        post("t2", "bob", 50), post("t2r", "bob", 40, kind="reply", thread="t2", parent="t2"),
        post("t3", "cy", 20, kind="reply"), post("t3r", "ann", 15, kind="reply", thread="t3", parent="t3"),
        post("t4", "dan", 10), post("t4c", "cy", 8, kind="comment", thread="t4", parent="t4"),
        post("old", "ann", 24 * 40), post("oldr", "eve", 24 * 40 - 1, kind="reply", thread="old", parent="old"),
        post("older", "bob", 24 * 45),
        post("elsewhere", "zed", 5, community="other"),
    ]
    members = [("ann", "c", None), ("fay", "c", NOW - timedelta(days=100)), ("gus", "c", NOW + timedelta(days=1))]
    departments = {"ann": "eng", "bob": "eng", "cy": "sales", "dan": "eng", "eve": "hr"}
    health = community_health(posts, members, departments=departments, managers={"ann", "fay", "zed"},
                              as_of=NOW, weeks=8, communities=["c", "empty"])
    current = next(h for h in health if h.community_id == "c" and h.period == HealthPeriod.CURRENT)
    assert current.start == date(2025, 2, 12)
    assert current.members == 6  # ann, fay (declared), bob, cy, dan, eve (posted); gus joins later
    assert current.active_members == 4  # ann, bob, cy, dan
    assert current.posts == 9
    assert current.threads == 4
    # t1 (an answer) and t3 (a reply) got a reply; t4 only a comment, t2 only its author: reply rate and
    # unanswered share are complements over the same four threads
    assert current.reply_rate == pytest.approx(2 / 4)
    assert current.replied_threads == 2
    assert current.median_first_response_hours == pytest.approx(2.0)  # of 1, 5, 2: a comment is a response
    assert current.unanswered_share == pytest.approx(2 / 4)  # t2 (no response) and t4 (a comment, no answer)
    # posts per author: ann 2, bob 3, cy 3, dan 1 -> sorted 1,2,3,3 (n=4, total 9)
    assert current.contributor_gini == pytest.approx(2 * (1 + 4 + 9 + 12) / (4 * 9) - 5 / 4)
    assert current.absence_factor == 2  # 3 + 3 >= 4.5
    assert current.newcomer_retention == pytest.approx(2 / 3)
    assert current.newcomers == 3
    assert current.leaders == 2
    assert current.days == 30.0
    assert current.posts_per_week == pytest.approx(9 * 7 / 30)
    assert current.managers_active_share == pytest.approx(1 / 2)  # member managers ann (active), fay (silent)
    # responses between two known departments: t1c cy->ann x, t1a bob->ann, t3r ann->cy x, t4c cy->dan x
    # (t2r is bob to himself: not a response)
    assert current.cross_department_share == pytest.approx(3 / 4)

    weekly = [h for h in health if h.community_id == "c" and h.period == HealthPeriod.WEEK]
    assert [w.start for w in weekly] == sorted(w.start for w in weekly)
    assert all(w.start.weekday() == 0 for w in weekly)
    assert weekly[-1].start == date(2025, 3, 10)
    assert weekly[0].start == date(2025, 1, 13)
    assert len(weekly) == 9
    this_week = weekly[-1]  # Monday 10 March 00:00 to now (Friday 12:00): t1 (100 h ago) is in it
    assert this_week.posts == 9
    assert this_week.threads == 4
    assert this_week.active_members == 4  # the people who posted this week: ann, bob, cy, dan
    assert this_week.days == pytest.approx(4.5)  # Monday 00:00 to Friday 12:00: the week still running
    assert all(w.days == 7.0 for w in weekly[:-1])
    assert all(w.active_members == 0 for w in weekly if w.posts == 0)
    assert sum(w.posts for w in weekly) == 12

    empty = [h for h in health if h.community_id == "empty"]
    assert len(empty) == 1
    assert empty[0].posts == 0
    assert empty[0].reply_rate is None
    assert {h.community_id for h in health} == {"c", "empty", "other"}
    other = [h.period for h in health if h.community_id == "other"]
    assert other == [HealthPeriod.WEEK, HealthPeriod.CURRENT]  # weeks before its first post are skipped


def test_weeks_precondition() -> None:
    with pytest.raises(ValueError, match="weeks"):
        community_health([], [], departments={}, managers=[], as_of=NOW, weeks=-1)


def test_a_leaver_is_no_current_member_unless_they_posted_in_the_period() -> None:
    """The store keeps no leaving date: past weeks count a leaver as they were, the current period does not (the
    community's member list leaves leavers out, and the page showed 206 members beside a health card of 213)."""
    members = [(p, "c", None) for p in ("a", "b", "gone", "gone-but-posted")]
    posts = [post("q", "a", 10), post("r", "gone-but-posted", 5, kind="answer", thread="q", parent="q"),
             post("old", "gone", 24 * 60)]
    rows = community_health(posts, members, departments={}, managers=[], as_of=NOW, weeks=12,
                            leavers={"gone", "gone-but-posted"})
    current = next(h for h in rows if h.period == HealthPeriod.CURRENT)
    assert current.members == 3  # a, b and the leaver who posted this month
    assert current.active_members == 2
    weeks = [h for h in rows if h.period == HealthPeriod.WEEK]
    assert weeks
    assert all(h.members == 4 for h in weeks)  # past weeks as they were
    assert [h for h in rows if h.period == HealthPeriod.WEEK] == [
        h for h in community_health(posts, members, departments={}, managers=[], as_of=NOW, weeks=12)
        if h.period == HealthPeriod.WEEK]


def _now(rows):
    return next(h for h in rows if h.period is HealthPeriod.CURRENT)


def test_a_response_dated_before_its_root_still_answers_it() -> None:
    # Stack Exchange merges: an answer moved from an older duplicate keeps its date, before its new question's.
    #  q1 by ann (10 h ago): bob's answer dated 30 h ago (merged), cy's comment on it 20 h ago, dee answers 4 h ago
    #     -> replied; first response the merged answer, before the root: 0 h
    #  q2 by bob (6 h ago): ann answers 3 h later, with only a parent (no thread id) -> replied, 3 h
    #  q3 by cy (5 h ago): nothing                                                  -> unanswered
    posts = [
        post("q1", "ann", 10),
        post("a0", "bob", 30, kind="answer", thread="q1", parent="q1"),
        post("c0", "cy", 20, kind="comment", parent="a0"),
        post("a1", "dee", 4, kind="answer", thread="q1", parent="q1"),
        post("q2", "bob", 6),
        post("a2", "ann", 3, kind="answer", parent="q2"),
        post("q3", "cy", 5),
    ]
    now = _now(community_health(posts, [], departments={}, managers=[], as_of=NOW, weeks=0))
    assert (now.posts, now.threads, now.replied_threads) == (7, 3, 2)
    assert now.reply_rate == pytest.approx(2 / 3, abs=1e-6)
    assert now.unanswered_share == pytest.approx(1 / 3, abs=1e-6)
    assert now.median_first_response_hours == 1.5  # median of 0 h and 3 h
