"""What readers show of the skill list and of analyze-time evidence, given who is opted out *now*.

An opt-out (HR's, or the person's own on the Privacy page or with ``setMyVisibility``) takes effect at once, long
before the next ``whoknows analyze`` recomputes anything without them. Two things both stores serve would otherwise
keep counting them until then:

- the skill list (``skills``, ``all_skills``, ``skill``: autocomplete, the search page's suggestions and its reading
  of typed words, "did you mean", the 404 of an unknown skill). A skill is listed only while someone who is not
  opted out gives it: claims it, is endorsed on it by someone not opted out, wrote (or, anonymously, someone
  wrote) a post tagged with it, or holds expertise on it in the current run. A skill only an opted-out person
  declared or tagged ("someone here knows Basque") is then exactly as absent as one nobody has, and a skill from a
  tag catalogue that no one used is not offered either (it would find no one);
- an expert's endorsement evidence ("endorsed by 3 colleagues"), a count of people computed at analyze time. It
  is read back as at most the endorsers who are not opted out now (nor bots, nor the person themselves: the
  analytics' own rule), dated by the latest of those, so it never counts someone who has since left; it never
  rises above what the analysis counted (a newer endorsement waits for the next analyze, as the score does).

Both stores memoise the listed names per data version (every opt-out bumps it) and apply these functions, so they
answer identically (tests/integration/test_store_parity*.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from schema.labels import EvidenceKind
from schema.models import Evidence, Skill

ENDORSEMENTS = EvidenceKind.ENDORSEMENTS
#: when each counted endorser endorsed, per (endorsed person, skill)
Endorsers = dict[tuple[str, str], list[datetime | None]]


def listed(rows: Iterable[Skill], names: frozenset[str]) -> list[Skill]:
    """The skills of ``rows`` someone not opted out gives (``names``), in their order."""
    return [s for s in rows if s.name in names]


def has_endorsements(evidence: Iterable[Evidence]) -> bool:
    """Whether an evidence list counts endorsers (only then are the endorsers read)."""
    return any(e.kind == ENDORSEMENTS for e in evidence)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def endorsed_now(evidence: tuple[Evidence, ...], dates: Sequence[datetime | None]) -> tuple[Evidence, ...]:
    """``evidence`` with its endorsement count limited to the endorsers who are not opted out now (``dates``: when
    each of them endorsed, None when undated), and dated by the latest of those the analysis could have seen; the
    endorsement evidence goes when none is left.

    >>> from datetime import datetime, UTC
    >>> d1, d2 = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    >>> ev = (Evidence(kind="answers", count=3), Evidence(kind="endorsements", count=2, last_at=d2))
    >>> [(e.kind.value, e.count, e.last_at and e.last_at.month) for e in endorsed_now(ev, [d1])]
    [('answers', 3, None), ('endorsements', 1, 1)]
    >>> [e.kind.value for e in endorsed_now(ev, [])]
    ['answers']
    >>> endorsed_now(ev, [d1, d2]) == ev
    True
    """
    out: list[Evidence] = []
    changed = False
    for e in evidence:
        if e.kind != ENDORSEMENTS:
            out.append(e)
            continue
        count = min(e.count, len(dates))
        last = None
        if e.last_at is not None:
            cap = _utc(e.last_at)
            seen = [t for t in (_utc(d) for d in dates if d is not None) if t <= cap]
            last = max(seen) if seen else None
        if count == e.count and last == e.last_at:
            out.append(e)
            continue
        changed = True
        if count:
            out.append(Evidence.model_construct(kind=ENDORSEMENTS, count=count, last_at=last))
    return tuple(out) if changed else evidence


def endorsers_by_target(rows: Iterable[tuple[str, str, datetime | None]]) -> Endorsers:
    """(endorsed person, skill, when) rows as the dates per (person, skill)."""
    out: Endorsers = {}
    for to_id, skill, at in rows:
        out.setdefault((to_id, skill), []).append(at)
    return out


def with_endorsers_now(
    evidence: tuple[Evidence, ...], person_id: str, skill: str,
    endorsers: Mapping[tuple[str, str], Sequence[datetime | None]],
) -> tuple[Evidence, ...]:
    """:func:`endorsed_now` of one (person, skill) row given every endorser date read for the page."""
    if not has_endorsements(evidence):
        return evidence
    return endorsed_now(evidence, endorsers.get((person_id, skill), ()))


__all__ = ["Endorsers", "endorsed_now", "endorsers_by_target", "has_endorsements", "listed", "with_endorsers_now"]
