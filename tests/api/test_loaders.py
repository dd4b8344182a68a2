"""DataLoaders: a page of 100 experts with their communities (and more) costs a bounded number of store reads.

The store is the real SQLite store wrapped in a proxy that counts calls and delegates every one of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.auth import Role
from app.main import create_app
from graph.store.base import AnalyticsSnapshot, Batch
from graph.store.sqlite import SQLiteStore
from schema.labels import EvidenceKind
from schema.models import AnalyticsRun, Evidence, ExpertIn, HasSkill, MemberOf, PersonScores, Skill
from tests.api.conftest import Api, CountingStore, LiveServer, api_settings
from tests.factories import community, person

N = 150
T = datetime(2026, 1, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def big_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, CountingStore]]:
    tmp = tmp_path_factory.mktemp("loaders")
    store = SQLiteStore(tmp / "w.db")
    people = [person(i, manager_id=None if i == 0 else "hr:E0000") for i in range(N)]
    comms = [community(f"c{k}") for k in range(7)]
    store.write_batch(Batch(
        people=people, skills=[Skill(name="kubernetes")], communities=comms,
        memberships=[MemberOf(person_id=p.id, community_id=comms[(i + j) % 7].id)
                     for i, p in enumerate(people) for j in range(3)],
        has_skill=[HasSkill(person_id=p.id, skill="kubernetes", level=1 + i % 5) for i, p in enumerate(people)],
    ))
    store.write_analytics(AnalyticsSnapshot(
        run=AnalyticsRun(id="r", started_at=T, finished_at=T),
        expertise=[ExpertIn(person_id=p.id, skill="kubernetes", score=1.0 - i / 1000,
                            evidence=(Evidence(kind=EvidenceKind.ANSWERS, count=i + 1, last_at=T),))
                   for i, p in enumerate(people)],
        person_scores=[PersonScores(person_id=p.id, pagerank=0.1) for p in people],
    ))
    counting = CountingStore(store)
    settings = api_settings(tmp)
    with LiveServer(create_app(settings, store=counting)) as server:  # type: ignore[arg-type]
        client = Api(server.url, settings)
        yield client, counting
        client.http.close()
    store.close()


PAGE = """query($first: Int!) { experts(skill: "kubernetes", first: $first) { totalCount
  edges { node { score explanation person { id name manager { id name } communities { id name }
          skills { skill level } expertise { skill score } scores { pagerank } } } } } }"""


@pytest.mark.parametrize("first", [10, 100])
def test_page_of_experts_costs_one_read_per_kind(big_api: tuple[Api, CountingStore], first: int) -> None:
    api, counting = big_api
    counting.calls.clear()
    data = api.data(PAGE, {"first": first}, role=Role.ANALYST)["experts"]
    assert len(data["edges"]) == first
    assert all(len(e["node"]["person"]["communities"]) == 3 for e in data["edges"])
    assert all(e["node"]["person"]["manager"]["id"] == "hr:E0000" for e in data["edges"][1:])
    assert dict(counting.calls) == {  # last_run: the data's clock the explanations are dated by, read once
        "experts": 1, "people": 1, "memberships": 1, "person_skills": 1, "person_expertise": 1, "person_scores": 1,
        "last_run": 1,
    }


def test_loaders_do_not_leak_between_requests(big_api: tuple[Api, CountingStore]) -> None:
    api, counting = big_api
    counting.calls.clear()
    for _ in range(3):
        api.data('{ experts(skill: "kubernetes", first: 5) { edges { node { person { communities { id } } } } } }')
    assert counting.calls["memberships"] == 3  # one per request: no cross-request cache serving stale data


def test_aliases_share_the_request_loaders(big_api: tuple[Api, CountingStore]) -> None:
    api, counting = big_api
    counting.calls.clear()
    q = " ".join(f'p{i}: person(id: "hr:E{i:04d}") {{ communities {{ id }} }}' for i in range(20))
    data = api.data(f"{{ {q} }}")
    assert len(data) == 20
    assert counting.calls["people"] == 1
    assert counting.calls["memberships"] == 1
