"""A write made for a caller with a deadline (an API request) while another writer holds the lock it needs, on both
stores: it gives up before the deadline as StoreBusy (never StoreUnavailable's "the store is down"), having changed
nothing, while reads go on; and a person's choice covers their former records in that one write, so it is whole or
absent, never half-applied (app/graphql/visibility.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from graph.store import deadline
from graph.store.base import Batch, GraphStore
from schema.errors import StoreBusy
from schema.models import Person

AT = datetime(2026, 12, 5, 2, 30, tzinfo=UTC)
OLD, OLDER, NEW = "hr:100", "hr:050", "hr:200"


def rehired(store: GraphStore) -> None:
    store.write_batch(Batch(people=[Person(id=OLD, name="Dana", email="dana@x.com", active=False),
                                    Person(id=OLDER, name="Dana", email="dana@x.com", active=False),
                                    Person(id=NEW, name="Dana", email="dana@x.com")]))


@contextmanager
def lock_held(store: GraphStore, backend: str) -> Iterator[None]:
    """Another writer (another process, for SQLite) holds the lock a choice on ``NEW`` needs, uncommitted."""
    if backend == "sqlite":
        conn = sqlite3.connect(store.path, isolation_level=None)  # type: ignore[attr-defined]
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    session = store._driver.session(database=store._database)  # type: ignore[attr-defined]
    tx = session.begin_transaction()
    try:
        tx.run("MATCH (p:Person) WHERE p.id IN $ids SET p.held = true", ids=[OLD, OLDER, NEW]).consume()
        yield
    finally:
        tx.rollback()
        session.close()


def choices(store: GraphStore) -> dict[str, bool]:
    found = {pid: store.visibility(pid) for pid in (OLD, OLDER, NEW)}
    return {pid: v is not None and v.by_choice for pid, v in found.items()}


def test_a_choice_covers_the_former_records_in_one_write(store: GraphStore) -> None:
    rehired(store)
    former = store.former_records(NEW)
    chosen = store.choose_visibility(NEW, True, AT, former)
    assert chosen is not None
    assert chosen.by_choice
    assert chosen.hidden
    assert choices(store) == {OLD: True, OLDER: True, NEW: True}
    version = store.data_version()  # type: ignore[attr-defined]
    assert store.choose_visibility(NEW, True, AT, former) == chosen  # nothing to change: nothing written
    assert store.data_version() == version  # type: ignore[attr-defined]
    store.choose_visibility(NEW, False, AT, former)
    assert choices(store) == {OLD: False, OLDER: False, NEW: False}
    assert store.choose_visibility("hr:404", True, AT, [OLD]) is None  # an unknown person: nothing written at all
    assert choices(store) == {OLD: False, OLDER: False, NEW: False}


def test_a_write_behind_a_held_lock_is_busy_changes_nothing_and_reads_go_on(
    store: GraphStore, backend: str
) -> None:
    rehired(store)
    former = store.former_records(NEW)
    with lock_held(store, backend):
        with deadline.reads_until(time.monotonic() + 1.5), pytest.raises(StoreBusy) as info:
            store.choose_visibility(NEW, True, AT, former)
        assert "try again in a moment" in str(info.value)
        assert choices(store) == {OLD: False, OLDER: False, NEW: False}  # reads are served while the lock is held
    assert choices(store) == {OLD: False, OLDER: False, NEW: False}  # and nothing was committed late
    store.choose_visibility(NEW, True, AT, former)  # once the lock is gone the same write goes through
    assert choices(store) == {OLD: True, OLDER: True, NEW: True}
