"""SQLite store reads the API serves: people, experts, skills, communities, health, rankings, paths."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
from graph.store.common import (
    CHUNK,
    broker_ranks,
    chunks,
    evidence_from,
    expert_page,
    facet_filters,
    id_chunks,
    influence_scope,
    member_page,
    pairs_from,
    parse_utc,
    ranked,
    utc_text,
)
from graph.store.opt_outs import health_report, health_stale, opt_out_changes
from graph.store.shown import has_endorsements, with_endorsers_now
from graph.store.sqlite.errors import translated
from graph.store.sqlite.pages import facets_in, people_in
from graph.store.sqlite.paths import _bidirectional_bfs
from graph.store.sqlite.rows import (
    _PERSON,
    _PERSON_COLS,
    _expert_from,
    _health_from,
    _marks,
    _person_from,
    _scores_from,
)
from graph.store.sqlite.skills import SQLiteSkillReads
from schema.errors import BadInput
from schema.models import (
    AnalyticsRun,
    Community,
    DetectedCommunity,
    ExpertIn,
    HasSkill,
    Person,
    PersonScores,
)


class SQLiteReads(SQLiteSkillReads):
    """Point and page reads of the SQLite store."""

    @translated
    def last_run(self) -> AnalyticsRun | None:
        row = self._conn().execute(
            "SELECT id, started_at, finished_at, stats FROM analytics_run ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return AnalyticsRun(id=row[0], started_at=row[1], finished_at=row[2], stats=json.loads(row[3]))

    # --- API reads -----------------------------------------------------------------------------------

    @translated
    def people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        return people_in(self._conn(), person_ids)

    @translated
    def person_scores(self, person_ids: Sequence[str]) -> dict[str, PersonScores]:
        out: dict[str, PersonScores] = {}
        conn = self._conn()
        for part in id_chunks(person_ids):
            for row in conn.execute(
                "SELECT s.person_id, s.pagerank, s.degree, s.betweenness, s.\"constraint\", s.effective_size, "
                "s.participation, s.within_z, s.role, s.articulation, s.community FROM person_score s "
                f"JOIN person p ON p.id = s.person_id WHERE p.opted_out = 0 AND s.person_id IN ({_marks(len(part))})",
                part,
            ):
                out[row[0]] = _scores_from(row)
        return out

    @translated
    def person_skills(self, person_ids: Sequence[str]) -> dict[str, list[HasSkill]]:
        out: dict[str, list[HasSkill]] = {}
        conn = self._conn()
        for part in id_chunks(person_ids):
            for row in conn.execute(
                "SELECT h.person_id, h.skill, h.level, h.source, h.declared_at FROM has_skill h "
                f"JOIN person p ON p.id = h.person_id WHERE p.opted_out = 0 AND h.person_id IN ({_marks(len(part))}) "
                "ORDER BY h.person_id, h.skill",
                part,
            ):
                out.setdefault(row[0], []).append(
                    HasSkill(person_id=row[0], skill=row[1], level=row[2], source=row[3], declared_at=row[4])
                )
        return out

    @translated
    def person_expertise(self, person_ids: Sequence[str]) -> dict[str, list[ExpertIn]]:
        out: dict[str, list[ExpertIn]] = {}
        with self._read() as conn:  # the rows and their endorsers from one snapshot
            for part in id_chunks(person_ids):
                for row in conn.execute(
                    "SELECT e.person_id, e.skill, e.score, e.evidence, e.expertise_rank, e.last_active "
                    "FROM expert_in e JOIN person p ON p.id = e.person_id "
                    f"WHERE p.opted_out = 0 AND e.person_id IN ({_marks(len(part))}) "
                    "ORDER BY e.person_id, e.score DESC, e.skill",
                    part,
                ):
                    out.setdefault(row[0], []).append(_expert_from(row))
            counted = sorted({x.person_id for rows in out.values() for x in rows if has_endorsements(x.evidence)})
            if counted:
                endorsers = self._endorsers(conn, counted)
                for rows in out.values():
                    rows[:] = [x if not has_endorsements(x.evidence) else x.model_copy(update={
                        "evidence": with_endorsers_now(x.evidence, x.person_id, x.skill, endorsers)}) for x in rows]
        return out

    @translated
    def memberships(self, person_ids: Sequence[str]) -> dict[str, list[Community]]:
        out: dict[str, list[Community]] = {}
        conn = self._conn()
        for part in id_chunks(person_ids):
            for row in conn.execute(
                "SELECT m.person_id, c.id, c.name, c.kind, c.source FROM member_of m "
                "JOIN community c ON c.id = m.community_id JOIN person p ON p.id = m.person_id "
                f"WHERE p.opted_out = 0 AND m.person_id IN ({_marks(len(part))}) ORDER BY m.person_id, c.id",
                part,
            ):
                out.setdefault(row[0], []).append(Community(id=row[1], name=row[2], kind=row[3], source=row[4]))
        return out

    @translated
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
        cut = decode_cursor(after) if after is not None else None
        with self._read() as conn:
            filters = (None, None, None) if department is None and location is None and title is None else \
                facet_filters(facets_in(self, conn), department, location, title)
            if filters is None:  # a filter no visible person's value folds to
                return expert_page([], skill, first, 0)
            where = ["e.skill = ?", "p.active = 1", "p.opted_out = 0", "p.bot = 0"]
            params: list[Any] = [skill]
            for column, values in zip(("department", "location", "title"), filters, strict=True):
                if values is not None:
                    where.append(f"p.{column} IN ({_marks(len(values))})")
                    params.extend(values)
            base = " AND ".join(where)
            page_where, page_params = base, list(params)
            if cut is not None:
                page_where += " AND (e.score < ? OR (e.score = ? AND e.person_id > ?))"
                page_params += [cut[0], cut[0], cut[1]]
            rows = conn.execute(
                f"SELECT {_PERSON_COLS}, e.score, e.evidence FROM expert_in e JOIN person p ON p.id = e.person_id "
                f"WHERE {page_where} ORDER BY e.score DESC, e.person_id ASC LIMIT ?",
                [*page_params, first + 1],
            ).fetchall()
            total = self._memo_count(
                conn, ("experts", skill, *filters),
                f"SELECT count(*) FROM expert_in e JOIN person p ON p.id = e.person_id WHERE {base}", params,
            )
            n = len(_PERSON.cols)
            hits = [(_person_from(r), r[n], evidence_from(r[n + 1])) for r in rows]
            ahead = (0, 0)
            if cut is not None and hits:  # where this page starts in the whole ranking
                top = hits[0][1]
                above, at_or_above = conn.execute(
                    "SELECT coalesce(sum(e.score > ?), 0), coalesce(sum(e.score >= ?), 0) FROM expert_in e "
                    f"JOIN person p ON p.id = e.person_id WHERE {base} AND e.score >= ?", [top, top, *params, top],
                ).fetchone()
                ahead = (int(above), int(at_or_above))
            counted = [p.id for p, _, ev in hits if has_endorsements(ev)]
            if counted:
                endorsers = self._endorsers(conn, counted, skill)
                hits = [(p, score, with_endorsers_now(ev, p.id, skill, endorsers)) for p, score, ev in hits]
        return expert_page(hits, skill, first, int(total), ahead)

    def _all_communities(self, conn: sqlite3.Connection) -> list[Community]:
        rows = conn.execute("SELECT id, name, kind, source FROM community ORDER BY id")
        return [Community(id=r[0], name=r[1], kind=r[2], source=r[3]) for r in rows]

    @translated
    def communities(self, first: int = 50, after: str | None = None) -> list[Community]:
        check_page_size(first, 1000)
        rows = self._conn().execute(
            "SELECT id, name, kind, source FROM community WHERE id > ? ORDER BY id LIMIT ?",
            (decode_id_cursor(after), first),
        )
        return [Community(id=r[0], name=r[1], kind=r[2], source=r[3]) for r in rows]

    @translated
    def community(self, community_id: str) -> Community | None:
        row = self._conn().execute(
            "SELECT id, name, kind, source FROM community WHERE id = ?", (community_id,)
        ).fetchone()
        return None if row is None else Community(id=row[0], name=row[1], kind=row[2], source=row[3])

    @translated
    def community_members(self, community_id: str, first: int = 50, after: str | None = None) -> Page[Person]:
        check_page_size(first)
        start = decode_cursor(after)[1] if after else ""
        with self._read() as conn:
            # in the order of the member_of_community index (ordering by p.id sorted every member in a temporary
            # b-tree: 61 ms for a page of the 95,000-member channel at 100k, now 0.1 ms)
            rows = conn.execute(
                f"SELECT {_PERSON_COLS} FROM member_of m JOIN person p ON p.id = m.person_id "
                "WHERE m.community_id = ? AND p.active = 1 AND p.opted_out = 0 AND p.bot = 0 AND m.person_id > ? "
                "ORDER BY m.person_id LIMIT ?",
                (community_id, start, first + 1),
            ).fetchall()
            total = self._memo_count(
                conn, ("members", community_id),
                "SELECT count(*) FROM member_of m JOIN person p ON p.id = m.person_id "
                "WHERE m.community_id = ? AND p.active = 1 AND p.opted_out = 0 AND p.bot = 0",
                (community_id,),
            )
        return member_page([_person_from(r) for r in rows], first, total)

    def _involved(self, conn: sqlite3.Connection, person_ids: frozenset[str]) -> frozenset[str]:
        """The communities ``person_ids`` are members of or posted in, memoised per data version (the people are
        those whose opt-out changed since the run, the same for every health read of a version; posts have no
        index by author, so this is one scan of them per version)."""

        def scan() -> frozenset[str]:
            found: set[str] = set()
            for part in id_chunks(sorted(person_ids)):
                marks = _marks(len(part))
                found.update(r[0] for r in conn.execute(
                    f"SELECT community_id FROM member_of WHERE person_id IN ({marks}) UNION "
                    f"SELECT community_id FROM post WHERE author_id IN ({marks}) AND community_id IS NOT NULL",
                    (*part, *part)))
            return frozenset(found)

        return self._per_version(conn, ("involved",), scan)

    @translated
    def community_health(self, community_id: str) -> HealthReport:
        """Memoised per data version, as on Neo4j: the communities page reads one per community."""

        def read(conn: sqlite3.Connection) -> HealthReport:
            rows = conn.execute(
                "SELECT community_id, period, start, figures FROM community_health WHERE community_id = ? "
                "ORDER BY start",
                (community_id,),
            ).fetchall()
            if not rows:
                return HealthReport(current=None, weekly=[])
            run = conn.execute("SELECT stats FROM analytics_run ORDER BY finished_at DESC LIMIT 1").fetchone()
            changes = opt_out_changes(json.loads(run[0]) if run else None, self._opted_out_ids(conn))
            stale = health_stale(community_id, changes, lambda ids: self._involved(conn, ids))
            return health_report((_health_from(r) for r in rows), stale)

        with self._read() as conn:  # rows, run and opt-outs from one snapshot
            report = self._per_version(conn, ("health", community_id), lambda: read(conn))
        return dataclasses.replace(report, weekly=list(report.weekly))  # callers get their own list

    @translated
    def _detected_communities(self) -> list[DetectedCommunity]:
        rows = self._conn().execute("SELECT id, size, declared, skills FROM detected_community ORDER BY size DESC, id")
        return [
            DetectedCommunity(
                id=r[0], size=r[1], declared=pairs_from(r[2]),
                skills=pairs_from(r[3]),
            )
            for r in rows
        ]

    @translated
    def influencers(
        self, skill: str | None = None, community_id: str | None = None, first: int = 10
    ) -> list[RankedPerson]:
        check_page_size(first)
        scope, scope_id = influence_scope(skill, community_id)
        rows = self._conn().execute(
            f"SELECT {_PERSON_COLS}, i.score FROM influence i JOIN person p ON p.id = i.person_id "
            "WHERE i.scope = ? AND i.scope_id = ? AND p.active = 1 AND p.opted_out = 0 AND p.bot = 0 "
            "ORDER BY i.score DESC, i.person_id LIMIT ?",
            (scope.value, scope_id, first),
        ).fetchall()
        n = len(_PERSON.cols)
        return ranked((_person_from(r), r[n]) for r in rows)

    @translated
    def brokers(self, first: int = 10, community_ids: Sequence[str] | None = None) -> list[BrokerHit]:
        check_page_size(first)
        n = len(_PERSON.cols)
        score_cols = (
            's.person_id, s.pagerank, s.degree, s.betweenness, s."constraint", s.effective_size, s.participation, '
            "s.within_z, s.role, s.articulation, s.community"
        )
        keep = "p.active = 1 AND p.opted_out = 0 AND p.bot = 0"
        order = 's.betweenness DESC, s."constraint" IS NULL, s."constraint" ASC, s.person_id'
        if not community_ids:
            rows = self._conn().execute(
                f"SELECT {_PERSON_COLS}, {score_cols} FROM person_score s JOIN person p ON p.id = s.person_id "
                f"WHERE {keep} AND s.betweenness > 0 ORDER BY {order} LIMIT ?",
                (first,),
            ).fetchall()
        else:
            return self._bridges(first, sorted(set(community_ids)), score_cols, keep, order)
        return broker_ranks([
            BrokerHit(person=_person_from(r), scores=_scores_from(r[n:]), rank=k) for k, r in enumerate(rows, start=1)
        ])

    def _bridges(self, first: int, ids: list[str], score_cols: str, keep: str, order: str) -> list[BrokerHit]:
        """Brokers among given communities: who touches how many of them, as a member or through ties.

        Ordered by how many they touch, then by their weakest side (members talked with there, plus one for
        being a member), then by all the members they talk with: a bridge is as strong as its weaker side, so a
        busy member of one community who talks with one person of the other does not outrank someone who talks
        with many people on both sides."""
        n = len(_PERSON.cols)
        need = min(2, len(ids))
        marks = _marks(len(ids))
        sides_cte = f"""
            WITH m AS (
                SELECT mo.person_id, mo.community_id FROM member_of mo JOIN person q ON q.id = mo.person_id
                WHERE q.active = 1 AND q.opted_out = 0 AND mo.community_id IN ({marks})
            ),
            nb AS (
                SELECT i.source_id AS person_id, m.community_id, i.target_id AS other FROM interacts i
                JOIN m ON m.person_id = i.target_id WHERE i.source_id != i.target_id
                UNION SELECT i.target_id, m.community_id, i.source_id FROM interacts i
                JOIN m ON m.person_id = i.source_id WHERE i.source_id != i.target_id
            ),
            side AS (
                SELECT person_id, community_id, 1 AS member, 0 AS ties FROM m
                UNION ALL SELECT person_id, community_id, 0, count(DISTINCT other) FROM nb GROUP BY 1, 2
            ),
            agg AS (
                SELECT person_id, community_id, max(member) AS member, max(ties) AS ties FROM side GROUP BY 1, 2
            )"""
        with self._read() as conn:
            rows = conn.execute(
                f"""{sides_cte},
                span AS (SELECT person_id, count(*) AS span, max(member) AS member_any, sum(ties) AS ties,
                                min(ties + member) AS weakest FROM agg GROUP BY person_id)
                SELECT {_PERSON_COLS}, {score_cols} FROM span
                JOIN person_score s ON s.person_id = span.person_id JOIN person p ON p.id = span.person_id
                WHERE {keep} AND span.span >= ? AND (span.member_any = 1 OR ? < 2)
                ORDER BY span.span DESC, span.weakest DESC, span.ties DESC, {order} LIMIT ?
                """,
                (*ids, need, len(ids), first),
            ).fetchall()
            hit_ids = [r[0] for r in rows]
            sides: dict[str, dict[str, BridgeSide]] = {pid: {} for pid in hit_ids}
            if hit_ids:
                for pid, cid, member, ties in conn.execute(
                    f"{sides_cte} SELECT person_id, community_id, member, ties FROM agg "
                    f"WHERE person_id IN ({_marks(len(hit_ids))})",
                    (*ids, *hit_ids),
                ):
                    sides[pid][cid] = BridgeSide(community_id=cid, member=bool(member), ties=int(ties))
        return broker_ranks([
            BrokerHit(
                person=_person_from(r), scores=_scores_from(r[n:]), rank=k,
                sides=tuple(sides[r[0]].get(c, BridgeSide(c, False, 0)) for c in ids),
            )
            for k, r in enumerate(rows, start=1)
        ])

    @translated
    def reach(self, person_ids: Sequence[str], since: datetime | None = None) -> dict[str, Reach]:
        ids = sorted(set(person_ids))
        neighbours: dict[str, set[str]] = {i: set() for i in ids}
        communities: dict[str, set[str]] = {i: set() for i in ids}
        last: dict[str, datetime] = {}
        start = utc_text(since) or ""
        with self._read() as conn:
            for part in chunks(ids, CHUNK // 2):
                marks = _marks(len(part))
                recent = "(i.last_at IS NULL OR i.last_at >= ?)"
                for a, b in conn.execute(
                    f"SELECT i.source_id, i.target_id FROM interacts i JOIN person p ON p.id = i.target_id "
                    f"WHERE p.active = 1 AND p.opted_out = 0 AND i.source_id IN ({marks}) AND {recent} "
                    f"UNION SELECT i.target_id, i.source_id FROM interacts i JOIN person p ON p.id = i.source_id "
                    f"WHERE p.active = 1 AND p.opted_out = 0 AND i.target_id IN ({marks}) AND {recent}",
                    [*part, start, *part, start],
                ):
                    if a != b:
                        neighbours[a].add(b)
                for pid, cid in conn.execute(
                    f"SELECT person_id, community_id FROM member_of WHERE person_id IN ({marks})", part
                ):
                    communities[pid].add(cid)
                for pid, at in conn.execute(
                    f"SELECT author_id, max(created_at) FROM post WHERE author_id IN ({marks}) GROUP BY author_id "
                    f"UNION ALL SELECT source_id, max(last_at) FROM interacts WHERE source_id IN ({marks}) "
                    f"GROUP BY source_id",
                    [*part, *part],
                ):
                    when = parse_utc(at)
                    if when is not None and (pid not in last or when > last[pid]):
                        last[pid] = when
        return {i: Reach(frozenset(neighbours[i]), frozenset(communities[i]), last.get(i)) for i in ids}

    def _neighbours(self, conn: sqlite3.Connection, frontier: Sequence[str]) -> dict[str, set[str]]:
        """Undirected INTERACTS and REPORTS_TO neighbours that are active and not opted out."""
        out: dict[str, set[str]] = {}
        for part in chunks(sorted(frontier), CHUNK // 4):
            marks = _marks(len(part))
            rows = conn.execute(
                f"""
                SELECT e.a, e.b FROM (
                    SELECT source_id AS a, target_id AS b FROM interacts WHERE source_id IN ({marks})
                    UNION SELECT target_id, source_id FROM interacts WHERE target_id IN ({marks})
                    UNION SELECT person_id, manager_id FROM reports_to WHERE person_id IN ({marks})
                    UNION SELECT manager_id, person_id FROM reports_to WHERE manager_id IN ({marks})
                ) e JOIN person p ON p.id = e.b WHERE p.active = 1 AND p.opted_out = 0 AND e.a != e.b
                """,
                [*part, *part, *part, *part],
            )
            for a, b in rows:
                out.setdefault(a, set()).add(b)
        return out

    @translated
    def introduction_path(self, from_id: str, to_id: str, max_hops: int = 4) -> list[Person] | None:
        if max_hops < 0:
            raise BadInput("maxHops must be at least 0")
        with self._read() as conn:
            # every step after the first is an active, visible person, the end included (the neighbours read only
            # such people, and the Neo4j store's path the same): a leaver as the end was met from its side of the
            # search but never reached from the other, and the walk failed (an internal error for the asker)
            ends = {
                r[0]: bool(r[1])
                for r in conn.execute(
                    "SELECT id, active FROM person WHERE opted_out = 0 AND id IN (?, ?)", (from_id, to_id)
                )
            }
            if from_id not in ends or to_id not in ends or (from_id != to_id and not ends[to_id]):
                return None
            path = (
                [from_id]
                if from_id == to_id
                else _bidirectional_bfs(lambda f: self._neighbours(conn, f), from_id, to_id, max_hops)
            )
            if path is None:
                return None
            found = {
                r[0]: _person_from(r)
                for r in conn.execute(
                    f"SELECT {_PERSON_COLS} FROM person p WHERE p.id IN ({_marks(len(path))})", path
                )
            }
        return [found[i] for i in path]
