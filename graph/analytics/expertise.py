"""Expertise per (person, skill): the evidence, ExpertiseRank, and one combined score that can be explained.

Evidence on a skill, from posts tagged with it (answers inherit their question's tags):
declared skill and level, answers, accepted answers, net votes on those answers, questions asked, endorsements
received, the latest activity, and ExpertiseRank: PageRank on the skill's asker -> answerer graph, so that answering
people who themselves answer others counts for more (Zhang, Ackerman & Adamic 2007).

The combined score lives in two bands so that, as the issue requires, a self-declared skill with no other evidence
always ranks below a demonstrated one:
- demonstrated (answers or endorsements): ``0.5 + 0.45 * s / (s + K) + 0.05 * level / 5``, where ``s`` adds
  log-damped, recency-decayed answers, accepted answers, votes, endorsements and ExpertiseRank;
- declared only: ``0.45 * level / 5`` (an unspecified level counts as 3).

Recency: each answer, vote and endorsement is weighed ``2 ** (-age / half_life)``, so the same record counts
less as it ages and people active lately rise.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from graph.analytics.backend import ArrayGraph
from graph.analytics.influence import pagerank
from schema.labels import EvidenceKind
from schema.models import Evidence, ExpertIn


class PostLike(Protocol):
    id: str
    kind: str
    author_id: str | None
    created_at: datetime
    thread_id: str | None
    parent_id: str | None
    tags: tuple[str, ...]
    score: int
    accepted: bool


class ClaimLike(Protocol):
    person_id: str
    skill: str
    level: int | None


class EndorsementLike(Protocol):
    from_id: str
    to_id: str
    skill: str
    created_at: datetime | None


@dataclass(frozen=True)
class ExpertiseWeights:
    """Weights of the demonstrated-evidence sum ``s`` (each term is ``log1p`` of a decayed count)."""

    answers: float = 1.0
    accepted: float = 1.5
    votes: float = 0.5
    endorsements: float = 1.0
    expertise_rank: float = 1.0
    recency: float = 1.0  # times 2 ** (-days since the latest answer or endorsement / half-life)
    saturation: float = 3.0  # K: s = K gives the middle of the demonstrated band
    default_level: int = 3


@dataclass
class _Acc:
    answers: int = 0
    answers_w: float = 0.0
    accepted: int = 0
    accepted_w: float = 0.0
    votes: int = 0
    votes_w: float = 0.0
    questions: int = 0
    endorsers: int = 0
    endorse_w: float = 0.0
    level: int | None = None
    declared: bool = False
    last_answer: datetime | None = None
    last_accepted: datetime | None = None
    last_question: datetime | None = None
    last_endorsed: datetime | None = None


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def expertise_rank(edges: Iterable[tuple[str, str]], alpha: float = 0.85) -> dict[str, float]:
    """PageRank on an asker -> answerer graph (edges repeated for each answer, so weights count answers).

    References
    ----------
    .. [1] Zhang, J., Ackerman, M. S. & Adamic, L. (2007). Expertise networks in online communities: structure and
       algorithms. Proc. WWW 2007, 221-230.

    Examples
    --------
    >>> er = expertise_rank([("a", "b"), ("c", "b"), ("b", "d")])
    >>> max(er, key=er.get)
    'd'
    """
    pairs = list(edges)
    if not pairs:
        return {}
    names = sorted({p for e in pairs for p in e})
    idx = {p: i for i, p in enumerate(names)}
    src = np.fromiter((idx[a] for a, _ in pairs), dtype=np.int64, count=len(pairs))
    dst = np.fromiter((idx[b] for _, b in pairs), dtype=np.int64, count=len(pairs))
    g = ArrayGraph.from_edges(names, src, dst, None, directed=True)
    return {k: float(v) for k, v in pagerank(g, alpha=alpha).items()}  # type: ignore[misc]


def compute_expertise(
    posts: Iterable[PostLike],
    claims: Iterable[ClaimLike] = (),
    endorsements: Iterable[EndorsementLike] = (),
    *,
    as_of: datetime,
    half_life_days: float = 180.0,
    weights: ExpertiseWeights | None = None,
) -> list[ExpertIn]:
    """Score every (person, skill) with evidence: demonstrated above declared-only, evidence kept.

    Parameters
    ----------
    posts : iterable of post rows
        Questions carry the tags; answers (and replies in a question's thread) inherit them. Posts without an
        author count for nobody. Only posts created up to ``as_of`` are used.
    claims : iterable of (person_id, skill, level)
        Declared skills (level 1-5 or None).
    endorsements : iterable of (from_id, to_id, skill, created_at)
        Peer endorsements; each endorser counts once per (person, skill); self-endorsements are ignored.
    as_of : datetime
        The clock for recency.

    Returns
    -------
    list of ExpertIn
        Sorted by skill, then score descending, then person id.

    References
    ----------
    .. [1] Zhang, J., Ackerman, M. S. & Adamic, L. (2007). Expertise networks in online communities: structure and
       algorithms. Proc. WWW 2007, 221-230.
    .. [2] Balog, K., Azzopardi, L. & de Rijke, M. (2006). Formal models for expert finding in enterprise corpora.
       Proc. SIGIR 2006, 43-50.
    .. [3] Mockus, A. & Herbsleb, J. D. (2002). Expertise Browser: a quantitative approach to identifying
       expertise. Proc. ICSE 2002, 503-512.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> posts = [P(id="q", kind="question", author_id="ann", created_at=t, thread_id="q", parent_id=None,
    ...            tags=("python",), score=0, accepted=False),
    ...          P(id="a", kind="answer", author_id="bob", created_at=t, thread_id="q", parent_id="q",
    ...            tags=(), score=3, accepted=True)]
    >>> claims = [P(person_id="cy", skill="python", level=5)]
    >>> [(e.person_id, e.score > 0.5) for e in compute_expertise(posts, claims, as_of=t)]
    [('bob', True), ('cy', False)]
    """
    if half_life_days <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_days}")
    w = weights or ExpertiseWeights()
    as_of = _aware(as_of)
    lam = math.log(2.0) / (half_life_days * 86400.0)
    as_of_ts = as_of.timestamp()

    kept = [p for p in posts if _aware(p.created_at) <= as_of]
    by_id = {p.id: p for p in kept}
    acc: dict[tuple[str, str], _Acc] = defaultdict(_Acc)
    answer_edges: dict[str, list[tuple[str, str]]] = defaultdict(list)

    def root_of(p: PostLike) -> PostLike | None:
        if p.thread_id and p.thread_id != p.id:
            r = by_id.get(p.thread_id)
            if r is not None:
                return r
        return by_id.get(p.parent_id) if p.parent_id else None

    for p in kept:
        if p.author_id is None:
            continue
        created = _aware(p.created_at)
        if p.kind == "question":
            for tag in p.tags:
                a = acc[(p.author_id, tag)]
                a.questions += 1
                a.last_question = _later(a.last_question, created)
            continue
        root = root_of(p)
        if p.kind == "answer" or (p.kind == "reply" and root is not None and root.kind == "question"):
            tags = p.tags or (root.tags if root is not None else ())
            if not tags:
                continue
            dw = math.exp(-lam * max(as_of_ts - created.timestamp(), 0.0))
            asker = root.author_id if root is not None else None
            for tag in tags:
                a = acc[(p.author_id, tag)]
                a.answers += 1
                a.answers_w += dw
                a.votes += p.score
                a.votes_w += p.score * dw
                a.last_answer = _later(a.last_answer, created)
                if p.accepted:
                    a.accepted += 1
                    a.accepted_w += dw
                    a.last_accepted = _later(a.last_accepted, created)
                if asker is not None and asker != p.author_id:
                    answer_edges[tag].append((asker, p.author_id))

    for c in claims:
        a = acc[(c.person_id, c.skill)]
        a.declared = True
        a.level = c.level

    seen_endorsers: set[tuple[str, str, str]] = set()
    for e in endorsements:
        if e.from_id == e.to_id or (e.from_id, e.to_id, e.skill) in seen_endorsers:
            continue
        seen_endorsers.add((e.from_id, e.to_id, e.skill))
        a = acc[(e.to_id, e.skill)]
        a.endorsers += 1
        if e.created_at is not None:
            t = _aware(e.created_at)
            a.endorse_w += math.exp(-lam * max(as_of_ts - t.timestamp(), 0.0))
            a.last_endorsed = _later(a.last_endorsed, t)
        else:
            a.endorse_w += 1.0

    # ExpertiseRank per skill, scaled so 1 is the skill graph's average, and the answerers' rank positions
    er_scaled: dict[tuple[str, str], float] = {}
    er_position: dict[tuple[str, str], int] = {}
    for skill, edges in answer_edges.items():
        er = expertise_rank(edges)
        answerers = {b for _, b in edges}
        n = len(er)
        ranked = sorted(answerers, key=lambda p: (-er[p], p))
        for pos, person in enumerate(ranked, start=1):
            er_scaled[(person, skill)] = er[person] * n
            er_position[(person, skill)] = pos

    out: list[ExpertIn] = []
    for (person, skill), a in acc.items():
        demonstrated = a.answers > 0 or a.endorsers > 0
        if not demonstrated and not a.declared:
            continue  # asking questions alone is not expertise
        level = a.level if a.level is not None else w.default_level
        er_s = er_scaled.get((person, skill), 0.0)
        last_shown = _later(a.last_answer, a.last_endorsed) or as_of
        if demonstrated:
            s = (
                w.answers * math.log1p(a.answers_w)
                + w.accepted * math.log1p(a.accepted_w)
                + w.votes * math.log1p(max(a.votes_w, 0.0))
                + w.endorsements * math.log1p(a.endorse_w)
                + w.expertise_rank * math.log1p(er_s)
                + w.recency * math.exp(-lam * max(as_of_ts - last_shown.timestamp(), 0.0))
            )
            score = 0.5 + 0.45 * s / (s + w.saturation) + (0.05 * level / 5 if a.declared else 0.0)
        else:
            score = 0.45 * level / 5
        evidence: list[Evidence] = []
        if a.declared:
            evidence.append(Evidence.model_construct(kind=EvidenceKind.DECLARED, count=a.level or 0, last_at=None))
        if a.answers:
            evidence.append(Evidence.model_construct(kind=EvidenceKind.ANSWERS, count=a.answers, last_at=a.last_answer))
        if a.accepted:
            evidence.append(
                Evidence.model_construct(kind=EvidenceKind.ACCEPTED_ANSWERS, count=a.accepted, last_at=a.last_accepted)
            )
        if a.answers and a.votes:
            evidence.append(Evidence.model_construct(kind=EvidenceKind.VOTES, count=a.votes, last_at=a.last_answer))
        if a.questions:
            evidence.append(
                Evidence.model_construct(kind=EvidenceKind.QUESTIONS, count=a.questions, last_at=a.last_question)
            )
        if a.endorsers:
            evidence.append(
                Evidence.model_construct(kind=EvidenceKind.ENDORSEMENTS, count=a.endorsers, last_at=a.last_endorsed)
            )
        if (person, skill) in er_position:
            evidence.append(
                Evidence.model_construct(
                    kind=EvidenceKind.EXPERTISE_RANK, count=er_position[(person, skill)], last_at=None
                )
            )
        last = _later(_later(a.last_answer, a.last_question), a.last_endorsed)
        out.append(
            ExpertIn.model_construct(
                person_id=person,
                skill=skill,
                score=round(score, 9),
                evidence=tuple(evidence),
                expertise_rank=er_s,
                last_active=last,
            )
        )
    out.sort(key=lambda e: (e.skill, -e.score, e.person_id))
    return out


__all__ = ["ExpertiseWeights", "compute_expertise", "expertise_rank"]
