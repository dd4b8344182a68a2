"""A cheap query's latency while clients flood a running server with one kind of hostile document (adversarial
pass v3). The figures of that pass (2,000-person demo, SQLite, one worker, a shared 2-core machine):

- ``seeds``: twenty ``seedCandidates(count: 1)`` per document (cost 40 before it counted as store work): cheap p50
  3.5 s, max 4.5 s; after, 12 per document at most, cheap max 0.12 s;
- ``capped``: new documents stopped at the parser's token cap: cheap and /healthz stalls up to 11 s and a server of
  1.5 GB (each cached refusal kept its traceback); after, max 0.12 s and 210 MB.

    python bench/flood_bench.py --url http://127.0.0.1:8840 --token "$(whoknows token --role analyst --sub hr:E1)"
    python bench/flood_bench.py --kind capped --clients 16 --seconds 15 --url ... --token ...

Only the given URL is targeted; everything stops after ``--seconds``. Timing belongs here, never in test asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import threading
import time
from collections import Counter

import httpx

SKILLS = ["python", "sql", "security", "debugging", "performance", "process", "typescript", "excel", "salesforce",
          "onboarding", "tooling", "javascript", "kubernetes", "zendesk", "best-practices", "project-management",
          "account-management", "sales-engineering", "customer-support", "aws"]


def document(kind: str, tag: str) -> str:
    """A new hostile document of ``kind`` (``tag`` makes it new, so no cache answers it)."""
    if kind == "seeds":
        return f"{{ t{tag}: __typename " + " ".join(
            f'a{i}: seedCandidates(skill: "{s}", count: 1) {{ rank }}' for i, s in enumerate(SKILLS[:12])) + " }"
    if kind == "capped":
        return f"{{ a{tag}: __typename " + "__typename " * 6000 + "}"
    raise ValueError(kind)


async def flood(url: str, token: str, kind: str, clients: int, stop: float) -> Counter[str]:
    outcomes: Counter[str] = Counter()

    async def one(i: int) -> None:
        async with httpx.AsyncClient(timeout=60) as http:
            k = 0
            while time.time() < stop:
                k += 1
                try:
                    r = await http.post(f"{url}/graphql", json={"query": document(kind, f"{os.getpid()}x{i}x{k}")},
                                        headers={"Authorization": f"Bearer {token}"})
                    errors = r.json().get("errors") or [{}]
                    outcomes[errors[0].get("extensions", {}).get("code", "ok")] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1

    await asyncio.gather(*(one(i) for i in range(clients)))
    return outcomes


def probe(url: str, token: str, stop: float, out: dict[str, list[float]]) -> None:
    """One client: /healthz and a cheap query in turn, 0.2 s apart, from its own thread."""
    with httpx.Client(timeout=60) as http:
        time.sleep(1.0)
        k = 0
        while time.time() < stop:
            k += 1
            start = time.perf_counter()
            http.get(f"{url}/healthz")
            out["healthz"].append(time.perf_counter() - start)
            start = time.perf_counter()
            http.post(f"{url}/graphql", headers={"Authorization": f"Bearer {token}"},
                      json={"query": f'{{ experts(skill: "python", first: {1 + k % 50}) {{ totalCount }} }}'})
            out["cheap"].append(time.perf_counter() - start)
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True, help="an analyst token")
    parser.add_argument("--kind", choices=["seeds", "capped"], default="seeds")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    stop = time.time() + args.seconds
    latencies: dict[str, list[float]] = {"healthz": [], "cheap": []}
    thread = threading.Thread(target=probe, args=(args.url, args.token, stop - 1, latencies))
    thread.start()
    outcomes = asyncio.run(flood(args.url, args.token, args.kind, args.clients, stop))
    thread.join()
    print(f"flood {args.kind} x{args.clients}: {dict(outcomes)}; load average {os.getloadavg()[0]:.1f}")
    for name, values in latencies.items():
        values.sort()
        print(f"{name}: n={len(values)} p50 {statistics.median(values):.3f} s "
              f"p90 {values[int(len(values) * 0.9)]:.3f} s max {values[-1]:.3f} s")


if __name__ == "__main__":
    main()
