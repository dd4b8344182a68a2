"""SQLite store connections: one per thread, schema migration, read/write transactions, meta values."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from graph.store import deadline
from graph.store.common import busy_message
from graph.store.sqlite.errors import translated
from graph.store.sqlite_schema import LATEST, MIGRATIONS
from schema.errors import BadStoreURL, StoreBusy, StoreError, StoreUnavailable

T = TypeVar("T")
_MISSING = object()
# SQLite virtual-machine steps between two checks of a read's deadline (about 15 ms of a simple statement's work).
# Each check is a Python call, so it waits for the GIL: with a Python thread busy beside it and the API's 1 ms switch
# interval, a 2-million-row count took 4.8 times as long checking every 10,000 steps, 7 % longer every 100,000 and
# no longer (within noise) every million, where a read stops some 20-40 ms past its deadline.
PROGRESS_STEPS = 1_000_000
# a write made for a caller with a deadline (an API request) stops waiting for the write lock this long before it,
# so the caller hears STORE_BUSY from the store (nothing changed) rather than giving up while the write may still
# commit behind its back
WRITE_MARGIN_S = 0.25


class SQLiteBase:
    """Connections and transactions of the SQLite store; its writes and reads build on these."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{path}"
        self._busy_timeout_s = busy_timeout_s
        self._write_lock = threading.RLock()
        self._state_lock = threading.Lock()
        self._local = threading.local()
        self._conns: dict[sqlite3.Connection, threading.Thread] = {}  # every open connection, by the thread using it
        self._generation = 0
        self._closed = True
        # ids of nodes known to exist (committed); nodes are never deleted, so this only grows
        self._known: dict[str, set[str]] = {"person": set(), "community": set()}
        self._pending: dict[str, set[str]] = {"person": set(), "community": set()}
        self._memo: dict[tuple[Any, ...], Any] = {}  # see _per_version
        self._opener: sqlite3.Connection | None = None  # the connection the last open migrated with
        self._open()

    @classmethod
    def from_url(cls, url: str) -> Self:
        prefix = "sqlite:///"
        if not url.startswith(prefix) or len(url) == len(prefix):
            raise BadStoreURL(f"not a sqlite store URL: {url!r} (use sqlite:///path/to/whoknows.db)")
        path = url[len(prefix) :]
        if path == ":memory:":
            raise BadStoreURL("the embedded store needs a file (several connections share it), not :memory:")
        return cls(path)

    # --- lifecycle ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        # connections of threads that have ended: nothing steps on them, and each holds file descriptors (an ingest's
        # writer thread opens one per run, so a manifest of 500 steps in one process ran out of descriptors)
        with self._state_lock:
            gone = [conn for conn, thread in self._conns.items() if not thread.is_alive() and conn is not self._opener]
        for conn in gone:
            self._retire(conn)
        if not self.path.parent.is_dir():
            raise StoreUnavailable(f"cannot open {self.path}: directory {self.path.parent} does not exist")
        try:
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache per connection, at most
            conn.execute("PRAGMA wal_autocheckpoint=20000")  # fewer, larger checkpoints during bulk loads
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc
        with self._state_lock:
            self._conns[conn] = threading.current_thread()
        return conn

    def _open(self) -> None:
        conn = self._connect()
        try:
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        with self._state_lock:
            self._closed = False
            before, self._opener = self._opener, conn
        if before is not None:  # the previous open's: no thread reads on it, so a reopen need not keep it
            self._retire(before)

    @translated
    def _migrate(self, conn: sqlite3.Connection) -> None:
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > LATEST:
                    raise StoreError(
                        f"{self.path} has schema version {version}, newer than this whoknows supports ({LATEST})"
                    )
                for number in range(version, LATEST):
                    for statement in _statements(MIGRATIONS[number]):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def _conn(self, *, interruptible: bool = True) -> sqlite3.Connection:
        """This thread's connection, its statements stopped at the deadline of the reads in this context (if any,
        see graph/store/deadline.py; StoreTimeout when it has passed). ``interruptible=False``: writes, never
        stopped half-way by a reader's deadline."""
        local = self._local
        stale = getattr(local, "conn", None)
        if self._closed or stale is None or local.generation != self._generation:
            if stale is not None:  # this thread's own connection of before a reopen or a close: nobody else reads on it
                local.conn = None
                self._retire(stale)
            if self._closed:
                raise StoreUnavailable(f"store {self.url} is closed")
            local.conn = self._connect()
            local.generation = self._generation
            local.deadline = None
        conn: sqlite3.Connection = local.conn
        until = deadline.current() if interruptible else None
        if until != local.deadline:  # the connection serves one caller at a time: the handler is that caller's
            if until is None:
                conn.set_progress_handler(None, 0)
            else:
                conn.set_progress_handler(lambda: time.monotonic() > until, PROGRESS_STEPS)
            local.deadline = until
        if until is not None:
            deadline.remaining()  # StoreTimeout before a read starts that would only be interrupted
        return conn

    def close(self) -> None:
        """Close the store: later calls raise StoreUnavailable.

        The connections of this thread, of threads that have ended and of the last open are closed now. Another
        live thread's is not: it may be stepping a statement (a read a timed-out page left running, an analytics
        run at shutdown), and closing it under that statement crashes the interpreter, as :meth:`reopen` found.
        That thread closes it when it next asks for a connection, or it goes with the thread.
        """
        me = threading.current_thread()
        with self._state_lock:
            self._closed = True
            self._generation += 1
            idle = [conn for conn, thread in self._conns.items()
                    if thread is me or not thread.is_alive() or conn is self._opener]
            self._opener = None
            for known in self._known.values():
                known.clear()
        for conn in idle:
            self._retire(conn)

    def reopen(self) -> None:
        """Open the file afresh (after a fault): every thread's next call gets a new connection.

        The connections other threads hold are not closed here: one of them may be stepping a statement right now,
        and closing a connection under another thread's statement crashes CPython's sqlite3 (a segmentation fault
        that took the whole server down when a transient fault made the API reopen the store under load). Each
        thread closes its own old connection the next time it asks for one; :meth:`close` still closes them all.
        """
        with self._state_lock:
            self._generation += 1
            for known in self._known.values():
                known.clear()
            gone = [conn for conn, thread in self._conns.items() if not thread.is_alive()]
        for conn in gone:  # a thread that has ended reads on nothing
            self._retire(conn)
        self._open()

    def _retire(self, conn: sqlite3.Connection) -> None:
        """Close a connection nobody can be stepping: this thread's own of before a reopen, an ended thread's, or
        the previous open's."""
        with self._state_lock:
            self._conns.pop(conn, None)
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    @translated
    def data_version(self) -> int:
        """A number that changes whenever any process commits a write to this file (for response caches).

        Every write transaction increments it before committing, so it is comparable across connections and
        processes, unlike SQLite's per-connection ``PRAGMA data_version``.
        """
        return _version(self._conn())

    @translated
    def ping(self) -> None:
        self._conn().execute("SELECT count(*) FROM meta").fetchone()

    def _lock_wait(self) -> float | None:
        """Seconds a write may wait for the write lock: up to just before its caller's deadline (StoreBusy then),
        never past the busy timeout; None without a deadline (the CLI, ingest, analytics: the busy timeout).

        Why: a request that hid a person waited the whole 30 s busy timeout behind an ingest in another process,
        then answered STORE_UNAVAILABLE and marked the store down for every reader."""
        until = deadline.current()
        if until is None:
            return None
        # none left: the lock is still taken if it is free (a write is never stopped by a reader's deadline)
        return max(0.0, min(self._busy_timeout_s, until - WRITE_MARGIN_S - time.monotonic()))

    @contextmanager
    def _locked(self, conn: sqlite3.Connection) -> Iterator[None]:
        """This process's write lock, then SQLite's (``BEGIN IMMEDIATE``), each waited for at most
        :meth:`_lock_wait`; StoreBusy when another writer keeps either past it."""
        wait = self._lock_wait()
        if not self._write_lock.acquire(timeout=-1 if wait is None else wait):
            raise StoreBusy(busy_message("another write of this process holds the lock"))
        try:
            wait = self._lock_wait()
            if wait is not None:
                conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            finally:
                if wait is not None:
                    conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
            yield
        finally:
            self._write_lock.release()

    @contextmanager
    def _write(self, *, versioned: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction that ends by bumping the data version (``versioned=False``: a write that changes no
        answer, such as a session's revocation, so every cached answer stays warm)."""
        conn = self._conn(interruptible=False)
        with self._locked(conn):
            try:
                yield conn
                if versioned:
                    conn.execute(_BUMP_VERSION)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                for table, ids in self._pending.items():
                    self._known[table] |= ids
            finally:
                for ids in self._pending.values():
                    ids.clear()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction, so multi-statement reads see one snapshot."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    # --- meta -------------------------------------------------------------------------------------------

    def _set_meta(self, conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @translated
    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @translated
    def set_meta(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            self._set_meta(conn, key, value)

    def _opted_out_ids(self, conn: sqlite3.Connection) -> tuple[str, ...]:
        """Who is opted out now, memoised per committed-data version and read in the caller's snapshot.

        Why: every health read compares it with the run's digest, and it is a scan of all people (~45 ms at 100k).
        """
        return self._per_version(conn, ("opted_out",), lambda: tuple(
            r[0] for r in conn.execute("SELECT id FROM person WHERE opted_out = 1")))

    def _per_version(self, conn: sqlite3.Connection, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """A value memoised per committed-data version, read in the caller's snapshot (``conn`` inside
        ``self._read()``), so it is always exact. Callers get the memoised value itself: copy before changing it.

        Why: totals such as an expert directory's count join every match (8,000 index probes, ~25 ms, for the
        largest skill of a 100k-person organisation), and the web pages' community sizes (805 ms), a community's
        departments (201 ms) and the directory's facets (155 ms) join every membership or person, while the data
        changes only when something commits.
        """
        memo_key = (_version(conn), *key)
        found = self._memo.get(memo_key, _MISSING)
        if found is _MISSING:
            found = compute()
            with self._state_lock:
                if len(self._memo) > 4096:
                    self._memo.clear()
                self._memo[memo_key] = found
        return found  # type: ignore[no-any-return]

    def _memo_count(self, conn: sqlite3.Connection, key: tuple[Any, ...], sql: str, params: Sequence[Any]) -> int:
        """``count(*)`` of ``sql`` memoised per data version (see :meth:`_per_version`)."""
        return self._per_version(conn, key, lambda: int(conn.execute(sql, params).fetchone()[0]))


def _version(conn: sqlite3.Connection) -> int:
    """The committed-data version as ``conn`` sees it (within a read transaction: that snapshot's)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return 0 if row is None else int(row[0])


_BUMP_VERSION = (
    "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our DDL literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]
