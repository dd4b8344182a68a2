"""The pages run GraphQL in-process under the same bounds as ``POST /graphql``: the cost limit, the request timeout
and the variables' limits. A page the API would refuse gets an error page (400/503), never a worker held open.

Over real HTTP against the real app on the API tests' small organisation (real SQLite, real HRIS ingest); the slow
store is the real one whose ``experts`` read sleeps, as a loaded disk or a busy Neo4j would.
"""

from __future__ import annotations

import gc
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from app.auth import Role
from app.main import create_app
from app.settings import Settings, load_settings
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import Api, LiveServer, load_org
from tests.api.test_hardening import SlowStore
from tests.factories import person
from tests.web.conftest import sign_in_link


def page_settings(tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"env": "development", "store": f"sqlite:///{tmp / 'whoknows.db'}",
                              "response_cache_ttl_s": 0.0,
                              "session_secret": "page-bounds-session-secret-0123456789abcdef"}
    return load_settings(**{**values, **overrides})


def signed_in(client: httpx.Client, settings: Settings, base_url: str, role: Role = Role.EMPLOYEE) -> None:
    link = sign_in_link(settings, base_url, "hr:E0001", "Person 1", role)
    assert client.get(link).status_code == 303


def test_a_page_over_the_cost_limit_gets_an_error_page(tmp_path: Path) -> None:
    """The person page's document costs more than 20: the API refuses such a document, so the page must too (it
    used to run it whatever its cost)."""
    settings = page_settings(tmp_path, max_cost=20)
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    try:
        with LiveServer(create_app(settings, store=store)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            signed_in(client, settings, server.url)
            r = client.get("/people/hr:E0002")
            assert r.status_code == 400, r.text[:500]
            assert "cost" in r.text
            assert "Person 2" not in r.text
    finally:
        store.close()


def test_a_page_past_the_request_timeout_gets_an_error_page(tmp_path: Path) -> None:
    """The search page's experts read takes 3 s against a 0.3 s request timeout: the page answers a 503 error page
    saying it took too long (it used to wait the 3 s out and answer 200, holding a worker meanwhile)."""
    settings = page_settings(tmp_path, request_timeout_s=0.3)
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    slow: Any = SlowStore(store, delay=3.0)
    try:
        with LiveServer(create_app(settings, store=slow)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            signed_in(client, settings, server.url)
            r = client.get("/search", params={"skill": "kubernetes"})
            assert r.status_code == 503, r.text[:500]
            assert "longer than 0.3 s" in r.text
            assert "The graph store is unavailable" not in r.text
    finally:
        time.sleep(3.2)  # let the abandoned read finish before the store closes
        store.close()
        gc.collect()


def test_a_page_store_read_past_the_request_timeout_gets_an_error_page(tmp_path: Path) -> None:
    """The pages' own store reads (facets, sizes, members, the network's ties) had no timeout at all: the search
    page's facets read taking 3 s against a 0.3 s timeout answered 200 after 3 s. Now a 503 'took too long' page."""
    settings = page_settings(tmp_path, request_timeout_s=0.3)
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    slow: Any = SlowStore(store, delay=3.0, reads=("directory_facets",))
    try:
        with LiveServer(create_app(settings, store=slow)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            signed_in(client, settings, server.url)
            r = client.get("/search", params={"skill": "kubernetes", "location": "Berlin"})
            assert r.status_code == 503, r.text[:500]
            assert "That took too long" in r.text
            assert "longer than 0.3 s" in r.text
    finally:
        time.sleep(3.2)  # let the abandoned read finish before the store closes
        store.close()
        gc.collect()


def test_a_name_with_a_direction_override_is_isolated(tmp_path: Path) -> None:
    """A name holding U+202E (right-to-left override) reversed the text after it on the page ("· Sales · Berlin",
    the next result's evidence) up to the end of the paragraph: names shown on pages are isolated in ``<bdi>``."""
    settings = page_settings(tmp_path)
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    name = "Eve \u202egnp.exe"
    store.write_batch(Batch(people=[person(2, name=name, department="Sales", location="Paris")]))
    try:
        with LiveServer(create_app(settings, store=store)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client:
            signed_in(client, settings, server.url)
            shown = client.get("/people/hr:E0002").text
            assert f"<h1><bdi>{name}</bdi>" in shown
            listed = client.get("/search", params={"skill": "python"}).text
            assert f"<bdi>{name}</bdi></a>" in listed
            assert f">{name}</a>" not in listed
    finally:
        store.close()


def test_a_page_of_several_reads_answers_within_one_deadline(tmp_path: Path) -> None:
    """Each read was bounded by the request timeout, but not the page: the community page's four reads in turn
    (the community, the last run, the leaderboard, the health), 0.8 s each against a 1 s timeout, answered 200
    after 3.2 s. Now the page's reads share one deadline: a 503 'took too long' page after about 1 s, while another
    page, reading nothing slow, answers meanwhile (three of the four are slowed: the last run is also the data's
    clock, which every page's explanations read)."""
    settings = page_settings(tmp_path, request_timeout_s=1.0)
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    slow: Any = SlowStore(store, delay=0.8, reads=("community", "community_contributors", "community_health"))
    try:
        with LiveServer(create_app(settings, store=slow)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client, ThreadPoolExecutor(2) as pool:
            signed_in(client, settings, server.url, role=Role.ANALYST)
            started = time.monotonic()
            slow_page = pool.submit(client.get, "/communities/slack:k8s-guild")
            time.sleep(0.2)
            other = client.get("/people/hr:E0002")
            other_took = time.monotonic() - started
            r = slow_page.result()
            took = time.monotonic() - started
            assert r.status_code == 503, r.text[:500]
            assert "That took too long" in r.text
            assert "longer than 1 s" in r.text
            assert took < 2.0, f"the page took {took:.2f} s against a 1 s deadline (three 0.8 s reads: 2.4 s)"
            assert other.status_code == 200, other.text[:500]
            assert "Person 2" in other.text
            assert other_took < 2.5
    finally:
        time.sleep(1.0)  # let the abandoned read finish before the store closes
        store.close()
        gc.collect()


def test_pages_giving_up_slow_reads_do_not_starve_the_api(tmp_path: Path) -> None:
    """A page gives up a slow read at its deadline, but the worker thread reads on. The pages' reads shared the
    API's light workers, so twelve search pages whose facets read took 3 s held all of them, and a cheap API query
    (its data-version read goes there) timed out meanwhile. The pages' reads now have workers of their own."""
    settings = page_settings(tmp_path, request_timeout_s=1.0, jwt_secret="page-bounds-jwt-secret-0123456789abcdef")
    store = SQLiteStore(tmp_path / "whoknows.db")
    load_org(store)
    slow: Any = SlowStore(store, delay=3.0, reads=("directory_facets",))
    try:
        with LiveServer(create_app(settings, store=slow)) as server, \
                httpx.Client(base_url=server.url, timeout=30) as client, ThreadPoolExecutor(12) as pool:
            signed_in(client, settings, server.url)
            api = Api(server.url, settings)
            pages = [pool.submit(client.get, "/search", params={"skill": "kubernetes", "location": "Berlin"})
                     for _ in range(12)]
            time.sleep(1.3)  # the pages have given up; their reads still run
            for _ in range(3):
                body = api.gql('{ person(id: "hr:E0002") { id } }')
                assert body == {"data": {"person": {"id": "hr:E0002"}}}, body
            assert [p.result().status_code for p in pages] == [503] * 12
            api.http.close()
    finally:
        time.sleep(3.2)  # let the abandoned reads finish before the store closes
        store.close()
        gc.collect()
