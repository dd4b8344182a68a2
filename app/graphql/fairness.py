"""Fairness between cheap and expensive requests (issue 9.3): admission by cost, a loop of their own for
expensive executions, and a store lane for light work.

Why: GraphQL execution runs on the event loop and store reads in a bounded thread pool, both first come, first
served. Eight clients each sending the most expensive query the cost limit allows used to fill both queues, and a
one-field query waited behind all of them (4.1 s in the adversarial pass). Three measures bound that wait:

- ``CostGate``: requests over ``LIGHT_COST`` are admitted only while the cost of those already executing stays
  within a budget (``WHOKNOWS_MAX_INFLIGHT_COST``, by default two of the largest allowed queries); the others wait,
  off the loop's ready queue, inside their own request timeout. Light requests never wait here.
- fair shares: the expensive budget is shared between principals (the token's subject; the web session's person),
  not first come, first served. When the budget frees, the waiting principal with the least expensive work in
  flight goes next, ties in turn, and one principal holds at most half the budget, so the other half is free for
  the next one to come; their store reads take turns between principals too (app/fair_pool.py). One client
  flooding sixteen connections of aliased ``bridges`` used to queue every other client's expensive request behind
  its whole backlog (21-42 of 41-48 timed out, the /ask and /plan/seeds pages included). bench/flood_bench.py
  ``--kind bridges`` (16 connections, 12 bridges between all 63 communities of the 2,000-person demo, SQLite, 4
  store workers, 2 shared cores), a second analyst's expensive requests one after another for 30 s: before, 2 of 4
  timed out (expertsFor 9.9 s, bridges 5.4-10.0 s); after, none of 10-20 (expertsFor p50 0.2-0.7 s, max 1.2 s;
  bridges p50 2.6-4.5 s, max 6.4 s, with the flood's reads beside it; alone 0.09 s and 0.88 s).
- ``HeavyLoop``: an admitted expensive request executes on an event loop in a thread of its own, so its long
  stretches of synchronous work (graphql-core completing a hundred nested items) no longer hold the API's loop:
  the interpreter switches threads every few milliseconds, and the API's loop keeps answering in between.
- store lanes: a light request's store reads run on a worker of their own (``light_lane``) rather than queueing
  behind the expensive requests' reads; the gateway picks the lane from a context variable set per request.
- light slots: at most ``WHOKNOWS_LIGHT_CONCURRENCY`` light queries execute at once, the rest wait in arrival order.
  Sixteen cheap queries interleaved on one loop share the interpreter like a processor-sharing queue, so some finish
  late by chance; served nearly first come, first served, each waits for about the same work (issue 8.5, experts at
  100,000 people, 16 clients: p99 82 -> 54 ms on SQLite, 75 -> 61 ms on Neo4j, throughput 5 and 13 % higher).
  Four slots still overlap Neo4j's network waits; expensive queries and mutations never take one. Arrival order is
  kept within a principal, and a freed slot goes to the waiting principal holding fewest (``FairShares`` with no
  cap: one principal alone still uses every slot): in one queue, one employee's 128 connections of cheap
  introduction paths (76 ms each) queued everyone else's one-field query behind their backlog, p50 0.65 s and up
  to 4 s on the 600-person demo, and past the request timeout with a few hundred connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio

from app.fair_pool import store_turn
from app.gateway import light_lane

# A directory page: twenty experts with evidence and person fields (ten cost 461, about 3 ms of execution).
# At 200 the directory's own query ran on the heavy loop, paying two thread hand-offs per request (a quarter of
# its CPU); what stays above is several pages, nested lists or large pages, which the gate still bounds.
LIGHT_COST = 1000
T = TypeVar("T")


@dataclass(eq=False)
class _Waiter:
    weight: int
    granted: anyio.Event = field(default_factory=anyio.Event)


class FairShares:
    """A weighted budget of expensive work, granted round robin across principals (pure bookkeeping on one loop).

    Why not one queue: first come, first served, a client with many connections open holds most of the queue, and
    everyone else's request waits out its whole backlog. Here each principal queues on its own, in arrival order;
    whenever the budget allows, the head of the principal holding the least in flight is granted (among equals,
    the one granted longest ago, so a newcomer goes before a principal whose last request just ended). A principal
    alone holds at most half the budget (``share``; any one request when it holds none), so the other half is
    there at once for a second principal rather than after one of the first one's requests has ended.
    """

    def __init__(self, budget: int, share: int | None = None) -> None:
        self.budget = max(1, budget)
        # one principal's most in flight (one more request only when it has none): half the budget leaves the
        # other half for whoever comes next, who would otherwise wait for one of the flood's requests to end.
        # ``share=budget``: no cap, only the turn order (the light slots, where a request is short)
        self.share = max(1, self.budget // 2 if share is None else share)
        self.in_flight = 0
        self.held: dict[str, int] = {}  # principal -> weight of its work in flight
        self._queues: dict[str, deque[_Waiter]] = {}  # principals waiting, in order of arrival
        self._served: dict[str, int] = {}  # principal -> when last granted (a count), while it holds or waits
        self._turn = 0

    async def acquire(self, who: str, weight: int) -> None:
        """Wait for ``weight`` of the budget on behalf of ``who``; cancelled, nothing is held (or left queued)."""
        waiter = _Waiter(weight)
        self._queues.setdefault(who, deque()).append(waiter)
        self._dispatch()
        try:
            await waiter.granted.wait()
        except BaseException:
            if waiter.granted.is_set():  # granted in the same moment it was cancelled: hand it back
                self.release(who, weight)
            else:
                queue = self._queues.get(who)
                if queue is not None:
                    queue.remove(waiter)
                    if not queue:
                        del self._queues[who]
                self._forget(who)
                self._dispatch()  # it may have been the head that did not fit
            raise

    def release(self, who: str, weight: int) -> None:
        self.in_flight -= weight
        left = self.held.get(who, 0) - weight
        if left > 0:
            self.held[who] = left
        else:
            self.held.pop(who, None)
            self._forget(who)
        self._dispatch()

    def _within_share(self, who: str) -> bool:
        held = self.held.get(who, 0)
        return held == 0 or held + self._queues[who][0].weight <= self.share

    def _forget(self, who: str) -> None:
        if who not in self.held and who not in self._queues:
            self._served.pop(who, None)

    def _dispatch(self) -> None:
        while True:
            eligible = [p for p in self._queues if self._within_share(p)]
            if not eligible:
                return
            # the least in flight; among equals the one granted longest ago (never: first), then the first to arrive
            who = min(eligible, key=lambda p: (self.held.get(p, 0), self._served.get(p, 0)))
            queue = self._queues[who]
            head = queue[0]
            if self.in_flight > 0 and self.in_flight + head.weight > self.budget:
                return  # the fairest next one waits for room; nobody overtakes it (no starving large requests)
            queue.popleft()
            if not queue:
                del self._queues[who]
            self._turn += 1
            self._served[who] = self._turn
            self.in_flight += head.weight
            self.held[who] = self.held.get(who, 0) + head.weight
            head.granted.set()


class CostGate:
    """Admission by query cost: requests costing at most ``LIGHT_COST`` take one of ``light_slots`` (in arrival
    order within a principal, in turns between principals, no principal capped; ``query=False``, a mutation, passes
    freely: an analytics run must not hold a slot); the others share ``budget`` fairly between principals, each
    capped at half (``FairShares``)."""

    def __init__(self, budget: int, light_slots: int = 4) -> None:
        self.shares = FairShares(budget)
        slots = max(1, light_slots)
        self.slots = FairShares(slots, share=slots)

    @property
    def budget(self) -> int:
        return self.shares.budget

    @property
    def in_flight(self) -> int:
        return self.shares.in_flight

    @asynccontextmanager
    async def admit(self, cost: int, *, query: bool = True, who: str = "") -> AsyncIterator[None]:
        """Hold admission for a request of ``cost`` from principal ``who`` while it executes."""
        if cost <= LIGHT_COST:
            token = light_lane.set(True)
            try:
                async with self._light_slot(who) if query else contextlib.nullcontext():
                    yield
            finally:
                light_lane.reset(token)
            return
        weight = min(cost, self.shares.budget)
        await self.shares.acquire(who, weight)
        turn = store_turn.set(who)  # its store reads take turns with other principals' (app/fair_pool.py)
        try:
            yield
        finally:
            store_turn.reset(turn)
            self.shares.release(who, weight)

    @asynccontextmanager
    async def _light_slot(self, who: str) -> AsyncIterator[None]:
        await self.slots.acquire(who, 1)
        try:
            yield
        finally:
            self.slots.release(who, 1)


class HeavyLoop:
    """An asyncio loop in a daemon thread, started on first use, for executing expensive requests."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._guard:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=_serve, args=(loop,), name="whoknows-heavy", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the heavy loop; cancelling the caller cancels it there (context variables carried)."""
        future = asyncio.run_coroutine_threadsafe(coro, self._start())
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        """Stop the loop (its unfinished requests are cancelled) and wait briefly for its thread."""
        with self._guard:
            loop, self._loop = self._loop, None
            thread, self._thread = self._thread, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


__all__ = ["LIGHT_COST", "CostGate", "FairShares", "HeavyLoop", "light_lane"]
