"""``expertsFor``: routing a whole question over real HTTP against a real SQLite store (issue 10.2).

The organisation is tests/api/conftest.py's: kubernetes evidence for everyone (``hr:E0001`` with 30 answers, 12
accepted), python rows for E0002-E0004 and the opted-out E0007, who scores best everywhere and must never appear.
"""

from __future__ import annotations

from pathlib import Path

from app.auth import Role, mint_token
from graph.analytics.routing_explain import LABELS
from tests.api.conftest import LEAVER, OPTED_OUT, Api, api_settings, pid
from tests.unit.test_routing import assert_adds_to_its_head

ROUTE = """
query($skills: [String!]!, $title: String, $first: Int, $department: String, $location: String) {
  expertsFor(question: {skills: $skills, title: $title}, first: $first, department: $department,
             location: $location) {
    skills unknownSkills
    experts {
      rank score explanation strongestEvidence
      person { id department location }
      covers { skill score evidence { kind count lastAt } }
      related { skill }
    }
  }
}"""


LEAN = """
query($skills: [String!]!, $first: Int, $department: String, $location: String) {
  expertsFor(question: {skills: $skills}, first: $first, department: $department, location: $location) {
    experts { person { id department location } }
  }
}"""


def _lean(api: Api, **variables: object) -> list[dict]:
    return [e["person"] for e in api.data(LEAN, variables)["expertsFor"]["experts"]]


def _route(api: Api, **variables: object) -> dict:
    return api.data(ROUTE, {"skills": [], **variables})["expertsFor"]  # type: ignore[no-any-return]


def test_ranks_people_for_several_skills_and_says_which_each_covers(api: Api) -> None:
    out = _route(api, skills=["K8s", "python"], first=30)
    assert out["skills"] == ["kubernetes", "python"]
    assert out["unknownSkills"] == []
    experts = out["experts"]
    ids = [e["person"]["id"] for e in experts]
    assert ids[0] == pid(1)
    assert [e["rank"] for e in experts] == list(range(1, len(experts) + 1))
    scores = [e["score"] for e in experts]
    assert scores == sorted(scores, reverse=True)
    top = experts[0]
    cover = {c["skill"]: {e["kind"]: e["count"] for e in c["evidence"]} for c in top["covers"]}
    assert cover == {"kubernetes": {"ANSWERS": 30, "ACCEPTED_ANSWERS": 12, "DECLARED": 4}}
    assert top["explanation"].startswith(
        "covers 1 of 2 skills: kubernetes (30 answers, 12 accepted); strongest evidence: ")
    assert top["strongestEvidence"] in LABELS.values()  # in words, not a feature's name
    both = next(e for e in experts if e["person"]["id"] == pid(2))
    assert [c["skill"] for c in both["covers"]] == ["kubernetes", "python"]
    # per skill, never summed (an answer on a question tagged with both skills is on each); python is declared only
    assert both["explanation"].startswith("covers both skills: kubernetes (3 answers), python; strongest evidence: ")
    for hit in experts:
        assert_adds_to_its_head(hit["explanation"])


def test_a_one_skill_question_names_the_skill_without_counting_skills(api: Api) -> None:
    top = _route(api, skills=["kubernetes"], first=1)["experts"][0]
    assert top["explanation"].startswith("covers kubernetes (30 answers, 12 accepted); strongest evidence: ")


def test_opted_out_and_leavers_never_appear_and_filters_apply(api: Api) -> None:
    everyone = [p["id"] for p in _lean(api, skills=["kubernetes", "python"], first=100)]
    assert OPTED_OUT not in everyone
    assert LEAVER not in everyone
    assert len(everyone) == 28
    berlin_eng = _lean(api, skills=["kubernetes"], first=100, department="Engineering", location="Berlin")
    assert berlin_eng
    assert all(p["department"] == "Engineering" and p["location"] == "Berlin" for p in berlin_eng)


def test_title_words_that_name_skills_join_the_question(api: Api) -> None:
    out = _route(api, title="Slow postgres queries from a Python job on kube", first=5)
    assert out["skills"] == ["postgresql", "python", "kubernetes"]
    assert out["experts"]
    given = _route(api, skills=["python"], title="and kubernetes too", first=5)
    assert given["skills"] == ["python", "kubernetes"]


def test_the_asker_is_never_suggested(api: Api, tmp_path: Path) -> None:
    assert _route(api, skills=["kubernetes"], first=3)["experts"][0]["person"]["id"] == pid(1)
    token = mint_token(api_settings(tmp_path), sub=pid(1), role=Role.EMPLOYEE)
    r = api.http.post("/graphql", json={"query": ROUTE, "variables": {"skills": ["kubernetes"], "first": 30}},
                      headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    ids = [e["person"]["id"] for e in r.json()["data"]["expertsFor"]["experts"]]
    assert ids
    assert pid(1) not in ids


def test_bad_questions_are_clear_errors(api: Api) -> None:
    def codes(**variables: object) -> list[str]:
        return api.codes(ROUTE, {"first": 3, **variables})

    assert codes(skills=[]) == ["BAD_USER_INPUT"]
    assert codes(skills=[], title="nothing known here") == ["BAD_USER_INPUT"]
    assert codes(skills=["no-such-skill-anywhere"]) == ["NOT_FOUND"]
    assert codes(skills=["kubernetes"], first=101) == ["BAD_USER_INPUT"]
    assert codes(skills=[f"s{i}" for i in range(21)]) == ["BAD_USER_INPUT"]
    assert codes(skills=["kubernetes"], title="x" * 501) == ["BAD_USER_INPUT"]
    partly = _route(api, skills=["kubernetes", "no-such-skill-anywhere"], first=3)
    assert partly["unknownSkills"] == ["no-such-skill-anywhere"]
    assert partly["skills"] == ["kubernetes"]
    assert api.post(ROUTE, {"skills": ["kubernetes"], "first": 3}, role=None).status_code == 401

