"""The projection: tie directions, decay, privacy (opted-out, bots), self-replies, membership and reporting ties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import networkx as nx
import pytest

from graph.projection import TieWeights, decay, project
from graph.store.base import EndorsementRow, MembershipRow, PersonRow, PostRow, Projection
from schema.models import Community

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def person(pid: str, *, opted_out: bool = False, bot: bool = False, dept: str = "eng") -> PersonRow:
    return PersonRow(pid, dept, "Berlin", None, True, opted_out, bot, "hr", None)


def post(pid, kind, author, *, days_ago=0.0, parent=None, thread=None, community=None) -> PostRow:
    return PostRow(pid, kind, author, NOW - timedelta(days=days_ago), community, thread or (parent and "t"),
                   parent, (), 0, False)


def data(**kw) -> Projection:
    base = {"people": [], "posts": [], "memberships": [], "reports_to": [], "skills": [], "endorsements": [],
            "communities": []}
    return Projection(**{**base, **kw})


def ties(pg) -> dict:
    return {(t.source_id, t.target_id): t for t in pg.interactions}


def test_answer_reply_comment_and_endorsement_directions_and_weights() -> None:
    people = [person(p) for p in "abcd"]
    posts = [
        post("q", "question", "a", days_ago=30),
        post("x", "answer", "b", days_ago=30, parent="q", thread="q"),
        post("r", "reply", "c", days_ago=0, parent="x", thread="q"),
        post("m", "comment", "d", days_ago=0, parent="x", thread="q"),
        post("n", "answer", "d", days_ago=0, thread="q"),  # no parent: the thread's author is the asker
    ]
    endorsements = [EndorsementRow("a", "b", "python", NOW), EndorsementRow("a", "b", "go", None)]
    pg = project(data(people=people, posts=posts, endorsements=endorsements), half_life_days=30)
    t = ties(pg)
    assert set(t) == {("b", "a"), ("c", "b"), ("d", "b"), ("d", "a"), ("a", "b")}
    assert t[("b", "a")].weight == pytest.approx(0.5)  # one half-life old
    assert t[("c", "b")].weight == pytest.approx(1.0)
    assert t[("d", "b")].weight == pytest.approx(TieWeights().comment)
    assert t[("a", "b")].count == 2
    assert t[("a", "b")].weight == pytest.approx(2.0)
    assert pg.as_of == NOW  # the latest post
    g = pg.to_networkx()
    assert g["a"]["b"]["weight"] == pytest.approx(0.5 + 2.0)  # both directions summed in the undirected graph


def test_opted_out_people_lose_every_tie_and_their_posts_are_anonymous() -> None:
    people = [person("a"), person("b"), person("ghost", opted_out=True)]
    posts = [post("q", "question", "ghost"), post("x", "answer", "a", parent="q", thread="q"),
             post("q2", "question", "a"), post("y", "answer", "ghost", parent="q2", thread="q2")]
    pg = project(data(
        people=people, posts=posts, reports_to=[("a", "ghost"), ("b", "a")],
        memberships=[MembershipRow("ghost", "c1", None), MembershipRow("a", "c1", None)],
        endorsements=[EndorsementRow("ghost", "a", "go", None)],
    ))
    assert "ghost" not in pg.people
    assert "ghost" not in pg.graph.nodes
    assert not pg.interactions
    assert pg.reports_to == [("b", "a")]
    assert {m.person_id for m in pg.memberships} == {"a"}
    assert [p.author_id for p in pg.posts if p.id in {"q", "y"}] == [None, None]
    assert pg.stats["people_opted_out"] == 1
    assert pg.stats["posts_anonymised"] == 2


def test_bots_dropped_with_their_posts_and_self_replies_make_no_tie() -> None:
    people = [person("a"), person("b"), person("bot", bot=True)]
    posts = [post("q", "question", "a"), post("x", "answer", "bot", parent="q", thread="q"),
             post("s", "reply", "a", parent="q", thread="q"), post("t", "reply", "b", parent="q", thread="q")]
    pg = project(data(people=people, posts=posts))
    assert {p.id for p in pg.posts} == {"q", "s", "t"}
    assert set(ties(pg)) == {("b", "a")}
    assert pg.stats["self_replies"] == 1
    assert pg.stats["posts_by_bots"] == 1


def test_reporting_and_small_community_clique_ties() -> None:
    people = [person(p) for p in "abcdz"]
    members = [MembershipRow(p, "guild", None) for p in "abcd"]
    w = TieWeights(reports_to=2.0, membership=0.6)
    pg = project(data(people=people, memberships=members, reports_to=[("z", "a")]), weights=w)
    g = pg.to_networkx()
    assert g["z"]["a"]["weight"] == pytest.approx(2.0 + 0.0)
    assert g["a"]["b"]["weight"] == pytest.approx(0.6 / 3)  # each member gets 0.6 in total from the community
    assert sum(d["weight"] for _, _, d in g.edges("c", data=True)) == pytest.approx(0.6)
    assert nx.number_of_edges(g) == 6 + 1


def test_a_community_too_large_for_clique_ties_makes_none() -> None:
    """A community above ``clique_max`` members used to tie each member to three others drawn at random: on real
    Stack Exchange sites (one site-wide community) those random edges put every person on some shortest path and
    left no cut vertex. Now it makes no tie at all; its members' ties are their interactions."""
    people = [person(f"p{i:03d}") for i in range(40)]
    members = [MembershipRow(p.id, "all-hands", None) for p in people]
    w = TieWeights(clique_max=30)
    pg = project(data(people=people, memberships=members), weights=w)
    assert pg.graph.edge_count() == 0
    assert pg.stats["membership_ties"] == 0
    pg = project(data(people=people[:30], memberships=members[:30]), weights=w)
    assert pg.graph.edge_count() == 30 * 29 // 2  # up to clique_max: the clique


def test_decay_and_preconditions() -> None:
    assert decay(60, 30) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="half-life"):
        project(data(), half_life_days=0)
    with pytest.raises(ValueError, match="clique_max"):
        TieWeights(clique_max=1)
    empty = project(data(communities=[Community(id="forum:c", name="c", kind="forum", source="x")]))
    assert empty.graph.n == 0
    assert empty.interactions == []


def test_engagements_reactions_mentions_and_edits_become_weighted_ties() -> None:
    from graph.store.base import EngagementRow

    people = [person(p) for p in "abcd"] + [person("z", opted_out=True)]
    posts = [post("m1", "question", "a"), post("m2", "reply", "b", parent="m1", thread="m1")]
    eng = [
        EngagementRow("c", "m1", "reaction", NOW),  # c liked a's post: c -> a, endorsement-like
        EngagementRow("d", "m1", "mention", None),  # a mentioned d: a -> d
        EngagementRow("b", "m1", "edit", NOW - timedelta(days=180)),  # b edited a's page: b -> a, decayed
        EngagementRow("a", "m1", "reaction", NOW),  # liking one's own post: no tie
        EngagementRow("z", "m1", "reaction", NOW),  # opted out: no tie
        EngagementRow("c", "gone", "reaction", NOW),  # a post not in the store's projection: no tie
    ]
    pg = project(data(people=people, posts=posts, engagements=eng), half_life_days=180, as_of=NOW)
    t = ties(pg)
    assert t[("c", "a")].weight == pytest.approx(0.5)
    assert t[("a", "d")].weight == pytest.approx(0.5)
    assert t[("b", "a")].weight == pytest.approx(1.0 + 0.25)  # the reply (1.0) plus the half-decayed edit (0.5 / 2)
    assert ("a", "a") not in t
    assert not any("z" in k for k in t)
    assert pg.stats["engagement_ties"] == 3
    heavier = project(data(people=people, posts=posts, engagements=eng), half_life_days=180, as_of=NOW,
                      weights=TieWeights(reaction=2.0))
    assert ties(heavier)[("c", "a")].weight == pytest.approx(2.0)


def test_a_person_with_no_tie_is_in_no_detected_community() -> None:
    """Leiden puts a person without ties in a community of their own: on real Stack Exchange sites the askers
    nobody answered were counted, and labelled, as half the detected communities."""
    from graph.jobs import AnalyticsParams, compute_snapshot

    people = [person(p) for p in "abcdxy"]
    posts = [post("q1", "question", "a"), post("r1", "answer", "b", parent="q1"),
             post("r2", "answer", "c", parent="q1"), post("r3", "answer", "d", parent="q1"),
             post("q2", "question", "x"), post("q3", "question", "y")]
    snap = compute_snapshot(data(people=people, posts=posts), AnalyticsParams())
    community = {s.person_id: s.community for s in snap.person_scores}
    assert (community["x"], community["y"]) == (None, None)
    assert community["a"] is not None
    assert {community[p] for p in "abcd"} == {community["a"]}
    assert [d.size for d in snap.detected_communities] == [4]
