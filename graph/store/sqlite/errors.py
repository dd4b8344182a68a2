"""sqlite3 errors into the whoknows error tree, by SQLite's result code rather than by message text.

Why codes: messages change between SQLite versions and locales of the wording; ``sqlite_errorcode`` (Python 3.11+)
is SQLite's stable extended result code, whose low byte is the primary code (https://sqlite.org/rescode.html).

- A store fault (the file is missing, unreadable, full, corrupt, not a database,
  read-only, or the connection was closed under us) is :class:`StoreUnavailable`: the operator can act on it and a
  later call may succeed. A corrupt or truncated file is one of these, not an internal error.
- A write lock held by another connection past the time the caller could wait (``SQLITE_BUSY``, ``SQLITE_LOCKED``)
  is :class:`StoreBusy`: the store is fine and serves reads meanwhile (WAL), so it is never marked down for it.
- An interrupted statement is :class:`StoreTimeout`: only the store's progress handler interrupts, at the deadline
  of the request that asked for the read (graph/store/deadline.py). The store is fine; the request took too long.
- A refused statement (a constraint, a mismatch, an error in our SQL) is :class:`StoreError`.
- Exceptions sqlite3 raises without a result code (``InterfaceError``, ``ProgrammingError``, ``Warning``...) are
  mapped by class: misuse of a connection the store already closed is StoreUnavailable, anything else StoreError.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from graph.store.common import busy_message
from schema.errors import StoreBusy, StoreError, StoreTimeout, StoreUnavailable

P = ParamSpec("P")
R = TypeVar("R")

# primary result codes that mean "another writer holds the lock": the store is fine, this write could not wait
BUSY_CODES: frozenset[int] = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# primary result codes (low byte of the extended code) that mean "the store cannot serve now"
UNAVAILABLE_CODES: frozenset[int] = frozenset(
    {
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,  # read-only file or directory, moved database
        sqlite3.SQLITE_IOERR,  # disk I/O error (and every IOERR_* extended code)
        sqlite3.SQLITE_CORRUPT,  # "database disk image is malformed"
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,  # WAL locking protocol failure
        sqlite3.SQLITE_NOLFS,
        sqlite3.SQLITE_AUTH,
        sqlite3.SQLITE_NOTADB,  # "file is not a database" (truncated or overwritten)
        sqlite3.SQLITE_PERM,
    }
)
CONSTRAINT_CODE = sqlite3.SQLITE_CONSTRAINT


SQLITE_ERRORS = (sqlite3.Error, sqlite3.Warning)  # every exception sqlite3 raises (Warning is not an Error)


def primary_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of ``exc`` (low byte of the extended code), or None when it carries none."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def translate(exc: sqlite3.Error | sqlite3.Warning, *, closed: bool = False) -> StoreError:
    """The whoknows error for one sqlite3 error; ``closed``: the store had been closed when it was raised."""
    code = primary_code(exc)
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    if code is None:
        if closed:
            return StoreUnavailable(f"sqlite store unavailable ({name}): {exc}")
        return StoreError(f"sqlite error ({name}): {exc}")
    if code == sqlite3.SQLITE_INTERRUPT:
        return StoreTimeout(f"the read was stopped at its caller's deadline ({name})")
    if code in BUSY_CODES:
        return StoreBusy(busy_message(f"{name}: {exc}"))
    if code in UNAVAILABLE_CODES:
        return StoreUnavailable(f"sqlite store unavailable ({name}): {exc}")
    if code == CONSTRAINT_CODE:
        return StoreError(f"constraint violated ({name}): {exc}")
    return StoreError(f"sqlite error ({name}): {exc}")


def translated(fn: Callable[P, R]) -> Callable[P, R]:
    """Store methods raise only the whoknows error tree (the first argument is the store, for its closed flag)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except SQLITE_ERRORS as exc:
            closed = bool(getattr(args[0], "_closed", False)) if args else False
            raise translate(exc, closed=closed) from exc

    return wrapper
