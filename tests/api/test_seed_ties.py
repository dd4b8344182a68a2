"""Experts left out of a seed plan keep the directory's place, ties shared: two inactive experts with the same
evidence (so the same score) were "#2" and "#3 by expertise" in the plan, told apart by their ids, while the
directory ranks both second. A small organisation written here, analysed by the real job, read over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from app.auth import Role
from graph.jobs import AnalyticsParams, run_analytics
from graph.store.base import Batch, GraphStore
from tests.api.conftest import Api, serve_filled
from tests.factories import T0, person, post

DAY = timedelta(days=1)
TIED, ACTIVE = ("hr:E0001", "hr:E0002"), "hr:E0003"


def _org() -> Batch:
    """Persons 1 and 2 each accepted-answered five python questions of askers of their own, the same days, four
    years before the data's last post (the same evidence: the same score); person 3 answered three lately."""
    people = [person(i) for i in (1, 2, 3, *range(100, 110), *range(200, 203))]
    posts = []
    n = 0

    def qa(answerer: str, asker: str, at: datetime) -> None:
        nonlocal n
        q = post(n := n + 1, asker, created_at=at - DAY)
        posts.extend([q, post(n := n + 1, answerer, kind="answer", parent_id=q.id, thread_id=q.id, created_at=at,
                              accepted=True, score=5)])

    for j, who in enumerate(TIED):
        for k in range(5):
            qa(who, f"hr:E{100 + 5 * j + k:04d}", T0 - (4 * 365 - k) * DAY)
    for k in range(3):
        qa(ACTIVE, f"hr:E{200 + k:04d}", T0 - (10 + 15 * k) * DAY)
    posts.append(post(n + 1, "hr:E0202", created_at=T0))  # the data's last post
    return Batch(people=people, posts=posts)


def _analysed(store: GraphStore) -> None:
    store.write_batch(_org())
    run_analytics(store, AnalyticsParams())


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve_filled(None, tmp_path_factory.mktemp("seed-ties"), _analysed)


def test_tied_experts_left_out_share_the_directory_place(api: Api) -> None:
    experts = api.data('{ experts(skill: "python", first: 10) { edges { node { rank person { id } } } } }')
    ranks = {e["node"]["person"]["id"]: e["node"]["rank"] for e in experts["experts"]["edges"]}
    assert ranks[ACTIVE] == 1
    assert ranks[TIED[0]] == ranks[TIED[1]] == 2  # tied on everything: the directory's second place, shared
    plan = api.data('{ seedPlan(skill: "python", count: 3) { note leftOut { expertRank person { id } } } }',
                    role=Role.ANALYST)["seedPlan"]
    left = {x["person"]["id"]: x["expertRank"] for x in plan["leftOut"]}
    assert left == {TIED[0]: 2, TIED[1]: 2}  # was 2 and 3, by their ids
    assert plan["note"].count("(#2 by expertise") == 2
