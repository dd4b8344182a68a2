"""Rankings that say when people are tied, and explanations that say what the data lacks rather than a figure over
nothing: small organisations written here, analysed by the real job, read over HTTP (API on both stores, the
community page on SQLite). The same on the real Slack sample is in tests/api/test_real_brokerage.py.

Seen on a real Slack export whose people never replied to one another: four members of both channels were bridges
#1 to #4 on identical figures (influencers already said "#1 (tied)"), each "on 0 % of shortest paths", and every
person "has talked with 0 % of colleagues", which reads as a verdict where the data simply holds no replies. A
community's leaderboard counted a self-answer and comments under one's own question as helping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.settings import load_settings
from app.web.devlinks import dev_link
from graph.jobs import AnalyticsParams, run_analytics
from graph.store.base import Batch, GraphStore
from graph.store.sqlite import SQLiteStore
from schema.models import MemberOf
from tests.api.conftest import Api, LiveServer, serve_filled
from tests.factories import T0, community, person, post

BOTH = ("slack:eng", "slack:sales")


def _silent_channels(store: GraphStore) -> None:
    """Four members of both channels and two of one, each posting top-level messages only: no replies at all."""
    people = [person(i) for i in range(6)]
    members = [MemberOf(person_id=p.id, community_id=c) for p in people[:4] for c in BOTH]
    members += [MemberOf(person_id=p.id, community_id="slack:eng") for p in people[4:]]
    posts = [post(10 * i + k, p.id, community_id=BOTH[k % 2], created_at=T0 + timedelta(hours=10 * i + k))
             for i, p in enumerate(people) for k in range(2)]
    store.write_batch(Batch(people=people, communities=[community("eng"), community("sales")], memberships=members,
                            posts=posts))
    run_analytics(store, AnalyticsParams())


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)], scope="module")
def silent(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve_filled(request, tmp_path_factory.mktemp("silent-channels"), _silent_channels)


def test_bridges_equal_on_every_measure_share_their_rank_and_say_so(silent: Api) -> None:
    q = """query($n: Int!, $c: [ID!]) { bridges(first: $n, communityIds: $c) { rank explanation person { id } } }"""
    rows = silent.data(q, {"n": 10, "c": list(BOTH)}, role=Role.ANALYST)["bridges"]
    assert [r["rank"] for r in rows] == [1, 1, 1, 1], rows
    assert all(r["explanation"].startswith("tied for #1; member of eng; member of sales") for r in rows), rows
    first = silent.data(q, {"n": 1, "c": list(BOTH)}, role=Role.ANALYST)["bridges"]  # tied with the next, unseen
    assert first[0]["explanation"].startswith("tied for #1; "), first


def test_no_shortest_path_and_no_conversation_are_said_in_words_not_as_zero_percent(silent: Api) -> None:
    rows = silent.data("""query($c: [ID!]) { bridges(communityIds: $c) { explanation } }""", {"c": list(BOTH)},
                       role=Role.ANALYST)["bridges"]
    assert len(rows) == 4
    assert all(r["explanation"].endswith("on no shortest path between others") for r in rows), rows
    people = silent.data("{ influencers(first: 10) { rank explanation } }", role=Role.ANALYST)["influencers"]
    assert people, "everyone is ranked by their membership ties"
    for r in people:
        assert not re.search(r"(?<![\d.])0 % of", r["explanation"]), r
        assert r["explanation"].endswith(
            "the data holds no replies or answers between people, so conversations cannot be measured"), r
        assert "weighted towards recent activity" not in r["explanation"], r  # membership ties never decay
    q = '{ influencers(communityId: "slack:eng") { explanation } }'
    for r in silent.data(q, role=Role.ANALYST)["influencers"]:  # "(0 answers, ..., 0 accepted)" said nothing
        assert re.search(r"; 1 post there in the 90 days to \d+ \w+ \d{4}$", r["explanation"]), r


def _help_desk(store: GraphStore) -> None:
    """Ann asks, answers herself (accepted) and comments under her own question; Bob and Cy each help twice in
    someone else's thread; Dee asks once. Five more members make the community large enough to show."""
    people = [person(i) for i in range(9)]
    ann, bob, cy, dee = (p.id for p in people[:4])
    c = "slack:help"
    q1, q2 = "stackexchange/demo:1", "stackexchange/demo:2"
    posts = [
        post(1, ann, community_id=c),
        post(2, dee, community_id=c),
        post(3, ann, kind="answer", parent_id=q1, thread_id=q1, accepted=True, community_id=c),
        post(4, ann, kind="comment", parent_id=q1, thread_id=q1, community_id=c),
        post(5, bob, kind="answer", parent_id=q1, thread_id=q1, community_id=c),
        post(6, bob, kind="answer", parent_id=q2, thread_id=q2, community_id=c),
        post(7, cy, kind="comment", parent_id=q1, thread_id=q1, community_id=c),
        post(8, cy, kind="answer", parent_id=q2, thread_id=q2, community_id=c),
    ]
    store.write_batch(Batch(people=people, communities=[community("help")], posts=posts,
                            memberships=[MemberOf(person_id=p.id, community_id=c) for p in people]))
    run_analytics(store, AnalyticsParams())


@pytest.fixture(scope="module")
def help_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("help-desk")
    store = SQLiteStore(tmp / "whoknows.db")
    try:
        _help_desk(store)
        settings = load_settings(env="development", store=f"sqlite:///{tmp / 'whoknows.db'}",
                                 response_cache_ttl_s=0.0, session_secret="ties-test-session-secret-0123456789abcdef")
        with LiveServer(create_app(settings, store=store)) as server, \
                httpx.Client(base_url=server.url, timeout=60) as client:
            signed_in = client.get(dev_link(settings, server.url, "hr:E0008", "Ana Lyst", Role.ANALYST))
            assert signed_in.status_code == 303, signed_in.text
            page = client.get("/communities/slack:help")
            assert page.status_code == 200, page.text
            yield page.text
    finally:
        store.close()


def test_the_leaderboard_counts_help_to_others_and_ranks_equals_alike(help_page: str) -> None:
    table = help_page.split('aria-label="Top contributors, table"', 1)[1].split("</table>", 1)[0]
    heads = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    assert heads[:4] == ["#", "Person", "Posts", "Helping others"], heads
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", td)).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)]
    got = [(r[0], r[1], r[2], r[3]) for r in rows]
    assert got == [("1", "Person 0", "3", "0"), ("2", "Person 1", "2", "2"), ("2", "Person 2", "2", "2"),
                   ("4", "Person 3", "1", "0")], got
    said = html.unescape(re.sub(r"<[^>]+>", "", help_page))
    assert "in someone else's thread (not those in one's own)" in said

