"""Signed tokens whose claims are hostile (adversarial pass v2): each is refused as UNAUTHENTICATED, never answered
as an internal error. A signed token is not always a well-meant one: an identity provider passes on what a user
typed (a display name, a subject from another system), and a leaked development secret signs anything."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from app.auth import MAX_SUBJECT_CHARS
from tests.api.conftest import SECRET, Api

ASKER_QUERIES = [
    "{ myVisibility { hidden } }",
    '{ expertsFor(question: {skills: ["kubernetes"]}) { skills experts { rank } } }',
    "mutation { setMyVisibility(hidden: true) { hidden } }",
    '{ experts(skill: "kubernetes", first: 1) { totalCount } }',
]


def _token(**claims: Any) -> str:
    body: dict[str, Any] = {"sub": "hr:E0001", "role": "admin", "exp": int(time.time()) + 600}
    body.update(claims)
    return jwt.encode(body, SECRET, algorithm="HS256")


def _post(api: Api, token: str, query: str) -> Any:
    return api.http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("query", ASKER_QUERIES)
@pytest.mark.parametrize(
    ("claims", "says"),
    [
        ({"sub": "hr:\ud800"}, "not valid Unicode"),  # json.dumps writes it as the escape "\ud800"
        ({"sub": "\udfff" * 3}, "not valid Unicode"),
        ({"sub": "hr:" + "a" * MAX_SUBJECT_CHARS}, "longer than"),
        ({"exp": 10**400}, "'exp' is out of range"),  # float() overflowed: an internal error (HTTP 503)
        ({"role": "adm\u0131n"}, "unknown role"),  # dotless i: "admın".upper() == "ADMIN"
    ],
    ids=["lone-surrogate-sub", "low-surrogates-sub", "overlong-sub", "exp-past-float", "role-look-alike"],
)
def test_hostile_claims_are_401(api: Api, claims: dict[str, Any], says: str, query: str) -> None:
    r = _post(api, _token(**claims), query)
    assert r.status_code == 401, r.text
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert says in error["message"]


def test_unusual_but_valid_subjects_still_sign_in(api: Api) -> None:
    """Control characters and non-ASCII letters are valid text: such a subject is no person, not an error."""
    for sub in ("hr:E0001\x00", "hr:Ünïcödé", "hr:" + "a" * (MAX_SUBJECT_CHARS - 3)):
        r = _post(api, _token(sub=sub), "{ myVisibility { hidden } }")
        assert r.status_code == 200, r.text
        assert r.json() == {"data": {"myVisibility": None}}
