"""Privacy over HTTP: opted-out people never appear in any person-returning field, whatever the query and role,
and aggregates over fewer than 5 people are withheld.

The opted-out person (E0007) is, in the fixture, the best expert, the top influencer in every scope, the top broker,
a member of every community, E0009's manager and the only one-hop link between E0001 and E0003: every query has a
reason to return them. Each query runs as admin (who sees the most) and the whole response is searched for any trace
of them (id, name, email).

Aggregates the API serves: community health figures (withheld per period, see app/graphql/explain.py), and the
counts of *listed* people (``totalCount``), which only count people a caller may list one by one anyway; seed gains
count people reached, never fewer than the seed itself, and never name anyone not returned.
"""

from __future__ import annotations

import json

import pytest

from app.auth import Role
from tests.api.conftest import OPTED_OUT, Api, pid

TRACES = (OPTED_OUT, "Person 7\"", "p7@example.com")

PERSON = "id name email manager { id name } communities { id }"
QUERIES = {
    "experts": '{ experts(skill: "kubernetes", first: 100) { totalCount edges { node { person { '
               + PERSON + " } } } } }",
    "experts_filtered": '{ experts(skill: "kubernetes", first: 100, department: "Engineering", location: "Berlin") '
                        "{ edges { node { person { id } } } } }",
    "experts_python": '{ experts(skill: "python", first: 100) { edges { node { person { id } } } } }',
    "person_opted_out": f'{{ person(id: "{OPTED_OUT}") {{ {PERSON} }} }}',
    "person_managed_by_opted_out": f'{{ person(id: "{pid(9)}") {{ {PERSON} }} }}',
    "community_members": "{ communities(first: 10) { id members(first: 100) { totalCount edges { node { "
                         + PERSON + " } } } } }",
    "community": '{ community(id: "slack:tiny") { members { totalCount edges { node { id name } } } } }',
    "influencers_global": "{ influencers(first: 100) { person { id name } } }",
    "influencers_skill": '{ influencers(skill: "kubernetes", first: 100) { person { id name } } }',
    "influencers_community": '{ influencers(communityId: "slack:k8s-guild", first: 100) { person { id name } } }',
    "bridges": "{ bridges(first: 100) { person { id name } } }",
    "bridges_between": '{ bridges(first: 100, communityIds: ["slack:tiny", "slack:k8s-guild"]) { person { id } } }',
    "seed_candidates": '{ seedCandidates(skill: "kubernetes", count: 100) { person { id name } } }',
    "seed_candidates_python": '{ seedCandidates(skill: "python", count: 10) { person { id name } } }',
    "introduction_path": f'{{ introductionPath(fromId: "{pid(1)}", toId: "{pid(3)}") {{ id name }} }}',
    "introduction_path_to": f'{{ introductionPath(fromId: "{pid(1)}", toId: "{OPTED_OUT}") {{ id }} }}',
    "introduction_path_from": f'{{ introductionPath(fromId: "{OPTED_OUT}", toId: "{pid(1)}") {{ id }} }}',
    "skills": "{ skills(first: 100) { name aliases } }",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_opted_out_person_never_appears(api: Api, name: str) -> None:
    body = api.gql(QUERIES[name], role=Role.ADMIN)
    assert "errors" not in body, body
    text = json.dumps(body)
    for trace in TRACES:
        assert trace not in text, f"{name} leaks the opted-out person ({trace})"


def test_opted_out_person_would_otherwise_lead(api: Api) -> None:
    """The fixture really puts E0007 first: the leader is the next one, so the filter, not luck, hid them."""
    rows = api.data("{ influencers(first: 1) { person { id } } }", role=Role.ADMIN)["influencers"]
    assert rows == [{"person": {"id": pid(0)}}]
    path = api.data(QUERIES["introduction_path"], role=Role.ADMIN)["introductionPath"]
    assert len(path) == 3
    assert path[0]["id"] == pid(1)
    assert path[-1]["id"] == pid(3)
    assert api.data(QUERIES["introduction_path_to"], role=Role.ADMIN)["introductionPath"] is None
    manager = api.data(QUERIES["person_managed_by_opted_out"], role=Role.ADMIN)["person"]["manager"]
    assert manager is None


HEALTH = """query($id: ID!) { community(id: $id) { health {
  current { members activeMembers posts postsPerWeek replyRate contributorGini absenceFactor withheld withheldReason }
  weekly { members contributorGini withheld }
  trend { posts activeMembers replyRate } } } }"""


def test_health_of_community_under_five_members_is_withheld(api: Api) -> None:
    cur = api.data(HEALTH, {"id": "slack:tiny"}, role=Role.ADMIN)["community"]["health"]["current"]
    assert cur["withheldReason"] == "fewer than 5 members"
    for figure in ("members", "activeMembers", "posts", "postsPerWeek", "replyRate", "contributorGini",
                   "absenceFactor"):
        assert cur[figure] is None, figure
    assert {"members", "contributorGini", "absenceFactor"} <= set(cur["withheld"])
    health = api.data(HEALTH, {"id": "slack:tiny"}, role=Role.ADMIN)["community"]["health"]
    assert len(health["weekly"]) == 8
    assert all(w["members"] is None and w["contributorGini"] is None for w in health["weekly"])
    assert health["trend"] == {"posts": None, "activeMembers": None, "replyRate": None}


def test_health_of_few_contributors_is_withheld_whole(api: Api) -> None:
    """16 members but 2 contributors: even the counts would point at those two, so nothing is shown (issue 9.7)."""
    cur = api.data(HEALTH, {"id": "slack:sales-floor"}, role=Role.ADMIN)["community"]["health"]["current"]
    for figure in ("members", "activeMembers", "posts", "postsPerWeek", "replyRate", "contributorGini",
                   "absenceFactor"):
        assert cur[figure] is None, figure
    assert {"members", "activeMembers", "posts", "postsPerWeek", "threads", "unansweredShare"} <= set(cur["withheld"])
    assert cur["withheldReason"] == "fewer than 5 people contributed in this period"


def test_health_over_enough_people_is_shown(api: Api) -> None:
    health = api.data(HEALTH, {"id": "slack:k8s-guild"}, role=Role.ADMIN)["community"]["health"]
    assert health["current"]["withheld"] == []
    assert health["current"]["contributorGini"] is not None
    assert all(w["withheld"] == [] for w in health["weekly"])


def test_listed_counts_only_count_visible_people(api: Api) -> None:
    """``totalCount`` never counts the opted-out person, so it cannot be used to detect them either."""
    conn = api.data(QUERIES["community"], role=Role.ADMIN)["community"]["members"]
    assert conn["totalCount"] == len(conn["edges"]) == 2
