"""The store gateway: typed, async access to the one GraphStore the API serves, off the event loop.

Every resolver and page reads the store through a method here (``await gateway.experts(...)``) that mirrors the
``GraphStore`` protocol method of the same name, so go-to-definition and mypy reach the store. Each call runs the
(blocking) store method in a worker thread of a *bounded* pool (``WHOKNOWS_STORE_WORKERS`` threads), so neither
SQLite nor the Neo4j driver ever blocks the loop and a burst of expensive requests cannot occupy more threads than
that: the others queue for a worker while ``/healthz`` and cheap requests keep being served.

The gateway owns recovery: when a call finds the store unavailable it marks it down, and the next call or readiness
probe after a back-off tries ``store.reopen()`` (doubling the back-off up to a cap) until the store answers again.
Calls are still attempted while down, so a store reopened by someone else is noticed at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

import anyio
import anyio.to_thread

from graph.analytics.routing import Routed
from graph.expert_routing import route_question
from graph.store import base
from graph.store.base import GraphStore
from schema import models
from schema.errors import StoreUnavailable, WhoknowsError

log = logging.getLogger("whoknows.store")
R = TypeVar("R")
DEFAULT_WORKERS = 4


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
        self._lock = anyio.Lock()
        self._on_unavailable = on_unavailable
        self.limiter = anyio.CapacityLimiter(max(1, workers))

    # --- the generic call ---------------------------------------------------------------------------

    async def run(self, fn: Callable[[GraphStore], R]) -> R:
        """``fn(store)`` in a pool worker; StoreUnavailable (and the store marked down) when it cannot be reached."""
        if self.down:
            await self.recover()
        store = self.store
        if store is None:
            raise StoreUnavailable("the graph store is not open yet; retrying in the background")
        try:
            result = await anyio.to_thread.run_sync(fn, store, abandon_on_cancel=True, limiter=self.limiter)
        except StoreUnavailable:
            self._mark_down()
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
            return await anyio.to_thread.run_sync(fn, store)
        except StoreUnavailable:
            self._mark_down()
            raise

    # --- typed reads (one per GraphStore read the API makes) ----------------------------------------

    async def ping(self) -> None:
        await self.run(lambda s: s.ping())

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
        location: str | None = None,
    ) -> base.Page[base.ExpertHit]:
        return await self.run(
            lambda s: s.experts(skill, first=first, after=after, department=department, location=location)
        )

    async def route_question(
        self, skills: Sequence[str], first: int = 10, asker: str | None = None, department: str | None = None,
        location: str | None = None,
    ) -> list[tuple[Routed, models.Person]]:
        return await self.run(lambda s: route_question(
            s, skills, first=first, exclude=[asker] if asker else [], asker=asker, department=department,
            location=location))

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

    async def reach(self, person_ids: Sequence[str]) -> dict[str, base.Reach]:
        return await self.run(lambda s: s.reach(person_ids))

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


__all__ = ["StoreGateway"]
