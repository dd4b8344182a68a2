"""A page says an API's bad-input message in a person's words: "The text is too long: at most 1,024 characters",
not "a string variable of 3003 characters" (GraphQL's words, which a person cannot act on); the API's own answers
keep their messages. Over real HTTP against the real app on the API tests' small organisation (real SQLite, real
HRIS ingest); the messages reworded are the ones the API's own checks write."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from app.auth import Role
from app.graphql.analysis import Limits, check_variables, long_string_literal, over_cost
from app.settings import Settings
from app.web.wording import for_a_person
from graph.store.paging import decode_cursor, decode_id_cursor
from schema.errors import BadInput
from tests.api.conftest import Api
from tests.web.test_pages_bounds import signed_in

JARGON = re.compile(r"variable|argument|cursor|query|string", re.I)
LONG = "k" * 3000


@pytest.fixture(scope="module")
def employee(small_org_pages: tuple[str, Settings]) -> Iterator[httpx.Client]:
    url, settings = small_org_pages
    with httpx.Client(base_url=url, timeout=30) as client:
        signed_in(client, settings, url, Role.EMPLOYEE)
        yield client


def shown(r: httpx.Response) -> str:
    main = re.search(r"<main.*?</main>", r.text, re.S)
    assert main is not None, r.text[:300]
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", main.group(0)).split()))


@pytest.mark.parametrize(("path", "has"), [("/people/hr:" + LONG, 3003), ("/communities/slack:" + LONG, 3006)])
def test_an_over_long_address_is_a_400_page_in_a_person_s_words(employee: httpx.Client, path: str, has: int
                                                                 ) -> None:
    r = employee.get(path)
    assert r.status_code == 400, r.text[:300]
    text = shown(r)
    assert f"The text is too long: at most 1,024 characters (this one has {has:,})." in text
    assert not JARGON.search(text), text


@pytest.mark.parametrize(("after", "says"), [
    (LONG, "The text is too long: at most 1,024 characters (this one has 3,000)."),
    ("garbage", "The link's place in the list is not valid (it was changed or cut short); start again from the "
                "first page."),
])
def test_the_search_page_says_a_bad_page_link_in_a_person_s_words(employee: httpx.Client, after: str, says: str
                                                                  ) -> None:
    r = employee.get("/search", params={"skill": "kubernetes", "after": after})
    assert r.status_code == 200
    text = shown(r)
    assert says in text, text[:600]
    assert not JARGON.search(text.replace("Search", "")), text[:600]


def test_the_api_keeps_its_own_messages(small_org_pages: tuple[str, Settings]) -> None:
    url, settings = small_org_pages
    api = Api(url, settings)
    try:
        body = api.gql("query($id: ID!) { person(id: $id) { name } }", {"id": "hr:" + LONG})
        assert body["errors"][0]["message"] == "a string variable of 3003 characters; at most 1024 are allowed"
        body = api.gql('query($c: String) { experts(skill: "kubernetes", after: $c) { totalCount } }', {"c": "x"})
        assert body["errors"][0]["message"].startswith("invalid cursor 'x'")
    finally:
        api.http.close()


def _bad_input(fn: Callable[[str], object], arg: str) -> str:
    with pytest.raises(BadInput) as err:
        fn(arg)
    return str(err.value)


def test_every_message_of_the_class_is_reworded() -> None:
    """What the API's checks write today, so a change to their words shows here rather than on a page."""
    from graphql import parse

    messages = [
        check_variables({"s": "x" * 2000}),
        check_variables({"s": "\ud800"}),
        check_variables({"s": ["x"] * 1001}),
        check_variables({"s": [[[[[["x"]]]]]]}),
        long_string_literal(parse('{ skills(query: "%s") { name } }' % ("x" * 2000))),
        over_cost(30_000, Limits()),
        _bad_input(decode_cursor, "garbage"),
        _bad_input(decode_id_cursor, "garbage"),
    ]
    for message in messages:
        assert message is not None
        said = for_a_person(message)
        assert said != message
        assert not JARGON.search(said), said
        assert said[0].isupper(), said
        assert said.endswith("."), said
