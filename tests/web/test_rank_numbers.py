"""The number in front of each card of a ranked list, as chromium draws it: the ranking's place, shared by people
with equal scores, not the card's position. Four Slack members nobody replied to share influence #1, and the
influencers page drew them "1.", "2.", "3.", "4." above lines that each said "#1 (tied)"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.auth import Role
from app.cli.serve_cmd import demo_links
from app.main import create_app
from app.settings import Settings, load_settings
from app.web.devlinks import dev_link
from graph.jobs import AnalyticsParams, run_analytics
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import MemberOf
from tests.api.conftest import LiveServer
from tests.factories import T0, community, person, post
from tests.web.conftest import SHOTS


@pytest.fixture(scope="module")
def silent_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Four people in one channel who only posted top-level messages: equal influence everywhere."""
    tmp: Path = tmp_path_factory.mktemp("silent-site")
    store = SQLiteStore(tmp / "whoknows.db")
    try:
        people = [person(i) for i in range(4)]
        store.write_batch(Batch(
            people=people, communities=[community("eng")],
            memberships=[MemberOf(person_id=p.id, community_id="slack:eng") for p in people],
            posts=[post(i + 1, p.id, community_id="slack:eng", created_at=T0 + timedelta(hours=i))
                   for i, p in enumerate(people)],
        ))
        run_analytics(store, AnalyticsParams())
        settings = load_settings(env="development", store=f"sqlite:///{tmp / 'whoknows.db'}",
                                 response_cache_ttl_s=0.0, session_secret="rank-numbers-session-secret-0123456789ab")
        with LiveServer(create_app(settings, store=store)) as server:
            yield server.url, dev_link(settings, server.url, "hr:E0000", "Ana Lyst", Role.ANALYST)
    finally:
        store.close()


def _signed_in_at(browser_context: Any, site: tuple[str, str], path: str) -> Any:
    """A new page signed in as the site's analyst and opened at ``path`` (the caller closes it)."""
    url, link = site
    browser_context.clear_cookies()
    page = browser_context.new_page()
    assert page.goto(link).status == 200
    assert page.goto(url + path).status == 200
    return page


def test_tied_influencers_are_numbered_by_their_shared_place(browser_context: Any,
                                                              silent_site: tuple[str, str]) -> None:
    page = _signed_in_at(browser_context, silent_site, "/plan/influencers?community=slack:eng")
    try:
        cards = page.locator("ol.results > li.card")
        assert cards.count() == 4
        drawn = [cards.nth(i).locator("h3").evaluate(
            "h => getComputedStyle(h, '::before').content") for i in range(4)]
        assert drawn == ['"1. "'] * 4, drawn
        assert all(cards.nth(i).locator(".why").inner_text().startswith("#1 (tied)") for i in range(4))
    finally:
        page.close()


def test_a_leaderboard_where_no_one_helped_shows_no_column_of_zeros(browser_context: Any,
                                                                    silent_site: tuple[str, str]) -> None:
    """A Slack channel without thread replies listed "Helping others: 0" for everyone: said once, in words."""
    page = _signed_in_at(browser_context, silent_site, "/communities/slack:eng")
    try:
        board = page.locator("section[aria-labelledby=h-top]")
        heads = board.locator("th").all_inner_texts()
        assert heads[:3] == ["#", "Person", "Posts"], heads
        assert "Helping others" not in heads
        assert "None of them answered, replied or commented in someone else's thread" in board.inner_text()
        assert board.locator("tbody tr td:first-child").all_inner_texts() == ["1"] * 4  # one post each: tied
    finally:
        page.close()


def test_the_second_page_of_a_search_goes_on_from_the_first(browser_context: Any, web_settings: Settings,
                                                            web_app: LiveServer, demo_store: SQLiteStore) -> None:
    """The search page is an ordered list paged by cursor: each page was numbered 1 to 10 again. Its cards now carry
    the place in the whole ranking, the same place a tie shares (ranked here from the store's whole list)."""
    everyone = demo_store.experts("python", first=100).items  # the places up to 20 depend on these
    assert len(everyone) > 10, "the demo organisation needs more than one page of python experts"
    scores = [h.score for h in everyone]
    expected = [1 + sum(1 for s in scores if s > h.score) for h in everyone]
    page = _signed_in_at(browser_context, (web_app.url, demo_links(web_settings, demo_store, web_app.url)
                                           ["employee"][1]), "/search?skill=python")
    try:
        def numbers() -> list[str]:
            cards = page.locator("ol.results > li.card h3")
            return [cards.nth(i).evaluate("h => getComputedStyle(h, '::before').content") for i in range(cards.count())]

        drawn = numbers()
        with page.expect_navigation():
            page.get_by_role("link", name="Next 10 people").click()
        drawn += numbers()
        page.screenshot(path=str(SHOTS / "search-page-two.png"), full_page=True)
        assert drawn == [f'"{k}. "' for k in expected[:len(drawn)]], drawn
        assert len(drawn) == 20
        assert drawn[10] != '"1. "'
        # the answer network's own place reads as one, apart from the card's number
        chips = page.locator("ul.evidence li").all_inner_texts()
        assert any(re.fullmatch(r"answer network #\d+", c) for c in chips), chips
        assert not any(c.startswith("expertise rank") for c in chips), chips
        icon = page.locator("link[rel=icon]").get_attribute("href")
        fetched = page.request.get(web_app.url + icon)
        assert fetched.status == 200
        assert fetched.headers["content-type"].startswith("image/svg+xml")
    finally:
        page.close()
