"""Answers far larger than their requests (adversarial pass v2). An alias is repeated once per item of every list
around it, so 20 aliases of 10,000 characters under ``communities { members }`` turned a 200 KB request into a
53 MB answer, and the response cache, bounded only by its number of entries, kept each such answer: a few dozen
requests, each with a new alias, took gigabytes. Aliases are capped, answers are capped, the cache is bounded in
bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.auth import Role
from app.graphql import documents
from app.graphql.analysis import MAX_ALIAS_CHARS
from app.graphql.cache import ResponseCache, entry_key_size
from app.main import create_app
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import Api, CountingStore, LiveServer, api_settings, load_org

MEMBERS = '{ communities(first: 100) { members(first: 20) { edges { node { %s } } } } }'


def _aliases(length: int, n: int = 1) -> str:
    return " ".join(f"{'a' * (length - 2)}{i:02d}: id" for i in range(n))


def test_an_alias_over_the_cap_is_refused_before_anything_runs(api: Api) -> None:
    long = _aliases(MAX_ALIAS_CHARS + 1, n=20)
    r = api.post(MEMBERS % long)
    assert r.status_code == 200
    body = r.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"an alias of {MAX_ALIAS_CHARS + 1} characters; at most {MAX_ALIAS_CHARS}" in body["errors"][0]["message"]
    assert len(r.content) < 1000  # one short error, not the 20 aliases times every member


def test_an_alias_in_a_fragment_or_on_a_leaf_counts_too(api: Api) -> None:
    long = "b" * (MAX_ALIAS_CHARS + 1)
    for query in (f"{{ ...F }} fragment F on Query {{ {long}: __typename }}",
                  f'{{ experts(skill: "kubernetes") {{ {long}: totalCount }} }}'):
        assert api.codes(query) == ["BAD_USER_INPUT"], query


def test_an_alias_at_the_cap_is_answered(api: Api) -> None:
    alias = _aliases(MAX_ALIAS_CHARS)
    data = api.data(MEMBERS % alias)
    edges = [e for c in data["communities"] for e in c["members"]["edges"]]
    assert edges
    assert all(list(e["node"]) == [alias.split(":")[0]] for e in edges)


@pytest.fixture
def small_answers(tmp_path: Path) -> Iterator[tuple[Api, CountingStore]]:
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    counting = CountingStore(store)
    settings = api_settings(tmp_path, max_response_bytes=2_000, response_cache_ttl_s=30)
    with LiveServer(create_app(settings, store=counting)) as server:  # type: ignore[arg-type]
        api = Api(server.url, settings)
        yield api, counting
        api.http.close()
    store.close()


def test_an_answer_over_the_byte_cap_is_refused_and_not_cached(small_answers: tuple[Api, CountingStore]) -> None:
    api, counting = small_answers
    big = '{ communities(first: 10) { members(first: 30) { edges { node { id name email } } } } }'
    for _ in range(2):
        r = api.post(big, role=Role.EMPLOYEE)
        assert r.status_code == 200
        error = r.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "at most 2000 are sent" in error["message"]
    assert counting.calls["communities"] == 2  # executed again: a refused answer is never kept
    small = api.post('{ communities(first: 1) { id } }')
    assert small.json()["data"]["communities"][0]["id"]


def test_the_response_cache_is_bounded_in_bytes() -> None:
    cache = ResponseCache(ttl_s=60, max_entries=1000, max_bytes=1600)
    for i in range(10, 40):
        cache.put((1, 1, None, f"q{i}", "", None), b"x" * 90)
    assert cache.size <= 1600
    assert len(cache) == 1600 // 93
    assert cache.get((1, 1, None, "q39", "", None)) is not None  # the newest kept, the oldest dropped
    assert cache.get((1, 1, None, "q10", "", None)) is None
    cache.put((1, 1, None, "huge", "", None), b"x" * 101)  # over a sixteenth of the budget: never kept
    assert cache.get((1, 1, None, "huge", "", None)) is None
    kept = len(cache)
    cache.put((1, 1, None, "q39", "", None), b"y" * 10)  # replacing an entry counts its new size only
    assert cache.size == 93 * (kept - 1) + 13  # each entry's body and its key's text ("q29")
    cache.clear()
    assert (cache.size, len(cache)) == (0, 0)


def test_padded_documents_are_held_within_the_caches_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each new document padded with a long comment (no tokens, a small answer) was kept whole as the key of a
    response-cache entry and of a prepared document, neither counted: 2,600 such requests of 250 KB grew the
    server by 430 MB. Both caches now count the text they hold."""
    monkeypatch.setattr(documents, "CACHE_CHARS", 300_000)
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    settings = api_settings(tmp_path, response_cache_ttl_s=60)
    app = create_app(settings, store=store)
    cache: ResponseCache = app.state.services.response_cache
    cache.max_bytes, cache.max_entry_bytes = 300_000, 100_000
    try:
        with LiveServer(app) as server:
            api = Api(server.url, settings)
            for i in range(12):
                padded = "{ skills(first: 1) { name } } #" + str(i) + "p" * 50_000
                assert api.data(padded)["skills"]
            held = sum(entry_key_size(k) + len(body) for k, (_, _, body, *_) in cache._entries.items())
            assert 0 < held <= 300_000
            assert sum(len(q) for q in app.state.schema.documents._cache) <= 300_000
            assert api.data("{ skills(first: 1) { name } }")["skills"]
            api.http.close()
    finally:
        store.close()


def test_documents_stopped_at_the_token_cap_are_remembered_without_what_the_parser_read(tmp_path: Path) -> None:
    """A document over the token cap is refused by the parser, and its outcome is cached so a repeat costs nothing.
    The cached error used to keep its traceback, whose frames held the parser's tokens and half-built nodes (3 MB a
    document): a flood of new ones grew the demo's server to 1.5 GB and the collector's full passes over that stalled
    /healthz and cheap queries for up to 11 s. Twenty such documents, each new, now hold about 1 MB."""
    import gc
    import tracemalloc

    from app.graphql.documents import MAX_TOKENS

    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    settings = api_settings(tmp_path)
    app = create_app(settings, store=store)
    try:
        with LiveServer(app) as server:
            api = Api(server.url, settings)
            assert api.data("{ __typename }")  # warm: the first request's one-off allocations are not counted
            gc.collect()
            tracemalloc.start()
            try:
                for i in range(20):
                    body = api.gql(f"{{ a{i}: __typename " + "__typename " * MAX_TOKENS + "}")
                    assert "more than 5000 tokens" in body["errors"][0]["message"], body
                gc.collect()
                # what graphql-core's parser allocated and is still held (its tokens and nodes), not the whole
                # process: the suite's other servers and threads allocate meanwhile (28 MB once, under load)
                parsed = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, "*/graphql/*")])
                held = sum(stat.size for stat in parsed.statistics("filename"))
            finally:
                tracemalloc.stop()
            cached = [p for q, p in app.state.schema.documents._cache.items() if "__typename __typename" in q]
            assert len(cached) == 20
            assert all(e.__traceback__ is None for p in cached for e in p.errors)
            assert held < 10_000_000  # with the tracebacks: about 64 MB (20 x 3.2 MB)
            api.http.close()
    finally:
        store.close()
