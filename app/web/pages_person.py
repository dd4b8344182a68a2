"""A person: declared skills apart from demonstrated ones, communities, activity by week, the introduction path."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.clock import data_clock
from app.web.charts import Point, week_chart
from app.web.core import PageError, current_user, gql, render, store
from app.web.session import WebUser
from app.web.weeks import monday, week_range
from graph.projection import TieWeights

router = APIRouter(include_in_schema=False)
ACTIVITY_WEEKS = 26

PERSON = """
query Person($id: ID!) { person(id: $id) { id name title department location hiredOn active
  manager { id name }
  communities { id name kind }
  skills { skill level source declaredOn }
  expertise { skill score explanation evidence { kind count lastAt } }
  %s } }"""
SCORES = ("scores { pagerank degree betweenness constraint effectiveSize participation withinCommunityZ role "
          "articulationPoint detectedCommunity }")
INTRO = "query I($a: ID!, $b: ID!) { introductionPath(fromId: $a, toId: $b, maxHops: 4) { id name title } }"

# every score but degree is over the whole tie graph, which also links the members of small communities and
# managers with their reports: on a Slack channel of four with no replies, everyone read "Degree 0 %" (no one
# interacted with) beside "Effective size 1.0" and "Constraint 0.93", with nothing saying where those ties came from
ANY_TIE = ("Degree counts only the people interacted with; the other scores count ties of any kind: interactions, "
           f"reporting lines, and membership of the same community of up to {TieWeights().clique_max} people.")
SCORE_MEANINGS = [
    ("pagerank", "PageRank", "share of attention in the graph of ties (Brin & Page 1998); sums to 1 over everyone"),
    ("degree", "Degree", "share of all other people this person has interacted with"),
    ("betweenness", "Betweenness", "share of shortest paths between others that pass through this person "
                                   "(Freeman 1977); high = a broker"),
    ("constraint", "Constraint", "Burt's constraint (1992): low = ties into groups that are not tied to each other"),
    ("effectiveSize", "Effective size", "non-redundant contacts (Burt 1992)"),
    ("participation", "Participation", "how evenly ties spread over detected communities, 0..1 "
                                       "(Guimerà & Amaral 2005)"),
    ("withinCommunityZ", "Within-community z", "degree inside their own community, in standard deviations"),
    ("role", "Role", "Guimerà-Amaral role from the two figures above"),
]
SHARES = frozenset({"pagerank", "degree", "betweenness"})  # shown as percentages that never round a share to 0
# the sources whose posts are not a forum's questions and answers: in a chat (channels) a top-level message starts a
# thread or says something, it asks nothing, so "33 questions" misread a Slack person; a Viva Engage (Yammer) thread
# is a conversation someone started, most of them announcements and discussion
CHAT_WORDS = {"question": ("message", "messages"), "reply": ("thread reply", "thread replies")}
SOURCE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "slack": CHAT_WORDS, "teams": CHAT_WORDS,
    "vivaengage": {"question": ("conversation started", "conversations started")},
}
_FORUM_PLURAL = {"reply": "replies"}


def activity_words(per_kind: Counter[tuple[str, str]]) -> list[str]:
    """The "In all" counts of posts per (kind, source), worded by source: a forum's questions, answers, replies and
    comments as before (by kind), then a chat's messages and thread replies, a Viva Engage network's conversations
    started. Counts worded alike add up.

    >>> activity_words(Counter({("question", "slack"): 33, ("reply", "slack"): 5}))
    ['33 messages', '5 thread replies']
    >>> activity_words(Counter({("question", "stackexchange/x"): 1, ("answer", "discourse:d"): 4,
    ...                         ("reply", "teams"): 1, ("question", "slack"): 1, ("reply", "discourse:d"): 2}))
    ['4 answers', '1 question', '2 replies', '1 message', '1 thread reply']
    >>> activity_words(Counter({("question", "vivaengage"): 1, ("reply", "vivaengage"): 3}))
    ['3 replies', '1 conversation started']
    """
    forum: Counter[str] = Counter()
    other: Counter[tuple[str, str]] = Counter()
    for (kind, source), n in per_kind.items():
        words = SOURCE_WORDS.get(source.partition("/")[0], {}).get(kind)
        if words is None:
            forum[kind] += n
        else:
            other[words] += n
    said = [f"{n} {kind if n == 1 else _FORUM_PLURAL.get(kind, kind + 's')}" for kind, n in sorted(forum.items()) if n]
    order = [w for table in SOURCE_WORDS.values() for w in table.values()]
    return said + [f"{n} {words[n != 1]}" for words, n in sorted(other.items(), key=lambda kv: order.index(kv[0]))
                   if n]


def _share(value: float) -> str:
    """A share as a percentage with two significant digits in plain notation (never 0 for a positive share)."""
    pct = 100 * value
    if pct <= 0:
        return "0 %"
    if pct < 1e-4:
        return "under 0.0001 %"
    digits = max(0, 1 - math.floor(math.log10(pct)))
    return f"{pct:.{digits}f} %"


def score_text(key: str, value: float | str | None) -> str:
    """One network score as a reader reads it. Four fixed decimals showed a broker on a few of the 303,810 shortest
    paths of a 781-person forum (betweenness 0.00003) as "0.0000", and the PageRank of everyone in a 20,000-person
    organisation as 0.0000 or 0.0001; shares keep two significant digits, counts one decimal.

    >>> score_text("betweenness", 3e-05), score_text("pagerank", 0.0262), score_text("effectiveSize", 3.80194)
    ('0.0030 %', '2.6 %', '3.8')
    >>> score_text("betweenness", 0.0), score_text("degree", 0.5), score_text("pagerank", 4.2e-9)
    ('0 %', '50 %', 'under 0.0001 %')
    >>> score_text("constraint", 0.39427), score_text("withinCommunityZ", -0.0), score_text("role", "connector_hub")
    ('0.39', '0.00', 'connector hub')
    """
    if value is None:
        return "–"
    if isinstance(value, str):
        return value.replace("_", " ").lower()
    if key in SHARES:
        return _share(value)
    if key == "effectiveSize":
        return f"{value:,.1f}"
    return f"{value + 0.0:.2f}".replace("-0.00", "0.00")


DEMONSTRATING = {"ANSWERS", "ACCEPTED_ANSWERS", "VOTES", "ENDORSEMENTS", "EXPERTISE_RANK", "QUESTIONS"}


def split_expertise(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(demonstrated, declared only): demonstrated skills have evidence beyond a declaration."""
    shown: list[dict[str, Any]] = []
    declared: list[dict[str, Any]] = []
    for x in rows:
        kinds = {e["kind"] for e in x["evidence"] if e["count"]}
        (shown if kinds & DEMONSTRATING else declared).append(x)
    return shown, declared


@router.get("/people/{person_id:path}")
async def person_page(person_id: str, request: Request, user: WebUser = Depends(current_user)) -> Response:
    if not person_id:  # "/people/", a link's address cut at its id: people are found from search
        return RedirectResponse("/search", status_code=303)
    data = await gql(request, user, PERSON % (SCORES if user.is_analyst else ""), {"id": person_id})
    p = data["person"]
    if p is None:
        if person_id == user.person_id:  # hidden by their own choice or their HR record: say so, and where to undo it
            return RedirectResponse("/me/privacy", status_code=303)
        raise PageError(404, "No such person here (or they have opted out of whoknows).")
    intro = None
    me = user.listed_person
    if me and me != p["id"]:
        try:
            intro = (await gql(request, user, INTRO, {"a": me, "b": p["id"]}))["introductionPath"]
        except PageError:
            intro = None
    # the weeks end at the data's clock, as the health figures: from the wall clock, everyone of an export older
    # than half a year read "No posts in this period"
    run = await store(request, lambda s: s.last_run())
    today = data_clock(run.stats if run is not None else None, datetime.now(UTC)).date()
    start = monday(today) - timedelta(weeks=ACTIVITY_WEEKS - 1)
    rows = await store(request, lambda s: s.person_activity(p["id"], since=start))
    quiet_until = None  # none in the weeks to the data's last post: their weeks end at their own latest post
    if not rows:
        earlier = await store(request, lambda s: s.person_activity(p["id"]))
        if earlier:
            quiet_until, today = today, min(today, max(r.week for r in earlier) + timedelta(days=6))
            start = monday(today) - timedelta(weeks=ACTIVITY_WEEKS - 1)
            rows = [r for r in earlier if r.week >= start]
    per_week: Counter[Any] = Counter()
    per_kind: Counter[tuple[str, str]] = Counter()
    for r in rows:
        per_week[r.week] += r.posts
        per_kind[r.kind, r.source] += r.posts
    points = [Point(day=w, value=float(per_week.get(w, 0))) for w in week_range(start, monday(today))]
    chart = week_chart(points, title=f"Posts by {p['name']} per week", unit="posts", chart_id="activity",
                       integer=True)
    shown, declared_only = split_expertise(p["expertise"])
    return render(request, "person.html", user, p=p, intro=intro, chart=chart, per_kind=activity_words(per_kind),
                  demonstrated=shown, declared_only=declared_only, score_meanings=SCORE_MEANINGS, score_text=score_text,
                  score_note=ANY_TIE,
                  weeks=ACTIVITY_WEEKS, until=today, quiet_until=quiet_until)


__all__ = ["router", "split_expertise"]
