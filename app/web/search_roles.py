"""Search by job title: "who is an SRE in Berlin", "our payroll specialist", "a data protection officer".

People look colleagues up by role as often as by skill. When the words name one of the organisation's job titles
(``schema.understand``: its stored titles, their initials, close spellings) and no skill, the search page lists
the people who hold that title (every title holding its words: "Site Reliability Engineer" is also "Senior Site
Reliability Engineer"), with the form's and the words' filters, and says it read the words as a job title, with
a link to search them as a skill instead. The store's ``people_titled`` keeps the directory's rules: opted-out
people appear nowhere, leavers are not shown as current.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request

from app.web.core import store
from app.web.understood import department_note, href, place_note, role_words
from schema.errors import BadInput
from schema.facets import fold_name, title_matches
from schema.understand import Understood

PAGE = 10


async def show_role(request: Request, u: Understood, values: dict[str, Any], after: str | None,
                    link: Callable[[str | None], str]) -> None:
    """Fill ``values["role"]`` with a page of the people holding the first title ``u`` names, and the notes."""
    # imported here: pages_search imports this module
    from app.web.pages_search import match_filters

    notes, typed, title = values["notes"], values["skill"], u.roles[0]
    dept, loc, anywhere = values["department"], values["location"], values["anywhere"]
    facets = await store(request, lambda s: s.directory_facets())
    held = [t for t in title_matches(title, facets.get("title", [])) if fold_name(t) != fold_name(title)]
    also = f" (and {', '.join(held[:5])}{' …' if len(held) > 5 else ''})" if held else ""
    others = [(f"Only {t} instead", href("/search", skill=t, department=dept, location=loc)) for t in u.roles[1:]]
    unused = f" Words not used: {' '.join(u.leftover[:12])}{' …' if len(u.leftover) > 12 else ''}." \
        if u.leftover else ""
    notes.append({"text": f"Read your search as the job title {title}{role_words(u)}: it names no skill, so these "
                          f"are the people who hold that title{also}, not a ranking of what they know.{unused}",
                  "kind": "info", "links": [(f"Search “{typed}” as a skill instead", href(
                      "/search", skill=typed, department=dept, location=loc, skill_only="1",
                      anywhere="1" if anywhere else None)), *others]})
    if u.locations:
        notes.append(place_note(u, loc, anywhere, link))
    dnote = department_note(u, lambda d: href("/search", skill=typed, department=d, location=loc,
                                              anywhere="1" if anywhere else None))
    if dnote is not None and not dept:
        notes.append(dnote)
    place = loc or ("" if anywhere else (u.location or ""))
    filters = await match_filters(request, dept, place, notes)
    if filters is None:
        return
    values["scope"] = ", ".join(v for v in filters.values() if v)
    try:
        page = await store(request, lambda s: s.people_titled(title, first=PAGE, after=after, **filters))
    except BadInput as exc:
        notes.append({"text": f"This page link is not valid ({exc}); showing the first page.", "kind": "warn"})
        page = await store(request, lambda s: s.people_titled(title, first=PAGE, **filters))
    values["role"] = {"title": title, "total": page.total, "people": page.items, "next": page.next_cursor}


__all__ = ["show_role"]
