"""Expensive work shared fairly between principals (app/graphql/fairness.py ``FairShares``): one client flooding
expensive documents must not queue another client's expensive request behind its whole backlog. The turn order is
asserted, never a time limit; bench/flood_bench.py ``--kind bridges --victim`` measures the waits.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from app.auth import Role, mint_token
from app.fair_pool import FairPool, store_turn
from app.graphql.fairness import LIGHT_COST, CostGate, FairShares
from app.main import create_app
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer, api_settings, load_org
from tests.api.test_hardening import SlowStore

COMMUNITIES = '["slack:k8s-guild", "slack:sales-floor"]'


def bridges(aliases: int, tag: str) -> str:
    """``aliases`` bridges between two communities in one new document (``tag``: no two alike, none cached)."""
    calls = " ".join(f"b{i}: bridges(first: 1, communityIds: {COMMUNITIES}) {{ person {{ id }} }}"
                     for i in range(aliases))
    return f"{{ t{tag}: __typename {calls} }}"


def test_shares_go_to_the_principal_with_least_in_flight_then_the_one_served_longest_ago() -> None:
    async def scenario() -> tuple[list[str], FairShares]:
        shares = FairShares(budget=10)
        order: list[str] = []
        release: dict[str, asyncio.Event] = {}

        async def request(name: str) -> None:
            who = name[0]  # a1, a2, ... are principal a's requests
            release[name] = asyncio.Event()
            await shares.acquire(who, 10)
            order.append(name)
            await release[name].wait()
            shares.release(who, 10)

        tasks = [asyncio.create_task(request(f"a{i}")) for i in range(1, 5)]  # a1 runs, a2-a4 wait
        await asyncio.sleep(0.01)
        tasks += [asyncio.create_task(request("b1")), asyncio.create_task(request("c1"))]
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(request("b2")))
        await asyncio.sleep(0.01)
        for _ in range(len(tasks)):
            running = order[-1]
            release[running].set()
            await asyncio.sleep(0.01)
        await asyncio.gather(*tasks)
        return order, shares

    order, shares = asyncio.run(scenario())
    # a's backlog came first, yet b and c each go next; then turns alternate among those still waiting
    assert order == ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]
    assert shares.in_flight == 0
    assert shares.held == {}


def test_a_cancelled_waiter_leaves_nothing_held_or_queued() -> None:
    async def scenario() -> FairShares:
        shares = FairShares(budget=10)
        await shares.acquire("a", 10)
        waiting = asyncio.create_task(shares.acquire("b", 10))
        await asyncio.sleep(0.01)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        shares.release("a", 10)
        await asyncio.wait_for(shares.acquire("c", 10), 5)  # a deadlock guard, not a time bound
        shares.release("c", 10)
        return shares

    shares = asyncio.run(scenario())
    assert shares.in_flight == 0
    assert shares.held == {}


def test_store_reads_take_turns_and_one_principal_leaves_a_worker_free() -> None:
    """Four workers: principal a alone takes three (all but one), b's read queued after all of a's starts at once on
    the fourth; with c waiting too, a (over its equal part) starts nothing until it is under it again."""
    pool = FairPool(4, "test-fair")
    started: list[str] = []
    lock = threading.Lock()
    gates = {name: threading.Event() for name in ("a1", "a2", "a3", "a4", "a5", "a6", "b1", "c1", "c2")}

    def read(name: str) -> str:
        with lock:
            started.append(name)
        assert gates[name].wait(30)  # a deadlock guard, not a time bound
        return name

    def submit(name: str) -> Any:
        token = store_turn.set(name[0])
        try:
            return pool.submit(read, name)
        finally:
            store_turn.reset(token)

    def wait_for(n: int) -> None:
        deadline = time.monotonic() + 30
        while len(started) < n and time.monotonic() < deadline:
            time.sleep(0.01)

    try:
        with pool._ready:  # every read queued before any worker takes one: b1 waits beside a's six from the start
            futures = [submit(f"a{i}") for i in range(1, 7)] + [submit("b1")]
        wait_for(4)
        assert sorted(started) == ["a1", "a2", "a3", "b1"]
        futures += [submit("c1"), submit("c2")]
        # b done: a and c share the four workers, two each; a holds three, so c goes first twice, then a again
        for n, name in enumerate(("b1", "a1", "a2")):
            gates[name].set()
            wait_for(5 + n)
        assert started[4:] == ["c1", "c2", "a4"]
        for gate in gates.values():
            gate.set()
        assert sorted(f.result(30) for f in futures) == sorted(gates)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_one_principal_flooding_expensive_documents_does_not_starve_another(tmp_path: Path) -> None:
    """Six connections of one analyst each keep sending three aliased bridges (each document the whole expensive
    budget here, so they run one at a time and five wait); a second analyst's one bridges query is served as soon as
    the document running when it arrived is done, not after the flood's backlog (FIFO, it waited behind all five)."""
    one_doc = 3 * 2003  # three bridges calls (STORE_CALL_COST each, plus fields): the cost gate's whole budget
    settings = api_settings(tmp_path, max_inflight_cost=one_doc, request_timeout_s=60.0)
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    slow: Any = SlowStore(store, delay=0.3, reads=("brokers",))
    flooder = mint_token(settings, sub="hr:flooder", role=Role.ANALYST)
    other = mint_token(settings, sub="hr:other", role=Role.ANALYST)
    try:
        r, served_after, events, flood_codes = _flood_then_ask(
            create_app(settings, store=slow), lambda i, k: bridges(3, f"f{i}x{k}"), flooder, connections=6,
            started=2, settle=0.3, ask=bridges(1, "other"), asker=other)  # started: the flood runs, its backlog queued
        assert r.status_code == 200
        body = r.json()
        assert "errors" not in body, body
        assert len(body["data"]["b0"]) == 1
        assert flood_codes == []  # the flood is answered too, just in its turn
        # served after the document running when it arrived (and at most one finishing as it was sent), not after
        # the five waiting before it
        assert served_after <= 2, events
    finally:
        time.sleep(0.5)
        store.close()
        gc.collect()


def test_light_slots_go_in_turns_between_principals_with_no_cap_on_one_alone() -> None:
    """Cheap queries: one principal alone takes every slot, in arrival order; another principal's query arriving
    behind its backlog gets the next slot freed, not the one after the backlog."""
    async def scenario() -> tuple[list[str], int]:
        gate = CostGate(budget=100, light_slots=2)
        order: list[str] = []
        release: dict[str, asyncio.Event] = {}

        async def request(name: str) -> None:
            release[name] = asyncio.Event()
            async with gate.admit(LIGHT_COST, who=name[0]):
                order.append(name)
                await release[name].wait()

        tasks = []
        for i in range(1, 7):  # a1 and a2 take both slots (no cap alone); a3-a6 wait in arrival order
            tasks.append(asyncio.create_task(request(f"a{i}")))
            await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(request("b1")))
        await asyncio.sleep(0.01)
        started = len(order)
        release["a1"].set()  # a slot frees: whose turn?
        await asyncio.sleep(0.01)
        for event in release.values():
            event.set()
        await asyncio.gather(*tasks)
        return order, started

    order, started = asyncio.run(scenario())
    assert started == 2
    assert order[:3] == ["a1", "a2", "b1"]  # b1 next, before a3-a6 that came first
    assert order[3:] == ["a3", "a4", "a5", "a6"]


def test_one_principal_flooding_cheap_queries_does_not_queue_another_behind_its_backlog(tmp_path: Path) -> None:
    """Twelve connections of one employee keep sending cheap introduction paths (0.3 s of store work each, two light
    slots): a second employee's one-field query starts at the next freed slot. In one first come, first served
    queue it waited behind the whole backlog: 0.65 s at the median and up to 4 s on the 600-person demo, past the
    request timeout with a few hundred connections."""
    settings = api_settings(tmp_path, light_concurrency=2, request_timeout_s=60.0)
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    slow: Any = SlowStore(store, delay=0.3, reads=("introduction_path",))
    flooder = mint_token(settings, sub="hr:flooder", role=Role.EMPLOYEE)
    other = mint_token(settings, sub="hr:other", role=Role.EMPLOYEE)
    try:
        r, served_after, events, flood_codes = _flood_then_ask(
            create_app(settings, store=slow),
            lambda i, k: f'{{ t{i}x{k}: introductionPath(fromId: "hr:E0001", toId: "hr:E0003") {{ id }} }}',
            flooder, connections=12, started=4, settle=0.2,  # started: ten of its queries queued behind two in flight
            ask='{ person(id: "hr:E0001") { name } }', asker=other)
        assert r.status_code == 200
        assert r.json() == {"data": {"person": {"name": "Person 1"}}}
        assert flood_codes == []
        # after the two queries running when it arrived (and one finishing as it was sent), not after the ten queued
        assert served_after <= 3, events
    finally:
        time.sleep(0.5)
        store.close()
        gc.collect()


def _flood_then_ask(app: Any, flood_query: Callable[[int, int], str], flooder: str, *, connections: int, started: int,
                    settle: float, ask: str, asker: str) -> tuple[httpx.Response, int, list[str], list[str]]:
    """``connections`` threads of ``flooder`` keep posting ``flood_query(connection, k)``; once ``started`` of them
    have come back (and ``settle`` seconds more), ``asker`` posts ``ask``. Its response, how many flood requests
    finished between its sending and its answer, the completions in order ("flood", "other") and the flood's error
    codes."""
    events: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    flood_codes: list[str] = []

    def flood(url: str, i: int) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            k = 0
            while not stop.is_set():
                k += 1
                r = http.post("/graphql", json={"query": flood_query(i, k)},
                              headers={"Authorization": f"Bearer {flooder}"})
                with lock:
                    events.append("flood")
                    flood_codes.extend(e["extensions"]["code"] for e in r.json().get("errors", []))

    with LiveServer(app) as server:
        threads = [threading.Thread(target=flood, args=(server.url, i)) for i in range(connections)]
        for t in threads:
            t.start()
        try:
            while len(events) < started:
                time.sleep(0.05)
            time.sleep(settle)
            with lock:
                before = len(events)
            with httpx.Client(base_url=server.url, timeout=120) as http:
                r = http.post("/graphql", json={"query": ask}, headers={"Authorization": f"Bearer {asker}"})
            with lock:
                events.append("other")
                served_after = events[before:].count("flood")
        finally:
            stop.set()
            for t in threads:
                t.join()
    return r, served_after, events, flood_codes
