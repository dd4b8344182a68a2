"""One line per routed person: which of the question's skills they cover, and their strongest evidence in words."""

from __future__ import annotations

from collections.abc import Sequence

from graph.analytics.routing_features import AnswerRecord, Candidates, RoutingContext, SkillEvidence


def _days(now: float, then: float | None) -> str:
    """How long ago, in the unit a reader would use (an old forum's last answer read "4290 days ago").

    >>> day = 86400.0
    >>> [_days(400 * day, 400 * day - d * day) for d in (0.5, 3, 59, 61, 400)], _days(5000 * day, 0.0)
    (['today', '3 days ago', '59 days ago', '2 months ago', '13 months ago'], '14 years ago')
    """
    if then is None:
        return "never"
    d = max(now - then, 0.0) / 86400.0
    if d < 1:
        return "today"
    if d < 60:
        return f"{d:.0f} days ago"
    return f"{d / 30.44:.0f} months ago" if d < 730 else f"{d / 365.25:.0f} years ago"


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
    "asker_tie": "has worked with the asker",
    "lm_rank": "best answer record fitting the question among candidates",
    "all_answers_rank": "among the most active answerers",
    "tag_answers_rank": "among those with the most answers on the question's skills",
    "recent_answers_rank": "among the most active answerers lately",
    "tag_days_rank": "among the latest to answer on the question's skills",
    "all_days_rank": "among the latest active",
    "pace": "answering a lot lately",
    "pace_rank": "among the busiest answerers lately",
}
# relative and model-based features are explained by the evidence they rest on
_SAME_AS = {"lm": "tag_answers", "lm_related": "tag_answers", "lm_any": "tag_answers", "lm_rank": "tag_answers",
            "tag_answers_rank": "tag_answers", "all_answers_rank": "all_answers",
            "recent_answers_rank": "recent_answers", "tag_days_rank": "tag_days", "all_days_rank": "all_days",
            "pace_rank": "pace"}


def _names(skills: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(skills[:limit])
    return shown + (f" and {len(skills) - limit} more" if len(skills) > limit else "")


def evidence_text(feature: str, mine: dict[str, SkillEvidence], related: dict[str, SkillEvidence],
                  all_skills: int, ctx_line: tuple[int, float | None] | None, now: float,
                  record: AnswerRecord | None = None) -> str:
    """The evidence behind one feature, in words (what the person did, not the feature's name)."""
    feature = _SAME_AS.get(feature, feature)
    if feature == "pace" and record is not None:
        return (f"answering many questions ({_n(record.answered, 'question')} answered, the latest "
                f"{_days(now, record.last_at)})")
    on = [s for s, e in mine.items() if e.answers] or list(mine)
    ans = sum(e.answers for e in mine.values())
    acc = sum(e.accepted for e in mine.values())
    if feature in ("tag_answers", "tag_score", "tag_cover", "tag_share") and ans:
        return f"{_n(ans, 'answer')} on {_names(on)}" + (f" ({acc} accepted)" if acc else "")
    if feature == "tag_accepted" and acc:
        return f"{_n(acc, 'accepted answer')} on {_names([s for s, e in mine.items() if e.accepted])}"
    if feature == "tag_votes" and mine:
        return f"{sum(e.votes for e in mine.values()):+d} votes on answers on {_names(on)}"
    if feature == "tag_er":
        ranked = sorted((e.er_pos, s) for s, e in mine.items() if e.er_pos)
        if ranked:
            return f"#{ranked[0][0]} by ExpertiseRank on {ranked[0][1]}"
    if feature == "tag_declared":
        declared = [(e.declared or 0, s) for s, e in mine.items() if e.declared is not None]
        if declared:
            level, skill = max(declared)
            return f"declares {skill}" + (f" (level {level})" if level else "")
    if feature == "tag_endorsements":
        n = sum(e.endorsements for e in mine.values())
        if n:
            return f"endorsed for {_names([s for s, e in mine.items() if e.endorsements])} {_n(n, 'time')}"
    if feature == "tag_days" and ans:
        last = max((e.last_answer for e in mine.values() if e.last_answer is not None), default=None)
        return f"answered on {_names(on)} {_days(now, last)}"
    if feature == "tag_questions" and mine:
        return f"asked {_n(sum(e.questions for e in mine.values()), 'question')} on {_names(list(mine))}"
    if feature in ("rel_answers", "rel_accepted") and related:
        top = sorted(related, key=lambda s: (-related[s].answers, s))
        return f"{_n(sum(e.answers for e in related.values()), 'answer')} on related skills {_names(top)}"
    if feature == "recent_answers" and ctx_line is not None:
        return f"one of the most active answerers lately ({_n(ctx_line[0], 'recent answer')})"
    if feature == "response_hours" and ctx_line is not None and ctx_line[1] is not None:
        return f"usually answers within {ctx_line[1]:.0f} h" if ctx_line[1] >= 1 else "usually answers within the hour"
    if feature == "asker_tie":
        return "has worked with the asker before"
    if feature in ("all_answers", "all_accepted", "all_days") and all_skills:
        return f"answers on {_n(all_skills, 'skill')}"
    if ans:
        return f"{_n(ans, 'answer')} on {_names(on)}"
    if related:
        top = sorted(related, key=lambda s: (-related[s].answers, s))
        return f"{_n(sum(e.answers for e in related.values()), 'answer')} on related skills {_names(top)}"
    if ctx_line is not None:
        return f"one of the most active answerers lately ({_n(ctx_line[0], 'recent answer')})"
    if all_skills:
        return f"answers on {_n(all_skills, 'skill')}"
    return "some evidence on the question's skills"


def coverage(question: Sequence[str], covered: Sequence[str]) -> str:
    """Which of the question's skills a person covers, in words.

    >>> coverage(["python"], ["python"]), coverage(["k8s", "python"], ["k8s", "python"])
    ('covers python', 'covers both skills: k8s, python')
    >>> coverage(["a", "b", "c"], ["a", "b", "c"]), coverage(["a", "b", "c"], ["b"]), coverage(["a"], [])
    ('covers all 3 skills: a, b, c', 'covers 1 of 3 skills: b', "covers none of the question's skills")
    """
    if not covered:
        return "covers none of the question's skills"
    if len(question) <= 1:
        return f"covers {_names(covered)}"
    if len(covered) == len(question):
        return f"covers {'both skills' if len(question) == 2 else f'all {len(question)} skills'}: {_names(covered)}"
    return f"covers {len(covered)} of {len(question)} skills: {_names(covered)}"


def explain(skills: Sequence[str], c: Candidates, i: int, strongest: str, ctx: RoutingContext, *, now: float) -> str:
    """``covers 2 of 3 skills: a, b (9 answers, 3 accepted); strongest evidence: 7 answers on a (3 accepted)``."""
    mine = c.covered[i]
    q = list(dict.fromkeys(skills))
    covered = [s for s in q if s in mine]
    act = ctx.active.get(c.ids[i])
    line = (act.recent_answers, act.response_hours) if act is not None else None
    all_skills = c.answered_skills[i]
    ans = sum(e.answers for e in mine.values())
    acc = sum(e.accepted for e in mine.values())
    record = f" ({_n(ans, 'answer')}" + (f", {acc} accepted)" if acc else ")") if ans else ""
    head = coverage(q, covered) + (record if covered else "")
    why = evidence_text(strongest, mine, c.related_used[i], all_skills, line, now, ctx.answerers.get(c.ids[i]))
    if covered and ans and why.startswith(f"{_n(ans, 'answer')} on "):  # the head's counts again, in other words
        why = answers_by_skill(mine)
    return f"{head}; strongest evidence: {why}"


def answers_by_skill(mine: dict[str, SkillEvidence]) -> str:
    """Answers per skill, most first: what a strongest-evidence line adds to a head that already sums them.

    >>> answers_by_skill({"a": SkillEvidence(answers=2), "b": SkillEvidence(answers=9, accepted=3)})
    '9 answers on b (3 accepted), 2 on a'
    >>> answers_by_skill({"a": SkillEvidence(answers=1)})
    'their answers on a'
    """
    on = sorted((s for s, e in mine.items() if e.answers), key=lambda s: (-mine[s].answers, s))
    if len(on) < 2:
        return f"their answers on {_names(on)}"
    def one(s: str, count: str) -> str:
        return f"{count} on {s}" + (f" ({mine[s].accepted} accepted)" if mine[s].accepted else "")

    first, *rest = on[:3]
    return ", ".join([one(first, _n(mine[first].answers, "answer")), *(one(s, str(mine[s].answers)) for s in rest)])


__all__ = ["LABELS", "answers_by_skill", "coverage", "evidence_text", "explain"]
