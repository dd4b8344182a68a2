"""The deadline of the reads a caller is waiting for, carried in a context variable to the thread that reads.

Why: the API answers TIMEOUT at a request's deadline, but a store read running in a worker thread used to read on
until it finished, holding the worker meanwhile; slow reads given up on piled up on the few light workers until
cheap queries timed out as well. A caller that will give up at some moment says so with :func:`reads_until`; the
stores stop a read at that moment (SQLite through a progress handler, Neo4j through a transaction timeout) and
raise :class:`~schema.errors.StoreTimeout`, which is neither a store fault nor an internal error.

Reads outside any :func:`reads_until` (the CLI, analytics jobs, ingest) have no deadline and behave as always.
Times are ``time.monotonic()`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from schema.errors import StoreTimeout

_deadline: ContextVar[float | None] = ContextVar("whoknows_read_deadline", default=None)


def current() -> float | None:
    """The deadline (``time.monotonic()``) of reads made in this context, or None when they have none."""
    return _deadline.get()


@contextmanager
def reads_until(deadline: float | None, *, replace: bool = False) -> Iterator[float | None]:
    """Reads made inside stop at ``deadline``; the earlier of it and an enclosing deadline, unless ``replace``
    (a job of its own started from a request, such as a cache refresh, or one with no deadline: ``None``)."""
    outer = _deadline.get()
    if not replace and outer is not None:
        deadline = outer if deadline is None else min(outer, deadline)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before this context's deadline (StoreTimeout when none are left); None: no deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise StoreTimeout("the read was not started: its caller's deadline had passed")
    return left


__all__ = ["current", "reads_until", "remaining"]
