"""What an explanation states about when and how much must be what the rank used, in words that stay true whatever
clock the reader holds: counts with their window, dates in the data's own time, nouns that agree with their number.
Small hand-made cases (the same checks on the real exports: tests/api/test_real_forum_explanations.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from app.graphql.explain import explain_expertise
from app.graphql.rankings import explain_influencer
from app.web.charts import Point, summarise
from graph.analytics.routing import Router, route, snapshot, train_router
from graph.analytics.routing_explain import evidence_text, lately
from graph.analytics.routing_features import AnswerRecord
from graph.store import base
from graph.store.base import PostRow
from schema.models import Evidence, Person

T0 = datetime(2016, 1, 4, tzinfo=UTC)
H = timedelta(hours=1)


def _forum() -> list[PostRow]:
    """300 questions on gate, one every 12 hours; "old" answers the first 100, "busy" the rest, "rare" every 40th."""
    posts: list[PostRow] = []
    for i in range(300):
        at = T0 + 12 * i * H
        q = f"q{i}"
        posts.append(PostRow(q, "question", f"asker{i % 30}", at, "c", q, None, ("gate",), 0, False))
        who = "old" if i < 100 else "busy"
        posts.append(PostRow(f"a{i}", "answer", who, at + 2 * H, "c", q, q, (), 2, i % 3 == 0))
        if i % 40 == 0:
            posts.append(PostRow(f"r{i}", "answer", "rare", at + 3 * H, "c", q, q, (), 1, False))
    return posts


def test_expertise_dates_the_answers_the_rank_weighs_not_a_later_question() -> None:
    ev = [Evidence(kind="answers", count=2, last_at=datetime(2014, 5, 30, tzinfo=UTC)),
          Evidence(kind="accepted_answers", count=1, last_at=datetime(2014, 3, 11, tzinfo=UTC)),
          Evidence(kind="questions", count=1, last_at=datetime(2017, 2, 21, tzinfo=UTC))]
    line = explain_expertise("ipa", ev, datetime(2017, 2, 21, tzinfo=UTC), datetime(2017, 3, 13, tzinfo=UTC))
    assert line.endswith("latest answer on ipa in May 2014"), line
    only_asked = [Evidence(kind="questions", count=3, last_at=datetime(2017, 2, 21, tzinfo=UTC))]
    assert explain_expertise("ipa", only_asked, now=datetime(2017, 3, 13, tzinfo=UTC)) == (
        "asked 3 questions on ipa, active last month")


def test_one_answer_or_reply_is_singular() -> None:
    who = base.Contributor(Person(id="x:1", name="A"), 3, 1, 0, None)
    line = explain_influencer(4, 0.01, "beer", contributor=who, until=datetime(2017, 3, 13))
    assert line.endswith("(1 answer, reply or comment to others)"), line  # no "0 accepted": nothing to read


def test_a_chart_summary_counts_one_week_in_the_singular() -> None:
    points = [Point(day=T0.date(), value=None, withheld=True)]
    text = summarise(points, "Posts", str)
    assert "1 week from" in text, text
    assert "1 week withheld" in text, text


def test_recent_answers_are_counted_over_a_stated_window() -> None:
    """"one of the most active answerers up to March 2017 (19 answers)" beside "34 questions answered" read as two
    records of the same span: the window the 19 are counted in (the latest 200 answers here) is named."""
    posts = _forum()
    as_of = max(p.created_at for p in posts)
    _, ctx = snapshot(posts, (), (), as_of=as_of, half_life_days=180)
    assert ctx.recent_since is not None
    answers = sorted(p.created_at for p in posts if p.kind == "answer")
    assert ctx.recent_since == answers[-200].timestamp()
    router = Router.from_json(Router("handset", ctx).to_json())
    assert router.context.recent_since == ctx.recent_since
    wall = as_of + timedelta(days=3000)
    when = lately(wall.timestamp(), ctx.as_of, ctx.recent_since)
    days = round((as_of.timestamp() - ctx.recent_since) / 86400)
    assert when == f"in the {days} days to {as_of.day} {as_of:%b %Y}, where the data ends", when
    busy = sum(1 for p in posts if p.kind == "answer" and p.author_id == "busy" and p.created_at.timestamp()
               >= ctx.recent_since)
    line = evidence_text("recent_answers", {}, {}, 1, (busy, 2.0), wall.timestamp(), when=when)
    assert line == f"one of the most active answerers {when} ({busy} answers)", line


def test_an_old_export_dates_answers_instead_of_saying_years_ago() -> None:
    """Every answer of a 2016 export read "10 years ago" by the wall clock, hiding the months between answerers
    that the rank (measured at the data's clock) weighs: the date is given instead."""
    posts = _forum()
    as_of = max(p.created_at for p in posts)
    source, ctx = snapshot(posts, (), (), as_of=as_of, half_life_days=180)
    wall = as_of + timedelta(days=3000)
    old_last = max(p.created_at for p in posts if p.author_id == "old")
    record = AnswerRecord(100, 34, old_last.timestamp())
    assert evidence_text("all_days", {}, {}, 1, None, wall.timestamp(), record, as_of=ctx.as_of) == (
        f"last answered on {old_last.day} {old_last:%b %Y}")
    for router in (Router("handset", ctx), train_router(posts, as_of=as_of)):
        for hit in route(router, source, ["gate"], now=wall):
            assert not re.search(r"\d+ (?:years|months|days) ago", hit.explanation), hit.explanation
            assert "lately" not in hit.explanation, hit.explanation
