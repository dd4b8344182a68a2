"""Neo4j store: web sessions signed out before they expire (graph/store/sessions.py), one keyed node per key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graph.store import cypher as q
from graph.store.neo4j.conn import Neo4jBase
from graph.store.neo4j.errors import _translated
from graph.store.neo4j.tx import run
from graph.store.neo4j.values import Tx, to_param
from graph.store.sessions import PRUNE_BATCH, Revocation


class Neo4jSessions(Neo4jBase):
    """Session revocations: written without a data-version bump (they change no answer)."""

    @_translated
    def revoke_session(self, revocation: Revocation, now: datetime) -> int:
        row = {"key": revocation.key, "issued_before": to_param(revocation.issued_before),
               "until": to_param(revocation.until)}

        def work(tx: Tx) -> int:  # the revocation and the pruning in one transaction
            run(tx, q.SESSION_REVOKE, rows=[row])
            done = run(tx, q.SESSION_REVOCATIONS_PRUNE, now=to_param(now), limit=PRUNE_BATCH)
            return int(done[0]["deleted"]) if done else 0

        return self._write(work, versioned=False)

    @_translated
    def session_revoked(self, keys: Sequence[str], issued_at: datetime, now: datetime) -> bool:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return False
        rows = self._read_one(q.SESSION_REVOKED, keys=wanted, issued_at=to_param(issued_at), now=to_param(now))
        return bool(rows) and int(rows[0]["revoked"]) > 0


__all__ = ["Neo4jSessions"]
