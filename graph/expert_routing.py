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

from graph.analytics.routing import Routed, Router, candidate_scores, route
from graph.analytics.routing_features import RoutingContext, SkillEvidence, skill_evidence
from graph.store.base import MAX_PAGE, GraphStore
from schema.errors import SchemaError
from schema.facets import fold_facet
from schema.models import Person
from schema.skills import canonical_skill

ROUTER_META_KEY = "expertise.router"


class StoreSource:
    """An :class:`~graph.analytics.routing_features.ExpertiseSource` reading a :class:`GraphStore`.

    What it reads is kept for its lifetime (people, profiles, top lists, ties): one source serves one request, or
    a whole evaluation over a store nothing writes to meanwhile (thousands of questions, most asking about the
    same few hundred people).
    """

    def __init__(self, store: GraphStore, department: str | None = None, location: str | None = None) -> None:
        self.store = store
        self.department = department
        self.location = location
        self.people: dict[str, Person] = {}
        self._profiles: dict[str, dict[str, SkillEvidence]] = {}
        self._top: dict[tuple[str, int], list[str]] = {}
        self._ties: dict[str, frozenset[str]] = {}
        self.totals_cache: dict[str, tuple[int, int, float | None, int]] = {}

    def top(self, skill: str, n: int) -> list[str]:
        key = (skill, n)
        if key not in self._top:
            page = self.store.experts(skill, first=min(n, MAX_PAGE), department=self.department,
                                      location=self.location)
            for hit in page.items:
                self.people[hit.person.id] = hit.person
            self._top[key] = [hit.person.id for hit in page.items]
        return self._top[key]

    def neighbours(self, person_id: str) -> frozenset[str]:
        if person_id not in self._ties:
            reach = self.store.reach([person_id]).get(person_id)
            self._ties[person_id] = reach.neighbours if reach is not None else frozenset()
        return self._ties[person_id]

    def _shown(self, p: Person) -> bool:
        return (p.active and not p.opted_out and not p.bot
                and _same(self.department, p.department) and _same(self.location, p.location))

    def profiles(self, person_ids: Sequence[str]) -> dict[str, dict[str, SkillEvidence]]:
        missing = [p for p in person_ids if p not in self.people]
        if missing:
            self.people.update(self.store.people(missing))
        shown = [p for p in person_ids if p in self.people and self._shown(self.people[p])]
        unread = [p for p in shown if p not in self._profiles]
        if unread:
            rows = self.store.person_expertise(unread)
            for p in unread:
                self._profiles[p] = {e.skill: skill_evidence(e.score, e.evidence) for e in rows.get(p, [])}
        return {p: self._profiles[p] for p in shown}


def _same(wanted: str | None, value: str | None) -> bool:
    """No filter, or ``value`` folds to it as ``experts`` folds its filters (case, spacing, Unicode form, accents)."""
    return wanted is None or (value is not None and fold_facet(value) == fold_facet(wanted))


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
    title: str | None = None,
) -> list[tuple[Routed, Person]]:
    """The best ``first`` people for ``asker``'s question on ``skills`` (canonical names), explained, with their
    records."""
    source = StoreSource(store, department, location)
    hits = route(load_router(store), source, skills, now=now or datetime.now(UTC), exclude=exclude, asker=asker,
                 first=first, title=title)
    return [(h, source.people[h.person_id]) for h in hits]


def scores_for_question(store: GraphStore, skills: Sequence[str], *, now: datetime, asker: str | None = None,
                        exclude: Iterable[str] = (), source: StoreSource | None = None,
                        title: str | None = None) -> dict[str, float]:
    """Every candidate for ``asker``'s question with its score (the evaluation reads them all; it passes one
    ``source`` for all its questions, so each person's rows are read once)."""
    return candidate_scores(load_router(store), source or StoreSource(store), skills, now=now, exclude=exclude,
                            asker=asker, title=title)


__all__ = ["ROUTER_META_KEY", "StoreSource", "load_router", "route_question", "save_router", "scores_for_question",
           "title_skills"]
