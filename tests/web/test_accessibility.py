"""Every page, for every role, on a desktop and on a 390 px phone, audited by axe-core in Debian's chromium.

WCAG 2.1 AA is what an employer deploying whoknows has to meet. A ``serious`` or ``critical`` violation fails;
all violations (moderate and minor too) go to tests/web/screenshots/axe-report.json with a screenshot of each page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from app.auth import Role
from app.cli.serve_cmd import demo_links
from app.main import create_app
from app.settings import Settings, load_settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.web.axe_audit import (
    VIEWPORTS,
    Report,
    Violation,
    analyst_pages,
    anonymous_pages,
    audit,
    employee_pages,
    failing,
    load_axe,
    own_checks,
)
from tests.web.conftest import SHOTS, sign_in_link

pytestmark = pytest.mark.slow

REPORT = Report()


@pytest.fixture(scope="module")
def axe() -> Any:
    return load_axe()


@pytest.fixture(scope="module", autouse=True)
def _write_report() -> Iterator[None]:
    yield
    REPORT.write(SHOTS / "axe-report.json")


@pytest.fixture(scope="module")
def links(web_settings: Settings, web_app: LiveServer, demo_store: SQLiteStore) -> dict[str, tuple[str, str]]:
    return demo_links(web_settings, demo_store, web_app.url)


def visit_and_audit(axe: Any, page: Any, base: str, pages: list[tuple[str, str, int]], where: str) -> list[Violation]:
    """Open each page, check its status, screenshot it and audit it; the serious and critical violations."""
    bad: list[Violation] = []
    for name, path, status in pages:
        response = page.goto(base + path)
        assert response is not None, path
        assert response.status == status, (path, response.status)
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / f"a11y-{where.replace('/', '-')}-{name}.png"), full_page=True)
        found = audit(axe, page, f"{where}/{name}") + own_checks(page, f"{where}/{name}")
        REPORT.add(found)
        bad += failing(found)
    return bad


# every role on a desktop and a phone; the analyst (who sees every page an employee sees, and the planner) at 400 %
CASES = [(r, v) for r in ("anonymous", "employee", "analyst", "admin") for v in ("desktop", "phone")]
CASES.append(("analyst", "zoom400"))


@pytest.mark.parametrize(("role", "viewport"), CASES)
def test_no_page_has_a_serious_or_critical_violation(
    role: str, viewport: str, axe: Any, browser_context: Any, web_app: LiveServer, demo_store: SQLiteStore,
    links: dict[str, tuple[str, str]],
) -> None:
    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        page.set_viewport_size(VIEWPORTS[viewport])
        pages = anonymous_pages()
        if role != "anonymous":
            assert page.goto(links[role][1]).status == 200
            me = unquote(page.get_by_role("link", name="My profile").get_attribute("href") or "")
            pages = employee_pages(demo_store, me.removeprefix("/people/"), analyst=role != "employee")
            if role != "employee":
                pages += analyst_pages(demo_store)
        bad = visit_and_audit(axe, page, web_app.url, pages, f"{role}/{viewport}")
    finally:
        page.close()
    assert not bad, f"{len(bad)} serious or critical accessibility violations:\n" + "\n".join(v.line() for v in bad)


@pytest.fixture(scope="module")
def own_app(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, LiveServer, Settings]]:
    """An app over a copy of the demo store: these tests hide a person, which every other page would show."""
    copy = tmp_path_factory.mktemp("a11y") / "whoknows.db"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    settings = load_settings(env="development", store=f"sqlite:///{copy}", response_cache_ttl_s=0.0,
                             session_secret="web-test-session-secret-0123456789abcdef")
    app = create_app(settings)
    with LiveServer(app) as server:
        yield app, server, settings


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_privacy_choice_by_keyboard_and_its_413_and_429_pages(
    viewport: str, axe: Any, browser_context: Any, own_app: tuple[Any, LiveServer, Settings], demo_store: SQLiteStore,
) -> None:
    """Hide oneself with the keyboard alone, change one's mind at once (429: one moment), and send an oversized
    form (413): each page audited like the others."""
    app, server, settings = own_app
    me = demo_store.experts("python", first=3).items[2].person
    browser_context.clear_cookies()
    page = browser_context.new_page()
    bad: list[Violation] = []

    def check(name: str, status: int, response: Any) -> None:
        assert response.status == status, (name, response.status)
        page.screenshot(path=str(SHOTS / f"a11y-privacy-{viewport}-{name}.png"), full_page=True)
        where = f"employee/{viewport}/{name}"
        found = audit(axe, page, where) + own_checks(page, where)
        REPORT.add(found)
        bad.extend(failing(found))

    def press_choice(expected: str) -> Any:
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.innerText") == expected:
                with page.expect_navigation() as nav:
                    page.keyboard.press("Enter")
                return nav.value
        raise AssertionError(f"the {expected!r} button is never reached with Tab")

    gate = app.state.services.choices
    try:
        page.set_viewport_size(VIEWPORTS[viewport])
        assert page.goto(sign_in_link(settings, server.url, me.id, me.name, Role.EMPLOYEE)).status == 200
        check("privacy-listed", 200, page.goto(server.url + "/me/privacy"))
        gate.interval_s, gate.last = 3600.0, {}
        check("privacy-hidden", 200, press_choice("Hide me from whoknows"))
        assert "You are hidden" in page.inner_text("#status")
        check("error-429", 429, press_choice("Show me again"))
        assert "try again in" in page.inner_text("main")
        page.go_back()
        with page.expect_navigation() as nav:  # a form over the pages' 64 KB bound, as a script could send it
            page.evaluate("""() => { const f = document.querySelector('form.choice'); const big =
                document.createElement('input'); big.type = 'hidden'; big.name = 'pad'; big.value = 'x'.repeat(70000);
                f.appendChild(big); f.submit(); }""")
        check("error-413", 413, nav.value)
        gate.interval_s, gate.last = 0.0, {}
        page.goto(server.url + "/me/privacy")
        press_choice("Show me again")
        assert "You are listed" in page.inner_text("#status")
    finally:
        gate.interval_s = 0.0
        page.close()
    assert not bad, f"{len(bad)} serious or critical accessibility violations:\n" + "\n".join(v.line() for v in bad)


def test_the_open_skill_suggestions_have_no_serious_violation(
    axe: Any, browser_context: Any, web_app: LiveServer, links: dict[str, tuple[str, str]]
) -> None:
    """The search box's suggestion list only exists once typed into: audited open, with an option chosen."""
    browser_context.clear_cookies()
    page = browser_context.new_page()
    try:
        assert page.goto(links["employee"][1]).status == 200
        page.goto(web_app.url + "/search")
        page.get_by_label("Skill or topic").press_sequentially("pyth")
        page.wait_for_selector("#skill-list li[role=option]")
        page.keyboard.press("ArrowDown")
        found = audit(axe, page, "employee/desktop/search-suggestions")
        REPORT.add(found)
    finally:
        page.close()
    bad = failing(found)
    assert not bad, "\n".join(v.line() for v in bad)
