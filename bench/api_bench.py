"""API load benchmark: GraphQL queries against a real uvicorn (one worker) on 127.0.0.1, driven by wrk.

    python bench/api_bench.py --people 100000            # build the demo org (once, cached) then measure
    python bench/api_bench.py --store sqlite:///x.db     # measure an existing store
    python bench/api_bench.py serve --store ... --port P # (internal) the server process

Measures, at 16 concurrent connections for ``--duration`` seconds each:
- ``experts`` for the skill with the most experts, first 10 with evidence and explanation (employee);
- ``community { health }`` of the largest community (analyst);
- ``influencers`` global top 10 (analyst);
and the same data from bare FastAPI JSON endpoints (``/bare/...``: same store call, same fields, no GraphQL) to
show what GraphQL costs. The goal of issue 8.5: experts >= 200 requests/s with p99 < 100 ms (16 clients, one
worker, uncached).

The load generator is ``wrk`` (Debian package) with a Lua script for POST bodies; it runs in its own process with
one thread, so on a 2-core machine the server keeps one core. Everything stops by itself (fixed durations, the server
is terminated at the end) and only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import Request  # module level: FastAPI resolves the endpoints' string annotations here
from fastapi.responses import Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WARMUP_S = 10  # seconds of unmeasured load per query before each measurement
SECRET = "bench-secret-0123456789abcdef0123456789"

EXPERTS_Q = """query Experts($skill: String!) { experts(skill: $skill, first: 10) { totalCount
  edges { cursor node { score explanation evidence { kind count lastAt }
          person { id name title department location } } }
  pageInfo { hasNextPage endCursor } } }"""
HEALTH_Q = """query Health($id: ID!) { community(id: $id) { id name health {
  current { period start members activeMembers posts threads postsPerWeek replyRate medianFirstResponseHours
            unansweredShare contributorGini absenceFactor newcomerRetention managersActiveShare
            crossDepartmentShare withheld withheldReason }
  weekly { start members activeMembers posts replyRate contributorGini withheld }
  trend { posts activeMembers replyRate } } } }"""
INFLUENCERS_Q = """query Influencers { influencers(first: 10) { rank score person { id name title department
  location } } }"""


# --- the server process --------------------------------------------------------------------------------


def serve(store_url: str, port: int, log_file: str, cache_ttl: float) -> None:
    """create_app plus bare endpoints returning the same data without GraphQL, on one uvicorn worker."""
    import anyio.to_thread
    import uvicorn

    from app.graphql.explain import explain_expertise, health_trend, withheld_figures
    from app.main import create_app
    from app.observability import configure_logging
    from app.settings import load_settings

    settings = load_settings(env="production", jwt_secret=SECRET, store=store_url, log_level="INFO",
                             response_cache_ttl_s=cache_ttl)
    with open(log_file, "a", encoding="utf-8") as logs:  # noqa: PTH123
        configure_logging(settings.log_level, stream=logs)
        app = create_app(settings)

        def dumps(obj: Any) -> Response:
            return Response(json.dumps(obj, default=str, separators=(",", ":")).encode(), media_type="application/json")

        def person(p: Any) -> dict[str, Any]:
            return {"id": p.id, "name": p.name, "title": p.title, "department": p.department, "location": p.location}

        @app.get("/bare/experts")
        async def bare_experts(request: Request, skill: str) -> Response:
            app.state.authenticator.authenticate(request.headers.get("authorization"))
            page = await anyio.to_thread.run_sync(lambda: app.state.gateway.store.experts(skill, first=10))
            return dumps({"totalCount": page.total, "edges": [
                {"cursor": h.cursor, "node": {
                    "score": h.score, "explanation": explain_expertise(h.skill, h.evidence),
                    "evidence": [{"kind": e.kind.upper(), "count": e.count, "lastAt": e.last_at} for e in h.evidence],
                    "person": person(h.person)}} for h in page.items],
                "pageInfo": {"hasNextPage": page.next_cursor is not None,
                             "endCursor": page.items[-1].cursor if page.items else None}})

        @app.get("/bare/health")
        async def bare_health(request: Request, id: str) -> Response:  # noqa: A002
            app.state.authenticator.authenticate(request.headers.get("authorization"))
            store = app.state.gateway.store
            c, report = await anyio.to_thread.run_sync(lambda: (store.community(id), store.community_health(id)))

            def figs(h: Any) -> dict[str, Any]:
                hidden, reason = withheld_figures(
                    h, settings.min_group_size, opted_out_changed=report.opted_out_changed
                )
                d = h.model_dump(mode="json")
                return {**{k: (None if k in hidden else v) for k, v in d.items()}, "withheld": list(hidden),
                        "withheldReason": reason}

            return dumps({"id": c.id, "name": c.name, "health": {
                "current": figs(report.current) if report.current else None,
                "weekly": [figs(w) for w in report.weekly],
                "trend": vars(health_trend(report, settings.min_group_size))}})

        @app.get("/bare/influencers")
        async def bare_influencers(request: Request) -> Response:
            app.state.authenticator.authenticate(request.headers.get("authorization"))
            rows = await anyio.to_thread.run_sync(lambda: app.state.gateway.store.influencers(first=10))
            return dumps([{"rank": r.rank, "score": r.score, "person": person(r.person)} for r in rows])

        uvicorn.run(app, host="127.0.0.1", port=port, workers=1, log_config=None, access_log=False,
                    lifespan="on", server_header=False)


# --- building the organisation ---------------------------------------------------------------------------


def build(people: int, workdir: Path, seed: int) -> str:
    """Demo org of ``people`` -> ingest -> analytics into workdir/whoknows.db (reused when already complete)."""
    from app.settings import load_settings
    from graph.jobs import run_analytics
    from graph.store.sqlite import SQLiteStore
    from ingest.demo import generate_demo_data
    from ingest.manifest import ingest_manifest

    db = workdir / "whoknows.db"
    done = workdir / "BUILT"
    if done.exists() and db.exists():
        print(f"reusing {db} ({done.read_text().strip()})")
        return f"sqlite:///{db}"
    workdir.mkdir(parents=True, exist_ok=True)
    if db.exists():
        db.unlink()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    generate_demo_data(workdir / "data", people=people, seed=seed)
    timings["generate_s"] = time.perf_counter() - t
    store = SQLiteStore(db)
    try:
        t = time.perf_counter()
        ingest_manifest(store, workdir / "data", rejects_dir=workdir / "rejects")
        timings["ingest_s"] = time.perf_counter() - t
        t = time.perf_counter()
        run_analytics(store, load_settings(env="development"))
        timings["analyze_s"] = time.perf_counter() - t
        counts = store.counts()
    finally:
        store.close()
    note = f"people={people} seed={seed} " + " ".join(f"{k}={v:.1f}" for k, v in timings.items())
    done.write_text(note + "\n" + json.dumps(counts) + "\n")
    print(f"built {db}: {note}")
    return f"sqlite:///{db}"


def pick_targets(store_url: str) -> tuple[str, str]:
    """The skill with the most experts and the community with the most members (worst cases for the API)."""
    from graph.store import open_store

    store = open_store(store_url)
    try:
        skills = [s.name for s in store.all_skills()]
        skill = max(skills, key=lambda s: (store.experts(s, first=1).total, s))
        comms = store.communities(first=1000)
        community = max(comms, key=lambda c: (store.community_members(c.id, first=1).total, c.id)).id
        return skill, community
    finally:
        store.close()


# --- the load -------------------------------------------------------------------------------------------------

LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def _lua_string(text: str | None) -> str:
    return "nil" if text is None else json.dumps(text)


def run_wrk(url: str, method: str, body: str | None, token: str, seconds: int, connections: int,
            tmp: Path) -> dict[str, Any]:
    script = tmp / f"load-{abs(hash((url, body))) % 10**8}.lua"
    script.write_text(LUA.format(method=method, body=_lua_string(body), token=token))
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", "-s", str(script), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50_ms": ms("50"), "p90_ms": ms("90"), "p99_ms": ms("99"), "requests": total,
            "errors": errors}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout_s: float, where: object) -> None:
    """Wait until the served API says ready; a server that exits or stays unready ends the bench (logs in ``where``)."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit(f"server did not become ready; see {where}")
        time.sleep(0.2)


CONFIGS = (("graphql_cached", 2.0), ("graphql_uncached", 0.0))  # response cache TTL of each server


def measure(store_url: str, seconds: int, connections: int, out_json: Path | None,
            configs: tuple[tuple[str, float], ...] = CONFIGS, bare: bool = True,
            warmup: int = WARMUP_S) -> dict[str, Any]:
    """Run the cases on one server per config (name, cache TTL); ``bare``: also the bare FastAPI endpoints.

    Each query is first sent for ``warmup`` seconds under the same load, unmeasured: a long-running server is warm
    (Python's caches, and on Neo4j the JVM's JIT and page cache), a server started a second ago is not.
    """
    import httpx

    from app.auth import Role, mint_token
    from app.settings import load_settings

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    skill, community = pick_targets(store_url)
    print(f"targets: skill={skill!r} community={community!r}")
    settings = load_settings(env="production", jwt_secret=SECRET, store=store_url)
    employee = mint_token(settings, "bench-employee", Role.EMPLOYEE, ttl_s=7200)
    analyst = mint_token(settings, "bench-analyst", Role.ANALYST, ttl_s=7200)
    tmp = Path(tempfile.mkdtemp(prefix="whoknows-bench-"))
    cases = [
        ("experts", EXPERTS_Q, {"skill": skill}, employee, f"/bare/experts?skill={skill}"),
        ("community_health", HEALTH_Q, {"id": community}, analyst, f"/bare/health?id={community}"),
        ("influencers", INFLUENCERS_Q, {}, analyst, "/bare/influencers"),
    ]
    results: dict[str, Any] = {"store": store_url, "skill": skill, "community": community,
                               "connections": connections, "seconds": seconds, "cases": {}}
    for name, *_ in cases:
        results["cases"][name] = {}
    # two servers in turn: the default configuration (response cache on) and the cache switched off
    for config, ttl in configs:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, __file__, "serve", "--store", store_url, "--port", str(port), "--log-file",
             str(tmp / f"server-{config}.log"), "--cache-ttl", str(ttl)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(tmp / f"server-{config}.err", "w"),  # noqa: SIM115, PTH123
        )
        try:
            wait_ready(base, server, 120, tmp)
            for name, query, variables, token, bare in cases:
                body = json.dumps({"query": query, "variables": variables})
                check = httpx.post(f"{base}/graphql", content=body, timeout=10,
                                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                payload = check.json()
                assert check.status_code == 200, payload
                assert "errors" not in payload, payload
                run_wrk(f"{base}/graphql", "POST", body, token, warmup, connections, tmp)  # warm-up, unmeasured
                gql = run_wrk(f"{base}/graphql", "POST", body, token, seconds, connections, tmp)
                case = results["cases"][name]
                gql["load"] = round(os.getloadavg()[0], 1)
                case[config] = gql
                case["bytes"] = len(check.content)
                line = (f"{name:17} {config:17} {gql['rps']:8.1f} req/s  p50 {gql['p50_ms']:7.2f} ms  "
                        f"p99 {gql['p99_ms']:7.2f} ms  errors {gql['errors']}")
                if bare and config == "graphql_cached":
                    check_bare = httpx.get(f"{base}{bare}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
                    assert check_bare.status_code == 200, check_bare.text
                    run_wrk(f"{base}{bare}", "GET", None, token, warmup, connections, tmp)
                    plain = run_wrk(f"{base}{bare}", "GET", None, token, seconds, connections, tmp)
                    case["bare"] = plain
                    case["bare_bytes"] = len(check_bare.content)
                    line += (f"\n{name:17} {'bare FastAPI':17} {plain['rps']:8.1f} req/s  p50 {plain['p50_ms']:7.2f} ms"
                             f"  p99 {plain['p99_ms']:7.2f} ms  errors {plain['errors']}")
                print(line, flush=True)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    if bare and len(configs) == len(CONFIGS):
        for name, case in results["cases"].items():
            for config in ("graphql_cached", "graphql_uncached"):
                case[f"{config}_over_bare_rps"] = round(case[config]["rps"] / case["bare"]["rps"], 3)
            print(f"{name:17} ratio to bare FastAPI (req/s): cached {case['graphql_cached_over_bare_rps']:.2f}, "
                  f"uncached {case['graphql_uncached_over_bare_rps']:.2f}")
    results["cpu_count"] = os.cpu_count()
    for config, _ttl in configs:
        e = results["cases"]["experts"][config]
        met = bool(e["rps"] >= 200 and e["p99_ms"] < 100 and e["errors"] == 0)
        results[f"goal_met_{config}"] = met
        print(f"issue 8.5 goal (experts >= 200 req/s, p99 < 100 ms at {connections} clients), {config}: "
              f"{'MET' if met else 'NOT MET'}")
    if out_json is not None:
        out_json.parent.mkdir(parents=True, exist_ok=True)
        out_json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {out_json}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    s = sub.add_parser("serve")
    s.add_argument("--store", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--log-file", default=os.devnull)
    s.add_argument("--cache-ttl", type=float, default=2.0)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=None, help="default: /tmp/whoknows-bench-<people>")
    parser.add_argument("--store", default=None, help="measure this store instead of building a demo org")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "api_bench.json")
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) the demo store and stop")
    parser.add_argument("--uncached-only", action="store_true",
                        help="only the uncached GraphQL server (issue 8.5's measure), no cached or bare runs")
    parser.add_argument("--warmup", type=int, default=WARMUP_S, help="seconds of unmeasured load before each run")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.store, args.port, args.log_file, args.cache_ttl)
        return
    store_url = args.store or build(args.people, args.workdir or Path(f"/tmp/whoknows-bench-{args.people}"),
                                    args.seed)
    if args.build_only:
        return
    configs = (("graphql_uncached", 0.0),) if args.uncached_only else CONFIGS
    measure(store_url, args.duration, args.connections, args.out, configs=configs, bare=not args.uncached_only,
            warmup=args.warmup)


if __name__ == "__main__":
    main()
