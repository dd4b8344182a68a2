"""The pages share the API's store workers: expensive API queries in flight must not hold a person's search page.

Over plain HTTP (no browser), on the web tests' demo store wrapped so that its ``brokers`` read is slow (bridges
between many communities take seconds on a large organisation: 1.7 s for 63 of them on the 2,000-person demo).
"""

from __future__ import annotations

import gc
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from app.auth import Role, mint_token
from app.main import create_app
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.api.test_hardening import SlowStore
from tests.web.conftest import sign_in_link

BRIDGES = "query B($ids: [ID!]) { bridges(first: 5, communityIds: $ids) { person { id } } }"


def test_search_page_answers_while_expensive_api_queries_hold_the_store_workers(
    demo_db: Path, web_settings: Settings
) -> None:
    """Four bridges queries (expensive: each holds a store worker for 2 s) against two workers: the search page
    used to queue its reads behind them (14.6 s in the adversarial pass, for eight such queries on the demo)."""
    settings = web_settings.model_copy(update={"store_workers": 2})
    store = SQLiteStore(demo_db)
    slow: Any = SlowStore(store, delay=2.0, reads=("brokers",))
    try:
        with LiveServer(create_app(settings, store=slow)) as server, \
                httpx.Client(base_url=server.url, timeout=60) as page, \
                httpx.Client(base_url=server.url, timeout=60) as api:
            assert page.get(sign_in_link(settings, server.url, "hr:E00001", "Em Ployee", Role.EMPLOYEE)
                            ).status_code == 303
            ids = [c["id"] for c in api.post(
                "/graphql", json={"query": "{ communities(first: 3) { id } }"},
                headers={"Authorization": f"Bearer {mint_token(settings, sub='t', role=Role.ANALYST)}"},
            ).json()["data"]["communities"]]
            token = mint_token(settings, sub="t", role=Role.ANALYST)

            def bridges(i: int) -> None:
                api.post("/graphql", json={"query": BRIDGES + " " * i, "variables": {"ids": ids}},
                         headers={"Authorization": f"Bearer {token}"})

            assert page.get("/search", params={"skill": "python"}).status_code == 200  # warm
            threads = [threading.Thread(target=bridges, args=(i,)) for i in range(4)]
            for t in threads:
                t.start()
            time.sleep(0.3)
            slowest = 0.0
            while any(t.is_alive() for t in threads):
                start = time.perf_counter()
                assert page.get("/search", params={"skill": "python"}).status_code == 200
                slowest = max(slowest, time.perf_counter() - start)
                time.sleep(0.05)
            for t in threads:
                t.join()
            assert slowest < 1.0
    finally:
        time.sleep(2.0)  # let abandoned workers finish before the store closes
        store.close()
        gc.collect()


def test_ask_page_is_served_while_another_principal_floods_expensive_documents(
    demo_db: Path, web_settings: Settings
) -> None:
    """The /ask page's ``expertsFor`` is expensive work, in the same lane as the API's: one analyst flooding
    documents of three aliased bridges (each read 1 s, on two store workers) used to queue the page's reads behind
    the whole flood (21-42 of 41-48 such pages timed out in the adversarial pass). Its reads now take turns with the
    flood's, and the flood keeps one worker free: the page answers while hardly any of the flood's documents end."""
    settings = web_settings.model_copy(update={"store_workers": 2})
    store = SQLiteStore(demo_db)
    slow: Any = SlowStore(store, delay=1.0, reads=("brokers",))
    flooder = mint_token(settings, sub="hr:flooder", role=Role.ANALYST)
    flood_done: list[int] = []
    stop = threading.Event()
    try:
        with LiveServer(create_app(settings, store=slow)) as server, \
                httpx.Client(base_url=server.url, timeout=60) as page:
            assert page.get(sign_in_link(settings, server.url, "hr:E00001", "Em Ployee", Role.EMPLOYEE)
                            ).status_code == 303
            ids = [c["id"] for c in httpx.post(
                f"{server.url}/graphql", json={"query": "{ communities(first: 3) { id } }"},
                headers={"Authorization": f"Bearer {flooder}"}).json()["data"]["communities"]]
            calls = " ".join(f"b{i}: bridges(first: 5, communityIds: $ids) {{ person {{ id }} }}" for i in range(3))

            def flood(i: int) -> None:
                with httpx.Client(base_url=server.url, timeout=60) as http:
                    k = 0
                    while not stop.is_set():
                        k += 1
                        http.post("/graphql", json={"query": f"query F{i}x{k}($ids: [ID!]) {{ {calls} }}",
                                                    "variables": {"ids": ids}},
                                  headers={"Authorization": f"Bearer {flooder}"})
                        flood_done.append(1)

            ask = {"question": "how do I debug a kubernetes pod", "skills": "kubernetes"}
            assert page.get("/ask", params=ask).status_code == 200  # warm
            threads = [threading.Thread(target=flood, args=(i,)) for i in range(6)]
            for t in threads:
                t.start()
            try:
                time.sleep(0.5)  # the flood's reads are queued now
                during = 0
                for _ in range(3):
                    before = len(flood_done)
                    r = page.get("/ask", params=ask)
                    during += len(flood_done) - before
                    assert r.status_code == 200
                    assert "took too long" not in r.text
                    assert "data-rank=\"1\"" in r.text  # experts listed
            finally:
                stop.set()
                for t in threads:
                    t.join()
            assert flood_done  # the flood was answered too
            assert during <= 2  # served beside the flood, not after its backlog (first come, first served: 6+)
    finally:
        time.sleep(1.0)
        store.close()
        gc.collect()
