"""The 100,000-person organisation on Neo4j end to end: bulk first load (kept), `whoknows analyze`, the API bench.

    nice -n 10 .venv/bin/python bench/neo4j_100k_run.py [--people 100000] [--skip-load] [--out FILE]

1. ``bench/bulk_bench.py --keep`` (CSV files, importer, indexes; its own figures in bulk_bench-<people>.json);
2. the launcher on that database, then ``whoknows analyze --store bolt://... --json`` as a subprocess (wall, CPU of
   the command and of the JVM, peak RSS; the per-stage figures are in its JSON, saved beside the results);
3. ``bench.api_bench.measure`` on it: experts, community health, influencers, 16 connections, uncached.
Figures go to bench/results/neo4j_100k_run-<people>.json. The machine may be shared: the load is recorded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench.store_bench as sb  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "whoknows-store-bench")
    ap.add_argument("--heap", default="3g")
    ap.add_argument("--page-cache", type=int, default=3 << 30)
    ap.add_argument("--duration", type=int, default=10, help="seconds per API measurement")
    ap.add_argument("--skip-load", action="store_true", help="reuse the database a previous run kept")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or ROOT / "bench" / "results" / f"neo4j_100k_run-{args.people}.json"
    home = args.workdir / f"neo4j-bulk-{args.people}"
    results: dict[str, Any] = {"people": args.people, "heap": args.heap, "page_cache": args.page_cache}
    if not args.skip_load:
        subprocess.run([sys.executable, str(ROOT / "bench" / "bulk_bench.py"), "--people", str(args.people),
                        "--workdir", str(args.workdir), "--page-cache", str(args.page_cache), "--heap", args.heap,
                        "--keep", "--out", str(out.with_suffix(".bulk.json"))], check=True)
    with sb.neo4j_server(home, args.heap, args.page_cache, args.workdir / "neo4j-100k-server.log",
                         fresh=False) as uri:
        try:
            analyze_log = args.workdir / "neo4j-100k-analyze.log"
            results["analyze"] = sb.run_cli(["analyze", "--store", uri, "--json"], analyze_log)
            print(f"analyze: {results['analyze']}", flush=True)
            from bench.api_bench import measure

            results["api"] = measure(uri, args.duration, 16, None, configs=(("graphql_uncached", 0.0),),
                                     bare=False)
        finally:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
