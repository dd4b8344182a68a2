"""Web sessions signed out before they expire: the revocations every server instance sharing a store honours.

Why in the graph store: the pages' session is a signed cookie, valid until it expires wherever it is shown. Signing
out only deleted it from the browser, so a copied cookie stayed valid for the rest of its life. A revocation kept in
the store (the SQLite ``session_revocation`` table, Neo4j ``SessionRevocation`` nodes, each keyed and indexed) holds
across every process and instance that serves the same store. It is not graph data: writing one leaves the data
version (and every cached answer) as it was.

A revocation names a key, a session's own id or a person's subject, and signs out every session of that key issued
before ``issued_before``; it is kept until ``until``, when every session it covers has expired anyway, and pruned
after that (a bounded number per write, so the table never grows beyond the revocations still in force).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_PREFIX = "session:"
SUBJECT_PREFIX = "subject:"
PRUNE_BATCH = 500  # expired revocations deleted by each write at most: more than it adds, so the table stays bounded


@dataclass(frozen=True)
class Revocation:
    """Sessions of ``key`` issued before ``issued_before`` are signed out; the record is kept until ``until``."""

    key: str
    issued_before: datetime
    until: datetime


def session_key(session_id: str) -> str:
    return SESSION_PREFIX + session_id


def subject_key(subject: str) -> str:
    return SUBJECT_PREFIX + subject


def one_session(session_id: str, now: datetime, ttl: timedelta) -> Revocation:
    """One session signed out: whenever it was issued (``issued_before`` is its last possible expiry, so a clock
    behind the one that issued it cannot let it through), until it would have expired.

    >>> from datetime import UTC
    >>> r = one_session("abc", datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=8))
    >>> r.key, r.until.hour, r.issued_before == r.until
    ('session:abc', 8, True)
    """
    until = now + ttl
    return Revocation(session_key(session_id), issued_before=until, until=until)


def every_session_of(subject: str, now: datetime, ttl: timedelta) -> Revocation:
    """Every session of ``subject`` issued before ``now`` signed out ("sign out everywhere"); later ones stand.

    >>> from datetime import UTC
    >>> r = every_session_of("idp|ann", datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=8))
    >>> r.key, r.issued_before.hour, r.until.hour
    ('subject:idp|ann', 0, 8)
    """
    return Revocation(subject_key(subject), issued_before=now, until=now + ttl)


__all__ = ["PRUNE_BATCH", "Revocation", "every_session_of", "one_session", "session_key", "subject_key"]
