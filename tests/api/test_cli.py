"""``whoknows serve``, ``token`` and ``demo`` as subprocesses, the way an operator runs them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest

from graph.store.sqlite import SQLiteStore
from tests.api.conftest import SECRET, load_org

WHOKNOWS = [str(Path(sys.executable).parent / "whoknows")]
ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHOKNOWS_")}
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*WHOKNOWS, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)


@pytest.mark.parametrize("secret", [None, "changeme", "development-secret", "short-but-real"])
def test_serve_refuses_production_without_real_secret(secret: str | None, tmp_path: Path) -> None:
    env = _env(WHOKNOWS_ENV="production", WHOKNOWS_STORE=f"sqlite:///{tmp_path / 'w.db'}")
    if secret is not None:
        env["WHOKNOWS_JWT_SECRET"] = secret
    result = _run(["serve", "--port", "1"], env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "WHOKNOWS_JWT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "w.db").exists(), "nothing is opened before the settings are validated"


def test_token_mints_a_verifiable_token() -> None:
    result = _run(["token", "--role", "analyst", "--sub", "ada", "--ttl", "120"], _env(WHOKNOWS_JWT_SECRET=SECRET))
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), SECRET, algorithms=["HS256"])
    assert claims["sub"] == "ada"
    assert claims["role"] == "analyst"
    assert claims["exp"] - claims["iat"] == 120
    bad = _run(["token", "--role", "emperor", "--sub", "ada"], _env(WHOKNOWS_JWT_SECRET=SECRET))
    assert bad.returncode == 2
    assert "unknown role" in bad.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_uvicorn_and_stops_on_sigint(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    store.close()
    port = _free_port()
    env = _env(WHOKNOWS_ENV="production", WHOKNOWS_JWT_SECRET=SECRET, WHOKNOWS_STORE=f"sqlite:///{tmp_path / 'w.db'}",
               WHOKNOWS_READ_TIMEOUT_S="1")
    proc = subprocess.Popen([*WHOKNOWS, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:  # 503 while the store opens in the background at start-up (the server listens at once)
                ready = httpx.get(f"{url}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        assert ready is not None, proc.stderr.read() if proc.stderr else ""
        assert ready.status_code == 200
        minted = _run(["token", "--role", "employee", "--sub", "x"], _env(WHOKNOWS_JWT_SECRET=SECRET)).stdout.strip()
        r = httpx.post(f"{url}/graphql", json={"query": '{ experts(skill: "k8s") { totalCount } }'},
                       headers={"Authorization": f"Bearer {minted}"})
        assert r.json() == {"data": {"experts": {"totalCount": 28}}}
        # served as app/server.py serves (tests/api/test_http_abuse.py): a head never finished, one too large
        for sent, status in ((b"GET /healthz HTTP/1.1\r\n", b" 408 "),
                             (b"GET /healthz HTTP/1.1\r\nX-Big: " + b"v" * 100_000 + b"\r\n\r\n", b" 431 ")):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(sent)
                assert status in s.recv(200).split(b"\r\n")[0]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    logged = [line for line in err.splitlines() if line.startswith("{")]
    assert any('"path":"/graphql"' in line and '"request_id"' in line for line in logged), err[-2000:]


def test_demo_builds_an_org_and_prints_a_token(tmp_path: Path) -> None:
    result = _run(["demo", "--people", "100", "--no-serve", "--workdir", str(tmp_path / "demo"), "--seed", "42"],
                  _env(), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "http://127.0.0.1:8000/graphql#token=" in result.stdout
    token_line = next(line for line in result.stdout.splitlines() if line.startswith("analyst token:"))
    claims = jwt.decode(token_line.split(":", 1)[1].strip(), options={"verify_signature": False})
    assert claims["role"] == "analyst"
    store = SQLiteStore(tmp_path / "demo" / "whoknows.db")
    try:
        counts = store.counts()
        assert counts["people"] >= 100
        assert counts["expertise"] > 0
        assert store.last_run() is not None
    finally:
        store.close()
