"""Neo4j store reads the API serves: people, experts, skills, communities, health, rankings, paths."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from graph.store import cypher as q
from graph.store.base import (
    BridgeSide,
    BrokerHit,
    ExpertHit,
    HealthReport,
    Page,
    RankedPerson,
    Reach,
    check_page_size,
    decode_cursor,
    decode_id_cursor,
)
from graph.store.common import broker_ranks, expert_page, facet_filters, influence_scope, member_page, ranked
from graph.store.neo4j import keyset
from graph.store.neo4j.conn import (
    Neo4jBase,
)
from graph.store.neo4j.errors import (
    _translated,
)
from graph.store.neo4j.pages import facets_of, people_of
from graph.store.neo4j.tx import (
    _current_gen,
    run,
)
from graph.store.neo4j.values import (
    Row,
    Tx,
    community_from,
    evidence_from,
    expert_from,
    from_neo,
    health_from,
    person_from,
    run_from,
    scores_from,
    skill_from,
    to_param,
)
from graph.store.opt_outs import health_report, health_stale, opt_out_changes
from graph.store.shown import Endorsers, endorsers_by_target, has_endorsements, listed, with_endorsers_now
from schema.errors import BadInput
from schema.models import (
    Community,
    ExpertIn,
    HasSkill,
    Person,
    PersonScores,
    Skill,
)
from schema.skills import fold


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)


def _sides(
    ids: Sequence[str], own: Sequence[str] | None, pairs: Sequence[Sequence[str]] | None
) -> tuple[BridgeSide, ...]:
    """Per asked community: member or not, and how many distinct members the broker interacts with."""
    if own is None or pairs is None:
        return ()
    ties: dict[str, set[str]] = {}
    for cid, other in pairs:
        ties.setdefault(cid, set()).add(other)
    return tuple(BridgeSide(c, c in set(own), len(ties.get(c, ()))) for c in ids)


class Neo4jReads(Neo4jBase):
    """Point and page reads of the Neo4j store."""

    # --- API reads -------------------------------------------------------------------------------------------------

    @_translated
    def people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        return people_of(self, person_ids)

    @_translated
    def person_scores(self, person_ids: Sequence[str]) -> dict[str, PersonScores]:
        ids = sorted(set(person_ids))

        rows = self._read_one(q.PERSON_SCORES_GET, ids=ids) if ids else []
        found = (scores_from(r["props"]) for r in rows)
        return {s.person_id: s for s in found}

    @_translated
    def person_skills(self, person_ids: Sequence[str]) -> dict[str, list[HasSkill]]:
        ids = sorted(set(person_ids))
        rows = self._read_one(q.PERSON_SKILLS_GET, ids=ids) if ids else []
        out: dict[str, list[HasSkill]] = {}
        for r in rows:
            out.setdefault(r["person_id"], []).append(
                HasSkill(
                    person_id=r["person_id"], skill=r["skill"], level=r["level"], source=r["source"],
                    declared_at=from_neo(r["declared_at"]),
                )
            )
        return out

    @_translated
    def person_expertise(self, person_ids: Sequence[str]) -> dict[str, list[ExpertIn]]:
        ids = sorted(set(person_ids))

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            return run(tx, q.PERSON_EXPERTISE_GET, ids=ids, gen=gen) if gen and ids else []

        out: dict[str, list[ExpertIn]] = {}
        for r in self._read(work):
            out.setdefault(r["person_id"], []).append(expert_from(r))
        counted = sorted({x.person_id for rows in out.values() for x in rows if has_endorsements(x.evidence)})
        if counted:
            endorsers = self._endorsers(counted)
            for rows in out.values():
                rows[:] = [x if not has_endorsements(x.evidence) else x.model_copy(update={
                    "evidence": with_endorsers_now(x.evidence, x.person_id, x.skill, endorsers)}) for x in rows]
        return out

    def _endorsers(self, person_ids: Sequence[str], skill: str | None = None) -> Endorsers:
        """When each endorser of ``person_ids`` (on ``skill``, or on any) who counts now endorsed them, per
        (person, skill) (graph/store/shown.py)."""
        rows = self._read_one(q.ENDORSERS_OF, ids=list(person_ids), skill=skill)
        return endorsers_by_target((r["to_id"], r["skill"], from_neo(r["created_at"])) for r in rows)

    @_translated
    def memberships(self, person_ids: Sequence[str]) -> dict[str, list[Community]]:
        ids = sorted(set(person_ids))
        rows = self._read_one(q.MEMBERSHIPS_GET, ids=ids) if ids else []
        out: dict[str, list[Community]] = {}
        for r in rows:
            out.setdefault(r["person_id"], []).append(community_from(r["props"]))
        return out

    @_translated
    def experts(
        self,
        skill: str,
        first: int = 10,
        after: str | None = None,
        department: str | None = None,
        location: str | None = None,
        title: str | None = None,
    ) -> Page[ExpertHit]:
        check_page_size(first)
        after_score, after_id = decode_cursor(after) if after is not None else (None, None)
        folded = (None, None, None) if department is None and location is None and title is None else \
            facet_filters(facets_of(self), department, location, title)
        if folded is None:  # a filter no visible person's value folds to
            return expert_page([], skill, first, 0)
        filters = {"skill": skill, "departments": _listed(folded[0]), "locations": _listed(folded[1]),
                   "titles": _listed(folded[2])}

        low = keyset.floor(after_id) if after_id is not None else None

        def fetch(limit: int) -> list[dict[str, Any]]:
            return self._read_one(q.EXPERTS, **filters, after_score=after_score, after_id=low, limit=limit)

        found = fetch(first + 1)
        if not found:  # no analytics run yet
            return expert_page([], skill, first, 0)
        rows = found[0]["rows"]
        if low != after_id:  # the cursor's id needs the exact cut in code point order (see keyset)
            rows = keyset.rows_after(
                lambda limit: fetch(limit)[0]["rows"],
                lambda r: r["score"] != after_score or r["props"]["id"] > after_id, first + 1)

        def count() -> tuple[int, int]:
            counted = self._read_one(q.EXPERTS_COUNT, **filters)
            return (int(counted[0]["version"]), int(counted[0]["total"])) if counted else (0, 0)

        total = self._memoised(int(found[0]["version"]), ("experts", skill, *folded), count)
        hits = [(person_from(r["props"]), r["score"], evidence_from(r["evidence"])) for r in rows]
        ahead = (0, 0)
        if after is not None and hits:  # where this page starts in the whole ranking
            found_ahead = self._read_one(q.EXPERTS_AHEAD, **filters, score=hits[0][1])
            if found_ahead:
                ahead = (int(found_ahead[0]["above"]), int(found_ahead[0]["at_or_above"]))
        counted = [p.id for p, _, ev in hits if has_endorsements(ev)]
        if counted:
            endorsers = self._endorsers(counted, skill)
            hits = [(p, score, with_endorsers_now(ev, p.id, skill, endorsers)) for p, score, ev in hits]
        return expert_page(hits, skill, first, total, ahead)

    def _listed_skills(self) -> frozenset[str]:
        """The skills someone not opted out gives (graph/store/shown.py), memoised per data version."""

        def work(tx: Tx) -> frozenset[str]:
            given = run(tx, q.SKILLS_GIVEN, gen=_current_gen(tx) or "")[0]["names"]
            endorsed = run(tx, q.SKILLS_ENDORSED)[0]["names"]
            return frozenset(given) | frozenset(endorsed)

        return self._per_version(("listed_skills",), work)

    @_translated
    def skills(self, prefix: str | None = None, first: int = 20) -> list[Skill]:
        check_page_size(first, 1000)
        folded = fold(prefix) if prefix else ""
        rows = self._read_one(q.SKILLS_PREFIX, prefix=folded) if folded else self._read_one(q.SKILLS_ALL)
        return listed((skill_from(r["name"], r["aliases"]) for r in rows), self._listed_skills())[:first]

    @_translated
    def all_skills(self) -> list[Skill]:
        rows = self._read_one(q.SKILLS_ALL)
        return listed((skill_from(r["name"], r["aliases"]) for r in rows), self._listed_skills())

    @_translated
    def skill(self, name: str) -> Skill | None:
        rows = self._read_one(q.SKILL_GET, name=name)
        if not rows or rows[0]["name"] not in self._listed_skills():
            return None
        return skill_from(rows[0]["name"], rows[0]["aliases"])

    @_translated
    def communities(self, first: int = 50, after: str | None = None) -> list[Community]:
        check_page_size(first, 1000)
        rows = self._read_one(q.COMMUNITIES_PAGE, after=decode_id_cursor(after), limit=first)
        return [community_from(r["props"]) for r in rows]

    @_translated
    def community(self, community_id: str) -> Community | None:
        rows = self._read_one(q.COMMUNITY_GET, id=community_id)
        return community_from(rows[0]["props"]) if rows else None

    @_translated
    def community_members(self, community_id: str, first: int = 50, after: str | None = None) -> Page[Person]:
        check_page_size(first)
        start = decode_cursor(after)[1] if after else ""
        size = self._sizes.get(community_id)  # (members, people) when last counted: the plan, never the answer
        walk = size is not None and size[0] * size[0] >= (first + 1) * size[1]
        page = q.COMMUNITY_MEMBERS_WALK if walk else q.COMMUNITY_MEMBERS_PAGE
        low = keyset.floor(start)
        rows = self._read_one(page, id=community_id, after=low, limit=first + 1)
        if low != start:  # the cursor's id needs the exact cut in code point order (see keyset)
            rows = keyset.rows_after(lambda limit: self._read_one(page, id=community_id, after=low, limit=limit),
                                     lambda r: r["id"] > start, first + 1)

        def count() -> tuple[int, int]:
            counted = self._read_one(q.COMMUNITY_MEMBERS_COUNT, id=community_id)
            total = int(counted[0]["total"])
            self._sizes[community_id] = (total, int(counted[0]["people"]))
            return int(counted[0]["version"]), total

        # a page past the last member carries no version: the total is counted afresh then (it is rarely asked)
        total = self._memoised(int(rows[0]["version"]), ("members", community_id), count) if rows else count()[1]
        return member_page([person_from(r["props"]) for r in rows], first, total)

    @_translated
    def community_health(self, community_id: str) -> HealthReport:
        """Memoised per data version (a report changes only when something commits): the communities page reads
        one per community, and decoding a community's weekly rows cost about 5 ms each at 100,000 people."""

        def work(tx: Tx) -> HealthReport:
            found = run(tx, q.COMMUNITY_HEALTH, id=community_id)
            if not found or not found[0]["rows"]:
                return HealthReport(current=None, weekly=[])

            def opted_out() -> tuple[int, tuple[str, ...]]:
                rows = run(tx, q.OPTED_OUT_IDS)
                return int(rows[0]["version"]), tuple(str(i) for i in rows[0]["ids"])

            version = int(found[0]["version"])
            changes = opt_out_changes(run_from(found[0]["run"]).stats,
                                      self._memoised(version, ("opted_out",), opted_out))

            def involved(ids: frozenset[str]) -> frozenset[str]:
                def read() -> tuple[int, frozenset[str]]:
                    return version, frozenset(run(tx, q.INVOLVED_COMMUNITIES, ids=sorted(ids))[0]["ids"])

                return self._memoised(version, ("involved",), read)

            stale = health_stale(community_id, changes, involved)
            return health_report((health_from(r) for r in found[0]["rows"]), stale)

        report = self._per_version(("health", community_id), work)
        return dataclasses.replace(report, weekly=list(report.weekly))  # callers get their own list

    @_translated
    def influencers(
        self, skill: str | None = None, community_id: str | None = None, first: int = 10
    ) -> list[RankedPerson]:
        check_page_size(first)
        scope, scope_id = influence_scope(skill, community_id)

        rows = self._read_one(q.INFLUENCERS, scope=scope.value, scope_id=scope_id, limit=first)
        return ranked((person_from(r["props"]), r["score"]) for r in rows)

    @_translated
    def brokers(self, first: int = 10, community_ids: Sequence[str] | None = None) -> list[BrokerHit]:
        check_page_size(first)
        ids = sorted(set(community_ids or ()))

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            if gen is None:
                return []
            if not ids:
                return run(tx, q.BROKERS, gen=gen, limit=first)
            return run(tx, q.BROKERS_SPANNING, gen=gen, community_ids=ids, min_span=min(2, len(ids)), limit=first)

        return broker_ranks([
            BrokerHit(person=person_from(r["props"]), scores=scores_from(r["scores"]), rank=k,
                      sides=_sides(ids, r.get("own"), r.get("pairs")))
            for k, r in enumerate(self._read(work), start=1)
        ])

    @_translated
    def reach(self, person_ids: Sequence[str], since: datetime | None = None) -> dict[str, Reach]:
        ids = sorted(set(person_ids))
        start = to_param(since) if since is not None else datetime(1, 1, 1, tzinfo=UTC)

        def work(tx: Tx) -> tuple[list[Row], list[Row], list[Row]]:
            if not ids:
                return [], [], []
            gen = _current_gen(tx) or ""  # no run yet: no tie, but posts still date the last activity
            neighbours = run(tx, q.REACH_NEIGHBOURS, ids=ids, gen=gen, since=start) if gen else []
            last = run(tx, q.REACH_LAST_ACTIVE, ids=ids, gen=gen)
            return neighbours, run(tx, q.REACH_COMMUNITIES, ids=ids), last

        neighbour_rows, community_rows, last_rows = self._read(work)
        neighbours = {r["id"]: frozenset(r["neighbours"]) for r in neighbour_rows}
        communities = {r["id"]: frozenset(r["communities"]) for r in community_rows}
        last: dict[str, datetime] = {}
        for r in last_rows:
            dated = [from_neo(v) for v in (r["posted"], r["tied"]) if v is not None]
            if dated:
                last[r["id"]] = max(dated)
        return {i: Reach(neighbours.get(i, frozenset()), communities.get(i, frozenset()), last.get(i)) for i in ids}

    @_translated
    def introduction_path(self, from_id: str, to_id: str, max_hops: int = 4) -> list[Person] | None:
        if max_hops < 0:
            raise BadInput("maxHops must be at least 0")

        def work(tx: Tx) -> list[Row] | None:
            ends = {r["id"] for r in run(tx, q.PATH_ENDS, ids=sorted({from_id, to_id}))}
            if from_id not in ends or to_id not in ends:
                return None
            if from_id == to_id:
                return run(tx, q.PEOPLE_GET, ids=[from_id])
            if max_hops == 0:
                return None
            statement = q.introduction_path(max_hops)
            gen = _current_gen(tx) or ""  # no run yet: reporting lines only
            rows = run(tx, statement, from_id=from_id, to_id=to_id, gen=gen)
            if not rows or len(rows[0]["people"]) - 1 > max_hops:  # a shortest path too long: none is short enough
                return None
            return [{"props": props} for props in rows[0]["people"]]

        rows = self._read(work)
        return None if rows is None else [person_from(r["props"]) for r in rows]
