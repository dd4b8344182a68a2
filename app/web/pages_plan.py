"""The planner (analysts only): influencers on a topic, seed candidates for a new forum and what the set reaches,
bridges between two chosen communities, and the network around a person or a community."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.web.core import PageError, current_user, gql, render, require_analyst, store
from app.web.network import Node, draw_network, keep_strongest
from app.web.privacy import suppress_small
from app.web.session import WebUser
from graph.store.base import GraphStore, Page
from schema.models import Person

router = APIRouter(include_in_schema=False)
NETWORK_NODES = 60
COMMUNITY_SAMPLE = 400
NAME_CHOICES = 20  # people offered when a typed name fits several

PERSON_FIELDS = "person { id name title department location }"
RANKED = ("rank score scoreMeaning explanation evidence { kind count lastAt } measures { name value meaning } "
          + PERSON_FIELDS)
INFLUENCERS = ("query I($skill: String, $cid: ID, $first: Int!) { influencers(skill: $skill, communityId: $cid, "
               f"first: $first) {{ {RANKED} }} }}")
SEEDS = ("query S($skill: String!, $count: Int!) { seedPlan(skill: $skill, count: $count) { asOf recentDays note "
         f"leftOut {{ expertRank lastActive explanation {PERSON_FIELDS} }} seeds {{ {RANKED} }} }} }}")
BRIDGES = ("query B($ids: [ID!]!, $first: Int!) { bridges(communityIds: $ids, first: $first) { rank betweenness "
           "constraint role explanation sides { communityId communityName member ties } "
           f"{PERSON_FIELDS} }} }}")
COMMUNITIES = "query C { communities(first: 100) { id name kind } }"
TABS = [("/plan/influencers", "Influencers"), ("/plan/seeds", "Seed a forum"), ("/plan/bridges", "Bridges"),
        ("/plan/network", "Network")]


def analyst(request: Request, user: WebUser = Depends(current_user)) -> WebUser:
    require_analyst(user, "The planner")
    return user


async def _communities(request: Request, user: WebUser) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (await gql(request, user, COMMUNITIES))["communities"]
    return sorted(rows, key=lambda c: c["name"].casefold())


def _page(request: Request, user: WebUser, template: str, **values: Any) -> Response:
    return render(request, template, user, tabs=TABS, **values)


@router.get("/plan")
async def plan(request: Request, user: WebUser = Depends(analyst)) -> Response:
    return _page(request, user, "plan_index.html")


@router.get("/plan/influencers")
async def influencers(request: Request, user: WebUser = Depends(analyst), skill: str = "",
                      community: str = "") -> Response:
    skill, community = skill.strip()[:100], community.strip()[:200]
    values: dict[str, Any] = {"skill": skill, "community": community, "rows": None, "error": None,
                              "communities": await _communities(request, user)}
    if skill or community:
        try:
            data = await gql(request, user, INFLUENCERS, {"skill": skill or None, "cid": community or None,
                                                          "first": 15})
            values["rows"] = data["influencers"]
        except PageError as exc:
            if exc.status not in (400, 404):
                raise
            values["error"] = exc.message
    return _page(request, user, "plan_influencers.html", **values)


@router.get("/plan/seeds")
async def seeds(request: Request, user: WebUser = Depends(analyst), skill: str = "", count: int = 5) -> Response:
    skill = skill.strip()[:100]
    count = min(max(count, 1), 20)
    values: dict[str, Any] = {"skill": skill, "count": count, "rows": None, "error": None, "reach": None,
                              "plan": None}
    if skill:
        try:
            plan = (await gql(request, user, SEEDS, {"skill": skill, "count": count}))["seedPlan"]
            values["plan"] = plan
            values["rows"] = plan["seeds"] if plan is not None else []
        except PageError as exc:
            if exc.status not in (400, 404):
                raise
            values["error"] = exc.message
        plan = values["plan"]
        if values["rows"] and plan is not None:
            since = datetime.fromisoformat(plan["asOf"]) - timedelta(days=plan["recentDays"])
            values["reach"] = await set_reach(request, [r["person"]["id"] for r in values["rows"]], since)
    return _page(request, user, "plan_seeds.html", **values)


async def set_reach(request: Request, ids: list[str], since: datetime | None = None) -> dict[str, Any]:
    """What a set of seeds reaches together: people (themselves and their interaction partners; ``since``: through
    ties from then on, the seeds' recent window), communities, departments of the people reached (a department with
    fewer than ``min_group_size`` of them withheld)."""
    reach = await store(request, lambda s: s.reach(ids, since=since))
    people: set[str] = set(ids)
    communities: set[str] = set()
    for r in reach.values():
        people |= r.neighbours
        communities |= r.communities
    found = await store(request, lambda s: s.people(sorted(people)))
    visible = {pid: p for pid, p in found.items() if p.active and not p.opted_out}  # leavers are reached no more
    departments: Counter[str | None] = Counter(p.department for p in visible.values())
    names = {c.id: c.name for c in await store(request, lambda s: s.communities(first=100))}
    k = request.app.state.settings.min_group_size
    return {"people": len(visible), "communities": sorted(names.get(c, c) for c in communities),
            "departments": suppress_small(departments, k), "k": k}


@router.get("/plan/bridges")
async def bridges(request: Request, user: WebUser = Depends(analyst), a: str = "", b: str = "") -> Response:
    values: dict[str, Any] = {"a": a, "b": b, "rows": None, "error": None,
                              "communities": await _communities(request, user)}
    if a and b:
        if a == b:
            values["error"] = "Choose two different communities."
        else:
            try:
                values["rows"] = (await gql(request, user, BRIDGES, {"ids": [a, b], "first": 15}))["bridges"]
            except PageError as exc:
                if exc.status not in (400, 404):
                    raise
                values["error"] = exc.message
    names = {c["id"]: c["name"] for c in values["communities"]}
    return _page(request, user, "plan_bridges.html", names=names, **values)


async def _person_by_id_or_name(request: Request, typed: str) -> Person | list[Person]:
    """The person ``typed`` names: an id, or a name (or part of one) only one visible person has; else everyone
    whose name holds it, best match first, to choose from (none: nobody)."""
    text = typed.strip()
    by_id = (await store(request, lambda s: s.people([text]))).get(text)
    if by_id is not None and by_id.active and not by_id.opted_out and not by_id.bot:  # as people_named finds them
        return by_id
    named = await store(request, lambda s: s.people_named(text, first=NAME_CHOICES))
    return named[0] if len(named) == 1 else named


def _members_after(community: str, cursor: str, s: GraphStore) -> Page[Person]:
    return s.community_members(community, first=100, after=cursor)


@router.get("/plan/network")
async def network(request: Request, user: WebUser = Depends(analyst), person: str = "",
                  community: str = "") -> Response:
    values: dict[str, Any] = {"person": person, "community": community, "svg": None, "legend": [],
                              "communities": await _communities(request, user), "subject": None, "error": None,
                              "choices": []}
    centre: str | None = None
    if person.strip():
        found = await _person_by_id_or_name(request, person)
        if not isinstance(found, Person):
            if found:
                values["choices"] = found
            else:
                values["error"] = f"No one called {person.strip()!r} here (or they have opted out)."
            return _page(request, user, "plan_network.html", **values)
        centre = found.id
        reach = await store(request, lambda s: s.reach([found.id]))
        ids = {found.id} | set(reach[found.id].neighbours)
        values["subject"] = f"around {found.name}"
    elif community:
        page = await store(request, lambda s: s.community_members(community, first=100))
        members = [p.id for p in page.items]
        while page.next_cursor and len(members) < COMMUNITY_SAMPLE:
            page = await store(request, partial(_members_after, community, page.next_cursor))
            members += [p.id for p in page.items]
        ids = set(members)
        name = next((c["name"] for c in values["communities"] if c["id"] == community), community)
        values["subject"] = f"inside {name}"
    else:
        return _page(request, user, "plan_network.html", **values)
    edges = await store(request, lambda s: s.interactions_among(sorted(ids)))
    keep = keep_strongest(edges, NETWORK_NODES, must=centre)
    people = await store(request, lambda s: s.people(sorted(keep)))
    nodes = {pid: Node(pid, p.name, p.department) for pid, p in people.items() if not p.opted_out}
    drawn = [(x, y, w) for x, y, w in edges if x in nodes and y in nodes]
    title = f"Interaction network {values['subject']}"
    values["svg"], values["legend"] = draw_network(nodes, drawn, centre, title=title)
    values["counts"] = {"people": len(nodes), "ties": len(drawn), "of": len(ids)}
    return _page(request, user, "plan_network.html", **values)


__all__ = ["router", "set_reach"]
