"""SQLite store: web sessions signed out before they expire (graph/store/sessions.py), one indexed row per key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graph.store.common import utc_text
from graph.store.sessions import PRUNE_BATCH, Revocation
from graph.store.sqlite.conn import SQLiteBase
from graph.store.sqlite.errors import translated
from graph.store.sqlite.rows import _marks


class SQLiteSessions(SQLiteBase):
    """Session revocations: written without a data-version bump (they change no answer)."""

    @translated
    def revoke_session(self, revocation: Revocation, now: datetime) -> int:
        with self._write(versioned=False) as conn:
            conn.execute(
                "INSERT INTO session_revocation (key, issued_before, until) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET issued_before = max(issued_before, excluded.issued_before), "
                "until = max(until, excluded.until)",
                (revocation.key, utc_text(revocation.issued_before), utc_text(revocation.until)),
            )
            pruned = conn.execute(
                "DELETE FROM session_revocation WHERE key IN "
                "(SELECT key FROM session_revocation WHERE until <= ? LIMIT ?)",
                (utc_text(now), PRUNE_BATCH),
            )
            return int(pruned.rowcount)

    @translated
    def session_revoked(self, keys: Sequence[str], issued_at: datetime, now: datetime) -> bool:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return False
        row = self._conn().execute(
            f"SELECT 1 FROM session_revocation WHERE key IN ({_marks(len(wanted))}) "
            "AND issued_before > ? AND until > ? LIMIT 1",
            (*wanted, utc_text(issued_at), utc_text(now)),
        ).fetchone()
        return row is not None


__all__ = ["SQLiteSessions"]
