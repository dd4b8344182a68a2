"""Every Cypher statement of graph/store/cypher/ ran to completion on the real Neo4j server during the suite.

The store sends every statement through one function (graph.store.neo4j.tx.run), which records the name of each one it
ran; this test runs last (tests/conftest.py puts it there) and compares the record with the registry. A statement
no test runs is either dead (delete it) or untested (test it): it is never left for a user to run first.
"""

from __future__ import annotations

import pytest

from graph.store import cypher
from graph.store.neo4j import tx as neo4j_tx
from tests.conftest import WHOLE_SUITE, Neo4jTarget


@pytest.mark.neo4j
def test_every_cypher_statement_ran_on_the_server(request: pytest.FixtureRequest, neo4j_target: Neo4jTarget) -> None:
    if not request.config.stash.get(WHOLE_SUITE, False):
        pytest.skip("statement coverage is proven by the whole suite only (`pytest` without -k, -m or paths)")
    missing = sorted(set(cypher.ALL_STATEMENTS) - neo4j_tx.EXECUTED)
    assert not missing, f"{len(missing)} Cypher statements never ran on the server: {', '.join(missing)}"
