"""The Neo4j 5 graph store, on the official ``neo4j`` Python driver.

- All Cypher lives in :mod:`graph.store.cypher`; this module only chooses statements, builds their parameter rows
  and turns records into and out of them.
- The driver is injected (``Neo4jStore(driver)``); :meth:`Neo4jStore.connect` builds one from a URL and keeps the
  recipe so :meth:`Neo4jStore.reopen` can build another. Constraints and indexes are created on start-up.
- Every unit of work is a managed transaction (``session.execute_write`` / ``execute_read``), which the driver may
  retry: a work function starts from nothing (its WriteResult included) each time it is called.
- Every batch is deduplicated per key in Python before it is written (graph engines tried as stand-ins dropped rows
  when one ``UNWIND`` repeated a new key); ``write_batch`` is one transaction. Before writing, the batch's keys are
  read back in the same transaction to count inserted / updated / unchanged rows and to write only what changed.
- Analytics runs are written as a new generation and switched in by one statement (see the cypher module docstring
  for why this, rather than one transaction).
- Driver errors become :class:`StoreUnavailable` (unreachable, session expired, authentication refused, transient
  failures that outlived the retries, closed driver) or :class:`StoreError` (constraint violated, statement refused).
- Values: dates and datetimes are stored as Neo4j ``Date`` / ``DateTime`` (UTC) and come back as Python ``date`` /
  aware UTC ``datetime``; enums as their string value; evidence, detected-community shares and run stats (nested
  data Neo4j properties cannot hold) as JSON text in the same layout the SQLite store uses.

The store is one class assembled from modules by job: ``conn`` (driver, sessions, schema), ``write`` (ingest batches,
analytics generations), ``read`` (what the API serves), ``scan`` (whole-store reads), ``tx`` (transaction work
functions), ``values`` (records <-> parameter rows), ``errors`` (driver errors into ours), ``pages`` (reads only
the web pages make), ``sessions`` (web sessions signed out before they expire). All Cypher stays in one module,
:mod:`graph.store.cypher`, as DESIGN asks.
"""

from __future__ import annotations

from graph.store.common import missing_message
from graph.store.neo4j.conn import ANALYTICS_CHUNK, DEFAULT_DRIVER_CONFIG, GC_BATCH, PENDING_GRACE
from graph.store.neo4j.errors import _translated, translate
from graph.store.neo4j.pages import Neo4jPageReads
from graph.store.neo4j.retract import Neo4jRetract
from graph.store.neo4j.scan import Neo4jScans
from graph.store.neo4j.sessions import Neo4jSessions
from graph.store.neo4j.tx import BatchRows, analytics_rows, batch_rows, run
from graph.store.neo4j.values import (
    Row,
    Tx,
    classify,
    community_from,
    community_row,
    detected_from,
    detected_row,
    endorsement_row,
    evidence_from,
    evidence_json,
    expert_from,
    expertise_row,
    from_neo,
    has_skill_row,
    health_from,
    health_row,
    influence_row,
    interaction_row,
    member_row,
    person_from,
    person_row,
    post_from,
    post_row,
    props_of,
    reports_row,
    run_from,
    run_row,
    scores_from,
    scores_row,
    skill_from,
    skill_row,
    to_param,
)
from graph.store.neo4j.write import Neo4jWrites


class Neo4jStore(Neo4jWrites, Neo4jRetract, Neo4jScans, Neo4jPageReads, Neo4jSessions):
    """GraphStore on Neo4j 5. See graph/store/base.py for the contract and this package's docstring for the design."""


__all__ = [
    "ANALYTICS_CHUNK",
    "BatchRows",
    "DEFAULT_DRIVER_CONFIG",
    "GC_BATCH",
    "Neo4jStore",
    "PENDING_GRACE",
    "Row",
    "Tx",
    "_translated",
    "analytics_rows",
    "batch_rows",
    "classify",
    "community_from",
    "community_row",
    "detected_from",
    "detected_row",
    "endorsement_row",
    "evidence_from",
    "evidence_json",
    "expert_from",
    "expertise_row",
    "from_neo",
    "has_skill_row",
    "health_from",
    "health_row",
    "influence_row",
    "interaction_row",
    "member_row",
    "missing_message",
    "person_from",
    "person_row",
    "post_from",
    "post_row",
    "props_of",
    "reports_row",
    "run",
    "run_from",
    "run_row",
    "scores_from",
    "scores_row",
    "skill_from",
    "skill_row",
    "to_param",
    "translate",
]
