"""Every query of DESIGN.md over real HTTP against a real SQLite store (see conftest for the organisation)."""

from __future__ import annotations

import pytest

from app.auth import Role
from tests.api.conftest import LEAVER, OPTED_OUT, Api, CountingStore, pid

EXPERTS = """
query($skill: String!, $first: Int, $after: String, $department: String, $location: String) {
  experts(skill: $skill, first: $first, after: $after, department: $department, location: $location) {
    skill totalCount
    edges { cursor node { score explanation evidence { kind count lastAt } person { id department location } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_experts_ranked_by_score_with_evidence_and_explanation(api: Api) -> None:
    conn = api.data(EXPERTS, {"skill": "kubernetes", "first": 3})["experts"]
    assert conn["skill"] == "kubernetes"
    ids = [e["node"]["person"]["id"] for e in conn["edges"]]
    assert ids == [pid(0), pid(1), pid(2)]  # E0007 (opted out) has the best score but is never listed
    scores = [e["node"]["score"] for e in conn["edges"]]
    assert scores == sorted(scores, reverse=True)
    best = conn["edges"][1]["node"]
    assert {k: best["evidence"][0][k] for k in ("kind", "count")} == {"kind": "ACCEPTED_ANSWERS", "count": 12}
    assert best["explanation"].startswith("12 accepted answers on kubernetes (30 answers in all), declared expert")
    assert best["explanation"].endswith("latest answer this week")
    # 30 people, minus the opted-out one and the leaver
    assert conn["totalCount"] == 28
    assert conn["pageInfo"]["hasNextPage"] is True


def test_experts_alias_is_canonicalised(api: Api) -> None:
    by_alias = api.data(EXPERTS, {"skill": " K8s ", "first": 5})["experts"]
    by_name = api.data(EXPERTS, {"skill": "kubernetes", "first": 5})["experts"]
    assert by_alias == by_name


def test_experts_cursor_pagination_walks_every_hit_once(api: Api) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        conn = api.data(EXPERTS, {"skill": "kubernetes", "first": 8, "after": after})["experts"]
        seen += [e["node"]["person"]["id"] for e in conn["edges"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
        assert after == conn["edges"][-1]["cursor"]
    assert pages == 4
    assert len(seen) == len(set(seen)) == 28
    assert OPTED_OUT not in seen
    assert LEAVER not in seen


def test_experts_filters_by_department_and_location(api: Api) -> None:
    conn = api.data(EXPERTS, {"skill": "kubernetes", "first": 100, "department": "Engineering",
                              "location": "Berlin"})["experts"]
    assert conn["edges"], "the fixture has engineers in Berlin who know kubernetes"
    assert all(e["node"]["person"]["department"] == "Engineering" and e["node"]["person"]["location"] == "Berlin"
               for e in conn["edges"])
    assert conn["totalCount"] == len(conn["edges"])
    none = api.data(EXPERTS, {"skill": "kubernetes", "location": "Atlantis"})["experts"]
    assert none["totalCount"] == 0
    assert none["edges"] == []
    assert none["pageInfo"]["endCursor"] is None


def test_experts_unknown_skill_is_not_found_with_suggestion(api: Api) -> None:
    body = api.gql(EXPERTS, {"skill": "kubernets"})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "did you mean kubernetes" in error["message"]


def test_experts_bad_cursor_is_bad_user_input(api: Api) -> None:
    assert api.codes(EXPERTS, {"skill": "kubernetes", "after": "not-a-cursor"}) == ["BAD_USER_INPUT"]


def test_person_with_communities_skills_manager_and_expertise(api: Api) -> None:
    q = """query($id: ID!) { person(id: $id) { id name active department manager { id }
             communities { id } skills { skill level } expertise { skill score explanation } } }"""
    p = api.data(q, {"id": pid(1)})["person"]
    assert p["manager"] == {"id": pid(0)}
    assert {c["id"] for c in p["communities"]} == {"slack:k8s-guild", "slack:tiny"}
    assert p["skills"] == [{"skill": "kubernetes", "level": 4}]
    assert p["expertise"][0]["skill"] == "kubernetes"
    leaver = api.data(q, {"id": LEAVER})["person"]
    assert leaver["active"] is False  # leavers can be looked up, flagged
    assert api.data(q, {"id": "hr:nobody"})["person"] is None


def test_person_scores_need_analyst(api: Api) -> None:
    q = '{ person(id: "hr:E0001") { id scores { pagerank betweenness role articulationPoint } } }'
    body = api.gql(q, role=Role.EMPLOYEE)
    assert body["data"]["person"] == {"id": pid(1), "scores": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["person", "scores"]
    scores = api.data(q, role=Role.ANALYST)["person"]["scores"]
    assert scores["pagerank"] == pytest.approx(0.5)
    assert scores["role"] == "CONNECTOR"


def test_skills_prefix_fuzzy_alias_and_all(api: Api) -> None:
    q = "query($q: String, $first: Int) { skills(query: $q, first: $first) { name aliases match similarity } }"
    prefix = api.data(q, {"q": "po"})["skills"]
    assert [s["name"] for s in prefix] == ["postgresql"] or prefix[0]["name"] == "postgresql"
    assert prefix[0]["match"] == "prefix"
    alias = api.data(q, {"q": "golang"})["skills"]
    assert alias[0] == {"name": "go", "aliases": ["golang"], "match": "exact", "similarity": 100.0}
    fuzzy = api.data(q, {"q": "kubernets"})["skills"]
    assert fuzzy[0]["name"] == "kubernetes"
    assert fuzzy[0]["match"] == "fuzzy"
    assert fuzzy[0]["similarity"] > 80
    everything = api.data(q, {"first": 100})["skills"]
    assert [s["name"] for s in everything] == sorted(s["name"] for s in everything)
    assert {"go", "kubernetes", "postgresql", "python"} <= {s["name"] for s in everything}
    assert len(api.data(q, {"first": 2})["skills"]) == 2


def test_communities_and_members_pagination(api: Api) -> None:
    q = """query($first: Int, $after: String) { communities { id name kind
             members(first: $first, after: $after) { totalCount edges { cursor node { id } }
             pageInfo { hasNextPage endCursor } } } }"""
    comms = api.data(q, {"first": 10})["communities"]
    assert [c["id"] for c in comms] == ["slack:k8s-guild", "slack:sales-floor", "slack:tiny"]
    guild = comms[0]["members"]
    assert guild["totalCount"] == 23  # 25 members minus the opted-out one and the leaver
    seen = [e["node"]["id"] for e in guild["edges"]]
    after = guild["pageInfo"]["endCursor"]
    while after:
        page = api.data(q, {"first": 10, "after": after})["communities"][0]["members"]
        seen += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert len(seen) == len(set(seen)) == 23


def test_community_by_id_and_health_for_analyst(api: Api) -> None:
    q = """query($id: ID!) { community(id: $id) { id name health {
             current { members activeMembers posts postsPerWeek replyRate contributorGini absenceFactor withheld }
             weekly { start posts activeMembers } trend { posts activeMembers } } } }"""
    body = api.gql(q, {"id": "slack:k8s-guild"}, role=Role.EMPLOYEE)
    assert body["data"]["community"]["health"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    c = api.data(q, {"id": "slack:k8s-guild"}, role=Role.ANALYST)["community"]
    cur = c["health"]["current"]
    assert cur["members"] == 25
    assert cur["contributorGini"] == pytest.approx(0.35)
    assert cur["withheld"] == []
    assert cur["postsPerWeek"] == pytest.approx(14.0)
    weekly = c["health"]["weekly"]
    assert [w["start"] for w in weekly] == sorted(w["start"] for w in weekly)
    assert len(weekly) == 8
    assert c["health"]["trend"]["posts"] == pytest.approx(0.5)  # 4 x 15 against 4 x 10
    assert api.data(q, {"id": "slack:nowhere"}, role=Role.ANALYST)["community"] is None


def test_influencers_global_skill_community(api: Api) -> None:
    q = """query($skill: String, $cid: ID, $first: Int) {
             influencers(skill: $skill, communityId: $cid, first: $first) { rank score person { id } } }"""
    for variables in ({}, {"skill": "k8s"}, {"cid": "slack:k8s-guild"}):
        rows = api.data(q, {**variables, "first": 5}, role=Role.ANALYST)["influencers"]
        assert [r["person"]["id"] for r in rows] == [pid(i) for i in (0, 1, 2, 3, 4)]
        assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert api.codes(q, {"skill": "k8s", "cid": "slack:k8s-guild"}, role=Role.ANALYST) == ["BAD_USER_INPUT"]
    assert api.codes(q, {"skill": "nosuchskill"}, role=Role.ANALYST) == ["NOT_FOUND"]
    assert api.codes(q, {"cid": "slack:nowhere"}, role=Role.ANALYST) == ["NOT_FOUND"]
    assert api.codes(q, {}, role=Role.EMPLOYEE) == ["FORBIDDEN"]


def test_bridges_global_and_between_communities(api: Api) -> None:
    q = """query($ids: [ID!], $first: Int) { bridges(first: $first, communityIds: $ids) {
             rank betweenness constraint role articulationPoint person { id } } }"""
    rows = api.data(q, {"first": 3}, role=Role.ANALYST)["bridges"]
    assert [r["person"]["id"] for r in rows] == [pid(0), pid(1), pid(2)]
    between = api.data(q, {"ids": ["slack:k8s-guild", "slack:tiny"], "first": 10}, role=Role.ANALYST)["bridges"]
    assert between
    assert {r["person"]["id"] for r in between} <= {pid(i) for i in range(30)} - {OPTED_OUT}
    assert api.codes(q, {}, role=Role.EMPLOYEE) == ["FORBIDDEN"]


def test_bridges_between_unknown_communities_is_not_found_before_any_walk(api: Api, counting_store: CountingStore
                                                                          ) -> None:
    """The ids are looked up first: an unknown one answers NOT_FOUND without the walk of every tie of the known
    ones' members (1.5 s on the demo)."""
    q = 'query($ids: [ID!]) { bridges(first: 1, communityIds: $ids) { person { id } } }'
    walks = counting_store.calls["brokers"]
    body = api.gql(q, {"ids": ["slack:k8s-guild", "slack:no-such-community"]}, role=Role.ANALYST)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
    assert "slack:no-such-community" in body["errors"][0]["message"]
    assert counting_store.calls["brokers"] == walks
    assert api.data(q, {"ids": ["slack:k8s-guild", "slack:tiny"]}, role=Role.ANALYST)["bridges"]
    assert counting_store.calls["brokers"] == walks + 1


def test_seed_candidates_cover_distinct_people(api: Api) -> None:
    q = 'query($c: Int) { seedCandidates(skill: "kubernetes", count: $c) { rank score person { id } } }'
    rows = api.data(q, {"c": 3}, role=Role.ANALYST)["seedCandidates"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    ids = [r["person"]["id"] for r in rows]
    assert len(set(ids)) == 3
    gains = [r["score"] for r in rows]
    assert gains == sorted(gains, reverse=True)
    assert gains[0] > 0
    assert api.codes(q, {"c": 3}, role=Role.EMPLOYEE) == ["FORBIDDEN"]
    assert api.codes(q, {"c": 0}, role=Role.ANALYST) == ["BAD_USER_INPUT"]


def test_introduction_path(api: Api) -> None:
    q = "query($a: ID!, $b: ID!, $h: Int) { introductionPath(fromId: $a, toId: $b, maxHops: $h) { id } }"
    path = api.data(q, {"a": pid(4), "b": pid(6)})["introductionPath"]
    ids = [p["id"] for p in path]
    assert len(ids) == 3
    assert ids[0] == pid(4)
    assert ids[-1] == pid(6)
    assert api.data(q, {"a": pid(4), "b": pid(4)})["introductionPath"] == [{"id": pid(4)}]
    assert api.data(q, {"a": pid(4), "b": "hr:nobody"})["introductionPath"] is None
    assert api.codes(q, {"a": pid(4), "b": pid(6), "h": 99}) == ["BAD_USER_INPUT"]
