"""Communities: a sortable list with health at a glance, and one community's charts, leaderboard and departments.

Health figures are analyst-only (as in the API); withheld figures (over fewer people than the privacy minimum)
are shown as withheld and never drawn. Figures come from the same ``HealthFigures`` the GraphQL API returns.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.clock import data_clock
from app.graphql.types import CommunityHealth, HealthFigures
from app.web.charts import NO_FIGURE, Point, week_chart
from app.web.core import PageError, current_user, gql, render, store
from app.web.privacy import suppress_small
from app.web.session import WebUser
from graph.analytics.health_release import TREND_MIN_POSTS, TREND_WEEKS
from graph.store.base import HealthReport
from graph.store.common import shared_ranks

router = APIRouter(include_in_schema=False)
LEADERBOARD_DAYS = 90
CONCURRENCY = 8

COMMUNITIES = "query C { communities(first: 100) { id name kind source } }"
COMMUNITY = "query C($id: ID!) { community(id: $id) { id name kind source } }"

# (field, title, unit, kind, percent, what it means)
CHARTS: list[tuple[str, str, str, str, bool, str]] = [
    ("posts", "Posts per week", "posts", "bar", False, "questions, answers, replies and comments posted that week"),
    ("active_members", "Active members per week", "people", "bar", False,
     "members who posted or replied that week"),
    ("median_first_response_hours", "Time to first response", "hours (median)", "line", False,
     "median hours from a thread's opening post to the first response by someone else, comments included"),
    ("reply_rate", "Reply rate", "threads answered", "line", True,
     "share of the week's threads that got a reply from someone other than the author"),
    ("contributor_gini", "Contributor concentration (Gini)", "Gini 0-1", "line", True,
     "0 = everyone posts equally, 1 = one person makes every post"),
    ("newcomer_retention", "Newcomer retention", "newcomers retained", "line", True,
     "share of first-time posters who posted again within the following weeks"),
    ("managers_active_share", "Leader participation", "managers active", "line", True,
     "share of the community's managers who posted that week"),
]
# what a chart with no figure in any week says instead of bare axes
EMPTY = {
    "managers_active_share": "No week has a figure: no manager is known among this community's members (who "
                             "manages whom comes from the HR export's reporting lines).",
    "newcomer_retention": "No week has a figure: no one posted for the first time in any of these weeks.",
}
SORTS = {"name", "kind", "members", "active_members", "posts_per_week", "reply_rate",
         "median_first_response_hours", "contributor_gini"}


def _two_places(v: float) -> str:
    return f"{v:.2f}"


def _figures(report: HealthReport, k: int) -> CommunityHealth:
    return CommunityHealth.from_domain(report, k)


def response_scale(points: list[Point], unit: str, meaning: str,
                   current: float | None) -> tuple[list[Point], str, str]:
    """First-response times in minutes when the card beside the chart says minutes (the current median under an
    hour, as ``duration`` prints it: "24 min"), so one figure is read in one unit; else as they come, in hours.

    >>> from datetime import date
    >>> pts, unit, meaning = response_scale([Point(date(2024, 1, 1), 0.4), Point(date(2024, 1, 8), None)],
    ...                                     "hours (median)", "median hours from a thread's opening post", 0.5)
    >>> [p.value for p in pts], unit, meaning
    ([24.0, None], 'minutes (median)', "median minutes from a thread's opening post")
    >>> response_scale([Point(date(2024, 1, 1), 0.4)], "hours (median)", "m", 5.0)[1]
    'hours (median)'
    """
    if current is None or current >= 1.0:
        return points, unit, meaning
    minutes = [replace(p, value=None if p.value is None else p.value * 60.0) for p in points]
    return minutes, unit.replace("hours", "minutes"), meaning.replace("median hours", "median minutes")


def series(weekly: list[HealthFigures], field: str) -> list[Point]:
    """One figure's weekly points; a week where it is withheld is a withheld point, never a value."""
    camel = field.split("_")[0] + "".join(w.title() for w in field.split("_")[1:])
    return [Point(day=w.start, value=getattr(w, field), withheld=camel in w.withheld) for w in weekly]


@router.get("/communities")
async def communities(request: Request, user: WebUser = Depends(current_user), sort: str = "name",
                      dir: str = "asc") -> Response:
    rows: list[dict[str, Any]] = (await gql(request, user, COMMUNITIES))["communities"]
    k = request.app.state.settings.min_group_size
    sizes = await store(request, lambda s: s.community_sizes())
    for r in rows:
        n = sizes.get(r["id"], 0)
        r["members"] = n if n >= k else None
    until = None
    if user.is_analyst:
        run = await store(request, lambda s: s.last_run())
        # "the last 30 days" read as the month to today: on exports that end years ago it is the 30 days to the
        # data's last post (as on each community's page), so say which
        until = data_clock(run.stats if run is not None else None, datetime.now(UTC))
        limit = asyncio.Semaphore(CONCURRENCY)

        async def health(cid: str) -> HealthReport:
            async with limit:
                return await store(request, lambda s: s.community_health(cid))

        reports = await asyncio.gather(*(health(r["id"]) for r in rows))
        for r, rep in zip(rows, reports, strict=True):
            figs = _figures(rep, k)
            r["health"] = figs.current
            r["trend"] = figs.trend
    sort = sort if sort in SORTS else "name"
    reverse = dir == "desc"

    def key(r: dict[str, Any]) -> tuple[int, Any]:
        if sort in ("name", "kind"):
            return (0, str(r[sort]).casefold())
        v = r["members"] if sort == "members" else getattr(r.get("health"), sort, None)
        return (0, v) if v is not None else (1, 0)  # withheld or missing: always last

    present = [r for r in rows if key(r)[0] == 0]
    missing = [r for r in rows if key(r)[0] == 1]
    rows = sorted(present, key=key, reverse=reverse) + missing
    return render(request, "communities.html", user, rows=rows, sort=sort, dir=dir, k=k, until=until,
                  trend_weeks=TREND_WEEKS, trend_min_posts=TREND_MIN_POSTS)


@router.get("/communities/{community_id:path}")
async def community(community_id: str, request: Request, user: WebUser = Depends(current_user)) -> Response:
    if not community_id:  # "/communities/": the list, not "id '' is not a valid id"
        return RedirectResponse("/communities", status_code=303)
    found = (await gql(request, user, COMMUNITY, {"id": community_id}))["community"]
    if found is None:
        raise PageError(404, "No such community.")
    cid = found["id"]
    k = request.app.state.settings.min_group_size
    run = await store(request, lambda s: s.last_run())
    until = data_clock(run.stats if run is not None else None, datetime.now(UTC))  # the health figures' clock
    since = until - timedelta(days=LEADERBOARD_DAYS)
    leaders, departments, sizes = await asyncio.gather(
        store(request, lambda s: s.community_contributors(cid, first=10, since=since)),
        store(request, lambda s: s.community_departments(cid)),
        store(request, lambda s: s.community_sizes([cid])),
    )
    size = sizes.get(cid, 0)
    values: dict[str, Any] = {
        "c": found, "leaders": leaders, "leader_ranks": shared_ranks([(c.posts, c.accepted) for c in leaders]),
        "departments": suppress_small(departments, k), "k": k,
        "members": size if size >= k else None, "days": LEADERBOARD_DAYS, "until": until, "charts": [],
        "health": None,
    }
    if user.is_analyst:
        figs = _figures(await store(request, lambda s: s.community_health(cid)), k)
        values["health"] = figs
        for i, (field, title, unit, kind, percent, meaning) in enumerate(CHARTS):
            points = series(figs.weekly, field)
            if field == "median_first_response_hours":
                now = figs.current.median_first_response_hours if figs.current is not None else None
                points, unit, meaning = response_scale(points, unit, meaning, now)
            values["charts"].append({
                "title": title, "meaning": meaning, "withheld": sum(p.withheld for p in points),
                "svg": week_chart(points, title=title, unit=unit, kind=kind, percent=percent, chart_id=f"c{i}",
                                  fmt=_two_places if field == "contributor_gini" else None,
                                  integer=field in ("posts", "active_members"),
                                  empty=EMPTY.get(field, NO_FIGURE)),
            })
    return render(request, "community.html", user, **values)


__all__ = ["CHARTS", "response_scale", "router", "series"]
