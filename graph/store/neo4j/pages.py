"""Neo4j store reads for the web pages: directory facets, community sizes, departments and leaderboards, a
person's weekly activity, and the interaction ties among a set of people (for drawing a network)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from graph.store import cypher as q
from graph.store.base import Contributor, Page, WeekCount
from graph.store.common import titled_ids
from graph.store.neo4j.conn import Neo4jBase
from graph.store.neo4j.errors import _translated
from graph.store.neo4j.tx import _current_gen, run
from graph.store.neo4j.values import Row, Tx, from_neo, person_from, to_param
from graph.store.paging import check_page_size
from schema.facets import fold_name, names_matching
from schema.models import Person

HELPING_KINDS = ("answer", "reply", "comment")  # posts that help in someone else's thread (leaderboards)
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def facets_of(store: Neo4jBase) -> dict[str, list[str]]:
    """The visible people's departments, locations and job titles, sorted, memoised per data version (``experts``
    resolves its filters against them)."""
    rows = store._per_version(("facets",), lambda tx: run(tx, q.WEB_FACETS))
    row = rows[0] if rows else {"departments": [], "locations": [], "titles": []}
    return {"department": sorted(row["departments"]), "location": sorted(row["locations"]),
            "title": sorted(row["titles"])}


def people_of(store: Neo4jBase, person_ids: Sequence[str]) -> dict[str, Person]:
    """The stored people of ``person_ids``, by id (``GraphStore.people``; a page's name lookup reads its matches)."""
    ids = sorted(set(person_ids))
    rows = store._read_one(q.PEOPLE_GET, ids=ids) if ids else []
    return {p.id: p for p in (person_from(r["props"]) for r in rows)}


class Neo4jPageReads(Neo4jBase):
    """Reads only the web pages make (see graph/store/base.py for their contract)."""

    # the first three walk every person or every membership of a community: memoised per data version
    @_translated
    def directory_facets(self) -> dict[str, list[str]]:
        return facets_of(self)

    @_translated
    def people_named(self, text: str, first: int = 10) -> list[Person]:
        """Visible people whose name holds ``text`` (case and accents aside), best match first
        (:func:`~schema.facets.names_matching`); the names are read and folded once per data version."""
        check_page_size(first)
        names = self._per_version(
            ("names",), lambda tx: [(r["id"], fold_name(r["name"])) for r in run(tx, q.WEB_NAMES)])
        ids = names_matching(text, names, first)
        found = people_of(self, ids)
        return [found[i] for i in ids if i in found]

    @_translated
    def people_titled(self, title: str, first: int = 10, after: str | None = None, department: str | None = None,
                      location: str | None = None) -> Page[Person]:
        """Visible people holding the job title ``title`` (:func:`~graph.store.common.titled_ids`, as SQLite); the
        roster is read once per data version."""
        check_page_size(first)
        roster = self._per_version(("roster",), lambda tx: [
            (r["id"], r["title"], r["department"], r["location"]) for r in run(tx, q.WEB_ROSTER)])
        ids, total, cursor = titled_ids(roster, facets_of(self), title, first, after, department, location)
        found = {pid: p for pid, p in people_of(self, ids).items() if p.active and not p.opted_out and not p.bot}
        return Page(items=[found[i] for i in ids if i in found], next_cursor=cursor, total=total)

    @_translated
    def community_sizes(self, community_ids: Sequence[str] | None = None) -> dict[str, int]:
        if community_ids is None:
            rows = self._per_version(("sizes",), lambda tx: run(tx, q.WEB_COMMUNITY_SIZES))
        else:
            ids = sorted(set(community_ids))
            rows = self._per_version(("sizes", "of", *ids), lambda tx: run(tx, q.WEB_COMMUNITY_SIZES_OF, ids=ids))
        return {r["id"]: int(r["members"]) for r in rows}

    @_translated
    def community_departments(self, community_id: str) -> dict[str | None, int]:
        rows = self._per_version(("departments", community_id),
                                 lambda tx: run(tx, q.WEB_COMMUNITY_DEPARTMENTS, id=community_id))
        return {r["department"]: int(r["members"]) for r in rows}

    @_translated
    def community_contributors(
        self, community_id: str, first: int = 10, since: datetime | None = None
    ) -> list[Contributor]:
        check_page_size(first)
        start = to_param(since) if since is not None else _EPOCH
        rows = self._read(lambda tx: run(
            tx, q.WEB_COMMUNITY_CONTRIBUTORS, id=community_id, since=start, helping=list(HELPING_KINDS), limit=first))
        return [
            Contributor(person=person_from(r["props"]), posts=int(r["posts"]), answers=int(r["answers"]),
                        accepted=int(r["accepted"]), last_at=from_neo(r["last_at"]))
            for r in rows
        ]

    @_translated
    def person_activity(self, person_id: str, since: date | None = None) -> list[WeekCount]:
        start = datetime.combine(since, datetime.min.time(), UTC) if since else _EPOCH
        rows = self._read(lambda tx: run(tx, q.WEB_PERSON_ACTIVITY, id=person_id, since=start, unit="week"))
        return [WeekCount(week=from_neo(r["week"]), kind=r["kind"], posts=int(r["posts"]),
                          source=r["source"]) for r in rows]

    @_translated
    def interactions_among(self, person_ids: Sequence[str]) -> list[tuple[str, str, float]]:
        ids = sorted(set(person_ids))

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            return run(tx, q.WEB_INTERACTIONS_AMONG, ids=ids, gen=gen) if gen and ids else []

        pairs: dict[tuple[str, str], float] = {}
        for r in self._read(work):
            key = (r["a"], r["b"]) if r["a"] < r["b"] else (r["b"], r["a"])
            pairs[key] = pairs.get(key, 0.0) + float(r["weight"])
        return [(a, b, w) for (a, b), w in sorted(pairs.items())]


__all__ = ["HELPING_KINDS", "Neo4jPageReads"]
