"""Signed tokens whose claims are hostile (adversarial pass v2): each is refused as UNAUTHENTICATED, never answered
as an internal error. A signed token is not always a well-meant one: an identity provider passes on what a user
typed (a display name, a subject from another system), and a leaked development secret signs anything."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.auth import MAX_SUBJECT_CHARS
from app.main import create_app
from app.responses import encode
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import SECRET, Api, LiveServer, api_settings
from tests.api.jwks import LoopbackJwks

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


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    """A loopback identity provider publishing one RSA key (kid 'k1')."""
    with LoopbackJwks(rsa.generate_private_key(public_exponent=65537, key_size=2048)) as provider:
        yield provider.url


def test_a_forged_key_id_is_401_not_an_internal_error(tmp_path: Path, jwks_url: str) -> None:
    """With RS256 through a JWKS, an unknown key id is echoed in the 401's message; the header is anyone's to write
    (no secret needed), and a key id of "\\ud800" made that answer an internal error (HTTP 503)."""
    store = SQLiteStore(tmp_path / "rs.db")
    anyone = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    try:
        with LiveServer(create_app(api_settings(tmp_path, jwks_url=jwks_url), store=store)) as server, \
                httpx.Client(base_url=server.url) as http:
            for kid in ("\ud800", "k1\udfff", "é" * 5000):
                token = jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, anyone, algorithm="RS256",
                                   headers={"kid": kid})
                r = http.post("/graphql", json={"query": "{ __typename }"},
                              headers={"Authorization": f"Bearer {token}"})
                assert r.status_code == 401, r.text[:300]
                error = r.json()["errors"][0]
                assert error["extensions"]["code"] == "UNAUTHENTICATED"
                assert "key unknown" in error["message"]
                assert len(error["message"]) < 400  # the key id echoed short
    finally:
        store.close()


def test_the_encoder_never_fails_on_text() -> None:
    body = encode({"message": "kid \ud800 and \udfff", "name": "Zoë", "big": 2**70})
    assert json.loads(body) == {"message": "kid \ud800 and \udfff", "name": "Zoë", "big": 2**70}
    assert "Zoë".encode() in body  # non-ASCII text stays UTF-8 on the stdlib path too
