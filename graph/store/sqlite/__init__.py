"""The embedded graph store: one SQLite file in WAL mode (stdlib ``sqlite3``).

Why SQLite: a single file that an API process and an ingest or analytics process can use at once (WAL gives
readers a consistent snapshot while one writer commits), no server to run, real enough for tests.

Concurrency: each thread gets its own connection; writes are serialised by a lock in-process and by SQLite's
write lock across processes (``BEGIN IMMEDIATE`` with a busy timeout). Every batch and every analytics snapshot is
one transaction, so readers see all of it or none of it.

The store is one class assembled from modules by job: ``conn`` (connections, migrations, transactions, meta),
``write`` (upserts, analytics snapshots), ``read`` (what the API serves), ``scan`` (whole-store reads), ``rows``
(record <-> row conversion, error translation), ``paths`` (the introduction-path search),
``pages`` (reads only the web pages make), ``sessions`` (web sessions signed out before they expire).
"""

from __future__ import annotations

from graph.store.sqlite.pages import SQLitePageReads
from graph.store.sqlite.retract import SQLiteRetract
from graph.store.sqlite.scan import SQLiteScans
from graph.store.sqlite.sessions import SQLiteSessions
from graph.store.sqlite.write import SQLiteWrites


class SQLiteStore(SQLiteWrites, SQLiteRetract, SQLiteScans, SQLitePageReads, SQLiteSessions):
    """GraphStore on one SQLite file. See graph/store/base.py for the contract."""


__all__ = ["SQLiteStore"]
