"""A person: declared skills apart from demonstrated ones, communities, activity by week, the introduction path."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.web.charts import Point, week_chart
from app.web.core import PageError, current_user, gql, render, store
from app.web.session import WebUser
from app.web.weeks import monday, week_range

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

SCORE_MEANINGS = [
    ("pagerank", "PageRank", "share of attention in the interaction graph (Brin & Page 1998); sums to 1 over everyone"),
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
    today = datetime.now(UTC).date()
    start = monday(today) - timedelta(weeks=ACTIVITY_WEEKS - 1)
    rows = await store(request, lambda s: s.person_activity(p["id"], since=start))
    per_week: Counter[Any] = Counter()
    per_kind: Counter[str] = Counter()
    for r in rows:
        per_week[r.week] += r.posts
        per_kind[r.kind] += r.posts
    points = [Point(day=w, value=float(per_week.get(w, 0))) for w in week_range(start, monday(today))]
    chart = week_chart(points, title=f"Posts by {p['name']} per week", unit="posts", chart_id="activity",
                       integer=True)
    shown, declared_only = split_expertise(p["expertise"])
    return render(request, "person.html", user, p=p, intro=intro, chart=chart, per_kind=per_kind,
                  demonstrated=shown, declared_only=declared_only, score_meanings=SCORE_MEANINGS,
                  weeks=ACTIVITY_WEEKS)


__all__ = ["router", "split_expertise"]
