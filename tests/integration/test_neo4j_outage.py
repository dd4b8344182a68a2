"""Neo4j stops under a running app: the API says STORE_UNAVAILABLE and /readyz 503; it recovers by itself.

A Neo4j server of its own (the session's one serves the other tests) holds a small organisation; the real app opens
the store from its settings (so it owns reconnecting), is served by uvicorn, and is asked over HTTP before, during and
after the outage. The server comes back on the same port with the same data directory, as a restarted deployment
would, and nobody touches the app in between.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from graph.store.neo4j import Neo4jStore
from tests.api.conftest import Api, LiveServer, api_settings
from tests.conftest import Neo4jTarget
from tests.factories import small_org, snapshot
from tests.neo4j_server import Neo4jTestServer

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

QUERY = '{ experts(skill: "kubernetes", first: 3) { totalCount edges { node { person { id } } } } }'
RECOVERY_TIMEOUT = 120.0


@pytest.fixture
def own_server(neo4j_target: Neo4jTarget, tmp_path: Path) -> Iterator[Neo4jTestServer]:
    if neo4j_target.server is None:
        pytest.skip("the outage test stops and restarts a server of its own; an external server cannot be stopped")
    server = Neo4jTestServer.start(tmp_path / "outage-neo4j")
    yield server
    server.stop()  # a no-op once the test stopped it (the restarted one the test stops itself)


def _readyz(http: httpx.Client) -> int:
    return http.get("/readyz").status_code


def _wait_for(what: str, check: object, timeout: float = RECOVERY_TIMEOUT) -> float:
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, f"{what} did not happen within {timeout:.0f} s"
        time.sleep(0.5)
    return time.monotonic() - started


def test_the_app_survives_a_neo4j_restart(own_server: Neo4jTestServer, tmp_path: Path) -> None:
    store = Neo4jStore.connect(own_server.uri, user=own_server.user, password=own_server.password)
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(snapshot(list(batch.people)))
    store.close()

    settings = api_settings(
        tmp_path, store=own_server.uri, neo4j_password=own_server.password, store_retry_initial_s=0.2,
        store_retry_max_s=1.0,
    )
    with LiveServer(create_app(settings)) as live:
        api = Api(live.url, settings)
        _wait_for("/readyz 200 once the app has opened the store", lambda: _readyz(api.http) == 200)
        before = api.data(QUERY, role=Role.ANALYST)
        assert before["experts"]["totalCount"] == len(batch.people)

        own_server.stop()
        body = api.gql(QUERY, role=Role.ANALYST)
        assert body.get("data") in (None, {"experts": None})
        assert [e["extensions"]["code"] for e in body["errors"]] == ["STORE_UNAVAILABLE"]
        assert _readyz(api.http) == 503
        assert api.http.get("/healthz").status_code == 200  # the process itself is fine

        restarted = own_server.restart()
        try:
            _wait_for("/readyz 200 after the restart", lambda: _readyz(api.http) == 200)
            assert api.data(QUERY, role=Role.ANALYST) == before  # same data directory, same answer
        finally:
            api.http.close()
            restarted.stop()
