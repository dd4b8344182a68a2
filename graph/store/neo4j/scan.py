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
    pages,
    run,
)
from graph.store.neo4j.values import (
    Row,
    Tx,
    _without_gen,
    at_micros,
    community_from,
    detected_from,
    expert_from,
    from_micros,
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
            # each read: columns page by page (cypher/analytics.py says why), in its statement's RETURN order
            at, maybe_at = at_micros, from_micros
            people = [
                PersonRow(pid, dept, loc, manager, bool(active), bool(opted_out), bool(bot), source, hired_on)
                for cols in pages(tx, q.PROJECTION_PEOPLE)
                for pid, dept, loc, manager, active, opted_out, bot, source, hired_on in zip(*cols, strict=True)
            ]
            posts = [
                PostRow(pid, kind, author, at(created), community, thread, parent, tuple(tags), int(score),
                        bool(accepted), title)
                for cols in pages(tx, q.PROJECTION_POSTS)
                for pid, kind, author, created, community, thread, parent, tags, score, accepted, title
                in zip(*cols, strict=True)
            ]
            memberships = [
                MembershipRow(pid, cid, maybe_at(since))
                for cols in pages(tx, q.PROJECTION_MEMBERSHIPS)
                for pid, cid, since in zip(*cols, strict=True)
            ]
            return Projection(
                people, posts, memberships, _reports_to(tx), _skill_claims(tx), _endorsements(tx),
                [community_from(r["props"]) for r in run(tx, q.ALL_COMMUNITIES)], _engagements(tx),
            )

        return self._read(work)

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
                "REPORTS_TO": [ReportsTo(person_id=p, manager_id=m) for p, m in _reports_to(tx)],
                "HAS_SKILL": [
                    HasSkill(person_id=r["person_id"], skill=r["skill"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_HAS_SKILL)
                ],
                "MEMBER_OF": [
                    MemberOf(person_id=r["person_id"], community_id=r["community_id"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_MEMBER_OF)
                ],
                "ENDORSED": [
                    Endorsement(from_id=r["from_id"], to_id=r["to_id"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_ENDORSED)
                ],
                "ENGAGED": [Engagement(**e._asdict()) for e in _engagements(tx)],
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



# --- the projection's relationship reads (also the dump's) -----------------------------------------------------------


def _reports_to(tx: Tx) -> list[tuple[str, str]]:
    return [pair for cols in pages(tx, q.PROJECTION_REPORTS_TO) for pair in zip(*cols, strict=True)]


def _skill_claims(tx: Tx) -> list[SkillClaimRow]:
    return [SkillClaimRow(*row) for cols in pages(tx, q.PROJECTION_SKILLS) for row in zip(*cols, strict=True)]


def _endorsements(tx: Tx) -> list[EndorsementRow]:
    return [
        EndorsementRow(a, b, skill, from_micros(at))
        for cols in pages(tx, q.PROJECTION_ENDORSEMENTS)
        for a, b, skill, at in zip(*cols, strict=True)
    ]


def _engagements(tx: Tx) -> list[EngagementRow]:
    return [
        EngagementRow(person, post, kind, from_micros(at))
        for cols in pages(tx, q.PROJECTION_ENGAGEMENTS)
        for person, post, kind, at in zip(*cols, strict=True)
    ]
