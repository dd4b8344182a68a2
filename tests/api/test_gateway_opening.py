"""A store that arrives after the app stopped waiting for it is closed, not leaked (a Neo4j driver otherwise)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from app.gateway import StoreGateway
from graph.store import Batch, GraphStore, open_store
from schema.errors import StoreUnavailable
from tests.factories import small_org


def test_a_store_opened_after_shutdown_is_closed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    seed = open_store(url)
    seed.write_batch(Batch(people=small_org().people))
    seed.close()
    release = threading.Event()
    opened: list[GraphStore] = []

    def opener() -> GraphStore:  # a slow open (a locked file, a Neo4j still starting)
        release.wait(timeout=30)
        store = open_store(url)
        opened.append(store)
        return store

    gateway = StoreGateway(None, opener, retry_initial_s=0.05)

    async def start_then_stop() -> None:
        task = asyncio.get_running_loop().create_task(gateway.open_in_background())
        await asyncio.sleep(0.2)  # the opener is running in its thread
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(start_then_stop())
    assert gateway.store is None
    release.set()
    gateway._admin.shutdown(wait=True)  # the opener finishes in its thread
    gateway.shutdown()
    assert len(opened) == 1
    with pytest.raises(StoreUnavailable):
        opened[0].ping()  # closed by the gateway when it arrived
