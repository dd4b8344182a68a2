"""SQLite store whole-store reads: ids, e-mail index, the analytics projection, counts and a full dump."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graph.store.base import (
    EndorsementRow,
    EngagementRow,
    MembershipRow,
    PersonRow,
    PostRow,
    Projection,
    SkillClaimRow,
    dump_rows,
)
from graph.store.common import id_chunks, parse_utc
from graph.store.sqlite.errors import translated
from graph.store.sqlite.read import SQLiteReads
from graph.store.sqlite.rows import (
    _PERSON_COLS,
    _POST,
    _expert_from,
    _health_from,
    _marks,
    _person_from,
    _scores_from,
)
from graph.store.visibility import as_the_source_says
from schema.models import (
    Endorsement,
    Engagement,
    HasSkill,
    InfluenceScore,
    Interaction,
    MemberOf,
    Person,
    Post,
    ReportsTo,
    Skill,
)


class SQLiteScans(SQLiteReads):
    """Reads over the whole store (ingest identity matching, analytics input, tests' dumps)."""

    @translated
    def person_ids(self, source: str | None = None) -> set[str]:
        conn = self._conn()
        if source is None:
            return {r[0] for r in conn.execute("SELECT id FROM person")}
        return {r[0] for r in conn.execute("SELECT id FROM person WHERE source = ?", (source,))}

    @translated
    def stored_people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        out: dict[str, Person] = {}
        conn = self._conn()
        for part in id_chunks(person_ids):
            for row in conn.execute(
                f"SELECT {_PERSON_COLS}, c.source_opted_out FROM person p "
                f"LEFT JOIN person_choice c ON c.person_id = p.id WHERE p.id IN ({_marks(len(part))})", part,
            ):
                out[row[0]] = as_the_source_says(_person_from(row), row[12])
        return out

    @translated
    def email_index(self) -> dict[str, str]:
        rows = self._conn().execute("SELECT email, id FROM person WHERE email IS NOT NULL ORDER BY active DESC, id")
        out: dict[str, str] = {}
        for email, pid in rows:
            out.setdefault(email, pid)
        return out

    @translated
    def reporting_lines(self) -> dict[str, str]:
        return dict(self._conn().execute("SELECT person_id, manager_id FROM reports_to"))

    # --- analytics -----------------------------------------------------------------------------------

    @translated
    def read_projection(self) -> Projection:
        with self._read() as conn:
            people = [
                PersonRow(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), bool(r[6]), r[7], r[8])
                for r in conn.execute(
                    "SELECT id, department, location, manager_id, active, opted_out, bot, source, hired_on "
                    "FROM person ORDER BY id"
                )
            ]
            parse = datetime.fromisoformat
            posts = [
                PostRow(r[0], r[1], r[2], parse(r[3]), r[4], r[5], r[6], tuple(r[7].split()), r[8], bool(r[9]),
                        r[10])
                for r in conn.execute(
                    "SELECT id, kind, author_id, created_at, community_id, thread_id, parent_id, tags, score, "
                    "accepted, title FROM post ORDER BY id"
                )
            ]
            memberships = [
                MembershipRow(r[0], r[1], parse_utc(r[2]))
                for r in conn.execute("SELECT person_id, community_id, since FROM member_of ORDER BY 1, 2")
            ]
            reports = [(r[0], r[1]) for r in conn.execute("SELECT person_id, manager_id FROM reports_to ORDER BY 1")]
            skills = [
                SkillClaimRow(r[0], r[1], r[2])
                for r in conn.execute("SELECT person_id, skill, level FROM has_skill ORDER BY 1, 2")
            ]
            endorsements = [
                EndorsementRow(r[0], r[1], r[2], parse_utc(r[3]))
                for r in conn.execute("SELECT from_id, to_id, skill, created_at FROM endorsed ORDER BY 1, 2, 3")
            ]
            communities = self._all_communities(conn)
            engagements = [
                EngagementRow(r[0], r[1], r[2], parse_utc(r[3]))
                for r in conn.execute("SELECT person_id, post_id, kind, created_at FROM engaged ORDER BY 1, 2, 3")
            ]
        return Projection(people, posts, memberships, reports, skills, endorsements, communities, engagements)

    @translated
    def counts(self) -> dict[str, int]:
        queries = {
            "people": "SELECT count(*) FROM person",
            "active_people": "SELECT count(*) FROM person WHERE active = 1 AND opted_out = 0",
            "opted_out": "SELECT count(*) FROM person WHERE opted_out = 1",
            "hidden_by_choice": "SELECT count(*) FROM person_choice",
            "skills": "SELECT count(*) FROM skill",
            "communities": "SELECT count(*) FROM community",
            "posts": "SELECT count(*) FROM post",
            "memberships": "SELECT count(*) FROM member_of",
            "skill_claims": "SELECT count(*) FROM has_skill",
            "endorsements": "SELECT count(*) FROM endorsed",
            "engagements": "SELECT count(*) FROM engaged",
            "reports_to": "SELECT count(*) FROM reports_to",
            "interactions": "SELECT count(*) FROM interacts",
            "expertise": "SELECT count(*) FROM expert_in",
            "scored_people": "SELECT count(*) FROM person_score",
        }
        with self._read() as conn:
            return {k: int(conn.execute(q).fetchone()[0]) for k, q in queries.items()}

    # --- dump ------------------------------------------------------------------------------------------

    @translated
    def dump(self) -> dict[str, list[tuple]]:
        """Every stored fact, as sorted JSON-like tuples per kind (the record's fields in order)."""
        with self._read() as conn:
            records: dict[str, list[Any]] = {
                "Person": [_person_from(r) for r in conn.execute(f"SELECT {_PERSON_COLS} FROM person p")],
                "Skill": [Skill(name=r[0], aliases=tuple(json.loads(r[1])))
                          for r in conn.execute("SELECT name, aliases FROM skill")],
                "Community": self._all_communities(conn),
                "Post": [
                    Post(
                        id=r[0], kind=r[1], author_id=r[2], created_at=r[3], community_id=r[4], thread_id=r[5],
                        parent_id=r[6], tags=tuple(r[7].split()), score=r[8], accepted=bool(r[9]), source=r[10],
                        title=r[11],
                    )
                    for r in conn.execute(f"SELECT {', '.join(_POST.cols)} FROM post")
                ],
                "REPORTS_TO": [ReportsTo(person_id=r[0], manager_id=r[1])
                               for r in conn.execute("SELECT person_id, manager_id FROM reports_to")],
                "HAS_SKILL": [
                    HasSkill(person_id=r[0], skill=r[1], level=r[2], source=r[3], declared_at=r[4])
                    for r in conn.execute("SELECT person_id, skill, level, source, declared_at FROM has_skill")
                ],
                "MEMBER_OF": [
                    MemberOf(person_id=r[0], community_id=r[1], since=r[2], role=r[3])
                    for r in conn.execute("SELECT person_id, community_id, since, role FROM member_of")
                ],
                "ENDORSED": [
                    Endorsement(from_id=r[0], to_id=r[1], skill=r[2], created_at=r[3], source=r[4])
                    for r in conn.execute("SELECT from_id, to_id, skill, created_at, source FROM endorsed")
                ],
                "ENGAGED": [
                    Engagement(person_id=r[0], post_id=r[1], kind=r[2], created_at=r[3])
                    for r in conn.execute("SELECT person_id, post_id, kind, created_at FROM engaged")
                ],
                "INTERACTS": [
                    Interaction(source_id=r[0], target_id=r[1], weight=r[2], count=r[3], last_at=r[4])
                    for r in conn.execute("SELECT source_id, target_id, weight, count, last_at FROM interacts")
                ],
                "EXPERT_IN": [
                    _expert_from(r)
                    for r in conn.execute(
                        "SELECT person_id, skill, score, evidence, expertise_rank, last_active FROM expert_in"
                    )
                ],
                "PersonScores": [
                    _scores_from(r)
                    for r in conn.execute(
                        'SELECT person_id, pagerank, degree, betweenness, "constraint", effective_size, '
                        "participation, within_z, role, articulation, community FROM person_score"
                    )
                ],
                "InfluenceScore": [
                    InfluenceScore(scope=r[0], scope_id=r[1], person_id=r[2], score=r[3])
                    for r in conn.execute("SELECT scope, scope_id, person_id, score FROM influence")
                ],
                "CommunityHealth": [
                    _health_from(r)
                    for r in conn.execute("SELECT community_id, period, start, figures FROM community_health")
                ],
            }
            records["DetectedCommunity"] = self._detected_communities()
            run = self.last_run()
            records["AnalyticsRun"] = [run] if run else []
        return {kind: dump_rows(rows) for kind, rows in records.items()}
