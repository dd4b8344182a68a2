"""Pure helpers that turn stored figures into what a person reads: expert explanations, health trends, privacy.

Kept free of GraphQL and I/O so they are tested with plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from schema.labels import EvidenceKind
from schema.models import CommunityHealth, Evidence

LEVEL_WORDS = {1: "beginner", 2: "intermediate", 3: "advanced", 4: "expert", 5: "master"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def recency_phrase(last: datetime | None, now: datetime) -> str | None:
    """How recently someone was active, in words.

    >>> now = datetime(2026, 11, 21, tzinfo=UTC)
    >>> recency_phrase(datetime(2026, 11, 18, tzinfo=UTC), now)
    'active this week'
    >>> recency_phrase(datetime(2026, 10, 25, tzinfo=UTC), now)
    'active last month'
    >>> recency_phrase(datetime(2023, 1, 2, tzinfo=UTC), now)
    'last active in 2023'
    """
    if last is None:
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    days = (now - last).total_seconds() / 86400
    if days <= 7:
        return "active this week"
    months = (now.year - last.year) * 12 + now.month - last.month
    if months == 0:
        return "active this month"
    if months == 1:
        return "active last month"
    if days <= 92:
        return "active in the last 3 months"
    if days <= 365:
        return "active in the last year"
    return f"last active in {last.year}"


def explain_expertise(
    skill: str, evidence: Sequence[Evidence], last_active: datetime | None = None, now: datetime | None = None
) -> str:
    """One line a person can read: why this hit ranks where it does.

    >>> ev = [Evidence(kind="accepted_answers", count=12), Evidence(kind="answers", count=30),
    ...       Evidence(kind="declared", count=4), Evidence(kind="endorsements", count=1)]
    >>> explain_expertise("kubernetes", ev, datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))
    '12 accepted answers on kubernetes (30 answers in all), declared expert, endorsed by 1 colleague, active last month'
    >>> explain_expertise("go", [])
    'ranked on go by the interaction graph alone'
    """
    counts: dict[str, int] = {}
    latest: datetime | None = last_active
    for e in evidence:
        counts[str(e.kind)] = counts.get(str(e.kind), 0) + e.count
        if e.last_at is not None and (latest is None or e.last_at > latest):
            latest = e.last_at
    parts: list[str] = []
    accepted = counts.get(EvidenceKind.ACCEPTED_ANSWERS, 0)
    answers = counts.get(EvidenceKind.ANSWERS, 0)
    if accepted:
        extra = f" ({_plural(answers, 'answer')} in all)" if answers > accepted else ""
        parts.append(f"{_plural(accepted, 'accepted answer')} on {skill}{extra}")
    elif answers:
        parts.append(f"{_plural(answers, 'answer')} on {skill}")
    level = counts.get(EvidenceKind.DECLARED, 0)
    if level:
        parts.append(f"declared {LEVEL_WORDS.get(level, f'level {level}')}")
    endorsements = counts.get(EvidenceKind.ENDORSEMENTS, 0)
    if endorsements:
        parts.append(f"endorsed by {_plural(endorsements, 'colleague')}")
    votes = counts.get(EvidenceKind.VOTES, 0)
    if votes > 0:
        parts.append(f"{_plural(votes, 'upvote')} on answers")
    rank = counts.get(EvidenceKind.EXPERTISE_RANK, 0)
    if 0 < rank <= 10:
        parts.append(f"#{rank} in the {skill} answer network")
    questions = counts.get(EvidenceKind.QUESTIONS, 0)
    if questions and not parts:
        parts.append(f"asked {_plural(questions, 'question')} on {skill}")
    when = recency_phrase(latest, now or datetime.now(UTC))
    if not parts:
        parts.append(f"ranked on {skill} by the interaction graph alone")
    if when:
        parts.append(when)
    return ", ".join(parts)


# --- community health: privacy and trend -------------------------------------------------------------

# figures that describe the *active contributors* of a period; withheld when fewer than k people were active
CONTRIBUTOR_FIGURES = (
    "reply_rate",
    "median_first_response_hours",
    "contributor_gini",
    "absence_factor",
    "newcomer_retention",
    "managers_active_share",
    "cross_department_share",
)
MEMBER_FIGURES = ("members", "active_members", "posts", "threads", "unanswered_share", *CONTRIBUTOR_FIGURES)


def withheld_figures(h: CommunityHealth, min_group: int) -> tuple[tuple[str, ...], str | None]:
    """Which figures of a health snapshot to withhold, and why (aggregates over < ``min_group`` people).

    A community with fewer than ``min_group`` members shows nothing; one with enough members but fewer active
    contributors hides the figures that describe those contributors (Gini, absence factor, response times...),
    which over two or three people would point at individuals.

    >>> from datetime import date
    >>> from schema.labels import HealthPeriod
    >>> h = CommunityHealth(community_id="x:1", period=HealthPeriod.WEEK, start=date(2026, 1, 5), members=9,
    ...                     active_members=2, contributor_gini=0.4)
    >>> fields, reason = withheld_figures(h, 5)
    >>> "contributor_gini" in fields, "members" in fields, reason
    (True, False, 'fewer than 5 active contributors')
    """
    if h.members < min_group:
        return MEMBER_FIGURES, f"fewer than {min_group} members"
    if h.active_members < min_group:
        return CONTRIBUTOR_FIGURES, f"fewer than {min_group} active contributors"
    return (), None


def weekly_trend(weeks: Sequence[CommunityHealth], field: str, span: int = 4) -> float | None:
    """Relative change of ``field`` between the last ``span`` weeks and the ``span`` before (0.25 = +25%).

    None when there are fewer than two full spans or the earlier span sums to zero.

    >>> from datetime import date
    >>> from schema.labels import HealthPeriod
    >>> ws = [CommunityHealth(community_id="x:1", period=HealthPeriod.WEEK, start=date(2026, 1, 5), posts=p)
    ...       for p in (10, 10, 10, 10, 15, 15, 10, 10)]
    >>> weekly_trend(ws, "posts")
    0.25
    """
    if len(weeks) < 2 * span:
        return None
    recent = sum(float(getattr(w, field) or 0) for w in weeks[-span:])
    before = sum(float(getattr(w, field) or 0) for w in weeks[-2 * span:-span])
    if before == 0:
        return None
    return round((recent - before) / before, 4)


__all__ = [
    "CONTRIBUTOR_FIGURES",
    "MEMBER_FIGURES",
    "explain_expertise",
    "recency_phrase",
    "weekly_trend",
    "withheld_figures",
]
