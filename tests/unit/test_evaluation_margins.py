"""The evaluation's paired bootstrap: how far the ranking's lead over a baseline could move on other questions."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.evaluation import BASELINES, METRICS, Case, Report, metrics, paired_difference, per_case

ranks = st.lists(st.one_of(st.none(), st.integers(1, 30)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_interval_holds_the_difference_and_flips_with_the_order(data: st.DataObject) -> None:
    ours = data.draw(ranks)
    theirs = data.draw(st.lists(st.one_of(st.none(), st.integers(1, 30)), min_size=len(ours), max_size=len(ours)))
    for metric in METRICS:
        d = paired_difference(ours, theirs, metric)
        assert d.difference == pytest.approx(metrics(ours)[metric] - metrics(theirs)[metric])
        assert d.low <= d.difference + 1e-12
        assert d.difference <= d.high + 1e-12
        back = paired_difference(theirs, ours, metric)
        assert back.difference == pytest.approx(-d.difference)
        assert paired_difference(ours, theirs, metric) == d  # seeded: a rerun prints the same interval


def test_per_case_values_average_to_the_reported_metrics() -> None:
    r = [1, 2, 7, 11, None, 3]
    for metric in METRICS:
        assert per_case(r, metric).mean() == pytest.approx(metrics(r)[metric])
    with pytest.raises(ValueError, match="metric"):
        per_case(r, "hit@3")


def test_a_lead_of_one_question_in_fifteen_is_noise_and_a_steady_lead_is_not() -> None:
    base = [2] * 15
    one = [1] + [2] * 14  # ahead on a single question
    noisy = paired_difference(one, base, "MRR")
    assert noisy.difference > 0
    assert noisy.low == 0.0
    assert not noisy.clear
    steady = paired_difference([1] * 15, base, "MRR")
    assert steady.clear
    assert steady.low == steady.high == 0.5
    tie = paired_difference([3, None], [3, None], "hit@10")
    assert (tie.difference, tie.low, tie.high) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="cases"):
        paired_difference([1], [1, 2], "MRR")


def test_the_interval_covers_a_known_difference_and_narrows_with_more_cases() -> None:
    rng = np.random.default_rng(3)

    def sample(n: int) -> tuple[list[int | None], list[int | None]]:
        # ours finds the answerer at rank 1 with probability 0.5, the baseline with 0.3; else rank 5
        return ([1 if x < 0.5 else 5 for x in rng.random(n)], [1 if x < 0.3 else 5 for x in rng.random(n)])

    small, large = paired_difference(*sample(30), "hit@1"), paired_difference(*sample(3000), "hit@1")
    assert large.low < 0.2 < large.high
    assert large.clear
    assert (large.high - large.low) < (small.high - small.low) / 5


def test_report_compares_with_the_baseline_best_on_each_metric() -> None:
    case = Case("q", ("x",), None, datetime(2024, 1, 1, tzinfo=UTC), "t")
    ranked: dict[str, list[int | None]] = {
        "whoknows": [1, 4, None, 2],
        BASELINES[0]: [3, 3, 3, 3],
        BASELINES[1]: [2, None, 1, None],
        BASELINES[2]: [None, None, None, 9],
    }
    report = Report("r", case.created_at, 0, 4, 4, 0, {m: metrics(r) for m, r in ranked.items()}, ranked,
                    items=[case] * 4)
    mrr, hit = report.versus_best("whoknows", "MRR"), report.versus_best("whoknows", "hit@10")
    assert mrr.baseline == BASELINES[1]  # 0.375 against 0.333 and 0.028
    assert mrr.difference == pytest.approx(metrics(ranked["whoknows"])["MRR"] - 0.375)
    assert hit.baseline == BASELINES[0]  # every case in the first ten: 1.0
    assert hit.difference == pytest.approx(-0.25)
    doc = report.as_dict()["versus_best_baseline"]
    assert isinstance(doc, dict)
    assert set(doc) == {"whoknows"}
    assert doc["whoknows"]["MRR"] == mrr.as_dict()


def test_the_across_splits_column_names_only_the_leads_and_deficits_beyond_the_noise() -> None:
    from app.cli.evaluate_cmd import _beyond_noise

    def report(ours: list[int | None], theirs: list[int | None]) -> Report:
        ranked = {"whoknows": ours, **dict.fromkeys(BASELINES, theirs)}
        case = Case("q", ("x",), None, datetime(2024, 1, 1, tzinfo=UTC), "t")
        return Report("r", case.created_at, 0, len(ours), len(ours), 0, {m: metrics(r) for m, r in ranked.items()},
                      ranked, items=[case] * len(ours))

    steady = report([1] * 40, [20] * 40)  # first every time against twentieth: both leads clear
    assert "ahead on MRR, hit@10" in _beyond_noise(steady)
    lucky = report([1] + [5] * 14, [5] * 15)  # one question in fifteen: no verdict either way
    assert _beyond_noise(lucky) == "-"
    worse = report([20] * 40, [1] * 40)
    assert "behind on MRR, hit@10" in _beyond_noise(worse)
    assert "ahead" not in _beyond_noise(worse)
