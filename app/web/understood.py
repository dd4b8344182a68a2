"""What the search and ask pages understood of a query typed as a sentence, and the notes that say so.

"who knows k8s in Berlin?" names the skill kubernetes and the place Berlin. A place the words name filters the
results (a note says so, with a link to search everywhere: ``anywhere=1``); a department is only offered, since
department names are often ordinary words ("support", "data"); so is a job title named beside a skill (the search
ranks by the skill and offers the title as a filter); close spellings get a "did you mean". The words are read
against this organisation's own skills and directory (``schema.understand``), cached with the skill index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from app.graphql.services import SkillIndex
from app.web.core import store
from schema.understand import Understood, Vocabulary, understand


async def read_query(request: Request, text: str, titles: bool = True) -> Understood:
    """``text`` read against the organisation's skills (names and aliases), locations, departments and (unless
    ``titles`` is False: "search it as a skill") the job titles its visible people hold."""
    index: SkillIndex = request.app.state.services.skill_index
    await index.refresh(request.app.state.gateway)
    facets = await store(request, lambda s: s.directory_facets())
    return understand(text, directory_vocabulary(index.vocabulary, tuple(facets.get("location", [])),
                                                 tuple(facets.get("department", [])),
                                                 tuple(facets.get("title", [])) if titles else ()))


_VOCABULARIES: dict[tuple[int, tuple[str, ...], tuple[str, ...], tuple[str, ...]], tuple[Vocabulary, Vocabulary]] = {}


def directory_vocabulary(skills: Vocabulary, locations: tuple[str, ...], departments: tuple[str, ...],
                         titles: tuple[str, ...]) -> Vocabulary:
    """``skills`` with the directory's words, folded once while the skills and the directory stay the same
    (thousands of job titles take tens of milliseconds to fold: not on every search)."""
    key = (id(skills), locations, departments, titles)
    found = _VOCABULARIES.get(key)
    if found is not None and found[0] is skills:
        return found[1]
    built = skills.with_directory(locations, departments, titles)
    if len(_VOCABULARIES) >= 4:  # the current directory, with and without titles, and the one before
        _VOCABULARIES.pop(next(iter(_VOCABULARIES)))
    _VOCABULARIES[key] = (skills, built)
    return built


async def known_skill(request: Request, canon: str) -> bool:
    """Whether ``canon`` (a canonical name) is one of the organisation's skills (the store is asked when the
    index, refreshed every few seconds, does not have it: a skill an analysis just added is found at once)."""
    index: SkillIndex = request.app.state.services.skill_index
    await index.refresh(request.app.state.gateway)
    return canon in index.skills or await store(request, lambda s: s.skill(canon)) is not None


def href(path: str, **params: str | None) -> str:
    """A link to ``path`` with the non-empty ``params``.

    >>> href("/search", skill="c++", location="", anywhere="1")
    '/search?skill=c%2B%2B&anywhere=1'
    """
    kept = {k: v for k, v in params.items() if v}
    return path + ("?" + urlencode(kept) if kept else "")


def place_note(u: Understood, typed_location: str, anywhere: bool, link: Callable[[str | None], str],
               said_in: str = "search") -> dict[str, Any]:
    """The note saying which place the words named and whether it filters, with links: ``link(None)`` searches
    everywhere, ``link(place)`` in that place only."""
    place = u.location or ""
    words = u.location_words.get(place, place)
    others = u.locations[1:]
    if typed_location:
        text = f"Your words name {', '.join(u.locations)}; filtering on the Location field ({typed_location})."
        return {"text": text, "kind": "info", "links": []}
    if anywhere:
        links = [(f"Only people in {p}", link(p)) for p in u.locations]
        return {"text": f"Searching all locations, though your words name {', '.join(u.locations)}.",
                "kind": "info", "links": links}
    text = f"Showing people in {place}, because your {said_in} says “{words}”."
    if others:
        text += f" It also names {', '.join(others)}; one location at a time."
    links = [("Search all locations", link(None))] + [(f"Only {p} instead", link(p)) for p in others]
    return {"text": text, "kind": "info", "links": links}


def understood_note(u: Understood, used: list[str]) -> dict[str, Any] | None:
    """Which skills the words were read as (when that is not simply what was typed), and which words were not used."""
    if not used:
        return None
    read = ", ".join(f"{s} (“{u.phrases[s]}”)" if u.phrases[s].casefold() != s else s for s in used)
    text = f"Read your search as the skill{'s' if len(used) > 1 else ''} {read}"
    if u.leftover:
        shown = " ".join(u.leftover[:12]) + (" …" if len(u.leftover) > 12 else "")
        text += f"; words not used: {shown}"
    return {"text": text + ".", "kind": "info"}


def department_note(u: Understood, link: Callable[[str], str]) -> dict[str, Any] | None:
    """A department the words name, offered as a filter (``link(department)``), not applied."""
    if not u.departments:
        return None
    names = ", ".join(u.departments)
    return {"text": f"Your words also name the department {names}; not filtered on it.", "kind": "info",
            "links": [(f"Only people in {d}", link(d)) for d in u.departments]}


def role_words(u: Understood) -> str:
    """How the text named its first job title, when that is not the title itself: “SRE”, “payroll specialsit”.

    >>> role_words(Understood("SRE", roles=["Site Reliability Engineer"],
    ...                       role_words={"Site Reliability Engineer": "SRE"}))
    ' (“SRE”)'
    """
    title = u.roles[0]
    said = u.role_words.get(title, title)
    return "" if said.casefold() == title.casefold() else f" (“{said}”)"


def role_note(u: Understood, link: Callable[[str], str]) -> dict[str, Any] | None:
    """A job title the words name beside a skill, offered as a filter (``link(title)``), not applied: the results
    are ranked by the skill, and "Python" beside "Developer" may be either."""
    if not u.roles:
        return None
    names = ", ".join(u.roles)
    return {"text": f"Your words also name the job title {names}{role_words(u)}; ranked by the skill, not "
                    "filtered on the title.", "kind": "info",
            "links": [(f"Only people titled {t}", link(t)) for t in u.roles]}


__all__ = ["department_note", "directory_vocabulary", "href", "known_skill", "place_note", "read_query", "role_note",
           "role_words", "understood_note"]
