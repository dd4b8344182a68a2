"""``reach`` on every store: the ties since a time, and when a person last acted (seeding's recent window,
app/graphql/seeds.py). Both stores must answer the same, or seeds would differ between SQLite and Neo4j."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from graph.store.base import Batch, GraphStore
from schema.models import Interaction
from tests.factories import T0, person, post, snapshot

DAY = timedelta(days=1)


def _org(store: GraphStore) -> list[str]:
    """Five people: 0 answered 1 long ago and 2 lately; 3 answered 0 lately (a tie made *to* 0); 4 never acted;
    one undated tie from 0 to 4 (the projection weighs an undated tie as new)."""
    people = [person(i) for i in range(5)]
    ids = [p.id for p in people]
    posts = [post(1, ids[0], created_at=T0 - 900 * DAY), post(2, ids[1], created_at=T0 - 1000 * DAY),
             post(3, ids[3], created_at=T0 - 2 * DAY)]
    store.write_batch(Batch(people=people, posts=posts))
    snap = snapshot(people)
    snap = dataclasses.replace(snap, interactions=[
        Interaction(source_id=ids[0], target_id=ids[1], weight=0.1, count=1, last_at=T0 - 900 * DAY),
        Interaction(source_id=ids[0], target_id=ids[2], weight=0.9, count=1, last_at=T0 - 30 * DAY),
        Interaction(source_id=ids[3], target_id=ids[0], weight=1.0, count=1, last_at=T0 - 1 * DAY),
        Interaction(source_id=ids[0], target_id=ids[4], weight=1.0, count=1, last_at=None),
    ])
    store.write_analytics(snap)
    return ids


def test_reach_since_counts_only_the_ties_whose_latest_event_is_recent(store: GraphStore) -> None:
    ids = _org(store)
    ever = store.reach([ids[0]])[ids[0]]
    assert ever.neighbours == {ids[1], ids[2], ids[3], ids[4]}
    recent = store.reach([ids[0]], since=T0 - 180 * DAY)[ids[0]]
    assert recent.neighbours == {ids[2], ids[3], ids[4]}  # the 900-day-old tie to 1 is left out; undated counts
    assert recent.communities == ever.communities


def test_last_active_is_the_persons_own_latest_post_or_tie(store: GraphStore) -> None:
    """0's latest own act is the answer to 2 (30 days ago), not 3's answer to 0 (a day ago: someone else's act);
    1 only posted 1000 days ago; 4 never acted."""
    ids = _org(store)
    reach = store.reach(ids, since=T0 - 180 * DAY)
    assert reach[ids[0]].last_active == T0 - 30 * DAY
    assert reach[ids[1]].last_active == T0 - 1000 * DAY
    assert reach[ids[3]].last_active == T0 - 1 * DAY
    assert reach[ids[4]].last_active is None
    assert store.reach([], since=T0) == {}
