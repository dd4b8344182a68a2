"""Fairness under expensive queries (issue 9.3): a cheap query's latency while eight clients send the most
expensive query the cost limit allows.

    python bench/fairness_bench.py                       # demo org of 5,000 people (built once, cached), 30 s
    python bench/fairness_bench.py --store sqlite:///x.db --seconds 60

The server is one uvicorn worker in its own process on a free 127.0.0.1 port, response cache off (every request
executes). "Most expensive allowed": 20 aliases (the alias limit) of ``experts(first: N)`` with nested person,
communities, skills and evidence fields, N the largest page whose cost is within ``WHOKNOWS_MAX_COST``; it is checked
to be accepted. Eight threads send it back to back; one more sends a cheap query (one skill) back to back and records
its latency. Goal: cheap p99 under 250 ms. The machine's load average is printed (shared machines vary). Everything
stops by itself after ``--seconds``; only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SECRET = "bench-secret-0123456789abcdef0123456789"
CHEAP = '{ skills(first: 1) { name } }'
NESTED = ("cursor node { score explanation evidence { kind count lastAt } person { id name title department "
          "location communities { id name } skills { skill level } } }")


def expensive(skill: str, page: int, aliases: int = 20) -> str:
    return "{ " + " ".join(
        f'a{i}: experts(skill: "{skill}", first: {page}) {{ totalCount edges {{ {NESTED} }} }}' for i in range(aliases)
    ) + " }"


def largest_allowed(skill: str, settings: Any) -> tuple[str, int, int]:
    """The most expensive experts document within the cost limit: (document, page size, cost)."""
    from graphql import parse

    from app.graphql.analysis import analyze
    from app.graphql.limits import limits
    from app.main import create_app

    schema = create_app(settings).state.schema._schema
    lim = limits(settings)
    best = (expensive(skill, 1), 1, 0)
    for page in range(1, settings.max_page + 1):
        doc = expensive(skill, page, settings.max_aliases)
        a = analyze(parse(doc), schema, lim)
        if a.problems or a.cost > lim.max_cost:
            break
        best = (doc, page, a.cost)
    return best


def serve(store_url: str, port: int) -> None:
    import uvicorn

    from app.main import create_app
    from app.settings import load_settings

    settings = load_settings(env="production", jwt_secret=SECRET, store=store_url, response_cache_ttl_s=0.0,
                             log_level="WARNING")
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def measure(store_url: str, seconds: float, heavy_clients: int) -> dict[str, Any]:
    import httpx
    from api_bench import free_port, pick_targets, wait_ready

    from app.auth import Role, mint_token
    from app.settings import load_settings

    settings = load_settings(env="production", jwt_secret=SECRET, store=store_url)
    skill, _ = pick_targets(store_url)
    heavy, page, cost = largest_allowed(skill, settings)
    token = mint_token(settings, "bench", Role.ANALYST, ttl_s=7200)
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    err = tempfile.NamedTemporaryFile("w", prefix="fairness-server-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen([sys.executable, __file__, "serve", "--store", store_url, "--port", str(port)],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    try:
        wait_ready(base, server, 60, err.name)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            first = http.post("/graphql", json={"query": heavy}).json()
            assert "errors" not in first, first["errors"][:1]
            for _ in range(20):  # warm-up
                http.post("/graphql", json={"query": CHEAP})

        stop = time.monotonic() + seconds
        heavy_times: list[float] = []
        heavy_errors: list[str] = []

        def heavy_client() -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
                while time.monotonic() < stop:
                    t = time.perf_counter()
                    body = http.post("/graphql", json={"query": heavy}).json()
                    heavy_times.append(time.perf_counter() - t)
                    if "errors" in body:
                        heavy_errors.append(body["errors"][0]["extensions"]["code"])

        threads = [threading.Thread(target=heavy_client) for _ in range(heavy_clients)]
        load_before = os.getloadavg()
        for t in threads:
            t.start()
        time.sleep(min(2.0, seconds / 5))  # let the heavy load build up
        cheap: list[float] = []
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = http.post("/graphql", json={"query": CHEAP})
                cheap.append(time.perf_counter() - t0)
                assert r.status_code == 200
                assert "errors" not in r.json(), r.text
        for t in threads:
            t.join()
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
    cheap_ms = sorted(x * 1000 for x in cheap)
    heavy_ms = sorted(x * 1000 for x in heavy_times)

    def pct(xs: list[float], p: float) -> float | None:
        return round(xs[min(len(xs) - 1, int(p * len(xs)))], 1) if xs else None

    return {
        "store": store_url, "skill": skill, "heavy_page": page, "heavy_cost": cost, "max_cost": settings.max_cost,
        "heavy_clients": heavy_clients, "seconds": seconds,
        "cheap": {"n": len(cheap_ms), "p50_ms": pct(cheap_ms, 0.5), "p99_ms": pct(cheap_ms, 0.99),
                  "max_ms": pct(cheap_ms, 1.0), "mean_ms": round(statistics.fmean(cheap_ms), 1)},
        "heavy": {"n": len(heavy_ms), "p50_ms": pct(heavy_ms, 0.5), "p99_ms": pct(heavy_ms, 0.99),
                  "errors": sorted(set(heavy_errors))},
        "loadavg_before": [round(x, 2) for x in load_before], "loadavg_after": [round(x, 2) for x in load_after],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd")
    srv = sub.add_parser("serve")
    srv.add_argument("--store", required=True)
    srv.add_argument("--port", type=int, required=True)
    parser.add_argument("--store")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "whoknows-bench")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fairness_bench.json")
    args = parser.parse_args()
    if args.cmd == "serve":
        serve(args.store, args.port)
        return
    from api_bench import build

    store_url = args.store or build(args.people, args.workdir / f"org{args.people}", seed=42)
    result = measure(store_url, args.seconds, args.clients)
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
