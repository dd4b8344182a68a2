"""The contract suite runs against every GraphStore implementation.

SQLite always runs (a real file on disk). Neo4j runs on the session's real Neo4j server (tests/conftest.py: the one
the suite starts, or the one WHOKNOWS_TEST_NEO4J_URI names), its database wiped before each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.store.base import GraphStore
from graph.store.sqlite import SQLiteStore

BACKENDS = ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[], GraphStore]]:
    """A factory of fresh, empty stores of the backend under test; all are closed at teardown."""
    target = request.getfixturevalue("neo4j_target") if backend == "neo4j" else None
    opened: list[GraphStore] = []
    counter = iter(range(1000))

    def make() -> GraphStore:
        if backend == "sqlite":
            store: GraphStore = SQLiteStore(tmp_path / f"store{next(counter)}.db")
        else:
            from tests.contract.neo4j_factory import make_neo4j_store

            assert target is not None
            store = make_neo4j_store(target)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: Callable[[], GraphStore]) -> GraphStore:
    return make_store()


@pytest.fixture
def unreachable(backend: str, tmp_path: Path) -> Callable[[], GraphStore]:
    """Opening a store that cannot be reached."""
    if backend == "sqlite":
        return lambda: SQLiteStore(tmp_path / "missing-dir" / "x.db")
    from graph.store.neo4j import Neo4jStore

    return lambda: Neo4jStore.connect("neo4j://127.0.0.1:9", user="neo4j", password="wrong-password")
