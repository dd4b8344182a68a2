"""Search: "who knows X", with skill autocomplete, case-insensitive filters and "who could introduce me"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.web.core import PageError, current_user, gql, render, store
from app.web.facets import FacetMatch, match_facet
from app.web.session import WebUser

router = APIRouter(include_in_schema=False)
PAGE = 10

EXPERTS = """
query Search($skill: String!, $first: Int!, $after: String, $department: String, $location: String) {
  experts(skill: $skill, first: $first, after: $after, department: $department, location: $location) {
    skill totalCount pageInfo { hasNextPage endCursor }
    edges { node { score explanation evidence { kind count lastAt }
      person { id name title department location } } }
  }
}"""
SKILLS = "query S($q: String!) { skills(query: $q, first: 8) { name aliases match } }"


def intro_query(me: str, ids: list[str]) -> tuple[str, dict[str, Any]]:
    """One document asking for the introduction path to each result (aliases p0..pN, at most 10)."""
    fields = " ".join(
        f"p{i}: introductionPath(fromId: $me, toId: $t{i}, maxHops: 4) {{ id name }}" for i in range(len(ids))
    )
    params = ", ".join(f"$t{i}: ID!" for i in range(len(ids)))
    variables: dict[str, Any] = {"me": me, **{f"t{i}": pid for i, pid in enumerate(ids)}}
    return f"query Intro($me: ID!, {params}) {{ {fields} }}", variables


@router.get("/")
async def home(request: Request) -> Response:
    return RedirectResponse("/search", status_code=303)


@router.get("/search")
async def search(
    request: Request, user: WebUser = Depends(current_user), skill: str = "", department: str = "",
    location: str = "", after: str | None = None,
) -> Response:
    skill, department, location = skill.strip()[:100], department.strip()[:100], location.strip()[:100]
    values: dict[str, Any] = {"skill": skill, "department": department, "location": location, "result": None,
                              "notes": [], "suggestions": [], "intros": {}}
    if not skill:
        return render(request, "search.html", user, **values)
    filters = await match_filters(request, department, location, values["notes"])
    if filters is None:
        return render(request, "search.html", user, **values)
    values["scope"] = ", ".join(v for v in filters.values() if v)  # as the directory spells them
    try:
        data = await gql(request, user, EXPERTS, {"skill": skill, "first": PAGE, "after": after or None, **filters})
    except PageError as exc:
        if exc.status not in (400, 404):
            raise
        found = await gql(request, user, SKILLS, {"q": skill})
        values["suggestions"] = [s["name"] for s in found["skills"]][:5]
        values["notes"].append({"text": exc.message, "kind": "warn"})
        return render(request, "search.html", user, status=200, **values)
    result = data["experts"]
    for edge in result["edges"]:
        times = [e["lastAt"] for e in edge["node"]["evidence"] if e.get("lastAt")]
        edge["node"]["lastActive"] = max(times) if times else None
    values["result"] = result
    values["intros"] = await introductions(request, user, [e["node"]["person"]["id"] for e in result["edges"]])
    return render(request, "search.html", user, **values)


async def match_filters(request: Request, department: str, location: str,
                        notes: list[dict[str, Any]]) -> dict[str, str | None] | None:
    """The department and location as the directory spells them (case and small typos forgiven, with a note
    saying so); None when one matches nobody (a note says so, with what might have been meant)."""
    facets = await store(request, lambda s: s.directory_facets())
    filters: dict[str, str | None] = {"department": None, "location": None}
    for name, typed in (("department", department), ("location", location)):
        if not typed:
            continue
        match = match_facet(typed, facets.get(name, []))
        if match.value is None:
            notes.append(_no_one(name, match))
            return None
        if match.changed:
            notes.append({"text": f"Matching {name} '{typed}' as {match.value} (case does not matter).",
                          "kind": "info"})
        filters[name] = match.value
    return filters


async def introductions(request: Request, user: WebUser, ids: list[str]) -> dict[str, Any]:
    """Who could introduce the signed-in person to each of ``ids`` (nothing for a user who is not in the graph)."""
    if not user.listed_person or not ids:
        return {}
    query, variables = intro_query(user.listed_person, ids)
    try:
        paths = await gql(request, user, query, variables)
    except PageError:
        paths = {}
    return {pid: paths.get(f"p{i}") for i, pid in enumerate(ids)}


def _no_one(name: str, match: FacetMatch) -> dict[str, Any]:
    text = f"No one in {name} '{match.typed}'"
    if match.suggestions:
        text += "; did you mean " + " or ".join(match.suggestions) + "?"
    else:
        text += "; no " + name + " has a similar name."
    return {"text": text, "kind": "warn", "field": name, "suggestions": match.suggestions}


@router.get("/suggest/skills")
async def suggest_skills(request: Request, q: str = "", user: WebUser = Depends(current_user)) -> Response:
    """Autocomplete for the skill box: exact, prefix (names and aliases), then fuzzy (typos) matches."""
    q = q.strip()[:100]
    if not q:
        return JSONResponse([])
    try:
        data = await gql(request, user, SKILLS, {"q": q})
    except PageError:
        return JSONResponse([])
    out = []
    for s in data["skills"]:
        alias = next((a for a in s["aliases"] if a.casefold().startswith(q.casefold())), None)
        out.append({"name": s["name"], "hint": f"alias {alias}" if alias and s["match"] != "exact" else s["match"]})
    return JSONResponse(out, headers={"Cache-Control": "no-store"})


__all__ = ["intro_query", "introductions", "match_filters", "router"]
