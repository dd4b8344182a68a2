"""The search and ask pages read a query typed as people type it: "who knows GTAW in reykjavik?".

Against a fabrication plant's own vocabulary (tests/api/test_typed_queries.py), over real HTTP and in chromium.
Before, the search page answered any sentence, "skill place" or "kube rnetes" with "no skill named ...", the ask
page ranked people everywhere when the question named a place, and a typo on the ask page was a bare "no skill we
know of". Now a place the words name filters and the page says so, with a link to search everywhere; a department is
offered, not applied; a typo gets a "did you mean" that works; a query naming no skill says what it does name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.api.test_typed_queries import LODZ, NAMED, REYKJAVIK, SAIGON, TOP, plant_org
from tests.web.conftest import SHOTS, sign_in_link
from tests.web.test_pages_bounds import page_settings, signed_in

RESULT = re.compile(r'<h3[^>]*><a href="/people/([^"]+)">')
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def signed_in_site(tmp: Path, fill: Callable[[SQLiteStore], None]
                   ) -> Iterator[tuple[LiveServer, httpx.Client, Settings]]:
    """The pages over HTTP on a SQLite store ``fill`` writes, with a client signed in as an employee."""
    settings = page_settings(tmp, jwt_secret=f"{tmp.name}-jwt-secret-0123456789abcdef")
    store = SQLiteStore(tmp / "whoknows.db")
    fill(store)
    try:
        with LiveServer(create_app(settings, store=store)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            signed_in(client, settings, server.url)
            yield server, client, settings
    finally:
        store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, httpx.Client, Settings]]:
    yield from signed_in_site(tmp_path_factory.mktemp("typed-pages"), plant_org)


def get_text(client: httpx.Client, path: str, **params: str) -> str:
    """A page's HTML, which must be a 200."""
    page = client.get(path, params=params or None)
    assert page.status_code == 200, page.text[:300]
    return page.text


def people_on(html: str) -> list[str]:
    """The ids of the people a search or ask page lists, in order."""
    return [unquote(m) for m in RESULT.findall(html)]


def link_named(html: str, label: str) -> str:
    """The address of the first link whose text is ``label`` (there must be one)."""
    found = [unescape(href) for href, text in LINK.findall(html) if text.strip() == label]
    assert found, f"no link {label!r}"
    return found[0]


@pytest.mark.parametrize(("typed", "place", "ids"), [
    ("who knows GTAW in reykjavik?", "Reykjavík", REYKJAVIK),
    ("Reykjavík tig welding", "Reykjavík", REYKJAVIK),
    ("tig welding ho chi minh city", "Ho Chi Minh City", SAIGON),
    ("kennt jemand TIG-Welding in Lodz?", "Łódź", LODZ),
])
def test_a_place_in_the_words_filters_says_so_and_can_be_undone(site: Any, typed: str, place: str,
                                                                 ids: set[str]) -> None:
    _, client, _ = site
    html = get_text(client, "/search", skill=typed)
    assert set(people_on(html)) == ids
    assert f"Showing people in {place}, because your search says" in unescape(html)
    assert "know tig-welding" in html
    everywhere = get_text(client, link_named(html, "Search all locations"))
    assert people_on(everywhere)[0] == TOP
    assert set(people_on(everywhere)) == REYKJAVIK | SAIGON | LODZ
    assert f"Only people in {place}" in everywhere  # and back


def test_the_location_field_wins_over_the_words(site: Any) -> None:
    _, client, _ = site
    html = unescape(get_text(client, "/search", skill="gtaw in Reykjavík", location="lodz"))
    assert set(people_on(html)) == LODZ
    assert "filtering on the Location field" in html


@pytest.mark.parametrize(("typed", "meant"), [("metrolgy", "metrology"), ("tig weldng", "tig-welding"),
                                              ("kube rnetes", None), ("welding", "tig-welding")])
def test_a_typo_gets_a_did_you_mean_that_works(site: Any, typed: str, meant: str | None) -> None:
    _, client, _ = site
    html = get_text(client, "/search", skill=typed)
    if meant is None:
        assert "Did you mean" not in html
        return
    assert "Did you mean" in html
    assert people_on(get_text(client, link_named(html, meant)))


def test_a_department_in_the_words_is_offered_not_applied(site: Any) -> None:
    _, client, _ = site
    html = get_text(client, "/search", skill="metrology quality")
    assert set(people_on(html)) & REYKJAVIK  # Maintenance people still there
    assert set(people_on(get_text(client, link_named(html, "Only people in Quality")))) == SAIGON | LODZ


@pytest.mark.parametrize(("typed", "says"), [
    ("Łódź", "names the location Łódź, but no skill"),
    ("Quality", "names the department Quality, but no skill"),
    ("haskell in Reykjavík", "names the location Reykjavík, but no skill"),
    ("xyzzy frobnication", "No one in this organisation has a skill named"),
    ("?", "has no words to search for"),
    ("", "Type a skill or a topic"),
])
def test_a_query_naming_no_skill_says_what_it_names(site: Any, typed: str, says: str) -> None:
    _, client, _ = site
    html = unescape(get_text(client, "/search", skill=typed))
    assert says in html
    assert "no skill named" not in html  # the old bare error


def test_a_person_s_name_offers_the_person(site: Any) -> None:
    _, client, _ = site
    html = get_text(client, "/search", skill="gudrun jonsdottir")
    assert "Looking for a person?" in html
    assert f'href="/people/{NAMED[0].replace(":", "%3A")}"' in html


def test_the_ask_page_filters_on_a_place_in_the_question_and_fixes_a_typo(site: Any) -> None:
    _, client, _ = site
    html = unescape(get_text(client, "/ask", question="anyone in Reykjavik good at tig welding?"))
    assert "because your question says “Reykjavik”" in html
    assert set(people_on(html)) <= REYKJAVIK
    assert people_on(html)
    assert set(people_on(get_text(client, link_named(html, "Search all locations")))) - REYKJAVIK
    typo = get_text(client, "/ask", question="who here knows metrolgy?")
    fixed = get_text(client, link_named(typo, "Add metrology"))
    assert people_on(fixed)
    assert "Skills of the question: <a href=\"/search?skill=metrology\">metrology</a>" in fixed


def typed_into_search(site: Any, page: Any, typed: str, shot: str) -> str:
    """Sign in as Person 1, type ``typed`` into the search box and press Enter, in the real browser; the page's
    main text (a screenshot is kept as ``shot``)."""
    server, _, settings = site
    page.context.clear_cookies()
    page.goto(sign_in_link(settings, server.url, "hr:E0001", "Person 1", Role.EMPLOYEE))
    page.goto(server.url + "/search")
    page.fill("#skill", typed)
    with page.expect_navigation():
        page.press("#skill", "Enter")
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    return str(page.inner_text("main"))


def listed(page: Any, selector: str) -> set[str]:
    """The ids of the people the page links to under ``selector``."""
    return {unquote(h.removeprefix("/people/")) for h in page.eval_on_selector_all(
        selector, "els => els.map(e => e.getAttribute('href'))")}


def test_in_chromium_who_knows_a_skill_in_a_place(site: Any, browser_context: Any) -> None:
    server = site[0]
    page = browser_context.new_page()
    try:
        notes = typed_into_search(site, page, "who knows GTAW in reykjavik?", "typed-query-place.png")
        assert "Showing people in Reykjavík" in notes
        assert listed(page, "ol.results h3 a") == REYKJAVIK
        with page.expect_navigation():
            page.click("text=Search all locations")
        first = page.eval_on_selector("ol.results h3 a", "e => e.getAttribute('href')")
        assert unquote(first.removeprefix("/people/")) == TOP
        page.goto(server.url + "/ask")
        page.fill("#question", "who here knows metrolgy?")
        with page.expect_navigation():
            page.press("#question", "Enter")
        with page.expect_navigation():
            page.click("text=Add metrology")
        page.screenshot(path=str(SHOTS / "typed-query-typo.png"), full_page=True)
        assert page.input_value("#skills") == "metrology"
        assert page.locator("ol.results li.card").count() > 0
    finally:
        page.close()
