"""The adversarial pass's 500s and internal errors (issue 9.2), each as a regression test over real HTTP.

Each gets a 4xx or a GraphQL error with a specific ``extensions.code``; tests/api/test_fuzz.py covers their classes
(every argument with hostile values, every query shape).
"""

from __future__ import annotations

import base64

from app.auth import Role
from tests.api.conftest import Api


def _code(api: Api, query: str, variables: dict[str, object] | None = None) -> tuple[int, str, str]:
    r = api.post(query, variables, role=Role.ADMIN)
    assert r.status_code < 500, r.text
    assert "Traceback" not in r.text
    error = r.json()["errors"][0]
    return r.status_code, error["extensions"]["code"], error["message"]


def test_operation_name_not_in_document_is_400(api: Api) -> None:
    r = api.http.post("/graphql", json={"query": "query A { skills(first: 1) { name } }", "operationName": "B"},
                      headers={"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no operation named 'B'" in r.json()["errors"][0]["message"]


def test_unknown_fragment(api: Api) -> None:
    assert _code(api, '{ person(id: "hr:E0001") { ...Missing } }')[:2] == (200, "BAD_USER_INPUT")


def test_empty_selection_set(api: Api) -> None:
    assert _code(api, '{ person(id: "hr:E0001") { } }')[:2] == (200, "BAD_USER_INPUT")


def test_cursor_decoding_to_deeply_nested_json(api: Api) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 50_000 + b"]" * 50_000).decode()
    status, code, message = _code(api, '{ experts(skill: "kubernetes", after: $c) { totalCount } }'
                                  .replace("{ experts", "query($c: String) { experts"), {"c": cursor})
    assert (status, code) == (200, "BAD_USER_INPUT")
    small = base64.urlsafe_b64encode(b"[" * 300 + b"]" * 300).decode().rstrip("=")
    status, code, message = _code(api, f'{{ experts(skill: "kubernetes", after: "{small}") {{ totalCount }} }}')
    assert (status, code) == (200, "BAD_USER_INPUT")
    assert "invalid cursor" in message


def test_very_long_string_arguments(api: Api) -> None:
    long = "x" * 50_001
    assert _code(api, "query($q: String) { skills(query: $q) { name } }", {"q": long})[:2] == (200, "BAD_USER_INPUT")
    assert _code(api, f'{{ skills(query: "{long}") {{ name }} }}')[:2] == (200, "BAD_USER_INPUT")
    # at the bound, a real (empty) answer
    assert api.codes("query($q: String) { skills(query: $q) { name } }", {"q": "k" * 1024}) == []
