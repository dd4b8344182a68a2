"""Hostile exports on every page, in Debian's chromium at desktop and phone width: names, departments, locations,
community names, tags and question titles holding markup, script, ``javascript:`` URLs, template syntax, an open
bidirectional override, zero-width characters and 1,000-character words stay text, run nothing, reverse nothing
and never widen the page. Screenshots: tests/web/screenshots/hostile-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from app.auth import Role
from app.main import create_app
from app.settings import Settings, load_settings
from graph.jobs import run_analytics
from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum, ingest_hris
from tests.api.conftest import LiveServer
from tests.web.conftest import SHOTS, sign_in_link
from tests.web.hostile import COMMUNITIES, person_id, write_exports

pytestmark = pytest.mark.slow

PAGE_CHECK = """() => {
 // "Dept" and "Loc" open every department and location: drawn right to left, an override leaked into them
 const backwards = () => {
  const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    for (const m of n.data.matchAll(/Dept|Loc/g)) {
      const first = document.createRange(), last = document.createRange();
      first.setStart(n, m.index); first.setEnd(n, m.index + 1);
      last.setStart(n, m.index + m[0].length - 1); last.setEnd(n, m.index + m[0].length);
      const a = first.getBoundingClientRect(), b = last.getBoundingClientRect();
      if (a.width && b.width && Math.abs(a.top - b.top) < 2 && a.left > b.left) out.push(n.data.slice(0, 30));
    }
  }
  return out;
 };
 return {
  imgs: document.querySelectorAll('img').length,
  scripts: [...document.scripts].map(s => s.getAttribute('src')),
  handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on')))
            .length,
  jsLinks: [...document.querySelectorAll('[href]')].filter(e => /^\\s*javascript:/i.test(e.getAttribute('href')))
            .length,
  backwards: backwards(),
  text: document.body.innerText,
  wide: document.documentElement.scrollWidth - document.documentElement.clientWidth,
 };
}"""


SPLIT_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('th, td')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walk.nextNode(); node; node = walk.nextNode()) {
      for (const t of node.data.matchAll(/\\S+/g)) {
        if (t[0].length > 16) continue;  // a long run of data may break anywhere
        for (const m of t[0].matchAll(/[\\p{L}\\p{N}.]+/gu)) {  // a short one at its punctuation only
          const at = t.index + m.index;
          const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + m[0].length);
          if (new Set([...r.getClientRects()].map(x => Math.round(x.top))).size > 1) out.push(m[0]);
        }
      }
    }
  }
  return out;
}"""


def community(i: int) -> str:
    return f"jsonl/hostile:community/{COMMUNITIES[i][0]}"


PAGES = {
    "search": "/search?skill=python",
    "ask": "/ask?skills=python&question=" + quote("<script>alert(9)</script> python?"),
    "communities": "/communities",
    "community-script": "/communities/" + quote(community(0), safe=""),
    "community-img": "/communities/" + quote(community(1), safe=""),
    "community-long": "/communities/" + quote(community(2), safe=""),
    "person-long": "/people/" + quote("hr:E006", safe=""),
    "person-slash": "/people/" + quote(f"hr:{person_id(0)}", safe=""),
    "person-open-override": "/people/" + quote("hr:E005", safe=""),
    "influencers": "/plan/influencers?skill=python",
    "seeds": "/plan/seeds?skill=python",
    "bridges": f"/plan/bridges?a={quote(community(1))}&b={quote(community(2))}",
    "network": "/plan/network?community=" + quote(community(2)),
    "network-choices": "/plan/network?person=P",
}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Settings]]:
    folder = tmp_path_factory.mktemp("hostile")
    hris, forum = write_exports(folder)
    store = SQLiteStore(folder / "whoknows.db")
    try:
        assert ingest_hris(store, hris, rejects=folder / "hr-rejects.jsonl").rejected == 0
        forum_summary = ingest_forum(store, forum, "jsonl", community="hostile", rejects=folder / "forum-rejects.jsonl")
        assert (forum_summary.rejected, forum_summary.matched_email) == (0, 24)
        run_analytics(store, load_settings(env="test", jwt_secret="x" * 40))
    finally:
        store.close()
    settings = load_settings(env="development", store=f"sqlite:///{folder / 'whoknows.db'}", response_cache_ttl_s=0.0,
                             session_secret="hostile-session-secret-0123456789abcdef")
    with LiveServer(create_app(settings)) as server:
        yield server, settings


@pytest.mark.parametrize("width", [1280, 390])
def test_hostile_names_stay_text_and_never_widen_a_page(browser_context: Any, hostile_app: tuple[LiveServer, Settings],
                                                         width: int) -> None:
    """Before, a 1,000-character department or community name made the search page 14,074 px wide (at 390 px
    too), a community's select 3,821 px, the department table 14,509 px; and a title ending in an open
    right-to-left override showed the department and location after it backwards (one text run: now each field is
    in its own <bdi>). Escaping itself held: nothing ran."""
    server, settings = hostile_app
    browser_context.clear_cookies()
    page = browser_context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.set_viewport_size({"width": width, "height": 900})
        assert page.goto(sign_in_link(settings, server.url, "hr:E007", "Ana", Role.ANALYST)).status == 200
        problems: dict[str, list[str]] = {}
        for name, path in PAGES.items():
            response = page.goto(server.url + path)
            assert response.status == 200, (path, response.status)
            page.screenshot(path=str(SHOTS / f"hostile-{name}-{width}.png"), full_page=True)
            seen = page.evaluate(PAGE_CHECK)
            found = []
            if seen["imgs"] or seen["handlers"] or seen["jsLinks"]:
                found.append(f"markup from the data became elements: {seen['imgs']} img, {seen['handlers']} "
                             f"with on* handlers, {seen['jsLinks']} javascript: links")
            if seen["scripts"] != ["/web/static/web.js"]:
                found.append(f"scripts {seen['scripts']}")
            if seen["backwards"]:
                found.append(f"text turned around by an override in the field before it: {seen['backwards'][:3]}")
            if seen["wide"] > 0:
                found.append(f"the page scrolls sideways by {seen['wide']} px")
            if found:
                problems[name] = found
        assert not problems, problems
        assert not dialogs, dialogs
        page.goto(server.url + PAGES["community-script"])
        assert 'Guild <script>alert("s")</script>' in page.locator("h1").inner_text()  # shown, as text
    finally:
        page.close()


def split_words(page: Any) -> list[str]:
    """Words (letters, digits, dots) in table cells that the browser split over two lines, in runs of up to 16
    characters without a space (longer runs may break anywhere; a short one at a hyphen or other punctuation)."""
    found: list[str] = page.evaluate(SPLIT_WORDS)
    return found


def test_a_tables_words_stay_whole_on_a_phone(browser_context: Any, hostile_app: tuple[LiveServer, Settings]) -> None:
    """Long data words wrap anywhere, but a table's ordinary words do not: "Value", "0.0301", a rank "10" and a
    date's "2026" on one line each, not "Va/lu/e", "0.0/30/1" and "1/0" (what wrapping every cell anywhere did: a
    squeezed table gave a short column the width of one character)."""
    server, settings = hostile_app
    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(sign_in_link(settings, server.url, "hr:E007", "Ana", Role.ANALYST))
        broken: dict[str, list[str]] = {}
        for name in ("person-long", "community-script", "community-long", "communities", "bridges", "seeds"):
            assert page.goto(server.url + PAGES[name]).status == 200
            if found := split_words(page):
                broken[name] = found
        assert not broken, broken
        assert page.goto(server.url + PAGES["community-script"]).status == 200
        cells = [c.strip() for c in page.locator("table td").all_inner_texts()]
        # what the check saw: dates in the leaderboard (equal contributors share a place, so no rank reaches 10 here)
        assert any(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", c) for c in cells), cells
    finally:
        page.close()


def test_names_in_a_leaderboard_wrap_between_words_on_a_phone(browser_context: Any, web_app: LiveServer,
                                                              web_settings: Settings, demo_store: SQLiteStore) -> None:
    """Names may break anywhere only when a word of theirs is longer than the column: "Alejandro Hernández" wraps
    at its space, never "Alejand/ro Hernán/dez" (what names breaking anywhere in a squeezed table did)."""
    sizes = demo_store.community_sizes()
    biggest = max(sizes, key=lambda c: sizes[c])
    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(sign_in_link(web_settings, web_app.url, "hr:E00001", "Ana Lyst", Role.ANALYST))
        assert page.goto(f"{web_app.url}/communities/{quote(biggest, safe='')}").status == 200
        assert page.locator("table bdi").count() >= 5  # names in the leaderboard, departments below it
        assert split_words(page) == []
    finally:
        page.close()
