"""``experts`` and ``expertsFor`` filters over real HTTP fold as the search page folds (case, spacing, Unicode
normal form), on SQLite and on the suite's real Neo4j.

Before, the API compared exactly: "who knows Kubernetes in berlin" or a decomposed "Zu\u0308rich" (macOS input)
found nobody over the API while the search page found them. Berlin is spelt "Berlin" and "BERLIN" here (two
sources), an opted-out person and a leaver are in "berlin" too and must stay invisible.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store.base import Batch, GraphStore
from tests.api.conftest import Api, serve_filled
from tests.factories import community, person, snapshot

ZURICH = "Z\u00fcrich"
EXPERTS = """
query($first: Int, $after: String, $department: String, $location: String) {
  experts(skill: "kubernetes", first: $first, after: $after, department: $department, location: $location) {
    totalCount edges { node { person { id location } } } pageInfo { hasNextPage endCursor }
  }
}"""
ROUTE = """
query($department: String, $location: String) {
  expertsFor(question: {skills: ["kubernetes"]}, first: 50, department: $department, location: $location) {
    experts { person { id } }
  }
}"""
BERLIN = {f"hr:E{i:04d}" for i in range(0, 9)}  # 'Berlin' 0-5, 'BERLIN' 6-8; not the opted-out 12 nor leaver 13


def _org(store: GraphStore) -> None:
    people = [
        *(person(i, location="Berlin", department="Engineering") for i in range(0, 6)),
        *(person(i, location="BERLIN", department="R&D") for i in range(6, 9)),
        *(person(i, location=ZURICH, department="Data") for i in range(9, 12)),
        person(12, location="berlin", opted_out=True),
        person(13, location="Berlin", active=False),
        *(person(i, location="Istanbul", department="Ar-Ge") for i in range(14, 16)),
        person(16, location="Zurich", department="D\u00e9veloppement"),
    ]
    store.write_batch(Batch(people=people, communities=[community("k8s-guild")]))
    scores = [float(i % 4) for i in range(len(people))]
    scores[12] = 99.0  # the opted-out person would rank first
    store.write_analytics(snapshot(people, scores=scores))


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)], scope="module")
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve_filled(request, tmp_path_factory.mktemp("folded"), _org)


def _ids(api: Api, **variables: Any) -> tuple[list[str], int]:
    conn = api.data(EXPERTS, {"first": 100, **variables})["experts"]
    return [e["node"]["person"]["id"] for e in conn["edges"]], conn["totalCount"]


def test_location_and_department_fold_like_the_page(api: Api) -> None:
    exact, total = _ids(api, location="Berlin")
    assert set(exact) == BERLIN
    assert total == 9
    for typed in ("berlin", " BERLIN ", "bErLin"):
        assert _ids(api, location=typed) == (exact, 9), typed
    zurich, total = _ids(api, location="zu\u0308rich")  # decomposed, lower case; accents fold: "Zurich" too
    assert total == 4
    assert len(zurich) == 4
    rnd, total = _ids(api, department="r&d", location="berlin")
    assert set(rnd) == {"hr:E0006", "hr:E0007", "hr:E0008"}
    assert total == 3
    assert _ids(api, location="Atlantis") == ([], 0)


def test_keyset_pages_over_a_folded_filter_walk_everyone_once(api: Api) -> None:
    whole, _ = _ids(api, location="Berlin")
    seen: list[str] = []
    after = None
    while True:
        conn = api.data(EXPERTS, {"first": 2, "after": after, "location": "berlin"})["experts"]
        assert conn["totalCount"] == 9
        seen += [e["node"]["person"]["id"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == whole


def test_question_routing_folds_its_filters_too(api: Api) -> None:
    exact = {e["person"]["id"] for e in api.data(ROUTE, {"location": "Berlin"})["expertsFor"]["experts"]}
    folded = {e["person"]["id"] for e in api.data(ROUTE, {"location": "berlin"})["expertsFor"]["experts"]}
    assert folded == exact == BERLIN
    zurich = api.data(ROUTE, {"location": "ZU\u0308RICH", "department": " data "})["expertsFor"]["experts"]
    assert {e["person"]["id"] for e in zurich} == {"hr:E0009", "hr:E0010", "hr:E0011"}


def test_what_users_type_over_http_finds_the_directory_spelling(api: Api) -> None:
    """A fullwidth "Ｂｅｒｌｉｎ" (East Asian IME), a Turkish "İSTANBUL" and an unaccented "zurich" over the API find
    whom "Berlin", "Istanbul" and "Zürich" find; before, each found no one. "zurich" is both stored spellings."""
    assert _ids(api, location="\uff22\uff45\uff52\uff4c\uff49\uff4e") == _ids(api, location="Berlin")
    assert set(_ids(api, location="\u0130STANBUL")[0]) == {"hr:E0014", "hr:E0015"}
    assert _ids(api, location="\u0131stanbul") == _ids(api, location="Istanbul")
    zurich, total = _ids(api, location="zurich")
    assert set(zurich) == {"hr:E0009", "hr:E0010", "hr:E0011", "hr:E0016"}
    assert total == 4
    routed = api.data(ROUTE, {"location": "Z\u00dcRICH", "department": "developpement"})["expertsFor"]["experts"]
    assert [e["person"]["id"] for e in routed] == ["hr:E0016"]


WHY = """
query($department: String, $location: String) {
  experts(skill: "kubernetes", department: $department, location: $location) { totalCount emptyBecause }
}"""


def test_an_empty_list_says_which_filter_named_no_one(api: Api) -> None:
    """Before, ``experts(location: "Berlim")`` answered an empty list and no reason; a client had to guess between
    "no expert there" and "no such place"."""
    def why(**variables: str) -> tuple[int, str | None]:
        conn = api.data(WHY, variables)["experts"]
        return conn["totalCount"], conn["emptyBecause"]

    total, because = why(location="Berlim")
    assert total == 0
    assert because is not None
    assert because.startswith("no one's location is 'Berlim'; did you mean ")
    assert "Berlin" in because or "BERLIN" in because
    assert why(location="Atlantis") == (0, "no one's location is 'Atlantis'")
    assert why(department="Sales", location="berlin") == (0, "no one's department is 'Sales'")
    assert why(location="berlin") == (9, None)
    assert why(department="Data", location="Istanbul") == (0, None)  # both name people: just no one there
    assert why() == (15, None)


def _placeless(store: GraphStore) -> None:
    people = [person(i, location=None) for i in range(6)]
    store.write_batch(Batch(people=people, communities=[community("k8s-guild")]))
    store.write_analytics(snapshot(people, scores=[1.0] * len(people)))


def test_a_directory_loaded_without_locations_says_so(tmp_path: Path) -> None:
    """An HR export without a location column: every location filter finds no one, and now says why."""
    for api in serve_filled(None, tmp_path, _placeless):
        conn = api.data(WHY, {"location": "Berlin"})["experts"]
        assert conn == {"totalCount": 0, "emptyBecause": "no one in this directory has a location on record (the "
                        "people were loaded without one), so no one is in 'Berlin'"}
        assert api.data(WHY, {})["experts"] == {"totalCount": 6, "emptyBecause": None}


def test_a_routed_question_says_so_too(api: Api) -> None:
    query = """query($location: String) { expertsFor(question: {skills: ["kubernetes"]}, location: $location) {
      experts { person { id } } emptyBecause } }"""
    routed = api.data(query, {"location": "Atlantis"})["expertsFor"]
    assert routed == {"experts": [], "emptyBecause": "no one's location is 'Atlantis'"}
    routed = api.data(query, {"location": "berlin"})["expertsFor"]
    assert routed["experts"]
    assert routed["emptyBecause"] is None
