"""The identity provider's signing keys (RS256 through a JWKS URL), kept through the provider's outages.

Why not PyJWT's client alone: it forgets its key set when the set's lifespan ends, and after a failed fetch it
tries again on the very next token, holding its lock for up to its timeout (30 s by default). While the provider
was down, every token that was not in the principal cache (any new sign-in, or a forged token with a made-up key
id, which needs no secret to write) waited that long in turn, in the threads other requests use. Here a failed
fetch serves the keys the provider last published and leaves the network alone for ``retry_after_s``; a fetch
waits at most ``timeout_s``; and at most ``FETCH_THREADS`` requests at once may wait on key lookups at all
(``app.auth.Authenticator.principal``), so the rest of the service keeps answering.
"""

from __future__ import annotations

import logging
import threading
import time

import jwt
from jwt import PyJWKSet

FETCH_TIMEOUT_S = 5.0
RETRY_AFTER_FAILURE_S = 30.0
FETCH_THREADS = 2
_log = logging.getLogger("whoknows.auth")


class KeySet(jwt.PyJWKClient):
    """A JWKS client that serves the last good key set while its endpoint fails (stale-if-error)."""

    def __init__(self, url: str, *, timeout_s: float = FETCH_TIMEOUT_S, lifespan_s: float = 300.0,
                 retry_after_s: float = RETRY_AFTER_FAILURE_S) -> None:
        super().__init__(url, cache_keys=True, lifespan=lifespan_s, timeout=timeout_s)
        self.retry_after_s = retry_after_s
        self._last_good: PyJWKSet | None = None
        self._retry_at = 0.0
        self._guard = threading.Lock()

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        with self._guard:
            last, waiting = self._last_good, time.monotonic() < self._retry_at
        if last is not None and waiting:
            return last  # the endpoint failed lately: what it last published, without the network
        try:
            keys = super().get_jwk_set(refresh)
        except jwt.PyJWKClientConnectionError as exc:
            with self._guard:
                self._retry_at = time.monotonic() + self.retry_after_s
            if last is None:
                raise
            _log.warning("key set unavailable (%s): verifying with the keys last fetched for %.0f s",
                         exc, self.retry_after_s)
            return last
        with self._guard:
            self._last_good, self._retry_at = keys, 0.0
        return keys


__all__ = ["FETCH_THREADS", "FETCH_TIMEOUT_S", "RETRY_AFTER_FAILURE_S", "KeySet"]
