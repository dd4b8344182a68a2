"""Sign-in through OpenID Connect against a small local provider over real HTTP (code flow, PKCE S256, nonce),
the session cookie's flags, CSRF on sign-out, roles from a configurable claim, and development links refused
outside development."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.responses import Response as StarletteResponse

from app.auth import Role
from app.main import create_app
from app.settings import load_settings
from app.web.devlinks import mint_dev_token
from app.web.oidc import s256
from app.web.session import new_user
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.errors import ConfigError
from tests.api.conftest import LiveServer, reserve_socket
from tests.factories import community, person
from tests.web.oidc_provider import ProviderState, provider_app

SECRET = "oidc-test-secret-4b1d9e7f2a6c8e0f1a3b5c7d"


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[ProviderState, LiveServer]]:
    state = ProviderState()
    with LiveServer(provider_app(state)) as server:
        yield state, server


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path_factory.mktemp("oidc") / "whoknows.db")
    s.write_batch(Batch(people=[person(1, name="Alice Example", email="Alice@Example.com"), person(2)],
                        communities=[community("eng")]))
    yield s
    s.close()


@pytest.fixture(scope="module")
def app(provider: tuple[ProviderState, LiveServer], store: SQLiteStore) -> Iterator[LiveServer]:
    _, idp = provider
    with oidc_server(store, oidc_issuer=idp.url, oidc_role_claim="groups",
                     oidc_role_map={"whoknows-analysts": "analyst", "it-admins": "admin"}) as server:
        yield server


def oidc_server(store: SQLiteStore, **settings: Any) -> LiveServer:
    """A whoknows server in test mode signing in through the provider, at the public address its settings name
    (outside development the sign-in redirect is never built from the request's Host)."""
    sock = reserve_socket()
    values: dict[str, Any] = {"env": "test", "jwt_secret": SECRET, "store": "sqlite:///unused.db",
                              "oidc_client_id": "whoknows-web",
                              "public_url": f"http://127.0.0.1:{sock.getsockname()[1]}"}
    return LiveServer(create_app(load_settings(**{**values, **settings}), store=store), sock=sock)


@pytest.fixture(autouse=True)
def _reset(provider: tuple[ProviderState, LiveServer]) -> None:
    state, _ = provider
    state.claims = {"sub": "idp|alice", "email": "alice@example.com", "name": "Alice Example"}
    state.wrong_nonce = state.foreign_key = False


@contextmanager
def sign_in(app: LiveServer, next_path: str = "/communities") -> Iterator[tuple[httpx.Client, httpx.Response]]:
    """Run the whole code flow with real redirects; (client holding the cookies, the callback's response)."""
    with httpx.Client(base_url=app.url, timeout=30) as client:
        start = client.get("/signin", params={"next": next_path})
        assert start.status_code == 303
        authorize = httpx.get(start.headers["location"], timeout=30)
        assert authorize.status_code == 302, authorize.text
        back = authorize.headers["location"]
        assert back.startswith(f"{app.url}/auth/callback?")
        yield client, client.get(back)


def test_code_flow_with_pkce_signs_the_person_in(app: LiveServer, provider: tuple[ProviderState, LiveServer]) -> None:
    state, _ = provider
    with sign_in(app) as (client, done):
        assert done.status_code == 303, done.text
        assert done.headers["location"] == "/communities"
        request = state.authorize_requests[-1]
        assert request["code_challenge_method"] == "S256"
        assert len(request["code_challenge"]) == 43  # a SHA-256 digest, base64url without padding
        assert request["nonce"]
        assert request["state"]
        assert request["scope"] == "openid profile email"
        cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith("whoknows_session="))
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        assert "Secure" not in cookie  # plain http in tests; production sets it (below)
        page = client.get("/communities")
        assert page.status_code == 200
        assert "Alice Example" in page.text
        assert "employee" in page.text
        # matched to the person by e-mail, case-folded: their profile is linked
        assert "/people/hr%3AE0001" in page.text
        assert client.get("/plan").status_code == 403


def test_the_role_comes_from_the_configured_claim(app: LiveServer, provider: tuple[ProviderState, LiveServer]) -> None:
    state, _ = provider
    state.claims["groups"] = ["staff", "whoknows-analysts"]
    with sign_in(app, "/plan") as (client, done):
        assert done.headers["location"] == "/plan"
        assert client.get("/plan").status_code == 200
    state.claims["groups"] = ["it-admins"]
    with sign_in(app) as (client, _):
        assert "admin" in client.get("/search").text


@pytest.mark.parametrize("groups", [["admin"], ["Analyst", "staff"], ["ADMIN", "whoknows-analysts"]])
def test_with_a_role_map_a_group_merely_named_like_a_role_grants_nothing(
    app: LiveServer, provider: tuple[ProviderState, LiveServer], groups: list[str]
) -> None:
    """The map names the groups that grant roles (whoknows-analysts, it-admins). A group called "admin" (another
    application's, or one anyone may create in a self-service directory) made its members admins here too."""
    state, _ = provider
    state.claims["groups"] = groups
    with sign_in(app, "/plan") as (client, _):
        expected = 200 if "whoknows-analysts" in groups else 403
        assert client.get("/plan").status_code == expected
        assert '<span class="role">admin</span>' not in client.get("/search").text


@pytest.mark.parametrize("role", ["adm\u0131n", "analy\u017ft"])  # dotless i, long s: upper() makes them ASCII
def test_a_role_claim_that_only_upper_cases_to_a_role_grants_nothing(
    provider: tuple[ProviderState, LiveServer], store: SQLiteStore, role: str
) -> None:
    state, idp = provider
    state.claims["role"] = role
    with oidc_server(store, oidc_issuer=idp.url) as server, sign_in(server, "/plan") as (client, done):
        assert done.status_code == 303, done.text
        assert client.get("/plan").status_code == 403
        assert '<span class="role">employee</span>' in client.get("/search").text


@pytest.mark.parametrize("knob", ["wrong_nonce", "foreign_key"])
def test_a_bad_id_token_signs_no_one_in(app: LiveServer, provider: tuple[ProviderState, LiveServer], knob: str) -> None:
    state, _ = provider
    setattr(state, knob, True)
    with sign_in(app) as (client, done):
        assert done.status_code == 400
        assert "Sign-in failed" in done.text
        assert "whoknows_session=" not in " ".join(done.headers.get_list("set-cookie"))
        assert client.get("/search", follow_redirects=False).status_code == 303


def test_a_subject_that_is_not_text_signs_no_one_in(app: LiveServer, provider: tuple[ProviderState, LiveServer]
                                                   ) -> None:
    """A lone surrogate ("\\ud800" in the id token's JSON) reached the store and the session: refused, saying why."""
    state, _ = provider
    state.claims["sub"] = "idp|\ud800"
    with sign_in(app) as (client, done):
        assert done.status_code == 400
        assert "not valid Unicode" in done.text
        assert "whoknows_session=" not in " ".join(done.headers.get_list("set-cookie"))


def test_a_name_or_email_that_is_not_text_is_left_out(app: LiveServer, provider: tuple[ProviderState, LiveServer]
                                                     ) -> None:
    state, _ = provider
    state.claims.update(email="alice\ud800@example.com", name="Alice \udfff")
    with sign_in(app) as (client, done):
        assert done.status_code == 303, done.text
        page = client.get("/communities")
        assert page.status_code == 200
        assert "idp|alice" in page.text  # the subject stands in for the name
        assert "/people/hr%3AE0001" not in page.text  # no e-mail to match a person by


@pytest.mark.parametrize("verified", [False, "false", "FALSE", None])
def test_an_unverified_email_signs_in_as_no_one(app: LiveServer, provider: tuple[ProviderState, LiveServer],
                                                store: SQLiteStore, verified: object) -> None:
    """Anyone can type a colleague's address into a self-service profile; a provider that says so
    (``email_verified`` false) no longer names that colleague. Before, the impostor got Alice's Privacy page and
    could hide her, or withdraw the opt-out she chose."""
    state, _ = provider
    state.claims.update(sub="idp|mallory", name="Mallory", email_verified=verified)
    with sign_in(app, "/me/privacy") as (client, done):
        assert done.status_code == 303, done.text
        page = client.get("/me/privacy")
        assert "not linked to a person" in page.text
        assert "/people/hr%3AE0001" not in page.text
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        refused = client.post("/me/privacy", data={"csrf": token.group(1), "hide": "yes"})
        assert refused.status_code == 400
    visibility = store.visibility("hr:E0001")
    assert visibility is not None
    assert not visibility.hidden
    for confirmed in (True, "true"):  # a verified address, or a provider that does not say, still matches
        state.claims.update(email_verified=confirmed)
        with sign_in(app, "/me/privacy") as (client, _):
            assert "/people/hr%3AE0001" in client.get("/me/privacy").text


def test_a_callback_that_did_not_start_here_is_refused(app: LiveServer) -> None:
    with sign_in(app) as (_, done):  # a real code, but the callback arrives without this browser's sign-in cookie
        forged = httpx.get(str(done.request.url), timeout=30)
        assert forged.status_code == 400
    client = httpx.Client(base_url=app.url, timeout=30)
    with client:
        start = client.get("/signin")
        authorize = httpx.get(start.headers["location"], timeout=30)
        query = parse_qs(urlsplit(authorize.headers["location"]).query)
        tampered = client.get("/auth/callback", params={"code": query["code"][0], "state": "not-the-state"})
        assert tampered.status_code == 400
        assert "did not start here" in tampered.text


def test_sign_out_needs_the_form_s_csrf_token(app: LiveServer) -> None:
    with sign_in(app) as (client, _):
        page = client.get("/search").text
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token is not None
        refused = client.post("/signout", data={"csrf": "forged"})
        assert refused.status_code == 400
        assert client.get("/search").status_code == 200  # still signed in
        out = client.post("/signout", data={"csrf": token.group(1)})
        assert out.status_code == 303
        assert client.get("/search", follow_redirects=False).status_code == 303


def test_development_links_are_refused_outside_development(app: LiveServer, tmp_path: Path) -> None:
    dev = load_settings(env="development", jwt_secret=SECRET)
    token = mint_dev_token(dev, "hr:E0001", "Alice", Role.ADMIN)
    assert httpx.get(f"{app.url}/auth/dev", params={"t": token}, timeout=30).status_code == 404
    with pytest.raises(ConfigError):
        mint_dev_token(load_settings(env="test", jwt_secret=SECRET), "hr:E0001", "Alice", Role.ADMIN)


def test_production_cookies_are_secure(store: SQLiteStore) -> None:
    settings = load_settings(env="production", jwt_secret=SECRET)
    web: Any = create_app(settings, store=store).state.web
    out = StarletteResponse()
    web.sessions.sign_in(out, new_user("x", "X", Role.EMPLOYEE, None))
    cookie = out.headers["set-cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("public_url", ["https://who.example", "HTTPS://who.example", " Https://who.example/ "])
def test_cookies_are_secure_behind_an_https_public_url(store: SQLiteStore, public_url: str) -> None:
    """A development or test server whose public address is https sets Secure whatever the scheme's case (it
    compared the text with "https://", so "HTTPS://..." sent the session cookie over plain http too)."""
    settings = load_settings(env="development", jwt_secret=SECRET, public_url=public_url)
    web: Any = create_app(settings, store=store).state.web
    out = StarletteResponse()
    web.sessions.sign_in(out, new_user("x", "X", Role.EMPLOYEE, None))
    assert "Secure" in out.headers["set-cookie"]


@pytest.mark.parametrize("claimed", ["e0002", "E0002", "HR:e0002"])
def test_a_person_claim_in_another_case_or_without_its_namespace_signs_that_person_in(
    provider: tuple[ProviderState, LiveServer], store: SQLiteStore, claimed: str
) -> None:
    """The provider's employee id claim spells hr:E0002 otherwise. Before, only the exact id matched: the person
    was signed in as no one, so their privacy page had nothing of theirs to hide."""
    state, idp = provider
    state.claims = {**state.claims, "sub": "idp|bo", "employee_id": claimed}
    with oidc_server(store, oidc_issuer=idp.url, oidc_person_claim="employee_id") as server, \
            sign_in(server, "/me/privacy") as (client, done):
        assert done.status_code == 303, done.text
        page = client.get("/me/privacy")
        assert page.status_code == 200
        assert "not linked to a person" not in page.text
        assert 'name="hide"' in page.text  # the choice, for the person they are
        assert "/people/hr%3AE0002" in page.text
