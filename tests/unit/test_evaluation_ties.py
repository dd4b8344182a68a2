"""Tied scores in the evaluation: a tied target scores the expected value over its tie's orders, so how an export
numbers its people cannot move any method's figures (McSherry & Najork 2008)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.evaluation import METRICS, Case, Leaderboard, Split, baselines, evaluate, metrics, per_case, rank_of
from schema.models import Post
from tests.factories import post

# at most six people, so that every order of them (720) can be listed as the reference
scores = st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 3).map(float), min_size=1)


@settings(max_examples=80, deadline=None)
@given(scores, st.data())
def test_a_tied_target_scores_the_mean_over_every_order_of_the_tie(s: dict[str, float], data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(sorted(s)))
    rank = rank_of(target, s)
    # the reference: every order the tied people could be listed in, the target's plain 1-based place in each
    orders = [sorted(s, key=lambda p, perm=perm: (-s[p], perm.index(p))) for perm in itertools.permutations(s)]
    plain = [order.index(target) + 1 for order in orders]
    for metric in METRICS:
        expected = sum(metrics([r])[metric] for r in plain) / len(plain)
        assert per_case([rank], metric)[0] == pytest.approx(expected), metric
    tied = sum(1 for v in s.values() if v == s[target])
    assert rank == (min(plain) if tied == 1 else (min(plain), max(plain)))
    assert rank_of("nobody", s) is None


@settings(max_examples=80, deadline=None)
@given(scores, st.sampled_from([None, *"abcdefz"]))
def test_a_leaderboard_ranks_as_the_copy_without_the_asker_does(s: dict[str, float], asker: str | None) -> None:
    """"Most answers overall" ranks by binary search over one sorted board instead of copying every answerer for
    every case (quadratic on a large site): each place, tie and absence must be the copy's."""
    board = Leaderboard(s).without(asker)
    copy = {p: v for p, v in s.items() if p != asker}
    assert dict(board) == copy
    for target in [*"abcdefz"]:
        assert rank_of(target, board) == rank_of(target, copy), target


def _thread(n: int, asker: str, answerer: str, tag: str) -> list[Post]:
    at = datetime(2024, 1, n + 1, tzinfo=UTC)
    q = post(n, asker, id=f"forum:q{n}", created_at=at, tags=(tag,))
    return [q, post(n, answerer, id=f"forum:q{n}a", kind="answer", created_at=at, parent_id=q.id, thread_id=q.id,
                    tags=(tag,), accepted=True)]


def test_renaming_people_cannot_move_a_baseline() -> None:
    """Ten people with one answer each on the tag: whoever answers next, the counting baseline has no idea who, and
    its figures must not depend on whether that person's id sorts first or last."""
    def run(target: str) -> dict[str, float]:
        people = [f"forum:a{i}" for i in range(9)] + [target]
        train = [p for i, who in enumerate(people) for p in _thread(i, "forum:asker", who, "espresso")]
        case = Case("forum:q99", ("espresso",), "forum:asker", datetime(2024, 2, 1, tzinfo=UTC), target)
        report = evaluate("forum", Split(datetime(2024, 1, 31, tzinfo=UTC), train, [case], 1, 0), baselines(train))
        return report.table["most answers on the tags"]

    first, last = run("forum:0-sorts-first"), run("forum:z-sorts-last")
    assert first == pytest.approx(last)
    assert first["hit@1"] == pytest.approx(0.1)  # one chance in ten
    assert first["hit@10"] == pytest.approx(1.0)
