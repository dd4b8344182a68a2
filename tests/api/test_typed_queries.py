"""The API reads skills typed as people type them, against the organisation's own skill names and aliases.

A fabrication plant's vocabulary (not the demo's): tig-welding (aliases gtaw, tungsten-arc-welding), metrology (cmm),
people in Reykjavík, Ho Chi Minh City and Łódź. Before: ``experts(skill: "the")`` answered "did you mean ...?" with
whatever skill held a similar run of letters, a title saying "tungsten arc welding" or "tigwelding" named no skill
for ``expertsFor`` (only one- and two-word phrases, spelt as stored, were looked up).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from graph.store.base import Batch, GraphStore
from schema.models import ExpertIn, HasSkill, Skill
from tests.api.conftest import Api, serve_filled
from tests.factories import community, person, snapshot

REYKJAVIK = {f"hr:E{i:04d}" for i in range(0, 4)}
SAIGON = {f"hr:E{i:04d}" for i in range(4, 7)}
LODZ = {f"hr:E{i:04d}" for i in range(7, 10)}
TOP = "hr:E0004"  # the strongest welder works in Ho Chi Minh City
NAMED = ("hr:E0000", "Guðrún Jónsdóttir")


def plant_org(store: GraphStore) -> None:
    """Ten people in three places and two departments; everyone knows both skills, E0004 welding best."""
    people = [
        *(person(i, location="Reykjavík", department="Maintenance") for i in range(0, 4)),
        *(person(i, location="Ho Chi Minh City", department="Quality") for i in range(4, 7)),
        *(person(i, location="Łódź", department="Quality") for i in range(7, 10)),
    ]
    people[0] = people[0].model_copy(update={"name": NAMED[1]})
    store.write_batch(Batch(people=people, communities=[community("shop-floor")],
                            skills=[Skill(name="tig-welding", aliases=("gtaw", "tungsten-arc-welding")),
                                    Skill(name="metrology", aliases=("cmm",)), Skill(name="theodolite"),
                                    Skill(name="how-to-guides")],
                            # someone declares the two no one has expertise on: a skill no one gives is not listed
                            has_skill=[HasSkill(person_id=people[1].id, skill=s)
                                       for s in ("theodolite", "how-to-guides")]))
    scores = [1.0 + i % 4 for i in range(len(people))]
    scores[4] = 9.0
    snap = snapshot(people, skill="tig-welding", scores=scores)
    metrology = [ExpertIn(person_id=x.person_id, skill="metrology", score=x.score, evidence=x.evidence,
                          expertise_rank=x.expertise_rank, last_active=x.last_active) for x in snap.expertise]
    store.write_analytics(replace(snap, expertise=[*snap.expertise, *metrology]))


EXPERTS = "query($skill: String!) { experts(skill: $skill, first: 20) { skill edges { node { person { id } } } } }"
ROUTE = """query($title: String!) {
  expertsFor(question: {skills: [], title: $title}, first: 20) { skills experts { person { id } } }
}"""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve_filled(None, tmp_path_factory.mktemp("typed"), plant_org)


def _not_found(api: Api, skill: str) -> str:
    body = api.gql(EXPERTS, {"skill": skill})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND", error
    return str(error["message"])


@pytest.mark.parametrize("typed", ["the", "how do I", "tea", "who knows"])
def test_ordinary_words_get_no_did_you_mean(api: Api, typed: str) -> None:
    """Before: "the" -> "did you mean theodolite?", "how do I" -> "did you mean how-to-guides?" (a similar run of
    letters somewhere in a name)."""
    assert "did you mean" not in _not_found(api, typed)


@pytest.mark.parametrize(("typed", "meant"), [
    ("gtaw in Reykjavík", "tig-welding"),  # a sentence naming the skill: the skill it names
    ("who knows cmm here?", "metrology"),
    ("metrolgy", "metrology"),  # one edit
    ("metorlogy", "metrology"),  # two letters swapped
    ("tig weldng", "tig-welding"),
])
def test_a_sentence_or_a_typo_gets_the_skill_it_names(api: Api, typed: str, meant: str) -> None:
    assert f"did you mean {meant}?" in _not_found(api, typed)


@pytest.mark.parametrize("title", ["who does tungsten arc welding here?", "tigwelding tips", "tig welding",
                                   "TIG-Welding on thin steel"])
def test_a_title_names_a_skill_however_its_name_is_typed(api: Api, title: str) -> None:
    found = api.data(ROUTE, {"title": title})["expertsFor"]
    assert found["skills"] == ["tig-welding"]
    assert found["experts"]


SKILLS = "query($q: String!) { skills(query: $q, first: 8) { name match } }"


@pytest.mark.parametrize(("typed", "offered"), [("tea", []), ("the", ["theodolite"]), ("metrolgy", ["metrology"]),
                                                ("cm", ["metrology"])])
def test_the_skill_box_suggests_prefixes_and_real_typos_only(api: Api, typed: str, offered: list[str]) -> None:
    """Before: "tea" offered theodolite (a similar run of letters); a prefix, an alias or a typo still suggest."""
    assert [s["name"] for s in api.data(SKILLS, {"q": typed})["skills"]] == offered
