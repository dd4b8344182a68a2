"""Store reads stop when the request that asked for them gives up (graph/store/deadline.py), so slow reads given
up on no longer hold the store workers: cheap queries still answer while slow ones time out.

Before, a read went on in its worker after its request had answered TIMEOUT; on a store slower than the timeout
the eight light workers filled with such reads and every cheap query and readiness probe timed out as well. The
slow read here is real SQLite work (tests/expensive_store.py: a minute of it unless stopped), not a sleep.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from pathlib import Path

import anyio

from app.auth import Principal, Role
from app.gateway import LIGHT_WORKERS, StoreGateway, light_lane
from app.graphql.context import Context
from app.graphql.executor import GraphQLExecutor
from app.main import create_app
from schema.errors import StoreTimeout
from tests.api.conftest import Api, LiveServer, api_settings, load_org
from tests.expensive_store import ExpensiveStore

SLOW = '{ experts(skill: "kubernetes", first: 1) { totalCount } }'  # light by cost, slow in the store


def test_light_workers_are_free_again_at_the_callers_deadline(tmp_path: Path) -> None:
    """Twice as many slow light reads as light workers, each given up after 0.3 s: a cheap light read then gets a
    worker and answers (before, it waited for minutes of reads nobody wanted)."""
    store = ExpensiveStore(tmp_path / "w.db")
    load_org(store)
    gateway = StoreGateway(store)

    async def slow() -> str:
        try:
            with anyio.fail_after(0.3):
                await gateway.experts("kubernetes", first=1)
        except (TimeoutError, StoreTimeout):
            return "gave up"
        return "answered"

    async def scenario() -> tuple[list[str], list[str], float]:
        light_lane.set(True)  # in this task's context: the reads below go to the light workers
        outcomes = await asyncio.gather(*(slow() for _ in range(2 * LIGHT_WORKERS)))
        start = time.perf_counter()
        with anyio.fail_after(30):  # a deadlock guard, not a timing bound
            skills = await gateway.skills(first=2)
        return outcomes, [s.name for s in skills], time.perf_counter() - start

    try:
        outcomes, skills, waited = asyncio.run(scenario())
        start = time.perf_counter()
        gateway.shutdown(wait=True)  # every worker's read has ended (and none is left to race the store's close)
        drained = time.perf_counter() - start
        assert outcomes == ["gave up"] * (2 * LIGHT_WORKERS)
        assert skills == [s.name for s in store.skills(first=2)]
        assert skills  # the org has skills: an empty answer would prove nothing
        # generous bounds: without the deadline, every light worker reads on for about a minute
        assert waited < 10.0
        assert drained < 10.0
        assert store.counted is None  # no expensive statement ran to its end
        assert not gateway.down  # a read stopped at its deadline is no store fault
    finally:
        gateway.shutdown(wait=True)
        store.close()


def test_cheap_queries_answer_after_slow_ones_time_out(tmp_path: Path) -> None:
    """Over HTTP: twelve slow queries (more than the light workers) each answer TIMEOUT at the request timeout,
    then a cheap query answers correctly and /readyz stays ready (the store is not marked down)."""
    settings = api_settings(tmp_path, request_timeout_s=0.5)
    store = ExpensiveStore(tmp_path / "w.db")
    load_org(store)
    slow_codes: list[list[str]] = []
    try:
        with LiveServer(create_app(settings, store=store)) as server:
            client = Api(server.url, settings)
            expected = client.data("{ skills(first: 2) { name } }")

            def slow(i: int) -> None:
                other = Api(server.url, settings)
                slow_codes.append(other.codes(SLOW + " " * i))  # each new, so none shares another's answer
                other.http.close()

            threads = [threading.Thread(target=slow, args=(i,)) for i in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert slow_codes == [["TIMEOUT"]] * 12
            start = time.perf_counter()
            assert client.data("{ skills(first: 2) { name } }") == expected
            cheap = time.perf_counter() - start
            assert client.http.get("/readyz").status_code == 200
            client.http.close()
        assert cheap < 5.0  # generous: it answered rather than timing out behind minutes of abandoned reads
        assert store.counted is None
    finally:
        store.close()
        gc.collect()


def test_a_request_shares_one_deadline_between_preparing_and_answering(tmp_path: Path) -> None:
    """A document that waited most of the timeout to be prepared (its lane held by others) then reads slowly: the
    answer comes at the request's one deadline. Before, preparing and answering had a full timeout each, and this
    request answered after both (3.6 s for a 2 s timeout)."""
    timeout = 2.0
    settings = api_settings(tmp_path, request_timeout_s=timeout)
    store = ExpensiveStore(tmp_path / "w.db")
    load_org(store)
    app = create_app(settings, store=store)
    executor: GraphQLExecutor = app.state.executor
    gateway: StoreGateway = app.state.gateway
    query = SLOW + " # fresh"
    ctx = Context(principal=Principal(sub="t", role=Role.EMPLOYEE), gateway=gateway, settings=settings,
                  services=app.state.services)

    async def scenario() -> tuple[bytes, float]:
        lane = executor.documents.lane(query)
        holders = [object() for _ in range(int(lane.total_tokens))]
        for holder in holders:
            await lane.acquire_on_behalf_of(holder)

        async def release_later() -> None:
            await anyio.sleep(0.8 * timeout)
            for holder in holders:
                lane.release_on_behalf_of(holder)

        releasing = asyncio.get_running_loop().create_task(release_later())
        start = time.perf_counter()
        answer = await executor.respond(query, None, None, ctx)
        await releasing
        return answer.body, time.perf_counter() - start

    try:
        body, took = asyncio.run(scenario())
        gateway.shutdown(wait=True)
        assert json.loads(body)["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert took >= 0.8 * timeout  # it did wait for its lane
        assert took < 1.45 * timeout  # generous for one deadline (2 s); two timeouts made it 3.6 s
    finally:
        executor.shutdown()
        gateway.shutdown(wait=True)
        store.close()
