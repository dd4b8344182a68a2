"""The search page and the API find the same people for a folded filter ("who knows Kubernetes in berlin").

Over real HTTP against one app on a real SQLite store: Berlin spelt "Berlin" and "BERLIN" by two sources, Zürich
in NFC, an opted-out person in "berlin". The page matched a typed location to one stored spelling and the API
compared exactly, so the page and the API disagreed (and the page missed the other spelling's people).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import httpx

from app.main import create_app
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import HasSkill, Skill
from tests.api.conftest import Api, LiveServer
from tests.api.test_filters_folded import BERLIN, EXPERTS, _org, _placeless
from tests.web.test_pages_bounds import page_settings, signed_in

RESULT = re.compile(r'<h3[^>]*><a href="/people/([^"]+)">')


@contextmanager
def _pages(tmp_path: Path, fill: Callable[[SQLiteStore], None]) -> Iterator[tuple[httpx.Client, Api]]:
    """A signed-in page client and an API client over HTTP on one app, on a SQLite store ``fill`` writes."""
    settings = page_settings(tmp_path, jwt_secret="page-filters-jwt-secret-0123456789abcdef")
    store = SQLiteStore(tmp_path / "whoknows.db")
    fill(store)
    try:
        with LiveServer(create_app(settings, store=store)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            signed_in(client, settings, server.url)
            api = Api(server.url, settings)
            try:
                yield client, api
            finally:
                api.http.close()
    finally:
        store.close()


def test_the_page_and_the_api_find_the_same_people(tmp_path: Path) -> None:
    with _pages(tmp_path, _org) as (client, api):
        for typed in ("berlin", "BERLIN ", "Zu\u0308rich", "zurich", "\u0130STANBUL",
                      "\uff22\uff45\uff52\uff4c\uff49\uff4e"):
            page = client.get("/search", params={"skill": "Kubernetes", "location": typed})
            assert page.status_code == 200, page.text[:300]
            on_page = [unquote(m) for m in RESULT.findall(page.text)]
            conn = api.data(EXPERTS, {"first": 100, "location": typed})["experts"]
            assert on_page == [e["node"]["person"]["id"] for e in conn["edges"]], typed
            assert on_page, typed
        berlin = client.get("/search", params={"skill": "kubernetes", "location": "berlin"}).text
        assert {unquote(m) for m in RESULT.findall(berlin)} == BERLIN  # both spellings, not the opted-out
        berlin_as = "as (Berlin|BERLIN)"  # two sources spell it; the directory's first spelling is matched
        for typed, said in (("\u0130STANBUL", r"as Istanbul \(case does not matter\)"),
                            ("ZURICH", r"as Zurich \(case does not matter\)"),
                            ("Ｂｅｒｌｉｎ", berlin_as + r" \(character width( and case)? (does|do) not matter\)"),
                            ("ｂｅｒｌｉｎ", berlin_as + r" \(character width and case do not matter\)")):
            text = client.get("/search", params={"skill": "kubernetes", "location": typed}).text
            assert re.search(said, text), typed
        zurich = client.get("/search", params={"skill": "kubernetes", "department": "developpement"}).text
        assert "as D\u00e9veloppement (case and accents do not matter)" in zurich
        assert [unquote(m) for m in RESULT.findall(zurich)] == ["hr:E0016"]


def test_a_skill_no_one_has_shown_says_so_and_offers_no_filter_to_drop(tmp_path: Path) -> None:
    """Before: "No one matches. Try without a filter." with no filter given."""

    def fill(store: SQLiteStore) -> None:
        _org(store)
        # declared in HR, so a skill of the organisation (one no one gives is not listed), but no one's expertise
        store.write_batch(Batch(skills=[Skill(name="cobol")],
                                has_skill=[HasSkill(person_id="hr:E0001", skill="cobol")]))

    with _pages(tmp_path, fill) as (client, _):
        page = client.get("/search", params={"skill": "COBOL"})
        assert page.status_code == 200, page.text[:300]
        assert "0 people know cobol" in page.text
        assert "No one has shown knowledge of cobol yet" in page.text
        assert "Try without a filter" not in page.text


def test_a_directory_without_locations_says_so_rather_than_no_similar_name(tmp_path: Path) -> None:
    """Before: "No one in location 'Berlin'; no location has a similar name." on a directory loaded from an HR
    export without a location column, as if Berlin were misspelt."""
    with _pages(tmp_path, _placeless) as (client, _):
        page = client.get("/search", params={"skill": "kubernetes", "location": "Berlin"})
        assert page.status_code == 200, page.text[:300]
        assert "No one here has a location on record (the people were loaded without one)" in page.text
        assert "similar name" not in page.text
        assert RESULT.findall(page.text) == []
        everyone = client.get("/search", params={"skill": "kubernetes"}).text
        assert len(RESULT.findall(everyone)) == 6


def test_a_misspelt_place_in_the_words_and_the_box_is_corrected_once(tmp_path: Path) -> None:
    """"How do I scale kubernetes in Berlim" with "Berlim" in the location box too said "did you mean Berlin?"
    twice, once for the words and once for the box."""
    with _pages(tmp_path, _org) as (client, _):
        question = "How do I scale kubernetes in Berlim"
        for path, params in (("/ask", {"question": question, "location": "Berlim"}),
                             ("/search", {"skill": "kubernetes in Berlim", "location": "berlim"})):
            page = client.get(path, params=params)
            assert page.status_code == 200, page.text[:300]
            assert "did you mean" in page.text, path
            assert page.text.count("did you mean") == 1, path
            assert "No one in location &#39;" in page.text or "No one in location '" in page.text, path
        words_only = client.get("/ask", params={"question": question}).text
        assert "“Berlim” is not a location here; did you mean" in words_only
