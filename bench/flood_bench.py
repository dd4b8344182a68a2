"""A cheap query's latency while clients flood a running server with one kind of hostile document (adversarial
pass v3). The figures of that pass (2,000-person demo, SQLite, one worker, a shared 2-core machine):

- ``seeds``: twenty ``seedCandidates(count: 1)`` per document (cost 40 before it counted as store work): cheap p50
  3.5 s, max 4.5 s; after, 12 per document at most, cheap max 0.12 s;
- ``capped``: new documents stopped at the parser's token cap: cheap and /healthz stalls up to 11 s and a server of
  1.5 GB (each cached refusal kept its traceback); after, max 0.12 s and 210 MB.
- ``bridges`` with ``--victim-token`` (another principal): twelve aliased ``bridges`` between every community per
  document; the victim sends expensive requests of its own one after another (the /ask page's ``expertsFor``, and
  one ``bridges``), and their latency and outcomes are printed. Figures in app/graphql/fairness.py's docstring.

    python bench/flood_bench.py --url http://127.0.0.1:8840 --token "$(whoknows token --role analyst --sub hr:E1)"
    python bench/flood_bench.py --kind capped --clients 16 --seconds 15 --url ... --token ...
    python bench/flood_bench.py --kind bridges --url ... --token ... \
        --victim-token "$(whoknows token --role analyst --sub hr:E2)"

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


ASK = """query Ask($question: QuestionInput!, $first: Int!) { expertsFor(question: $question, first: $first) {
  skills experts { rank explanation covers { skill evidence { kind count } } person { id name title } } } }"""
COMMUNITIES: list[str] = []  # every community's id, read from the API at the start of a bridges flood


def document(kind: str, tag: str) -> str:
    """A new hostile document of ``kind`` (``tag`` makes it new, so no cache answers it)."""
    if kind == "bridges":
        ids = ", ".join(f'"{c}"' for c in COMMUNITIES)
        return f"{{ t{tag}: __typename " + " ".join(
            f"a{i}: bridges(first: 1, communityIds: [{ids}]) {{ person {{ id }} }}" for i in range(12)) + " }"
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


def victim(url: str, token: str, stop: float, out: dict[str, list[float]], codes: Counter[str]) -> None:
    """Another principal: its own expensive requests, one after another (the /ask page's query, then bridges)."""
    ids = ", ".join(f'"{c}"' for c in COMMUNITIES)
    with httpx.Client(timeout=120) as http:
        time.sleep(1.0)
        k = 0
        while time.time() < stop:
            k += 1
            skills = SKILLS[k % len(SKILLS)], SKILLS[(k + 7) % len(SKILLS)]
            for name, body in (
                ("victim expertsFor", {"query": ASK, "variables": {"question": {"skills": list(skills)},
                                                                  "first": 10 + k % 10}}),
                ("victim bridges", {"query": f"{{ v{k}: bridges(first: 3, communityIds: [{ids}]) {{ rank }} }}"}),
            ):
                start = time.perf_counter()
                try:
                    r = http.post(f"{url}/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
                    errors = r.json().get("errors") or [{}]
                    codes[f"{name} {errors[0].get('extensions', {}).get('code', 'ok')}"] += 1
                except httpx.HTTPError as exc:
                    codes[f"{name} {type(exc).__name__}"] += 1
                out[name].append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True, help="an analyst token")
    parser.add_argument("--kind", choices=["seeds", "capped", "bridges"], default="seeds")
    parser.add_argument("--victim-token", help="another principal's analyst token: it sends expensive requests too")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    stop = time.time() + args.seconds
    latencies: dict[str, list[float]] = {"healthz": [], "cheap": []}
    if args.kind == "bridges":
        r = httpx.post(f"{args.url}/graphql", json={"query": "{ communities(first: 100) { id } }"},
                       headers={"Authorization": f"Bearer {args.token}"}, timeout=60)
        COMMUNITIES.extend(c["id"] for c in r.json()["data"]["communities"])
    threads = [threading.Thread(target=probe, args=(args.url, args.token, stop - 1, latencies))]
    victim_codes: Counter[str] = Counter()
    if args.victim_token:
        latencies.update({"victim expertsFor": [], "victim bridges": []})
        threads.append(threading.Thread(target=victim, args=(args.url, args.victim_token, stop - 1, latencies,
                                                             victim_codes)))
    for thread in threads:
        thread.start()
    outcomes = asyncio.run(flood(args.url, args.token, args.kind, args.clients, stop))
    for thread in threads:
        thread.join()
    print(f"flood {args.kind} x{args.clients}: {dict(outcomes)}; load average {os.getloadavg()[0]:.1f}")
    if victim_codes:
        print(f"victim outcomes: {dict(victim_codes)}")
    for name, values in latencies.items():
        if not values:
            continue
        values.sort()
        print(f"{name}: n={len(values)} p50 {statistics.median(values):.3f} s "
              f"p90 {values[int(len(values) * 0.9)]:.3f} s max {values[-1]:.3f} s")


if __name__ == "__main__":
    main()
