"""The pages on a phone-sized screen (390 px wide) in Debian's chromium: the page never scrolls sideways; a wide
table scrolls inside its own box, which takes keyboard focus so it can be scrolled without a mouse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.auth import Role
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.web.conftest import SHOTS, sign_in_link

pytestmark = pytest.mark.slow

WIDTH = 390


@pytest.fixture
def phone(browser_context: Any, web_app: LiveServer, web_settings: Settings) -> Iterator[Any]:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    page.set_viewport_size({"width": WIDTH, "height": 800})
    link = sign_in_link(web_settings, web_app.url, "hr:E00001", "Ana Lyst", Role.ANALYST)
    assert page.goto(link).status == 200
    yield page
    page.close()


def test_no_page_scrolls_sideways_on_a_phone(phone: Any, web_app: LiveServer, demo_store: SQLiteStore) -> None:
    """At 390 px the communities list was 918 px wide, a community page 504 px (charts had a 30rem minimum) and
    the bridges table 625 px: the whole page scrolled sideways, header and all."""
    sizes = demo_store.community_sizes()
    a, b = sorted(sizes, key=lambda c: -sizes[c])[:2]
    person = demo_store.influencers(first=1)[0].person.id
    paths = {
        "communities": "/communities",
        "community": f"/communities/{a}",
        "bridges": f"/plan/bridges?a={a}&b={b}",
        "seeds": "/plan/seeds?skill=python&count=3",
        "influencers": "/plan/influencers?skill=python",
        "person": f"/people/{person}",
        "search": "/search?skill=python",
        "ask": "/ask?question=How+do+I+restart+failing+pods+from+a+Python+job+on+K8s%3F",
        "privacy": "/me/privacy",
    }
    wide: dict[str, int] = {}
    for name, path in paths.items():
        response = phone.goto(web_app.url + path)
        assert response.status == 200, path
        phone.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=True)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[name] = width
    assert not wide, f"pages wider than the {WIDTH} px screen: {wide}"

    phone.goto(web_app.url + "/communities")
    box = phone.locator(".table-scroll").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the communities table scrolls inside its box"
    box.focus()
    assert box.evaluate("e => e === document.activeElement")
    box.press("ArrowRight")
    phone.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
