"""An employee hides themselves from whoknows in a real browser, and shows themselves again (app/web/pages_me.py).

On a copy of the demo store with an app of its own, since hiding someone changes what every other page shows.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth import Role
from app.graphql.explain import STALE_REASON
from app.graphql.services import CHOICE_INTERVAL_S
from app.main import create_app
from app.settings import Settings, load_settings
from app.web.network import person_href
from graph.store.sqlite import SQLiteStore
from graph.store.visibility import Visibility
from ingest.manifest import ingest_manifest
from schema.models import Person
from tests.api.conftest import LiveServer
from tests.web.conftest import sign_in_link
from tests.web.test_browser import Browser

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def own_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("privacy") / "whoknows.db"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


@pytest.fixture(scope="module")
def own_settings(own_db: Path) -> Settings:
    return load_settings(env="development", store=f"sqlite:///{own_db}", response_cache_ttl_s=0.0,
                         session_secret="web-test-session-secret-0123456789abcdef")


@pytest.fixture(scope="module")
def app(own_settings: Settings) -> Any:
    app = create_app(own_settings)
    app.state.services.choices.interval_s = 0.0  # these tests change their minds at once (one test checks the wait)
    return app


@pytest.fixture(scope="module")
def own_app(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def own_store(own_db: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(own_db)
    yield store
    store.close()


def _python_expert_with_a_health_community(store: SQLiteStore) -> tuple[Person, str]:
    """The first python expert who is a member of a community with health figures (to see them withheld)."""
    for hit in store.experts("python", first=20).items:
        for community in store.memberships([hit.person.id]).get(hit.person.id, []):
            report = store.community_health(community.id)
            if report.current is not None and report.current.members:
                return store.people([hit.person.id])[hit.person.id], community.id
    raise AssertionError("the demo organisation should have a python expert in a community with health figures")


def _a_community_with_health_they_never_touched(store: SQLiteStore, person_id: str) -> str:
    """A community with health figures that ``person_id`` is no member of and never posted in."""
    data = store.read_projection()
    theirs = {m.community_id for m in data.memberships if m.person_id == person_id}
    theirs |= {p.community_id for p in data.posts if p.author_id == person_id}
    sizes = store.community_sizes()
    for community in sorted(sizes, key=lambda c: -sizes[c]):
        report = store.community_health(community)
        if community not in theirs and report.current is not None and report.current.members:
            return community
    raise AssertionError("the demo organisation should have a community the python expert never touched")


def test_an_employee_hides_themselves_a_reimport_keeps_it_and_they_show_themselves_again(
    browser_context: Any, own_app: LiveServer, own_settings: Settings, own_store: SQLiteStore, demo_db: Path,
    tmp_path: Path,
) -> None:
    me, community = _python_expert_with_a_health_community(own_store)
    elsewhere = _a_community_with_health_they_never_touched(own_store, me.id)
    mine = f"a[href='{person_href(me.id)}']"
    as_me = sign_in_link(own_settings, own_app.url, me.id, me.name, Role.EMPLOYEE)
    as_analyst = sign_in_link(own_settings, own_app.url, "hr:E00001", "Ana Lyst", Role.ANALYST)
    browser = Browser(browser_context, own_app.url, opted_out=set())
    try:
        browser.sign_in(as_me)
        page = browser.visit("/search?skill=python", "privacy-01-search-listed")
        assert page.locator(mine).count() >= 1
        page.get_by_role("link", name="Privacy").click()
        page = browser.check("privacy-02-listed")
        assert "You are listed" in page.inner_text("main")

        page.get_by_role("button", name="Hide me from whoknows").click()
        page = browser.check("privacy-03-hidden")
        assert "hidden, by your own choice since" in page.inner_text("#status")
        assert page.get_by_role("button", name="Show me again").count() == 1
        assert page.get_by_role("link", name="My profile").count() == 0  # no page of theirs to open now
        browser.opted_out.add(me.id)  # from here on, every page checked must not link to them
        browser.visit("/search?skill=python", "privacy-04-search-without-me")
        browser.visit("/ask?skills=python", "privacy-05-ask-without-me")
        page = browser.visit(person_href(me.id), "privacy-06-own-page")  # their own page: where to undo it
        assert page.url.endswith("/me/privacy")

        # an analyst no longer finds them, and the health that counted them waits for the next analysis
        browser.sign_in(as_analyst)
        browser.visit(person_href(me.id), "privacy-07-analyst-404", status=404)
        page = browser.visit(f"/communities/{community}", "privacy-08-health-withheld")
        assert STALE_REASON in page.inner_text("main")
        page = browser.visit(f"/communities/{elsewhere}", "privacy-08b-health-elsewhere")  # not theirs: shown
        assert STALE_REASON not in page.inner_text("main")
        assert page.locator("svg.chart").count() >= 1
        browser.visit("/plan/influencers?skill=python", "privacy-09-influencers-without-me")

        # the next HR import lists them as not opted out: their choice stands
        writer = SQLiteStore(own_store.path)
        try:
            ingest_manifest(writer, demo_db.parent / "data", rejects_dir=tmp_path / "rejects")
        finally:
            writer.close()
        browser.visit(person_href(me.id), "privacy-10-after-reimport", status=404)

        browser.sign_in(as_me)
        page = browser.visit("/me/privacy", "privacy-11-still-hidden")
        page.get_by_role("button", name="Show me again").click()
        browser.opted_out.discard(me.id)  # listed again: their pages link to them
        page = browser.check("privacy-12-shown-again")
        assert "You are listed" in page.inner_text("#status")
        assert page.get_by_role("link", name="My profile").count() == 1
        page = browser.visit("/search?skill=python", "privacy-13-search-listed-again")
        assert page.locator(mine).count() >= 1
    finally:
        browser.page.close()
    assert own_store.visibility(me.id) == Visibility(me.id, by_choice=False, by_source=False)


def test_the_choice_is_a_csrf_safe_form_that_waits_between_changes(
    app: Any, own_app: LiveServer, own_settings: Settings, own_store: SQLiteStore,
) -> None:
    me, _ = _python_expert_with_a_health_community(own_store)
    with httpx.Client(base_url=own_app.url, timeout=60) as client:
        assert client.get(sign_in_link(own_settings, own_app.url, me.id, me.name, Role.EMPLOYEE)).status_code == 303
        forged = client.post("/me/privacy", data={"hide": "yes"})
        assert forged.status_code == 400
        assert "CSRF" in forged.text
        odd = client.post("/me/privacy", data={"hide": "maybe", "csrf": "x"})
        assert odd.status_code == 400
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/me/privacy").text)
        assert csrf is not None
        app.state.services.choices.interval_s = CHOICE_INTERVAL_S
        app.state.services.choices.last.pop(me.id, None)  # the browser test's changes were moments ago
        try:  # a change, then its undo at once: one moment, please (each change makes every cached answer cold)
            assert client.post("/me/privacy", data={"hide": "yes", "csrf": csrf.group(1)}).status_code == 303
            wait = client.post("/me/privacy", data={"hide": "no", "csrf": csrf.group(1)})
            assert wait.status_code == 429
            assert "try again in" in html.unescape(wait.text)
            refused = own_store.visibility(me.id)
            assert refused is not None
            assert (refused.by_choice, refused.by_source) == (True, False)  # refused means unchanged
        finally:
            app.state.services.choices.interval_s = 0.0
        assert client.post("/me/privacy", data={"hide": "no", "csrf": csrf.group(1)}).status_code == 303
        assert own_store.visibility(me.id) == Visibility(me.id, by_choice=False, by_source=False)
        # someone whose sign-in matches no person (an OIDC account HR does not list) has nothing to hide, and is told so
        client.cookies.clear()
        nobody = sign_in_link(own_settings, own_app.url, "hr:nobody-here", "Visitor", Role.EMPLOYEE)
        assert client.get(nobody).status_code == 303
        page = client.get("/me/privacy")
        assert page.status_code == 200
        assert "not linked to a person" in page.text
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        assert client.post("/me/privacy", data={"hide": "yes", "csrf": token.group(1)}).status_code == 404
