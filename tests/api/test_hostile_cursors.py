"""Cursors whose JSON spells what no request may carry (adversarial pass v2). A cursor is base64 of a JSON pair, and
JSON escapes reach past the checks on variables: a person id of "hr:\\ud800" (a lone surrogate) went to the store and
answered INTERNAL_SERVER_ERROR, on experts and on a community's members alike. Cursors are also held to what
``encode_cursor`` writes: a finite score as ``repr`` writes it, and a valid person id."""

from __future__ import annotations

import base64
import json

import pytest

from graph.store.paging import decode_cursor, encode_cursor
from tests.api.conftest import Api

EXPERTS = 'query($c: String) { experts(skill: "kubernetes", after: $c) { totalCount edges { cursor } } }'
MEMBERS = 'query($c: String) { community(id: "slack:k8s-guild") { members(after: $c) { totalCount } } }'


def _cursor(score: str, person_id: str) -> str:
    raw = json.dumps([score, person_id], separators=(",", ":")).encode()  # ensure_ascii: "\ud800" as an escape
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("query", [EXPERTS, MEMBERS], ids=["experts", "members"])
@pytest.mark.parametrize(
    ("score", "person_id"),
    [
        ("0.5", "hr:\ud800"),
        ("0.5", "hr:E0001\udfff"),
        ("inf", "hr:E0001"),
        ("1e400", "hr:E0001"),
        ("1_000", "hr:E0001"),
        ("\u0661", "hr:E0001"),  # an Arabic-Indic digit, which float() reads as 1
        ("0.5", ""),
        ("0.5", "no-namespace"),
        ("0.5", "hr:E0001\x00"),
    ],
    ids=["lone-surrogate", "low-surrogate", "inf", "overflow", "underscore", "non-ascii-digit", "empty-id",
         "not-an-id", "nul"],
)
def test_cursors_encode_cursor_never_writes_are_bad_input(api: Api, query: str, score: str, person_id: str) -> None:
    r = api.post(query, {"c": _cursor(score, person_id)})
    assert r.status_code == 200
    errors = r.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], r.text
    assert "invalid cursor" in errors[0]["message"]


def test_cursors_the_api_hands_out_still_page(api: Api) -> None:
    first = api.data(EXPERTS, {"c": None})["experts"]
    cursor = first["edges"][0]["cursor"]
    after = api.data(EXPERTS, {"c": cursor})["experts"]
    assert after["totalCount"] == first["totalCount"]
    rest = [e["cursor"] for e in first["edges"][1:]]
    assert rest
    assert [e["cursor"] for e in after["edges"]][: len(rest)] == rest


@pytest.mark.parametrize("score", [0.0, -0.0, 1e-05, 0.874430688, 1.5e16, 123456789.125, 5e-324])
def test_every_finite_score_round_trips(score: float) -> None:
    assert decode_cursor(encode_cursor(score, "hr:E0001")) == (score, "hr:E0001")


COMMUNITIES = "query($c: String) { communities(first: 10, after: $c) { id } }"


@pytest.mark.parametrize("after", ["garbage", "slack:", "x:a\x00", _cursor("0.5", "hr:E0001"), "hr:" + "E" * 600])
def test_a_communities_cursor_that_is_no_id_is_bad_input(api: Api, after: str) -> None:
    """communities' cursor is the last id of a page: a forged or garbled one is refused as experts' and members'
    are (it was taken as is, and the list paged from wherever the string sorted)."""
    r = api.post(COMMUNITIES, {"c": after})
    assert r.status_code == 200
    errors = r.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], r.text
    assert "invalid cursor" in errors[0]["message"]


def test_communities_page_after_the_last_id(api: Api) -> None:
    every = [c["id"] for c in api.data(COMMUNITIES, {"c": None})["communities"]]
    assert every == ["slack:k8s-guild", "slack:sales-floor", "slack:tiny"]
    assert [c["id"] for c in api.data(COMMUNITIES, {"c": every[0]})["communities"]] == every[1:]
    assert api.data(COMMUNITIES, {"c": ""})["communities"] == api.data(COMMUNITIES, {"c": None})["communities"]
