"""The per-request GraphQL context and the store gateway every resolver goes through.

The gateway runs the (blocking) store calls in a worker thread so the event loop never waits on SQLite or the
Neo4j driver, and it owns recovery: when a call finds the store unavailable the gateway marks it down, and the next
call or readiness probe after a back-off tries ``store.reopen()`` (doubling the back-off up to a cap) until the
store answers again. Calls are still attempted while down, so a store reopened by someone else is noticed at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import anyio
import anyio.to_thread

from app.auth import Principal, Role
from app.settings import Settings
from graph.store.base import GraphStore
from schema.errors import StoreUnavailable, WhoknowsError

log = logging.getLogger("whoknows.store")


class StoreGateway:
    """Thread-pool access to one GraphStore, with down-detection and self-healing reopen."""

    def __init__(
        self,
        store: GraphStore | None,
        opener: Callable[[], GraphStore] | None = None,
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 30.0,
        on_unavailable: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self._opener = opener
        self._retry_initial = retry_initial_s
        self._retry_max = retry_max_s
        self._backoff = retry_initial_s
        self._next_try = 0.0
        self.down = store is None
        self._lock = anyio.Lock()
        self._on_unavailable = on_unavailable

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``store.<method>(*args, **kwargs)`` in a worker thread; StoreUnavailable when it cannot be reached."""
        if self.down:
            await self.recover()
        store = self.store
        if store is None:
            raise StoreUnavailable("the graph store is not open yet; retrying in the background")
        try:
            result = await anyio.to_thread.run_sync(
                partial(getattr(store, method), *args, **kwargs), abandon_on_cancel=True
            )
        except StoreUnavailable:
            self._mark_down()
            raise
        if self.down:
            self._mark_up()
        return result

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Any blocking function with the store as its first argument (analytics runs), off the loop."""
        if self.store is None:
            raise StoreUnavailable("the graph store is not open")
        try:
            return await anyio.to_thread.run_sync(partial(fn, self.store, *args))
        except StoreUnavailable:
            self._mark_down()
            raise

    async def ready(self) -> bool:
        """Readiness: the store answers a ping (after a recovery attempt when it was down)."""
        try:
            await self.call("ping")
        except WhoknowsError:
            return False
        return True

    async def recover(self) -> None:
        """Reopen (or first open) the store if the back-off has elapsed; failures only lengthen the back-off."""
        if time.monotonic() < self._next_try:
            return
        async with self._lock:
            if not self.down or time.monotonic() < self._next_try:
                return
            try:
                if self.store is None:
                    if self._opener is None:
                        raise StoreUnavailable("no store and no way to open one")
                    self.store = await anyio.to_thread.run_sync(self._opener)
                else:
                    await anyio.to_thread.run_sync(self.store.reopen)
                await anyio.to_thread.run_sync(self.store.ping)
            except WhoknowsError as exc:
                self._next_try = time.monotonic() + self._backoff
                fields = {"error": str(exc), "retry_in_s": self._backoff}
                log.warning("store still unavailable", extra={"fields": fields})
                self._backoff = min(self._backoff * 2, self._retry_max)
                return
            self._mark_up()

    def _mark_down(self) -> None:
        if self._on_unavailable is not None:
            self._on_unavailable()
        if not self.down:
            log.warning("store unavailable; will retry reopening", extra={"fields": {"retry_in_s": self._backoff}})
            self.down = True
            self._next_try = time.monotonic() + self._backoff

    def _mark_up(self) -> None:
        if self.down:
            log.info("store available again")
        self.down = False
        self._backoff = self._retry_initial
        self._next_try = 0.0


@dataclass
class Context:
    """What every resolver sees as ``info.context``."""

    principal: Principal
    gateway: StoreGateway
    settings: Settings
    request_id: str = "-"
    _loaders: Any = field(default=None, repr=False)
    services: Any = None  # app-wide helpers (skill index, analytics lock), see app.graphql.schema.Services

    @property
    def loaders(self) -> Any:
        if self._loaders is None:
            from app.graphql.loaders import Loaders

            self._loaders = Loaders(self.gateway)
        return self._loaders

    def require(self, role: Role, what: str) -> None:
        self.principal.require(role, what)


__all__ = ["Context", "StoreGateway"]
