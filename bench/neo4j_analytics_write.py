"""The Neo4j store's analytics write path at full scale, without a full Neo4j ingest first.

    .venv/bin/python bench/neo4j_analytics_write.py --from sqlite:////tmp/w100k.db --cache /tmp/snap100k.pkl

``whoknows analyze`` on Neo4j is: read the projection, compute (the same code as on SQLite), write the snapshot.
A 100,000-person Neo4j ingest takes longer than the write it would let us measure, so this bench takes the snapshot
``analyze`` computes from a SQLite store holding the same organisation (``compute_snapshot``, cached with
``--cache``), starts a fresh Neo4j test server (``make neo4j-test-server``), writes the people the snapshot names
(Person nodes: the only nodes its edges need; skills are created by the write itself), then runs
``write_analytics`` ``--runs`` times: the first run, a second (the first becomes the previous generation) and a
third (the first is then stale and dropped), each with client time per Cypher statement and a ``PROFILE`` of the
slowest ones (``bench/neo4j_profile.py``). The load average is printed beside every figure.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.neo4j_profile import StatementTimes, profile  # noqa: E402
from bench.store_bench import neo4j_server  # noqa: E402


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def snapshot_of(url: str, cache: Path | None) -> tuple[Any, list[Any]]:
    """The snapshot ``analyze`` would write for the store at ``url``, and the store's people rows."""
    if cache is not None and cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)  # noqa: S301 - a cache this bench wrote
    from graph.jobs import AnalyticsParams, compute_snapshot
    from graph.store import open_store

    store = open_store(url)
    try:
        data = store.read_projection()
    finally:
        store.close()
    t0, c0 = time.perf_counter(), time.process_time()
    snap = compute_snapshot(data, AnalyticsParams())
    print(f"computed the snapshot in {time.perf_counter() - t0:.0f} s wall, {time.process_time() - c0:.0f} s CPU "
          f"(this process; load {_load()})", flush=True)
    stats = snap.run.stats
    for stage, wall in stats.get("timings_s", {}).items():
        print(f"  {stage:24}{wall:>9.1f} s wall{stats['cpu_s'].get(stage, 0.0):>9.1f} s CPU"
              f"{stats.get('peak_rss_mib', {}).get(stage, 0.0):>9.0f} MiB peak RSS", flush=True)
    people = list(data.people)
    if cache is not None:
        with cache.open("wb") as f:
            pickle.dump((snap, people), f, protocol=pickle.HIGHEST_PROTOCOL)
    return snap, people


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="source", required=True, help="a SQLite store URL holding the organisation")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the computed snapshot (made if missing)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--top", type=int, default=4, help="PROFILE the N slowest statements of the first run")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "whoknows-store-bench")
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--page-cache", type=int, default=1 << 30)
    args = ap.parse_args(argv)
    import neo4j.exceptions

    from graph.store.base import Batch
    from graph.store.neo4j import Neo4jStore
    from schema.models import Person

    args.workdir.mkdir(parents=True, exist_ok=True)
    snap, rows = snapshot_of(args.source, args.cache)
    print(f"snapshot: {len(snap.interactions):,} interactions, {len(snap.expertise):,} expertise rows, "
          f"{len(snap.person_scores):,} person scores, {len(snap.influence):,} influence rows, "
          f"{len(snap.health):,} health rows", flush=True)
    named = {s.person_id for s in snap.person_scores} | {i.source_id for i in snap.interactions} | {
        i.target_id for i in snap.interactions} | {e.person_id for e in snap.expertise}
    people = [Person(id=r.id, name=r.id, department=r.department, location=r.location, active=r.active,
                     opted_out=r.opted_out, bot=r.bot, source=r.source) for r in rows if r.id in named]
    home = args.workdir / "neo4j-analytics-write"
    with neo4j_server(home, args.heap, args.page_cache, args.workdir / "neo4j-analytics-write.log") as uri:
        store = Neo4jStore.connect(uri)
        try:
            t0 = time.perf_counter()
            for i in range(0, len(people), 5000):
                store.write_batch(Batch(people=people[i:i + 5000]))
            print(f"wrote {len(people):,} people in {time.perf_counter() - t0:.1f} s", flush=True)
            for k in range(1, args.runs + 1):
                times = StatementTimes()
                times.install()
                load = _load()
                t0 = time.perf_counter()
                try:
                    store.write_analytics(snap)
                finally:
                    times.uninstall()
                total = time.perf_counter() - t0
                print(f"\nwrite_analytics run {k}: {total:.1f} s wall, {sum(times.seconds.values()):.1f} s inside "
                      f"statements (load {load} -> {_load()})")
                print("\n".join(times.report(total)), flush=True)
                if k == 1:
                    for name in sorted(times.seconds, key=times.seconds.__getitem__, reverse=True)[: args.top]:
                        text, params = times.sample[name]
                        # the statements CREATE under the generation's key: profile the call as a new generation's
                        params = {k: [{**r, "gen": "profile"} if isinstance(r, dict) and "gen" in r else r for r in v]
                                  if isinstance(v, list) else v for k, v in params.items()}
                        try:
                            print("\n".join(profile(uri, name, text, params)), flush=True)
                        except neo4j.exceptions.Neo4jError as exc:
                            print(f"PROFILE {name} failed: {exc}")
        finally:
            store.close()


if __name__ == "__main__":
    main()
