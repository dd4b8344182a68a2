"""Neo4j driver errors into the whoknows error tree."""

from __future__ import annotations

import functools
from collections.abc import Callable

from neo4j import exceptions as neo_errors

from graph.store.common import busy_message
from graph.store.neo4j.values import (
    P,
    R,
)
from schema.errors import StoreBusy, StoreError, StoreTimeout, StoreUnavailable, WhoknowsError

# --- errors ---------------------------------------------------------------------------------------------------------

# the last part of the transient codes that mean "another transaction holds a lock this one needs"
# (Neo.TransientError.Transaction.*): the server is fine, the write could not wait (StoreBusy, never marked down)
LOCKS = frozenset({"LockAcquisitionTimeout", "DeadlockDetected"})


def translate(exc: Exception) -> StoreError:
    """The whoknows error for a driver error: StoreUnavailable when retrying later may succeed, else StoreError."""
    if "TransactionTimedOut" in (getattr(exc, "code", None) or ""):
        # the server ended a read at its caller's deadline (graph/store/deadline.py): the request took too long,
        # the store is fine (Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration on Neo4j 5)
        return StoreTimeout(f"the read was stopped at its caller's deadline: {exc}")
    if isinstance(exc, neo_errors.AuthError):  # a ClientError subclass: test it first
        return StoreUnavailable(f"Neo4j refused the credentials: {exc}")
    if isinstance(exc, neo_errors.ServiceUnavailable | neo_errors.SessionExpired):
        return StoreUnavailable(f"Neo4j is unreachable: {exc}")
    if isinstance(exc, neo_errors.TransientError) and (getattr(exc, "code", None) or "").rsplit(".", 1)[-1] in LOCKS:
        # another transaction holds the locks this write needs (an ingest, an analysis run): the server is fine
        return StoreBusy(busy_message(str(exc)))
    if isinstance(exc, neo_errors.TransientError):
        return StoreUnavailable(f"Neo4j is busy or unavailable (transient failure outlived the retries): {exc}")
    if isinstance(exc, neo_errors.ConstraintError):
        return StoreError(f"constraint violated: {exc}")
    if isinstance(exc, neo_errors.Neo4jError):  # ClientError, DatabaseError
        return StoreError(f"Neo4j refused the statement: {exc}")
    if isinstance(exc, neo_errors.ConfigurationError):
        return StoreError(f"Neo4j driver configuration: {exc}")
    if isinstance(exc, neo_errors.ConnectionPoolError) or (
        isinstance(exc, neo_errors.DriverError) and "closed" in str(exc).lower()
    ):
        return StoreUnavailable(f"Neo4j connection unavailable: {exc}")
    return StoreError(f"Neo4j driver error: {exc}")


# GqlError (driver 5.26+) is the base of both and is also raised on its own; every neo4j.exceptions class is a
# subclass of one of these (tests/unit/test_store_errors.py enumerates them)
_DRIVER_ERRORS: tuple[type[Exception], ...] = tuple(
    getattr(neo_errors, name) for name in ("GqlError", "Neo4jError", "DriverError") if hasattr(neo_errors, name)
)
_CLEANUP_ERRORS: tuple[type[Exception], ...] = (WhoknowsError, *_DRIVER_ERRORS)


def _translated(fn: Callable[P, R]) -> Callable[P, R]:
    """Public store methods raise only the whoknows error tree."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except _DRIVER_ERRORS as exc:
            raise translate(exc) from exc

    return wrapper
