"""A thread pool whose workers take queued work in turns between principals, not first come, first served.

Why: the expensive requests' store reads share one pool of a few workers. One client flooding documents of twelve
aliased ``bridges`` queued a dozen reads of over a second each per document, and another client's single read waited
behind all of them, past its deadline, even once the cost gate had admitted it (app/graphql/fairness.py). Here each
principal (``store_turn``, set per request by the cost gate) has its own queue, a free worker takes the head of
the queue whose turn it is, and a principal runs on at most its equal part of the workers (all but one when it is
alone: ``cap``), so a newcomer's read starts at once rather than after the flood's backlog, and then shares the
processor with fewer of the flood's reads.
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")
# whose turn a store read counts against: the principal of the request making it ("" when none is set)
store_turn: contextvars.ContextVar[str] = contextvars.ContextVar("store_turn", default="")
_Job = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class FairPool(Executor):
    """``workers`` daemon threads (started on first use); ``submit`` queues under ``store_turn`` of the caller."""

    def __init__(self, workers: int, name: str) -> None:
        self._workers = max(1, workers)
        self._name = name
        self._ready = threading.Condition()
        self._queues: dict[str, deque[_Job]] = {}  # in turn order: the key served last moves to the end
        self._running: dict[str, int] = {}
        self._threads: list[threading.Thread] = []
        self._closed = False

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if kwargs:
            raise TypeError("FairPool.submit takes positional arguments only")
        future: Future[T] = Future()
        with self._ready:
            if self._closed:
                raise RuntimeError("cannot schedule new work after shutdown")
            self._queues.setdefault(store_turn.get(), deque()).append((future, fn, args))
            if len(self._threads) < self._workers:
                thread = threading.Thread(target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True)
                self._threads.append(thread)
                thread.start()
            self._ready.notify()
        return future

    def _next(self) -> tuple[str, _Job] | None:
        """The head of the queue whose turn it is, among principals under ``cap`` (None: shut down and nothing
        queued); called holding ``_ready``."""
        while True:
            key = next((k for k in self._queues if self._running.get(k, 0) < self.cap(k)), None)
            if key is not None:
                break
            if self._closed and not self._queues:
                return None
            self._ready.wait()
        queue = self._queues.pop(key)
        job = queue.popleft()
        if queue:
            self._queues[key] = queue  # back of the turn
        else:
            self._ready.notify_all()  # nobody else waits behind this principal now: the others' caps rise
        self._running[key] = self._running.get(key, 0) + 1
        return key, job

    def cap(self, key: str) -> int:
        """Reads of principal ``key`` running at once: while another principal has reads waiting, an equal part of
        the workers between the principals reading or waiting; otherwise all but one (one stays free for whoever
        comes next, and no worker idles while only this principal has work queued); called holding ``_ready``."""
        if not any(k != key for k in self._queues):
            return max(1, self._workers - 1)
        active = len(self._queues.keys() | self._running.keys())
        return max(1, min(self._workers - 1, self._workers // max(1, active)))

    def _work(self) -> None:
        while True:
            with self._ready:
                taken = self._next()
            if taken is None:
                return
            key, (future, fn, args) = taken
            try:
                if future.set_running_or_notify_cancel():  # else its caller gave up before it started
                    try:
                        result = fn(*args)
                    except BaseException as exc:
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
            finally:
                with self._ready:
                    left = self._running[key] - 1
                    if left:
                        self._running[key] = left
                    else:
                        del self._running[key]
                    self._ready.notify_all()  # a principal at its cap may go on
            del taken, future, fn, args  # no reference to a large result kept while waiting

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._ready:
            self._closed = True
            if cancel_futures:
                for queue in self._queues.values():
                    for future, _, _ in queue:
                        future.cancel()
                self._queues.clear()
            self._ready.notify_all()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()


__all__ = ["FairPool", "store_turn"]
