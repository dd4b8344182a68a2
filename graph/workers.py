"""Worker processes that leave Ctrl-C to the process that started them.

A terminal's Ctrl-C reaches every process of the foreground group. A pool worker that handles it itself dies with
its own traceback (``Process SpawnProcess-2: ... KeyboardInterrupt``) beside the parent's one-line "interrupted";
and a parent that then waits for the pool to finish its work does not stop promptly. Here the workers ignore
SIGINT, and a parent interrupted (or failing) while the pool works cancels what has not started and stops the
workers at once. Whatever a stopped worker was writing is one uncommitted transaction: the store rolls it back, and
the same run started again finishes the job (ingest and analytics writes are idempotent).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def worker_pool(max_workers: int) -> Iterator[ProcessPoolExecutor]:
    """A ``spawn`` process pool (no fork of a process holding open connections) whose workers ignore Ctrl-C.

    On leaving normally the pool is shut down as usual (waiting for its work); on an exception, KeyboardInterrupt
    included, queued work is cancelled and the workers are stopped before the exception goes on.
    """
    pool = ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupts
    )
    try:
        yield pool
    except BaseException:
        workers = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown forgets them
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in workers:
            if proc.is_alive():
                proc.terminate()
        for proc in workers:
            proc.join(timeout=5)
        raise
    pool.shutdown(wait=True)


__all__ = ["worker_pool"]
