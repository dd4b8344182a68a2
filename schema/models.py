"""The graph model of DESIGN.md as frozen pydantic records.

Records are what ingest hands the store and what the store hands back: validated once at the edge, immutable after.
Only metadata is kept for posts, and a question's title (the words it is routed by): no bodies (data minimisation).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from schema.ids import ID_PATTERN, MAX_ID_LEN
from schema.labels import (
    BrokerRole,
    CommunityKind,
    EngagementKind,
    EvidenceKind,
    HealthPeriod,
    MemberRole,
    PostKind,
    ScoreScope,
)
from schema.numbers import Int64
from schema.skills import MAX_SKILL_LEN

MAX_TITLE = 300  # Stack Exchange allows 150 characters, Discourse 255: longer is not a title


def fold_title(value: str | None) -> str | None:
    """A post title as stored: whitespace folded, cut at ``MAX_TITLE`` characters, blank as None.

    >>> fold_title("  Grinder   for espresso? "), fold_title("   ")
    ('Grinder for espresso?', None)
    """
    folded = " ".join(value.split())[:MAX_TITLE] if value else ""
    return folded or None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# control characters no one types into a name or a title (tab, line breaks, vertical tab, form feed and NEL are
# kept: spreadsheets put them in cells): a NUL or a C1 code in one means the file is damaged or mis-decoded
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# the validation context of records read back from a store: what ingest refuses, a store written by an older
# version may still hold, and reading it must not fail (Person.model_validate(row, context=STORED))
STORED: dict[str, bool] = {"stored": True}
# lower-case letters and digits of any script (schema.skills.fold keeps them), then the punctuation that carries
# meaning in c++, c#, node.js and ci/cd; no upper case, space, underscore or other punctuation
SKILL_PATTERN = r"^[\p{Ll}\p{Lm}\p{Lo}\p{N}+#.][\p{Ll}\p{Lm}\p{Lo}\p{N}\p{M}+#./\-]*$"


def _utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # a ValueError is what pydantic turns into a validation error naming the field
        raise ValueError("date-time out of range: before year 1 or after 9999 in UTC") from None


# Patterns are checked by pydantic-core (Rust), not Python: records are built a million at a time on ingest.
NodeId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=MAX_ID_LEN)]
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
SkillName = Annotated[str, StringConstraints(pattern=SKILL_PATTERN, max_length=MAX_SKILL_LEN)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Person(Record):
    id: NodeId
    name: str = Field(min_length=1, max_length=300)
    email: str | None = None
    title: str | None = None
    department: str | None = None
    location: str | None = None
    manager_id: NodeId | None = None
    hired_on: date | None = None
    active: bool = True
    opted_out: bool = False
    bot: bool = False
    source: str = "hr"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        folded = value.strip().casefold()
        if not _EMAIL.match(folded):
            raise ValueError(f"{value!r} is not an email address")
        return folded

    @field_validator("title", "department", "location")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("name", "title", "department", "location")
    @classmethod
    def _no_control_characters(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.context is STORED:  # a stored row was judged when it was written (perhaps by an older version)
            return value
        found = _CONTROL.search(value) if value else None
        if found is not None:
            raise ValueError(f"control character U+{ord(found.group()):04X} in {value!r}: the file is damaged or "
                             f"read in the wrong text encoding")
        return value


class Skill(Record):
    name: SkillName
    aliases: tuple[str, ...] = ()

    @field_validator("aliases")
    @classmethod
    def _sorted(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))


class Community(Record):
    id: NodeId
    name: str = Field(min_length=1, max_length=300)
    kind: CommunityKind
    source: str


class Post(Record):
    """A question, answer, reply or comment. AUTHORED, REPLY_TO, IN and TAGGED follow from its fields."""

    id: NodeId
    kind: PostKind
    author_id: NodeId | None  # None: deleted or anonymous account
    created_at: UtcDatetime
    community_id: NodeId | None = None
    thread_id: NodeId | None = None
    parent_id: NodeId | None = None
    tags: tuple[SkillName, ...] = ()
    score: Int64 = 0  # every store holds signed 64-bit integers
    accepted: bool = False
    source: str
    title: str | None = None  # questions only, where the export has titles (whitespace folded, at most 300 characters)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return fold_title(value)


class ReportsTo(Record):
    person_id: NodeId
    manager_id: NodeId


class HasSkill(Record):
    person_id: NodeId
    skill: SkillName
    level: int | None = Field(default=None, ge=1, le=5)
    source: str = "hr"
    declared_at: date | None = None


class MemberOf(Record):
    person_id: NodeId
    community_id: NodeId
    since: UtcDatetime | None = None
    role: MemberRole = MemberRole.MEMBER


class Endorsement(Record):
    """ENDORSED: ``from_id`` vouches for ``to_id`` on ``skill``. ``source``: the forum source whose export holds it
    (``Post.source``'s namespace, e.g. "jsonl/kudos"), so a full re-import of that source can take back one it no
    longer holds; None: unknown (written before endorsements carried one, or by a caller that does not say), never
    taken back. Like a skill claim's, it is the last writer's."""

    from_id: NodeId
    to_id: NodeId
    skill: SkillName
    created_at: UtcDatetime | None = None
    source: str | None = None


class Engagement(Record):
    """ENGAGED: a person reacted to, was mentioned in, or edited a post (``kind``). Key: (person, post, kind).
    The projection turns it into a tie with the post's author (see graph/projection.py)."""

    person_id: NodeId
    post_id: NodeId
    kind: EngagementKind
    created_at: UtcDatetime | None = None


# --- written by analytics -------------------------------------------------------------------------


class Interaction(Record):
    """INTERACTS: decayed interaction weight from source to target (answer -> asker, reply -> parent...)."""

    source_id: NodeId
    target_id: NodeId
    weight: float = Field(ge=0)
    count: int = Field(ge=0)
    last_at: UtcDatetime | None = None


class Evidence(Record):
    kind: EvidenceKind
    count: int
    last_at: UtcDatetime | None = None


class ExpertIn(Record):
    """EXPERT_IN: a person's combined expertise score on a skill, with the evidence that produced it."""

    person_id: NodeId
    skill: SkillName
    score: float
    evidence: tuple[Evidence, ...] = ()
    expertise_rank: float = 0.0
    last_active: UtcDatetime | None = None


class PersonScores(Record):
    person_id: NodeId
    pagerank: float = 0.0
    degree: float = 0.0
    betweenness: float = 0.0
    constraint: float | None = None
    effective_size: float | None = None
    participation: float = 0.0
    within_z: float = 0.0
    role: BrokerRole | None = None
    articulation: bool = False
    community: str | None = None  # detected community id


class InfluenceScore(Record):
    scope: ScoreScope
    scope_id: str = ""  # skill name or community id; "" for global
    person_id: NodeId
    score: float


class DetectedCommunity(Record):
    id: str
    size: int = Field(ge=0)
    declared: tuple[tuple[str, float], ...] = ()  # (community id, share of members)
    skills: tuple[tuple[str, float], ...] = ()  # (skill, share of members)


class CommunityHealth(Record):
    """Health figures for one community over one period (defined in docs/health.md; None where too little data).

    ``days`` is the period's length (7 for a whole week, less for the week still running, 30 for "current");
    ``replied_threads``, ``newcomers``, ``leaders`` and ``cross_department_people`` are the populations some figures
    are computed over, kept so a reader can withhold a figure over too few people.
    """

    community_id: NodeId
    period: HealthPeriod
    start: date
    days: float = 7.0
    members: int = 0
    active_members: int = 0
    posts: int = 0
    posts_per_week: float | None = None
    threads: int = 0
    replied_threads: int = 0
    newcomers: int = 0
    leaders: int = 0
    cross_department_people: int = 0
    reply_rate: float | None = None
    median_first_response_hours: float | None = None
    unanswered_share: float | None = None
    contributor_gini: float | None = None
    absence_factor: int | None = None
    newcomer_retention: float | None = None
    managers_active_share: float | None = None
    cross_department_share: float | None = None


class AnalyticsRun(Record):
    id: str
    started_at: UtcDatetime
    finished_at: UtcDatetime
    stats: dict[str, Any] = Field(default_factory=dict)


__all__ = [
    "AnalyticsRun",
    "Community",
    "CommunityHealth",
    "DetectedCommunity",
    "Endorsement",
    "Engagement",
    "Evidence",
    "ExpertIn",
    "HasSkill",
    "InfluenceScore",
    "Interaction",
    "MemberOf",
    "Person",
    "PersonScores",
    "Post",
    "Record",
    "ReportsTo",
    "Skill",
]
