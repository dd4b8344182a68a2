"""Web sessions signed out before they expire (graph/store/sessions.py), on both stores: a revoked session id or a
subject's "sign out everywhere" holds for every instance sharing the store, expired revocations are pruned, and
neither write changes the data version (no cached answer goes cold on a sign-out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph.store.base import GraphStore
from graph.store.sessions import PRUNE_BATCH, Revocation, every_session_of, one_session, session_key, subject_key
from graph.store.sqlite import SQLiteStore

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
TTL = timedelta(hours=8)
MINUTE = timedelta(minutes=1)


def _keys(sid: str, sub: str = "idp|ann") -> list[str]:
    return [session_key(sid), subject_key(sub)]


def test_a_revoked_session_is_refused_by_every_instance_until_it_expires(store: GraphStore, backend: str,
                                                                        neo4j_or_none: object) -> None:
    other = _second_instance(store, backend, neo4j_or_none)  # another process's connection to the same store
    issued = T0 - timedelta(hours=1)
    assert store.session_revoked(_keys("s1"), issued, T0) is False
    version = store.data_version()  # type: ignore[attr-defined]

    assert store.revoke_session(one_session("s1", T0, TTL), T0) == 0
    assert store.data_version() == version  # type: ignore[attr-defined]  # no cached answer goes cold
    assert store.session_revoked(_keys("s1"), issued, T0 + MINUTE) is True
    assert other.session_revoked(_keys("s1"), issued, T0 + MINUTE) is True  # another process sharing the store
    # issued on a clock ahead of the one that signed it out: still refused
    assert other.session_revoked(_keys("s1"), T0 + MINUTE, T0 + MINUTE) is True
    # another session of the same person, and the same id in no key asked, stand
    assert store.session_revoked(_keys("s2"), issued, T0 + MINUTE) is False
    assert store.session_revoked([subject_key("idp|ann")], issued, T0 + MINUTE) is False
    assert store.session_revoked([], issued, T0) is False
    # once it would have expired, the revocation is no longer in force (the session's own expiry refuses it)
    assert store.session_revoked(_keys("s1"), issued, T0 + TTL) is False
    other.close()


@pytest.fixture
def neo4j_or_none(backend: str, request: pytest.FixtureRequest) -> object:
    return request.getfixturevalue("neo4j_target") if backend == "neo4j" else None


def _second_instance(store: GraphStore, backend: str, target: object) -> GraphStore:
    """A second, independent connection to ``store``'s data, as another server instance holds (never wiping it)."""
    if backend == "sqlite":
        return SQLiteStore.from_url(store.url)
    from tests.contract.neo4j_factory import connect_test_store

    return connect_test_store(target)  # type: ignore[arg-type]


def test_sign_out_everywhere_refuses_sessions_issued_before_it_only(store: GraphStore) -> None:
    store.revoke_session(every_session_of("idp|ann", T0, TTL), T0)
    assert store.session_revoked(_keys("old"), T0 - MINUTE, T0 + MINUTE) is True
    assert store.session_revoked(_keys("new"), T0 + MINUTE, T0 + 2 * MINUTE) is False  # signed in again since
    assert store.session_revoked(_keys("old", "idp|bob"), T0 - MINUTE, T0 + MINUTE) is False  # someone else's

    # a second "sign out everywhere" moves the line on; an older one written late never moves it back
    store.revoke_session(every_session_of("idp|ann", T0 + 5 * MINUTE, TTL), T0 + 5 * MINUTE)
    store.revoke_session(every_session_of("idp|ann", T0 - MINUTE, TTL), T0 + 5 * MINUTE)
    assert store.session_revoked(_keys("new"), T0 + MINUTE, T0 + 6 * MINUTE) is True
    assert store.session_revoked(_keys("newer"), T0 + 6 * MINUTE, T0 + 7 * MINUTE) is False
    assert store.session_revoked(_keys("new"), T0 + MINUTE, T0 + 5 * MINUTE + TTL - MINUTE) is True


def test_expired_revocations_are_pruned_by_the_next_write(store: GraphStore) -> None:
    """The table holds only revocations in force: each write deletes expired ones (at most PRUNE_BATCH, more than
    the one it adds), so it never grows beyond the sign-outs of one session lifetime."""
    for n in range(3):
        store.revoke_session(one_session(f"s{n}", T0 + n * MINUTE, TTL), T0 + n * MINUTE)
    store.revoke_session(every_session_of("idp|ann", T0, TTL), T0)
    # still in force: nothing to prune
    assert store.revoke_session(one_session("s3", T0 + 3 * MINUTE, TTL), T0 + 3 * MINUTE) == 0
    # past the first two sessions' and the subject's expiry, before the others'
    later = T0 + TTL + MINUTE + timedelta(seconds=1)
    assert store.revoke_session(one_session("s9", later, TTL), later) == 3
    assert store.revoke_session(one_session("s10", later, TTL), later) == 0  # they are gone
    assert store.session_revoked(_keys("s2"), T0, later) is True
    assert store.session_revoked(_keys("s3"), T0, later) is True
    assert PRUNE_BATCH > 1


def test_a_revocation_at_its_limits(store: GraphStore) -> None:
    """Keys of any text (a provider subject with '|', quotes, non-ASCII), matched whole, and instants a microsecond
    apart."""
    odd = "idp|o'neil \"ö\" 🙂"
    store.revoke_session(Revocation(subject_key(odd), issued_before=T0, until=T0 + TTL), T0)
    assert store.session_revoked(_keys("x", odd), T0 - timedelta(microseconds=1), T0) is True
    assert store.session_revoked(_keys("x", odd), T0, T0) is False  # issued at the very instant: not before it
    assert store.session_revoked(_keys("x", "idp|o'neil"), T0 - MINUTE, T0) is False  # a prefix is another key
