"""No token or session is ever signed with a secret anyone can read, outside one's own machine.

The development placeholder (``DEV_SECRET``) is in the source. Two ways it still signed what the server trusts:

- **Production with an identity provider.** With ``WHOKNOWS_JWKS_URL`` the JWT secret verifies no token, so it was
  never checked, yet the pages' session cookies were signed with it when ``WHOKNOWS_SESSION_SECRET`` was unset:
  anyone could write a session as an admin, or as any person and hide them on the Privacy page.
- **Development served to the network.** ``WHOKNOWS_ENV`` defaults to development, and the Dockerfile runs
  ``whoknows serve --host 0.0.0.0``: anyone reaching the port could sign an admin token.
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer

from app.main import create_app
from app.settings import DEV_SECRET, load_settings
from graph.store.sqlite import SQLiteStore
from schema.errors import ConfigError
from tests.api.conftest import SECRET, LiveServer, load_org
from tests.integration.clirun import cli, one_error_line

IDP = {"jwks_url": "http://127.0.0.1:9/jwks", "oidc_issuer": "http://127.0.0.1:9", "oidc_client_id": "whoknows"}


def _forged(secret: str, person_id: str) -> str:
    """A session cookie as the pages write it (app/web/session.py), signed with ``secret``: an admin's."""
    data = {"sub": "mallory", "name": "Mallory", "role": "admin", "csrf": "c", "person_id": person_id}
    return URLSafeTimedSerializer(secret, salt="whoknows.web.session").dumps(data)


@pytest.mark.parametrize("env", ["production", "test"])
def test_an_identity_provider_deployment_needs_its_own_session_secret(env: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WHOKNOWS_SESSION_SECRET"):
        load_settings(env=env, store=f"sqlite:///{tmp_path / 'w.db'}", **IDP)
    with pytest.raises(ConfigError, match="WHOKNOWS_SESSION_SECRET"):  # a JWT secret too short to sign sessions
        load_settings(env=env, store=f"sqlite:///{tmp_path / 'w.db'}", jwt_secret="short", **IDP)
    result = cli("serve", "--port", "1", env={"WHOKNOWS_ENV": env, "WHOKNOWS_STORE": f"sqlite:///{tmp_path / 'w.db'}",
                                              **{f"WHOKNOWS_{k.upper()}": v for k, v in IDP.items()}}, timeout=60)
    assert result.returncode == 2
    assert "WHOKNOWS_SESSION_SECRET" in one_error_line(result)


def test_a_session_forged_with_the_placeholder_signs_no_one_in(tmp_path: Path) -> None:
    """With its own session secret, the placeholder-signed admin session is no session: the pages ask to sign in,
    and the Privacy form hides no one."""
    store = SQLiteStore(tmp_path / "w.db")
    try:
        load_org(store)
        settings = load_settings(env="production", store=f"sqlite:///{tmp_path / 'w.db'}", session_secret=SECRET,
                                 public_url="https://whoknows.example", **IDP)
        cookies = {"whoknows_session": _forged(DEV_SECRET, "hr:E0003")}
        with LiveServer(create_app(settings, store=store)) as server, \
                httpx.Client(base_url=server.url, cookies=cookies) as http:
            r = http.get("/plan")
            assert r.status_code == 303, r.status_code
            assert r.headers["location"].startswith("/signin")
            r = http.post("/me/privacy", data={"csrf": "c", "hide": "yes"})
            assert r.status_code == 303, r.status_code
            assert r.headers["location"].startswith("/signin")
        visibility = store.visibility("hr:E0003")
        assert visibility is not None
        assert not visibility.hidden
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_development_with_the_placeholder_is_served_on_loopback_only(host: str, tmp_path: Path) -> None:
    """``serve`` and ``demo`` beyond loopback with the placeholder stop at once, naming the variable to set; nothing
    is built or opened. (On the old code ``serve --host 0.0.0.0`` served, and this waited for it in vain.)"""
    store = f"sqlite:///{tmp_path / 'w.db'}"
    port = str(_free_port())
    result = cli("serve", "--host", host, "--port", port, "--store", store, timeout=60)
    assert result.returncode == 2
    line = one_error_line(result)
    assert "WHOKNOWS_JWT_SECRET" in line
    assert "127.0.0.1" in line
    assert DEV_SECRET not in line
    demo = cli("demo", "--host", host, "--port", port, "--people", "50", "--workdir", str(tmp_path / "demo"),
               timeout=60)
    assert demo.returncode == 2
    assert "WHOKNOWS_JWT_SECRET" in one_error_line(demo)
    assert not (tmp_path / "demo").exists()
    assert not (tmp_path / "w.db").exists()
    # a real session secret alone is not enough while tokens are still signed with the placeholder
    result = cli("serve", "--host", host, "--port", port, "--store", store, env={"WHOKNOWS_SESSION_SECRET": SECRET},
                 timeout=60)
    assert result.returncode == 2
    assert "WHOKNOWS_JWT_SECRET" in one_error_line(result)


def test_development_with_a_real_secret_may_listen_everywhere(tmp_path: Path) -> None:
    """The check is on the secret, not the mode: a real secret passes it (the store, never created, stops it next)."""
    result = cli("serve", "--host", "0.0.0.0", "--port", str(_free_port()), "--store",
                 f"sqlite:///{tmp_path / 'w.db'}", env={"WHOKNOWS_JWT_SECRET": SECRET}, timeout=60)
    assert result.returncode != 0
    line = one_error_line(result)
    assert "placeholder" not in line, line
    assert "never created" in line, line


@pytest.mark.parametrize("env", ["production", "test"])
def test_an_identity_provider_deployment_needs_its_public_address(env: str, tmp_path: Path) -> None:
    """Without ``WHOKNOWS_PUBLIC_URL`` the sign-in redirect was built from each request's Host header, which the
    client chooses: outside development with OpenID Connect, the settings refuse to start, naming the variable."""
    store = f"sqlite:///{tmp_path / 'w.db'}"
    with pytest.raises(ConfigError, match="WHOKNOWS_PUBLIC_URL is missing") as refused:
        load_settings(env=env, store=store, session_secret=SECRET, **IDP)
    assert "Host" in str(refused.value)
    with pytest.raises(ConfigError, match="WHOKNOWS_PUBLIC_URL is missing"):  # blank is unset
        load_settings(env=env, store=store, session_secret=SECRET, public_url="  ", **IDP)
    result = cli("serve", "--port", "1", env={"WHOKNOWS_ENV": env, "WHOKNOWS_STORE": store,
                                              "WHOKNOWS_SESSION_SECRET": SECRET,
                                              **{f"WHOKNOWS_{k.upper()}": v for k, v in IDP.items()}}, timeout=60)
    assert result.returncode == 2
    assert "WHOKNOWS_PUBLIC_URL" in one_error_line(result)

    given = load_settings(env=env, store=store, session_secret=SECRET, public_url=" https://who.example/ ", **IDP)
    assert given.public_url == "https://who.example/"
    # without OpenID Connect there is no redirect to build: nothing to require
    assert load_settings(env=env, store=store, jwt_secret=SECRET).public_url is None


@pytest.mark.parametrize("bad", ["who.example", "ftp://who.example", "https://", "https://who.example/?x=1",
                                 "https://who.example/#top", "javascript:alert(1)"])
def test_a_public_address_that_is_no_http_address_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="WHOKNOWS_PUBLIC_URL=.*public address"):
        load_settings(public_url=bad)


def test_development_still_signs_in_from_the_requests_address(tmp_path: Path) -> None:
    """`make demo` and a developer's provider need no setting: in development the redirect follows the request.
    Elsewhere (a caller past the settings' check) it is refused, never built from Host."""
    from app.web.auth_routes import redirect_uri
    from schema.errors import AuthError

    dev = load_settings(env="development", **IDP)
    assert dev.public_url is None
    assert redirect_uri(dev, "http://127.0.0.1:8000/") == "http://127.0.0.1:8000/auth/callback"
    named = load_settings(env="development", public_url="https://who.example/", **IDP)
    assert redirect_uri(named, "http://evil.example/") == "https://who.example/auth/callback"
    outside = load_settings(env="test", jwt_secret=SECRET)  # OIDC unset, so the settings did not require it
    with pytest.raises(AuthError, match="WHOKNOWS_PUBLIC_URL"):
        redirect_uri(outside, "http://evil.example/")
