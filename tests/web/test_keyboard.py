"""The main flows with the keyboard alone, in Debian's chromium: Tab, Shift+Tab, Enter, Space and the arrow keys;
never a click. Each step reaches its control by tabbing (so the control is in the tab order), and every stop shows
a focus ring (WCAG 2.1.1, 2.1.2, 2.4.3, 2.4.7). Screen-reader equivalents of the drawings are checked here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from app.cli.serve_cmd import demo_links
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.web.conftest import SHOTS

pytestmark = pytest.mark.slow

MAX_STOPS = 250  # more tab stops than any page has: past this, focus is trapped or cycling without end

FOCUSED = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, name: (e.getAttribute('aria-label') || e.innerText || e.value
          || '').trim().slice(0, 80), href: e.getAttribute('href'), outline: s.outlineStyle,
          outlineWidth: parseFloat(s.outlineWidth), w: r.width, h: r.height}; }"""


@pytest.fixture(scope="module")
def links(web_settings: Settings, web_app: LiveServer, demo_store: SQLiteStore) -> dict[str, tuple[str, str]]:
    return demo_links(web_settings, demo_store, web_app.url)


@pytest.fixture
def signed_in(browser_context: Any, links: dict[str, tuple[str, str]]) -> Iterator[Any]:
    """A page signed in as a role: ``signed_in(role)``."""
    pages: list[Any] = []

    def sign_in(role: str) -> Any:
        browser_context.clear_cookies()
        page = browser_context.new_page()
        pages.append(page)
        assert page.goto(links[role][1]).status == 200
        return page

    yield sign_in
    for page in pages:
        page.close()


def focused(page: Any) -> dict[str, Any] | None:
    return page.evaluate(FOCUSED)  # type: ignore[no-any-return]


def tab_to(page: Any, matches: Any, what: str, key: str = "Tab") -> dict[str, Any]:
    """Press Tab until the focused element satisfies ``matches``; fails when it never comes (not in the tab order)."""
    for _ in range(MAX_STOPS):
        page.keyboard.press(key)
        now = focused(page)
        if now is not None and matches(now):
            return now
    raise AssertionError(f"{what} is never reached with {key} on {page.url}")


def walk(page: Any) -> list[dict[str, Any]]:
    """Every tab stop from the top of the page to its end, in order; fails on a trap (focus stuck or never ending)."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops: list[dict[str, Any]] = []
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None or (stops and now == stops[0]):
            return stops  # past the last stop focus leaves the page (or wraps): no trap
        assert not stops or now != stops[-1], f"focus stuck on {now} at {page.url}"
        stops.append(now)
    raise AssertionError(f"more than {MAX_STOPS} tab stops on {page.url}: focus cycles inside something")


def test_skip_link_focus_ring_and_no_trap_on_every_kind_of_page(
    signed_in: Any, web_app: LiveServer, demo_store: SQLiteStore
) -> None:
    page = signed_in("analyst")
    sizes = demo_store.community_sizes()
    community = max(sizes, key=lambda c: sizes[c])
    person = demo_store.influencers(first=1)[0].person.id
    paths = ["/search?skill=python", "/ask?question=How+do+I+restart+failing+pods+from+a+Python+job%3F",
             f"/people/{person}", "/communities", f"/communities/{community}", "/plan/influencers?skill=python",
             "/plan/seeds?skill=python&count=3", f"/plan/network?person={person}", "/me/privacy", "/no-such-page"]
    for path in paths:
        page.goto(web_app.url + path)
        stops = walk(page)
        assert stops[0]["name"] == "Skip to content", (path, stops[0])
        unringed = [s for s in stops if s["outline"] == "none" or s["outlineWidth"] < 2]
        assert not unringed, f"no visible focus ring on {path}: {unringed[:5]}"
        hidden = [s for s in stops if s["w"] == 0 or s["h"] == 0]
        assert not hidden, f"invisible tab stops on {path}: {hidden[:5]}"
    # the skip link jumps past the header: the next Tab is the page's first control, not the header's links
    page.goto(web_app.url + "/search")
    page.keyboard.press("Tab")
    page.screenshot(path=str(SHOTS / "keyboard-01-skip-link.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "skill"  # type: ignore[index]


def test_search_filters_and_pagination_by_keyboard(
    signed_in: Any, web_app: LiveServer, demo_store: SQLiteStore
) -> None:
    page = signed_in("employee")
    page.goto(web_app.url + "/search")
    tab_to(page, lambda f: f["id"] == "skill", "the skill box")
    page.keyboard.type("pyth")
    page.wait_for_selector("#skill-list li[role=option]")
    # the count of suggestions is said in a live region, not only shown
    status = page.locator(".combo [role=status]")
    assert re.fullmatch(r"\d+ skills? suggested: up and down arrows to choose, Enter to take one\.",
                        status.inner_text()), status.inner_text()
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#skill", "aria-activedescendant") == "skill-list-0"
    page.keyboard.press("Enter")
    assert page.input_value("#skill") == "python"
    location = demo_store.directory_facets()["location"][0]
    tab_to(page, lambda f: f["id"] == "department", "the department filter")
    tab_to(page, lambda f: f["id"] == "location", "the location filter")
    page.keyboard.type(location)
    tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "Search", "the Search button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"location={location}" in page.url
    assert page.locator("ol.results > li").count() >= 1
    page.screenshot(path=str(SHOTS / "keyboard-02-search.png"), full_page=True)

    page.goto(web_app.url + "/search?skill=python")
    first = page.locator("ol.results > li h3 a").first.inner_text()
    tab_to(page, lambda f: f["name"].startswith("Next") and f["tag"] == "a", "the next page link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "after=" in page.url
    assert page.locator("ol.results > li h3 a").first.inner_text() != first
    # a typo in a filter: the note saying so is a status message
    page.goto(web_app.url + "/search?skill=python&location=" + location[:-1] + "q")
    assert page.locator("p.note[role=status]").first.inner_text().startswith("No one in location")


def test_ask_and_privacy_pages_by_keyboard(signed_in: Any, web_app: LiveServer) -> None:
    page = signed_in("employee")
    page.goto(web_app.url + "/ask")
    tab_to(page, lambda f: f["id"] == "question", "the question box")
    page.keyboard.type("How do I restart failing pods from a Python job on K8s?")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a field sends the form
    assert page.locator("ol.results > li").count() >= 1
    page.goto(web_app.url + "/me/privacy")
    button = tab_to(page, lambda f: f["tag"] == "button" and f["name"] != "Sign out", "the privacy choice")
    assert button["name"] == "Hide me from whoknows"


def test_planner_forms_and_network_by_keyboard(signed_in: Any, web_app: LiveServer, demo_store: SQLiteStore) -> None:
    page = signed_in("analyst")
    page.goto(web_app.url + "/plan")
    tab_to(page, lambda f: f["name"] == "Influencers" and f["tag"] == "a", "the Influencers tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, lambda f: f["id"] == "skill", "the topic box")
    page.keyboard.type("python")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("ol.results > li").count() >= 1
    assert page.get_by_role("heading", level=2).first.inner_text() == "Most listened to on python"

    # bridges: two drop-downs chosen with the arrow keys, sent with the button
    page.goto(web_app.url + "/plan/bridges")
    tab_to(page, lambda f: f["id"] == "a", "the first community")
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda f: f["id"] == "b", "the second community")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "Find bridges", "the Find bridges button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"a=[^&]+&b=[^&]+", page.url), page.url
    assert page.locator("main table, main p.empty").count() >= 1

    # communities: sort by a column heading
    page.goto(web_app.url + "/communities")
    tab_to(page, lambda f: f["name"].startswith("Members"), "the Members column heading")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sort=members" in page.url
    assert page.locator("th[aria-sort]").inner_text().startswith("Members")

    # the network: its table opens with Enter and names every circle; a circle opens its person with Enter
    person = demo_store.influencers(first=1)[0].person
    page.goto(web_app.url + "/plan/network")
    tab_to(page, lambda f: f["id"] == "person", "the person box")
    page.keyboard.type(person.id)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    circles = page.locator("svg.network a[aria-label]")
    assert circles.count() > 5
    tab_to(page, lambda f: f["tag"] == "summary", "the network's table")
    page.keyboard.press("Enter")
    rows = page.locator("details.figures table tbody tr")
    assert rows.count() == circles.count()
    assert rows.first.locator("td").first.inner_text() == person.name  # the centre first
    ties = [int(t) for t in rows.locator("td:nth-child(3)").all_inner_texts()[1:]]
    assert ties == sorted(ties, reverse=True)  # then in the order of the column a person reads
    page.screenshot(path=str(SHOTS / "keyboard-03-network-table.png"), full_page=True)
    circle = tab_to(page, lambda f: f["tag"] == "a" and "ties drawn" in f["name"], "a circle",
                    key="Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(circle["href"])


def test_charts_have_their_figures_as_a_table_a_keyboard_opens(
    signed_in: Any, web_app: LiveServer, demo_store: SQLiteStore
) -> None:
    page = signed_in("analyst")
    sizes = demo_store.community_sizes()
    page.goto(web_app.url + f"/communities/{max(sizes, key=lambda c: sizes[c])}")
    charts = page.locator("figure svg.chart")
    assert charts.count() >= 5
    for i in range(charts.count()):
        figure = page.locator("figure:has(svg.chart)").nth(i)
        table = figure.locator("details.figures table")
        weeks = re.search(r", (\d+) weeks? from", charts.nth(i).locator("desc").inner_html())  # the summary's count
        assert weeks is not None
        assert table.locator("tbody tr").count() == int(weeks.group(1))  # a row for every week
        assert not table.is_visible()
    tab_to(page, lambda f: f["tag"] == "summary", "the first chart's table")
    page.keyboard.press("Enter")
    table = page.locator("details.figures").first.locator("table")
    assert table.is_visible()
    cells = table.locator("tbody td").all_inner_texts()
    assert cells
    assert all(re.fullmatch(r"[\d.,]+( %|%)?|withheld|no data", c) for c in cells), cells
    page.screenshot(path=str(SHOTS / "keyboard-04-chart-table.png"), full_page=True)


def test_every_table_box_too_narrow_for_its_table_takes_keyboard_focus(signed_in: Any, web_app: LiveServer) -> None:
    """The measure tables on the planner's cards scrolled sideways at 320 px (a window zoomed to 400 %) in a box no
    keyboard could reach (axe: scrollable-region-focusable). Narrower still (a large default font does the same),
    every box too narrow for its table has a tab stop and a name; at desktop width the cards' boxes have none."""
    page = signed_in("analyst")
    overflowing = """() => [...document.querySelectorAll('.table-scroll')]
        .filter(b => b.scrollWidth > b.clientWidth + 1)
        .map(b => [b.getAttribute('tabindex'), b.getAttribute('role'), b.getAttribute('aria-label')])"""
    for path in ("/plan/seeds?skill=python&count=3", "/plan/influencers?skill=python"):
        page.set_viewport_size({"width": 240, "height": 600})
        page.goto(web_app.url + path)
        boxes = page.evaluate(overflowing)
        assert boxes, "at 240 px the measure tables are wider than their cards"
        assert all(t == "0" and r == "region" and (n or "").endswith(", table") for t, r, n in boxes), boxes
        assert any((n or "").startswith("Measures of ") for _, _, n in boxes), boxes
        page.locator(".card .table-scroll[tabindex='0']").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement.scrollLeft > 0")
        page.set_viewport_size({"width": 1280, "height": 900})  # wide again: the cards' boxes leave the tab order
        page.wait_for_function("() => !document.querySelector('.card .table-scroll[tabindex]')")


def test_a_suggestion_completes_the_word_being_typed_and_keeps_the_sentence(
    signed_in: Any, web_app: LiveServer, demo_store: SQLiteStore
) -> None:
    """The box takes sentences; taking a suggestion replaced the whole text ("who knows pyth" became "python").
    It completes the word at the caret now, wherever the caret is, and keeps the rest of the sentence."""
    page = signed_in("employee")
    page.goto(web_app.url + "/search")
    box = page.locator("#skill")
    box.focus()
    page.keyboard.type("who knows pyth")
    page.wait_for_selector("#skill-list li[role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert box.input_value() == "who knows python"

    # the caret in the middle of the sentence: only that word is completed, the words after it stay
    box.fill("who knows  in berlin")
    box.evaluate("b => b.setSelectionRange(10, 10)")
    page.keyboard.type("pyth")
    page.wait_for_selector("#skill-list li[role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert box.input_value() == "who knows python in berlin"
    assert box.evaluate("b => b.selectionStart") == len("who knows python")  # typing goes on after the word

    # a skill name of two words completes both ("machine lea" is the start of machine-learning)
    box.fill("")
    page.keyboard.type("who knows machine lea")
    page.wait_for_selector("#skill-list li[role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert box.input_value() == "who knows machine-learning"

    # a space after the last word: no word is being typed, nothing is suggested
    page.keyboard.type(" ")
    page.wait_for_timeout(400)
    assert page.locator("#skill-list").is_hidden()

    # what the server says each suggestion completes: the end of the text, never the whole sentence
    answer = page.request.get(web_app.url + "/suggest/skills?q=who%20knows%20pyth").json()
    assert answer
    assert answer[0]["name"] == "python"
    assert all(s["fragment"] in ("knows pyth", "pyth") for s in answer)
    assert page.request.get(web_app.url + "/suggest/skills?q=who%20knows%20").json() == []
    page.screenshot(path=str(SHOTS / "keyboard-suggest-in-a-sentence.png"), full_page=True)
