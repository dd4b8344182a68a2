"""A SQLite read stops at its caller's deadline (graph/store/deadline.py); reads without one are as before.

On a real file, with a genuinely expensive statement (tests/expensive_store.py): a minute of SQLite's work unless
stopped, so a read that ends with StoreTimeout within seconds was stopped by the deadline, not by its end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store.deadline import current, reads_until, remaining
from graph.store.sqlite import SQLiteStore
from schema.errors import StoreTimeout, StoreUnavailable
from tests.expensive_store import ExpensiveStore
from tests.factories import small_org


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ExpensiveStore]:
    store = ExpensiveStore(tmp_path / "w.db")
    store.write_batch(small_org())
    yield store
    store.close()


def test_a_read_past_its_deadline_is_stopped_and_the_connection_serves_on(store: ExpensiveStore) -> None:
    with reads_until(time.monotonic() + 0.2), pytest.raises(StoreTimeout):
        store.experts("python")
    assert store.counted is None  # the expensive statement never finished
    # the same thread's connection, no deadline now: not left in a transaction, no handler left to stop it
    store.steps = 200_000
    assert store.experts("python") == SQLiteStore.experts(store, "python")  # the real read's answer
    assert store.counted == 200_000
    store.ping()


def test_reads_without_a_deadline_run_to_their_end(store: ExpensiveStore) -> None:
    store.steps = 2_000_000  # about half a second of SQLite's work
    with reads_until(None):
        store.experts("python")
    assert store.counted == 2_000_000


def test_a_read_whose_deadline_has_passed_is_not_started(store: ExpensiveStore) -> None:
    with reads_until(time.monotonic() - 1.0), pytest.raises(StoreTimeout) as info:
        store.person_ids()
    assert not isinstance(info.value, StoreUnavailable)  # a slow request, not a store fault


def test_writes_are_never_stopped_by_a_readers_deadline(store: ExpensiveStore) -> None:
    with reads_until(time.monotonic() - 1.0):
        store.set_meta("note", "written")
    assert store.get_meta("note") == "written"


def test_deadlines_nest_to_the_earliest_unless_replaced() -> None:
    assert current() is None
    assert remaining() is None
    with reads_until(100.0):
        with reads_until(200.0) as inner:
            assert inner == 100.0
        with reads_until(None) as inner:
            assert inner == 100.0
        with reads_until(None, replace=True) as inner:
            assert inner is None
            assert current() is None
        with reads_until(50.0) as inner:
            assert inner == 50.0
        assert current() == 100.0
    assert current() is None
