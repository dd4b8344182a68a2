"""How a ranking did on held-out past questions, beside counting: the evidence an analysis keeps for its router.

``train_router`` holds out the latest quarter of the organisation's own answered questions, trains on the rest and
scores where the person who actually answered lands. The same lists are scored here by the counting rules that
``whoknows evaluate experts`` uses as baselines (most answers on the question's skills, most answers anywhere, the
latest answer on the skills), read from the same feature rows, so every analysis says, on its own history, whether
the ranking beats a leaderboard and by how much. The comparison is within each question's candidates (a counting
rule could also rank people outside them; the evaluation command measures that).

A tie scores its expected value, the mean over the places it spans (McSherry & Najork 2008): counting ties often,
and breaking ties by list order would hand a baseline places it did not earn.

References
----------
.. [1] McSherry, F. & Najork, M. (2008). Computing information retrieval performance measures efficiently in the
   presence of tied scores. Proc. ECIR 2008, 414-421.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from graph.analytics.routing_features import F
from graph.evaluation import Rank, per_case, rank_among

BASELINES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    # names as `whoknows evaluate experts` prints its baselines
    "most answers on the tags": lambda X: X[:, F["tag_answers"]],
    "most answers overall": lambda X: X[:, F["all_answers"]],  # per skill, as the features count answers
    "most recent on the tags": lambda X: -np.nan_to_num(X[:, F["tag_days"]], nan=np.inf),  # never: last, tied
}


def holdout_mrr(scores: np.ndarray, y: np.ndarray, groups: Sequence[int]) -> float:
    """Mean reciprocal rank of each list's best-labelled row (the accepted answerer where there is one) under
    ``scores``, ties at their expected value; 0 without lists.

    >>> round(holdout_mrr(np.array([1.0, 1.0, 0.0, 5.0]), np.array([2.0, 0.0, 1.0, 0.0]), [2, 2]), 4)
    0.625
    """
    ranks: list[Rank] = []
    start = 0
    for n in groups:
        ranks.append(rank_among(scores[start:start + n], int(np.argmax(y[start:start + n]))))
        start += n
    return float(per_case(ranks, "MRR").mean()) if ranks else 0.0


def baseline_mrrs(X: np.ndarray, y: np.ndarray, groups: Sequence[int]) -> dict[str, float]:
    """Each counting baseline's :func:`holdout_mrr` on the same lists (rounded as the router's stats keep it)."""
    return {name: round(holdout_mrr(rule(X), y, groups), 4) for name, rule in BASELINES.items()}


__all__ = ["BASELINES", "baseline_mrrs", "holdout_mrr"]
