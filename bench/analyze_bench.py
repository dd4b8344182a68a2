"""How fast is ``whoknows analyze``, and how much faster than the plain NetworkX default of each measure?

1. Runs ``whoknows analyze --store URL`` as a subprocess (the real command): wall time and the child's peak RSS
   (``getrusage(RUSAGE_CHILDREN).ru_maxrss``), then reads the per-stage timings the run stored.
2. In this process, projects the same store and times the NetworkX default of each measure on the same graph.
   Where the NetworkX default would take far too long, it is timed on a part (sampled sources, sampled nodes, a
   subgraph) and extrapolated; every such row says so in its note.

    .venv/bin/python bench/analyze_bench.py --store sqlite:////tmp/demo100k/w.db
    (make the store with: whoknows demo-data DIR --people 100000, then ingest its manifest)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from graph.jobs import STAGES, AnalyticsParams  # noqa: E402
from graph.projection import project  # noqa: E402
from graph.store import open_store  # noqa: E402


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _whoknows() -> list[str]:
    exe = shutil.which("whoknows", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-c", "from app.cli import main; main()"]


def run_cli(store: str, seed: int) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (GiB) and exit code of one ``whoknows analyze``."""
    t0 = time.perf_counter()
    proc = subprocess.run([*_whoknows(), "analyze", "--store", store, "--seed", str(seed)], check=False,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
    else:
        print(proc.stdout)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024**2, proc.returncode


class _Rows(list):
    """Rows printed as soon as they are measured (the NetworkX side takes minutes)."""

    def append(self, row: tuple) -> None:  # type: ignore[override]
        super().append(row)
        name, fast, slow, note = row
        print(_fmt(name, fast, slow, note), flush=True)


def _fmt(name: str, fast: float | None, slow: float | None, note: str) -> str:
    f = f"{fast:.2f}" if fast is not None else "-"
    s = f"{slow:.1f}" if slow is not None else "-"
    r = f"{slow / fast:.0f}x" if fast and slow else "-"
    return f"{name:<38}{f:>11}{s:>12}{r:>9}  {note}"


HEADER = f"{'measure':<38}{'whoknows s':>11}{'NetworkX s':>12}{'ratio':>9}  note"


def networkx_defaults(store_url: str, params: AnalyticsParams, stage_times: dict[str, float]) -> list[tuple]:
    """(measure, fast seconds, NetworkX seconds, note) rows."""
    store = open_store(store_url)
    try:
        data = store.read_projection()
    finally:
        store.close()
    pg = project(data, half_life_days=params.half_life_days)
    g_arr = pg.graph
    n, m = g_arr.n, g_arr.edge_count()
    print(f"graph: {n:,} people, {m:,} undirected ties ({len(pg.interactions):,} directed interaction ties)")
    t_build, g = _timed(g_arr.to_networkx)
    print(HEADER, flush=True)
    rows: list[tuple] = _Rows()
    rows.append(("build the NetworkX graph", None, t_build, "NetworkX only (the job never builds it)"))
    rng = random.Random(params.seed)
    nodes = list(g)

    t, _ = _timed(lambda: nx.pagerank(g, weight="weight"))
    t_deg, _ = _timed(lambda: dict(g.degree(weight="weight")))
    rows.append(("PageRank + weighted degree", stage_times.get("pagerank"), t + t_deg, "full graph"))

    k = params.betweenness_samples
    if n >= params.betweenness_exact_below:
        k_small = 4
        t, _ = _timed(lambda: nx.betweenness_centrality(g, k=k_small, seed=params.seed))
        rows.append((f"betweenness (sampled, k={k})", stage_times.get("betweenness"), t * k / k_small,
                     f"EXTRAPOLATED: nx.betweenness_centrality(k={k_small}) took {t:.1f} s, x {k // k_small}"))
    else:
        t, _ = _timed(lambda: nx.betweenness_centrality(g))
        rows.append(("betweenness (exact)", stage_times.get("betweenness"), t, "full graph"))

    # NetworkX's default for all nodes is its sparse path, which forms the full product P @ P (every wedge)
    t_c, _ = _timed(lambda: nx.constraint(g, weight="weight"))
    # its all-nodes effective size densifies P @ M.T (n x n floats: 74 GiB at 100,000 people), so time the per-node
    # definition on sampled nodes instead and extrapolate
    sample = rng.sample(nodes, min(200, n))
    t_e, _ = _timed(lambda: nx.effective_size(g, nodes=sample, weight="weight"))
    scale = n / len(sample)
    rows.append(("constraint + effective size", stage_times.get("structural_holes"), t_c + t_e * scale,
                 f"constraint: full graph, NetworkX all-nodes default {t_c:.1f} s; effective size EXTRAPOLATED: "
                 f"per-node on {len(sample)} sampled nodes {t_e:.1f} s x {scale:.0f} (the all-nodes default needs "
                 f"a dense {n:,} x {n:,} array, {n * n * 8 / 2**30:.0f} GiB)"))

    t, _ = _timed(lambda: list(nx.articulation_points(g)))
    rows.append(("articulation points", stage_times.get("articulation"), t, "full graph"))

    # Louvain on a connected part grown by BFS (about a fifth of the ties), extrapolated by ties
    start = max(nodes, key=lambda v: g.degree(v))
    target = max(m // 5, 1)
    part: set = set()
    edges_in = 0
    for u in nx.bfs_tree(g, start):
        part.add(u)
        edges_in += sum(1 for w in g[u] if w in part)
        if edges_in >= target:
            break
    sub = g.subgraph(part).copy()
    t, _ = _timed(lambda: nx.community.louvain_communities(sub, weight="weight", seed=params.seed))
    factor = m / max(sub.number_of_edges(), 1)
    rows.append(("communities (Louvain/Leiden)", stage_times.get("communities"), t * factor,
                 f"EXTRAPOLATED: nx Louvain on a BFS subgraph of {sub.number_of_nodes():,} nodes / "
                 f"{sub.number_of_edges():,} ties took {t:.1f} s, x {factor:.1f} by ties"))

    # personalised PageRank: one NetworkX call per scope
    scopes = len({e.skill for e in data.skills}) + len(data.communities)
    seeds = dict.fromkeys(rng.sample(nodes, 50), 1.0)
    t, _ = _timed(lambda: nx.pagerank(g, personalization=seeds, weight="weight"))
    ours = (stage_times.get("personalised_pagerank") or 0.0) + (stage_times.get("community_pagerank") or 0.0)
    rows.append(("personalised PageRank (all scopes)", ours or None, t * scopes,
                 f"EXTRAPOLATED: one nx.pagerank(personalization) {t:.2f} s x ~{scopes} scopes"))
    for stage in ("read", "project", "roles", "expertise", "health", "assemble"):
        rows.append((stage, stage_times.get(stage), None, "no NetworkX counterpart"))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True, help="sqlite:///path.db holding an ingested demo organisation")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--skip-networkx", action="store_true", help="only time whoknows analyze")
    ap.add_argument("--skip-cli", action="store_true", help="reuse the stored timings of the last run")
    args = ap.parse_args(argv)

    wall, peak_gib, code = (float("nan"), float("nan"), 0) if args.skip_cli else run_cli(args.store, args.seed)
    if code != 0:
        print(f"whoknows analyze failed with exit code {code}", file=sys.stderr)
        return 1
    store = open_store(args.store)
    try:
        run = store.last_run()
    finally:
        store.close()
    assert run is not None
    stage_times: dict[str, float] = run.stats.get("timings_s", {})
    if args.skip_cli:
        print(f"whoknows analyze not run; stage timings of the stored run {run.id}")
    else:
        print(f"whoknows analyze: wall {wall:.1f} s (limit 120 s), peak RSS {peak_gib:.2f} GiB (limit 6 GiB)")
    cpu = run.stats.get("cpu_s", {})
    print(f"CPU seconds, both processes: {sum(cpu.values()):.1f} "
          "(wall exceeds CPU when other processes share the two cores)")
    print("stored stage timings (s): " + ", ".join(f"{s} {stage_times[s]:.2f}" for s in STAGES if s in stage_times))
    if args.skip_networkx:
        return 0 if wall < 120 and peak_gib < 6 else 1
    params = AnalyticsParams(seed=args.seed)
    print()
    rows = networkx_defaults(args.store, params, stage_times)
    print()
    print("summary (whoknows column: the stage's wall time in the run above; structure stages ran in a 2nd process)")
    print(HEADER)
    for row in rows:
        print(_fmt(*row))
    print()
    if not args.skip_cli:
        print(f"total whoknows analyze wall time {wall:.1f} s; peak RSS {peak_gib:.2f} GiB")
    return 0 if wall < 120 and peak_gib < 6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
