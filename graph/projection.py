"""Project the store's facts into the person-person graph the analytics run on.

Input is :class:`graph.store.base.Projection` (plain tuples); output is a :class:`ProjectedGraph`: the kept people,
the directed interaction ties (answer -> asker, reply or comment -> parent author, endorser -> endorsed) with
recency-decayed weights, and one undirected weighted graph (an :class:`~graph.analytics.backend.ArrayGraph`) that
adds reporting ties and shared-membership ties to the interactions. ``ProjectedGraph.to_networkx()`` gives the same
graph as NetworkX for small data and tests.

Privacy and noise rules, applied here once so no measure can forget them:
- opted-out people are dropped with every tie they take part in; their posts stay as anonymous activity
  (author None) so community counts stay true, but carry no tie, expertise or attribution;
- bots are dropped with their posts;
- self-replies (answering or replying to one's own post) make no tie.

Decay: a tie made ``a`` days before ``as_of`` weighs ``2 ** (-a / half_life_days)``. ``as_of`` defaults to the
latest post (the data's own clock), so a re-run on the same data gives the same weights.

Shared membership: every pair of members of a community is tied with weight ``membership / (size - 1)`` (so each
member's total from one community is ``membership``, after Newman 2001), for communities up to ``clique_max``
members; a larger community would add a quadratic number of ties, so each member is instead tied to
``sampled_ties`` other members drawn with a seeded generator, each tie weighing ``membership / (2 sampled_ties)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import networkx as nx
import numpy as np

from graph.analytics.backend import ArrayGraph
from graph.store.base import EndorsementRow, MembershipRow, PersonRow, PostRow, Projection, SkillClaimRow
from schema.models import Community

_RESPONSE_KINDS = {"answer": "answer", "reply": "reply", "comment": "comment"}


@dataclass(frozen=True)
class TieWeights:
    """Base weight of each kind of tie, before decay (reporting and membership ties do not decay)."""

    answer: float = 1.0
    reply: float = 1.0
    comment: float = 0.5
    endorsement: float = 1.0
    reports_to: float = 1.0
    membership: float = 0.5
    clique_max: int = 50
    sampled_ties: int = 5

    def __post_init__(self) -> None:
        for name in ("answer", "reply", "comment", "endorsement", "reports_to", "membership"):
            if getattr(self, name) < 0:
                raise ValueError(f"tie weight {name} must be >= 0")
        if self.clique_max < 2 or self.sampled_ties < 1:
            raise ValueError("clique_max must be >= 2 and sampled_ties >= 1")


@dataclass
class InteractionTie:
    source: str
    target: str
    weight: float
    count: int
    last_at: datetime | None


@dataclass
class ProjectedGraph:
    """The analysable view of one store snapshot."""

    as_of: datetime
    half_life_days: float
    people: dict[str, PersonRow]
    graph: ArrayGraph
    interactions: list[InteractionTie]
    posts: list[PostRow]
    memberships: list[MembershipRow]
    skills: list[SkillClaimRow]
    endorsements: list[EndorsementRow]
    reports_to: list[tuple[str, str]]
    communities: list[Community]
    stats: dict[str, int] = field(default_factory=dict)

    def to_networkx(self) -> nx.Graph:
        return self.graph.to_networkx()


def decay(age_days: float, half_life_days: float) -> float:
    """Weight of something ``age_days`` old: 1 now, 1/2 after one half-life (future dates count as now).

    >>> decay(0, 30), decay(30, 30), decay(-5, 30)
    (1.0, 0.5, 1.0)
    """
    if half_life_days <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_days}")
    return 2.0 ** (-max(age_days, 0.0) / half_life_days)


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def project(
    data: Projection,
    *,
    half_life_days: float = 180.0,
    as_of: datetime | None = None,
    weights: TieWeights | None = None,
    seed: int = 42,
) -> ProjectedGraph:
    """Build the interaction ties and the combined undirected graph from a store projection.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> t = datetime(2024, 1, 1, tzinfo=UTC)
    >>> people = [PersonRow(p, None, None, None, True, False, False, "hr", None) for p in ("a", "b")]
    >>> posts = [PostRow("q", "question", "a", t, None, "q", None, (), 0, False),
    ...          PostRow("x", "answer", "b", t, None, "q", "q", (), 0, False)]
    >>> pg = project(Projection(people, posts, [], [], [], [], []))
    >>> [(i.source, i.target, i.weight) for i in pg.interactions]
    [('b', 'a', 1.0)]
    """
    if half_life_days <= 0:
        raise ValueError(f"half-life must be positive, got {half_life_days}")
    w = weights or TieWeights()
    stats: dict[str, int] = defaultdict(int)

    people: dict[str, PersonRow] = {}
    opted_out: set[str] = set()
    bots: set[str] = set()
    for p in data.people:
        if p.opted_out:
            opted_out.add(p.id)
        elif p.bot:
            bots.add(p.id)
        else:
            people[p.id] = p
    stats["people_opted_out"] = len(opted_out)
    stats["people_bots"] = len(bots)

    posts: list[PostRow] = []
    for post in data.posts:
        if post.author_id in bots:
            stats["posts_by_bots"] += 1
            continue
        if post.author_id is not None and post.author_id not in people:
            stats["posts_anonymised"] += 1
            post = post._replace(author_id=None)
        posts.append(post)
    if as_of is None:
        as_of = max((_aware(p.created_at) for p in posts), default=datetime.now(UTC))
    as_of = _aware(as_of)

    nodes = sorted(people)
    idx = {p: i for i, p in enumerate(nodes)}
    author = {p.id: p.author_id for p in posts}
    lam = math.log(2.0) / half_life_days
    as_of_ts = as_of.timestamp()

    src: list[int] = []
    dst: list[int] = []
    base: list[float] = []
    when: list[float] = []
    for post in posts:
        kind = _RESPONSE_KINDS.get(post.kind)
        if kind is None or post.author_id is None:
            continue
        parent = post.parent_id or (post.thread_id if post.thread_id != post.id else None)
        target = author.get(parent) if parent else None
        if target is None:
            continue
        if target == post.author_id:
            stats["self_replies"] += 1
            continue
        src.append(idx[post.author_id])
        dst.append(idx[target])
        base.append(getattr(w, kind))
        when.append(_aware(post.created_at).timestamp())
    endorsements: list[EndorsementRow] = []
    for e in data.endorsements:
        if e.from_id in idx and e.to_id in idx and e.from_id != e.to_id:
            endorsements.append(e)
            src.append(idx[e.from_id])
            dst.append(idx[e.to_id])
            base.append(w.endorsement)
            when.append(_aware(e.created_at).timestamp() if e.created_at else math.nan)

    s_arr = np.asarray(src, dtype=np.int64)
    d_arr = np.asarray(dst, dtype=np.int64)
    t_arr = np.asarray(when, dtype=np.float64)
    age_days = np.maximum((as_of_ts - np.nan_to_num(t_arr, nan=as_of_ts)) / 86400.0, 0.0)
    wt = np.asarray(base, dtype=np.float64) * np.exp(-lam * age_days)
    interactions = _aggregate(nodes, s_arr, d_arr, wt, t_arr)
    stats["interaction_events"] = len(s_arr)
    stats["interaction_ties"] = len(interactions)

    reports = [(a, b) for a, b in data.reports_to if a in idx and b in idx and a != b]
    memberships = [m for m in data.memberships if m.person_id in idx]
    skills = [s for s in data.skills if s.person_id in idx]

    m_src, m_dst, m_w = _membership_ties(memberships, idx, w, seed)
    stats["membership_ties"] = len(m_src)
    all_src = np.concatenate([s_arr, np.array([idx[a] for a, _ in reports], dtype=np.int64), m_src])
    all_dst = np.concatenate([d_arr, np.array([idx[b] for _, b in reports], dtype=np.int64), m_dst])
    all_w = np.concatenate([wt, np.full(len(reports), w.reports_to), m_w])
    graph = ArrayGraph.from_edges(nodes, all_src, all_dst, all_w, directed=False)
    stats["graph_nodes"] = graph.n
    stats["graph_edges"] = graph.edge_count()
    return ProjectedGraph(
        as_of=as_of,
        half_life_days=half_life_days,
        people=people,
        graph=graph,
        interactions=interactions,
        posts=posts,
        memberships=memberships,
        skills=skills,
        endorsements=endorsements,
        reports_to=reports,
        communities=list(data.communities),
        stats=dict(stats),
    )


def _aggregate(
    nodes: list[str], src: np.ndarray, dst: np.ndarray, weight: np.ndarray, when: np.ndarray
) -> list[InteractionTie]:
    """One tie per (source, target): summed weight, event count, latest dated event."""
    if len(src) == 0:
        return []
    key = src * len(nodes) + dst
    order = np.argsort(key, kind="stable")
    key_s = key[order]
    starts = np.flatnonzero(np.r_[True, key_s[1:] != key_s[:-1]])
    wsum = np.add.reduceat(weight[order], starts)
    counts = np.diff(np.r_[starts, len(key_s)])
    tmax = np.fmax.reduceat(when[order], starts)
    out: list[InteractionTie] = []
    for k, start in enumerate(starts.tolist()):
        i = int(src[order[start]])
        j = int(dst[order[start]])
        t = tmax[k]
        out.append(
            InteractionTie(
                nodes[i],
                nodes[j],
                float(wsum[k]),
                int(counts[k]),
                None if math.isnan(t) else datetime.fromtimestamp(float(t), UTC),
            )
        )
    return out


def _membership_ties(
    memberships: Iterable[MembershipRow], idx: dict[str, int], w: TieWeights, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    members: dict[str, list[int]] = defaultdict(list)
    for m in memberships:
        members[m.community_id].append(idx[m.person_id])
    rng = np.random.default_rng(seed)
    srcs: list[np.ndarray] = []
    dsts: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    for cid in sorted(members):
        group = np.unique(np.asarray(members[cid], dtype=np.int64))
        size = len(group)
        if size < 2 or w.membership == 0:
            continue
        if size <= w.clique_max:
            a, b = np.triu_indices(size, k=1)
            srcs.append(group[a])
            dsts.append(group[b])
            ws.append(np.full(len(a), w.membership / (size - 1)))
        else:
            k = w.sampled_ties
            a = np.repeat(np.arange(size), k)
            # a random other member: offset 1..size-1 so nobody is tied to themselves
            b = (a + rng.integers(1, size, size=len(a))) % size
            srcs.append(group[a])
            dsts.append(group[b])
            ws.append(np.full(len(a), w.membership / (2 * k)))
    if not srcs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(srcs), np.concatenate(dsts), np.concatenate(ws)


__all__ = ["InteractionTie", "ProjectedGraph", "TieWeights", "decay", "project"]
