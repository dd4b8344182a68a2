"""The held-out evidence an analysis keeps: ties at their expected value, and the counting rules read from the same
feature rows as ``whoknows evaluate experts`` counts them."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.analytics.routing import train_router
from graph.analytics.routing_features import FEATURES, F
from graph.analytics.routing_holdout import BASELINES, baseline_mrrs, holdout_mrr
from tests.unit.test_routing import T0, forum

lists = st.lists(st.lists(st.integers(0, 2), min_size=1, max_size=6), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(lists, st.data())
def test_a_tie_scores_the_mean_over_every_order_of_it(scores: list[list[int]], data: st.DataObject) -> None:
    """Brute force: every order of each list's scores (ties broken every way), the best-labelled row's reciprocal
    rank averaged; the expectation must equal it."""
    labels = [data.draw(st.integers(0, len(s) - 1)) for s in scores]
    y = np.concatenate([np.eye(len(s))[b] for s, b in zip(scores, labels, strict=True)])
    reference = []
    for s, b in zip(scores, labels, strict=True):
        orders = list(itertools.permutations(range(len(s))))
        # an order lists the rows best first; rows tied on score keep the order's relative position
        ranks = [1 + sorted(range(len(s)), key=lambda i, o=o: (-s[i], o.index(i))).index(b) for o in orders]
        reference.append(sum(1.0 / r for r in ranks) / len(ranks))
    got = holdout_mrr(np.asarray([v for s in scores for v in s], dtype=float), y, [len(s) for s in scores])
    assert math.isclose(got, sum(reference) / len(reference), rel_tol=1e-9)


def test_counting_rules_rank_by_their_own_column_and_never_is_last() -> None:
    X = np.zeros((3, len(FEATURES)))
    X[:, F["tag_answers"]] = [0.0, 2.0, 1.0]
    X[:, F["all_answers"]] = [5.0, 1.0, 1.0]
    X[:, F["tag_days"]] = [np.nan, 3.0, 1.0]  # the first never answered on the skills
    y = np.asarray([0.0, 0.0, 2.0])  # the third answered
    got = baseline_mrrs(X, y, [3])
    assert set(got) == set(BASELINES)
    assert got["most answers on the tags"] == 0.5  # second by answers on the skills
    assert got["most answers overall"] == round((1 / 2 + 1 / 3) / 2, 4)  # tied with the second for 2nd-3rd
    assert got["most recent on the tags"] == 1.0  # answered on them most lately


def test_an_analysis_keeps_every_counting_rule_beside_its_own_figure() -> None:
    router = train_router(forum(200), as_of=T0 + timedelta(days=120))
    assert router.kind == "lambdamart"
    counted = router.stats["holdout_mrr_baselines"]
    assert set(counted) == set(BASELINES)
    assert all(0.0 < v <= 1.0 for v in counted.values())
    # the planted forum's topic experts answer on their skills: the learned ranking is at least as good as counting
    assert router.stats["holdout_mrr_lambdamart"] >= max(counted.values())
