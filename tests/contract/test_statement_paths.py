"""Contract cases that reach the statements only some arguments choose (checked by test_statement_coverage.py).

Each hop bound of an introduction path is its own statement on Neo4j (Cypher takes no parameter as a
variable-length bound), the analytics half of ``dump()`` reads the current generation, and ``skills()`` /
``person_ids()`` without a filter take their own statement too.
"""

from __future__ import annotations

import pytest

from graph.store.base import Batch, GraphStore, dump_rows
from graph.store.cypher import MAX_LITERAL_HOPS
from schema.models import Interaction
from tests.factories import person, post, small_org, snapshot

CHAIN = MAX_LITERAL_HOPS + 3


@pytest.fixture
def chain(store: GraphStore) -> list[str]:
    """People 0..CHAIN-1, each interacting with the next only."""
    people = [person(i) for i in range(CHAIN)]
    store.write_batch(Batch(people=people))
    snap = snapshot(people)
    snap.interactions = [
        Interaction(source_id=a.id, target_id=b.id, weight=1.0, count=1)
        for a, b in zip(people, people[1:], strict=False)
    ]
    store.write_analytics(snap)
    return [p.id for p in people]


def test_every_hop_bound_finds_paths_up_to_it_and_none_longer(store: GraphStore, chain: list[str]) -> None:
    for bound in range(1, CHAIN):
        found = store.introduction_path(chain[0], chain[bound], max_hops=bound)
        assert found is not None, bound
        assert [p.id for p in found] == chain[: bound + 1], bound
        if bound + 1 < CHAIN:
            assert store.introduction_path(chain[0], chain[bound + 1], max_hops=bound) is None, bound


def test_dump_holds_the_current_analytics_run(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    snap = snapshot(list(batch.people))
    store.write_analytics(snap)
    dump = store.dump()
    assert dump["PersonScores"] == dump_rows(snap.person_scores)
    assert dump["InfluenceScore"] == dump_rows(snap.influence)
    assert dump["EXPERT_IN"] == dump_rows(snap.expertise)
    assert dump["CommunityHealth"] == dump_rows(snap.health)
    assert dump["DetectedCommunity"] == dump_rows(snap.detected_communities)
    assert dump["INTERACTS"] == dump_rows(snap.interactions)
    assert dump["AnalyticsRun"] == dump_rows([snap.run])


def test_unfiltered_skills_and_person_ids(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)  # its skills, and "go" which only a post's tag names
    assert [s.name for s in store.skills(first=2)] == ["go", "kubernetes"]  # by name
    assert [s.name for s in store.skills()] == ["go", "kubernetes", "python"]
    assert store.person_ids() == {p.id for p in batch.people}


def test_a_post_without_author_round_trips(store: GraphStore) -> None:
    anonymous = post(7, None)  # type: ignore[arg-type]
    store.write_batch(Batch(posts=[anonymous]))
    assert store.dump()["Post"] == dump_rows([anonymous])  # type: ignore[attr-defined]


def test_ties_between_shortest_paths_go_to_the_smallest_id_sequence(store: GraphStore) -> None:
    """0-1-4-5 and 0-3-2-5 are both shortest; the contract takes 0-1-4-5 (found by the SQLite/Neo4j parity run:
    meeting in the middle at the smallest id gave 0-3-2-5 on SQLite)."""
    people = [person(i) for i in range(6)]
    store.write_batch(Batch(people=people))
    snap = snapshot(people)
    snap.interactions = [
        Interaction(source_id=people[a].id, target_id=people[b].id, weight=1.0, count=1)
        for a, b in ((0, 1), (1, 4), (4, 5), (0, 3), (3, 2), (2, 5))
    ]
    store.write_analytics(snap)
    found = store.introduction_path(people[0].id, people[5].id, max_hops=4)
    assert found is not None
    assert [p.id for p in found] == [people[i].id for i in (0, 1, 4, 5)]
