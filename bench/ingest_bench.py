"""Ingest benchmark: a demo-data organisation into a fresh SQLite store, timed.

    python bench/ingest_bench.py                      # --people 10000 and 100000, forum steps in 2 processes
    python bench/ingest_bench.py --people 10000 --workers 1 --data /tmp/wk-bench

For each size it generates (or reuses) ``<data>/people-<N>`` with ``ingest.demo.generate_demo_data``, then runs
``ingest.manifest.ingest_manifest`` into a new SQLite file in a child process (so the figures are the ingest's
alone) and reports wall time, CPU time of all processes, posts per second and the peak RSS of the largest
process. Issue 3's target: 100,000 people (about 1,000,000 posts) in under 60 s and 2 GiB on 2 cores.
``--profile`` writes a cProfile of the ingest (of the parent process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ingest_child(data: Path, db: Path, profile: Path | None, workers: int) -> dict:
    """Runs in the child process: ingest the manifest, return the figures."""
    from graph.store.sqlite import SQLiteStore
    from ingest.manifest import ingest_manifest

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = SQLiteStore(db)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
        summaries = prof.runcall(ingest_manifest, store, data, rejects_dir=db.parent, workers=workers)
        prof.dump_stats(str(profile))
    else:
        summaries = ingest_manifest(store, data, rejects_dir=db.parent, workers=workers)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes (workers > 1)
    counts = store.counts()
    store.close()
    posts = counts["posts"]
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime + c1.ru_utime + c1.ru_stime, 2),
        "posts": posts,
        "posts_per_s": round(posts / wall),
        "peak_rss_mib": round(max(r1.ru_maxrss, c1.ru_maxrss) / 1024),
        "workers": workers,
        "records": sum(s.records for s in summaries),
        "rejected": sum(s.rejected for s in summaries),
        "steps": [{"kind": s.kind, "seconds": round(s.seconds, 2), "records": s.records,
                   "unmatched": s.unmatched} for s in summaries],
        "counts": counts,
        "db_mib": round(db.stat().st_size / 2**20),
    }


def ensure_data(data: Path, people: int, seed: int) -> Path:
    out = data / f"people-{people}"
    if (out / "manifest.json").exists():
        return out
    from ingest.demo import generate_demo_data

    t0 = time.perf_counter()
    generate_demo_data(out, people=people, seed=seed)
    print(f"generated {out} in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, action="append", help="organisation size (repeatable)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "whoknows-bench")
    ap.add_argument("--workers", type=int, default=2, help="processes for the forum steps (1: strictly in order)")
    ap.add_argument("--profile", action="store_true", help="write a cProfile next to the store")
    ap.add_argument("--child", nargs=3, metavar=("DATA", "DB", "WORKERS"), help=argparse.SUPPRESS)
    ap.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(ingest_child(Path(args.child[0]), Path(args.child[1]), args.profile_to, int(args.child[2]))))
        return
    sizes = args.people or [10_000, 100_000]
    args.data.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    for n in sizes:
        data = ensure_data(args.data, n, args.seed)
        db = args.data / f"bench-{n}.db"
        cmd = [sys.executable, __file__, "--child", str(data), str(db), str(args.workers)]
        if args.profile:
            cmd += ["--profile-to", str(args.data / f"ingest-{n}.prof")]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit(proc.returncode)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\n--people {n}: {r['posts']:,} posts, {r['records']:,} records, {r['rejected']} rejected")
        print(f"  wall {r['wall_s']} s, cpu {r['cpu_s']} s (all processes), {r['posts_per_s']:,} posts/s, "
              f"peak RSS {r['peak_rss_mib']} MiB (largest process), store {r['db_mib']} MiB, "
              f"workers {r['workers']}")
        for s in r["steps"]:
            print(f"  {s['kind']:<14} {s['seconds']:>7} s  {s['records']:>10,} records  {s['unmatched']} unmatched")
        print(f"  load average now {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
