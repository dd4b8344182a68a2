"""Operations over HTTP: health and readiness, store loss and recovery, metrics, JSON logs, CORS, GraphiQL."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.observability import JsonFormatter
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import Api, LiveServer, api_settings, load_org

EXPERTS = '{ experts(skill: "kubernetes", first: 2) { totalCount } }'


@pytest.fixture
def loaded_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    yield store
    store.close()


def _wait_until(predicate: object, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_store_closed_then_reopened_under_running_app(tmp_path: Path, loaded_store: SQLiteStore) -> None:
    """Store goes away: STORE_UNAVAILABLE and 503 on /readyz; someone reopens it: the API answers again."""
    settings = api_settings(tmp_path, store_retry_initial_s=3600)  # the app itself will not retry in this test
    with LiveServer(create_app(settings, store=loaded_store)) as server:
        api = Api(server.url, settings)
        assert api.codes(EXPERTS) == []
        loaded_store.close()
        body = api.gql(EXPERTS)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["STORE_UNAVAILABLE"]
        ready = api.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["code"] == "STORE_UNAVAILABLE"
        assert api.http.get("/healthz").status_code == 200  # the process is up
        loaded_store.reopen()
        assert api.codes(EXPERTS) == []
        assert api.http.get("/readyz").status_code == 200
        metrics = api.http.get("/metrics").text
        assert re.search(r"^whoknows_store_unavailable_total [1-9]", metrics, re.M)
        api.http.close()


def test_app_reopens_the_store_by_itself(tmp_path: Path, loaded_store: SQLiteStore) -> None:
    settings = api_settings(tmp_path, store_retry_initial_s=0.05, store_retry_max_s=0.2)
    with LiveServer(create_app(settings, store=loaded_store)) as server:
        api = Api(server.url, settings)
        loaded_store.close()
        assert api.codes(EXPERTS) == ["STORE_UNAVAILABLE"]
        assert _wait_until(lambda: api.http.get("/readyz").status_code == 200), "the app never reopened the store"
        assert api.codes(EXPERTS) == []
        api.http.close()


def test_store_missing_at_start_then_appears(tmp_path: Path) -> None:
    """Started before its store exists (directory missing): not ready, then ready once ingest has created it
    (the API itself never creates a store: tests/api/test_store_faults.py)."""
    db_dir = tmp_path / "later"
    settings = api_settings(tmp_path, store=f"sqlite:///{db_dir / 'w.db'}", store_retry_initial_s=0.05,
                            store_retry_max_s=0.1)
    app = create_app(settings)
    with LiveServer(app) as server:
        api = Api(server.url, settings)
        assert api.http.get("/readyz").status_code == 503
        assert api.codes(EXPERTS) == ["STORE_UNAVAILABLE"]
        db_dir.mkdir()
        SQLiteStore(db_dir / "w.db").close()  # what the first ingest does
        assert _wait_until(lambda: api.http.get("/readyz").status_code == 200)
        assert api.codes("{ skills { name } }") == []
        api.http.close()


def test_metrics_by_operation(api: Api) -> None:
    api.data(EXPERTS)
    api.data('{ skills(query: "py") { name } }')
    api.gql("{ influencers { rank } }")  # FORBIDDEN for an employee
    text = api.http.get("/metrics").text
    assert re.search(r'whoknows_graphql_requests_total\{operation="experts",outcome="ok"\} [1-9]', text)
    assert re.search(r'whoknows_graphql_requests_total\{operation="influencers",outcome="forbidden"\} [1-9]', text)
    assert 'whoknows_graphql_request_duration_seconds_bucket{le="0.1",operation="skills"}' in text
    assert re.search(r'whoknows_http_requests_total\{route="/graphql",status="200"\} [1-9]', text)


def test_request_id_and_json_logs(api: Api) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("whoknows.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        r = api.http.post("/graphql", json={"query": EXPERTS}, headers={
            "Authorization": f"Bearer {api.tokens[Role.EMPLOYEE]}", "X-Request-ID": "req-test-42"})
        fresh = api.http.get("/healthz")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert r.headers["x-request-id"] == "req-test-42"
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [e for e in lines if e["request_id"] == "req-test-42"]
    assert len(mine) == 1
    entry = mine[0]
    assert entry["path"] == "/graphql"
    assert entry["status"] == 200
    assert entry["operation"] == "experts"
    assert entry["duration_ms"] > 0
    assert entry["level"] == "info"
    assert "ts" in entry


def test_cors(tmp_path: Path, loaded_store: SQLiteStore) -> None:
    settings = api_settings(tmp_path, cors_origins=["https://dash.example"])
    with LiveServer(create_app(settings, store=loaded_store)) as server, httpx.Client(base_url=server.url) as http:
        pre = http.options("/graphql", headers={
            "Origin": "https://dash.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "https://dash.example"
        other = http.options("/graphql", headers={"Origin": "https://evil.example",
                                                  "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in other.headers
    # and none at all by default
    with LiveServer(create_app(api_settings(tmp_path), store=loaded_store)) as server, \
            httpx.Client(base_url=server.url) as http:
        r = http.get("/healthz", headers={"Origin": "https://dash.example"})
        assert "access-control-allow-origin" not in r.headers


def test_graphiql_is_served_without_any_cdn(api: Api) -> None:
    page = api.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    # another site may not frame it (clickjacking a signed-in admin's stored token into a mutation)
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) == 4
    assert all(a.startswith("/static/") for a in assets), assets
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page.text)
    for asset in assets:
        r = api.http.get(asset)
        assert r.status_code == 200, asset
        assert len(r.content) > 1000
    assert api.http.get("/", follow_redirects=False).headers["location"] == "/search"


def test_old_dashboard_is_gone_and_pages_ask_for_sign_in(api: Api) -> None:
    """The token-filled /dashboard is replaced by signed-in pages (tests/web): without a session, sign in first."""
    assert api.http.get("/dashboard").status_code == 404
    r = api.http.get("/communities", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/signin?next=%2Fcommunities"


def test_graphiql_can_be_switched_off(tmp_path: Path, loaded_store: SQLiteStore) -> None:
    settings = api_settings(tmp_path, graphiql=False)
    with LiveServer(create_app(settings, store=loaded_store)) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/graphql").status_code in (404, 405)
        options = http.options("/graphql")
        assert options.status_code == 204
        assert options.headers["allow"] == "POST, OPTIONS"


def test_graphql_options_and_other_methods_name_post(tmp_path: Path, loaded_store: SQLiteStore) -> None:
    """OPTIONS /graphql said "allow: GET" (the GraphiQL route's), though POST is the endpoint; a method it does not
    take is a 405 naming the same methods, never a 500."""
    with LiveServer(create_app(api_settings(tmp_path), store=loaded_store)) as server, \
            httpx.Client(base_url=server.url) as http:
        options = http.options("/graphql")
        assert options.status_code == 204
        assert options.headers["allow"] == "GET, HEAD, POST, OPTIONS"
        put = http.put("/graphql", json={"query": "{ __typename }"})
        assert put.status_code == 405
        assert put.headers["allow"] == "GET, HEAD, POST, OPTIONS"
        assert put.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert http.get("/graphql").status_code == 200  # GraphiQL
        assert http.head("/graphql").status_code == 200
        assert http.post("/graphql", json={"query": "{ __typename }"}).status_code == 401  # POST: there, with a token


def test_a_query_sent_with_get_is_told_to_use_post(api: Api) -> None:
    """``GET /graphql?query=...`` from a client expecting JSON got 200 and GraphiQL's HTML, which it then failed to
    parse; it is now a 405 in JSON saying to POST. A browser following a GraphiQL link with ``?query=`` (it asks
    for text/html) still gets the editor."""
    token = api.tokens[Role.EMPLOYEE]
    for accept in ("application/json", "*/*", "application/graphql-response+json"):
        r = api.http.get("/graphql", params={"query": "{ __typename }"},
                         headers={"Accept": accept, "Authorization": f"Bearer {token}"})
        assert r.status_code == 405, accept
        assert r.headers["allow"] == "GET, HEAD, POST, OPTIONS"
        error = r.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "POST" in error["message"]
    browser = api.http.get("/graphql", params={"query": "{ __typename }"},
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 200
    assert "GraphiQL" in browser.text


def _http_count(api: Api, route: str, status: int) -> float:
    found = re.search(rf'whoknows_http_requests_total\{{route="{route}",status="{status}"\}} ([0-9.]+)',
                      api.http.get("/metrics").text)
    return float(found.group(1)) if found else 0.0


def test_a_client_that_leaves_mid_body_is_not_counted_as_a_server_error(api: Api) -> None:
    """A client closing its connection halfway through a request body got no answer, yet the access log and
    ``whoknows_http_requests_total`` said 500: any client could raise the server-error rate an operator is paged on.
    It is counted as 499 (the client went away), as nginx logs it."""
    port = int(api.base_url.rsplit(":", 1)[1])
    errors, gone = _http_count(api, "/graphql", 500), _http_count(api, "/graphql", 499)
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                         + api.tokens[Role.EMPLOYEE].encode()
                         + b'\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":')
            time.sleep(0.2)  # the server is reading the body now
    assert _wait_until(lambda: _http_count(api, "/graphql", 499) == gone + 3)
    assert _http_count(api, "/graphql", 500) == errors
