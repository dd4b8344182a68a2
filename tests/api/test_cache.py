"""The response cache: repeated queries are served from memory for a few seconds, per role, never mutations or
errors, and fresh data shows once the entry expires or an analytics run clears it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.auth import Role
from app.main import create_app
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import Person
from tests.api.conftest import Api, CountingStore, LiveServer, api_settings, load_org, pid

Q = '{ experts(skill: "kubernetes", first: 3) { totalCount edges { node { person { id name } } } } }'


@pytest.fixture
def cached(tmp_path: Path) -> Iterator[tuple[Api, CountingStore, SQLiteStore]]:
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    counting = CountingStore(store)
    settings = api_settings(tmp_path, response_cache_ttl_s=0.5)
    with LiveServer(create_app(settings, store=counting)) as server:  # type: ignore[arg-type]
        api = Api(server.url, settings)
        yield api, counting, store
        api.http.close()
    store.close()


def test_repeated_query_is_served_from_cache_then_expires(cached: tuple[Api, CountingStore, SQLiteStore]) -> None:
    api, counting, store = cached
    first = api.post(Q)
    second = api.post(Q)
    assert first.content == second.content
    assert counting.calls["experts"] == 1
    # another process renames the top expert; the cached answer holds until it expires, then the new one shows
    top = first.json()["data"]["experts"]["edges"][0]["node"]["person"]["id"]
    person = store.people([top]).get(top)
    assert person is not None
    store.write_batch(Batch(people=[Person(**{**person.model_dump(), "name": "Renamed Person"})]))
    deadline = time.monotonic() + 10
    while "Renamed Person" not in api.post(Q).text:
        assert time.monotonic() < deadline, "the cache never expired"
        time.sleep(0.1)
    metrics = api.http.get("/metrics").text
    assert re.search(r"^whoknows_graphql_cache_hits_total [1-9]", metrics, re.M)


def test_cache_is_per_role_and_skips_errors(cached: tuple[Api, CountingStore, SQLiteStore]) -> None:
    api, counting, _ = cached
    q = '{ person(id: "hr:E0001") { id scores { pagerank } } }'
    employee = api.gql(q, role=Role.EMPLOYEE)
    analyst = api.gql(q, role=Role.ANALYST)
    assert employee["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" not in analyst
    assert api.gql(q, role=Role.EMPLOYEE)["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert counting.calls["people"] == 3  # the FORBIDDEN answers were not cached; the analyst's was new


def test_mutations_are_never_cached(cached: tuple[Api, CountingStore, SQLiteStore]) -> None:
    api, _, _ = cached
    q = "mutation { runAnalytics { id } }"
    assert api.codes(q, role=Role.ANALYST) == ["FORBIDDEN"]
    assert api.codes(q, role=Role.ANALYST) == ["FORBIDDEN"]


def test_concurrent_misses_run_the_query_once(tmp_path: Path) -> None:
    """Single flight: 8 clients asking the same uncached query at once cost one store read."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.api.test_hardening import SlowStore

    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    counting = CountingStore(SlowStore(store, delay=0.5))  # type: ignore[arg-type]
    settings = api_settings(tmp_path, response_cache_ttl_s=30.0)
    try:
        with LiveServer(create_app(settings, store=counting)) as server:  # type: ignore[arg-type]
            api = Api(server.url, settings)
            with ThreadPoolExecutor(8) as pool:
                bodies = list(pool.map(lambda _: api.post(Q).content, range(8)))
            assert len(set(bodies)) == 1
            assert b'"totalCount":28' in bodies[0]
            assert counting.calls["experts"] == 1
            api.http.close()
    finally:
        store.close()


def test_stale_entries_are_refreshed_in_the_background(cached: tuple[Api, CountingStore, SQLiteStore]) -> None:
    api, counting, _ = cached
    api.post(Q)
    time.sleep(0.6)  # past the fresh window (0.5 s), inside the stale one
    stale = api.post(Q)
    assert stale.status_code == 200
    deadline = time.monotonic() + 10
    while counting.calls["experts"] < 2:  # the stale hit triggered exactly one background refresh
        assert time.monotonic() < deadline, "no background refresh"
        time.sleep(0.05)
    assert counting.calls["experts"] == 2


def test_a_commit_from_another_process_is_never_served_stale(tmp_path: Path) -> None:
    """A long TTL, then an opt-out committed through another connection (as `whoknows ingest` would): the very
    next answer leaves the person out, because cached answers are keyed by the store's data version."""
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    settings = api_settings(tmp_path, response_cache_ttl_s=600.0)
    with LiveServer(create_app(settings, store=store)) as server:
        api = Api(server.url, settings)
        first = api.post(Q)
        assert api.post(Q).content == first.content  # served from the cache
        top = first.json()["data"]["experts"]["edges"][0]["node"]["person"]["id"]
        other = SQLiteStore(tmp_path / "w.db")  # a second connection to the file, like another process
        person = other.people([top]).get(top)
        assert person is not None
        other.write_batch(Batch(people=[person.model_copy(update={"opted_out": True})]))
        other.close()
        after = api.post(Q)
        assert after.status_code == 200
        assert top not in after.text
        api.http.close()
    store.close()


def test_answers_that_depend_on_the_asker_are_cached_per_asker(
    cached: tuple[Api, CountingStore, SQLiteStore], tmp_path: Path
) -> None:
    """expertsFor leaves the asker out and ranks people tied to them higher ("has worked with you"): a cached
    answer shared by role handed one employee another's ranking, naming the asker themselves and the other's
    colleagues as "worked with you". Also when the field is asked for through a fragment on the root."""
    from app.auth import mint_token

    api, _, _ = cached
    settings = api_settings(tmp_path)
    direct = '{ expertsFor(question: {skills: ["kubernetes"]}, first: 30) { experts { person { id } } } }'
    spread = ('{ ...Q } fragment Q on Query { expertsFor(question: {skills: ["kubernetes"]}, first: 30) '
              "{ experts { person { id } } } }")
    for query in (direct, spread):
        answers = {}
        for sub in (pid(2), pid(1)):  # E0001, the best on kubernetes, asks second
            token = mint_token(settings, sub=sub, role=Role.EMPLOYEE)
            r = api.http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
            answers[sub] = [e["person"]["id"] for e in r.json()["data"]["expertsFor"]["experts"]]
        assert pid(1) in answers[pid(2)]
        assert pid(1) not in answers[pid(1)], query
        assert pid(2) in answers[pid(1)]


def test_when_the_shared_query_times_out_the_others_answer_too(tmp_path: Path) -> None:
    """Single flight: the caller running a shared query was cancelled at its deadline and the cancellation went to
    everyone waiting on it, whose requests ended as 500 Internal Server Error. Now each gets a GraphQL answer (here
    TIMEOUT: the read takes 2 s against a 0.5 s timeout), within about its own timeout."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.api.test_hardening import SlowStore

    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    settings = api_settings(tmp_path, response_cache_ttl_s=30.0, request_timeout_s=0.5)
    try:
        with LiveServer(create_app(settings, store=SlowStore(store, delay=2.0))) as server:  # type: ignore[arg-type]
            api = Api(server.url, settings)

            def ask(delay: float) -> tuple[int, str, float]:
                time.sleep(delay)
                started = time.monotonic()
                r = api.post(Q)
                return r.status_code, r.text, time.monotonic() - started

            with ThreadPoolExecutor(3) as pool:
                answers = list(pool.map(ask, (0.0, 0.15, 0.3)))
            for status, text, took in answers:
                assert status == 200, text[:300]
                assert '"code":"TIMEOUT"' in text
                assert took < 2.0
            api.http.close()
    finally:
        time.sleep(2.2)  # let the abandoned reads finish before the store closes
        store.close()
