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
from typing import Any, Protocol

import numpy as np

from graph.analytics.backend import ArrayGraph, trusted
from graph.analytics.influence import pagerank
from graph.analytics.posts import PostLike
from graph.ranks import shared_ranks
from schema.labels import EvidenceKind
from schema.models import Evidence, ExpertIn


class ClaimLike(Protocol):
    @property
    def person_id(self) -> str: ...
    @property
    def skill(self) -> str: ...
    @property
    def level(self) -> int | None: ...


class EndorsementLike(Protocol):
    @property
    def from_id(self) -> str: ...
    @property
    def to_id(self) -> str: ...
    @property
    def skill(self) -> str: ...
    @property
    def created_at(self) -> datetime | None: ...


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


@dataclass(frozen=True, slots=True)
class ExpertiseFacts:
    """One (person, skill)'s score and evidence as plain numbers: what an ``ExpertIn`` row is built from.

    The routing replay reads these directly (it scores thousands of past questions on snapshots of the history and
    needs numbers, not records); :func:`compute_expertise` turns them into rows.
    """

    person_id: str
    skill: str
    score: float  # rounded to 9 places, as stored
    answers: int
    accepted: int
    votes: int
    questions: int
    endorsers: int
    declared: bool
    level: int | None
    expertise_rank: float
    er_pos: int | None
    last_answer: datetime | None
    last_accepted: datetime | None
    last_question: datetime | None
    last_endorsed: datetime | None

    @property
    def last_active(self) -> datetime | None:
        return _later(_later(self.last_answer, self.last_question), self.last_endorsed)

    def evidence(self) -> tuple[Evidence, ...]:
        """The evidence list of the row, in the stored order."""
        out: list[Evidence] = []
        if self.declared:
            out.append(_evidence(EvidenceKind.DECLARED, self.level or 0, None))
        if self.answers:
            out.append(_evidence(EvidenceKind.ANSWERS, self.answers, self.last_answer))
            if self.accepted:
                out.append(_evidence(EvidenceKind.ACCEPTED_ANSWERS, self.accepted, self.last_accepted))
            if self.votes:
                out.append(_evidence(EvidenceKind.VOTES, self.votes, self.last_answer))
        if self.questions:
            out.append(_evidence(EvidenceKind.QUESTIONS, self.questions, self.last_question))
        if self.endorsers:
            out.append(_evidence(EvidenceKind.ENDORSEMENTS, self.endorsers, self.last_endorsed))
        if self.er_pos is not None:
            out.append(_evidence(EvidenceKind.EXPERTISE_RANK, self.er_pos, None))
        return tuple(out)

    def row(self) -> ExpertIn:
        return trusted(
            ExpertIn,
            person_id=self.person_id,
            skill=self.skill,
            score=self.score,
            evidence=self.evidence(),
            expertise_rank=self.expertise_rank,
            last_active=self.last_active,
        )


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
    return [f.row() for f in expertise_facts(posts, claims, endorsements, as_of=as_of,
                                             half_life_days=half_life_days, weights=weights)]


def expertise_facts(
    posts: Iterable[PostLike],
    claims: Iterable[ClaimLike] = (),
    endorsements: Iterable[EndorsementLike] = (),
    *,
    as_of: datetime,
    half_life_days: float = 180.0,
    weights: ExpertiseWeights | None = None,
) -> list[ExpertiseFacts]:
    """:func:`compute_expertise` as plain numbers (same parameters, same order): one entry per row it returns."""
    if half_life_days <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_days}")
    w = weights or ExpertiseWeights()
    as_of = _aware(as_of)
    lam = math.log(2.0) / (half_life_days * 86400.0)
    as_of_ts = as_of.timestamp()

    # pass 1: the posts up to as_of, by id, with their aware time
    by_id: dict[str, tuple[Any, datetime]] = {}
    for p in posts:
        t = p.created_at
        if t.tzinfo is None:
            t = t.replace(tzinfo=UTC)
        if t <= as_of:
            by_id[p.id] = (p, t)

    people: dict[str, int] = {}
    skills: dict[str, int] = {}
    pid = people.setdefault
    sid = skills.setdefault
    # one event per (post, tag): answers and questions, as parallel lists (aggregated with numpy below)
    a_person: list[int] = []
    a_skill: list[int] = []
    a_time: list[datetime] = []
    a_accepted: list[bool] = []
    a_score: list[int] = []
    a_asker: list[int] = []
    q_person: list[int] = []
    q_skill: list[int] = []
    q_time: list[datetime] = []
    for p, t in by_id.values():
        author = p.author_id
        if author is None:
            continue
        kind = p.kind
        if kind == "question":
            who = pid(author, len(people))
            for tag in p.tags:
                q_person.append(who)
                q_skill.append(sid(tag, len(skills)))
                q_time.append(t)
            continue
        if kind != "answer" and kind != "reply":
            continue
        root = None
        if p.thread_id and p.thread_id != p.id:
            root = by_id.get(p.thread_id)
        if root is None and p.parent_id:
            root = by_id.get(p.parent_id)
        root_post = root[0] if root is not None else None
        if kind == "reply" and (root_post is None or root_post.kind != "question"):
            continue
        tags = p.tags or (root_post.tags if root_post is not None else ())
        if not tags:
            continue
        who = pid(author, len(people))
        asker_id = root_post.author_id if root_post is not None else None
        asker = pid(asker_id, len(people)) if asker_id is not None and asker_id != author else -1
        for tag in tags:
            a_person.append(who)
            a_skill.append(sid(tag, len(skills)))
            a_time.append(t)
            a_accepted.append(bool(p.accepted))
            a_score.append(int(p.score))
            a_asker.append(asker)

    fields: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    n_skills_guess = 1 << 20  # key = person * 2**20 + skill (fits easily in int64)

    if a_person:
        ap = np.asarray(a_person, dtype=np.int64)
        ak = np.asarray(a_skill, dtype=np.int64)
        ats = np.fromiter((t.timestamp() for t in a_time), dtype=np.float64, count=len(a_time))
        acc = np.asarray(a_accepted, dtype=bool)
        a_votes = np.asarray(a_score, dtype=np.float64)
        decay = np.exp(-lam * np.maximum(as_of_ts - ats, 0.0))
        key = ap * n_skills_guess + ak
        uniq, inv = np.unique(key, return_inverse=True)
        m = len(uniq)
        answers_n = np.bincount(inv, minlength=m)
        answers_dw = np.bincount(inv, weights=decay, minlength=m)
        accepted_n = np.bincount(inv, weights=acc.astype(np.float64), minlength=m)
        accepted_dw = np.bincount(inv, weights=decay * acc, minlength=m)
        votes_n = np.bincount(inv, weights=a_votes, minlength=m)
        votes_dw = np.bincount(inv, weights=a_votes * decay, minlength=m)
        last_answer_at = _last_event(inv, ats, m)
        last_acc = _last_event(inv[acc], ats[acc], m, np.flatnonzero(acc))
        for j, k in enumerate(uniq.tolist()):
            f = fields[(k // n_skills_guess, k % n_skills_guess)]
            f["answers"] = int(answers_n[j])
            f["answers_w"] = float(answers_dw[j])
            f["accepted"] = int(accepted_n[j])
            f["accepted_w"] = float(accepted_dw[j])
            f["votes"] = int(votes_n[j])
            f["votes_w"] = float(votes_dw[j])
            f["last_answer"] = a_time[last_answer_at[j]]
            if last_acc[j] >= 0:
                f["last_accepted"] = a_time[last_acc[j]]
        # ExpertiseRank: PageRank per skill on asker -> answerer edges (one per answer, so weights count answers)
        asker_arr = np.asarray(a_asker, dtype=np.int64)
        has_asker = asker_arr >= 0
        e_skill, e_src, e_dst = ak[has_asker], asker_arr[has_asker], ap[has_asker]
        order = np.argsort(e_skill, kind="stable")
        e_skill, e_src, e_dst = e_skill[order], e_src[order], e_dst[order]
        # no answer with an asker other than its author (anonymous or deleted askers): no graph to rank
        bounds = np.flatnonzero(np.r_[True, e_skill[1:] != e_skill[:-1], True]) if len(e_skill) else np.zeros(1)
        for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            skill_ix = int(e_skill[lo])
            src, dst = e_src[lo:hi], e_dst[lo:hi]
            nodes, local = np.unique(np.concatenate([src, dst]), return_inverse=True)
            g = ArrayGraph.from_edges(nodes.tolist(), local[: hi - lo], local[hi - lo :], None, directed=True)
            pr = np.fromiter(pagerank(g, alpha=0.85).values(), dtype=np.float64, count=g.n)
            answerers = np.unique(local[hi - lo :])
            ranked = answerers[np.lexsort((nodes[answerers], -pr[answerers]))]
            n_nodes = g.n
            # answerers equal in the answer network share a place (two mirror answerers were #1 and #2, by id)
            positions = shared_ranks([(v,) for v in pr[ranked].tolist()])
            for pos, li in zip(positions, ranked.tolist(), strict=True):
                f = fields[(int(nodes[li]), skill_ix)]
                f["er"] = float(pr[li]) * n_nodes
                f["er_pos"] = pos

    if q_person:
        qk = np.asarray(q_person, dtype=np.int64) * n_skills_guess + np.asarray(q_skill, dtype=np.int64)
        qts = np.fromiter((t.timestamp() for t in q_time), dtype=np.float64, count=len(q_time))
        uniq, inv = np.unique(qk, return_inverse=True)
        counts = np.bincount(inv, minlength=len(uniq))
        last_q = _last_event(inv, qts, len(uniq))
        for j, k in enumerate(uniq.tolist()):
            f = fields[(k // n_skills_guess, k % n_skills_guess)]
            f["questions"] = int(counts[j])
            f["last_question"] = q_time[last_q[j]]

    for c in claims:
        f = fields[(pid(c.person_id, len(people)), sid(c.skill, len(skills)))]
        f["declared"] = True
        f["level"] = c.level

    seen_endorsers: set[tuple[str, str, str]] = set()
    for e in endorsements:
        if e.from_id == e.to_id or (e.from_id, e.to_id, e.skill) in seen_endorsers:
            continue
        seen_endorsers.add((e.from_id, e.to_id, e.skill))
        f = fields[(pid(e.to_id, len(people)), sid(e.skill, len(skills)))]
        f["endorsers"] = f.get("endorsers", 0) + 1
        if e.created_at is not None:
            t = _aware(e.created_at)
            f["endorse_w"] = f.get("endorse_w", 0.0) + math.exp(-lam * max(as_of_ts - t.timestamp(), 0.0))
            f["last_endorsed"] = _later(f.get("last_endorsed"), t)
        else:
            f["endorse_w"] = f.get("endorse_w", 0.0) + 1.0

    person_names = list(people)
    skill_names = list(skills)
    out: list[ExpertiseFacts] = []
    for (pi, si), f in fields.items():
        n_answers = f.get("answers", 0)
        n_endorsers = f.get("endorsers", 0)
        declared = f.get("declared", False)
        demonstrated = n_answers > 0 or n_endorsers > 0
        if not demonstrated and not declared:
            continue  # asking questions alone is not expertise
        level = f.get("level")
        level_used = level if level is not None else w.default_level
        er_s = f.get("er", 0.0)
        last_answer = f.get("last_answer")
        last_endorsed = f.get("last_endorsed")
        if demonstrated:
            last_shown = _later(last_answer, last_endorsed) or as_of
            strength = (
                w.answers * math.log1p(f.get("answers_w", 0.0))
                + w.accepted * math.log1p(f.get("accepted_w", 0.0))
                + w.votes * math.log1p(max(f.get("votes_w", 0.0), 0.0))
                + w.endorsements * math.log1p(f.get("endorse_w", 0.0))
                + w.expertise_rank * math.log1p(er_s)
                + w.recency * math.exp(-lam * max(as_of_ts - last_shown.timestamp(), 0.0))
            )
            score = 0.5 + 0.45 * strength / (strength + w.saturation) + (0.05 * level_used / 5 if declared else 0.0)
        else:
            score = 0.45 * level_used / 5
        out.append(ExpertiseFacts(
            person_id=person_names[pi],
            skill=skill_names[si],
            score=round(score, 9),
            answers=n_answers,
            accepted=f.get("accepted", 0),
            votes=f.get("votes", 0),
            questions=f.get("questions", 0),
            endorsers=n_endorsers,
            declared=declared,
            level=level,
            expertise_rank=er_s,
            er_pos=f.get("er_pos"),
            last_answer=last_answer,
            last_accepted=f.get("last_accepted"),
            last_question=f.get("last_question"),
            last_endorsed=last_endorsed,
        ))
    out.sort(key=lambda e: (e.skill, -e.score, e.person_id))
    return out


def _last_event(
    group: np.ndarray, ts: np.ndarray, groups: int, index: np.ndarray | None = None
) -> np.ndarray:
    """Per group, the position (in ``index``, or in ``ts`` itself) of its latest event; -1 for empty groups."""
    out = np.full(groups, -1, dtype=np.int64)
    if len(group) == 0:
        return out
    order = np.lexsort((ts, group))
    last = np.r_[group[order][1:] != group[order][:-1], True]
    pos = order[last]
    out[group[pos]] = pos if index is None else index[pos]
    return out


def _evidence(kind: EvidenceKind, count: int, last_at: datetime | None) -> Evidence:
    return trusted(Evidence, kind=kind, count=count, last_at=last_at)


__all__ = ["ExpertiseFacts", "ExpertiseWeights", "compute_expertise", "expertise_facts", "expertise_rank"]
