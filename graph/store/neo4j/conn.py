"""Neo4j store connection: the driver, sessions, managed read/write transactions, schema, reopen."""

from __future__ import annotations

import functools
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Self

import neo4j
import neo4j.time
from neo4j import exceptions as neo_errors

from graph.store import cypher as q
from graph.store import deadline
from graph.store.common import busy_message
from graph.store.neo4j.errors import (
    _translated,
)
from graph.store.neo4j.tx import (
    run,
)
from graph.store.neo4j.values import (
    R,
    Row,
    Tx,
)
from schema.errors import ConfigError, StoreBusy, StoreUnavailable

log = logging.getLogger("graph.store.neo4j")

DEFAULT_DRIVER_CONFIG: Mapping[str, Any] = {
    "connection_timeout": 10.0,  # seconds to open a connection
    "max_transaction_retry_time": 15.0,  # how long managed write transactions retry transient failures
    "connection_acquisition_timeout": 30.0,
    # the server's notifications (an unknown label on an empty database, nulls skipped by an aggregate) are about
    # statements checked by the tests, not about the data: logged on every call they would only fill the logs
    "notifications_min_severity": "OFF",
}
# reads serve API requests (10 s budget by default): with the server down the driver would retry a refused
# connection for the whole write budget and the request would time out instead of saying STORE_UNAVAILABLE
READ_RETRY_TIME = 2.0
WRITE_MARGIN_S = 0.25  # an API write gives up waiting for locks this long before its caller's deadline
ANALYTICS_CHUNK = 5000  # rows per analytics transaction
GC_BATCH = 10000  # rows deleted per transaction when dropping an old generation
_MISSING = object()
PENDING_GRACE = timedelta(hours=24)  # a pending generation older than this is a killed run, safe to drop



class Neo4jBase:
    """The driver and transactions of the Neo4j store; its writes and reads build on these."""

    def __init__(
        self,
        driver: neo4j.Driver,
        *,
        database: str | None = None,
        url: str = "neo4j://",
        reconnect: Callable[[], neo4j.Driver] | None = None,
        create_schema: bool = True,
        analytics_chunk: int = ANALYTICS_CHUNK,
    ) -> None:
        self.url = url
        self._driver: neo4j.Driver | None = driver
        self._database = database
        self._reconnect = reconnect
        self._analytics_chunk = analytics_chunk
        self._lock = threading.Lock()
        self._memo: dict[tuple[Any, ...], Any] = {}  # see _memoised
        self._sizes: dict[str, tuple[int, int]] = {}  # community -> (members, people) when last counted
        if create_schema:
            self.ensure_schema()

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        user: str = "neo4j",
        password: str | None = None,
        database: str | None = None,
        **driver_config: Any,
    ) -> Self:
        """A store on a new driver for ``url`` (``neo4j://``, ``bolt://``, ``neo4j+s://``...), schema created."""
        config = {**DEFAULT_DRIVER_CONFIG, **driver_config}
        auth = (user, password) if password is not None else None

        def make_driver() -> neo4j.Driver:
            try:
                return neo4j.GraphDatabase.driver(url, auth=auth, **config)
            except (neo_errors.ConfigurationError, ValueError) as exc:
                raise ConfigError(f"cannot use Neo4j URL {url!r}: {exc}") from exc

        driver = make_driver()
        try:
            return cls(driver, database=database, url=url, reconnect=make_driver)
        except ValueError as exc:  # the driver's way of saying the address cannot be resolved as given
            driver.close()
            raise ConfigError(f"cannot use Neo4j URL {url!r}: {exc}") from exc
        except BaseException:
            driver.close()
            raise

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def _live_driver(self) -> neo4j.Driver:
        driver = self._driver
        if driver is None:
            raise StoreUnavailable(f"store {self.url} is closed")
        return driver

    def _session(self, **config: Any) -> neo4j.Session:
        # every session shares the driver's bookmark manager, so a read follows the writes before it even on a
        # cluster (causal consistency across sessions, not only within one)
        driver = self._live_driver()
        return driver.session(
            database=self._database, bookmark_manager=driver.execute_query_bookmark_manager, **config
        )

    def _read(self, work: Callable[[Tx], R]) -> R:
        """A managed read transaction; the server ends it at the deadline of the reads in this context, if any
        (graph/store/deadline.py: the request gave up then, and the thread is free again at once)."""
        timeout = deadline.remaining()
        if timeout is not None:
            work = neo4j.unit_of_work(timeout=timeout)(work)
        with self._session(max_transaction_retry_time=READ_RETRY_TIME) as session:
            return session.execute_read(work)

    def _read_one(self, statement: q.Statement, **params: Any) -> list[Row]:
        """One read statement as an auto-commit transaction: one round trip (RUN with PULL) where a managed read
        takes three (BEGIN, RUN with PULL, COMMIT), a quarter less of the driver's CPU per API read; one statement
        sees one snapshot either way. A transient failure is tried once more (``_read`` retries managed reads)."""
        for attempt in (1, 2):
            try:
                with self._session(default_access_mode=neo4j.READ_ACCESS) as session:
                    return run(session, statement, **params)
            except (neo_errors.TransientError, neo_errors.SessionExpired):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _write(self, work: Callable[[Tx], R], *, versioned: bool = True) -> R:
        """A managed write transaction that ends by bumping the data version (``versioned=False``: schema commands,
        which may not share a transaction with data writes, start-up upgrades and session revocations, which change no
        answer)."""

        def versioned_work(tx: Tx) -> R:
            out = work(tx)
            run(tx, q.DATA_VERSION_BUMP, rows=[{"key": q.DATA_VERSION_KEY, "start": secrets.randbits(52)}])
            return out

        todo = versioned_work if versioned else work
        until = deadline.current()
        if until is None:
            with self._session() as session:
                return session.execute_write(todo)
        # a write for a caller with a deadline (an API request) waits for locks, and retries transient failures,
        # only until just before it: then StoreBusy (nothing changed), as the SQLite store says (its _lock_wait);
        # with no time left it is still tried once (a write is never stopped by a reader's deadline)
        wait = max(0.05, until - WRITE_MARGIN_S - time.monotonic())
        try:
            with self._session(max_transaction_retry_time=wait) as session:
                return session.execute_write(neo4j.unit_of_work(timeout=wait)(todo))
        except neo_errors.Neo4jError as exc:
            # the server ended it at the deadline, waiting for a lock (or stopped it there: LockClientStopped)
            if any(mark in (exc.code or "") for mark in ("TransactionTimedOut", "LockClientStopped")):
                raise StoreBusy(busy_message(f"the write waited {wait:.1f} s: {exc}")) from exc
            raise

    @_translated
    def data_version(self) -> int:
        """A number that changes with every committed write of any process (response caches, count memos)."""
        rows = self._read_one(q.DATA_VERSION_GET)
        return int(rows[0]["version"] or 0) if rows else 0

    def _memoised(self, version: int, key: tuple[Any, ...], compute: Callable[[], tuple[int, R]]) -> R:
        """A value memoised per data version: ``compute`` returns the version it read with the value, so a write
        committed in between files the value under the newer version, never under the caller's older one.

        Why: an expert directory's total and the opted-out digest of a health report walk thousands of rows at
        100,000 people (8,452 experts of one skill, 3,000 opted-out people) while the data changes only when
        something commits.
        """
        found = self._memo.get((version, *key), _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        seen, value = compute()
        with self._lock:
            if len(self._memo) > 4096:
                self._memo.clear()
            self._memo[(seen, *key)] = value
        return value

    def _per_version(self, key: tuple[Any, ...], work: Callable[[Tx], R]) -> R:
        """A read over the whole store (every person, every membership of a community) memoised per data version:
        a request reads the version (one small round trip) and the whole value only when it moved.

        Why: the web pages' community sizes, a community's departments and the directory's facets walked 100k
        people or memberships on every page view (0.3-0.9 s each at 100,000 people). The value is read after the
        version, in the same transaction, so it is never older than the version it is filed under. Callers get
        the memoised value itself: copy before changing it.
        """

        def compute() -> tuple[int, R]:
            def both(tx: Tx) -> tuple[int, R]:
                rows = run(tx, q.DATA_VERSION_GET)
                return (int(rows[0]["version"] or 0) if rows else 0), work(tx)

            return self._read(both)

        return self._memoised(self.data_version(), key, compute)

    @_translated
    def ensure_schema(self) -> None:
        """Check the server answers, then create the constraints and indexes (idempotent: IF NOT EXISTS)."""
        self._live_driver().verify_connectivity()
        for statement in q.SCHEMA:  # schema commands may not share a transaction with other writes
            try:
                self._write(functools.partial(run, statement=statement), versioned=False)
            except neo_errors.ClientError as exc:
                # two processes starting at once may race to create the same rule; theirs is as good as ours
                if "EquivalentSchemaRuleAlreadyExists" not in (exc.code or ""):
                    raise
        name_skills = functools.partial(run, statement=q.EXPERT_IN_NAME_SKILL, limit=GC_BATCH)
        while self._write(name_skills, versioned=False)[0]["named"]:
            pass

    @_translated
    def await_indexes(self, seconds: int = 3600) -> None:
        """Wait until every index is online (they are built in the background once the schema is set up; after a
        bulk first load, over the whole organisation at once)."""
        self._read(lambda tx: run(tx, q.AWAIT_INDEXES, seconds=seconds))

    def close(self) -> None:
        with self._lock:
            driver, self._driver = self._driver, None
        if driver is not None:
            driver.close()

    def reopen(self) -> None:
        if self._reconnect is None:
            raise StoreUnavailable(f"store {self.url} was given a driver and cannot build another; open it again")
        self.close()
        driver = self._reconnect()
        with self._lock:
            self._driver = driver
        try:
            self.ensure_schema()
        except BaseException:
            self.close()
            raise

    @_translated
    def ping(self) -> None:
        # verify_connectivity fails fast (no transaction retries), which is what a readiness probe wants
        self._live_driver().verify_connectivity()
        self._read_one(q.PING)

    def __repr__(self) -> str:
        state = "closed" if self._driver is None else "open"
        return f"Neo4jStore({self.url!r}, database={self._database!r}, {state})"
