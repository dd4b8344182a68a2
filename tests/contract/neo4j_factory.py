"""Fresh Neo4j stores on the session's Neo4j server (tests/conftest.py's ``neo4j_target``).

Each store starts from an empty database: everything in it is deleted first (constraints and indexes stay), so an
external server (WHOKNOWS_TEST_NEO4J_URI) must be one kept for tests.
"""

from __future__ import annotations

import functools

from graph.store import cypher
from graph.store.neo4j import Neo4jStore, run
from tests.conftest import Neo4jTarget

WIPE_BATCH = 10000


def connect_test_store(target: Neo4jTarget) -> Neo4jStore:
    """A Neo4jStore on the test server, data untouched."""
    return Neo4jStore.connect(target.uri, user=target.user, password=target.password, database=target.database)


def wipe(store: Neo4jStore) -> None:
    """Delete every relationship, then every node, in bounded transactions (constraints and indexes stay)."""
    for statement in (cypher.WIPE_RELATIONSHIPS_BATCH, cypher.WIPE_BATCH):
        while True:
            rows = store._write(functools.partial(run, statement=statement, limit=WIPE_BATCH), versioned=False)
            if not rows or int(rows[0]["deleted"]) < WIPE_BATCH:
                break


def make_neo4j_store(target: Neo4jTarget) -> Neo4jStore:
    """A Neo4jStore on the test server with an empty database (constraints and indexes created)."""
    store = connect_test_store(target)
    try:
        wipe(store)
    except BaseException:
        store.close()
        raise
    return store


__all__ = ["connect_test_store", "make_neo4j_store", "wipe"]
