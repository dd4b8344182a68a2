"""Every exception the stores can meet (sqlite3's, the neo4j driver's) maps into our error tree.

Modelled on httpx's ``test_httpcore_all_exceptions_mapped``: the exception classes are enumerated from the modules
themselves, so a class a new driver version adds fails here until it is mapped. Then real faults on a real file:
a corrupt or truncated database and a lock held past the busy timeout are StoreUnavailable (store faults the
operator can act on), a constraint violation is StoreError.
"""

from __future__ import annotations

import inspect
import sqlite3
from pathlib import Path
from types import ModuleType

import neo4j.exceptions
import pytest

from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from graph.store.sqlite import errors as sqlite_errors
from schema.errors import StoreBusy, StoreError, StoreTimeout, StoreUnavailable
from schema.models import Person
from tests.factories import small_org

# SQLite's primary result codes (https://sqlite.org/rescode.html); extended codes are these names plus a suffix
PRIMARY = (
    "ERROR", "INTERNAL", "PERM", "ABORT", "BUSY", "LOCKED", "NOMEM", "READONLY", "INTERRUPT", "IOERR", "CORRUPT",
    "NOTFOUND", "FULL", "CANTOPEN", "PROTOCOL", "EMPTY", "SCHEMA", "TOOBIG", "CONSTRAINT", "MISMATCH", "MISUSE",
    "NOLFS", "AUTH", "FORMAT", "RANGE", "NOTADB", "NOTICE", "WARNING",
)
STORE_FAULTS = {"BUSY", "LOCKED", "NOMEM", "READONLY", "IOERR", "CORRUPT", "FULL", "CANTOPEN",
                "PROTOCOL", "NOLFS", "AUTH", "NOTADB", "PERM"}


def exception_classes(module: ModuleType) -> list[type[BaseException]]:
    return sorted(
        (c for c in vars(module).values() if inspect.isclass(c) and issubclass(c, BaseException)
         and c.__module__.split(".")[0] == module.__name__.split(".")[0]),
        key=lambda c: c.__name__,
    )


def result_codes() -> dict[str, int]:
    """Every result code sqlite3 exposes, primary and extended, by name (authorizer and limit constants left out)."""
    return {
        name: getattr(sqlite3, name)
        for name in dir(sqlite3)
        if name.startswith("SQLITE_") and name.removeprefix("SQLITE_").split("_")[0] in PRIMARY
    }


def raised_by_store(exc: BaseException, store_closed: bool = False) -> BaseException:
    """What a store method raises when sqlite3 raises ``exc`` inside it."""

    class Fake:
        _closed = store_closed

        @sqlite_errors.translated
        def method(self) -> None:
            raise exc

    try:
        Fake().method()
    except BaseException as exc:  # noqa: BLE001 - whatever escapes is what we check
        return exc
    raise AssertionError("nothing was raised")


SQLITE_CLASSES = exception_classes(sqlite3)


def test_the_sqlite3_module_has_the_classes_we_expect() -> None:
    # guards the enumeration itself: if it found nothing the tests below would pass vacuously
    assert {c.__name__ for c in SQLITE_CLASSES} >= {
        "Error", "Warning", "InterfaceError", "DatabaseError", "DataError", "OperationalError", "IntegrityError",
        "InternalError", "ProgrammingError", "NotSupportedError",
    }
    assert len(result_codes()) > 60


@pytest.mark.parametrize("cls", SQLITE_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_every_sqlite3_exception_class_maps(cls: type[BaseException], closed: bool) -> None:
    exc = raised_by_store(cls("boom"), store_closed=closed)
    assert isinstance(exc, StoreError), f"sqlite3.{cls.__name__} escaped as {type(exc).__name__}"
    assert isinstance(exc.__cause__, cls)
    # without a result code only our own state decides: a closed store is unavailable
    assert isinstance(exc, StoreUnavailable) == closed


@pytest.mark.parametrize(("name", "code"), sorted(result_codes().items()))
def test_every_sqlite_result_code_maps_by_code(name: str, code: int) -> None:
    for cls in (sqlite3.OperationalError, sqlite3.DatabaseError, sqlite3.IntegrityError):
        err = cls("a message that says nothing useful")
        err.sqlite_errorcode = code  # type: ignore[attr-defined]
        err.sqlite_errorname = name  # type: ignore[attr-defined]
        exc = raised_by_store(err)
        assert isinstance(exc, StoreError)
        fault = name.removeprefix("SQLITE_").split("_")[0] in STORE_FAULTS
        assert isinstance(exc, StoreUnavailable) == fault, f"{name} ({code}) as {type(exc).__name__}"
        # only the deadline's progress handler interrupts a statement: the request's timeout, not a store fault
        assert isinstance(exc, StoreTimeout) == (code & 0xFF == sqlite3.SQLITE_INTERRUPT)
        # another connection's write lock: the store is fine and serves reads, so it is never marked down for it
        assert isinstance(exc, StoreBusy) == (code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))


def test_the_message_text_does_not_decide() -> None:
    err = sqlite3.OperationalError("database is locked")  # an old marker, but the code says: an error in SQL
    err.sqlite_errorcode = sqlite3.SQLITE_ERROR  # type: ignore[attr-defined]
    exc = raised_by_store(err)
    assert type(exc) is StoreError


NEO4J_CLASSES = exception_classes(neo4j.exceptions)


def make_neo4j_error(cls: type[BaseException]) -> BaseException:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    needs = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    return cls(*([None] * len(needs)), "boom")


def test_the_neo4j_driver_has_the_classes_we_expect() -> None:
    assert {c.__name__ for c in NEO4J_CLASSES} >= {
        "Neo4jError", "DriverError", "ServiceUnavailable", "SessionExpired", "TransientError", "ClientError",
        "ConstraintError", "AuthError", "ConfigurationError", "ConnectionPoolError", "ResultConsumedError",
    }


@pytest.mark.parametrize("cls", NEO4J_CLASSES, ids=lambda c: c.__name__)
def test_every_neo4j_driver_exception_class_maps(cls: type[BaseException]) -> None:
    from graph.store.neo4j import _translated, translate

    exc = make_neo4j_error(cls)
    assert isinstance(translate(exc), StoreError)  # type: ignore[arg-type]

    @_translated
    def method() -> None:
        raise exc

    with pytest.raises(StoreError) as info:
        method()
    assert info.value.__cause__ is exc


@pytest.mark.parametrize(
    "cls",
    [neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.SessionExpired, neo4j.exceptions.TransientError,
     neo4j.exceptions.DatabaseUnavailable, neo4j.exceptions.AuthError, neo4j.exceptions.IncompleteCommit],
    ids=lambda c: c.__name__,
)
def test_neo4j_outages_are_store_unavailable(cls: type[BaseException]) -> None:
    from graph.store.neo4j import translate

    found = translate(make_neo4j_error(cls))  # type: ignore[arg-type]
    assert isinstance(found, StoreUnavailable)
    assert not isinstance(found, StoreBusy)


@pytest.mark.parametrize("code", ["Neo.TransientError.Transaction.LockAcquisitionTimeout",
                                  "Neo.TransientError.Transaction.DeadlockDetected"])
def test_neo4j_lock_conflicts_are_busy_not_an_outage(code: str) -> None:
    from graph.store.neo4j import translate

    error = neo4j.exceptions.Neo4jError._hydrate_neo4j(code=code, message="held by another transaction")
    assert isinstance(error, neo4j.exceptions.TransientError)
    found = translate(error)
    assert isinstance(found, StoreBusy)
    assert "try again in a moment" in str(found)
    unavailable = neo4j.exceptions.Neo4jError._hydrate_neo4j(code="Neo.TransientError.General.DatabaseUnavailable",
                                                             message="starting")
    assert not isinstance(translate(unavailable), StoreBusy)


# --- real faults on a real file ------------------------------------------------------------------------------------


def populated(path: Path) -> None:
    store = SQLiteStore(path)
    store.write_batch(small_org())
    filler = [Person(id=f"hris:filler-{i:05d}", name="x" * 200, source="hris") for i in range(3000)]
    store.write_batch(Batch(people=filler))  # enough pages that scrambling them hits the tables
    store.close()  # the last connection closing checkpoints the WAL into the file


def read_everything(path: Path) -> None:
    store = SQLiteStore(path)
    try:
        store.read_projection()
        store.dump()
    finally:
        store.close()


def test_a_corrupt_database_is_unavailable_not_internal(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    populated(path)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 20 * page
    for offset in range(2 * page, len(data) - page, page):  # keep the header page, scramble every other one
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))
    with pytest.raises(StoreUnavailable) as info:
        read_everything(path)
    cause = info.value.__cause__
    assert isinstance(cause, sqlite3.DatabaseError)
    assert sqlite_errors.primary_code(cause) in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def test_a_truncated_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "truncated.db"
    populated(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreUnavailable):
        read_everything(path)


def test_a_lock_held_past_the_busy_timeout_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = SQLiteStore(path, busy_timeout_s=0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the busy timeout
    try:
        with pytest.raises(StoreBusy) as info:  # a StoreUnavailable (retry later), never the store marked down
            store.write_batch(small_org())
        assert sqlite_errors.primary_code(info.value.__cause__) == sqlite3.SQLITE_BUSY  # type: ignore[arg-type]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.write_batch(small_org())  # and the store works again once the lock is gone
    assert store.counts()["people"] == len(small_org().people)
    store.close()


def test_a_real_constraint_violation_is_a_store_error(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "c.db")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")

    class Fake:
        _closed = False

        @sqlite_errors.translated
        def insert_twice(self) -> None:
            conn.executemany("INSERT INTO t VALUES (?)", [("a",), ("a",)])

    with pytest.raises(StoreError, match="constraint violated") as info:
        Fake().insert_twice()
    assert not isinstance(info.value, StoreUnavailable)
    conn.close()
