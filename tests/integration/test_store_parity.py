"""The same organisation on SQLite and on Neo4j answers every API query the same, field by field, over real HTTP.

One 2,000-person demo organisation (``whoknows demo-data``, seed 42) is ingested and analysed once into each store,
each store is served by the real app on its own uvicorn, and every query the API tests use is asked of both: experts
(top 10 with evidence and explanation) for every skill, every person's page, communities and their members, community
health, influencers (global, per skill, per community), bridges, seed candidates and introduction paths. A
difference, ties included, is a bug in one store. Both stores are built once per module (ingest and analysis are the
expensive part), and their full dumps are compared too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.auth import Role
from app.main import create_app
from graph.jobs import AnalyticsParams, run_analytics
from graph.store.base import GraphStore
from graph.store.neo4j import Neo4jStore
from graph.store.sqlite import SQLiteStore
from ingest.demo import generate
from ingest.manifest import ingest_manifest
from tests.api.conftest import Api, LiveServer, api_settings
from tests.conftest import Neo4jTarget
from tests.contract.neo4j_factory import make_neo4j_store

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

PEOPLE = 2000
SEED = 42
PEOPLE_SAMPLE = 60  # person pages compared (every 1 in PEOPLE / PEOPLE_SAMPLE ids, plus every top expert)
PATH_PAIRS = 40

EXPERTS = """
query($skill: String!, $first: Int, $after: String) {
  experts(skill: $skill, first: $first, after: $after) {
    skill totalCount
    edges { cursor node { score explanation evidence { kind count lastAt } person { id name department location } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
PERSON = """query($id: ID!) { person(id: $id) { id name email title department location active manager { id }
  communities { id } skills { skill level } expertise { skill score explanation }
  scores { pagerank betweenness constraint role articulationPoint } } }"""
COMMUNITIES = """query($first: Int, $after: String) { communities { id name kind
  members(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
} }"""
HEALTH = """query($id: ID!) { community(id: $id) { id health {
  current { members activeMembers posts postsPerWeek replyRate medianFirstResponseHours unansweredShare
            contributorGini absenceFactor newcomerRetention managersActiveShare crossDepartmentShare withheld }
  weekly { start posts activeMembers } trend { posts activeMembers } } } }"""
INFLUENCERS = """query($skill: String, $cid: ID, $first: Int) {
  influencers(skill: $skill, communityId: $cid, first: $first) { rank score person { id } } }"""
BRIDGES = """query($ids: [ID!], $first: Int) { bridges(first: $first, communityIds: $ids) {
  rank betweenness constraint role articulationPoint person { id } } }"""
SEEDS = ("query($s: String!, $c: Int) { seedCandidates(skill: $s, count: $c) { rank score person { id } } "
         "seedPlan(skill: $s, count: $c) { asOf recentDays note leftOut { expertRank lastActive person { id } } "
         "seeds { rank score explanation measures { name value } person { id } } } }")
PATH = "query($a: ID!, $b: ID!) { introductionPath(fromId: $a, toId: $b, maxHops: 4) { id } }"
SKILLS = "{ skills(first: 100) { name aliases } }"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parity-demo")
    generate.generate_demo_data(out, people=PEOPLE, seed=SEED)
    return out


def _build(store: GraphStore, demo: Path, rejects: Path) -> None:
    ingest_manifest(store, demo, rejects_dir=rejects)
    run_analytics(store, AnalyticsParams(seed=SEED))


@pytest.fixture(scope="module")
def sqlite_store(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    work = tmp_path_factory.mktemp("parity-sqlite")
    store = SQLiteStore(work / "whoknows.db")
    _build(store, demo, work / "rejects")
    yield store
    store.close()


@pytest.fixture(scope="module")
def neo4j_store(demo: Path, neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Neo4jStore]:
    store = make_neo4j_store(neo4j_target)
    _build(store, demo, tmp_path_factory.mktemp("parity-neo4j") / "rejects")
    yield store
    store.close()


def _serve(store: GraphStore, tmp: Path) -> Iterator[Api]:
    settings = api_settings(tmp)
    with LiveServer(create_app(settings, store=store)) as server:
        client = Api(server.url, settings)
        try:
            yield client
        finally:  # the generator is closed (GeneratorExit at the yield): close the HTTP client all the same
            client.http.close()


@pytest.fixture(scope="module")
def apis(sqlite_store: SQLiteStore, neo4j_store: Neo4jStore, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[Api, Api]]:
    sqlite_api = _serve(sqlite_store, tmp_path_factory.mktemp("parity-app-sqlite"))
    neo4j_api = _serve(neo4j_store, tmp_path_factory.mktemp("parity-app-neo4j"))
    try:
        yield next(sqlite_api), next(neo4j_api)
    finally:
        for gen in (sqlite_api, neo4j_api):
            gen.close()


def both(apis: tuple[Api, Api], query: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """The whole response body (data and errors) from each store's app."""
    return tuple(api.gql(query, variables, role=Role.ANALYST) for api in apis)  # type: ignore[return-value]


def differences(apis: tuple[Api, Api], query: str, variable_sets: list[dict[str, Any]]) -> list[str]:
    out = []
    for variables in variable_sets:
        on_sqlite, on_neo4j = both(apis, query, variables)
        if "errors" in on_sqlite:  # the same error on both stores would prove nothing
            out.append(f"{variables}: sqlite answered errors {on_sqlite['errors']}")
        elif on_sqlite != on_neo4j:
            out.append(f"{variables}:\n  sqlite {on_sqlite}\n  neo4j  {on_neo4j}")
    return out


@pytest.fixture(scope="module")
def skills(apis: tuple[Api, Api]) -> list[str]:
    on_sqlite, on_neo4j = both(apis, SKILLS)
    assert on_sqlite == on_neo4j
    names = [s["name"] for s in on_sqlite["data"]["skills"]]
    assert len(names) >= 10
    return names


def test_the_stores_hold_the_same_facts(sqlite_store: SQLiteStore, neo4j_store: Neo4jStore) -> None:
    on_sqlite, on_neo4j = sqlite_store.dump(), neo4j_store.dump()
    assert sorted(on_sqlite) == sorted(on_neo4j)
    differing = {k: (len(on_sqlite[k]), len(on_neo4j[k])) for k in on_sqlite if on_sqlite[k] != on_neo4j[k]}
    # the run's own stats and times differ (two runs); everything it computed must not
    differing.pop("AnalyticsRun", None)
    assert differing == {}
    assert sqlite_store.counts() == neo4j_store.counts()


def test_experts_top_10_for_every_skill(apis: tuple[Api, Api], skills: list[str]) -> None:
    assert differences(apis, EXPERTS, [{"skill": s, "first": 10} for s in skills]) == []


def test_experts_second_page_follows_the_same_cursor(apis: tuple[Api, Api], skills: list[str]) -> None:
    pages = []
    for skill in skills[:5]:
        first, _ = both(apis, EXPERTS, {"skill": skill, "first": 10})
        after = first["data"]["experts"]["pageInfo"]["endCursor"]
        if after:
            pages.append({"skill": skill, "first": 10, "after": after})
    assert pages
    assert differences(apis, EXPERTS, pages) == []


def test_person_pages(apis: tuple[Api, Api], sqlite_store: SQLiteStore, skills: list[str]) -> None:
    ids = sorted(sqlite_store.person_ids())
    sample = set(ids[:: max(1, len(ids) // PEOPLE_SAMPLE)])
    for skill in skills:
        top, _ = both(apis, EXPERTS, {"skill": skill, "first": 3})
        sample |= {e["node"]["person"]["id"] for e in top["data"]["experts"]["edges"]}
    assert differences(apis, PERSON, [{"id": i} for i in sorted(sample)]) == []


def test_communities_and_their_health(apis: tuple[Api, Api]) -> None:
    on_sqlite, on_neo4j = both(apis, COMMUNITIES, {"first": 10})
    assert on_sqlite == on_neo4j
    ids = [c["id"] for c in on_sqlite["data"]["communities"]]
    assert ids
    assert differences(apis, HEALTH, [{"id": i} for i in ids]) == []


def test_influencers_global_per_skill_and_per_community(apis: tuple[Api, Api], skills: list[str]) -> None:
    communities = [c["id"] for c in both(apis, COMMUNITIES, {"first": 1})[0]["data"]["communities"]]
    cases: list[dict[str, Any]] = [{"first": 10}]
    cases += [{"skill": s, "first": 10} for s in skills]
    cases += [{"cid": c, "first": 10} for c in communities]
    assert differences(apis, INFLUENCERS, cases) == []


def test_bridges_and_seed_candidates(apis: tuple[Api, Api], skills: list[str]) -> None:
    communities = [c["id"] for c in both(apis, COMMUNITIES, {"first": 1})[0]["data"]["communities"]]
    cases: list[dict[str, Any]] = [{"first": 10}, {"first": 25}]
    cases += [{"ids": communities[i : i + 2], "first": 10} for i in range(0, len(communities) - 1, 2)]
    assert differences(apis, BRIDGES, cases) == []
    assert differences(apis, SEEDS, [{"s": s, "c": 5} for s in skills]) == []


def test_introduction_paths(apis: tuple[Api, Api], sqlite_store: SQLiteStore) -> None:
    ids = sorted(sqlite_store.person_ids())
    step = max(1, len(ids) // PATH_PAIRS)
    pairs = [{"a": ids[i], "b": ids[-1 - i]} for i in range(0, len(ids) // 2, step)][:PATH_PAIRS]
    found = [both(apis, PATH, p)[0]["data"]["introductionPath"] for p in pairs[:10]]
    assert any(path and len(path) > 2 for path in found)  # real paths, not only "none" on both sides
    assert differences(apis, PATH, pairs) == []
