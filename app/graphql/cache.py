"""A short-lived cache of whole GraphQL responses, for the read-mostly hot path.

Why: executing a GraphQL document costs far more than most store reads behind it (graphql-core resolves every
field of every edge), while the data only changes when an ingest or an analytics run commits. Dashboards and
directory pages send the same few documents over and over; serving those from memory is what lets one worker
sustain hundreds of requests per second with a short tail.

What is cached: error-free results of *query* operations (never mutations), keyed by the store's committed-data
version, the caller's role, the document text, the variables and the operation name. The principal's subject is
part of the key only for documents whose answer depends on who asks (``expertsFor``: the asker is left out and ties
to them count; app/graphql/analysis.py's ``PER_ASKER``): shared by role, one employee got another's ranking.
Every other query depends on the role alone, so one entry serves everyone with it. ``runAnalytics`` clears
everything.

Never stale data: the version (``data_version`` of both stores) changes with every commit of any process, so an
opt-out arriving through ingest makes every earlier entry unreachable for the next request. A store without such a
version would run with the cache off.

Freshness (``WHOKNOWS_RESPONSE_CACHE_TTL_S``, 0 switches the cache off): an entry is fresh for ``ttl_s`` seconds,
then stale for another ``ttl_s``; stale only in time (answers such as "active last month" are relative to now),
never in data. A stale entry is still served while one background execution refreshes it (stale-while-revalidate);
concurrent misses of one key run the query once (single flight).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from typing import Any

CacheKey = tuple[int, int, str | None, str, str, str | None]


class ResponseCache:
    """A bounded LRU of encoded responses with fresh and stale windows, plus single-flight bookkeeping."""

    def __init__(self, ttl_s: float, max_entries: int = 2048, max_bytes: int = 128 * 1024 * 1024) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        # bounded by size too: the number of entries alone let 2,048 answers of tens of MB each (long aliases,
        # variables the document never reads to make each key new) take gigabytes. One answer over a sixteenth of
        # the budget is not kept at all, so a few large ones never evict the many small ones that matter. An entry
        # counts its key's text too (the document and the variables): 2,048 small answers to documents padded with
        # a 250 KB comment, each new, held 500 MB of keys while the bodies counted a few hundred KB.
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self.size = 0  # bytes of the bodies kept
        self._entries: OrderedDict[CacheKey, tuple[float, float, bytes, int]] = OrderedDict()
        self._refreshing: set[CacheKey] = set()
        # answers being computed, shared by identical requests; None: the caller computing it gave up
        self.inflight: dict[CacheKey, asyncio.Future[tuple[bytes, str] | None]] = {}

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    @staticmethod
    def key(
        version: int, role: int, query: str, variables: dict[str, Any] | None, operation_name: str | None,
        asker: str | None = None,
    ) -> CacheKey | None:
        """The entry's key; ``asker``: the principal's subject, for answers that depend on who asks."""
        try:
            var_text = json.dumps(variables, sort_keys=True, separators=(",", ":")) if variables else ""
        except (TypeError, ValueError):
            return None
        return (version, role, asker, query, var_text, operation_name)

    def get(self, key: CacheKey) -> tuple[bytes, bool] | None:
        """(body, fresh) while the entry is fresh or stale; None once it is older than both windows."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        fresh_until, stale_until, body, _ = entry
        now = time.monotonic()
        if now > stale_until:
            self._drop(key)
            return None
        return body, now <= fresh_until

    def put(self, key: CacheKey, body: bytes) -> None:
        self._drop(key)
        size = len(body) + entry_key_size(key)
        if size > self.max_entry_bytes:
            return
        now = time.monotonic()
        self._entries[key] = (now + self.ttl_s, now + 2 * self.ttl_s, body, size)
        self.size += size
        while len(self._entries) > self.max_entries or self.size > self.max_bytes:
            _, (_, _, _, dropped) = self._entries.popitem(last=False)
            self.size -= dropped

    def _drop(self, key: CacheKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= entry[3]

    def begin_refresh(self, key: CacheKey) -> bool:
        """True for the one caller that should refresh a stale entry; False while a refresh is under way."""
        if key in self._refreshing:
            return False
        self._refreshing.add(key)
        return True

    def end_refresh(self, key: CacheKey) -> None:
        self._refreshing.discard(key)

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._entries)


def entry_key_size(key: CacheKey) -> int:
    """The characters of a key's texts (document, variables, names): what an entry holds besides its body."""
    return sum(len(part) for part in key if isinstance(part, str))


__all__ = ["CacheKey", "ResponseCache", "entry_key_size"]
