"""Greedy seeding: the Nemhauser-Wolsey-Fisher bound holds against brute force, lazy = plain greedy."""

from __future__ import annotations

import itertools
import math
import random
from types import SimpleNamespace

import pytest

from graph.analytics.seeding import coverage, greedy_seeds


def _instance(seed: int, n_candidates: int = 9) -> tuple[list[tuple[str, float]], dict]:
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(40)]
    comms = [f"c{i}" for i in range(8)]
    reach = {
        f"x{i}": SimpleNamespace(
            neighbours=frozenset(rng.sample(people, rng.randint(1, 12))),
            communities=frozenset(rng.sample(comms, rng.randint(0, 3))),
        )
        for i in range(n_candidates)
    }
    candidates = [(f"x{i}", round(rng.random(), 3)) for i in range(n_candidates)]
    return candidates, reach


def _value(seeds: list[str], reach: dict, community_weight: float) -> float:
    people, comms = coverage(seeds, reach)
    return people + community_weight * comms


def _plain_greedy(candidates, reach, count, community_weight):
    score = dict(candidates)
    chosen: list[str] = []
    for _ in range(min(count, len(score))):
        base = _value(chosen, reach, community_weight)
        best = max(
            (p for p in score if p not in chosen),
            key=lambda p: (_value([*chosen, p], reach, community_weight) - base + score[p], score[p], _neg(p)),
        )
        chosen.append(best)
    return chosen


def _neg(p: str) -> tuple:
    return tuple(-ord(ch) for ch in p)


@pytest.mark.parametrize("seed", range(12))
def test_greedy_within_one_minus_one_over_e_of_optimum(seed: int) -> None:
    candidates, reach = _instance(seed)
    for k in (1, 2, 3, 4):
        picks = [p for p, _ in greedy_seeds(candidates, reach, k, community_weight=2.0, expertise_weight=0.0)]
        best = max(_value(list(c), reach, 2.0) for c in itertools.combinations([c for c, _ in candidates], k))
        assert _value(picks, reach, 2.0) >= (1 - 1 / math.e) * best


@pytest.mark.parametrize("seed", range(8))
def test_lazy_greedy_picks_what_plain_greedy_picks(seed: int) -> None:
    candidates, reach = _instance(seed, 15)
    lazy = [p for p, _ in greedy_seeds(candidates, reach, 6, community_weight=3.0)]
    assert lazy == _plain_greedy(candidates, reach, 6, 3.0)


def test_gains_non_increasing_and_marginal() -> None:
    candidates, reach = _instance(3, 12)
    picks = greedy_seeds(candidates, reach, 12, community_weight=1.0, expertise_weight=0.0)
    gains = [g for _, g in picks]
    assert gains == sorted(gains, reverse=True)
    assert sum(gains) == pytest.approx(_value([p for p, _ in picks], reach, 1.0))


def test_edges() -> None:
    reach = {"a": SimpleNamespace(neighbours=frozenset({"b"}), communities=frozenset({"c"}))}
    assert greedy_seeds([("a", 1.0)], reach, 0) == []
    # unknown reach: the candidate reaches only themself; duplicates keep their best score
    got = greedy_seeds([("a", 0.1), ("z", 0.2), ("z", 0.9)], reach, 5, community_weight=1.0)
    assert [p for p, _ in got] == ["a", "z"]
    assert got[1][1] == pytest.approx(1 + 0.9)
    with pytest.raises(ValueError, match="count"):
        greedy_seeds([], {}, -1)
