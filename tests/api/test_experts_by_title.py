"""``experts(title:)`` over real HTTP, on SQLite and on the suite's real Neo4j: a job title filters as department
and location do (folded, every seniority of it), an opted-out holder and a leaver stay invisible, and the keyset
pages walk the same people. Before, the API had no title argument: "which port captains know X" had no answer.
The shipping line's directory is the contract suite's (tests/contract/test_contract_titles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Api, serve_filled
from tests.contract.test_contract_titles import CAPTAINS, _fleet

EXPERTS = """
query($first: Int, $after: String, $title: String, $location: String) {
  experts(skill: "kubernetes", first: $first, after: $after, title: $title, location: $location) {
    totalCount edges { node { person { id title } } } pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture(params=["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)], scope="module")
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from serve_filled(request, tmp_path_factory.mktemp("titles-api"), _fleet)


def _walk(api: Api, first: int, **variables: Any) -> tuple[list[str], set[int]]:
    ids: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        conn = api.data(EXPERTS, {"first": first, "after": after, **variables})["experts"]
        ids += [e["node"]["person"]["id"] for e in conn["edges"]]
        totals.add(conn["totalCount"])
        if not conn["pageInfo"]["hasNextPage"]:
            return ids, totals
        after = conn["pageInfo"]["endCursor"]


def test_a_title_filters_folded_with_every_seniority(api: Api) -> None:
    ids, totals = _walk(api, 2, title="  PORT captain ")
    assert set(ids) == CAPTAINS
    assert len(ids) == len(CAPTAINS)
    assert totals == {len(CAPTAINS)}


def test_a_title_combines_with_a_location(api: Api) -> None:
    assert set(_walk(api, 10, title="port captain", location="hamburg")[0]) == {"hr:E0003", "hr:E0004"}


def test_a_title_no_one_holds_finds_no_one(api: Api) -> None:
    assert _walk(api, 10, title="harbour master") == ([], {0})
    assert _walk(api, 10, title="Port Captain", location="Oslo") == ([], {0})
