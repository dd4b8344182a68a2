"""Record factories for tests: sensible defaults, override what the test is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph.analytics.routing import Router, ranked_ids
from graph.analytics.routing_features import SkillEvidence
from graph.store.base import AnalyticsSnapshot, Batch
from graph.store.opt_outs import OPTED_OUT_DIGEST, OPTED_OUT_IDS, opted_out_digest
from schema.labels import BrokerRole, EvidenceKind, HealthPeriod, ScoreScope
from schema.models import (
    AnalyticsRun,
    Community,
    CommunityHealth,
    DetectedCommunity,
    Endorsement,
    Evidence,
    ExpertIn,
    HasSkill,
    InfluenceScore,
    Interaction,
    MemberOf,
    Person,
    PersonScores,
    Post,
    ReportsTo,
    Skill,
)

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def person(n: int | str, **kw: Any) -> Person:
    pid = kw.pop("id", f"hr:E{n:04d}" if isinstance(n, int) else n)
    defaults: dict[str, Any] = {
        "name": f"Person {n}",
        "email": f"p{n}@example.com",
        "title": "Engineer",
        "department": "Engineering",
        "location": "Berlin",
        "hired_on": date(2020, 1, 1),
        "source": "hr",
    }
    return Person(id=pid, **{**defaults, **kw})


def community(name: str, **kw: Any) -> Community:
    return Community(**{"id": f"slack:{name}", "name": name, "kind": "channel", "source": "slack", **kw})


def post(n: int, author_id: str, **kw: Any) -> Post:
    defaults: dict[str, Any] = {
        "id": f"stackexchange/demo:{n}",
        "kind": "question",
        "created_at": T0 + timedelta(hours=n),
        "tags": ("python",),
        "source": "stackexchange/demo",
    }
    return Post(author_id=author_id, **{**defaults, **kw})


def small_org(n_people: int = 12) -> Batch:
    """A small organisation with one of every record kind."""
    people = [person(i, manager_id=None if i == 0 else "hr:E0000") for i in range(n_people)]
    comms = [community("k8s-guild"), community("data-science", kind="group")]
    posts = [post(1, people[1].id, community_id=comms[0].id, tags=("kubernetes", "go"),
                  title='Pods restart: "CrashLoopBackOff", why?\nÜber-cluster, 100% CPU')]
    posts.append(post(2, people[2].id, kind="answer", parent_id=posts[0].id, thread_id=posts[0].id,
                      community_id=comms[0].id, accepted=True, score=3, tags=("kubernetes",)))
    posts.append(post(3, people[3].id, kind="comment", parent_id=posts[1].id, thread_id=posts[0].id))
    return Batch(
        people=people,
        skills=[Skill(name="kubernetes", aliases=("k8s", "kube")), Skill(name="python", aliases=("py",))],
        communities=comms,
        posts=posts,
        reports_to=[ReportsTo(person_id=p.id, manager_id="hr:E0000") for p in people[1:]],
        has_skill=[HasSkill(person_id=people[1].id, skill="kubernetes", level=4, declared_at=date(2024, 5, 1)),
                   HasSkill(person_id=people[2].id, skill="python", level=None)],
        memberships=[MemberOf(person_id=p.id, community_id=comms[i % 2].id, since=T0) for i, p in enumerate(people)],
        endorsements=[Endorsement(from_id=people[3].id, to_id=people[2].id, skill="kubernetes", created_at=T0)],
    )


def knowing_opt_outs(snap: AnalyticsSnapshot, people: Sequence[Person], *, ids: bool = False) -> AnalyticsSnapshot:
    """``snap`` with its run's record of who was opted out, as ``analyze`` writes it: the digest, and with ``ids``
    the ids themselves (a run without them cannot say who changed since)."""
    opted_out = sorted(p.id for p in people if p.opted_out)
    stats = {**snap.run.stats, OPTED_OUT_DIGEST: opted_out_digest(opted_out)}
    if ids:
        stats[OPTED_OUT_IDS] = opted_out
    snap.run = snap.run.model_copy(update={"stats": stats})
    return snap


def snapshot(
    people: Sequence[Person],
    skill: str = "kubernetes",
    community_id: str = "slack:k8s-guild",
    run_id: str = "run-1",
    scores: Sequence[float] | None = None,
) -> AnalyticsSnapshot:
    """An analytics snapshot over ``people`` with one of every result kind."""
    ids = [p.id for p in people]
    values = list(scores) if scores is not None else [1.0 / (k + 1) for k in range(len(ids))]
    evidence = (
        Evidence(kind=EvidenceKind.ACCEPTED_ANSWERS, count=3, last_at=T0),
        Evidence(kind=EvidenceKind.DECLARED, count=4),
    )
    return AnalyticsSnapshot(
        run=AnalyticsRun(id=run_id, started_at=T0, finished_at=T0 + timedelta(minutes=1), stats={"people": len(ids)}),
        person_scores=[
            PersonScores(
                person_id=i, pagerank=v, degree=v * 10, betweenness=v, constraint=1 - v / 2, effective_size=2.0,
                participation=0.5, within_z=1.0, role=BrokerRole.CONNECTOR, articulation=k == 0, community="d0",
            )
            for k, (i, v) in enumerate(zip(ids, values, strict=True))
        ],
        influence=[
            InfluenceScore(scope=scope, scope_id=scope_id, person_id=i, score=v)
            for scope, scope_id in (
                (ScoreScope.GLOBAL, ""), (ScoreScope.SKILL, skill), (ScoreScope.COMMUNITY, community_id)
            )
            for i, v in zip(ids, values, strict=True)
        ],
        interactions=[
            Interaction(source_id=a, target_id=b, weight=1.5, count=2, last_at=T0)
            for a, b in zip(ids, ids[1:], strict=False)
        ],
        expertise=[
            ExpertIn(person_id=i, skill=skill, score=v, evidence=evidence, expertise_rank=v / 2, last_active=T0)
            for i, v in zip(ids, values, strict=True)
        ],
        detected_communities=[DetectedCommunity(id="d0", size=len(ids), declared=((community_id, 0.5),),
                                                skills=((skill, 0.25),))],
        health=[
            CommunityHealth(community_id=community_id, period=HealthPeriod.CURRENT, start=date(2025, 1, 1),
                            members=len(ids), active_members=3, posts=10, reply_rate=0.8, contributor_gini=0.4,
                            absence_factor=2),
            CommunityHealth(community_id=community_id, period=HealthPeriod.WEEK, start=date(2024, 12, 30), posts=4),
            CommunityHealth(community_id=community_id, period=HealthPeriod.WEEK, start=date(2024, 12, 23), posts=6),
        ],
    )


class OneMoreAnswer:
    """An expertise source (``graph.analytics.routing_features.ExpertiseSource``) where ``person`` has one more
    accepted, up-voted answer on ``skill``, given at ``now`` (POSIX seconds): to check that more evidence never
    moves anyone down a ranking."""

    def __init__(self, source: Any, person: str, skill: str, now: float) -> None:
        self.source, self.person, self.skill, self.now = source, person, skill, now

    def top(self, skill: str, n: int) -> list[str]:
        return list(self.source.top(skill, n))

    def neighbours(self, person_id: str) -> frozenset[str]:
        return frozenset(self.source.neighbours(person_id))

    def profiles(self, person_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out = dict(self.source.profiles(person_ids))
        if self.person in out:
            mine = dict(out[self.person])
            e = mine.get(self.skill, SkillEvidence())
            mine[self.skill] = replace(e, answers=e.answers + 1, accepted=e.accepted + 1, votes=e.votes + 1,
                                       last_answer=self.now, last_seen=self.now)
            out[self.person] = mine
        return out


def assert_no_one_drops(router: Router, source: Any, skills: Sequence[str], *, at: datetime, now: float,
                        asker: str | None = None, exclude: Sequence[str] = ()) -> int:
    """Give each of the first ten for a question on ``skills`` (asked at ``at``) one more accepted answer on its
    first skill (:class:`OneMoreAnswer`, dated ``now``), rank again and assert they did not drop; the probes made."""
    before = ranked_ids(router, source, skills, now=at, asker=asker, exclude=exclude)
    for position, person in enumerate(before[:10]):
        after = ranked_ids(router, OneMoreAnswer(source, person, skills[0], now), skills, now=at, asker=asker,
                           exclude=exclude)
        assert after.index(person) <= position, (list(skills), person, position, after.index(person))
    return min(len(before), 10)


# a rehire: her old (terminated) record and her new one share an address; HR marks the opt-out on the new one
REHIRE_HR = (
    "id,name,email,department,status,opted_out\n"
    "100,Dana Scully,dana.scully@fbi.example,Science,Terminated,no\n"  # the old record: HR never touches it again
    "200,Dana Scully,Dana.Scully@fbi.example,Science,Active,yes\n"  # the rehire, who opted out
    "300,Fox Mulder,fox.mulder@fbi.example,Science,Active,no\n"
)
REHIRE_FORUM = "\n".join([
    '{"type": "person", "handle": "dana", "name": "Dana S", "email": "dana.scully@fbi.example"}',
    '{"type": "person", "handle": "fox", "name": "Fox M", "email": "fox.mulder@fbi.example"}',
    '{"type": "community", "id": "xf", "name": "X-Files", "kind": "group"}',
    '{"type": "post", "id": "q1", "author": "fox", "community": "xf", "created_at": "2026-11-01T10:00:00Z"}',
    '{"type": "reply", "id": "a1", "parent": "q1", "author": "dana", "created_at": "2026-11-01T11:00:00Z"}',
]) + "\n"
