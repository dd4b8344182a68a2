"""Every ranking says why (issue 11.2): influencers, bridges and seedCandidates carry a one-line explanation,
evidence or named measures with what each number means; bridges between communities are members of one of them."""

from __future__ import annotations

from app.auth import Role
from tests.api.conftest import OPTED_OUT, Api, pid


def test_influencers_explain_their_rank(api: Api) -> None:
    q = """query($skill: String, $cid: ID) { influencers(skill: $skill, communityId: $cid, first: 3) {
             rank score scoreMeaning explanation evidence { kind count } measures { name value meaning } } }"""
    on_skill = api.data(q, {"skill": "k8s"}, role=Role.ANALYST)["influencers"]
    assert on_skill[0]["explanation"].startswith("#1 by PageRank personalised to kubernetes")
    assert on_skill[0]["evidence"], "evidence on the skill"
    assert "PageRank" in on_skill[0]["scoreMeaning"]
    assert on_skill[0]["measures"][0]["name"] == "influence"
    everyone = api.data(q, {}, role=Role.ANALYST)["influencers"]
    assert everyone[0]["explanation"].startswith("#1 by PageRank over the whole organisation")
    in_community = api.data(q, {"cid": "slack:k8s-guild"}, role=Role.ANALYST)["influencers"]
    assert "personalised to k8s-guild" in in_community[0]["explanation"]


def test_bridges_between_communities_say_which_sides_they_connect(api: Api) -> None:
    q = """query($ids: [ID!]) { bridges(first: 20, communityIds: $ids) {
             explanation person { id } sides { communityId communityName member ties } measures { name meaning } } }"""
    rows = api.data(q, {"ids": ["slack:k8s-guild", "slack:sales-floor"]}, role=Role.ANALYST)["bridges"]
    assert rows
    for r in rows:
        assert r["person"]["id"] != OPTED_OUT
        assert [s["communityId"] for s in r["sides"]] == ["slack:k8s-guild", "slack:sales-floor"]
        assert any(s["member"] for s in r["sides"]), "a bridge is a member of one of the two"
        assert all(s["member"] or s["ties"] > 0 for s in r["sides"]), "and touches both"
        assert "member of" in r["explanation"]
        assert r["measures"][0]["name"] == "betweenness"
    plain = api.data("{ bridges(first: 2) { explanation sides { communityId } } }", role=Role.ANALYST)["bridges"]
    assert plain[0]["sides"] == []
    assert "shortest paths" in plain[0]["explanation"]


def test_seed_candidates_say_what_each_adds(api: Api) -> None:
    q = """{ seedCandidates(skill: "kubernetes", count: 3) { rank explanation scoreMeaning evidence { kind }
             measures { name value } person { id } } }"""
    rows = api.data(q, role=Role.ANALYST)["seedCandidates"]
    assert "reaches" in rows[0]["explanation"]
    assert all("not reached by earlier seeds" in r["explanation"] for r in rows[1:])
    assert all(r["evidence"] for r in rows)
    names = {m["name"] for m in rows[0]["measures"]}
    assert names == {"new_people", "new_communities", "expertise"}
    assert "marginal gain" in rows[0]["scoreMeaning"]
    assert pid(7) == OPTED_OUT
    assert OPTED_OUT not in {r["person"]["id"] for r in rows}
