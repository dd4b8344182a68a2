"""A Neo4j database written by an older whoknows keeps answering after an upgrade in place.

EXPERT_IN edges carry their skill's name since the expert_in_rank index orders a skill's experts by it; edges
written before have none, and the store names them when it opens, so the directory is right before the next
analyze. Indexes that older versions created and nothing reads any more are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.store.base import Batch
from graph.store.neo4j import Neo4jStore
from tests.conftest import Neo4jTarget
from tests.contract.neo4j_factory import connect_test_store, make_neo4j_store
from tests.factories import community, person, snapshot

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo(neo4j_target: Neo4jTarget) -> Iterator[Neo4jStore]:
    store = make_neo4j_store(neo4j_target)
    yield store
    store.close()


def test_expert_edges_without_a_skill_name_are_named_on_open(neo: Neo4jStore, neo4j_target: Neo4jTarget) -> None:
    people = [person(i) for i in range(12)]
    neo.write_batch(Batch(people=people, communities=[community("k8s-guild")]))
    neo.write_analytics(snapshot(people, scores=[float(i % 4) for i in range(12)]))
    before = neo.experts("kubernetes", first=20)
    assert len(before.items) == 12

    driver = neo._live_driver()
    driver.execute_query("MATCH ()-[e:EXPERT_IN]->() REMOVE e.skill")  # as an older version wrote them
    driver.execute_query("CREATE INDEX expert_in_score IF NOT EXISTS FOR ()-[r:EXPERT_IN]-() ON (r.score)")
    assert neo.experts("kubernetes", first=20).items == []  # what the index-ordered read sees before the upgrade

    upgraded = connect_test_store(neo4j_target)
    try:
        assert upgraded.experts("kubernetes", first=20) == before
        unnamed, _, _ = driver.execute_query("MATCH ()-[e:EXPERT_IN]->() WHERE e.skill IS NULL RETURN count(*) AS n")
        assert unnamed[0]["n"] == 0
        names, _, _ = driver.execute_query("SHOW INDEXES YIELD name RETURN collect(name) AS names")
        assert "expert_in_score" not in names[0]["names"]
        assert {"expert_in_rank", "influence_rank"} <= set(names[0]["names"])
    finally:
        upgraded.close()
