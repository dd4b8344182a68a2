"""Contract of the reads only the web pages make, on every store: facets, community sizes, departments and
leaderboards, a person's weekly activity, and the ties among a set of people. Opted-out people count nowhere."""

from __future__ import annotations

from datetime import date, timedelta

from graph.store.base import Batch, GraphStore
from schema.models import Interaction, MemberOf
from tests.factories import T0, community, person, post, snapshot


def _org(store: GraphStore) -> list:
    people = [
        person(0, department="Engineering", location="Berlin"),
        person(1, department="Engineering", location="Paris"),
        person(2, department="Sales", location="Berlin"),
        person(3, department="Sales", location="Tokyo", opted_out=True),
        person(4, department="Legal", location="Lima", active=False),
        person(5, department=None, location="Berlin"),
    ]
    comms = [community("eng"), community("sales")]
    members = [MemberOf(person_id=p.id, community_id="slack:eng") for p in people]
    members.append(MemberOf(person_id=people[2].id, community_id="slack:sales"))
    posts = [
        post(1, people[0].id, community_id="slack:eng", kind="question"),
        post(2, people[1].id, community_id="slack:eng", kind="answer", accepted=True, parent_id="stackexchange/demo:1",
             thread_id="stackexchange/demo:1"),
        post(3, people[1].id, community_id="slack:eng", kind="answer", created_at=T0 + timedelta(days=8),
             parent_id="stackexchange/demo:1", thread_id="stackexchange/demo:1"),
        post(4, people[3].id, community_id="slack:eng", kind="answer"),  # opted out: counts nowhere
        post(5, people[0].id, community_id="slack:eng", kind="question", created_at=T0 - timedelta(days=400)),
    ]
    store.write_batch(Batch(people=people, communities=comms, memberships=members, posts=posts))
    return people


def test_directory_facets_are_the_visible_people_s_values(store: GraphStore) -> None:
    _org(store)
    facets = store.directory_facets()
    assert facets["department"] == ["Engineering", "Sales"]  # not the opted-out's nor the leaver's
    assert facets["location"] == ["Berlin", "Paris"]


def test_community_sizes_and_departments_count_visible_members(store: GraphStore) -> None:
    _org(store)
    assert store.community_sizes() == {"slack:eng": 4, "slack:sales": 1}
    assert store.community_sizes(["slack:sales", "slack:none"]) == {"slack:sales": 1}
    assert store.community_departments("slack:eng") == {"Engineering": 2, "Sales": 1, None: 1}
    assert store.community_departments("slack:none") == {}


def test_sizes_departments_and_facets_follow_every_write(store: GraphStore) -> None:
    """Neo4j memoises these whole-store walks per data version: read warm, then an opt-out and a new member show
    in the very next read."""
    people = _org(store)
    for _ in range(2):
        assert store.community_sizes()["slack:eng"] == 4
        assert store.community_sizes(["slack:sales"]) == {"slack:sales": 1}
        assert store.community_departments("slack:eng")["Engineering"] == 2
        assert store.directory_facets()["location"] == ["Berlin", "Paris"]
    store.write_batch(Batch(people=[people[1].model_copy(update={"opted_out": True})]))
    assert store.community_sizes()["slack:eng"] == 3
    assert store.community_departments("slack:eng")["Engineering"] == 1
    assert store.directory_facets()["location"] == ["Berlin"]
    store.write_batch(Batch(memberships=[MemberOf(person_id=people[0].id, community_id="slack:sales")]))
    assert store.community_sizes(["slack:sales"]) == {"slack:sales": 2}
    assert store.community_sizes() == {"slack:eng": 3, "slack:sales": 2}


def test_community_contributors_rank_by_posts_since_a_date(store: GraphStore) -> None:
    people = _org(store)
    rows = store.community_contributors("slack:eng", first=10, since=T0 - timedelta(days=1))
    assert [(r.person.id, r.posts, r.answers, r.accepted) for r in rows] == [
        (people[1].id, 2, 2, 1), (people[0].id, 1, 0, 0),
    ]
    assert rows[0].last_at == T0 + timedelta(days=8)
    everything = store.community_contributors("slack:eng", first=10)
    assert [(r.person.id, r.posts) for r in everything] == [(people[1].id, 2), (people[0].id, 2)]  # accepted first
    assert len(store.community_contributors("slack:eng", first=1)) == 1


def test_leaderboard_helping_is_answering_someone_else(store: GraphStore) -> None:
    """"Helping" on a community's leaderboard is answering, replying to or commenting in someone else's thread:
    a Stack Exchange self-answer (accepted by its own author) and follow-ups in one's own thread are not help. A
    thread whose root is not in the store (or has no author) is someone else's."""
    people = _org(store)
    q1 = "stackexchange/demo:1"  # people[0]'s question, which people[1] answered (accepted)
    store.write_batch(Batch(posts=[
        post(10, people[0].id, community_id="slack:eng", kind="answer", accepted=True, parent_id=q1, thread_id=q1),
        post(11, people[0].id, community_id="slack:eng", kind="comment", parent_id=q1, thread_id=q1),
        post(12, people[0].id, community_id="slack:eng", kind="reply", parent_id="gone:1", thread_id="gone:1"),
        post(13, people[1].id, community_id="slack:eng", kind="comment", parent_id=q1, thread_id=q1),
    ]))
    rows = store.community_contributors("slack:eng", first=10, since=T0 - timedelta(days=1))
    assert [(r.person.id, r.posts, r.answers, r.accepted) for r in rows] == [
        (people[0].id, 4, 1, 0), (people[1].id, 3, 3, 1),
    ]


def test_person_activity_counts_posts_per_iso_week_and_kind(store: GraphStore) -> None:
    people = _org(store)
    week = T0.date() - timedelta(days=T0.weekday())
    assert [(w.week, w.kind, w.posts) for w in store.person_activity(people[1].id)] == [
        (week, "answer", 1), (week + timedelta(weeks=1), "answer", 1),
    ]
    assert [(w.week, w.posts) for w in store.person_activity(people[0].id, since=date(2024, 12, 1))] == [(week, 1)]
    assert store.person_activity(people[3].id) == []  # opted out
    assert store.person_activity("hr:nobody") == []


def test_person_activity_keeps_each_source_apart(store: GraphStore) -> None:
    """Each row says its posts' source, so the person page calls a Slack top-level post a message, not a question
    (before, "33 questions" for a Slack person); one week's questions from two sources are two rows."""
    people = _org(store)
    week = T0.date() - timedelta(days=T0.weekday())
    chat = [post(10 + i, people[0].id, id=f"slack:eng/{i}", source="slack", community_id="slack:eng",
                 kind="reply" if i else "question", thread_id="slack:eng/0", parent_id="slack:eng/0" if i else None)
            for i in range(3)]
    store.write_batch(Batch(posts=chat))
    rows = store.person_activity(people[0].id, since=date(2024, 12, 1))
    assert [(w.week, w.kind, w.source, w.posts) for w in rows] == [
        (week, "question", "slack", 1), (week, "question", "stackexchange/demo", 1), (week, "reply", "slack", 2),
    ]
    assert {w.source for w in store.person_activity(people[1].id)} == {"stackexchange/demo"}


def test_interactions_among_a_set_are_undirected_and_skip_opted_out(store: GraphStore) -> None:
    people = _org(store)
    snap = snapshot(people)
    snap.interactions = [
        Interaction(source_id=people[0].id, target_id=people[1].id, weight=1.0, count=1),
        Interaction(source_id=people[1].id, target_id=people[0].id, weight=0.5, count=1),
        Interaction(source_id=people[1].id, target_id=people[2].id, weight=2.0, count=1),
        Interaction(source_id=people[3].id, target_id=people[0].id, weight=9.0, count=1),
    ]
    store.write_analytics(snap)
    ids = [p.id for p in people]
    assert store.interactions_among(ids) == [(people[0].id, people[1].id, 1.5), (people[1].id, people[2].id, 2.0)]
    assert store.interactions_among([people[0].id, people[2].id]) == []
    assert store.interactions_among([]) == []
