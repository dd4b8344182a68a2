"""GraphQL types: one per concept, each built from its domain record with ``from_domain()``.

Resolvers on these types hold no queries: they ask the request's DataLoaders (batched store reads) and check the
caller's role where DESIGN.md restricts a field (``Person.scores`` and ``Community.health`` need an analyst).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from app.auth import Role
from app.graphql import rankings
from app.graphql.context import Context
from app.graphql.explain import explain_expertise, health_trend, withheld_figures
from app.graphql.limits import node_id, page_size
from graph.analytics.health_release import complementary_weeks
from graph.store import base, opt_outs
from schema import models
from schema.facet_match import why_no_one

Info = strawberry.Info[Context, None]


@strawberry.enum(description="Kinds of evidence behind an expertise score.")
class EvidenceKind(Enum):
    DECLARED = "declared"
    ANSWERS = "answers"
    ACCEPTED_ANSWERS = "accepted_answers"
    QUESTIONS = "questions"
    VOTES = "votes"
    ENDORSEMENTS = "endorsements"
    EXPERTISE_RANK = "expertise_rank"


@strawberry.enum(description="Guimerà–Amaral node role (Nature 433, 2005).")
class BrokerRole(Enum):
    ULTRA_PERIPHERAL = "ultra_peripheral"
    PERIPHERAL = "peripheral"
    CONNECTOR = "connector"
    KINLESS = "kinless"
    PROVINCIAL_HUB = "provincial_hub"
    CONNECTOR_HUB = "connector_hub"
    KINLESS_HUB = "kinless_hub"


@strawberry.type(description="One kind of evidence behind an expertise score: how much, and when last.")
class Evidence:
    kind: EvidenceKind
    count: int
    last_at: datetime | None

    @classmethod
    def from_domain(cls, e: models.Evidence) -> Evidence:
        return cls(kind=_KINDS.get(e.kind) or EvidenceKind(str(e.kind)), count=e.count, last_at=e.last_at)


_KINDS = {k.value: k for k in EvidenceKind}  # the store's kind (its value) to the API's: a dict lookup, not a call


@strawberry.type(description="A skill with its aliases (js for javascript, k8s for kubernetes...).")
class Skill:
    name: str
    aliases: list[str]
    match: str | None = strawberry.field(default=None, description="How a search found it: exact, prefix or fuzzy.")
    similarity: float | None = strawberry.field(default=None, description="Fuzzy similarity 0-100.")

    @classmethod
    def from_domain(cls, s: models.Skill, match: str | None = None, similarity: float | None = None) -> Skill:
        return cls(name=s.name, aliases=list(s.aliases), match=match, similarity=similarity)


@strawberry.type(description="A declared skill of a person.")
class SkillClaim:
    skill: str
    level: int | None
    source: str
    declared_on: date | None

    @classmethod
    def from_domain(cls, h: models.HasSkill) -> SkillClaim:
        return cls(skill=h.skill, level=h.level, source=h.source, declared_on=h.declared_at)


@strawberry.type(description="A computed expertise score of a person on a skill, with its evidence.")
class Expertise:
    skill: str
    score: float
    evidence: list[Evidence]
    explanation: str

    @classmethod
    def from_domain(cls, x: models.ExpertIn, now: datetime | None = None) -> Expertise:
        """``now``: the data's clock (``Context.data_now``)."""
        return cls(
            skill=x.skill, score=x.score, evidence=[Evidence.from_domain(e) for e in x.evidence],
            explanation=explain_expertise(x.skill, x.evidence, x.last_active, now),
        )


@strawberry.type(description="Network scores of a person (analyst only).")
class PersonScores:
    pagerank: float
    degree: float
    betweenness: float
    constraint: float | None
    effective_size: float | None
    participation: float
    within_community_z: float
    role: BrokerRole | None
    articulation_point: bool
    detected_community: str | None

    @classmethod
    def from_domain(cls, s: models.PersonScores) -> PersonScores:
        return cls(
            pagerank=s.pagerank, degree=s.degree, betweenness=s.betweenness, constraint=s.constraint,
            effective_size=s.effective_size, participation=s.participation, within_community_z=s.within_z,
            role=BrokerRole(str(s.role)) if s.role is not None else None, articulation_point=s.articulation,
            detected_community=s.community,
        )


@strawberry.type(description="A person in the organisation (opted-out people are never returned).")
class Person:
    id: strawberry.ID
    name: str
    email: str | None
    title: str | None
    department: str | None
    location: str | None
    hired_on: date | None
    active: bool
    manager_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, p: models.Person) -> Person:
        return cls(
            id=strawberry.ID(p.id), name=p.name, email=p.email, title=p.title, department=p.department,
            location=p.location, hired_on=p.hired_on, active=p.active, manager_id=p.manager_id,
        )

    @strawberry.field(description="The person's manager (null when unknown or opted out).")
    async def manager(self, info: Info) -> Person | None:
        if self.manager_id is None:
            return None
        found = await info.context.loaders.people.load(self.manager_id)
        return Person.from_domain(found) if found is not None else None

    @strawberry.field(description="Communities the person is a member of.")
    async def communities(self, info: Info) -> list[Community]:
        return [Community.from_domain(c) for c in await info.context.loaders.memberships.load(str(self.id))]

    @strawberry.field(description="Declared skills.")
    async def skills(self, info: Info) -> list[SkillClaim]:
        return [SkillClaim.from_domain(h) for h in await info.context.loaders.skills.load(str(self.id))]

    @strawberry.field(description="Computed expertise, best first.")
    async def expertise(self, info: Info) -> list[Expertise]:
        rows = await info.context.loaders.expertise.load(str(self.id))
        now = await info.context.data_now() if rows else None
        return [Expertise.from_domain(x, now) for x in sorted(rows, key=lambda x: (-x.score, x.skill))]

    @strawberry.field(description="Network scores (analyst role).")
    async def scores(self, info: Info) -> PersonScores | None:
        info.context.require(Role.ANALYST, "Person.scores")
        found = await info.context.loaders.scores.load(str(self.id))
        return PersonScores.from_domain(found) if found is not None else None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One expert on a skill: the person, their score, the evidence and why, in words.")
class Expert:
    person: Person
    skill: str
    score: float
    rank: int = strawberry.field(description="Place in the whole ranking under the same filters, across pages "
                                 "(1 = strongest); people with equal scores share a place (\"1, 1, 3\").")
    evidence: list[Evidence]
    raw_evidence: strawberry.Private[tuple[models.Evidence, ...]]

    @classmethod
    def from_domain(cls, hit: base.ExpertHit) -> Expert:
        return cls(
            person=Person.from_domain(hit.person), skill=hit.skill, score=hit.score, rank=hit.rank,
            evidence=[Evidence.from_domain(e) for e in hit.evidence], raw_evidence=hit.evidence,
        )

    @strawberry.field(description='One line a person can read, e.g. "12 accepted answers on kubernetes, ...".')
    async def explanation(self, info: Info) -> str:
        return explain_expertise(self.skill, self.raw_evidence, now=await info.context.data_now())


@strawberry.type(description="An expert and the cursor to continue after them.")
class ExpertEdge:
    cursor: str
    node: Expert

    @classmethod
    def from_domain(cls, hit: base.ExpertHit) -> ExpertEdge:
        return cls(cursor=hit.cursor, node=Expert.from_domain(hit))


@strawberry.type(description="A page of experts on a skill (Relay-style connection).")
class ExpertConnection:
    skill: str
    edges: list[ExpertEdge]
    page_info: PageInfo
    total_count: int
    filters: strawberry.Private[dict[str, str | None]]

    @classmethod
    def from_domain(cls, skill: str, page: base.Page[base.ExpertHit],
                    filters: dict[str, str | None] | None = None) -> ExpertConnection:
        return cls(
            skill=skill, edges=[ExpertEdge.from_domain(h) for h in page.items],
            page_info=PageInfo(
                has_next_page=page.next_cursor is not None,
                end_cursor=page.items[-1].cursor if page.items else None,
            ),
            total_count=page.total,
            filters=filters or {},
        )

    @strawberry.field(description="Why there is no one, in words, when a department or location filter explains "
                      "it (\"no one's location is 'Berlim'; did you mean Berlin?\", or no one has a location on "
                      "record at all); null when the list has people or the filters name someone.")
    async def empty_because(self, info: Info) -> str | None:
        if self.total_count or not any(self.filters.values()):
            return None
        facets = await info.context.gateway.directory_facets()
        return why_no_one(self.filters, facets)


@strawberry.type
class PersonEdge:
    cursor: str
    node: Person


@strawberry.type(description="A page of people (community members).")
class PersonConnection:
    edges: list[PersonEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_domain(cls, page: base.Page[models.Person]) -> PersonConnection:
        edges = [PersonEdge(cursor=base.encode_cursor(0.0, p.id), node=Person.from_domain(p)) for p in page.items]
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total,
        )


@strawberry.type(description="A named number behind a ranking, with what it means.")
class Measure:
    name: str
    value: float
    meaning: str

    @classmethod
    def from_domain(cls, m: rankings.Measure) -> Measure:
        return cls(name=m.name, value=m.value, meaning=m.meaning)


@strawberry.type(description="A person ranked by a score (influence, or marginal reach for seeding), with why.")
class RankedPerson:
    person: Person
    score: float = strawberry.field(description="The ranking's score; scoreMeaning says what it measures.")
    rank: int
    score_meaning: str = strawberry.field(default="", description="What the score measures.")
    explanation: str = strawberry.field(default="", description="One line a person can read: why this rank.")
    evidence: list[Evidence] = strawberry.field(
        default_factory=list, description="Expertise evidence on the topic (when the ranking is about a topic).")
    measures: list[Measure] = strawberry.field(default_factory=list, description="Other numbers behind the rank.")

    @classmethod
    def from_domain(cls, r: base.RankedPerson) -> RankedPerson:
        return cls(person=Person.from_domain(r.person), score=r.score, rank=r.rank)


@strawberry.type(description="How a broker touches one of the communities asked about.")
class BridgeSide:
    community_id: strawberry.ID
    community_name: str
    member: bool = strawberry.field(description="The broker is a member of this community.")
    ties: int = strawberry.field(description="Distinct members of this community the broker has interacted with.")


@strawberry.type(description="A broker: someone whose ties span groups (betweenness, Burt's constraint, role).")
class Broker:
    person: Person
    rank: int
    betweenness: float = strawberry.field(description=rankings.BETWEENNESS_MEANING)
    constraint: float | None = strawberry.field(description=rankings.CONSTRAINT_MEANING)
    effective_size: float | None = strawberry.field(description="Burt's effective size: non-redundant contacts.")
    participation: float = strawberry.field(
        description="Participation coefficient (Guimerà & Amaral 2005): 0 = all ties in one detected community, "
                    "near 1 = ties spread evenly over many.")
    role: BrokerRole | None
    articulation_point: bool = strawberry.field(
        description="Removing this person would split the interaction network.")
    explanation: str = strawberry.field(default="", description="One line a person can read: why this rank.")
    sides: list[BridgeSide] = strawberry.field(
        default_factory=list, description="Per community asked about (communityIds): member or not, and ties.")
    measures: list[Measure] = strawberry.field(default_factory=list, description="The numbers behind the rank.")

    @classmethod
    def from_domain(cls, b: base.BrokerHit, names: dict[str, str] | None = None, tied: bool = False) -> Broker:
        s = b.scores
        names = names or {}
        return cls(
            person=Person.from_domain(b.person), rank=b.rank, betweenness=s.betweenness, constraint=s.constraint,
            effective_size=s.effective_size, participation=s.participation,
            role=BrokerRole(str(s.role)) if s.role is not None else None, articulation_point=s.articulation,
            explanation=rankings.explain_bridge(b, names, tied),
            sides=[BridgeSide(community_id=strawberry.ID(x.community_id),
                              community_name=names.get(x.community_id, x.community_id), member=x.member, ties=x.ties)
                   for x in b.sides],
            measures=[Measure.from_domain(m) for m in rankings.bridge_measures(b)],
        )


@strawberry.type(
    description="Health figures of one period, defined in docs/health.md; figures over fewer than "
    "WHOKNOWS_MIN_GROUP_SIZE people are withheld (null, named in `withheld`)."
)
class HealthFigures:
    period: str
    start: date
    days: float = strawberry.field(description="Length of the period: 7 for a whole week, less for this week.")
    members: int | None
    active_members: int | None = strawberry.field(description="People who posted in the period.")
    posts: int | None
    threads: int | None
    posts_per_week: float | None
    reply_rate: float | None = strawberry.field(description="Share of the period's threads that got a reply.")
    median_first_response_hours: float | None
    unanswered_share: float | None = strawberry.field(description="1 - replyRate: threads with no reply.")
    contributor_gini: float | None = strawberry.field(description="Inequality of posts among the contributors.")
    absence_factor: int | None = strawberry.field(description="Fewest people who made half of the posts.")
    newcomer_retention: float | None
    managers_active_share: float | None
    cross_department_share: float | None
    withheld: list[str] = strawberry.field(description="Figures withheld for privacy (GraphQL field names).")
    withheld_reason: str | None

    @classmethod
    def from_domain(
        cls, h: models.CommunityHealth, min_group: int, *, opted_out_changed: bool = False, complement: bool = False
    ) -> HealthFigures:
        hidden, reason = withheld_figures(h, min_group, opted_out_changed=opted_out_changed, complement=complement)
        values = {name: (None if name in hidden else getattr(h, name)) for name in _FIGURE_FIELDS}
        return cls(
            period=str(h.period), start=h.start, days=h.days, withheld=[_camel(n) for n in hidden],
            withheld_reason=reason, **values,
        )


_FIGURE_FIELDS = (
    "members", "active_members", "posts", "threads", "posts_per_week", "reply_rate", "median_first_response_hours",
    "unanswered_share", "contributor_gini", "absence_factor", "newcomer_retention", "managers_active_share",
    "cross_department_share",
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


@strawberry.type(
    description="Relative change, last 4 complete weeks against the 4 before (0.25 = +25%); null when a window "
    "holds too few posts or a week is withheld (see `reason`)."
)
class HealthTrend:
    posts: float | None
    active_members: float | None
    reply_rate: float | None
    reason: str | None = strawberry.field(description="Why there is no trend, when there is none.")


@strawberry.type(description="Community health: the current 30-day figures and the weekly series, oldest first.")
class CommunityHealth:
    current: HealthFigures | None
    weekly: list[HealthFigures]
    trend: HealthTrend

    @classmethod
    def from_domain(cls, report: base.HealthReport, min_group: int) -> CommunityHealth:
        stale = report.opted_out_changed
        extra = frozenset() if stale else complementary_weeks(report.current, report.weekly, min_group)
        t = health_trend(report, min_group, also_withheld=extra)
        return cls(
            current=(
                HealthFigures.from_domain(report.current, min_group, opted_out_changed=stale)
                if report.current else None
            ),
            weekly=[HealthFigures.from_domain(w, min_group, opted_out_changed=stale, complement=w.start in extra)
                    for w in report.weekly],
            trend=HealthTrend(posts=t.posts, active_members=t.active_members, reply_rate=t.reply_rate,
                              reason=t.reason),
        )


@strawberry.type(description="A community of practice: forum, channel, tag, group or training cohort.")
class Community:
    id: strawberry.ID
    name: str
    kind: str
    source: str

    @classmethod
    def from_domain(cls, c: models.Community) -> Community:
        return cls(id=strawberry.ID(c.id), name=c.name, kind=str(c.kind), source=c.source)

    @strawberry.field(description="Members by person id (opted-out people, leavers and bots left out).")
    async def members(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> PersonConnection:
        page = await info.context.gateway.community_members(str(self.id), first=page_size(first), after=after)
        return PersonConnection.from_domain(page)

    @strawberry.field(description="Health figures (analyst role).")
    async def health(self, info: Info) -> CommunityHealth | None:
        info.context.require(Role.ANALYST, "Community.health")
        report = await info.context.gateway.community_health(str(self.id))
        return CommunityHealth.from_domain(report, info.context.settings.min_group_size)




@strawberry.type(description="One analytics run.")
class AnalyticsRun:
    id: str
    started_at: datetime
    finished_at: datetime
    stats: JSON

    @classmethod
    def from_domain(cls, r: models.AnalyticsRun) -> AnalyticsRun:
        # the opted-out ids' digest stays in the store (its staleness marker): over a set of a few people, hashing
        # each guessable id would name who opted out; and opted-out people count in no figure the API answers (the
        # operator running ``whoknows analyze`` still sees how many there are)
        stats = {k: v for k, v in r.stats.items() if k not in opt_outs.ABOUT_OPTED_OUT}
        return cls(id=r.id, started_at=r.started_at, finished_at=r.finished_at, stats=cast(JSON, stats))


SkillArg = Annotated[str, strawberry.argument(description="A skill name or alias (k8s, JS, machine learning...).")]

__all__ = [
    "AnalyticsRun",
    "BridgeSide",
    "Broker",
    "BrokerRole",
    "Community",
    "CommunityHealth",
    "Evidence",
    "EvidenceKind",
    "Expert",
    "ExpertConnection",
    "ExpertEdge",
    "Expertise",
    "HealthFigures",
    "HealthTrend",
    "Measure",
    "PageInfo",
    "Person",
    "PersonConnection",
    "PersonEdge",
    "PersonScores",
    "RankedPerson",
    "Skill",
    "SkillArg",
    "SkillClaim",
    "node_id",
    "page_size",
]
