"""The store gateway: typed, async access to the one GraphStore the API serves, off the event loop.

Every resolver and page reads the store through a method here (``await gateway.experts(...)``) that mirrors the
``GraphStore`` protocol method of the same name, so go-to-definition and mypy reach the store. Each call runs the
(blocking) store method in a worker thread of a *bounded* pool (``WHOKNOWS_STORE_WORKERS`` threads), so neither
SQLite nor the Neo4j driver ever blocks the loop and a burst of expensive requests cannot occupy more threads than
that; requests whose whole cost is small read on workers of their own (``light_lane``), so they never queue
behind the expensive ones' reads.

The gateway owns recovery: when a call finds the store unavailable it marks it down, and the next call or readiness
probe after a back-off tries ``store.reopen()`` (doubling the back-off up to a cap) until the store answers again.
Calls are still attempted while down, so a store reopened by someone else is noticed at once.

Reads stop when their caller gives up: each call carries the earlier of the request's read deadline
(graph/store/deadline.py, set by the GraphQL executor and the pages) and the caller's cancel-scope deadline into
its worker, where the store stops the read at that moment (StoreTimeout: the request's TIMEOUT, never the store
marked down) and the worker is free again. Before, a read given up on read on to its end, and slow reads given up
on piled up on the eight light workers until cheap queries timed out as well.

Writes wait for the write lock until just before that deadline: another writer (an ingest in another process)
holding it longer is StoreBusy (STORE_BUSY, nothing changed), never the store marked down, since reads go on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread

from app.fair_pool import FairPool
from graph.analytics.routing import Routed
from graph.expert_routing import route_question
from graph.store import base, deadline
from graph.store.base import GraphStore
from graph.store.common import busy_message
from schema import models
from schema.errors import StoreBusy, StoreUnavailable, WhoknowsError

log = logging.getLogger("whoknows.store")
R = TypeVar("R")
DEFAULT_WORKERS = 4
# light reads in flight at once. A Neo4j read spends most of its time waiting for the server (2-3 ms of the JVM's
# CPU for a directory page): with two workers the API sat idle between round trips while fifteen requests queued
# for a worker; a SQLite read holds the GIL most of its time, so more threads cost it nothing but idle threads.
LIGHT_WORKERS = 8
# the web pages' own store reads (facets, community sizes, a person's activity) run on workers of their own: a page
# gave up a slow read at its deadline but the thread read on, and twelve such pages held all the light workers, so
# every API query (each reads the data version there) timed out meanwhile. Reads now stop at their deadline (a
# Python step between two statements still finishes), and the lanes keep a slow kind from filling the others'.
PAGE_WORKERS = 8
# the API's own writes (a person's privacy choice) run on workers of their own: a write waits for the store's write
# lock (another process's ingest may hold it) until just before its deadline, and eight such waits on the light
# workers left every cheap query, and readiness, queued behind them. The store takes one writer at a time anyway.
WRITE_WORKERS = 2
# set for a request whose whole cost is small (app/graphql/fairness.py): its reads use the light workers
light_lane: contextvars.ContextVar[bool] = contextvars.ContextVar("light_lane", default=False)


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
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.store = store
        self._opener = opener
        self._retry_initial = retry_initial_s
        self._retry_max = retry_max_s
        self._backoff = retry_initial_s
        self._next_try = 0.0
        self.down = store is None
        self._lock = threading.Lock()  # one open/reopen at a time, from whichever event loop asks
        self._on_unavailable = on_unavailable
        # concurrent.futures pools, not anyio limiters: usable from the API's loop and from the loop that runs
        # expensive queries (app/graphql/fairness.py) alike
        # the expensive reads take turns between principals (app/fair_pool.py), not first come, first served
        self._pool = FairPool(max(1, workers), "whoknows-store")
        self._light_pool = ThreadPoolExecutor(LIGHT_WORKERS, thread_name_prefix="whoknows-store-light")
        self._page_pool = ThreadPoolExecutor(PAGE_WORKERS, thread_name_prefix="whoknows-store-page")
        self._write_pool = ThreadPoolExecutor(WRITE_WORKERS, thread_name_prefix="whoknows-store-write")
        self._admin = ThreadPoolExecutor(1, thread_name_prefix="whoknows-store-open")

    # --- the generic call ---------------------------------------------------------------------------

    async def run(self, fn: Callable[[GraphStore], R], *, light: bool = False, page: bool = False,
                  write: bool = False) -> R:
        """``fn(store)`` in a pool worker; StoreUnavailable (and the store marked down) when it cannot be reached.

        ``light``: a read of constant, tiny cost (a ping, the data version) that goes on the light workers whatever
        the request, so it never queues behind expensive reads. ``page``: a web page's own read, on the page
        workers (``PAGE_WORKERS``), so reads the pages gave up on never hold the API's workers. ``write``: a
        write, on the write workers (``WRITE_WORKERS``), so writes waiting for the store's write lock never hold
        a reader's worker; one still queued at its deadline is StoreBusy, having changed nothing.
        """
        if self.down:
            await self.recover()
        store = self.store
        if store is None:
            raise StoreUnavailable("the graph store is not open yet; retrying in the background")
        try:
            # a cancelled caller abandons the work: the store stops it at the caller's deadline, nobody waits for it
            pool: concurrent.futures.Executor
            if write:
                pool = self._write_pool
            else:
                pool = self._page_pool if page else self._light_pool if light or light_lane.get() else self._pool
            result = await asyncio.get_running_loop().run_in_executor(pool, _until, _deadline(), fn, store, write)
        except StoreBusy:
            raise  # another writer holds the lock: this write could not wait, the store serves reads meanwhile
        except StoreUnavailable as exc:
            self._mark_down(exc)
            raise
        if self.down:
            self._mark_up()
        return result

    async def run_long(self, fn: Callable[[GraphStore], R]) -> R:
        """A long blocking job on the store (an analytics run) in its own thread, outside the read pool."""
        if self.store is None:
            raise StoreUnavailable("the graph store is not open")
        store = self.store
        try:
            # no deadline, whatever the request that started it: a job is not stopped half-way
            return await anyio.to_thread.run_sync(_until, None, fn, store)
        except StoreBusy:
            raise
        except StoreUnavailable as exc:
            self._mark_down(exc)
            raise

    # --- typed reads (one per GraphStore read the API makes) ----------------------------------------

    async def ping(self) -> None:
        # readiness: a probe that waited behind expensive reads would take this instance out of service
        await self.run(lambda s: s.ping(), light=True)

    async def people(self, person_ids: Sequence[str]) -> dict[str, models.Person]:
        return await self.run(lambda s: s.people(person_ids))

    async def person_scores(self, person_ids: Sequence[str]) -> dict[str, models.PersonScores]:
        return await self.run(lambda s: s.person_scores(person_ids))

    async def person_skills(self, person_ids: Sequence[str]) -> dict[str, list[models.HasSkill]]:
        return await self.run(lambda s: s.person_skills(person_ids))

    async def person_expertise(self, person_ids: Sequence[str]) -> dict[str, list[models.ExpertIn]]:
        return await self.run(lambda s: s.person_expertise(person_ids))

    async def memberships(self, person_ids: Sequence[str]) -> dict[str, list[models.Community]]:
        return await self.run(lambda s: s.memberships(person_ids))

    async def experts(
        self, skill: str, first: int = 10, after: str | None = None, department: str | None = None,
        location: str | None = None, title: str | None = None,
    ) -> base.Page[base.ExpertHit]:
        return await self.run(lambda s: s.experts(skill, first=first, after=after, department=department,
                                                  location=location, title=title))

    async def route_question(
        self, skills: Sequence[str], first: int = 10, asker: str | None = None, department: str | None = None,
        location: str | None = None, title: str | None = None,
    ) -> list[tuple[Routed, models.Person]]:
        return await self.run(lambda s: route_question(
            s, skills, first=first, exclude=[asker] if asker else [], asker=asker, department=department,
            location=location, title=title))

    async def directory_facets(self) -> dict[str, list[str]]:
        return await self.run(lambda s: s.directory_facets())

    async def skills(self, prefix: str | None = None, first: int = 20) -> list[models.Skill]:
        return await self.run(lambda s: s.skills(prefix, first=first))

    async def all_skills(self) -> list[models.Skill]:
        return await self.run(lambda s: s.all_skills())

    async def skill(self, name: str) -> models.Skill | None:
        return await self.run(lambda s: s.skill(name))

    async def communities(self, first: int = 50, after: str | None = None) -> list[models.Community]:
        return await self.run(lambda s: s.communities(first=first, after=after))

    async def community(self, community_id: str) -> models.Community | None:
        return await self.run(lambda s: s.community(community_id))

    async def community_members(
        self, community_id: str, first: int = 50, after: str | None = None
    ) -> base.Page[models.Person]:
        return await self.run(lambda s: s.community_members(community_id, first=first, after=after))

    async def community_health(self, community_id: str) -> base.HealthReport:
        return await self.run(lambda s: s.community_health(community_id))

    async def influencers(
        self, skill: str | None = None, community_id: str | None = None, first: int = 10
    ) -> list[base.RankedPerson]:
        return await self.run(lambda s: s.influencers(skill=skill, community_id=community_id, first=first))

    async def brokers(self, first: int = 10, community_ids: Sequence[str] | None = None) -> list[base.BrokerHit]:
        return await self.run(lambda s: s.brokers(first=first, community_ids=community_ids))

    async def reach(self, person_ids: Sequence[str], since: datetime | None = None) -> dict[str, base.Reach]:
        return await self.run(lambda s: s.reach(person_ids, since=since))

    async def community_contributors(
        self, community_id: str, first: int = 10, since: datetime | None = None
    ) -> list[base.Contributor]:
        return await self.run(lambda s: s.community_contributors(community_id, first=first, since=since))

    async def introduction_path(self, from_id: str, to_id: str, max_hops: int = 4) -> list[models.Person] | None:
        return await self.run(lambda s: s.introduction_path(from_id, to_id, max_hops))

    # --- health -------------------------------------------------------------------------------------

    async def ready(self) -> bool:
        """Readiness: the store answers a ping (after a recovery attempt when it was down)."""
        try:
            await self.ping()
        except WhoknowsError:
            return False
        return True

    async def data_version(self) -> int | None:
        """The store's committed-data version (response-cache key), read in the pool; None when it has none."""
        if getattr(self.store, "data_version", None) is None:
            return None
        try:
            # read before every cached query, cheap ones included: never behind the expensive requests' reads
            return int(await self.run(lambda s: s.data_version(), light=True))  # type: ignore[attr-defined]
        except WhoknowsError:
            return None

    async def recover(self) -> None:
        """Reopen (or first open) the store if the back-off has elapsed; failures only lengthen the back-off.

        Never waits behind an attempt already under way (opening a locked SQLite file can block for its busy
        timeout): callers meanwhile get StoreUnavailable at once.
        """
        if time.monotonic() < self._next_try or not self._lock.acquire(blocking=False):
            return
        loop = asyncio.get_running_loop()
        try:
            if not self.down or time.monotonic() < self._next_try:
                return
            try:
                if self.store is None:
                    if self._opener is None:
                        raise StoreUnavailable("no store and no way to open one")
                    self.store = await _opened(self._admin.submit(self._opener))
                else:
                    await loop.run_in_executor(self._admin, self.store.reopen)
                await loop.run_in_executor(self._admin, self.store.ping)
            except WhoknowsError as exc:
                self._next_try = time.monotonic() + self._backoff
                fields = {"error": str(exc), "retry_in_s": self._backoff}
                log.warning("store still unavailable", extra={"fields": fields})
                self._backoff = min(self._backoff * 2, self._retry_max)
                return
            self._mark_up()
        finally:
            self._lock.release()

    async def open_in_background(self) -> None:
        """Open the store at start-up without holding the server back: retry with back-off until it answers.

        The server listens meanwhile; ``/readyz`` says 503 and queries answer STORE_UNAVAILABLE until then.
        """
        while self.down:
            await self.recover()
            if self.down:
                await anyio.sleep(max(0.05, self._next_try - time.monotonic()))

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop the worker pools (work under way finishes in its thread; ``wait``: until it has)."""
        pools = (self._pool, self._light_pool, self._page_pool, self._write_pool, self._admin)
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        if wait:
            for pool in pools:
                pool.shutdown(wait=True)

    def _mark_down(self, exc: Exception | None = None) -> None:
        if self._on_unavailable is not None:
            self._on_unavailable()
        if not self.down:
            # loud: every query now answers STORE_UNAVAILABLE (a lost connection, a locked or corrupt file...)
            log.error("store unavailable; serving STORE_UNAVAILABLE and retrying in the background",
                      extra={"fields": {"error": str(exc) if exc else None, "retry_in_s": self._backoff}})
            self.down = True
            self._next_try = time.monotonic() + self._backoff

    def _mark_up(self) -> None:
        if self.down:
            log.info("store available again")
        self.down = False
        self._backoff = self._retry_initial
        self._next_try = 0.0


def _deadline() -> float | None:
    """The deadline (``time.monotonic()``) of the calling request's reads: the earlier of the one it set for its
    reads (carried to the heavy loop and to DataLoader batches by the context) and its cancel scopes' (the pages)."""
    found = deadline.current()
    scope = anyio.current_effective_deadline()
    if scope != float("inf"):
        at = time.monotonic() + (scope - anyio.current_time())  # the anyio clock need not be time.monotonic()
        found = at if found is None else min(found, at)
    return found


def _until(until: float | None, fn: Callable[[GraphStore], R], store: GraphStore, write: bool = False) -> R:
    """``fn(store)`` in a worker, its reads stopped at ``until`` (StoreTimeout); None: never stopped. A ``write``
    queued past its deadline (behind writes waiting for the lock) is StoreBusy: the store is busy writing."""
    with deadline.reads_until(until, replace=True):
        if until is not None and until <= time.monotonic():
            if write:
                raise StoreBusy(busy_message("other writes were waiting ahead of this one until its deadline"))
            deadline.remaining()  # queued past the deadline: StoreTimeout, and the worker is free at once
        return fn(store)


async def _opened(future: concurrent.futures.Future[GraphStore]) -> GraphStore:
    """The store an opener thread returns; if the app stops while it is opening, the store is closed when it
    arrives (a Neo4j driver left open otherwise, since nobody would hold it)."""
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        future.add_done_callback(_close_late)
        raise


def _close_late(future: concurrent.futures.Future[GraphStore]) -> None:
    if not future.cancelled() and future.exception() is None:
        future.result().close()


def open_existing(url: str, **options: str | None) -> GraphStore:
    """``open_store`` for serving: a SQLite store that was never created is refused, not silently made empty.

    Only ingest creates a store; the API retries until one exists (ingest may come after the server starts).
    """
    from graph.store import open_store

    missing = never_created(url)
    if missing is not None:
        raise StoreUnavailable(f"no store at {missing}: it was never created (whoknows ingest creates it)")
    return open_store(url, **options)  # type: ignore[arg-type]


def never_created(url: str) -> Path | None:
    """The file of a SQLite store URL when it does not exist (serving it would serve an empty store), else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix):] in ("", ":memory:"):
        return None
    path = Path(url[len(prefix):])
    return None if path.exists() else path


__all__ = ["StoreGateway", "light_lane", "never_created", "open_existing"]
