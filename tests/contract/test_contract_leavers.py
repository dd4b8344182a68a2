"""Leavers (inactive in HR) are reached no more: not in ``reach``, not in a bridge's ties into a community, not at
the end of an introduction path. The ties with them stay in the store and in historical figures; only what counts as
reachable now leaves them out."""

from __future__ import annotations

import dataclasses

from graph.store.base import Batch, GraphStore
from schema.models import Interaction, MemberOf
from tests.factories import T0, community, person, snapshot


def test_reach_leaves_out_people_who_have_left(store: GraphStore) -> None:
    people = [person(0), person(1), person(2, active=False), person(3, opted_out=True)]
    ids = [p.id for p in people]
    store.write_batch(Batch(people=people))
    snap = dataclasses.replace(snapshot(people), interactions=[
        Interaction(source_id=ids[0], target_id=ids[1], weight=1.0, count=1, last_at=T0),
        Interaction(source_id=ids[0], target_id=ids[2], weight=1.0, count=1, last_at=T0),  # to the leaver
        Interaction(source_id=ids[2], target_id=ids[1], weight=1.0, count=1, last_at=None),  # from the leaver
        Interaction(source_id=ids[3], target_id=ids[0], weight=1.0, count=1, last_at=T0),
    ])
    store.write_analytics(snap)
    for since in (None, T0):
        reach = store.reach(ids[:2], since=since)
        assert reach[ids[0]].neighbours == {ids[1]}
        assert reach[ids[1]].neighbours == {ids[0]}


def test_bridge_ties_into_a_community_leave_out_leavers(store: GraphStore) -> None:
    """The bridge (a member of eng) talked with two sales members, one of whom has left: one tie into sales now."""
    people = [person(0), person(1), person(2, active=False), person(3)]
    bridge, stayed, left, colleague = people
    store.write_batch(Batch(
        people=people, communities=[community("eng"), community("sales")],
        memberships=[MemberOf(person_id=p.id, community_id="slack:eng") for p in (bridge, colleague)]
        + [MemberOf(person_id=p.id, community_id="slack:sales") for p in (stayed, left)],
    ))
    snap = snapshot(people)
    snap.interactions = [Interaction(source_id=bridge.id, target_id=q.id, weight=1.0, count=1)
                         for q in (stayed, left, colleague)]
    store.write_analytics(snap)
    hits = store.brokers(first=10, community_ids=["slack:eng", "slack:sales"])
    sides = {b.person.id: [(s.member, s.ties) for s in b.sides] for b in hits}
    assert sides[bridge.id] == [(True, 1), (False, 1)]


def test_no_introduction_path_ends_at_a_leaver(store: GraphStore) -> None:
    """Every step of a path after the first is someone still here, its end included (a leaver may start one, as on
    their own page). On SQLite, a path to a leaver met them from their side of the search, then could not walk to
    them, and the API answered an internal error."""
    people = [person(0), person(1), person(2), person(3, active=False)]
    ids = [p.id for p in people]
    store.write_batch(Batch(people=people))
    snap = dataclasses.replace(snapshot(people), interactions=[
        Interaction(source_id=a, target_id=b, weight=1.0, count=1, last_at=T0)
        for a, b in zip(ids, ids[1:], strict=False)
    ])
    store.write_analytics(snap)
    for start in ids[:3]:
        for hops in (1, 2, 3, 4, 8):
            assert store.introduction_path(start, ids[3], max_hops=hops) is None
    assert [p.id for p in store.introduction_path(ids[3], ids[1]) or []] == [ids[3], ids[2], ids[1]]
    assert [p.id for p in store.introduction_path(ids[0], ids[2]) or []] == ids[:3]
