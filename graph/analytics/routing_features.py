"""Features of one (question, candidate) pair for routing a question to the people likely to answer it.

A question is a set of skills (its tags, and title words that name skills). Every feature is computed from what an
analytics run stores: each person's expertise rows (score and evidence per skill), the skills related to each
skill by tag co-occurrence, and the recently most active answerers with their typical response time. Training
replays history with the same function on snapshots taken before each question, so the model learns on exactly
what it will see when it serves (no leakage: nothing after the snapshot is visible).

Signals (Balog et al. 2012 survey the families): topical evidence on the question's skills (answers, accepted
answers, votes, ExpertiseRank position, declared level, endorsements, questions asked), the same evidence on
related skills, the question's title words against the titles each person answered (routing_text.py), overall
activity, recency, availability (recent answers anywhere, median response time), and a tie to the asker (social
routing, Horowitz & Kamvar 2010), weighed down for an asker who has worked with everyone (Adamic & Adar 2003).

References
----------
.. [1] Balog, K., Fang, Y., de Rijke, M., Serdyukov, P. & Si, L. (2012). Expertise retrieval. Foundations and
   Trends in Information Retrieval 6(2-3), 127-256.
.. [2] Zhou, G., Lai, S., Liu, K. & Zhao, J. (2012). Topic-sensitive probabilistic model for expert finding in
   question answer communities. Proc. CIKM 2012, 1662-1666.
.. [3] Horowitz, D. & Kamvar, S. D. (2010). The anatomy of a large-scale social search engine. Proc. WWW 2010,
   431-440.
.. [4] Adamic, L. A. & Adar, E. (2003). Friends and neighbors on the Web. Social Networks 25(3), 211-230.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from graph.analytics.routing_text import TEXT_FEATURES, TitleIndex
from schema.labels import EvidenceKind
from schema.models import Evidence

FEATURES: tuple[str, ...] = (
    "tag_score",  # best stored expertise score on the question's skills
    "tag_answers",  # log1p answers on the question's skills
    "tag_accepted",  # log1p accepted answers on them
    "tag_votes",  # signed log1p net votes on those answers
    "tag_er",  # 1 / best ExpertiseRank position on them
    "tag_declared",  # best declared level on them (0 when none)
    "tag_endorsements",  # log1p endorsements on them
    "tag_cover",  # share of the question's skills with answers
    "tag_days",  # log1p days since the latest answer on them (NaN: never)
    "tag_questions",  # log1p questions asked on them
    "rel_answers",  # log1p co-occurrence-weighted answers on related skills
    "rel_accepted",  # the same for accepted answers
    "all_answers",  # log1p answers on any skill (per skill, so multi-tag answers count per tag)
    "all_accepted",
    "all_days",  # log1p days since the latest activity anywhere (NaN: never)
    "tag_share",  # answers on the question's skills / answers anywhere
    "recent_answers",  # log1p answers anywhere in the recent window (availability)
    "response_hours",  # log1p median hours from question to this person's answer (NaN: unknown)
    "lm",  # log p(person) p(question | person): Dirichlet-smoothed answer model over the question's skills
    "lm_related",  # the same with answers on related skills counted (co-occurrence weighted) on each skill
    "lm_any",  # log p(person) mean_t p(t | person): the question as any one of its skills (kinder to many tags)
    "asker_tie",  # tie_weight(the asker's contacts) when the person has interacted with the asker before, else 0
    "pace",  # log1p answers anywhere, each weighted 2^(-k/100), k the answers the forum received after it
    "title_bm25",  # BM25 of the question's title against the titles of the questions the person answered
    "title_lm",  # log p(title | those titles) / p(title | forum), Dirichlet smoothed (Balog et al. 2006, model 1)
    "title_vote",  # log1p votes of the past questions most like the title for their answerers (model 2)
    # the same signals relative to the question's other candidates (1 / rank among them; ties share a rank), so
    # that a model trained while the forum was smaller still applies when counts have grown
    "lm_rank",
    "all_answers_rank",
    "tag_answers_rank",
    "recent_answers_rank",
    "tag_days_rank",  # most recent answer on the question's skills, ranked among candidates (never: last)
    "all_days_rank",  # most recent activity anywhere, ranked among candidates
    "pace_rank",  # pace, ranked among candidates
    "title_vote_rank",  # title_vote, ranked among candidates
)
RELATIVE: tuple[tuple[str, str], ...] = (
    ("lm_rank", "lm_any"), ("all_answers_rank", "all_answers"), ("tag_answers_rank", "tag_answers"),
    ("recent_answers_rank", "recent_answers"), ("pace_rank", "pace"), ("title_vote_rank", "title_vote"),
)
# recency ranks: fewer days since is better, never (NaN) ranks last; a question asked long after the analysis
# leaves every candidate's days large, while who answered on the skills most lately still stands out
RECENCY: tuple[tuple[str, str], ...] = (("tag_days_rank", "tag_days"), ("all_days_rank", "all_days"))
F = {name: i for i, name in enumerate(FEATURES)}
NO_DAYS = float("nan")
# the features candidate_features computes per candidate, in the order of FEATURES (the relative ones follow)
_DIRECT: tuple[str, ...] = FEATURES[: len(FEATURES) - len(RELATIVE) - len(RECENCY)]
_TEXT = [F[name] for name in TEXT_FEATURES]
_NO_TEXT = (0.0,) * len(TEXT_FEATURES)
assert set(_DIRECT).isdisjoint(name for name, _ in (*RELATIVE, *RECENCY))


@dataclass(frozen=True)
class SkillEvidence:
    """One person's stored evidence on one skill (parsed from an expertise row's evidence list)."""

    score: float = 0.0
    answers: int = 0
    accepted: int = 0
    votes: int = 0
    questions: int = 0
    endorsements: int = 0
    declared: int | None = None  # declared level (0 when declared without one); None: not declared
    er_pos: int | None = None
    last_answer: float | None = None  # POSIX seconds
    last_seen: float | None = None


def skill_evidence(score: float, evidence: Iterable[Evidence]) -> SkillEvidence:
    """The evidence list of an ``ExpertIn`` row or an ``ExpertHit``, as numbers."""
    counts: dict[EvidenceKind, int] = {}
    last_answer = None
    last_seen = None
    for e in evidence:
        counts[e.kind] = e.count
        if e.last_at is not None:
            ts = e.last_at.timestamp()
            last_seen = ts if last_seen is None else max(last_seen, ts)
            if e.kind == EvidenceKind.ANSWERS:
                last_answer = ts
    return SkillEvidence(
        score=float(score),
        answers=counts.get(EvidenceKind.ANSWERS, 0),
        accepted=counts.get(EvidenceKind.ACCEPTED_ANSWERS, 0),
        votes=counts.get(EvidenceKind.VOTES, 0),
        questions=counts.get(EvidenceKind.QUESTIONS, 0),
        endorsements=counts.get(EvidenceKind.ENDORSEMENTS, 0),
        declared=counts.get(EvidenceKind.DECLARED),
        er_pos=counts.get(EvidenceKind.EXPERTISE_RANK),
        last_answer=last_answer,
        last_seen=last_seen,
    )


class ExpertiseSource(Protocol):
    """Where candidates and their evidence come from: the store when serving, a snapshot when training.

    Both only ever return people who may be shown (not opted out, active, not a bot, within the filters).
    """

    def top(self, skill: str, n: int) -> list[str]:
        """The ``n`` people with the best stored score on ``skill``."""
        ...

    def profiles(self, person_ids: Sequence[str]) -> dict[str, dict[str, SkillEvidence]]:
        """Every skill's evidence of each visible person (people who may not be shown are left out)."""
        ...

    def neighbours(self, person_id: str) -> frozenset[str]:
        """The people ``person_id`` has interacted with (either way)."""
        ...


@dataclass(frozen=True)
class Activity:
    """A recently active answerer: answers in the recent window and median response time in hours."""

    recent_answers: int
    response_hours: float | None


@dataclass(frozen=True)
class AnswerRecord:
    """One answerer's whole record: questions answered (by someone else), accepted among them, latest answer."""

    answered: int
    accepted: int
    last_at: float | None  # POSIX seconds
    pace: float = 0.0  # answers weighted by how many answers the forum received after each (half-life 100)


@dataclass
class RoutingContext:
    """What an analytics run stores besides the expertise rows: related skills, recent answerers and the most
    active answerers' whole records."""

    related: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    active: dict[str, Activity] = field(default_factory=dict)
    skill_answers: dict[str, int] = field(default_factory=dict)  # answers (per tag) on each skill
    mu: float = 1.0  # Dirichlet prior mass: mean answers (per tag) of the people who answered
    answerers: dict[str, AnswerRecord] = field(default_factory=dict)
    as_of: float | None = None  # POSIX seconds of the analysis this context (and its expertise rows) stands at
    titles: TitleIndex | None = None  # the answered questions' titles (None: the export has none)
    recent_since: float | None = None  # POSIX seconds where the window of ``active`` starts (None: not recorded)

    def clock(self, now: float) -> float:
        """The time features are measured at for a question asked at ``now``: the analysis's own time, not later.

        Training measures every past question's features at the snapshot it is read from, so serving measures them
        at the analysis the stored rows come from: a question asked long after the last analysis (a forum gone
        quiet, an analysis not rerun) is then ranked on evidence of the age the model learned on, not on ages that
        have all grown past anything seen in training. Without an analysis time (an older stored router): ``now``.

        >>> RoutingContext(as_of=100.0).clock(250.0), RoutingContext().clock(250.0)
        (100.0, 250.0)
        """
        return now if self.as_of is None else min(now, self.as_of)

    @property
    def total_answers(self) -> int:
        return sum(self.skill_answers.values())

    def p_skill(self, skill: str) -> float:
        """Background probability that an answer is on ``skill`` (add-one smoothed, so new skills are not 0)."""
        return (self.skill_answers.get(skill, 0) + 1.0) / (self.total_answers + len(self.skill_answers) + 1.0)


@dataclass
class Candidates:
    """Feature rows for the candidates of one question, with what their explanations need."""

    ids: list[str]
    X: np.ndarray  # (len(ids), len(FEATURES)) float64
    covered: list[dict[str, SkillEvidence]]  # per candidate: the question's skills it has evidence on
    related_used: list[dict[str, SkillEvidence]]  # per candidate: related skills it has answers on
    answered_skills: list[int]  # per candidate: how many skills it has answers on


def _log_days(now: float, then: float | None) -> float:
    if then is None:
        return NO_DAYS
    return math.log1p(max(now - then, 0.0) / 86400.0)


def _signed_log(x: float) -> float:
    return math.copysign(math.log1p(abs(x)), x)


def _totals(source: object, pid: str, prof: dict[str, SkillEvidence]) -> tuple[int, int, float | None, int]:
    """A person's answers, accepted answers, latest activity and answered skills over all skills (memoised on
    sources that offer a ``totals_cache``: a training snapshot asks for the same people question after question)."""
    cache: dict[str, tuple[int, int, float | None, int]] | None = getattr(source, "totals_cache", None)
    if cache is not None and pid in cache:
        return cache[pid]
    out = (
        sum(e.answers for e in prof.values()),
        sum(e.accepted for e in prof.values()),
        max((e.last_seen for e in prof.values() if e.last_seen is not None), default=None),
        sum(1 for e in prof.values() if e.answers > 0),
    )
    if cache is not None:
        cache[pid] = out
    return out


def _inverse_rank(v: np.ndarray) -> np.ndarray:
    """1 / (1 + how many values are strictly greater): 1 for the best, shared by ties.

    >>> _inverse_rank(np.array([3.0, 1.0, 3.0, 2.0])).tolist()
    [1.0, 0.25, 1.0, 0.3333333333333333]
    """
    if len(v) == 0:
        return v
    s = np.sort(v)
    greater = len(v) - np.searchsorted(s, v, side="right")
    return 1.0 / (1.0 + greater)


def related_for(skills: Sequence[str], ctx: RoutingContext, per_skill: int = 5) -> dict[str, float]:
    """Skills related to the question's skills (strongest weight when several point to one), minus its own."""
    own = set(skills)
    out: dict[str, float] = {}
    for s in skills:
        for other, w in ctx.related.get(s, [])[:per_skill]:
            if other not in own and w > out.get(other, 0.0):
                out[other] = w
    return out


def tie_weight(contacts: int) -> float:
    """What a tie to an asker with ``contacts`` contacts says: ``1 / log2(2 + contacts)``.

    A tie to someone who has worked with three people singles a candidate out; a tie to someone who has worked
    with three hundred is shared by most candidates, and as a flat 1 it lifted them all alike above people with
    evidence on the question. Adamic & Adar (2003) weigh a shared contact by the inverse log of its degree for
    the same reason.

    >>> round(tie_weight(0), 3), round(tie_weight(6), 3), round(tie_weight(254), 3)
    (1.0, 0.333, 0.125)
    """
    return 1.0 / math.log2(2.0 + contacts)


def candidate_features(
    skills: Sequence[str],
    source: ExpertiseSource,
    ctx: RoutingContext,
    *,
    now: float,
    exclude: Iterable[str] = (),
    asker: str | None = None,
    per_skill: int = 100,
    per_related: int = 30,
    per_asker: int = 100,
    title: str | None = None,
) -> Candidates:
    """Candidates for a question on ``skills`` and their feature rows at time ``now`` (POSIX seconds).

    Candidates: the best ``per_skill`` people on each of the question's skills, the best ``per_related`` on each
    related skill (so a rare skill still finds people), the recently most active answerers, and up to
    ``per_asker`` people the asker has interacted with; minus ``exclude`` (the asker). A person the source does
    not show is never a candidate. ``title``: the question's title, when it has one (the title features are 0
    without).
    """
    qskills = list(dict.fromkeys(skills))
    related = related_for(qskills, ctx)
    pool: dict[str, None] = {}
    for s in qskills:
        pool.update(dict.fromkeys(source.top(s, per_skill)))
    for r in related:
        pool.update(dict.fromkeys(source.top(r, per_related)))
    pool.update(dict.fromkeys(ctx.active))
    ties = source.neighbours(asker) if asker else frozenset()
    tie = tie_weight(len(ties))
    pool.update(dict.fromkeys(sorted(ties)[:per_asker]))
    for x in exclude:
        pool.pop(x, None)
    profiles = source.profiles(list(pool))
    ids = [p for p in pool if p in profiles]
    covered: list[dict[str, SkillEvidence]] = []
    related_used: list[dict[str, SkillEvidence]] = []
    answered_skills: list[int] = []
    n_q = max(len(qskills), 1)
    mu = max(ctx.mu, 1e-6)
    background = {s: ctx.p_skill(s) for s in qskills}
    rel_of = {s: [(r, w) for r, w in ctx.related.get(s, [])[:5] if r not in qskills] for s in qskills}
    pad = [0.0] * (len(FEATURES) - len(_DIRECT))  # the relative features, filled per column below
    rows: list[list[float]] = []
    for pid in ids:
        prof = profiles[pid]
        mine = {s: prof[s] for s in qskills if s in prof}
        rel = {r: prof[r] for r in related if r in prof and prof[r].answers > 0}
        covered.append(mine)
        related_used.append(rel)
        all_ans, all_acc, last_any, n_answered = _totals(source, pid, prof)
        answered_skills.append(n_answered)
        act = ctx.active.get(pid)
        if mine:  # most candidates (recent answerers, the asker's ties) have no evidence on the question's skills
            ans = sum(e.answers for e in mine.values())
            last_tag = max((e.last_answer for e in mine.values() if e.last_answer is not None), default=None)
            ers = [e.er_pos for e in mine.values() if e.er_pos]
            tag = [
                max(e.score for e in mine.values()),
                math.log1p(ans),
                math.log1p(sum(e.accepted for e in mine.values())),
                _signed_log(sum(e.votes for e in mine.values())),
                1.0 / min(ers) if ers else 0.0,
                max(e.declared or 0 for e in mine.values()),
                math.log1p(sum(e.endorsements for e in mine.values())),
                sum(1 for e in mine.values() if e.answers > 0) / n_q,
                _log_days(now, last_tag),
                math.log1p(sum(e.questions for e in mine.values())),
            ]
        else:
            ans = 0
            tag = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, NO_DAYS, 0.0]
        lm = lm_rel = math.log1p(all_ans)
        p_any = 0.0
        for s in qskills:
            n_pt = mine[s].answers if s in mine else 0
            n_rel = sum(w * prof[r].answers for r, w in rel_of[s] if r in prof)
            lm += math.log((n_pt + mu * background[s]) / (all_ans + mu))
            lm_rel += math.log((n_pt + n_rel + mu * background[s]) / (all_ans + mu))
            p_any += (n_pt + n_rel + mu * background[s]) / (all_ans + mu) / n_q
        rec = ctx.answerers.get(pid)
        rows.append([
            *tag,
            math.log1p(sum(related[r] * e.answers for r, e in rel.items())),
            math.log1p(sum(related[r] * e.accepted for r, e in rel.items())),
            math.log1p(all_ans),
            math.log1p(all_acc),
            _log_days(now, last_any),
            ans / all_ans if all_ans else 0.0,
            math.log1p(act.recent_answers) if act else 0.0,
            math.log1p(act.response_hours) if act is not None and act.response_hours is not None else NO_DAYS,
            lm,
            lm_rel,
            math.log1p(all_ans) + math.log(p_any) if qskills else math.log1p(all_ans),
            tie if pid in ties else 0.0,
            math.log1p(rec.pace) if rec is not None else 0.0,
            *_NO_TEXT,
            *pad,
        ])
    X = np.array(rows, dtype=np.float64) if rows else np.zeros((0, len(FEATURES)), dtype=np.float64)
    if ctx.titles is not None and title:
        X[:, _TEXT] = ctx.titles.features(title, ids)
    for rel_name, base in RELATIVE:
        X[:, F[rel_name]] = _inverse_rank(X[:, F[base]])
    for rel_name, base in RECENCY:
        X[:, F[rel_name]] = _inverse_rank(-np.nan_to_num(X[:, F[base]], nan=np.inf))
    return Candidates(ids=ids, X=X, covered=covered, related_used=related_used, answered_skills=answered_skills)


class MemorySource:
    """An :class:`ExpertiseSource` over expertise rows held in memory (training snapshots, tests)."""

    def __init__(self, rows: Iterable[tuple[str, str, SkillEvidence]], visible: Container[str] | None = None,
                 ties: Mapping[str, frozenset[str]] | None = None):
        """``visible``: the people who may be shown (all people with rows when None); ``ties``: interactions."""
        self._visible = visible
        self._ties = ties or {}
        self.totals_cache: dict[str, tuple[int, int, float | None, int]] = {}
        self._by_person: dict[str, dict[str, SkillEvidence]] = {}
        by_skill: dict[str, list[tuple[float, str]]] = {}
        for person, skill, ev in rows:
            if visible is not None and person not in visible:
                continue
            self._by_person.setdefault(person, {})[skill] = ev
            by_skill.setdefault(skill, []).append((ev.score, person))
        self._by_skill = {s: [p for _, p in sorted(v, key=lambda t: (-t[0], t[1]))] for s, v in by_skill.items()}

    def top(self, skill: str, n: int) -> list[str]:
        return self._by_skill.get(skill, [])[:n]

    def neighbours(self, person_id: str) -> frozenset[str]:
        return self._ties.get(person_id, frozenset())

    def profiles(self, person_ids: Sequence[str]) -> dict[str, dict[str, SkillEvidence]]:
        out: dict[str, dict[str, SkillEvidence]] = {}
        for p in person_ids:
            if p in self._by_person:
                out[p] = self._by_person[p]
            elif self._visible is not None and p in self._visible:
                out[p] = {}  # may be shown, with no expertise rows (answers on untagged questions only)
        return out


__all__ = [
    "FEATURES",
    "Activity",
    "AnswerRecord",
    "Candidates",
    "ExpertiseSource",
    "MemorySource",
    "RoutingContext",
    "SkillEvidence",
    "candidate_features",
    "related_for",
    "skill_evidence",
    "tie_weight",
]
