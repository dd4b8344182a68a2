"""A real SQLite store with a genuinely slow read, for the tests of read deadlines (graph/store/deadline.py).

Not a sleep: ``time.sleep`` in a wrapper (tests/api/test_hardening.py ``SlowStore``) cannot be stopped by anything,
while a store read that spends its time inside SQLite can. ``ExpensiveStore.experts`` first runs a statement that
counts to ``steps`` (a recursive CTE: about 4 million rows a second of SQLite's work, on the store's own connection
and inside its read transaction), then answers the real ``experts`` read.
"""

from __future__ import annotations

from typing import Any

from graph.store import base
from graph.store.sqlite import SQLiteStore
from graph.store.sqlite.errors import translated

COUNT_TO = "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ?) SELECT count(*) FROM c"
# about a minute of SQLite's work: a read that is not stopped holds its worker far past any test's patience
MINUTE_OF_STEPS = 250_000_000


class ExpensiveStore(SQLiteStore):
    """An SQLite store whose ``experts`` read is expensive: ``steps`` rows counted before the real read."""

    steps = MINUTE_OF_STEPS
    counted: int | None = None  # what the last expensive statement that finished counted

    @translated
    def experts(self, *args: Any, **kwargs: Any) -> base.Page[base.ExpertHit]:
        with self._read() as conn:
            self.counted = int(conn.execute(COUNT_TO, (self.steps,)).fetchone()[0])
        return super().experts(*args, **kwargs)


__all__ = ["COUNT_TO", "MINUTE_OF_STEPS", "ExpensiveStore"]
