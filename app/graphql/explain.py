"""Pure helpers that turn stored figures into what a person reads: expert explanations, health trends, privacy.

Kept free of GraphQL and I/O so they are tested with plain values.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime

from graph.analytics.health_release import COMPLEMENT_REASON, FIGURES, Trend, weekly_trend, withheld
from graph.store.base import HealthReport
from schema.labels import EvidenceKind
from schema.models import CommunityHealth, Evidence

LEVEL_WORDS = {1: "beginner", 2: "intermediate", 3: "advanced", 4: "expert", 5: "master"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_RIGHT_TO_LEFT = frozenset({"R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"})


def isolated(text: str) -> str:
    """A name from an export as it may sit inside a sentence: between Unicode's first-strong isolate and its pop
    (U+2068 ... U+2069, UAX #9) when it holds right-to-left letters or bidirectional controls. An open override
    in a community's name ("Sales\u202e") otherwise turned the rest of an explanation around in every client
    that shows it; the isolate closes whatever the name opened. Plain names are left as they are.

    >>> isolated("Data guild"), isolated("Sales\u202e") == "\u2068Sales\u202e\u2069", len(isolated("שלום"))
    ('Data guild', True, 6)
    """
    if any(unicodedata.bidirectional(ch) in _RIGHT_TO_LEFT for ch in text):
        return f"\u2068{text}\u2069"
    return text


def recency_phrase(last: datetime | None, now: datetime, on: str | None = None, what: str = "active") -> str | None:
    """How recently someone was active, in words. ``on``: the skill, when the date is the latest activity there,
    named for an old date only: active on it this week is active this week, but a bare "last active in 2015" reads
    as gone for someone who still posts on other skills. ``what``: what the date is of ("latest answer"), when it is
    not any activity. An old date keeps its month: two people both "last active in 2015" ranked apart by the
    months between their answers read as a rank with no reason.

    >>> now = datetime(2026, 11, 21, tzinfo=UTC)
    >>> recency_phrase(datetime(2026, 11, 18, tzinfo=UTC), now)
    'active this week'
    >>> recency_phrase(datetime(2026, 10, 25, tzinfo=UTC), now)
    'active last month'
    >>> recency_phrase(datetime(2023, 1, 2, tzinfo=UTC), now)
    'last active in Jan 2023'
    >>> recency_phrase(datetime(2023, 1, 2, tzinfo=UTC), now, on="go")
    'last active on go in Jan 2023'
    >>> recency_phrase(datetime(2026, 10, 25, tzinfo=UTC), now, on="go", what="latest answer")
    'latest answer last month'
    >>> recency_phrase(datetime(2023, 1, 2, tzinfo=UTC), now, on="go", what="latest answer")
    'latest answer on go in Jan 2023'
    """
    if last is None:
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    days = (now - last).total_seconds() / 86400
    if days <= 7:
        return f"{what} this week"
    months = (now.year - last.year) * 12 + now.month - last.month
    if months == 0:
        return f"{what} this month"
    if months == 1:
        return f"{what} last month"
    if days <= 92:
        return f"{what} in the last 3 months"
    if days <= 365:
        return f"{what} in the last year"
    head = "last active" if what == "active" else what
    return f"{head} on {on} in {last:%b %Y}" if on else f"{head} in {last:%b %Y}"


# the evidence whose dates the score's recency reads (graph/analytics/expertise.py: the latest answer or
# endorsement), and what its date is called: the date an explanation gives, so that a question asked on the skill
# last month never makes answers from years ago read as recent, ranked below older-looking but newer answers
_RANKED_DATES = {EvidenceKind.ANSWERS: "latest answer", EvidenceKind.ACCEPTED_ANSWERS: "latest answer",
                 EvidenceKind.VOTES: "latest answer", EvidenceKind.ENDORSEMENTS: "latest endorsement"}


def explain_expertise(
    skill: str, evidence: Sequence[Evidence], last_active: datetime | None = None, now: datetime | None = None
) -> str:
    """One line a person can read: why this hit ranks where it does. ``now``: the data's clock
    (:func:`app.clock.data_clock`), so "last month" is the data's last month, as in the seeds and the health figures.

    The date said is that of the evidence the score weighs by age (answers, endorsements); asking a question is
    dated only when nothing else is.

    >>> ev = [Evidence(kind="accepted_answers", count=12), Evidence(kind="answers", count=30),
    ...       Evidence(kind="declared", count=4), Evidence(kind="endorsements", count=1)]
    >>> explain_expertise("kubernetes", ev, datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))
    '12 accepted answers on kubernetes (30 answers in all), declared expert, endorsed by 1 colleague, active last month'
    >>> old = [Evidence(kind="answers", count=2, last_at=datetime(2014, 5, 30, tzinfo=UTC)),
    ...        Evidence(kind="questions", count=1, last_at=datetime(2017, 2, 21, tzinfo=UTC))]
    >>> explain_expertise("ipa", old, now=datetime(2017, 3, 13, tzinfo=UTC))
    '2 answers on ipa, latest answer on ipa in May 2014'
    >>> explain_expertise("go", [])
    'ranked on go by the interaction graph alone'
    """
    counts: dict[str, int] = {}
    latest: datetime | None = last_active
    ranked: tuple[datetime, str] | None = None  # the latest dated evidence the score weighs by age, and its name
    for e in evidence:
        counts[str(e.kind)] = counts.get(str(e.kind), 0) + e.count
        at = e.last_at
        if at is None:
            continue
        at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        if latest is None or at > (latest if latest.tzinfo is not None else latest.replace(tzinfo=UTC)):
            latest = at
        name = _RANKED_DATES.get(e.kind) if e.count > 0 or e.kind == EvidenceKind.VOTES else None
        if name is not None and (ranked is None or at > ranked[0]):
            ranked = (at, name)
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
    if votes > 0:  # the answers' net score (up minus down votes), so never called upvotes
        parts.append(f"{_plural(votes, 'net vote')} on answers")
    rank = counts.get(EvidenceKind.EXPERTISE_RANK, 0)
    if 0 < rank <= 10:
        parts.append(f"#{rank} in the {skill} answer network")
    questions = counts.get(EvidenceKind.QUESTIONS, 0)
    if questions and not parts:
        parts.append(f"asked {_plural(questions, 'question')} on {skill}")
    # the latest activity on this skill, not anywhere: "last active in 2015" read as gone for someone still posting
    clock = now or datetime.now(UTC)
    when = (recency_phrase(ranked[0], clock, on=skill, what=ranked[1]) if ranked is not None
            else recency_phrase(latest, clock, on=skill))
    if not parts:
        parts.append(f"ranked on {skill} by the interaction graph alone")
    if when:
        parts.append(when)
    return ", ".join(parts)


# --- community health: privacy and trend (the rules live in graph/analytics/health_release.py) ------------

STALE_REASON = "someone opted out (or back in) since the last analysis: figures return after the next analyze"


def withheld_figures(
    h: CommunityHealth, min_group: int, *, opted_out_changed: bool = False, complement: bool = False
) -> tuple[tuple[str, ...], str | None]:
    """Which figures of a health row to withhold, and why (see docs/health.md, "Privacy").

    A snapshot computed before someone opted out may still count them (``opted_out_changed``: this is one of their
    communities): all of it is withheld until the next analyze, so no figure counts them and no two figures disagree
    by the number who opted out. ``complement``: a week withheld so the 30-day figures do not give another back
    (:func:`graph.analytics.health_release.complementary_weeks`).

    >>> from datetime import date
    >>> from schema.labels import HealthPeriod
    >>> h = CommunityHealth(community_id="x:1", period=HealthPeriod.WEEK, start=date(2026, 1, 5), members=9,
    ...                     active_members=2, contributor_gini=0.4)
    >>> fields, reason = withheld_figures(h, 5)
    >>> "contributor_gini" in fields, "members" in fields, reason
    (True, True, 'fewer than 5 people contributed in this period')
    """
    if opted_out_changed:
        return FIGURES, STALE_REASON
    found = withheld(h, min_group)
    if complement and found[0] != FIGURES:
        return FIGURES, COMPLEMENT_REASON
    return found


def health_trend(report: HealthReport, min_group: int, also_withheld: Collection[date] = ()) -> Trend:
    """The weekly trend of a health report, or why there is none (``also_withheld``: complementary weeks)."""
    if report.opted_out_changed:
        return Trend(reason=STALE_REASON)
    return weekly_trend(report.weekly, min_group, also_withheld=also_withheld)


__all__ = [
    "isolated",
    "STALE_REASON",
    "explain_expertise",
    "recency_phrase",
    "health_trend",
    "withheld_figures",
]
