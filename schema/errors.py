"""One error tree for the whole project.

Lower layers translate what they catch (sqlite3, the neo4j driver, XML and JSON parsers) into these with
``raise ... from exc`` so callers handle one family; the CLI maps them to exit codes, the API to
``extensions.code``.
"""

from __future__ import annotations


class WhoknowsError(Exception):
    """Root of every error whoknows raises on purpose."""

    code = "INTERNAL"


class ConfigError(WhoknowsError):
    """Settings are missing, malformed or unsafe (e.g. a placeholder secret outside development)."""

    code = "CONFIG"


class SchemaError(WhoknowsError, ValueError):
    """A value does not fit the graph model (bad id, bad skill name, invalid record)."""

    code = "BAD_USER_INPUT"


class StoreError(WhoknowsError):
    """The store refused an operation (constraint violated, incompatible schema version...)."""

    code = "STORE_ERROR"


class BadStoreURL(ConfigError, StoreError):
    """A store URL that names no store it could open (``sqlite://``, ``sqlite:///:memory:``): configuration to fix,
    not an outage to wait out (the command line exits 2 for it, not 3)."""

    code = "CONFIG"


class StoreUnavailable(StoreError):
    """The store is closed, unreachable or not answering; retrying later may succeed."""

    code = "STORE_UNAVAILABLE"


class StoreBusy(StoreUnavailable):
    """Another writer (an ingest or analysis run, another process) holds the store's write lock past the time this
    write could wait: nothing was changed, and trying again in a moment will likely succeed.

    A StoreUnavailable for callers that only know "retry later" (the command line's exit code 3), but never a reason
    to mark the store down: reads go on meanwhile (SQLite's WAL, Neo4j's MVCC)."""

    code = "STORE_BUSY"


class StoreTimeout(StoreError):
    """A read stopped at its caller's deadline (graph/store/deadline.py): the request took too long, the store is
    fine. Never a reason to mark the store unavailable."""

    code = "TIMEOUT"


class NotFound(WhoknowsError):
    code = "NOT_FOUND"


class BadInput(WhoknowsError, ValueError):
    """A caller's argument is invalid (bad cursor, page size over the limit...)."""

    code = "BAD_USER_INPUT"


class AuthError(WhoknowsError):
    """No or invalid credentials."""

    code = "UNAUTHENTICATED"


class Forbidden(WhoknowsError):
    """Valid credentials whose role does not allow the request."""

    code = "FORBIDDEN"


class IngestError(WhoknowsError):
    """Input that cannot be read at all, or a rejected row; always names the file, the row and the reason."""

    code = "BAD_INPUT_FILE"

    def __init__(self, file: str, reason: str, row: int | None = None) -> None:
        self.file = str(file)
        self.row = row
        self.reason = reason
        where = f"{self.file}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {reason}")


class UnreadableInput(IngestError):
    """The whole file cannot be used (missing, empty, wrong encoding, unknown format, truncated)."""


class RejectedRow(IngestError):
    """One row or record is bad; the rest of the file still loads."""


__all__ = [
    "AuthError",
    "BadInput",
    "BadStoreURL",
    "ConfigError",
    "Forbidden",
    "IngestError",
    "NotFound",
    "RejectedRow",
    "SchemaError",
    "StoreBusy",
    "StoreError",
    "StoreTimeout",
    "StoreUnavailable",
    "UnreadableInput",
    "WhoknowsError",
]
