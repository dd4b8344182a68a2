"""The real Neo4j every Neo4j test runs on: one server per test session (see tests/neo4j_server.py).

``WHOKNOWS_TEST_NEO4J_URI`` (+ ``_USER``, ``_PASSWORD``, ``_DATABASE``) points the suite at an external server
instead; its database is wiped by the tests. Otherwise the session starts tools/neo4j-test-server, in the background
as soon as collection shows a test needs it (the JVM takes tens of seconds to start, the SQLite tests run meanwhile).
Without Java or Maven the Neo4j tests skip, saying so; with ``CI`` set they fail instead, so nothing about Neo4j is
silently skipped in CI. A server that cannot start fails them, saying why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.neo4j_server import Neo4jTestServer, ServerUnavailable, missing_tools

NEO4J_FIXTURE = "neo4j_target"
COVERAGE_TEST = "test_every_cypher_statement_ran_on_the_server"
# True when this session runs the whole suite (no -k, -m, --lf, --deselect, nor paths narrower than tests/)
WHOLE_SUITE = pytest.StashKey[bool]()


@dataclass(frozen=True)
class Neo4jTarget:
    """Where the Neo4j tests connect; ``server`` is None for an external server.

    Tests needing it are marked ``neo4j`` or take the ``neo4j_target`` fixture.
    """

    uri: str
    user: str
    password: str | None
    database: str | None
    server: Neo4jTestServer | None = None


class _Starter:
    """Starts the session's server on a thread, once; the fixture waits for it."""

    def __init__(self) -> None:
        self.thread: threading.Thread | None = None
        self.server: Neo4jTestServer | None = None
        self.error: BaseException | None = None
        self.home = Path(tempfile.mkdtemp(prefix="whoknows-neo4j-test-"))

    def begin(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="neo4j-test-server", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            self.server = Neo4jTestServer.start(self.home / "server")
        except BaseException as exc:  # noqa: BLE001 - reported by the fixture, in the test that needs it
            self.error = exc

    def wait(self) -> Neo4jTestServer:
        self.begin()
        assert self.thread is not None
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.server is not None
        return self.server


_starter = _Starter()


def _external() -> Neo4jTarget | None:
    uri = os.environ.get("WHOKNOWS_TEST_NEO4J_URI")
    if not uri:
        return None
    return Neo4jTarget(
        uri=uri,
        user=os.environ.get("WHOKNOWS_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("WHOKNOWS_TEST_NEO4J_PASSWORD"),
        database=os.environ.get("WHOKNOWS_TEST_NEO4J_DATABASE") or None,
    )


def _needs_neo4j(item: pytest.Item) -> bool:
    return item.get_closest_marker("neo4j") is not None or NEO4J_FIXTURE in getattr(item, "fixturenames", ())


def _whole_suite(config: pytest.Config) -> bool:
    tests_dir = Path(__file__).resolve().parent
    paths = {(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args}
    narrowed = (
        config.option.keyword or config.option.markexpr or getattr(config.option, "lf", False)
        or config.option.deselect
        or any("::" in arg for arg in config.args)
    )
    return not narrowed and paths == {tests_dir}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Put the statement-coverage test last; start the server early when a test needs it and none is given."""
    config.stash[WHOLE_SUITE] = _whole_suite(config)
    items.sort(key=lambda item: item.name == COVERAGE_TEST)  # stable: everything else keeps its order
    if config.option.collectonly or _external() is not None or missing_tools() is not None:
        return
    if any(_needs_neo4j(item) for item in items):
        _starter.begin()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _starter.thread is not None:
        _starter.thread.join()
    if _starter.server is not None:
        _starter.server.stop()
    shutil.rmtree(_starter.home, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    """The Neo4j server of this test session (see the module docstring)."""
    external = _external()
    if external is not None:
        yield external
        return
    if why := missing_tools():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the Neo4j tests must run, but {why}", pytrace=False)
        pytest.skip(f"Neo4j tests skipped: {why} (or set WHOKNOWS_TEST_NEO4J_URI to a server)")
    try:
        server = _starter.wait()
    except ServerUnavailable as exc:
        pytest.fail(f"the Neo4j test server could not start: {exc}", pytrace=False)
    yield Neo4jTarget(uri=server.uri, user=server.user, password=server.password, database=None, server=server)
