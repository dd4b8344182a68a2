"""The pages in a real browser (Debian's chromium through Playwright) against the real app over HTTP.

Each role signs in with the development link ``whoknows demo`` prints, searches, opens a person and a community,
and (analysts) runs a plan. Every page visited is screenshotted (tests/web/screenshots/) and checked: HTTP 200
(or the expected 403), no link to an opted-out person, no server error text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from app.cli.serve_cmd import demo_links
from app.graphql.types import CommunityHealth
from app.settings import Settings
from app.web.pages_ask import COUNTING_LABELS
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.web.conftest import SHOTS

pytestmark = pytest.mark.slow


class Browser:
    """One page of the shared browser, signed in as one role, checking every page it visits."""

    def __init__(self, context: Any, base: str, opted_out: set[str]) -> None:
        self.context = context
        self.base = base
        self.opted_out = opted_out
        self.page = context.new_page()
        self.visited: list[str] = []

    def sign_in(self, link: str) -> None:
        self.context.clear_cookies()
        response = self.page.goto(link)
        assert response is not None, link
        assert response.status == 200, link
        assert self.page.url.startswith(f"{self.base}/search")

    def visit(self, path: str, shot: str, status: int = 200) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None, path
        assert response.status == status, (path, response.status)
        return self.check(shot)

    def check(self, shot: str) -> Any:
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        self.visited.append(self.page.url)
        hrefs = self.page.eval_on_selector_all("a[href^='/people/']", "els => els.map(e => e.getAttribute('href'))")
        shown = {re.sub(r"^/people/", "", h).replace("%3A", ":") for h in hrefs}
        assert not shown & self.opted_out, f"opted-out people linked on {self.page.url}: {shown & self.opted_out}"
        text = self.page.inner_text("body")
        assert "Internal Server Error" not in text
        assert "Traceback" not in text
        return self.page


@pytest.fixture(scope="module")
def links(web_settings: Settings, web_app: LiveServer, demo_store: SQLiteStore) -> dict[str, tuple[str, str]]:
    return demo_links(web_settings, demo_store, web_app.url)


@pytest.fixture(scope="module")
def opted_out(demo_store: SQLiteStore) -> set[str]:
    hidden = {p.id for p in demo_store.read_projection().people if p.opted_out}
    assert hidden, "the demo organisation should have opted-out people for this test to mean anything"
    return hidden


@pytest.fixture
def browser(browser_context: Any, web_app: LiveServer, opted_out: set[str]) -> Iterator[Browser]:
    b = Browser(browser_context, web_app.url, opted_out)
    yield b
    b.page.close()


def test_employee_searches_opens_a_person_and_never_reaches_analyst_pages(
    browser: Browser, links: dict[str, tuple[str, str]], demo_store: SQLiteStore
) -> None:
    browser.sign_in(links["employee"][1])
    page = browser.check("employee-01-search-empty")
    assert page.get_by_role("link", name="Plan").count() == 0

    # autocomplete: a prefix offers the skill; arrow keys and Enter choose it
    box = page.get_by_label("Skill or topic")
    box.fill("pyth")
    page.wait_for_selector("#skill-list li[role=option]")
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "python"
    location = demo_store.directory_facets()["location"][0]
    page.get_by_label("Location").fill(location.lower())
    page.get_by_role("button", name="Search").click()
    page = browser.check("employee-02-search-python-location")
    assert f"as {location} (case does not matter)" in page.inner_text("main")
    cards = page.locator("ol.results > li")
    assert cards.count() >= 1
    first = cards.first
    assert first.locator("p.why").inner_text().strip()
    assert "Last active" in first.inner_text()
    assert "Who could introduce you" in first.inner_text()

    # a typo in a filter: nothing matches, and the page says what might have been meant
    typo = location[:-1] + ("x" if location[-1] != "x" else "y")
    page = browser.visit(f"/search?skill=python&location={typo}", "employee-03-search-location-typo")
    assert f"No one in location '{typo}'; did you mean {location}" in page.inner_text("main")
    page = browser.visit("/search?skill=pyhton", "employee-04-search-skill-typo")
    assert page.get_by_role("link", name="python").count() >= 1

    # a person: demonstrated skills apart from declared ones, activity by week, no analyst scores
    browser.visit("/search?skill=python", "employee-05-search-python")
    page.locator("ol.results > li h3 a").first.click()
    page = browser.check("employee-06-person")
    main = page.inner_text("main")
    for heading in ("Demonstrated skills", "Declared skills", "Activity by week"):
        assert heading in main
    assert "Network scores" not in main
    assert page.locator("svg.chart").count() == 1
    assert "week starting" in page.locator("svg.chart").inner_html()

    # communities: no health figures for an employee
    page = browser.visit("/communities", "employee-07-communities")
    assert "Reply rate" not in page.inner_text("main")
    page.locator("table a[href^='/communities/']").first.click()
    page = browser.check("employee-08-community")
    assert page.locator("svg.chart").count() == 0
    assert "shown to analysts" in page.inner_text("main")

    # analyst pages: a 403 page, never a broken one
    for path in ("/plan", "/plan/seeds?skill=python", "/plan/network?person=x:1"):
        page = browser.visit(path, "employee-09-forbidden", status=403)
        assert "Not for your role" in page.inner_text("main")


def test_employee_asks_a_whole_question_and_sees_who_covers_which_skill(
    browser: Browser, links: dict[str, tuple[str, str]], demo_store: SQLiteStore
) -> None:
    browser.sign_in(links["employee"][1])
    page = browser.check("employee-10-search-links-to-ask")
    page.get_by_role("link", name="Ask it").click()
    page = browser.check("employee-11-ask-empty")
    assert page.get_by_role("link", name="Ask", exact=True).get_attribute("aria-current") == "page"

    # the skills come from the question's words; the department filter forgives case, as on the search page
    department = demo_store.directory_facets()["department"][0]
    page.get_by_label("Your question").fill("How do I restart failing pods from a Python job on K8s?")
    page.get_by_label("Department").fill(department.upper())
    page.get_by_role("button", name="Find people").click()
    page = browser.check("employee-12-ask-results")
    main = page.inner_text("main")
    assert f"as {department} (case does not matter)" in main
    assert f"likely to answer ({department})" in main  # the department as the directory spells it
    assert page.locator("p.meta a[href^='/search?skill=']").all_inner_texts() == ["python", "kubernetes"]
    cards = page.locator("ol.results > li")
    assert 1 <= cards.count() <= 10
    for i in range(cards.count()):
        card = cards.nth(i)
        why = card.locator("p.why").inner_text()
        assert why.startswith("covers "), why
        assert "; strongest evidence: " in why
        # each skill's own count, never one sum over both (an answer on a question tagged with both is on each)
        assert not re.search(r"(python|kubernetes), (python|kubernetes) \(\d", why), why
        assert department in card.locator("p.meta").first.inner_text()
        assert "Who could introduce you" in card.inner_text()

    # how the ranking was checked: the stored run's own held-out figures, the ranking beside every counting rule
    run = demo_store.last_run()
    assert run is not None
    router = run.stats["router"]
    evidence = page.locator("section.evidence")
    assert "How well this ranking finds answerers here" in evidence.inner_text()
    assert router["kind"] == "lambdamart"  # the demo organisation's forum is long enough to learn from
    assert f"latest {router['holdout_questions']} answered questions" in evidence.inner_text()
    shown = {r.locator("th").inner_text().removesuffix(" (counting)"): r.locator("td.n").inner_text()
             for r in evidence.locator("tr").all()}
    expected = {"this ranking": router["holdout_mrr_lambdamart"], "hand-set formula": router["holdout_mrr_handset"],
                **{COUNTING_LABELS[k]: v for k, v in router["holdout_mrr_baselines"].items()}}
    assert shown == {k: f"{v:,.2f}" for k, v in expected.items()}
    assert len(router["holdout_mrr_baselines"]) == 3
    behind = max(router["holdout_mrr_baselines"].values()) >= router["holdout_mrr_lambdamart"]
    assert evidence.locator(".note.warn").count() == int(behind)

    # given skills and an unknown one: ranked on the known, and the page says which was not found
    page = browser.visit("/ask?question=&skills=kubernetes,+quantum-basket-weaving", "employee-13-ask-skills")
    assert "No one has answered on quantum-basket-weaving yet" in page.inner_text("main")
    assert page.locator("ol.results > li").count() >= 1

    # words naming no skill: what to do, not an error page
    page = browser.visit("/ask?question=Where+is+the+best+lunch+nearby%3F", "employee-14-ask-no-skill")
    assert "No skill we know of appears in the question" in page.inner_text("main")
    assert page.locator("ol.results > li").count() == 0


def _withheld_week(store: SQLiteStore) -> tuple[str, str, Any]:
    """A community and a week whose posts figure is shown, and one whose reply rate is withheld."""
    for c in store.communities(first=100):
        health = CommunityHealth.from_domain(store.community_health(c.id), 5)
        withheld = [w for w in health.weekly if "replyRate" in w.withheld]
        shown = [w for w in health.weekly if w.posts is not None and "posts" not in w.withheld]
        if withheld and shown:
            return c.id, c.name, withheld[0]
    raise AssertionError("the demo organisation has no community with a withheld week")


def test_analyst_reads_health_charts_with_withheld_weeks_never_drawn(
    browser: Browser, links: dict[str, tuple[str, str]], demo_store: SQLiteStore
) -> None:
    browser.sign_in(links["analyst"][1])
    page = browser.visit("/communities", "analyst-01-communities")
    assert "Reply rate" in page.inner_text("main")
    page.get_by_role("link", name=re.compile("^Reply rate")).click()
    page = browser.check("analyst-02-communities-by-reply-rate")
    assert "sort=reply_rate" in page.url

    cid, name, week = _withheld_week(demo_store)
    page = browser.visit(f"/communities/{cid}", "analyst-03-community-charts")
    assert page.locator("h1").inner_text() == name
    charts = page.locator("svg.chart")
    assert charts.count() == 7
    for i in range(charts.count()):
        svg = charts.nth(i).inner_html()
        assert "week starting" in svg  # x axis title; y axis ticks and dates are text nodes too
        assert re.search(r"\d{1,2} [A-Z][a-z]{2} 20\d\d", svg), "the first date label carries the year"
    reply = page.locator("figure", has_text="Reply rate").locator("svg.chart").inner_html()
    day = week.start.isoformat()
    assert f"week of {day}: withheld" in reply
    assert not re.search(f"week of {day}: \\d", reply), "a withheld week must not be drawn"
    assert "Top contributors" in page.inner_text("main")
    assert "Members by department" in page.inner_text("main")


def test_analyst_runs_a_seed_plan_bridges_influencers_and_a_network(
    browser: Browser, links: dict[str, tuple[str, str]], demo_store: SQLiteStore
) -> None:
    browser.sign_in(links["analyst"][1])
    page = browser.visit("/plan", "analyst-10-plan")
    page.get_by_role("link", name="Seed a forum").first.click()
    page.get_by_label("Topic of the new forum").fill("python")
    page.get_by_label("How many seeds").fill("4")
    page.get_by_role("button", name="Choose seeds").click()
    page = browser.check("analyst-11-seeds")
    main = page.inner_text("main")
    assert "What this set reaches" in main
    seeds = page.locator("ol.results > li")
    assert seeds.count() == 4
    assert "reaches" in seeds.first.locator("p.why").inner_text()
    assert "not reached by earlier seeds" in seeds.nth(1).locator("p.why").inner_text()

    sizes = demo_store.community_sizes()
    a, b = sorted(sizes, key=lambda c: -sizes[c])[:2]
    page = browser.visit("/plan/bridges", "analyst-12-bridges-form")
    page.get_by_label("First community").select_option(a)
    page.get_by_label("Second community").select_option(b)
    page.get_by_role("button", name="Find bridges").click()
    page = browser.check("analyst-13-bridges")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "member" in rows.nth(i).inner_text(), "a bridge is a member of one of the two communities"

    page = browser.visit("/plan/influencers?skill=python", "analyst-14-influencers")
    assert "#1 by PageRank personalised to python" in page.inner_text("main")
    declared = [t for t in page.locator("ul.evidence li").all_inner_texts() if t.startswith("declared")]
    assert declared, "the demo's python influencers declare the skill"
    for text in declared:  # a declaration without a level reads "declared", never "declared 0"
        assert re.fullmatch(r"declared( level [1-5])?", text.strip()), text

    top = demo_store.influencers(first=1)[0].person.id
    page = browser.visit(f"/plan/network?person={top}", "analyst-15-network-person")
    assert page.locator("svg.network circle").count() >= 2
    page = browser.visit(f"/plan/network?community={a}", "analyst-16-network-community")
    assert page.locator("svg.network circle").count() >= 2

    # the form takes a name, as people type it (it asked for an id such as "hr:E00042")
    name = demo_store.influencers(first=1)[0].person.name
    page = browser.visit("/plan/network", "analyst-17-network-form")
    page.get_by_label("Around a person (name)").fill(f" {name.upper()} ")
    page.get_by_role("button", name="Draw").click()
    page = browser.check("analyst-18-network-by-name")
    assert f"around {name}" in page.inner_text("main")
    assert page.locator("svg.network circle").count() >= 2
    shared = next(word for p in demo_store.influencers(first=50) for word in p.person.name.split()
                  if len(demo_store.people_named(word)) >= 2)
    page = browser.visit(f"/plan/network?person={shared}", "analyst-19-network-choices")
    choices = page.locator("ul.choices li a")
    assert choices.count() == len(demo_store.people_named(shared, first=20))
    chosen = choices.first.inner_text()
    choices.first.click()
    page = browser.check("analyst-20-network-chosen")
    assert f"around {chosen}" in page.inner_text("main")


def test_each_planner_page_has_an_h1_naming_it(browser: Browser, links: dict[str, tuple[str, str]]) -> None:
    """Every planner page's h1 read "Plan" (with the analyst badge), so a screen-reader user moving by headings
    could not tell Influencers from Bridges; it names the page now, as its tab and its title do."""
    browser.sign_in(links["analyst"][1])
    pages = [("/plan", "Plan"), ("/plan/influencers", "Influencers"), ("/plan/seeds", "Seed a forum"),
             ("/plan/bridges", "Bridges"), ("/plan/network", "Network")]
    for path, name in pages:
        page = browser.visit(path, f"analyst-h1{path.replace('/', '-')}")
        h1 = page.locator("h1")
        assert h1.count() == 1
        assert h1.inner_text().split("\n")[0].removesuffix(" analyst").strip() == name, (path, h1.inner_text())
        assert h1.locator(".role").inner_text() == "analyst"  # the badge stays
        assert page.title().startswith(f"{name} ·")
        current = page.locator('nav[aria-label="Planner"] a[aria-current="page"]')
        assert current.all_inner_texts() == ([] if path == "/plan" else [name])


def test_admin_signs_in_and_signs_out_with_the_csrf_form(
    browser: Browser, links: dict[str, tuple[str, str]]
) -> None:
    browser.sign_in(links["admin"][1])
    page = browser.check("admin-01-search")
    assert page.get_by_role("link", name="Plan").count() == 1
    page.get_by_role("button", name="Sign out").click()
    page = browser.check("admin-02-signed-out")
    assert "/signin" in page.url
    page = browser.visit("/search", "admin-03-after-sign-out")
    assert "/signin" in page.url
