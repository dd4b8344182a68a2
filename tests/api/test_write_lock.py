"""A person's privacy choice over real HTTP while another process holds the SQLite store's write lock (an ingest or
an analysis run in another process): the write waits only until just before the request's deadline, then answers
STORE_BUSY having changed nothing, the store is never marked down, reads and readiness go on meanwhile, and the
person can send the choice again as soon as the lock is gone (not "too soon").

Before: the mutation waited out the 30 s busy timeout (about 35 s in all), answered STORE_UNAVAILABLE and marked
the store down, so readiness and other requests failed for a while; the Privacy page showed "store unavailable".
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth import Role, mint_token
from app.main import create_app
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer, api_settings, load_org, pid
from tests.web.conftest import sign_in_link
from tests.web.test_pages_bounds import page_settings

HIDE = "mutation($h: Boolean!) { setMyVisibility(hidden: $h) { hidden byChoice } }"
MINE = "{ myVisibility { hidden byChoice } }"
EXPERTS = '{ experts(skill: "kubernetes", first: 5) { edges { node { person { id } } } } }'
DEADLINE_S = 1.5  # the request deadline in these tests: a write gives up just before it, not after 30 s
# another process takes the write lock (as `whoknows ingest` does), says so, and holds it until told to let go
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


class WriteLock:
    """The store's write lock held by another process until :meth:`release`."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self.proc.communicate("go\n", timeout=20)  # and the pipes are closed


Served = tuple[LiveServer, Settings, Path]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    settings = api_settings(tmp_path, request_timeout_s=DEADLINE_S)
    path = Path(settings.store.removeprefix("sqlite:///"))
    store = SQLiteStore(path)
    load_org(store)
    store.close()
    app = create_app(settings)  # the server opens the file itself, as `whoknows serve` does
    with LiveServer(app) as server:
        yield server, settings, path
    assert not app.state.gateway.down  # never marked down for a held write lock (checked after each test)


def ask(server: LiveServer, settings: Settings, sub: str, query: str, **variables: Any) -> dict[str, Any]:
    token = mint_token(settings, sub=sub, role=Role.EMPLOYEE)
    r = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables},
                   headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_choice_behind_another_writer_is_busy_changes_nothing_and_reads_go_on(
    served: Served,
) -> None:
    server, settings, path = served
    me = pid(3)
    assert ask(server, settings, me, MINE)["data"]["myVisibility"] == {"hidden": False, "byChoice": False}
    lock = WriteLock(path)
    try:
        answers: list[dict[str, Any]] = []
        writer = threading.Thread(target=lambda: answers.append(ask(server, settings, me, HIDE, h=True)))
        writer.start()
        # while the write waits: other people's reads and the readiness probe are served
        read = ask(server, settings, pid(5), EXPERTS)
        assert "errors" not in read, read
        assert read["data"]["experts"]["edges"]
        assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
        writer.join(timeout=60)
        assert not writer.is_alive()
        [busy] = answers
        assert busy["data"] is None
        [error] = busy["errors"]
        assert error["extensions"]["code"] == "STORE_BUSY", error
        assert "try again in a moment" in error["message"]
        assert "nothing was changed" in error["message"]

        # the store was not marked down: reads and readiness still answer, the lock still held
        assert not server.server.config.app.state.gateway.down
        assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
        assert ask(server, settings, me, MINE)["data"]["myVisibility"] == {"hidden": False, "byChoice": False}
    finally:
        lock.release()

    # at once, not "you changed this a moment ago": the refused change never happened
    done = ask(server, settings, me, HIDE, h=True)
    assert done.get("errors") is None, done
    assert done["data"]["setMyVisibility"] == {"hidden": True, "byChoice": True}
    check = SQLiteStore(path)  # answered done: really stored, as another process reads the file
    try:
        found = check.visibility(me)
        assert found is not None
        assert found.by_choice
        assert found.hidden
    finally:
        check.close()


def test_writes_waiting_for_the_lock_never_starve_the_reads(served: Served) -> None:
    """More waiting writers than the gateway has light workers: before, each held one for its whole wait (30 s),
    and every cheap query and the readiness probe queued behind them until they timed out."""
    server, settings, path = served
    people = [pid(n) for n in range(1, 13)]
    lock = WriteLock(path)
    try:
        answers: dict[str, dict[str, Any]] = {}
        writers = [threading.Thread(target=lambda p=p: answers.setdefault(p, ask(server, settings, p, HIDE, h=True)))
                   for p in people]
        for w in writers:
            w.start()
        reads = 0
        while all(w.is_alive() for w in writers):  # every read made while all the writes wait is served
            read = ask(server, settings, pid(20), EXPERTS)
            assert "errors" not in read, read
            assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
            reads += 1
        for w in writers:
            w.join(timeout=60)
        assert reads >= 1
        codes = {p: [e["extensions"]["code"] for e in a.get("errors", [])] for p, a in answers.items()}
        assert codes == {p: ["STORE_BUSY"] for p in people}, codes
    finally:
        lock.release()
    check = SQLiteStore(path)  # answered busy: nobody's choice was half-applied or applied late
    try:
        assert not any(v is not None and v.by_choice for v in map(check.visibility, people))
    finally:
        check.close()


def test_the_privacy_page_says_busy_and_keeps_the_form(tmp_path: Path) -> None:
    settings = page_settings(tmp_path, request_timeout_s=DEADLINE_S)
    path = Path(settings.store.removeprefix("sqlite:///"))
    store = SQLiteStore(path)
    load_org(store)
    store.close()
    me = pid(12)
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.get(sign_in_link(settings, server.url, me, "Person 12", Role.EMPLOYEE)).status_code == 303
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/me/privacy").text)
        assert csrf is not None
        lock = WriteLock(path)
        try:
            page = client.post("/me/privacy", data={"hide": "yes", "csrf": csrf.group(1)})
            assert page.status_code == 503
            assert "busy saving other changes" in page.text
            assert "nothing changed" in page.text
            assert 'action="/me/privacy"' in page.text
            assert 'name="hide" value="yes"' in page.text
            assert client.get("/me/privacy").status_code == 200  # the pages still read meanwhile
        finally:
            lock.release()
        assert client.post("/me/privacy", data={"hide": "yes", "csrf": csrf.group(1)}).status_code == 303
    check = SQLiteStore(path)
    try:
        found = check.visibility(me)
        assert found is not None
        assert found.by_choice
    finally:
        check.close()
