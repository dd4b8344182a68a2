"""The search and ask pages read a job title: "port captains in Bergen", "DPO", "kubernetes port captain".

A shipping line's directory (tests/contract/test_contract_titles.py), over real HTTP and in chromium. Before, a
search naming a role and no skill answered "no skill named ..." (or "names the department Data" for "data
protection officer"), and a role beside a skill was a word not used. Now a role alone lists the people who hold
the title (filters applied, opted-out and departed holders nowhere), says it read the words as a job title and
links to search them as a skill instead; beside a skill, the ranking is the skill's and the title is offered as a
filter.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest

from app.settings import Settings
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.contract.test_contract_titles import CAPTAINS, _fleet
from tests.factories import person
from tests.web.test_pages_typed_queries import (
    get_text,
    link_named,
    listed,
    people_on,
    signed_in_site,
    typed_into_search,
)

BERGEN_CAPTAINS = {"hr:E0000", "hr:E0001", "hr:E0002", "hr:E0006"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, httpx.Client, Settings]]:
    yield from signed_in_site(tmp_path_factory.mktemp("role-pages"), _fleet_with_an_officer)


def _fleet_with_an_officer(store: SQLiteStore) -> None:
    _fleet(store)
    store.write_batch(Batch(people=[person(11, title="Data Protection Officer", department="Data",
                                           location="Hamburg")]))


def _get(client: httpx.Client, path: str, **params: str) -> str:
    return unescape(get_text(client, path, **params))


@pytest.mark.parametrize(("typed", "title", "ids"), [
    ("port captains in Bergen", "Port Captain", BERGEN_CAPTAINS),
    ("who is a PORT CAPTAIN?", "Port Captain", CAPTAINS),
    ("our data protection officer", "Data Protection Officer", {"hr:E0011"}),
    ("DPO", "Data Protection Officer", {"hr:E0011"}),
])
def test_a_role_alone_lists_its_holders_and_says_so(site: Any, typed: str, title: str, ids: set[str]) -> None:
    _, client, _ = site
    html = _get(client, "/search", skill=typed)
    assert set(people_on(html)) == ids  # the opted-out 7 and the departed 8 hold it too: shown nowhere
    assert f"Read your search as the job title {title}" in html
    assert f"people hold the job title {title}" in html or f"person holds the job title {title}" in html
    instead = _get(client, link_named(html, f"Search “{typed}” as a skill instead"))
    assert "job title" not in instead
    assert not people_on(instead)


def test_a_role_beside_a_skill_ranks_by_the_skill_and_offers_the_title(site: Any) -> None:
    _, client, _ = site
    html = _get(client, "/search", skill="kubernetes port captain")
    ranked = people_on(html)
    assert "people know kubernetes" in html
    assert set(ranked) > CAPTAINS
    assert "Your words also name the job title Port Captain" in html
    only = _get(client, link_named(html, "Only people titled Port Captain"))
    assert set(people_on(only)) == CAPTAINS
    assert "Only people whose job title holds “Port Captain”" in only
    assert set(people_on(_get(client, link_named(only, "Any job title")))) == set(ranked)


def test_initials_in_lower_case_in_a_sentence_are_offered_with_a_link(site: Any) -> None:
    _, client, _ = site
    html = _get(client, "/search", skill="who is our dpo in hamburg")
    assert "“dpo” may be the initials of the job title Data Protection Officer" in html
    assert set(people_on(_get(client, link_named(html, "Who holds the title Data Protection Officer")))) == {"hr:E0011"}


def test_the_ask_page_says_a_role_is_not_how_it_ranks(site: Any) -> None:
    _, client, _ = site
    html = _get(client, "/ask", question="which port captain knows kubernetes?")
    assert "names the job title Port Captain" in html
    assert set(people_on(_get(client, link_named(html, "Who holds the title Port Captain")))) == CAPTAINS


def test_a_bad_page_link_shows_the_first_page(site: Any) -> None:
    _, client, _ = site
    html = _get(client, "/search", skill="port captain", after="not-a-cursor")
    assert "This page link is not valid" in html
    assert set(people_on(html)) == CAPTAINS


def test_in_chromium_who_is_a_port_captain_in_bergen(site: Any, browser_context: Any) -> None:
    page = browser_context.new_page()
    try:
        main = typed_into_search(site, page, "who is a port captain in bergen?", "role-search.png")
        assert "Read your search as the job title Port Captain: it names no skill" in main  # not “a port captain”
        assert "Showing people in Bergen" in main
        assert listed(page, "ul.results h3 a") == BERGEN_CAPTAINS
        with page.expect_navigation():
            page.click("text=Search all locations")
        assert listed(page, "ul.results h3 a") == CAPTAINS
    finally:
        page.close()
