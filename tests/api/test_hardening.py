"""Limits and error shapes: depth, aliases, page sizes, timeouts, introspection, malformed requests.

Every bad request gets a GraphQL error with ``extensions.code`` and never a 5xx or a stack trace.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from graph.store.base import GraphStore
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import Api, LiveServer, api_settings, load_org


def _no_trace(text: str) -> None:
    for marker in ("Traceback", 'File "', "sqlite3.", "line "):
        assert marker not in text, f"response leaks internals ({marker}): {text[:300]}"


def test_depth_limit(api: Api) -> None:
    shallow = "{ person(id: \"hr:E0001\") { manager { manager { id } } } }"
    assert api.codes(shallow) == []
    nested = "id"
    for _ in range(11):
        nested = f"manager {{ {nested} }}"
    body = api.gql(f'{{ person(id: "hr:E0001") {{ {nested} }} }}')
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_alias_limit(api: Api) -> None:
    ok = " ".join(f'a{i}: skills(first: 1) {{ name }}' for i in range(20))
    assert api.codes(f"{{ {ok} }}") == []
    too_many = " ".join(f'a{i}: skills(first: 1) {{ name }}' for i in range(21))
    body = api.gql(f"{{ {too_many} }}")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "aliases" in body["errors"][0]["message"].lower()


@pytest.mark.parametrize(
    ("query", "role"),
    [
        ('{ experts(skill: "kubernetes", first: 101) { totalCount } }', Role.EMPLOYEE),
        ('{ experts(skill: "kubernetes", first: 0) { totalCount } }', Role.EMPLOYEE),
        ('{ experts(skill: "kubernetes", first: -5) { totalCount } }', Role.EMPLOYEE),
        ("{ skills(first: 1000) { name } }", Role.EMPLOYEE),
        ("{ communities(first: 101) { id } }", Role.EMPLOYEE),
        ('{ community(id: "slack:k8s-guild") { members(first: 500) { totalCount } } }', Role.EMPLOYEE),
        ("{ influencers(first: 101) { rank } }", Role.ANALYST),
        ("{ bridges(first: 101) { rank } }", Role.ANALYST),
        ('{ seedCandidates(skill: "kubernetes", count: 101) { rank } }', Role.ANALYST),
    ],
)
def test_page_size_limit(api: Api, query: str, role: Role) -> None:
    body = api.gql(query, role=role)
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert codes == ["BAD_USER_INPUT"]
    assert "between 1 and 100" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ experts { totalCount } }", None),  # missing required argument
        ('{ experts(skill: 42) { totalCount } }', None),
        ("query($s: String!) { experts(skill: $s) { totalCount } }", {}),  # missing variable
        ("query($n: Int) { skills(first: $n) { name } }", {"n": "many"}),
        ("{ person(id: \"no-namespace\") { id } }", None),
        ("{ person(id: \"hr:\\u0001\") { id } }", None),
        ('{ experts(skill: "!!!") { totalCount } }', None),
        ('{ experts(skill: "' + "x" * 5000 + '") { totalCount } }', None),
        ("{ experts(skill: ", None),  # syntax error
        ("{ __typename", None),
        ("mutation { experts }", None),
        ("subscription { x }", None),
        ("{ " + "a " * 6000 + "}", None),  # token flood
        ('{ introductionPath(fromId: "hr:E0001", toId: "hr:E0002", maxHops: 0) { id } }', None),
        ('{ bridges(communityIds: ["x"]) { rank } }', None),
        ('{ influencers(communityId: "bad") { rank } }', None),
    ],
)
def test_bad_input_is_a_graphql_error_not_a_crash(api: Api, query: str, variables: dict[str, Any] | None) -> None:
    r = api.post(query, variables, role=Role.ADMIN)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["errors"], body
    assert {e["extensions"]["code"] for e in body["errors"]} <= {"BAD_USER_INPUT", "NOT_FOUND"}
    _no_trace(r.text)


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[1, 2]", b'{"query": 5}', b'{"query": "{ skills { name } }", "variables": [1]}',
     b'{"query": "{ skills { name } }", "operationName": 7}', b"[" * 100_000, b'{"query": ""}'],
    ids=["empty", "text", "array", "query-number", "variables-array", "opname-number", "deep-json", "blank"],
)
def test_malformed_bodies_are_400(api: Api, content: bytes) -> None:
    r = api.http.post("/graphql", content=content, headers={
        "Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}", "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    _no_trace(r.text)


def test_oversized_body_is_413(api: Api) -> None:
    big = json.dumps({"query": "{ skills { name } }", "variables": {"x": "y" * 300_000}})
    r = api.http.post("/graphql", content=big, headers={"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}"})
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_operation_name_selects_operation(api: Api) -> None:
    doc = 'query A { skills(first: 1) { name } } query B { communities(first: 1) { id } }'
    r = api.http.post("/graphql", json={"query": doc, "operationName": "B"},
                      headers={"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}"})
    assert list(r.json()["data"]) == ["communities"]
    r = api.http.post("/graphql", json={"query": doc},
                      headers={"Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


INTROSPECTION = "{ __schema { queryType { name } } }"


def test_introspection_on_by_default(api: Api) -> None:
    assert api.data(INTROSPECTION)["__schema"]["queryType"]["name"] == "Query"


def test_introspection_can_be_switched_off(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, introspection=False)
    store = SQLiteStore(tmp_path / "w.db")
    try:
        with LiveServer(create_app(settings, store=store)) as server:
            api = Api(server.url, settings)
            body = api.gql(INTROSPECTION)
            assert body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
            assert "introspection" in body["errors"][0]["message"].lower()
            assert api.codes("{ skills { name } }") == []  # ordinary queries still work
            api.http.close()
    finally:
        store.close()


class SlowStore:
    """A real store whose ``reads`` (``experts`` unless said) take ``delay`` seconds each: a slow disk, a busy Neo4j,
    or a big organisation's bridges between many communities (1.7 s for 63 communities of the 2,000-person demo)."""

    def __init__(self, inner: GraphStore, delay: float, reads: tuple[str, ...] = ("experts",)) -> None:
        self._inner = inner
        self._delay = delay
        self._reads = frozenset(reads)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if name not in self._reads:
            return attr

        def slowed(*args: Any, **kwargs: Any) -> Any:
            time.sleep(self._delay)
            return attr(*args, **kwargs)

        return slowed


def test_request_timeout(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, request_timeout_s=0.2)
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    try:
        with LiveServer(create_app(settings, store=SlowStore(store, delay=1.5))) as server:  # type: ignore[arg-type]
            api = Api(server.url, settings)
            r = api.post('{ experts(skill: "kubernetes") { totalCount } }')
            assert r.status_code == 200
            assert r.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
            assert api.codes("{ skills(first: 1) { name } }") == []  # the server is still fine
            api.http.close()
    finally:
        time.sleep(1.5)  # let the abandoned worker thread finish before the store closes
        store.close()


def test_unexpected_errors_are_masked(tmp_path: Path) -> None:
    """A resolver that fails for a reason of ours (not the caller's) answers INTERNAL_SERVER_ERROR, no details."""

    class BrokenStore(SlowStore):
        def experts(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("secret internals /var/lib/whoknows.db")

    settings = api_settings(tmp_path)
    store = SQLiteStore(tmp_path / "w.db")
    try:
        app = create_app(settings, store=BrokenStore(store, 0))  # type: ignore[arg-type]
        with LiveServer(app) as server, httpx.Client(base_url=server.url) as http:
            api = Api(server.url, settings)
            r = api.post('{ experts(skill: "kubernetes") { totalCount } }')
            assert r.status_code == 200
            error = r.json()["errors"][0]
            assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
            assert "secret" not in r.text
            assert http.get("/healthz").status_code == 200
            api.http.close()
    finally:
        store.close()
