"""Web sessions signed out before they expire (graph/store/sessions.py): one ``SessionRevocation`` node per key (a
session id or a subject), found by its uniqueness constraint on every page request, pruned by its ``until`` index.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import REVOCATION, _read, _write

# a key revoked again keeps the later of both times (a second "sign out everywhere" never shortens the first)
SESSION_REVOKE = _write(
    "SESSION_REVOKE",
    f"""
    UNWIND $rows AS row
    MERGE (r:{REVOCATION} {{key: row.key}})
    SET r.issued_before = CASE WHEN r.issued_before IS NULL OR r.issued_before < row.issued_before
                               THEN row.issued_before ELSE r.issued_before END,
        r.until = CASE WHEN r.until IS NULL OR r.until < row.until THEN row.until ELSE r.until END
    """,
    rows="LIST<MAP>",
)
SESSION_REVOCATIONS_PRUNE = _write(
    "SESSION_REVOCATIONS_PRUNE",
    f"""
    MATCH (r:{REVOCATION}) WHERE r.until <= $now
    WITH r LIMIT $limit
    DELETE r
    RETURN count(*) AS deleted
    """,
    now="DATETIME",
    limit="INTEGER",
)
SESSION_REVOKED = _read(
    "SESSION_REVOKED",
    f"""
    UNWIND $keys AS key
    MATCH (r:{REVOCATION} {{key: key}})
    WHERE r.issued_before > $issued_at AND r.until > $now
    RETURN count(r) AS revoked
    """,
    keys="LIST<STRING>",
    issued_at="DATETIME",
    now="DATETIME",
)
