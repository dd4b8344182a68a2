"""A first load of a demo organisation into an empty Neo4j through the offline importer, phase by phase.

    nice -n 10 .venv/bin/python bench/bulk_bench.py --people 100000 --page-cache 3221225472 --heap 2g

1. ``whoknows ingest manifest DATA --bulk-dir CSV``: the normal parse, validation, identity matching and
   aggregation, writing the importer's CSV files (subprocess: wall, CPU, peak RSS);
2. the repository's launcher with ``--import`` on a fresh home: ``neo4j-admin database import full`` in its JVM,
   then the server starts (wall until Bolt answers, the JVM's CPU);
3. the store's schema setup (constraints and indexes, as any first open does) and the wait until every index is
   online (wall, the JVM's CPU): only then is the load finished.
The demo data is the store bench's (``--workdir``, default the same cache folder, generated once). Figures go to
bench/results/bulk_bench-<people>.{json,md} with the load average before and after each phase; the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.store_bench import GOAL_INGEST_S, JAR, _load, _proc_cpu_s, ensure_data, launcher, run_cli, stop_server  # noqa: E402
from graph.store.neo4j.bulk import ARGS_FILE  # noqa: E402


def import_and_start(home: Path, args_file: Path, heap: str, page_cache: int, log: Path) -> tuple[dict[str, Any],
                                                                                                  subprocess.Popen[str],
                                                                                                  str]:
    """The launcher's import mode: the importer, then the server; measured until it prints its Bolt URI."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    load_before = _load()
    t0 = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(
            launcher(home, heap, page_cache, "--import", str(args_file)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
        )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.startswith("BOLT "):
        proc.wait()
        raise SystemExit(f"the import or the server start failed (exit code {proc.returncode}); see {log}")
    return {
        "wall_s": round(time.perf_counter() - t0, 1), "server_cpu_s": round(_proc_cpu_s(proc.pid), 1),
        "load_before": load_before, "load_after": _load(), "log": str(log),
    }, proc, line.split(" ", 1)[1]


def schema_and_indexes(uri: str, pid: int) -> dict[str, Any]:
    from graph.store.neo4j import Neo4jStore

    load_before = _load()
    s0 = _proc_cpu_s(pid)
    c0 = time.process_time()
    t0 = time.perf_counter()
    store = Neo4jStore.connect(uri, user="neo4j", password="unused-auth-is-off")
    try:
        store.await_indexes(3600)
        wall = time.perf_counter() - t0
        counts = store.counts()
    finally:
        store.close()
    return {"wall_s": round(wall, 1), "client_cpu_s": round(time.process_time() - c0, 1),
            "server_cpu_s": round(_proc_cpu_s(pid) - s0, 1), "load_before": load_before, "load_after": _load(),
            "counts": counts}


def first_load(data: Path, csv_dir: Path, home: Path, heap: str, page_cache: int, workdir: Path
               ) -> tuple[dict[str, dict[str, Any]], subprocess.Popen[str], str]:
    """The three phases of a first load (CSV files, import and server start, every index online), each measured;
    returns them with the running server and its Bolt URI (the caller stops it by closing its stdin)."""
    shutil.rmtree(csv_dir, ignore_errors=True)
    print("[1/3] whoknows ingest manifest --bulk-dir ...", flush=True)
    csv = run_cli(["ingest", "manifest", str(data), "--bulk-dir", str(csv_dir), "--rejects-dir",
                   str(workdir / "rejects-bulk")], workdir / "bulk-csv.log")
    print(f"      {csv}", flush=True)
    print("[2/3] neo4j-admin database import full (in the launcher) + server start ...", flush=True)
    imported, proc, uri = import_and_start(home, csv_dir / ARGS_FILE, heap, page_cache, workdir / "bulk-import.log")
    print(f"      {imported}", flush=True)
    try:
        print("[3/3] schema setup + every index online ...", flush=True)
        schema = schema_and_indexes(uri, proc.pid)
        print(f"      {schema}", flush=True)
    except BaseException:
        stop_server(proc)
        raise
    return {"csv": csv, "import": imported, "schema": schema}, proc, uri


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "whoknows-store-bench")
    ap.add_argument("--heap", default="2g", help="Neo4j JVM heap (the importer runs in the same JVM)")
    ap.add_argument("--page-cache", type=int, default=1 << 30, help="Neo4j page cache, bytes")
    ap.add_argument("--keep", action="store_true", help="leave the CSV files and the database in the workdir")
    ap.add_argument("--out", type=Path, default=None, help="default: bench/results/bulk_bench-<people>.json")
    args = ap.parse_args(argv)
    if not JAR.exists():
        raise SystemExit(f"{JAR} is missing: run `make neo4j-test-server`")
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = ensure_data(args.workdir, args.people, args.seed)
    csv_dir = args.workdir / f"bulk-csv-{args.people}"
    home = args.workdir / f"neo4j-bulk-{args.people}"
    results: dict[str, Any] = {"people": args.people, "seed": args.seed, "cpu_count": os.cpu_count(),
                               "heap": args.heap, "page_cache": args.page_cache, "load_start": _load()}
    print(f"machine: {os.cpu_count()} CPUs, load average {results['load_start']}", flush=True)
    measured, proc, _uri = first_load(data, csv_dir, home, args.heap, args.page_cache, args.workdir)
    stop_server(proc)
    results.update(measured)
    results["csv_mib"] = round(sum(p.stat().st_size for p in csv_dir.rglob("*.csv")) / 2**20)
    phases = ("csv", "import", "schema")
    results["total_wall_s"] = round(sum(results[p]["wall_s"] for p in phases), 1)
    results["total_cpu_s"] = round(sum(results[p].get("client_cpu_s", 0) + results[p].get("server_cpu_s", 0)
                                       for p in phases), 1)
    results["load_end"] = _load()
    results["children_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    verdict = "MET" if results["total_wall_s"] < GOAL_INGEST_S else "NOT MET"
    if args.people < 100_000:
        verdict = "not measured (the goal is for 100,000)"
    print(f"\nfirst load through the importer: {results['total_wall_s']} s wall, {results['total_cpu_s']} CPU-s; "
          f"goal < {GOAL_INGEST_S:.0f} s at 100,000 people: {verdict}")
    out = args.out or ROOT / "bench" / "results" / f"bulk_bench-{args.people}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")
    if not args.keep:
        shutil.rmtree(csv_dir, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
