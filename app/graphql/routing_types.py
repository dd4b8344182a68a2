"""GraphQL types of ``expertsFor``: a whole question in, people ranked for it out, each with the question's skills
they cover and the evidence behind the rank (issue 10.2)."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from app.graphql.types import Evidence, EvidenceKind, Person
from graph.analytics.routing import Routed
from graph.analytics.routing_explain import LABELS
from graph.analytics.routing_features import SkillEvidence
from schema import models
from schema.facet_match import why_no_one


@strawberry.input(description="A question to route: its skills (tags) and, optionally, its title.")
class QuestionInput:
    skills: list[str] = strawberry.field(default_factory=list, description="Skill names or aliases (k8s, JS...).")
    title: str | None = strawberry.field(default=None, description="The title; words naming known skills count.")


def _evidence(e: SkillEvidence) -> list[Evidence]:
    def at(ts: float | None) -> datetime | None:
        return datetime.fromtimestamp(ts, UTC) if ts is not None else None

    out = []
    if e.declared is not None:
        out.append(Evidence(kind=EvidenceKind.DECLARED, count=e.declared, last_at=None))
    if e.answers:
        out.append(Evidence(kind=EvidenceKind.ANSWERS, count=e.answers, last_at=at(e.last_answer)))
    if e.accepted:
        out.append(Evidence(kind=EvidenceKind.ACCEPTED_ANSWERS, count=e.accepted, last_at=None))
    if e.votes:
        out.append(Evidence(kind=EvidenceKind.VOTES, count=e.votes, last_at=None))
    if e.endorsements:
        out.append(Evidence(kind=EvidenceKind.ENDORSEMENTS, count=e.endorsements, last_at=None))
    if e.er_pos:
        out.append(Evidence(kind=EvidenceKind.EXPERTISE_RANK, count=e.er_pos, last_at=None))
    if e.questions:
        out.append(Evidence(kind=EvidenceKind.QUESTIONS, count=e.questions, last_at=None))
    return out


@strawberry.type(description="A skill a routed person covers, with the evidence on it.")
class SkillCoverage:
    skill: str
    score: float = strawberry.field(description="The stored expertise score on this skill.")
    evidence: list[Evidence]

    @classmethod
    def from_domain(cls, skill: str, e: SkillEvidence) -> SkillCoverage:
        return cls(skill=skill, score=e.score, evidence=_evidence(e))


@strawberry.type(description="A person ranked for a whole question.")
class RoutedExpert:
    rank: int
    person: Person
    score: float = strawberry.field(description="0-1, higher is likelier to answer; comparable within one answer.")
    covers: list[SkillCoverage] = strawberry.field(description="The question's skills this person has evidence on.")
    related: list[SkillCoverage] = strawberry.field(description="Related skills (asked about together) answered.")
    strongest_evidence: str = strawberry.field(description="The signal that weighed most in this person's rank.")
    explanation: str

    @classmethod
    def from_domain(cls, rank: int, hit: Routed, person: models.Person, skills: list[str]) -> RoutedExpert:
        return cls(
            rank=rank, person=Person.from_domain(person), score=round(hit.score, 6),
            covers=[SkillCoverage.from_domain(s, hit.covered[s]) for s in skills if s in hit.covered],
            related=[SkillCoverage.from_domain(s, e) for s, e in sorted(hit.related.items())],
            strongest_evidence=LABELS.get(hit.strongest, hit.strongest), explanation=hit.explanation,
        )


@strawberry.type(description="People ranked for a question, and the skills the question was read as.")
class QuestionRouting:
    skills: list[str] = strawberry.field(description="Canonical skills used: the given ones and title words.")
    unknown_skills: list[str] = strawberry.field(description="Given skills nobody has any evidence on.")
    experts: list[RoutedExpert]
    filters: strawberry.Private[dict[str, str | None]] = strawberry.field(default_factory=dict)

    @strawberry.field(description="Why there is no one, in words, when a department or location filter explains "
                      "it, as on ``experts``; null when the list has people or the filters name someone.")
    async def empty_because(self, info: strawberry.Info) -> str | None:
        if self.experts or not any(self.filters.values()):
            return None
        return why_no_one(self.filters, await info.context.gateway.directory_facets())


__all__ = ["QuestionInput", "QuestionRouting", "RoutedExpert", "SkillCoverage"]
