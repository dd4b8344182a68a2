"""A short-lived cache of whole GraphQL responses, for the read-mostly hot path.

Why: executing a GraphQL document costs far more than the store read behind it (graphql-core resolves every
field of every edge), while the data only changes when an ingest or an analytics run commits. Dashboards and
directory pages send the same few documents over and over; serving those from memory for a couple of seconds is
what lets one worker sustain hundreds of requests per second.

What is cached: error-free results of *query* operations (never mutations), keyed by the caller's role, the
document text, the variables and the operation name. The principal's subject is not part of the key because no
query depends on who asks beyond the role. An entry lives ``ttl_s`` seconds (``WHOKNOWS_RESPONSE_CACHE_TTL_S``,
0 switches the cache off), and ``runAnalytics`` clears everything. Consequence, stated plainly: a change committed
by another process (an opt-out arriving through ingest, say) is visible after at most ``ttl_s`` seconds.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any

CacheKey = tuple[int, str, str, str | None]


class ResponseCache:
    """A bounded LRU of encoded responses with a time to live."""

    def __init__(self, ttl_s: float, max_entries: int = 2048) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, tuple[float, bytes]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    @staticmethod
    def key(role: int, query: str, variables: dict[str, Any] | None, operation_name: str | None) -> CacheKey | None:
        try:
            var_text = json.dumps(variables, sort_keys=True, separators=(",", ":")) if variables else ""
        except (TypeError, ValueError):
            return None
        return (role, query, var_text, operation_name)

    def get(self, key: CacheKey) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, body = entry
        if expires < time.monotonic():
            self._entries.pop(key, None)
            return None
        return body

    def put(self, key: CacheKey, body: bytes) -> None:
        self._entries[key] = (time.monotonic() + self.ttl_s, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["CacheKey", "ResponseCache"]
