"""Neo4j ingest CREATEs what its own transaction found absent and MERGEs the rest: both give the same graph.

A post new in its batch is written with its edges by one CREATE statement, and so are the reporting line, skill
claims and memberships of a person created in the same transaction (graph/store/cypher/ingest.py says why). These tests
compare the relationships themselves, which ``dump()`` (records, as both stores hold them) does not show: the same
records written all at once, in pieces, twice, or updated afterwards give exactly the expected edges, none twice.
A CREATE that loses a race to another writer fails on the uniqueness constraint and the batch is written again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from graph.store.base import Batch, dump_rows
from graph.store.neo4j import Neo4jStore
from graph.store.neo4j import tx as neo4j_tx
from schema.errors import StoreError
from schema.models import HasSkill, MemberOf, Post, ReportsTo
from tests.conftest import Neo4jTarget
from tests.contract.neo4j_factory import make_neo4j_store
from tests.factories import person, post, small_org

pytestmark = pytest.mark.neo4j

# test-only read of every relationship between the ingest's nodes, by their keys
EDGES = (
    "MATCH (a)-[r]->(b) WHERE NOT a:AnalyticsRun "
    "RETURN coalesce(a.id, a.name) AS a, type(r) AS type, coalesce(b.id, b.name) AS b"
)

Edge = tuple[str, str, str]


@pytest.fixture
def neo(neo4j_target: Neo4jTarget) -> Iterator[Neo4jStore]:
    store = make_neo4j_store(neo4j_target)
    yield store
    store.close()


def stored_edges(store: Neo4jStore) -> Counter[Edge]:
    records, _, _ = store._live_driver().execute_query(EDGES)
    return Counter((r["a"], r["type"], r["b"]) for r in records)


def expected_edges(batch: Batch) -> Counter[Edge]:
    """The relationships the records of ``batch`` imply, once each (every post's parent is in the batch)."""
    edges: list[Edge] = []
    for p in batch.posts:
        if p.author_id:
            edges.append((p.author_id, "AUTHORED", p.id))
        if p.community_id:
            edges.append((p.id, "IN", p.community_id))
        if p.parent_id:
            edges.append((p.id, "REPLY_TO", p.parent_id))
        edges.extend((p.id, "TAGGED", t) for t in p.tags)
    edges.extend((r.person_id, "REPORTS_TO", r.manager_id) for r in batch.reports_to)
    edges.extend((h.person_id, "HAS_SKILL", h.skill) for h in batch.has_skill)
    edges.extend((m.person_id, "MEMBER_OF", m.community_id) for m in batch.memberships)
    edges.extend((e.from_id, "ENDORSED", e.to_id) for e in batch.endorsements)
    return Counter(edges)


def pieces(batch: Batch) -> Iterable[Batch]:
    """The same records in the order most unlike one batch: people alone first (so every edge of theirs is an
    update path), then each post alone with the replies before what they reply to."""
    yield Batch(people=batch.people, skills=batch.skills, communities=batch.communities)
    yield Batch(reports_to=batch.reports_to, has_skill=batch.has_skill, memberships=batch.memberships,
                endorsements=batch.endorsements)
    for p in sorted(batch.posts, key=lambda p: p.parent_id is None):
        yield Batch(posts=[p])


def test_one_batch_pieces_and_a_rewrite_give_the_same_edges(neo: Neo4jStore, neo4j_target: Neo4jTarget) -> None:
    batch = small_org()
    first = neo.write_batch(batch)
    assert first.total_updated == 0
    expected = expected_edges(batch)
    assert stored_edges(neo) == expected
    again = neo.write_batch(batch)
    assert again.total_inserted == again.total_updated == 0
    assert stored_edges(neo) == expected
    dump = neo.dump()

    other = make_neo4j_store(neo4j_target)  # the same database, emptied: the records again, in pieces
    try:
        for piece in pieces(batch):
            other.write_batch(piece)
        assert stored_edges(other) == expected
        assert other.dump() == dump
    finally:
        other.close()


def test_updates_move_edges_and_change_relationship_properties(neo: Neo4jStore) -> None:
    batch = small_org()
    neo.write_batch(batch)
    reply = next(p for p in batch.posts if p.kind == "comment")
    moved = reply.model_copy(update={
        "author_id": "hr:E0005", "community_id": "slack:data-science", "tags": ("go",),
        "parent_id": batch.posts[0].id,
    })
    claim = HasSkill(person_id="hr:E0001", skill="kubernetes", level=5)
    member = MemberOf(person_id="hr:E0002", community_id="slack:k8s-guild", role="moderator")
    line = ReportsTo(person_id="hr:E0003", manager_id="hr:E0001")  # a new manager replaces hr:E0000
    result = neo.write_batch(Batch(posts=[moved], has_skill=[claim], memberships=[member], reports_to=[line]))
    assert result.updated == {"posts": 1, "has_skill": 1, "memberships": 1, "reports_to": 1}
    now = Batch(
        posts=[moved if p.id == moved.id else p for p in batch.posts],
        reports_to=[line if r.person_id == line.person_id else r for r in batch.reports_to],
        has_skill=batch.has_skill,
        memberships=[m for m in batch.memberships if (m.person_id, m.community_id) != ("hr:E0002", "slack:k8s-guild")]
        + [member],
        endorsements=batch.endorsements,
    )
    assert stored_edges(neo) == expected_edges(now)
    dump = neo.dump()
    assert dump_rows([claim])[0] in dump["HAS_SKILL"]
    assert dump_rows([member])[0] in dump["MEMBER_OF"]
    assert dump_rows([moved])[0] in dump["Post"]


def _stale_reads(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """The batch's read of existing keys answers "none" ``times`` times, as if it ran before another writer's
    transaction committed those keys: the real CREATE then meets the real uniqueness constraint."""
    real: Callable[..., dict[Any, Any]] = neo4j_tx._by_key
    calls = [0]

    def stale(tx: Any, fetch: Any, rows: Any, key: str) -> dict[Any, Any]:
        calls[0] += 1
        return {} if calls[0] <= times else real(tx, fetch, rows, key)

    monkeypatch.setattr(neo4j_tx, "_by_key", stale)
    return calls


def test_a_create_that_lost_a_race_is_written_again_as_an_update(
    neo: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = person(1)
    neo.write_batch(Batch(people=[author]))
    first = post(1, author.id)
    neo.write_batch(Batch(posts=[first]))
    newer = first.model_copy(update={"score": 9})
    calls = _stale_reads(monkeypatch, times=1)
    result = neo.write_batch(Batch(posts=[newer]))
    assert calls[0] == 2  # the losing attempt, then the one that found the post
    assert result.inserted.get("posts", 0) == 0
    assert result.updated == {"posts": 1}
    assert neo.dump()["Post"] == dump_rows([newer])
    assert stored_edges(neo) == expected_edges(Batch(posts=[newer]))


def test_a_race_lost_every_time_is_a_store_error(neo: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    neo.write_batch(Batch(people=[person(1)]))
    _stale_reads(monkeypatch, times=10**6)
    with pytest.raises(StoreError, match="constraint"):
        neo.write_batch(Batch(people=[person(1, title="Again")]))
    assert neo.dump()["Person"] == dump_rows([person(1)])


def test_post_rows_keep_their_instant_through_the_text_encoding(neo: Neo4jStore) -> None:
    """Created posts and memberships send datetimes as ISO-8601 text; what comes back is the same instant."""
    from datetime import UTC, datetime, timedelta, timezone

    author = person(1)
    when = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=timezone(timedelta(hours=-5)))
    p = Post(id="x:1", kind="question", author_id=author.id, created_at=when, source="x")
    m = MemberOf(person_id=author.id, community_id="slack:k8s-guild", since=when)
    batch = small_org()
    neo.write_batch(Batch(people=[author], communities=batch.communities, posts=[p], memberships=[m]))
    dump = neo.dump()
    assert dump["Post"] == dump_rows([p])
    assert dump["MEMBER_OF"] == dump_rows([m])
    stored = neo.read_projection().posts[0]
    assert stored.created_at == when
    assert stored.created_at.tzinfo == UTC
