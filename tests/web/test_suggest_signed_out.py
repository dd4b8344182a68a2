"""The skill autocomplete's fetch with no (valid) session: a 401 JSON answer saying to sign in again, never the 303
to the sign-in page's HTML, which fetch() followed and then failed to read as JSON (the box silently stopped
suggesting). The pages keep redirecting a person's browser. Over real HTTP, and the box's script in real chromium,
against the real app on the API tests' small organisation (real SQLite, real HRIS ingest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.web.core import SIGNED_OUT
from app.web.session import SESSION_COOKIE
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer, load_org
from tests.web.conftest import SHOTS, sign_in_link
from tests.web.test_pages_bounds import page_settings, signed_in

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp("suggest-signed-out")
    store = SQLiteStore(tmp / "whoknows.db")
    load_org(store)
    try:
        with LiveServer(create_app(page_settings(tmp), store=store)) as live:
            yield live
    finally:
        store.close()


def unauthenticated(r: httpx.Response) -> None:
    assert r.status_code == 401, (r.status_code, r.headers.get("location"), r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    assert "location" not in r.headers
    assert r.headers["cache-control"] == "no-store"
    error = r.json()["errors"][0]
    assert error == {"message": SIGNED_OUT, "extensions": {"code": "UNAUTHENTICATED"}}


def test_the_suggest_fetch_signed_out_is_401_json(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for accept in ("*/*", "application/json", BROWSER_ACCEPT):  # the path is JSON's, whoever asks
            unauthenticated(client.get("/suggest/skills", params={"q": "kub"}, headers={"Accept": accept}))


def test_a_forged_or_ended_session_is_401_and_the_cookie_is_dropped(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30, cookies={SESSION_COOKIE: "forged.or.expired"}) as client:
        r = client.get("/suggest/skills", params={"q": "kub"})
        unauthenticated(r)
        assert f"{SESSION_COOKIE}=" in r.headers["set-cookie"]
        assert "max-age=0" in r.headers["set-cookie"].lower()


def test_signed_in_the_fetch_suggests(server: LiveServer) -> None:
    settings = server.server.config.app.state.settings
    with httpx.Client(base_url=server.url, timeout=30) as client:
        signed_in(client, settings, server.url)
        r = client.get("/suggest/skills", params={"q": "who knows kub"}, headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text
        assert r.json()[0] == {"name": "kubernetes", "hint": "alias kube", "fragment": "kub"}


def test_a_page_still_sends_a_browser_to_sign_in_and_a_script_gets_json(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        r = client.get("/search", params={"skill": "kubernetes"}, headers={"Accept": BROWSER_ACCEPT})
        assert r.status_code == 303
        assert r.headers["location"] == "/signin?next=%2Fsearch%3Fskill%3Dkubernetes"
        unauthenticated(client.get("/search", params={"skill": "kubernetes"}, headers={"Accept": "application/json"}))


def test_the_box_stops_suggesting_and_says_to_sign_in_again(server: LiveServer, browser_context: Any) -> None:
    settings = server.server.config.app.state.settings
    page = browser_context.new_page()
    try:
        browser_context.clear_cookies()
        assert page.goto(sign_in_link(settings, server.url, "hr:E0001", "Person 1", Role.EMPLOYEE)).status == 200
        page.goto(f"{server.url}/search")
        box = page.locator("#skill")
        box.press_sequentially("kub")
        page.locator("#skill-list li").first.wait_for()
        assert page.locator("#skill-list li").first.inner_text().startswith("kubernetes")
        box.fill("")
        browser_context.clear_cookies()  # the session ends while the page is open
        asked: list[int] = []
        page.on("response", lambda r: asked.append(r.status) if "/suggest/" in r.url else None)
        box.press_sequentially("pyt")
        note = page.locator("#skill-signed-out")
        note.wait_for()
        page.screenshot(path=str(SHOTS / "suggest-signed-out.png"))
        assert "Your session has ended" in note.inner_text()
        assert note.get_attribute("role") == "alert"
        link = note.locator("a")
        assert link.inner_text() == "Sign in again"
        assert link.get_attribute("href") == "/signin?next=%2Fsearch"
        assert page.locator("#skill-list").is_hidden()
        assert asked == [401]
        box.press_sequentially("hon")  # no more fetches once signed out, and the note is not repeated
        page.wait_for_timeout(400)
        assert asked == [401]
        assert page.locator("#skill-signed-out").count() == 1
        assert page.url == f"{server.url}/search"  # still on the page: nothing typed was lost
    finally:
        page.close()
