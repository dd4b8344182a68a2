"""The rows analytics reads from a store (one :class:`Projection`) and the snapshot a run writes back.

Plain named tuples, cheap at a million rows; every store builds the same ones, so analytics never sees which store
it reads. Re-exported by :mod:`graph.store.base`, where the protocol that returns them lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from schema.models import (
    AnalyticsRun,
    Community,
    CommunityHealth,
    DetectedCommunity,
    ExpertIn,
    InfluenceScore,
    Interaction,
    PersonScores,
)


class PersonRow(NamedTuple):
    id: str
    department: str | None
    location: str | None
    manager_id: str | None
    active: bool
    opted_out: bool
    bot: bool
    source: str
    hired_on: str | None  # ISO date


class PostRow(NamedTuple):
    id: str
    kind: str
    author_id: str | None
    created_at: datetime
    community_id: str | None
    thread_id: str | None
    parent_id: str | None
    tags: tuple[str, ...]
    score: int
    accepted: bool
    title: str | None = None  # questions' titles, where the export has them


class MembershipRow(NamedTuple):
    person_id: str
    community_id: str
    since: datetime | None


class SkillClaimRow(NamedTuple):
    person_id: str
    skill: str
    level: int | None


class EndorsementRow(NamedTuple):
    from_id: str
    to_id: str
    skill: str
    created_at: datetime | None


class EngagementRow(NamedTuple):
    person_id: str
    post_id: str
    kind: str
    created_at: datetime | None


@dataclass
class Projection:
    """Everything analytics needs, as plain tuples (cheap at a million rows).

    Opted-out people are included and flagged so the projection can drop them *and* their ties.
    """

    people: list[PersonRow]
    posts: list[PostRow]
    memberships: list[MembershipRow]
    reports_to: list[tuple[str, str]]
    skills: list[SkillClaimRow]
    endorsements: list[EndorsementRow]
    communities: list[Community]
    engagements: list[EngagementRow] = field(default_factory=list)  # reactions, mentions, edits


@dataclass
class AnalyticsSnapshot:
    """One analytics run's results, written as one unit, replacing the previous run."""

    run: AnalyticsRun
    person_scores: Sequence[PersonScores] = ()
    influence: Sequence[InfluenceScore] = ()
    interactions: Sequence[Interaction] = ()
    expertise: Sequence[ExpertIn] = ()
    detected_communities: Sequence[DetectedCommunity] = ()
    health: Sequence[CommunityHealth] = ()
    router: str | None = None  # the question router (JSON), kept in store meta beside the snapshot


__all__ = [
    "AnalyticsSnapshot", "EndorsementRow", "EngagementRow", "MembershipRow", "PersonRow", "PostRow", "Projection",
    "SkillClaimRow",
]
