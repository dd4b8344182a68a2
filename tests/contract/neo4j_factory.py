"""Fresh Neo4j stores for the contract suite, on the server named by WHOKNOWS_TEST_NEO4J_URI.

Each store starts from an empty database: everything in it is deleted first, so point the variable at a
database kept for tests (WHOKNOWS_TEST_NEO4J_DATABASE, default: the server's default database).
"""

from __future__ import annotations

import functools
import os

from graph.store import cypher
from graph.store.neo4j import Neo4jStore, run

WIPE_BATCH = 10000


def connect_test_store() -> Neo4jStore:
    """A Neo4jStore on the server of WHOKNOWS_TEST_NEO4J_URI (+ _USER, _PASSWORD, _DATABASE), data untouched."""
    uri = os.environ.get("WHOKNOWS_TEST_NEO4J_URI")
    if not uri:
        raise RuntimeError("WHOKNOWS_TEST_NEO4J_URI is not set: there is no Neo4j server to test against")
    return Neo4jStore.connect(
        uri,
        user=os.environ.get("WHOKNOWS_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("WHOKNOWS_TEST_NEO4J_PASSWORD"),
        database=os.environ.get("WHOKNOWS_TEST_NEO4J_DATABASE") or None,
    )


def wipe(store: Neo4jStore) -> None:
    """Delete every node and relationship, in bounded transactions (constraints and indexes stay)."""
    while True:
        rows = store._write(functools.partial(run, statement=cypher.WIPE_BATCH, limit=WIPE_BATCH))
        if not rows or int(rows[0]["deleted"]) < WIPE_BATCH:
            return


def make_neo4j_store() -> Neo4jStore:
    """A Neo4jStore on the test server with an empty database (constraints and indexes created)."""
    store = connect_test_store()
    try:
        wipe(store)
    except BaseException:
        store.close()
        raise
    return store


__all__ = ["connect_test_store", "make_neo4j_store", "wipe"]
