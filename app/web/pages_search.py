"""Search: "who knows X", with skill autocomplete, case-insensitive filters and "who could introduce me"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.graphql.schema import MAX_TITLE
from app.web.core import PageError, current_user, gql, render, store
from app.web.search_roles import show_role
from app.web.session import WebUser
from app.web.suggest import trailing_fragments
from app.web.understood import department_note, href, known_skill, place_note, read_query, role_note, understood_note
from schema.errors import SchemaError
from schema.facet_match import FacetMatch, forgiven, match_facet
from schema.facets import fold_facet, fold_name
from schema.skills import canonical_skill
from schema.understand import Understood

router = APIRouter(include_in_schema=False)
PAGE = 10

EXPERTS = """
query Search($skill: String!, $first: Int!, $after: String, $department: String, $location: String,
             $title: String) {
  experts(skill: $skill, first: $first, after: $after, department: $department, location: $location,
          title: $title) {
    skill totalCount pageInfo { hasNextPage endCursor }
    edges { node { rank score explanation evidence { kind count lastAt }
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
    location: str = "", after: str | None = None, anywhere: bool = False, title: str = "", skill_only: bool = False,
) -> Response:
    # the box takes a sentence ("who knows kubernetes in Berlin?"): as long as a question's title
    skill, department, location = " ".join(skill.split())[:MAX_TITLE], department.strip()[:100], location.strip()[:100]
    title = " ".join(title.split())[:100]  # a job title filter (offered when the words name one beside a skill)
    values: dict[str, Any] = {"skill": skill, "department": department, "location": location, "result": None,
                              "notes": [], "suggestions": [], "intros": {}, "anywhere": anywhere, "people": [],
                              "title": title, "skill_only": skill_only, "role": None}
    if not skill:
        if request.query_params.get("skill") is not None:  # submitted empty: say what to type
            values["notes"].append({"text": "Type a skill or a topic (kubernetes, k8s, machine learning), "
                                            "optionally with a place: “kubernetes in Berlin”.", "kind": "info"})
        return render(request, "search.html", user, **values)
    search_for, text_location = await read_search(request, values, after)
    if search_for is None:
        return render(request, "search.html", user, **values)
    if title:
        values["notes"].append({"text": f"Only people whose job title holds “{title}”.", "kind": "info",
                                "links": [("Any job title", href("/search", skill=skill, department=department,
                                                                 location=location))]})
    filters = await match_filters(request, department, location or text_location, values["notes"])
    if filters is None:
        return render(request, "search.html", user, **values)
    values["scope"] = ", ".join([*(v for v in filters.values() if v), *([f"title “{title}”"] if title else [])])
    try:
        data = await gql(request, user, EXPERTS, {"skill": search_for, "first": PAGE, "after": after or None,
                                                  "title": title or None, **filters})
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


async def read_search(request: Request, values: dict[str, Any], after: str | None = None) -> tuple[str | None, str]:
    """The skill to search for and the place the words name ("" when none applies), with notes saying how the
    words were read; (None, "") when they name no skill (the notes and suggestions say what they do name, and a
    job title they name is listed: ``values["role"]``)."""
    typed, notes = values["skill"], values["notes"]
    try:
        if await known_skill(request, canonical_skill(typed)):
            return typed, ""  # a skill name or alias as typed: nothing to read into it
    except SchemaError:
        pass
    u = await read_query(request, typed, titles=not values["skill_only"])
    dept, loc = values["department"], values["location"]
    skill_only = "1" if values["skill_only"] else None

    def link(place: str | None) -> str:
        return href("/search", skill=typed, department=dept, location=place, anywhere=None if place else "1",
                    skill_only=skill_only)

    if not u.skills and u.roles:
        await show_role(request, u, values, after, link)
        return None, ""
    if not u.skills:
        await _nothing_named(request, u, values, link)
        return None, ""
    if len(u.skills) > 1:
        notes.append({"text": f"Your search names {len(u.skills)} skills; showing people who know {u.skills[0]}.",
                      "kind": "info", "links": [("Rank people for all of them", href(
                          "/ask", question=typed, department=dept, location=loc, anywhere="1" if values["anywhere"]
                          else None))] + [(f"Only {s}", href("/search", skill=s, department=dept, location=loc))
                                          for s in u.skills[1:]]})
    note = understood_note(u, u.skills[:1])
    if note is not None:
        notes.append(note)
    if u.locations:
        notes.append(place_note(u, loc, values["anywhere"], link))
    dnote = department_note(u, lambda d: href("/search", skill=typed, department=d, location=loc,
                                              anywhere="1" if values["anywhere"] else None))
    if dnote is not None and not dept:
        notes.append(dnote)
    rnote = role_note(u, lambda t: href("/search", skill=typed, department=dept, location=loc, title=t,
                                        anywhere="1" if values["anywhere"] else None))
    if rnote is not None and not values["title"]:
        notes.append(rnote)
    _typos(u, values, link)
    return u.skills[0], "" if loc or values["anywhere"] else (u.location or "")


async def _nothing_named(request: Request, u: Understood, values: dict[str, Any],
                         link: Callable[[str | None], str]) -> None:
    """No skill in the words: say what they do name (a place, a department, a person, a close spelling), or that
    this organisation has no such skill, with where to go from here."""
    notes, typed = values["notes"], values["skill"]
    if not (u.leftover or u.locations or u.departments):
        notes.append({"text": f"“{typed}” has no words to search for: type a skill or a topic (kubernetes, k8s, "
                              "machine learning), optionally with a place.", "kind": "warn"})
        return
    _typos(u, values, link)
    for c in u.role_hints:
        notes.append({"text": f"“{c.typed}” may be the initials of the job title {c.meant}.", "kind": "info",
                      "links": [(f"Who holds the title {c.meant}", href(
                          "/search", skill=c.meant, department=values["department"], location=values["location"]
                          or u.location))]})
    named = [f"the location {p}" for p in u.locations] + [f"the department {d}" for d in u.departments]
    if named:
        notes.append({"text": f"“{typed}” names {' and '.join(named)}, but no skill anyone here has shown: type "
                              "a skill with it (the form's filter is filled in).", "kind": "info"})
        if u.location and not values["location"]:
            values["location"] = u.location
        if u.departments and not values["department"]:
            values["department"] = u.departments[0]
    people = await store(request, lambda s: s.people_named(typed, first=5))
    want = fold_name(typed)
    values["people"] = [p for p in people if not p.opted_out and len(want) >= 3
                        and f" {want}" in f" {fold_name(p.name)}"]
    if not named and not values["suggestions"]:
        notes.append({"text": f"No one in this organisation has a skill named “{typed}”: whoknows knows the skills "
                              "people declared, answered on or were endorsed for. Try a broader or related skill, "
                              "or its usual name.", "kind": "warn"})


def _typos(u: Understood, values: dict[str, Any], link: Callable[[str | None], str]) -> None:
    """"Did you mean" for words a letter or two from a skill (as suggestion links) or a place (as a note)."""
    for c in u.typos:
        if c.meant not in values["suggestions"]:
            values["suggestions"].append(c.meant)
    for c in u.place_typos:
        if fold_facet(c.typed) == fold_facet(values["location"]):
            continue  # typed in the location box too: the filter's own note says "did you mean" once
        values["notes"].append({"text": f"“{c.typed}” is not a location here; did you mean {c.meant}?",
                                "kind": "info", "links": [(f"Search in {c.meant}", link(c.meant))]})


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
            notes.append(_no_one(name, match, on_record=bool(facets.get(name))))
            return None
        if match.changed:
            notes.append({"text": f"Matching {name} '{typed}' as {match.value} ({forgiven(typed, match.value)}).",
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


def _no_one(name: str, match: FacetMatch, on_record: bool = True) -> dict[str, Any]:
    text = f"No one in {name} '{match.typed}'"
    if not on_record:  # an HR export without the column: "no location has a similar name" hid why
        text = f"No one here has a {name} on record (the people were loaded without one); search without it."
    elif match.suggestions:
        text += "; did you mean " + " or ".join(match.suggestions) + "?"
    else:
        text += "; no " + name + " has a similar name."
    return {"text": text, "kind": "warn", "field": name, "suggestions": match.suggestions}


@router.get("/suggest/skills")
async def suggest_skills(request: Request, q: str = "", user: WebUser = Depends(current_user)) -> Response:
    """Autocomplete for the skill box: exact, prefix (names and aliases), then fuzzy (typos) matches for the word
    being typed at the end of ``q`` (the text up to the caret's word: the box takes sentences), or for its last
    two words when they begin a skill's name. Each suggestion names the ``fragment`` of ``q`` it completes."""
    out: list[dict[str, str]] = []
    fragments = trailing_fragments(q.lstrip())
    for fragment in fragments:
        try:
            data = await gql(request, user, SKILLS, {"q": fragment[:100]})
        except PageError:
            continue
        words = len(fragment.split())
        for s in data["skills"]:
            # two words are completed only as the start of a name: a typo match of "knows kube" is noise
            if (words > 1 and s["match"] == "fuzzy") or any(o["name"] == s["name"] for o in out):
                continue
            folded = fragment.casefold()
            alias = next((a for a in s["aliases"] if a.casefold().startswith(folded)), None)
            hint = f"alias {alias}" if alias and s["match"] != "exact" else s["match"]
            out.append({"name": s["name"], "hint": hint, "fragment": fragment})
    return JSONResponse(out[:8], headers={"Cache-Control": "no-store"})


__all__ = ["intro_query", "introductions", "match_filters", "router"]
