"""Routing a question through the store: the stored router and expertise rows behind one typed call.

``route_question(store, skills, ...)`` is what the API's ``expertsFor`` and ``whoknows evaluate experts`` call.
It reads the router the last analytics run stored (store meta ``ROUTER_META_KEY``; the hand-set ranking when no
run stored one) and the expertise rows of the candidates through the store contract, so privacy holds as in
``experts``: opted-out, inactive and bot accounts are never candidates, and the department and location filters
apply to every candidate.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from graph.analytics.routing import Routed, Router, ranked_ids, route
from graph.analytics.routing_features import RoutingContext, SkillEvidence, skill_evidence
from graph.store.base import MAX_PAGE, GraphStore
from schema.errors import SchemaError
from schema.models import Person
from schema.skills import canonical_skill

ROUTER_META_KEY = "expertise.router"


class StoreSource:
    """An :class:`~graph.analytics.routing_features.ExpertiseSource` reading a :class:`GraphStore`."""

    def __init__(self, store: GraphStore, department: str | None = None, location: str | None = None) -> None:
        self.store = store
        self.department = department
        self.location = location
        self.people: dict[str, Person] = {}

    def top(self, skill: str, n: int) -> list[str]:
        page = self.store.experts(skill, first=min(n, MAX_PAGE), department=self.department, location=self.location)
        for hit in page.items:
            self.people[hit.person.id] = hit.person
        return [hit.person.id for hit in page.items]

    def neighbours(self, person_id: str) -> frozenset[str]:
        reach = self.store.reach([person_id]).get(person_id)
        return reach.neighbours if reach is not None else frozenset()

    def _shown(self, p: Person) -> bool:
        return (p.active and not p.opted_out and not p.bot
                and (self.department is None or p.department == self.department)
                and (self.location is None or p.location == self.location))

    def profiles(self, person_ids: Sequence[str]) -> dict[str, dict[str, SkillEvidence]]:
        missing = [p for p in person_ids if p not in self.people]
        if missing:
            self.people.update(self.store.people(missing))
        shown = [p for p in person_ids if p in self.people and self._shown(self.people[p])]
        rows = self.store.person_expertise(shown)
        return {p: {e.skill: skill_evidence(e.score, e.evidence) for e in rows.get(p, [])} for p in shown}


_cache_lock = threading.Lock()
_cache: dict[tuple[int, str], tuple[str, Router]] = {}


def load_router(store: GraphStore) -> Router:
    """The router of the last analytics run (parsed once per stored text), or the hand-set one with no context."""
    text = store.get_meta(ROUTER_META_KEY)
    if text is None:
        return Router("handset", RoutingContext())
    key = (id(store), store.url)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == text:
            return hit[1]
    router = Router.from_json(text)
    with _cache_lock:
        _cache[key] = (text, router)
    return router


_WORD = re.compile(r"[^\W_][\w+#.]*", re.UNICODE)


def title_skills(title: str, names: Mapping[str, str], limit: int = 10) -> list[str]:
    """Known skills a question title names: single words and two-word phrases (``machine learning``), looked up
    canonicalised among skill names and aliases (``names``: name or alias -> canonical name), in title order.

    >>> title_skills("Why does my K8s pod restart? (machine learning job)",
    ...              {"kubernetes": "kubernetes", "k8s": "kubernetes", "machine-learning": "machine-learning"})
    ['kubernetes', 'machine-learning']
    """
    words = [w.rstrip(".") for w in _WORD.findall(title[:1000])]
    grams = [w for i, w in enumerate(words) for w in (f"{words[i - 1]}-{w}" if i else None, w) if w]
    out: dict[str, None] = {}
    for g in grams:
        try:
            canon = canonical_skill(g)
        except SchemaError:
            continue
        hit = names.get(canon) or names.get(g.casefold())
        if hit is not None:
            out.setdefault(hit, None)
        if len(out) >= limit:
            break
    return list(out)


def save_router(store: GraphStore, router: Router) -> None:
    store.set_meta(ROUTER_META_KEY, router.to_json())


def route_question(
    store: GraphStore,
    skills: Sequence[str],
    *,
    first: int = 10,
    exclude: Iterable[str] = (),
    asker: str | None = None,
    department: str | None = None,
    location: str | None = None,
    now: datetime | None = None,
) -> list[tuple[Routed, Person]]:
    """The best ``first`` people for ``asker``'s question on ``skills`` (canonical names), explained, with their
    records."""
    source = StoreSource(store, department, location)
    hits = route(load_router(store), source, skills, now=now or datetime.now(UTC), exclude=exclude, asker=asker,
                 first=first)
    return [(h, source.people[h.person_id]) for h in hits]


def ranked_for_question(store: GraphStore, skills: Sequence[str], *, now: datetime, asker: str | None = None,
                        exclude: Iterable[str] = ()) -> list[str]:
    """Every candidate for ``asker``'s question, best first (the evaluation reads the whole list)."""
    return ranked_ids(load_router(store), StoreSource(store), skills, now=now, exclude=exclude, asker=asker)


__all__ = ["ROUTER_META_KEY", "StoreSource", "load_router", "ranked_for_question", "route_question", "save_router",
           "title_skills"]
