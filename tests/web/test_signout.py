"""Signing out revokes the session server-side (app/web/revocation.py), over real HTTP on a real SQLite store: a
cookie copied before sign-out is refused after it, by this server and by another one sharing the store; "sign out
everywhere" ends every session of the person; a store outage keeps pages as they were (no 500), and a sign-out made
during one still holds on the server that made it."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer

from app.auth import Role
from app.main import create_app
from app.settings import Settings, load_settings
from app.web.session import SESSION_COOKIE
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer, load_org, pid
from tests.web.conftest import sign_in_link

SESSION_SECRET = "signout-test-session-secret-0123456789abcdef"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    where = tmp_path / "store"
    where.mkdir()
    store = SQLiteStore(where / "whoknows.db")
    try:
        load_org(store)
    finally:
        store.close()
    return where


def settings_for(folder: Path) -> Settings:
    return load_settings(env="development", store=f"sqlite:///{folder / 'whoknows.db'}", response_cache_ttl_s=0.0,
                         session_secret=SESSION_SECRET, store_retry_initial_s=0.05, store_retry_max_s=0.2)


@pytest.fixture
def servers(folder: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two instances of whoknows (each its own app, sessions and store connection) serving the same store."""
    with LiveServer(create_app(settings_for(folder))) as one, LiveServer(create_app(settings_for(folder))) as two:
        yield one, two


@contextmanager
def signed_in(server: LiveServer, person: str = pid(1), role: Role = Role.EMPLOYEE) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        done = client.get(sign_in_link(server_settings(server), server.url, person, "Pat Example", role))
        assert done.status_code == 303, done.text
        assert client.cookies.get(SESSION_COOKIE)
        yield client


def server_settings(server: LiveServer) -> Settings:
    return server.server.config.app.state.settings  # type: ignore[no-any-return]


def copy_of(client: httpx.Client, server: LiveServer) -> httpx.Client:
    """Another browser holding the same session cookie (stolen, or copied off a shared computer)."""
    return httpx.Client(base_url=server.url, timeout=30, cookies={SESSION_COOKIE: client.cookies[SESSION_COOKIE]})


def csrf(client: httpx.Client) -> str:
    page = client.get("/me/privacy")
    assert page.status_code == 200, page.status_code
    found = CSRF.search(page.text)
    assert found is not None
    return html.unescape(found.group(1))


def signed_out(client: httpx.Client, path: str = "/me/privacy") -> bool:
    answer = client.get(path)
    return answer.status_code == 303 and answer.headers["location"].startswith("/signin")


def test_a_cookie_copied_before_sign_out_is_refused_after_it(servers: tuple[LiveServer, LiveServer]) -> None:
    one, two = servers
    with signed_in(one) as browser, copy_of(browser, one) as thief, copy_of(browser, two) as thief_elsewhere:
        assert not signed_out(thief)
        assert not signed_out(thief_elsewhere)
        out = browser.post("/signout", data={"csrf": csrf(browser)})
        assert out.status_code == 303
        assert out.headers["location"] == "/signin"
        assert signed_out(browser)
        # the copy, on this server and on another one sharing the store, which never saw the sign-out
        assert signed_out(thief)
        assert signed_out(thief_elsewhere, "/communities")
        refused = thief_elsewhere.get("/search")
        assert refused.status_code == 303
        assert f"{SESSION_COOKIE}=" in refused.headers["set-cookie"]  # and told to drop it
        # no form works with it either: the privacy choice is refused and hides no one
        hide = thief_elsewhere.post("/me/privacy", data={"csrf": "x", "hide": "yes"})
        assert hide.status_code == 303
        assert hide.headers["location"].startswith("/signin")
        # an unknown address's page does not show the revoked session's name
        missing = thief_elsewhere.get("/no-such-page")
        assert missing.status_code == 404
        assert "Pat Example" not in missing.text
        assert 'action="/signout"' not in missing.text
    with signed_in(two) as again:  # signing in again gives a new session, which works on both
        assert not signed_out(again)
        with copy_of(again, one) as same_person_elsewhere:
            assert not signed_out(same_person_elsewhere)


def test_sign_out_everywhere_ends_every_session_of_the_person(servers: tuple[LiveServer, LiveServer]) -> None:
    one, two = servers
    with signed_in(one) as laptop, signed_in(two) as phone, signed_in(two, pid(2)) as colleague:
        token = csrf(laptop)
        wrong = laptop.post("/signout/everywhere", data={"csrf": "not-the-token"})
        assert wrong.status_code == 400
        assert not signed_out(laptop)
        assert not signed_out(phone)

        done = laptop.post("/signout/everywhere", data={"csrf": token})
        assert done.status_code == 303
        assert done.headers["location"] == "/signin"
        assert signed_out(laptop)
        assert signed_out(phone)  # signed in on the other server, before
        assert not signed_out(colleague)  # someone else's session stands
    time.sleep(0.01)
    with signed_in(two) as later:  # a sign-in after it stands, on both servers
        assert not signed_out(later)
        with copy_of(later, one) as later_here:
            assert not signed_out(later_here)


def test_the_privacy_page_offers_sign_out_everywhere(servers: tuple[LiveServer, LiveServer]) -> None:
    one, _ = servers
    with signed_in(one) as browser:
        page = browser.get("/me/privacy").text
        form = re.search(r'<form method="post" action="/signout/everywhere"[^>]*>(.*?)</form>', page, re.S)
        assert form is not None
        assert 'name="csrf"' in form.group(1)
        assert "Sign out everywhere" in form.group(1)
        assert browser.post("/signout/everywhere").status_code == 400  # no token, no sign-out
        assert not signed_out(browser)


def test_a_store_outage_keeps_pages_as_they_were_and_this_servers_sign_out_holds(folder: Path) -> None:
    """While the store cannot be reached, a session's check fails open (pages say the store is unavailable, as
    before, and never 500); a sign-out made meanwhile still ends the copy on this server, which remembers it."""
    store = SQLiteStore(folder / "whoknows.db")
    away = folder.with_name("store-away")
    with LiveServer(create_app(settings_for(folder), store=store)) as server, signed_in(server) as browser, \
            copy_of(browser, server) as thief:
        token = csrf(browser)
        store.close()
        folder.rename(away)  # the store's directory is gone: reopening fails until it is back
        try:
            page = browser.get("/me/privacy")
            assert page.status_code == 503, page.status_code  # the store's outage, as before, not a sign-in page
            assert "Pat Example" in page.text  # still signed in
            assert browser.get("/plan").status_code in (200, 403)  # a page without reads of its own still serves
            out = browser.post("/signout", data={"csrf": token})
            assert out.status_code == 303
            assert out.headers["location"] == "/signin"
            assert signed_out(thief)  # this server remembers the sign-out it made
            assert signed_out(thief, "/search")
        finally:
            away.rename(folder)


def _cookie(data: dict[str, object]) -> str:
    return URLSafeTimedSerializer(SESSION_SECRET, salt="whoknows.web.session").dumps(data)


@pytest.mark.parametrize("change", ["no id", "signed in too long ago", "id not text", "no sign-in time",
                                    "sign-in time out of range"])
def test_a_cookie_that_cannot_be_revoked_or_outlived_its_sign_in_is_no_session(
    servers: tuple[LiveServer, LiveServer], change: str
) -> None:
    """A cookie without a session id (written before sessions had one) could never be signed out: refused. A cookie
    written again later (the privacy page does) still ends ``WHOKNOWS_SESSION_TTL_S`` after sign-in."""
    one, _ = servers
    data: dict[str, object] = {"sub": pid(1), "name": "Pat", "role": "employee", "csrf": "c", "person_id": pid(1),
                               "sid": "s-123", "iat": time.time()}
    if change == "no id":
        del data["sid"]
    elif change == "id not text":
        data["sid"] = 123
    elif change == "no sign-in time":
        data["iat"] = "yesterday"
    elif change == "sign-in time out of range":
        data["iat"] = 1e300
    else:
        data["iat"] = time.time() - server_settings(one).session_ttl_s - 1
    good = {**data, "sid": "s-123", "iat": time.time()}
    with httpx.Client(base_url=one.url, timeout=30, cookies={SESSION_COOKIE: _cookie(good)}) as fine:
        assert not signed_out(fine)  # the same cookie, whole and fresh, is a session
    with httpx.Client(base_url=one.url, timeout=30, cookies={SESSION_COOKIE: _cookie(data)}) as http:
        assert signed_out(http)
