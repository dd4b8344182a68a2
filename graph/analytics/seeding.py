"""Seed candidates: people who know a topic and together reach the most distinct people and communities.

Picking k seeds to maximise the number of distinct people and communities they reach is weighted maximum
coverage: the objective is monotone and submodular, so the greedy choice (largest marginal gain first) is within
a factor 1 - 1/e of the best possible set. Lazy evaluation of the gains (Minoux) gives the same picks faster.

What "reach" and "candidates" are is the caller's choice: the API (app/graphql/seeds.py) passes only experts active
in the analysis' recent window and their ties of that window, so the guarantee is over the people who can be reached
now (restricting the ground set and the covered sets keeps the objective a coverage function).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Protocol


class ReachLike(Protocol):
    """What a candidate reaches directly (``graph.store.base.Reach`` fits)."""

    @property
    def neighbours(self) -> frozenset[str]: ...

    @property
    def communities(self) -> frozenset[str]: ...


def greedy_seeds(
    candidates: Sequence[tuple[str, float]],
    reach: Mapping[str, ReachLike],
    count: int,
    *,
    community_weight: float = 5.0,
    expertise_weight: float = 1.0,
) -> list[tuple[str, float]]:
    """Choose ``count`` candidates that together cover the most distinct people and communities.

    A candidate's coverage is itself plus its interaction neighbours (1 each) and its communities
    (``community_weight`` each, as one community opens many doors). Its marginal gain is the weight of what it
    covers that earlier picks do not, plus ``expertise_weight`` times its expertise score (so that, coverage being
    equal, the one who knows the topic best goes first). Ties: higher expertise, then smaller id.

    Parameters
    ----------
    candidates : sequence of (person id, expertise score)
        People who know the topic (e.g. the top experts of a skill). Repeated ids keep their best score.
    reach : mapping
        Person id -> reach (``neighbours``, ``communities``); candidates absent from it reach only themselves.
    count : int
        How many seeds (at most the number of candidates).

    Returns
    -------
    list of (person id, marginal gain)
        In pick order; the gains are non-increasing (submodularity).

    References
    ----------
    .. [1] Nemhauser, G. L., Wolsey, L. A. & Fisher, M. L. (1978). An analysis of approximations for maximizing
       submodular set functions - I. Mathematical Programming 14, 265-294.
    .. [2] Minoux, M. (1978). Accelerated greedy algorithms for maximizing submodular set functions.
       Optimization Techniques, LNCIS 7, 234-243.
    .. [3] Kempe, D., Kleinberg, J. & Tardos, É. (2003). Maximizing the spread of influence through a social
       network. Proc. KDD 2003, 137-146.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> reach = {"a": R(neighbours=frozenset("xyz"), communities=frozenset()),
    ...          "b": R(neighbours=frozenset("xy"), communities=frozenset()),
    ...          "c": R(neighbours=frozenset("uv"), communities=frozenset())}
    >>> [p for p, _ in greedy_seeds([("a", 0.0), ("b", 0.0), ("c", 0.0)], reach, 2)]
    ['a', 'c']
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if community_weight < 0 or expertise_weight < 0:
        raise ValueError("weights must be non-negative")
    best: dict[str, float] = {}
    for person, score in candidates:
        if person not in best or score > best[person]:
            best[person] = float(score)
    empty: frozenset[str] = frozenset()

    def covers(person: str) -> tuple[frozenset[str], frozenset[str]]:
        r = reach.get(person)
        if r is None:
            return frozenset({person}), empty
        return frozenset(r.neighbours) | {person}, frozenset(r.communities)

    cover = {p: covers(p) for p in best}
    seen_people: set[str] = set()
    seen_comms: set[str] = set()

    def gain(p: str) -> float:
        people, comms = cover[p]
        return (
            len(people - seen_people)
            + community_weight * len(comms - seen_comms)
            + expertise_weight * best[p]
        )

    # max-heap of (-gain upper bound, -expertise, id); stale bounds are re-evaluated lazily (Minoux)
    heap = [(-gain(p), -best[p], p) for p in best]
    heapq.heapify(heap)
    picked: list[tuple[str, float]] = []
    while heap and len(picked) < count:
        neg_bound, neg_score, p = heapq.heappop(heap)
        g = gain(p)
        if heap and g < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-g, neg_score, p))
            continue
        picked.append((p, g))
        people, comms = cover[p]
        seen_people |= people
        seen_comms |= comms
    return picked


def coverage(seeds: Sequence[str], reach: Mapping[str, ReachLike]) -> tuple[int, int]:
    """Distinct people (seeds included) and communities a set of seeds reaches.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> coverage(["a"], {"a": R(neighbours=frozenset("xy"), communities=frozenset({"c"}))})
    (3, 1)
    """
    people: set[str] = set(seeds)
    comms: set[str] = set()
    for s in seeds:
        r = reach.get(s)
        if r is not None:
            people |= r.neighbours
            comms |= r.communities
    return len(people), len(comms)


__all__ = ["ReachLike", "coverage", "greedy_seeds"]
