"""axe-core (the copy bundled by axe-playwright-python) run on a page of the real chromium, and the pages to run it on.

Why a package and not hand-written checks: axe-core is the rule set auditors use for WCAG 2.1 A/AA (contrast
computed from the rendered colours, names as the accessibility tree computes them, landmarks, ARIA validity). Every
rule runs (WCAG and best practice); a ``serious`` or ``critical`` violation fails the tests, and every violation of
any impact is written to ``tests/web/screenshots/axe-report.json`` for a person to read.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graph.store.sqlite import SQLiteStore

FAILING = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 800}
# WCAG 1.4.10 (reflow): content at 320 CSS px, what a 1280 px window shows at 400 % zoom, with no sideways scrolling
ZOOM_400 = {"width": 320, "height": 256}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE, "zoom400": ZOOM_400}


def load_axe() -> Any:
    """The axe runner; a missing package fails the test that needs it (an audit that is skipped audits nothing)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError as exc:  # pragma: no cover - the dev extras install it
        pytest.fail(f"axe-playwright-python is missing ({exc}): install the dev extras, pip install -e '.[dev]'")
    return Axe()


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    where: str  # role/viewport/page
    help: str
    targets: list[str]
    html: str

    def line(self) -> str:
        return f"{self.where}: {self.rule} ({self.impact}) {self.help}: {', '.join(self.targets[:4])} {self.html[:160]}"


@dataclass
class Report:
    """Every violation seen in a session, by rule, for the before/after figures."""

    violations: list[Violation] = field(default_factory=list)
    pages: int = 0

    def add(self, found: list[Violation]) -> None:
        self.pages += 1
        self.violations.extend(found)

    def counts(self) -> dict[str, int]:
        """Elements in violation by "rule (impact)"."""
        counter: Counter[str] = Counter()
        for v in self.violations:
            counter[f"{v.rule} ({v.impact})"] += len(v.targets)
        return dict(sorted(counter.items()))

    def write(self, path: Path) -> None:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"pages_audited": self.pages, "elements_by_rule": self.counts(),
                                    "violations": [asdict(v) for v in self.violations]}, indent=1))


def audit(axe: Any, page: Any, where: str) -> list[Violation]:
    """axe's violations on the page as it is now (all rules, all impacts)."""
    response = axe.run(page, options={"resultTypes": ["violations"]}).response
    return [Violation(v["id"], v.get("impact") or "unknown", where, v["help"],
                      [" ".join(map(str, n["target"])) for n in v["nodes"]], (v["nodes"][0].get("html") or ""))
            for v in response["violations"]]


# what axe does not check, as rules of our own: WCAG 1.4.10 (the page never scrolls sideways, at 320 px included),
# 2.4.2 (a title naming the page, not a bare "Error"), 1.3.1/2.4.6 (one h1 saying what the page is)
PAGE_FACTS = """() => ({
  width: document.documentElement.scrollWidth, viewport: window.innerWidth, title: document.title,
  h1: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
  wide: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
        && !e.closest('.table-scroll')).slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className)
})"""
GENERIC_TITLES = {"error", "whoknows", ""}


def own_checks(page: Any, where: str) -> list[Violation]:
    facts = page.evaluate(PAGE_FACTS)
    found = []
    if facts["width"] > facts["viewport"]:
        found.append(Violation("whoknows-reflow", "serious", where, f"page {facts['width']} px wide in a "
                               f"{facts['viewport']} px window (WCAG 1.4.10)", facts["wide"], ""))
    name = facts["title"].rsplit(" · whoknows", 1)[0].strip()
    if name.lower() in GENERIC_TITLES:
        found.append(Violation("whoknows-page-title", "serious", where, "the title does not say which page "
                               "(WCAG 2.4.2)", ["title"], facts["title"]))
    if len(facts["h1"]) != 1 or not facts["h1"][0]:
        found.append(Violation("whoknows-one-h1", "serious", where, "a page has one h1 naming it", ["h1"],
                               repr(facts["h1"])))
    return found


def failing(found: list[Violation]) -> list[Violation]:
    return [v for v in found if v.impact in FAILING]


def employee_pages(store: SQLiteStore, me: str, analyst: bool = False) -> list[tuple[str, str, int]]:
    """(name, path, expected status) of every page an employee reaches, each in its interesting states (and, for
    an employee, the planner's 403)."""
    facets = store.directory_facets()
    location = facets["location"][0]
    typo = location[:-1] + ("x" if location[-1] != "x" else "y")
    sizes = store.community_sizes()
    biggest = max(sizes, key=lambda c: sizes[c])
    smallest = min(sizes, key=lambda c: sizes[c])
    other = next(h.person.id for h in store.experts("python", first=5).items if h.person.id != me)
    question = "How+do+I+restart+failing+pods+from+a+Python+job+on+K8s%3F"
    return [
        ("search-empty", "/search", 200),
        ("search-results", "/search?skill=python", 200),
        ("search-scoped", f"/search?skill=python&location={location}", 200),
        ("search-filter-typo", f"/search?skill=python&location={typo}", 200),
        ("search-skill-typo", "/search?skill=pyhton", 200),
        ("ask-empty", "/ask", 200),
        ("ask-results", f"/ask?question={question}&department={facets['department'][0]}", 200),
        ("ask-no-skill", "/ask?question=Where+is+the+best+lunch+nearby%3F", 200),
        ("ask-unknown-skill", "/ask?question=&skills=kubernetes,+quantum-basket-weaving", 200),
        ("person", f"/people/{other}", 200),
        ("my-profile", f"/people/{me}", 200),
        ("communities", "/communities", 200),
        ("communities-sorted", "/communities?sort=members&dir=asc", 200),
        ("community", f"/communities/{biggest}", 200),
        ("community-small", f"/communities/{smallest}", 200),
        ("privacy", "/me/privacy", 200),
        ("error-404", "/no-such-page", 404),
        ("error-404-person", "/people/hr:nobody-at-all", 404),
        ("error-405", "/signout", 405),
    ] + ([] if analyst else [("error-403", "/plan/seeds?skill=python", 403)])


def analyst_pages(store: SQLiteStore) -> list[tuple[str, str, int]]:
    """The planner's pages, empty and answered, for analysts and admins."""
    sizes = store.community_sizes()
    a, b = sorted(sizes, key=lambda c: -sizes[c])[:2]
    person = store.influencers(first=1)[0].person
    return [
        ("plan", "/plan", 200),
        ("influencers-empty", "/plan/influencers", 200),
        ("influencers-skill", "/plan/influencers?skill=python", 200),
        ("influencers-community", f"/plan/influencers?community={a}", 200),
        ("seeds-empty", "/plan/seeds", 200),
        ("seeds", "/plan/seeds?skill=python&count=3", 200),
        ("bridges-empty", "/plan/bridges", 200),
        ("bridges", f"/plan/bridges?a={a}&b={b}", 200),
        ("bridges-same", f"/plan/bridges?a={a}&b={a}", 200),
        ("network-empty", "/plan/network", 200),
        ("network-person", f"/plan/network?person={person.id}", 200),
        ("network-choices", f"/plan/network?person={person.name.split()[0]}", 200),
        ("network-community", f"/plan/network?community={a}", 200),
        ("error-400", "/plan/seeds?skill=python&count=abc", 400),
    ]


def anonymous_pages() -> list[tuple[str, str, int]]:
    return [
        ("signin", "/signin", 200),
        ("signin-next", "/signin?next=%2Fplan", 200),
        ("error-404", "/no-such-page", 404),
        ("error-405", "/signout", 405),
    ]


__all__ = ["DESKTOP", "FAILING", "PHONE", "VIEWPORTS", "ZOOM_400", "Report", "Violation", "analyst_pages",
           "anonymous_pages", "audit", "employee_pages", "failing", "load_axe", "own_checks"]
