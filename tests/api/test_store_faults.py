"""Store faults under a served API (issue 9.8), with real SQLite files and the server over HTTP.

- a store file truncated under the running API answers STORE_UNAVAILABLE (logged at error level), never
  INTERNAL_SERVER_ERROR, and ``/readyz`` says 503;
- an exclusive lock held on the file at start-up does not keep the server from listening: ``/healthz`` answers,
  ``/readyz`` says 503, and the store is opened in the background once the lock is released;
- a store path that does not exist is refused: ``whoknows serve`` exits 3 saying so, and the API (started by
  other means) reports not ready until ingest creates the store, which it still does.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import Api, LiveServer, api_settings, load_org, org_batch, write_hris_csv

EXPERTS = '{ experts(skill: "kubernetes", first: 5) { totalCount edges { node { person { id name } } } } }'


def _wait_for(http: httpx.Client, path: str, status: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = http.get(path).status_code
        if last == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path} still {last}, not {status}, after {seconds} s")


def _built_store(tmp_path: Path) -> Path:
    db = tmp_path / "whoknows.db"
    store = SQLiteStore(db)
    load_org(store)
    store.close()
    return db


def test_truncated_store_is_store_unavailable_not_internal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = _built_store(tmp_path)
    settings = api_settings(tmp_path, store_retry_initial_s=0.1, store_retry_max_s=0.5)
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=30) as http:
        api = Api(server.url, settings)
        _wait_for(http, "/readyz", 200)
        assert api.codes(EXPERTS) == []
        with caplog.at_level(logging.ERROR, logger="whoknows"):
            with db.open("r+b") as f:  # a disk that lost most of the file under the running server
                f.truncate(4096)
            for path in (tmp_path / "whoknows.db-wal", tmp_path / "whoknows.db-shm"):
                if path.exists():
                    path.unlink()
            codes = {code for _ in range(5) for code in api.codes(EXPERTS)}
            assert codes == {"STORE_UNAVAILABLE"}, codes
            assert http.get("/readyz").status_code == 503
            assert http.get("/healthz").status_code == 200
        assert any(r.levelno >= logging.ERROR and "store unavailable" in r.getMessage() for r in caplog.records)
        api.http.close()


def test_exclusive_lock_at_start_up_does_not_stop_the_server_listening(tmp_path: Path) -> None:
    db = _built_store(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE meta SET value = value WHERE key = 'data_version'")
    settings = api_settings(tmp_path, store_retry_initial_s=0.1, store_retry_max_s=0.5)
    try:
        with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=5) as http:
            api = Api(server.url, settings)
            assert http.get("/healthz").status_code == 200  # listening while the store is locked
            assert http.get("/readyz").status_code == 503
            assert api.codes(EXPERTS) == ["STORE_UNAVAILABLE"]
            holder.execute("ROLLBACK")
            holder.close()
            _wait_for(http, "/readyz", 200)  # opened in the background once the lock is gone
            assert api.codes(EXPERTS) == []
            api.http.close()
    finally:
        holder.close()


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "WHOKNOWS_ENV": "development", **(env or {})})


def test_serve_refuses_a_store_that_was_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = _cli("serve", "--store", f"sqlite:///{missing}", "--port", "1")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "never created" in result.stdout + result.stderr
    assert not missing.exists()
    # ingest still creates it
    csv = write_hris_csv(tmp_path / "hris.csv", org_batch())
    ingest = _cli("ingest", "hris", str(csv), env={"WHOKNOWS_STORE": f"sqlite:///{missing}"})
    assert ingest.returncode == 0, ingest.stdout + ingest.stderr
    assert missing.exists()


def test_api_reports_not_ready_until_the_store_is_created(tmp_path: Path) -> None:
    settings = api_settings(tmp_path, store_retry_initial_s=0.1, store_retry_max_s=0.3)
    db = tmp_path / "whoknows.db"
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=5) as http:
        api = Api(server.url, settings)
        assert http.get("/readyz").status_code == 503
        assert api.codes(EXPERTS) == ["STORE_UNAVAILABLE"]
        assert not db.exists()  # the API did not create an empty store
        _built_store(tmp_path)
        _wait_for(http, "/readyz", 200)
        assert api.codes(EXPERTS) == []
        api.http.close()


def test_readiness_is_bounded_by_the_request_timeout(tmp_path: Path) -> None:
    """A store whose ping takes 4 s (a hung connection never answers) held /readyz as long, then called it ready.
    Now the probe says unavailable after the 0.5 s request timeout."""
    from tests.api.test_hardening import SlowStore

    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    settings = api_settings(tmp_path, request_timeout_s=0.5)
    try:
        with LiveServer(create_app(settings, store=SlowStore(store, delay=4.0, reads=("ping",)))) as server:  # type: ignore[arg-type]
            started = time.monotonic()
            r = httpx.get(f"{server.url}/readyz", timeout=30)
            took = time.monotonic() - started
            assert r.status_code == 503, r.text
            assert r.json() == {"status": "unavailable", "code": "STORE_UNAVAILABLE"}
            assert took < 3.0
            assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
    finally:
        time.sleep(4.2)  # let the abandoned ping finish before the store closes
        store.close()
