"""Neo4j store whole-store reads: the analytics projection, the last run, counts and a full dump."""

from __future__ import annotations

from typing import Any

from graph.store import cypher as q
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
from graph.store.neo4j.errors import (
    _translated,
)
from graph.store.neo4j.read import (
    Neo4jReads,
)
from graph.store.neo4j.tx import (
    _current_gen,
    run,
    stream,
)
from graph.store.neo4j.values import (
    Row,
    Tx,
    _without_gen,
    community_from,
    detected_from,
    expert_from,
    from_neo,
    health_from,
    person_from,
    post_from,
    run_from,
    scores_from,
    skill_from,
)
from schema.models import (
    AnalyticsRun,
    Endorsement,
    Engagement,
    HasSkill,
    InfluenceScore,
    Interaction,
    MemberOf,
    ReportsTo,
)


class Neo4jScans(Neo4jReads):
    """Reads over the whole store (analytics input, tests' dumps and counts)."""

    @_translated
    def read_projection(self) -> Projection:
        def work(tx: Tx) -> Projection:
            people = [
                PersonRow(
                    r["id"], r["department"], r["location"], r["manager_id"], bool(r["active"]),
                    bool(r["opted_out"]), bool(r["bot"]), r["source"],
                    None if r["hired_on"] is None else from_neo(r["hired_on"]).isoformat(),
                )
                for r in run(tx, q.PROJECTION_PEOPLE)
            ]
            # streamed (every post of the store): columns in PROJECTION_POSTS's RETURN order
            posts = [
                PostRow(pid, kind, author, from_neo(created), community, thread, parent, tuple(tags or ()),
                        int(score), bool(accepted))
                for pid, kind, author, created, community, thread, parent, tags, score, accepted
                in stream(tx, q.PROJECTION_POSTS)
            ]
            memberships = [
                MembershipRow(r["person_id"], r["community_id"], from_neo(r["since"]))
                for r in run(tx, q.PROJECTION_MEMBERSHIPS)
            ]
            reports = [(r["person_id"], r["manager_id"]) for r in run(tx, q.PROJECTION_REPORTS_TO)]
            skills = [SkillClaimRow(r["person_id"], r["skill"], r["level"]) for r in run(tx, q.PROJECTION_SKILLS)]
            endorsements = [
                EndorsementRow(r["from_id"], r["to_id"], r["skill"], from_neo(r["created_at"]))
                for r in run(tx, q.PROJECTION_ENDORSEMENTS)
            ]
            communities = [community_from(r["props"]) for r in run(tx, q.ALL_COMMUNITIES)]
            engagements = [
                EngagementRow(r["person_id"], r["post_id"], r["kind"], from_neo(r["created_at"]))
                for r in run(tx, q.PROJECTION_ENGAGEMENTS)
            ]
            return Projection(people, posts, memberships, reports, skills, endorsements, communities, engagements)

        return self._read(work)

    @_translated
    @_translated
    def last_run(self) -> AnalyticsRun | None:
        rows = self._read(lambda tx: run(tx, q.CURRENT_RUN))
        return run_from(rows[0]["props"]) if rows else None

    @_translated
    def counts(self) -> dict[str, int]:
        def work(tx: Tx) -> Row:
            return run(tx, q.COUNTS, gen=_current_gen(tx) or "")[0]

        return {k: int(v) for k, v in self._read(work).items()}

    # --- tests and tooling -----------------------------------------------------------------------------------------

    @_translated
    def dump(self) -> dict[str, list[tuple]]:
        """Every stored fact as the SQLite store dumps it (same kinds, same tuples), for comparing stores in tests."""

        def work(tx: Tx) -> dict[str, list[Any]]:
            records: dict[str, list[Any]] = {
                "Person": [person_from(r["props"]) for r in run(tx, q.DUMP_PEOPLE)],
                "Skill": [skill_from(r["name"], r["aliases"]) for r in run(tx, q.SKILLS_ALL)],
                "Community": [community_from(r["props"]) for r in run(tx, q.ALL_COMMUNITIES)],
                "Post": [post_from(r["props"]) for r in run(tx, q.DUMP_POSTS)],
                "REPORTS_TO": [
                    ReportsTo(person_id=r["person_id"], manager_id=r["manager_id"])
                    for r in run(tx, q.PROJECTION_REPORTS_TO)
                ],
                "HAS_SKILL": [
                    HasSkill(person_id=r["person_id"], skill=r["skill"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_HAS_SKILL)
                ],
                "MEMBER_OF": [
                    MemberOf(person_id=r["person_id"], community_id=r["community_id"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_MEMBER_OF)
                ],
                "ENDORSED": [
                    Endorsement(
                        from_id=r["from_id"], to_id=r["to_id"], skill=r["skill"], created_at=from_neo(r["created_at"])
                    )
                    for r in run(tx, q.PROJECTION_ENDORSEMENTS)
                ],
                "ENGAGED": [
                    Engagement(person_id=r["person_id"], post_id=r["post_id"], kind=r["kind"],
                               created_at=from_neo(r["created_at"]))
                    for r in run(tx, q.PROJECTION_ENGAGEMENTS)
                ],
            }
            gen = _current_gen(tx)
            if gen is None:
                analytic: dict[str, list[Any]] = {
                    k: []
                    for k in (
                        "INTERACTS", "EXPERT_IN", "PersonScores", "InfluenceScore", "CommunityHealth",
                        "DetectedCommunity", "AnalyticsRun",
                    )
                }
            else:
                analytic = {
                    "INTERACTS": [
                        Interaction(
                            source_id=r["source_id"], target_id=r["target_id"], **_without_gen(r["props"])
                        )
                        for r in run(tx, q.DUMP_INTERACTS, gen=gen)
                    ],
                    "EXPERT_IN": [expert_from(r) for r in run(tx, q.DUMP_EXPERT_IN, gen=gen)],
                    "PersonScores": [scores_from(r["props"]) for r in run(tx, q.DUMP_SCORES, gen=gen)],
                    "InfluenceScore": [
                        InfluenceScore(**_without_gen(r["props"])) for r in run(tx, q.DUMP_INFLUENCE, gen=gen)
                    ],
                    "CommunityHealth": [health_from(r["props"]) for r in run(tx, q.DUMP_HEALTH, gen=gen)],
                    "DetectedCommunity": [detected_from(r["props"]) for r in run(tx, q.DETECTED_GET, gen=gen)],
                    "AnalyticsRun": [run_from(r["props"]) for r in run(tx, q.CURRENT_RUN)],
                }
            return {**records, **analytic}

        return {kind: dump_rows(rows) for kind, rows in self._read(work).items()}

