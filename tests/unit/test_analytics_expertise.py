"""Expertise: evidence counted exactly, declared-only below demonstrated, recency, ExpertiseRank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import networkx as nx
import pytest

from graph.analytics.expertise import compute_expertise, expertise_rank
from schema.labels import EvidenceKind

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def q(pid: str, author: str, tags: tuple[str, ...], days_ago: float = 10) -> SimpleNamespace:
    return SimpleNamespace(id=pid, kind="question", author_id=author, created_at=NOW - timedelta(days=days_ago),
                           thread_id=pid, parent_id=None, tags=tags, score=0, accepted=False)


def a(pid: str, author: str, question: str, *, score: int = 0, accepted: bool = False, days_ago: float = 9,
      kind: str = "answer") -> SimpleNamespace:
    return SimpleNamespace(id=pid, kind=kind, author_id=author, created_at=NOW - timedelta(days=days_ago),
                           thread_id=question, parent_id=question, tags=(), score=score, accepted=accepted)


def claim(person: str, skill: str, level: int | None) -> SimpleNamespace:
    return SimpleNamespace(person_id=person, skill=skill, level=level)


def endorse(src: str, dst: str, skill: str) -> SimpleNamespace:
    return SimpleNamespace(from_id=src, to_id=dst, skill=skill, created_at=NOW - timedelta(days=1))


def by_key(rows):
    return {(r.person_id, r.skill): r for r in rows}


def evidence(row) -> dict:
    return {e.kind: e.count for e in row.evidence}


def test_evidence_counts_are_exact() -> None:
    posts = [
        q("q1", "ann", ("python", "pandas")),
        q("q2", "ann", ("python",)),
        a("a1", "bob", "q1", score=4, accepted=True),
        a("a2", "bob", "q2", score=-1),
        a("a3", "cy", "q2", score=2),
        a("c1", "dee", "q2", kind="comment"),  # comments are not answers
        a("a4", "ann", "q2"),  # answering one's own question: an answer, but no ExpertiseRank edge
    ]
    rows = by_key(compute_expertise(
        posts,
        [claim("bob", "python", 4), claim("eve", "python", None)],
        [endorse("cy", "bob", "python"), endorse("cy", "bob", "python"), endorse("dee", "bob", "python"),
         endorse("bob", "bob", "python")],
        as_of=NOW,
    ))
    bob = evidence(rows[("bob", "python")])
    assert bob == {EvidenceKind.DECLARED: 4, EvidenceKind.ANSWERS: 2, EvidenceKind.ACCEPTED_ANSWERS: 1,
                   EvidenceKind.VOTES: 3, EvidenceKind.ENDORSEMENTS: 2, EvidenceKind.EXPERTISE_RANK: 1}
    assert evidence(rows[("bob", "pandas")])[EvidenceKind.ANSWERS] == 1  # tags inherited from the question
    assert evidence(rows[("ann", "python")])[EvidenceKind.QUESTIONS] == 2
    assert ("ann", "pandas") not in rows  # asking alone is not expertise
    assert ("dee", "python") not in rows
    assert evidence(rows[("eve", "python")]) == {EvidenceKind.DECLARED: 0}
    assert rows[("bob", "python")].last_active == NOW - timedelta(days=1)  # the endorsement


def test_declared_only_ranks_below_any_demonstrated_evidence() -> None:
    posts = [q("q1", "ann", ("go",)), a("a1", "min", "q1", score=-3, days_ago=2000)]
    rows = by_key(compute_expertise(
        posts, [claim("pro", "go", 5), claim("min", "go", 1)], [endorse("x", "peer", "go")], as_of=NOW
    ))
    declared_only = rows[("pro", "go")].score
    assert declared_only < rows[("min", "go")].score  # one old, downvoted answer still beats a level-5 claim
    assert declared_only < rows[("peer", "go")].score  # so does one peer endorsement
    assert all(0 < r.score <= 1 for r in rows.values())


def test_recent_evidence_outranks_the_same_evidence_older() -> None:
    posts = [q("q1", "ann", ("rust",), days_ago=800), q("q2", "ann", ("rust",), days_ago=5),
             a("old", "old", "q1", days_ago=799, accepted=True), a("new", "new", "q2", days_ago=4, accepted=True)]
    rows = by_key(compute_expertise(posts, as_of=NOW, half_life_days=180))
    assert rows[("new", "rust")].score > rows[("old", "rust")].score
    # with a very long half-life they are (almost) the same
    flat = by_key(compute_expertise(posts, as_of=NOW, half_life_days=1e9))
    assert flat[("new", "rust")].score == pytest.approx(flat[("old", "rust")].score, abs=1e-6)


def test_expertise_rank_rewards_answering_the_answerers() -> None:
    # ann and bob answer questions; both answer as many questions, but "guru" answers ann and bob, who are
    # themselves answerers, while "plain" answers newcomers (Zhang, Ackerman & Adamic 2007).
    posts = []
    for i, (asker, who) in enumerate([("n1", "ann"), ("n2", "ann"), ("n3", "bob"), ("n4", "bob"),
                                      ("ann", "guru"), ("bob", "guru"), ("n5", "plain"), ("n6", "plain")]):
        posts += [q(f"q{i}", asker, ("sql",)), a(f"a{i}", who, f"q{i}")]
    rows = by_key(compute_expertise(posts, as_of=NOW))
    assert rows[("guru", "sql")].expertise_rank > rows[("plain", "sql")].expertise_rank
    assert rows[("guru", "sql")].score > rows[("plain", "sql")].score


def test_expertise_rank_is_pagerank_on_asker_to_answerer_graph() -> None:
    edges = [("a", "b"), ("a", "b"), ("c", "b"), ("b", "d"), ("e", "d")]
    g = nx.DiGraph()
    for u, v in edges:
        w = g.get_edge_data(u, v, {"weight": 0})["weight"]
        g.add_edge(u, v, weight=w + 1)
    ref = nx.pagerank(g, tol=1e-12)
    got = expertise_rank(edges)
    assert got == pytest.approx(ref, abs=1e-6)


def test_future_posts_are_ignored_and_preconditions() -> None:
    posts = [q("q1", "ann", ("c",)), a("a1", "bob", "q1", days_ago=-5)]
    assert compute_expertise(posts, as_of=NOW) == []
    with pytest.raises(ValueError, match="half-life"):
        compute_expertise([], as_of=NOW, half_life_days=0)


def test_answerers_equal_in_the_answer_network_share_their_place() -> None:
    """Two answerers in mirror positions (each answering one asker of their own, as the third answers both) have the
    same ExpertiseRank: the evidence says the same place for both, not #2 and #3 by the order of their ids."""
    posts = [q("q1", "ann", ("go",)), q("q2", "ben", ("go",)), q("q3", "zed", ("go",)), q("q4", "amy", ("go",)),
             a("a1", "xia", "q1"), a("a2", "yan", "q2"), a("a3", "wes", "q3"), a("a4", "wes", "q4")]
    rows = by_key(compute_expertise(posts, [], [], as_of=NOW))
    places = {p: evidence(rows[(p, "go")])[EvidenceKind.EXPERTISE_RANK] for p in ("wes", "xia", "yan")}
    assert places == {"wes": 1, "xia": 2, "yan": 2}
