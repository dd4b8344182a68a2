"""Brokers on real exports, checked against a hand count over the dump (../shared/data; skipped, saying so, where
absent), through the real path: ``whoknows ingest forum`` and ``whoknows analyze`` as subprocesses, the API over HTTP.

bicycles.meta's one site-wide community (310 people) tied each member to three others drawn at random; those ties
were most of the graph, so betweenness read the draw: freiheit was "on 22 % of shortest paths" where the site's
answers and comments put him on 37 %, every person lay on some shortest path and nobody was a cut vertex. The Slack
sample's four people, who never replied to one another, were all listed as brokers "on 0 % of shortest paths",
and as influencers #1 to #4 with the same score (0.2500), an order their ids made.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from app.auth import Role
from app.main import create_app
from tests.api.conftest import Api, LiveServer, api_settings
from tests.api.test_real_forum_explanations import run_whoknows

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SITE = DATA / "stackexchange-bicycles-meta"
SLACK = DATA / "slack-sample" / "testarchive.zip"
BRIDGES = ("{ bridges(first: 100) { rank betweenness articulationPoint explanation "
           "person { id name } } }")


def _serve(tmp: Path, *ingest: str) -> Iterator[Api]:
    for args in (("ingest", "forum", *ingest), ("analyze",)):
        done = run_whoknows(tmp, *args)
        assert done.returncode == 0, done.stderr + done.stdout
    settings = api_settings(tmp)
    with LiveServer(create_app(settings)) as server:
        client = Api(server.url, settings)
        yield client
        client.http.close()


@pytest.fixture(scope="module")
def site_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if not (SITE / "Posts.xml").is_file() or not (SITE / "Comments.xml").is_file():
        pytest.skip(f"{SITE} is absent: the shared Stack Exchange samples are not on this machine")
    yield from _serve(tmp_path_factory.mktemp("bicycles-meta"), str(SITE), "--format", "stackexchange")


@pytest.fixture(scope="module")
def slack_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if not SLACK.is_file():
        pytest.skip(f"{SLACK} is absent: the shared Slack sample is not on this machine")
    yield from _serve(tmp_path_factory.mktemp("slack"), str(SLACK), "--format", "slack")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    for _, e in ET.iterparse(path):
        if e.tag == "row":
            yield dict(e.attrib)
            e.clear()


def _hand_count() -> nx.Graph:
    """Who answered or commented on whose post, from the dump itself (the Community bot, id -1, left out)."""
    owner = {r["Id"]: r.get("OwnerUserId") for r in _rows(SITE / "Posts.xml")}
    g = nx.Graph()
    for r in _rows(SITE / "Posts.xml"):
        a, b = r.get("OwnerUserId"), owner.get(r.get("ParentId", ""))
        if r["PostTypeId"] == "2" and a and b and a != b:
            g.add_edge(a, b)
    for r in _rows(SITE / "Comments.xml"):
        a, b = r.get("UserId"), owner.get(r["PostId"])
        if a and b and a != b:
            g.add_edge(a, b)
    g.remove_nodes_from(["-1"])
    return g


def test_betweenness_is_the_share_of_shortest_paths_the_dump_shows(site_api: Api) -> None:
    rows = site_api.data(BRIDGES, role=Role.ANALYST)["bridges"]
    hand = nx.betweenness_centrality(_hand_count())
    top = sorted(hand, key=lambda v: -hand[v])[:3]
    got = {r["person"]["id"].rsplit(":", 1)[1]: r["betweenness"] for r in rows}
    assert [r["person"]["id"].rsplit(":", 1)[1] for r in rows[:3]] == top
    for v in top:  # the graph is the store's (deleted accounts and bots aside), so within a hair of the hand count
        assert got[v] == pytest.approx(hand[v], abs=0.015), (v, got[v], hand[v])
    said = re.search(r"on ([0-9.]+) % of shortest paths", rows[0]["explanation"])
    assert said is not None, rows[0]
    assert float(said[1]) == pytest.approx(100 * hand[top[0]], abs=1.5), rows[0]
    cut = set(nx.articulation_points(_hand_count()))
    assert any(r["articulationPoint"] for r in rows)  # askers with a single answerer hang on that answerer
    assert {r["person"]["id"].rsplit(":", 1)[1] for r in rows if r["articulationPoint"]} <= cut


def test_people_who_never_replied_to_anyone_are_no_brokers(slack_api: Api) -> None:
    assert slack_api.data(BRIDGES, role=Role.ANALYST)["bridges"] == []


def test_people_with_the_same_influence_share_their_rank(slack_api: Api) -> None:
    q = "query($n: Int!) { influencers(first: $n) { rank score explanation person { id } } }"
    rows = slack_api.data(q, {"n": 10}, role=Role.ANALYST)["influencers"]
    assert len(rows) == 4
    assert [r["score"] for r in rows] == pytest.approx([0.25] * 4)
    assert [r["rank"] for r in rows] == [1, 1, 1, 1]
    assert all(r["explanation"].startswith("#1 (tied) by PageRank") for r in rows), rows
    first = slack_api.data(q, {"n": 1}, role=Role.ANALYST)["influencers"]  # tied with the next, not shown
    assert first[0]["explanation"].startswith("#1 (tied) "), first


def test_members_of_both_channels_equal_on_everything_are_tied_bridges(slack_api: Api) -> None:
    """Between the sample's two channels, the four people (members of both, no replies) were bridges #1 to #4 on
    identical figures, each "on 0 % of shortest paths"; they share #1 and say so, and what is absent is said."""
    channels = [c["id"] for c in slack_api.data("{ communities { id kind } }")["communities"]]
    assert len(channels) == 2, channels
    q = "query($c: [ID!]) { bridges(communityIds: $c) { rank explanation } }"
    rows = slack_api.data(q, {"c": channels}, role=Role.ANALYST)["bridges"]
    assert [r["rank"] for r in rows] == [1, 1, 1, 1], rows
    for r in rows:
        assert r["explanation"].startswith("tied for #1; "), r
        assert r["explanation"].endswith("on no shortest path between others"), r


def test_a_sample_without_replies_says_so_instead_of_zero_percent_of_colleagues(slack_api: Api) -> None:
    rows = slack_api.data("{ influencers(first: 10) { explanation } }", role=Role.ANALYST)["influencers"]
    assert len(rows) == 4
    for r in rows:
        assert "has talked with 0 % of colleagues" not in r["explanation"], r
        assert "the data holds no replies or answers between people" in r["explanation"], r
    for c in slack_api.data("{ communities { id } }")["communities"]:
        q = "query($c: ID!) { influencers(communityId: $c) { explanation } }"
        for r in slack_api.data(q, {"c": c["id"]}, role=Role.ANALYST)["influencers"]:
            assert "(0 answers" not in r["explanation"], r  # nothing to say of replies no one could write
            assert "0 accepted" not in r["explanation"], r


@pytest.fixture(scope="module")
def coffee_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    site = DATA / "stackexchange-coffee"
    if not (site / "Posts.xml").is_file():
        pytest.skip(f"{site} is absent: the shared Stack Exchange samples are not on this machine")
    yield from _serve(tmp_path_factory.mktemp("coffee"), str(site), "--format", "stackexchange")


def test_people_routed_with_the_same_score_share_their_place(coffee_api: Api) -> None:
    """On coffee.stackexchange, "espresso" questions routed two people with the same score (0.431863 as served)
    to #1 and #2 in id order: a place is 1 + the people scored higher, whatever the list."""
    skills = [s["name"] for s in coffee_api.data("{ skills(first: 12) { name } }")["skills"]]
    q = "query($s: [String!]!) { expertsFor(question: {skills: $s}, first: 30) { experts { rank score } } }"
    tied = 0
    for skill in skills:
        rows = coffee_api.data(q, {"s": [skill]})["expertsFor"]["experts"]
        for r in rows:
            assert r["rank"] == 1 + sum(o["score"] > r["score"] for o in rows), (skill, rows)
        tied += len(rows) - len({r["rank"] for r in rows})
    assert tied > 0, "the coffee site's answerers include people the router cannot tell apart"
