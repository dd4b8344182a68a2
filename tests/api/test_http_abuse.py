"""HTTP-level abuse (adversarial pass v3), over real sockets against the server ``whoknows serve`` runs
(app/server.py). uvicorn kept a connection that never finished its headers or its body forever and buffered a
request head of any size, so idle, slow-drip and endless-chunked connections held every descriptor a default
``ulimit -n`` allows (no other client was answered) and a 50 MB header took 50 MB. Figures:
bench/http_abuse_bench.py."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest

from app.auth import Role, mint_token
from app.main import create_app
from app.server import MAX_HEAD_BYTES
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer, api_settings, load_org
from tests.api.test_hardening import SlowStore

READ_TIMEOUT = 0.5
CAP = 12
QUERY = b'{"query": "{ skills(first: 1) { name } }"}'


class Served:
    def __init__(self, server: LiveServer, token: str) -> None:
        self.server, self.token = server, token

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=5)

    def post(self, body: bytes = QUERY, length: int | None = None, extra: str = "") -> bytes:
        return (f"POST /graphql HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {self.token}\r\nContent-Type: "
                f"application/json\r\nContent-Length: {len(body) if length is None else length}\r\n{extra}\r\n"
                ).encode() + body

    def answered(self) -> int:
        """A new client's cheap query: its status."""
        with httpx.Client(timeout=5) as c:
            r = c.post(f"{self.server.url}/graphql", content=QUERY, headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            assert r.status_code != 200 or "errors" not in r.json(), r.text
            return r.status_code


def _status(sock: socket.socket) -> tuple[int, bytes]:
    """The status of the next answer on ``sock`` and everything read until the server closed it (socket timeout:
    the server neither answered nor closed)."""
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    assert got, "closed without an answer"
    return int(got.split(b" ", 2)[1]), got


@contextmanager
def _serve(tmp_path: Path, read_timeout_s: float) -> Iterator[Served]:
    store = SQLiteStore(tmp_path / "w.db")
    load_org(store)
    settings = api_settings(tmp_path, read_timeout_s=read_timeout_s, max_connections=CAP)
    slow = SlowStore(store, delay=1.0, reads=("experts",))  # a request that outlasts the read timeout
    try:
        with LiveServer(create_app(settings, store=slow)) as server:  # type: ignore[arg-type]
            yield Served(server, mint_token(settings, sub="t", role=Role.EMPLOYEE))
    finally:
        time.sleep(1.0)  # a slowed read still running finishes before the store closes
        store.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with _serve(tmp_path, READ_TIMEOUT) as s:
        yield s


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: t\r\n", b"GE"])
def test_a_request_head_not_sent_in_time_is_408_and_closed(served: Served, sent: bytes) -> None:
    with served.connect() as s:
        s.sendall(sent)
        assert _status(s)[0] == 408
    assert served.answered() == 200


def test_a_head_dripped_a_line_at_a_time_is_not_given_more_time(served: Served) -> None:
    with served.connect() as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\n")
        closed = False
        for i in range(40):  # 8 read timeouts' worth of drip
            try:
                s.sendall(f"X-{i}: {i}\r\n".encode())
            except OSError:  # the server closed it (its 408 may be lost to the reset the unread drip causes)
                closed = True
                break
            time.sleep(READ_TIMEOUT / 5)
        assert closed


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_not_sent_in_time_is_408_and_closed(served: Served, chunked: bool) -> None:
    with served.connect() as s:
        if chunked:  # a chunked body whose last chunk never comes
            head = served.post(b"", extra="Transfer-Encoding: chunked\r\n").replace(b"Content-Length: 0\r\n", b"")
            s.sendall(head + b"1\r\n{\r\n")
        else:  # fewer bytes than declared
            s.sendall(served.post(QUERY[:5], length=len(QUERY)))
        status, got = _status(s)
    assert status == 408
    assert b"Internal" not in got
    assert served.answered() == 200


def test_a_keep_alive_connections_next_head_is_timed_too(served: Served) -> None:
    with served.connect() as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\n")
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    assert got.startswith(b"HTTP/1.1 200")
    assert b"HTTP/1.1 408" in got


def test_a_pipelined_request_behind_a_slow_one_is_not_timed_out(served: Served) -> None:
    """Time the server makes a client wait (its second request queued behind a 1 s first one) is not the client's."""
    slow = b'{"query": "{ experts(skill: \\"kubernetes\\") { totalCount } }"}'
    with served.connect() as s:
        s.sendall(served.post(slow) + served.post(QUERY, extra="Connection: close\r\n"))
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    assert got.count(b"HTTP/1.1 200") == 2, got
    assert b"HTTP/1.1 408" not in got


@pytest.mark.parametrize("head", [
    "X-Big: " + "v" * (MAX_HEAD_BYTES + 1) + "\r\n",
    "".join(f"X-H{i}: v\r\n" for i in range(MAX_HEAD_BYTES // 8)),
])
def test_a_head_over_the_bound_is_431_and_not_buffered(served: Served, head: str) -> None:
    with served.connect() as s:
        with suppress(OSError):  # closed while we were still sending: the rest was never read
            s.sendall(f"GET /healthz HTTP/1.1\r\nHost: t\r\n{head}\r\n".encode())
        assert _status(s)[0] == 431
    assert served.answered() == 200


def test_a_head_under_the_bound_is_served(served: Served) -> None:
    with served.connect() as s:
        s.sendall(f"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: {'v' * 30_000}\r\n\r\n".encode())
        assert _status(s)[0] == 200


def test_large_bodies_on_one_keep_alive_connection_are_not_counted_as_heads(tmp_path: Path) -> None:
    """Only request lines and headers count towards the head bound: a request read whole in one read (head and a
    200 KB body), counted as the next head, made the following request on the connection 431."""
    padded = b'{"query": "{ skills(first: 1) { name } }", "variables": {"pad": "' + b"p" * 200_000 + b'"}}'
    with _serve(tmp_path, read_timeout_s=10) as served, served.connect() as s:  # one connection, reused
        for _ in range(3):
            s.sendall(served.post(padded))  # in one write: usually one read for the server
            got = b""
            while b"\r\n\r\n" not in got or len(got.split(b"\r\n\r\n", 1)[1]) < _length(got):
                got += s.recv(65536)
            assert got.startswith(b"HTTP/1.1 200"), got[:300]


def _length(answer: bytes) -> int:
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    return int(head.split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])


def test_past_the_connection_cap_the_longest_waiting_connections_are_closed(tmp_path: Path) -> None:
    """Idle, head-dripping and body-dripping connections beyond the cap make room for new clients at once (the read
    timeout here is far away): the longest-waiting are closed, and a new client is served."""
    held = []
    with _serve(tmp_path, read_timeout_s=60) as served:
        _flood_past_the_cap(served, held)


def _flood_past_the_cap(served: Served, held: list[socket.socket]) -> None:
    try:
        for i in range(3 * CAP):
            s = served.connect()
            if i % 3 == 1:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
            elif i % 3 == 2:
                s.sendall(served.post(QUERY[:5], length=len(QUERY)))
            held.append(s)
        time.sleep(0.1)
        assert served.answered() == 200
        closed = 0
        for s in held[: 2 * CAP]:  # the oldest ones: closed by now
            s.setblocking(False)
            try:
                s.recv(65536)  # an answer (503) or the end of the stream
                closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        assert closed >= CAP
    finally:
        for s in held:
            s.close()
