"""Authentication and roles over HTTP: HS256 development tokens, RS256 through a JWKS endpoint, the role ladder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.auth import Authenticator, Role, mint_token
from app.keyset import KeySet
from app.main import create_app
from graph.store.sqlite import SQLiteStore
from schema.errors import AuthError
from tests.api.conftest import SECRET, Api, LiveServer, api_settings
from tests.api.jwks import LoopbackJwks

QUERY = '{ experts(skill: "kubernetes", first: 1) { totalCount } }'


def _post(api: Api, headers: dict[str, str]) -> httpx.Response:
    return api.http.post("/graphql", json={"query": QUERY}, headers=headers)


def test_no_token_is_401_with_graphql_error(api: Api) -> None:
    r = _post(api, {})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not.a.jwt",
        "Bearer " + jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) + 60},
                               "wrong-secret-0123456789abcdef0123456789", algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) - 3600}, SECRET,
                               algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": "x", "role": "emperor", "exp": int(time.time()) + 60}, SECRET,
                               algorithm="HS256"),
        "Bearer " + jwt.encode({"role": "admin", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode({"sub": "x", "role": "admin"}, SECRET, algorithm="HS256"),  # no expiry
    ],
    ids=["empty", "basic", "garbage", "wrong-secret", "expired", "unknown-role", "no-sub", "no-exp"],
)
def test_bad_tokens_are_401(api: Api, header: str) -> None:
    r = _post(api, {"Authorization": header})
    assert r.status_code == 401, r.text
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Traceback" not in r.text


def test_none_algorithm_is_refused(api: Api) -> None:
    token = jwt.encode({"sub": "x", "role": "admin", "exp": int(time.time()) + 60}, None, algorithm="none")
    assert _post(api, {"Authorization": f"Bearer {token}"}).status_code == 401


def test_role_ladder(api: Api) -> None:
    analyst_query = "{ influencers(first: 1) { rank } }"
    assert api.codes(analyst_query, role=Role.EMPLOYEE) == ["FORBIDDEN"]
    assert api.codes(analyst_query, role=Role.ANALYST) == []
    assert api.codes(analyst_query, role=Role.ADMIN) == []
    mutation = "mutation { runAnalytics { id } }"
    assert api.codes(mutation, role=Role.EMPLOYEE) == ["FORBIDDEN"]
    assert api.codes(mutation, role=Role.ANALYST) == ["FORBIDDEN"]


def test_health_endpoints_need_no_token(api: Api) -> None:
    assert api.http.get("/healthz").status_code == 200
    assert api.http.get("/readyz").status_code == 200


def test_minted_token_round_trip(tmp_path: Path) -> None:
    settings = api_settings(tmp_path)
    token = mint_token(settings, sub="ada", role=Role.ANALYST, ttl_s=60)
    principal = Authenticator(settings).authenticate(f"Bearer {token}")
    assert (principal.sub, principal.role) == ("ada", Role.ANALYST)
    expired = mint_token(settings, sub="ada", role=Role.ANALYST, ttl_s=1, now=time.time() - 3600)
    with pytest.raises(AuthError, match="expired"):
        Authenticator(settings).authenticate(f"Bearer {expired}")


# --- RS256 through a JWKS endpoint ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(rsa_key: rsa.RSAPrivateKey) -> Iterator[str]:
    """A loopback identity provider publishing one RSA key (kid 'k1')."""
    with LoopbackJwks(rsa_key) as provider:
        yield provider.url


def test_rs256_tokens_via_jwks(tmp_path: Path, rsa_key: rsa.RSAPrivateKey, jwks_url: str) -> None:
    settings = api_settings(tmp_path, jwks_url=jwks_url, jwt_audience="whoknows", jwt_issuer="https://idp.example")
    store = SQLiteStore(tmp_path / "rs.db")
    claims = {"sub": "grace", "role": "analyst", "aud": "whoknows", "iss": "https://idp.example",
              "exp": int(time.time()) + 300}
    good = jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k1"})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k1"})
    wrong_aud = jwt.encode({**claims, "aud": "someone-else"}, rsa_key, algorithm="RS256", headers={"kid": "k1"})
    hs = mint_token(api_settings(tmp_path), sub="mallory", role=Role.ADMIN)  # HS256 must not pass in RS256 mode
    try:
        with LiveServer(create_app(settings, store=store)) as server, httpx.Client(base_url=server.url) as http:
            def status(token: str) -> int:
                q = {"query": "{ influencers(first: 1) { rank } }"}
                return http.post("/graphql", json=q, headers={"Authorization": f"Bearer {token}"}).status_code

            assert status(good) == 200
            assert status(forged) == 401
            assert status(wrong_aud) == 401
            assert status(hs) == 401
    finally:
        store.close()


def test_a_key_set_outage_serves_the_last_keys_and_leaves_the_network_alone(rsa_key: rsa.RSAPrivateKey) -> None:
    """While the provider fails, tokens signed with a key it published still verify, and tokens naming unknown key
    ids (anyone can write one) fail at once instead of each waiting on a fetch (app/keyset.py)."""
    with LoopbackJwks(rsa_key) as provider:
        keys = KeySet(provider.url, lifespan_s=0.05, retry_after_s=600)
        assert keys.get_jwk_set().keys[0].key_id == "k1"
        assert provider.hits == 1
        provider.up = False
        time.sleep(0.1)  # the set's lifespan ends: the next lookup fetches, and the endpoint fails
        assert keys.get_jwk_set().keys[0].key_id == "k1"  # the keys last published
        assert provider.hits == 2
        for i in range(20):  # unknown key ids: refused from the keys at hand, no fetch while the retry waits
            with pytest.raises(jwt.PyJWKClientError, match="Unable to find a signing key"):
                keys.get_signing_key(f"made-up-{i}")
        assert provider.hits == 2
        fresh = KeySet(provider.url)
        with pytest.raises(jwt.PyJWKClientConnectionError):  # nothing fetched yet: nothing to fall back on
            fresh.get_jwk_set()
