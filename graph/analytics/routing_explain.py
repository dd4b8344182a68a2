"""One line per routed person: which of the question's skills they cover, and their strongest evidence in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from graph.analytics.routing_features import AnswerRecord, Candidates, RoutingContext, SkillEvidence


def _days(now: float, then: float | None) -> str:
    """How long ago, in the unit a reader would use (an old forum's last answer read "4290 days ago").

    >>> day = 86400.0
    >>> [_days(400 * day, 400 * day - d * day) for d in (0.5, 1.2, 3, 59, 61, 400)], _days(5000 * day, 0.0)
    (['today', 'yesterday', '3 days ago', '59 days ago', '2 months ago', '13 months ago'], '14 years ago')
    """
    if then is None:
        return "never"
    d = max(now - then, 0.0) / 86400.0
    if d < 1:
        return "today"
    if d < 1.5:
        return "yesterday"
    if d < 60:
        return f"{d:.0f} days ago"
    return f"{d / 30.44:.0f} months ago" if d < 730 else f"{d / 365.25:.0f} years ago"


def _old(now: float, as_of: float | None) -> bool:
    """Whether the analysis stands more than 30 days before ``now``: an old export, whose dates are given as dates."""
    return as_of is not None and now - as_of > 30 * 86400.0


def _when(now: float, then: float | None, as_of: float | None) -> str:
    """When something last happened, in words: how long ago while the data is current; the date itself in an old
    export, where "10 years ago" for everyone hid the months between answerers that the rank weighs (it measures
    ages at the data's own clock).

    >>> day = 86400.0
    >>> _when(1.0e9, 1.0e9 - 3 * day, 1.0e9), _when(1.0e9, 1.0e9 - 900 * day, 1.0e9 - 800 * day)
    ('3 days ago', 'on 24 Mar 1999')
    """
    if then is None or not _old(now, as_of):
        return _days(now, then)
    at = datetime.fromtimestamp(then, UTC)
    return f"on {at.day} {at:%b %Y}"


def lately(now: float, as_of: float | None, since: float | None = None) -> str:
    """When "the most active answerers lately" were counted: the recent window ends at the analysis, which for an
    old export stands years before now, and "lately" beside "the latest 4 years ago" contradicted itself.
    ``since``: where the window starts (``RoutingContext.recent_since``), named so that a count of recent answers
    is not read as the person's whole record ("34 questions answered ... most active up to March 2017 (19 answers)").

    >>> day = 86400.0
    >>> lately(1.0e9, 1.0e9 - 3 * day), lately(1.0e9, None), lately(1.0e9, 1.0e9 - 900 * day)
    ('lately', 'lately', 'up to March 1999, where the data ends')
    >>> lately(1.0e9, 1.0e9 - 900 * day, 1.0e9 - 1020 * day), lately(1.0e9, 1.0e9 - day, 1.0e9 - 31 * day)
    ('in the 120 days to 24 Mar 1999, where the data ends', 'in the 30 days to 8 Sep 2001')
    """
    if as_of is not None and since is not None:
        end = datetime.fromtimestamp(as_of, UTC)
        days = max(round((as_of - since) / 86400.0), 1)
        return f"in the {days} days to {end.day} {end:%b %Y}" + (", where the data ends" if _old(now, as_of) else "")
    if as_of is None or now - as_of <= 30 * 86400.0:
        return "lately"
    return f"up to {datetime.fromtimestamp(as_of, UTC):%B %Y}, where the data ends"


def _active(count: int, when: str) -> str:
    """``one of the most active answerers lately (3 recent answers)``."""
    return f"one of the most active answerers {when} ({_n(count, 'recent answer' if when == 'lately' else 'answer')})"


def _n(count: int, noun: str) -> str:
    """``1 answer``, ``3 answers``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


# what each feature measures, in words (the ``strongestEvidence`` the API returns)
LABELS: dict[str, str] = {
    "tag_score": "expertise score on the question's skills",
    "tag_answers": "answers on the question's skills",
    "tag_accepted": "accepted answers on the question's skills",
    "tag_votes": "votes on answers on the question's skills",
    "tag_er": "ExpertiseRank on the question's skills",
    "tag_declared": "declared skill",
    "tag_endorsements": "endorsements",
    "tag_cover": "covers several of the question's skills",
    "tag_days": "answered on the question's skills lately",
    "tag_questions": "questions asked on the question's skills",
    "rel_answers": "answers on related skills",
    "rel_accepted": "accepted answers on related skills",
    "all_answers": "answers overall",
    "all_accepted": "accepted answers overall",
    "all_days": "active lately",
    "tag_share": "focus on the question's skills",
    "recent_answers": "recent answers (availability)",
    "response_hours": "answers quickly",
    "lm": "answer record fitting the question",
    "lm_related": "answer record fitting the question (with related skills)",
    "lm_any": "answer record fitting one of the question's skills",
    "asker_tie": "has worked with you",
    "lm_rank": "best answer record fitting the question among candidates",
    "all_answers_rank": "among the most active answerers",
    "tag_answers_rank": "among those with the most answers on the question's skills",
    "recent_answers_rank": "among the most active answerers lately",
    "tag_days_rank": "among the latest to answer on the question's skills",
    "all_days_rank": "among the latest active",
    "pace": "wrote many of the forum's latest answers",
    "pace_rank": "among those who wrote most of the forum's latest answers",
    "title_bm25": "answered questions worded like this one",
    "title_lm": "answered questions worded like this one (language model)",
    "title_vote": "answered the past questions most like this one",
    "title_vote_rank": "among those who answered the past questions most like this one",
}
# relative and model-based features are explained by the evidence they rest on
_SAME_AS = {"lm": "tag_answers", "lm_related": "tag_answers", "lm_any": "tag_answers", "lm_rank": "tag_answers",
            "tag_answers_rank": "tag_answers", "all_answers_rank": "all_answers",
            "recent_answers_rank": "recent_answers", "tag_days_rank": "tag_days", "all_days_rank": "all_days",
            "pace_rank": "pace", "title_lm": "title_bm25", "title_vote": "title_bm25",
            "title_vote_rank": "title_bm25"}

# evidence another's words already give: "answering many questions (9 answered, the latest 3 days ago)" says when
# they last answered and how many, so "then last answered 3 days ago" would only repeat it
_SAID_BY = {"pace": frozenset({"all_days", "all_answers"})}


def _names(skills: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(skills[:limit])
    return shown + (f" and {len(skills) - limit} more" if len(skills) > limit else "")


def by_skill(counts: dict[str, int], noun: str, signed: bool = False, limit: int = 3, on: str = "on") -> str:
    """Counts per skill, most first, never summed: one answer on a question tagged with two of the skills is on
    both, so a sum would count it twice.

    >>> by_skill({"a": 2, "b": 9}, "answer"), by_skill({"a": 1}, "accepted answer")
    ('9 answers on b, 2 on a', '1 accepted answer on a')
    >>> by_skill({"a": 4, "b": -2, "c": 0, "d": 1, "e": 1}, "vote", signed=True, on="on answers on")
    '+4 votes on answers on a, -2 on b, +1 on d and 1 more'
    """
    ranked = sorted((s for s, n in counts.items() if n), key=lambda s: (-abs(counts[s]), s))
    if not ranked:
        return f"no {noun}s"

    def count(s: str) -> str:
        return f"{counts[s]:+d}" if signed else str(counts[s])

    top, *rest = ranked[:limit]
    parts = [f"{count(top)} {noun}{'' if abs(counts[top]) == 1 else 's'} {on} {top}",
             *(f"{count(s)} on {s}" for s in rest)]
    return ", ".join(parts) + (f" and {len(ranked) - limit} more" if len(ranked) > limit else "")


def _record(e: SkillEvidence) -> str:
    """``13 answers, 4 accepted`` (empty without answers)."""
    return (_n(e.answers, "answer") + (f", {e.accepted} accepted" if e.accepted else "")) if e.answers else ""


def evidence_text(feature: str, mine: dict[str, SkillEvidence], related: dict[str, SkillEvidence],
                  all_skills: int, ctx_line: tuple[int, float | None] | None, now: float,
                  record: AnswerRecord | None = None, title_match: tuple[list[str], int] | None = None,
                  when: str = "lately", as_of: float | None = None) -> str:
    """The evidence behind one feature, in words (what the person did, not the feature's name). Counts on the
    question's skills are given per skill (see :func:`by_skill`); the head of the explanation already lists the
    answers, so answer-based evidence names the skills without repeating the counts. ``when``: see :func:`lately`;
    ``as_of``: the analysis' time, for :func:`_when`."""
    feature = _SAME_AS.get(feature, feature)
    if feature == "title_bm25" and title_match is not None and title_match[1]:
        words, n = title_match[0][:3], title_match[1]
        said = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
        return f"answered {_n(n, 'question')} whose {'title mentions' if n == 1 else 'titles mention'} {said}"
    if feature == "pace" and record is not None:
        return (f"answering many questions ({_n(record.answered, 'question')} answered, the latest "
                f"{_when(now, record.last_at, as_of)})")
    on = [s for s, e in mine.items() if e.answers] or list(mine)
    answered = any(e.answers for e in mine.values())
    if feature in ("tag_answers", "tag_score", "tag_cover", "tag_share") and answered:
        return f"their answers on {_names(on)}"
    if feature == "tag_accepted" and any(e.accepted for e in mine.values()):
        return by_skill({s: e.accepted for s, e in mine.items()}, "accepted answer")
    if feature == "tag_votes" and any(e.votes for e in mine.values() if e.answers):
        return by_skill({s: e.votes for s, e in mine.items() if e.answers}, "vote", signed=True, on="on answers on")
    if feature == "tag_er":
        ranked = sorted((e.er_pos, s) for s, e in mine.items() if e.er_pos)
        if ranked:
            return f"#{ranked[0][0]} by ExpertiseRank on {ranked[0][1]}"
    if feature == "tag_declared":
        declared = [(e.declared or 0, s) for s, e in mine.items() if e.declared is not None]
        if declared:
            level, skill = max(declared)
            return f"declares {skill}" + (f" (level {level})" if level else "")
    if feature == "tag_endorsements" and any(e.endorsements for e in mine.values()):
        return "endorsed " + by_skill({s: e.endorsements for s, e in mine.items()}, "time", on="for")
    if feature == "tag_days" and answered:
        last = max((e.last_answer for e in mine.values() if e.last_answer is not None), default=None)
        return f"answered on {_names(on)} {_when(now, last, as_of)}"
    if feature == "tag_questions" and any(e.questions for e in mine.values()):
        return "asked " + by_skill({s: e.questions for s, e in mine.items()}, "question")
    if feature in ("rel_answers", "rel_accepted") and related:
        return by_skill({s: e.answers for s, e in related.items()}, "answer", on="on related skill")
    if feature == "recent_answers" and ctx_line is not None:
        return _active(ctx_line[0], when)
    if feature == "response_hours" and ctx_line is not None and ctx_line[1] is not None:
        return f"usually answers within {ctx_line[1]:.0f} h" if ctx_line[1] >= 1 else "usually answers within the hour"
    if feature == "asker_tie":  # the asker is whoever asks the API: the reader of the explanation
        return "has worked with you before"
    if feature == "all_accepted" and record is not None and record.accepted:
        return f"{_n(record.accepted, 'accepted answer')} in all"
    if feature == "all_days" and record is not None and record.last_at is not None:
        return f"last answered {_when(now, record.last_at, as_of)}"
    if feature in ("all_answers", "all_accepted") and record is not None and record.answered:
        return f"{_n(record.answered, 'question')} answered in all, on {_n(all_skills, 'skill')}"
    if feature in ("all_answers", "all_accepted", "all_days") and all_skills:
        return f"answers on {_n(all_skills, 'skill')}"
    if answered:
        return f"their answers on {_names(on)}"
    if related:
        return by_skill({s: e.answers for s, e in related.items()}, "answer", on="on related skill")
    if ctx_line is not None:
        return _active(ctx_line[0], when)
    if all_skills:
        return f"answers on {_n(all_skills, 'skill')}"
    return "some evidence on the question's skills"


def coverage(question: Sequence[str], covered: Sequence[str], evidence: dict[str, SkillEvidence] | None = None) -> str:
    """Which of the question's skills a person covers, in words, with each skill's answers when ``evidence`` is given
    (per skill, never summed: see :func:`by_skill`).

    >>> coverage(["python"], ["python"]), coverage(["k8s", "python"], ["k8s", "python"])
    ('covers python', 'covers both skills: k8s, python')
    >>> coverage(["a", "b", "c"], ["a", "b", "c"]), coverage(["a", "b", "c"], ["b"]), coverage(["a"], [])
    ('covers all 3 skills: a, b, c', 'covers 1 of 3 skills: b', "covers none of the question's skills")
    >>> coverage(["k8s", "go"], ["k8s", "go"], {"k8s": SkillEvidence(answers=8, accepted=3), "go": SkillEvidence()})
    'covers both skills: k8s (8 answers, 3 accepted), go'
    """
    if not covered:
        return "covers none of the question's skills"
    ev = evidence or {}
    shown = [s + (f" ({_record(ev[s])})" if s in ev and ev[s].answers else "") for s in covered]
    names = _names(shown)
    if len(question) <= 1:
        return f"covers {names}"
    if len(covered) == len(question):
        return f"covers {'both skills' if len(question) == 2 else f'all {len(question)} skills'}: {names}"
    return f"covers {len(covered)} of {len(question)} skills: {names}"


def explain(skills: Sequence[str], c: Candidates, i: int, strongest: str, ctx: RoutingContext, *, now: float,
            runners_up: Sequence[str] = (), title: str | None = None) -> str:
    """``covers 2 of 3 skills: a (7 answers, 3 accepted), b (2 answers); strongest evidence: has worked with you
    before, then their answers on a, b``.

    ``runners_up``: the other features that raised the score, strongest first; the first whose evidence reads
    differently from the strongest's follows it ("then ..."). Each skill's counts stand alone: an answer on a
    question tagged with both a and b is one of a's 7 and one of b's 2, so the explanation never adds them up.
    """
    mine = c.covered[i]
    q = list(dict.fromkeys(skills))
    covered = [s for s in q if s in mine]
    act = ctx.active.get(c.ids[i])
    line = (act.recent_answers, act.response_hours) if act is not None else None
    head = coverage(q, covered, mine)
    record = ctx.answerers.get(c.ids[i])
    # the words shared with the title, only when a title feature is among those the explanation may name (it
    # reads the person's answered questions: not for every hit)
    named = {_SAME_AS.get(f, f) for f in (strongest, *runners_up)}
    match = ctx.titles.overlap(title, c.ids[i]) if ctx.titles is not None and "title_bm25" in named else None
    when = lately(now, ctx.as_of, ctx.recent_since)

    def said(feature: str) -> str:
        return evidence_text(feature, mine, c.related_used[i], c.answered_skills[i], line, now, record, match,
                             when=when, as_of=ctx.as_of)

    why = said(strongest)
    repeated = _SAID_BY.get(_SAME_AS.get(strongest, strongest), frozenset())
    then = next((t for f, t in ((f, said(f)) for f in runners_up)
                 if t != why and _SAME_AS.get(f, f) not in repeated), None)
    return f"{head}; strongest evidence: {why}" + (f", then {then}" if then else "")


__all__ = ["LABELS", "by_skill", "coverage", "evidence_text", "explain", "lately"]
