"""Both stores stop a read at its caller's deadline (graph/store/deadline.py) with StoreTimeout, and serve on.

The read is genuinely expensive on each backend (minutes of work unless stopped): SQLite counts rows of a recursive
CTE (stopped by the connection's progress handler), Neo4j counts a cartesian product of two ranges (ended by the
server at the transaction timeout the store passes; the test server checks timeouts every 0.1 s, as
docker-compose.yml tells Neo4j to). The bound stays generous: timing is measured in the notes, not asserted here.
Both are run through the stores' own read paths, so the deadline machinery is the real one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from graph.store.base import GraphStore
from graph.store.deadline import reads_until
from schema.errors import StoreTimeout, StoreUnavailable
from tests.expensive_store import COUNT_TO, MINUTE_OF_STEPS
from tests.factories import small_org

NEO4J_COUNT = "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS c"


def expensive_reads(store: GraphStore) -> dict[str, Callable[[], Any]]:
    """The backend's expensive reads by the path they take (each raising only our error tree)."""
    from graph.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        from graph.store.sqlite.errors import translated

        @translated
        def count(s: SQLiteStore) -> int:
            with s._read() as conn:
                return int(conn.execute(COUNT_TO, (MINUTE_OF_STEPS,)).fetchone()[0])

        return {"read transaction": lambda: count(store)}

    from graph.store.cypher._base import Statement
    from graph.store.neo4j import Neo4jStore, _translated

    assert isinstance(store, Neo4jStore)
    statement = Statement("TEST_EXPENSIVE_COUNT", NEO4J_COUNT)
    return {
        "managed read": _translated(lambda: store._read(lambda tx: list(tx.run(NEO4J_COUNT)))),
        "auto-commit read": _translated(lambda: store._read_one(statement)),
    }


def test_a_read_stops_at_its_deadline_and_the_store_serves_on(store: GraphStore) -> None:
    store.write_batch(small_org())
    people = store.person_ids()
    for path, read in expensive_reads(store).items():
        start = time.perf_counter()
        with reads_until(time.monotonic() + 0.5), pytest.raises(StoreTimeout) as info:
            read()
        stopped = time.perf_counter() - start
        assert not isinstance(info.value, StoreUnavailable), path  # a slow request, never a store fault
        assert info.value.__cause__ is not None, path  # stopped by the store (SQLite, the server), not refused
        assert stopped < 20.0, (path, stopped)  # generous: unstopped, each read takes minutes
        # the same store (and thread) serves the next read, which has no deadline, in full
        assert store.person_ids() == people, path
        store.ping()


def test_a_read_whose_deadline_passed_is_refused_before_it_starts(store: GraphStore) -> None:
    store.write_batch(small_org())
    with reads_until(time.monotonic() - 1.0):
        with pytest.raises(StoreTimeout):
            store.person_ids()
        with pytest.raises(StoreTimeout):
            store.skills()
    assert len(store.person_ids()) == len(small_org().people)
