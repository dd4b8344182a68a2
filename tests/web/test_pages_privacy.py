"""Privacy on the pages over plain HTTP (no browser): breakdowns over fewer than ``min_group_size`` people are
withheld on every page that shows one, as the community page's members by department are."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest

from app.auth import Role
from app.settings import Settings
from tests.api.conftest import LiveServer
from tests.web.conftest import sign_in_link

# a row of a department table (the name isolated in <bdi>, as every name from the exports)
DEPARTMENT = re.compile(r'<tr><td><bdi>([^<]+)</bdi></td><td class="n">(\d+)</td>')


@pytest.fixture(scope="module")
def analyst(web_app: LiveServer, web_settings: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_app.url, timeout=60) as client:
        signed_in = client.get(sign_in_link(web_settings, web_app.url, "hr:E00001", "Ana Lyst", Role.ANALYST))
        assert signed_in.status_code == 303, signed_in.text  # to the search page, with the session cookie
        yield client


def test_seed_reach_by_department_withholds_small_departments(analyst: httpx.Client, web_settings: Settings) -> None:
    """'What this set reaches' counts the people reached per department: a department with fewer than k of them
    is withheld (it named 'Legal (1)' on the demo), and what is withheld is said."""
    k = web_settings.min_group_size
    shown: list[tuple[str, int]] = []
    withheld = 0
    for skill in ("python", "kubernetes", "excel", "sql", "negotiation", "go"):
        for count in (1, 3):
            page = analyst.get("/plan/seeds", params={"skill": skill, "count": count})
            assert page.status_code == 200
            part = re.search(r"<h3>People reached by department</h3>(.*?)(?:</table>|</p>)", page.text, re.S)
            if part is None:  # nobody knows this skill in the small demo
                continue
            shown += [(html.unescape(name).strip(), int(n)) for name, n in DEPARTMENT.findall(part.group(1))]
            withheld += "withheld" in part.group(1)
    assert all(n >= k for _, n in shown), [d for d in shown if d[1] < k]
    assert shown, "some seed sets reach departments large enough to show"
    assert withheld, "some seed sets reach small departments"


def test_a_page_parameter_edited_by_hand_gets_an_error_page(analyst: httpx.Client, web_app: LiveServer) -> None:
    """``?count=abc`` answered FastAPI's validation JSON; a page names the parameter on its error page instead,
    while the API keeps answering JSON."""
    page = analyst.get("/plan/seeds", params={"skill": "python", "count": "abc"})
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "The page's 'count' is not valid here" in html.unescape(page.text)
    api = analyst.post("/graphql", json={"query": "query($n: Int!) { __typename }", "variables": {"n": "abc"}})
    assert api.status_code < 500
    assert api.headers["content-type"].startswith("application/json")
