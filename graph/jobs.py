"""The analytics job: read the store's projection, compute every measure, write one snapshot back.

``run_analytics(store, params)`` is what ``whoknows analyze``, the ``runAnalytics`` mutation and ``whoknows demo``
call. The computation itself, :func:`compute_snapshot`, is pure (a ``Projection`` in, an ``AnalyticsSnapshot``
out) so the benchmark can time each stage without a store. The store replaces the previous run atomically.
"""

from __future__ import annotations

import resource
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np

from graph.analytics.backend import ArrayGraph, trusted
from graph.analytics.brokerage import (
    articulation_points,
    betweenness,
    guimera_amaral_role,
    participation_and_z,
    structural_holes,
)
from graph.analytics.communities import describe_communities, detect_communities
from graph.analytics.contacts import contact_share
from graph.analytics.expertise import compute_expertise
from graph.analytics.health import community_health
from graph.analytics.influence import pagerank, personalized_pagerank
from graph.analytics.routing import train_router
from graph.expert_routing import ROUTER_META_KEY
from graph.projection import ProjectedGraph, TieWeights, project
from graph.store.base import AnalyticsSnapshot, GraphStore, Projection
from graph.store.opt_outs import opted_out_digest
from graph.workers import worker_pool
from schema.labels import ScoreScope
from schema.models import AnalyticsRun, InfluenceScore, PersonScores

# the graph-structure stages; on large graphs they run in a second process while the rest runs here
STRUCTURE_STAGES: tuple[str, ...] = (
    "betweenness", "structural_holes", "articulation", "communities", "roles", "community_pagerank",
)
STAGES: tuple[str, ...] = (
    "read",
    "project",
    "pagerank",
    "expertise",
    "routing",
    "personalised_pagerank",
    "health",
    *STRUCTURE_STAGES,
    "assemble",
    "write",
)

# progress(stage, index, total): called as each stage starts; index == total once everything is done
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AnalyticsParams:
    """Knobs of one run; :meth:`from_settings` reads the same names from ``app.settings.Settings``."""

    half_life_days: float = 180.0
    betweenness_exact_below: int = 5000
    betweenness_samples: int = 256
    seed: int = 42
    as_of: datetime | None = None
    influence_top: int = 200
    health_weeks: int = 26
    resolution: float = 1.0
    parallel_min_nodes: int = 20_000  # from this many people, the structure stages run in a second process

    def __post_init__(self) -> None:
        if self.half_life_days <= 0:
            raise ValueError(f"half_life_days must be positive, got {self.half_life_days}")
        if self.betweenness_samples < 1 or self.betweenness_exact_below < 0:
            raise ValueError("betweenness_samples must be >= 1 and betweenness_exact_below >= 0")
        if self.influence_top < 1 or self.health_weeks < 0 or self.resolution <= 0:
            raise ValueError("influence_top >= 1, health_weeks >= 0 and resolution > 0 are required")

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> AnalyticsParams:
        """Take every field this class knows from a settings-like object (missing ones keep their default)."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls) if hasattr(settings, f.name)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def peak_rss_mib() -> float:
    """This process's peak resident set so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}  # wall seconds per stage
        self.cpu: dict[str, float] = {}  # CPU seconds of this process per stage (all threads)
        self.rss: dict[str, float] = {}  # peak RSS (MiB) of the process that ran the stage, when it ended

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name, STAGES.index(name), len(STAGES))
        t0 = time.perf_counter()
        c0 = time.process_time()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - t0, 3)
            self.cpu[name] = round(time.process_time() - c0, 3)
            self.rss[name] = peak_rss_mib()


def compute_snapshot(
    data: Projection,
    params: AnalyticsParams | None = None,
    *,
    progress: Progress | None = None,
    timer: _Timer | None = None,
) -> AnalyticsSnapshot:
    """Every measure of issue 4 on one projection, as the snapshot the store writes. Pure: no I/O."""
    p = params or AnalyticsParams()
    clock = timer or _Timer(progress)
    started = datetime.now(UTC)

    with clock.stage("project"):
        pg = project(data, half_life_days=p.half_life_days, as_of=p.as_of, weights=TieWeights())
    g = pg.graph
    with clock.stage("pagerank"):
        pr = pagerank(g) if g.n else {}
        # the share of the others each person has interacted with (what "degree" is read as), not the strength
        contacts = contact_share(((i.source_id, i.target_id) for i in pg.interactions), g.nodes)
    parallel = g.n >= p.parallel_min_nodes
    community_seeds = _community_seeds(pg)
    with ExitStack() as stack:
        future: Future | None = None
        if parallel:
            # the structure measures (igraph and scipy, about a third of the CPU) run in a second process while
            # expertise, personalised PageRank and health run here
            pool = stack.enter_context(worker_pool(1))
            bare = ArrayGraph(list(g.nodes), g.src, g.dst, g.weight, g.directed)
            future = pool.submit(_structure, bare, p, community_seeds)
        with clock.stage("expertise"):
            expertise = compute_expertise(
                pg.posts, pg.skills, pg.endorsements, as_of=pg.as_of, half_life_days=p.half_life_days
            )
            expertise = [e for e in expertise if e.person_id in pg.people]
        with clock.stage("routing"):  # the question router, learned from who answered past questions
            router = train_router(pg.posts, pg.skills, pg.endorsements, as_of=pg.as_of,
                                  half_life_days=p.half_life_days, seed=p.seed, visible=set(pg.people),
                                  rows=expertise)
        with clock.stage("personalised_pagerank"):  # per skill here; per community with the structure
            skill_seeds: dict[str, dict[str, float]] = defaultdict(dict)
            for e in expertise:
                skill_seeds[e.skill][e.person_id] = e.score
            by_skill = _ppr(g, skill_seeds, p.influence_top)
        with clock.stage("health"):
            health = _health(pg, data, p.health_weeks)
        if future is not None:
            for stage in STRUCTURE_STAGES:
                if progress is not None:
                    progress(stage, STAGES.index(stage), len(STAGES))
            structure, timings, cpu, rss = future.result()
        else:
            structure, timings, cpu, rss = _structure(g, p, community_seeds, clock.progress)
    clock.timings.update(timings)
    clock.cpu.update(cpu)
    clock.rss.update(rss)
    bc, cons, esize, cut, labels, part, wz = (
        structure[k] for k in ("betweenness", "constraint", "effective_size", "cut", "labels", "part", "z")
    )
    with clock.stage("assemble"):
        influence = _influence_rows(pr, by_skill, structure["community_ppr"])
        degree = g.degree()
        scores = [
            trusted(
                PersonScores,
                person_id=v,
                pagerank=pr.get(v, 0.0),
                degree=contacts.get(v, 0.0),
                betweenness=bc.get(v, 0.0),
                constraint=cons.get(v),
                effective_size=esize.get(v),
                participation=part.get(v, 0.0),
                within_z=wz.get(v, 0.0),
                role=guimera_amaral_role(part[v], wz[v]) if degree[i] > 0 else None,
                articulation=v in cut,
                community=f"dc-{labels[v]}" if labels.get(v, -1) >= 0 else None,
            )
            for i, v in enumerate(g.nodes)
        ]
        demonstrated = [(e.person_id, e.skill) for e in expertise]
        detected = describe_communities(labels, [(m.person_id, m.community_id) for m in pg.memberships], demonstrated)
        interactions = pg.interactions
    stats: dict[str, Any] = dict(pg.stats)
    stats.update(
        people=len(pg.people),
        posts=len(pg.posts),
        interactions=len(interactions),
        expertise=len(expertise),
        router={"kind": router.kind, **router.stats},
        influence_rows=len(influence),
        detected_communities=len(detected),
        health_rows=len(health),
        opted_out_digest=opted_out_digest(q.id for q in data.people if q.opted_out),
        # who, so that a later opt-out withholds the health of that person's communities only (never answered)
        opted_out_ids=sorted(q.id for q in data.people if q.opted_out),
        articulation_points=len(cut),
        as_of=pg.as_of.isoformat(),
        betweenness="exact" if g.n < p.betweenness_exact_below else f"sampled k={p.betweenness_samples}",
        structure_in_parallel=parallel,
        params={
            "half_life_days": p.half_life_days,
            "seed": p.seed,
            "betweenness_exact_below": p.betweenness_exact_below,
            "betweenness_samples": p.betweenness_samples,
            "influence_top": p.influence_top,
            "health_weeks": p.health_weeks,
            "resolution": p.resolution,
            "parallel_min_nodes": p.parallel_min_nodes,
        },
        timings_s=clock.timings,
        cpu_s=clock.cpu,
        peak_rss_mib=clock.rss,
    )
    run = AnalyticsRun(
        id=f"run-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
        started_at=started,
        finished_at=datetime.now(UTC),
        stats=stats,
    )
    return AnalyticsSnapshot(
        run=run,
        person_scores=scores,
        influence=influence,
        interactions=interactions,
        expertise=expertise,
        detected_communities=detected,
        health=health,
        router=router.to_json(),
    )


def _structure(
    g: ArrayGraph,
    p: AnalyticsParams,
    community_seeds: dict[str, dict[str, float]],
    progress: Progress | None = None,
) -> tuple[dict[str, Any], dict[str, float], dict[str, float], dict[str, float]]:
    """Betweenness, constraint and effective size, articulation points, communities, roles, and personalised
    PageRank per declared community, of one graph.

    Pure and picklable both ways, so it can run in a second process; returns the results and its stage timings
    (wall, CPU, peak RSS).
    """
    clock = _Timer(progress)
    out: dict[str, Any] = {}
    with clock.stage("betweenness"):
        out["betweenness"] = betweenness(
            g, exact_below=p.betweenness_exact_below, samples=p.betweenness_samples, seed=p.seed
        )
    with clock.stage("structural_holes"):
        out["constraint"], out["effective_size"] = structural_holes(g)
    with clock.stage("articulation"):
        out["cut"] = articulation_points(g)
    with clock.stage("communities"):
        # a person with no tie is a community of one to Leiden: on the real Stack Exchange sites, askers nobody
        # answered were half of datascience.meta's 24 "communities"; they have none
        out["labels"] = detect_communities(g, seed=p.seed, resolution=p.resolution, min_size=2) if g.n else {}
    with clock.stage("roles"):
        out["part"], out["z"] = participation_and_z(g, out["labels"])
    with clock.stage("community_pagerank"):
        out["community_ppr"] = _ppr(g, community_seeds, p.influence_top)
    return out, clock.timings, clock.cpu, clock.rss


def _community_seeds(pg: ProjectedGraph) -> dict[str, dict[str, float]]:
    """Each declared community's members and posters, as teleport weights for its personalised PageRank."""
    seeds: dict[str, dict[str, float]] = defaultdict(dict)
    for m in pg.memberships:
        seeds[m.community_id][m.person_id] = 1.0
    declared = {c.id for c in pg.communities}
    for post in pg.posts:
        if post.author_id is not None and post.community_id in declared:
            seeds[post.community_id][post.author_id] = 1.0
    return dict(seeds)


def _ppr(g: ArrayGraph, seeds: dict[str, dict[str, float]], top: int) -> dict[str, list[tuple[Any, float]]]:
    """The best ``top`` per scope. float32 and an L1 tolerance of 1e-3 per scope keep >= 99.5% of the exact top 200
    (measured on the 20,000-person demo) at a sixth of the float64 time."""
    if not g.n or not seeds:
        return {}
    return personalized_pagerank(g, seeds, top=top, tol=1e-3 / g.n, dtype=np.float32)


def _influence_rows(
    pr: dict[Any, float],
    by_skill: dict[str, list[tuple[Any, float]]],
    by_community: dict[str, list[tuple[Any, float]]],
) -> list[InfluenceScore]:
    """Global PageRank for everyone; personalised PageRank, best ``top``, per skill and per declared community."""
    rows = [
        trusted(InfluenceScore, scope=ScoreScope.GLOBAL, scope_id="", person_id=v, score=s)
        for v, s in pr.items()
    ]
    for scope, ranked in ((ScoreScope.SKILL, by_skill), (ScoreScope.COMMUNITY, by_community)):
        for scope_id, pairs in ranked.items():
            rows.extend(
                trusted(InfluenceScore, scope=scope, scope_id=scope_id, person_id=v, score=s)
                for v, s in pairs
            )
    return rows


def _health(pg: ProjectedGraph, data: Projection, weeks: int) -> list[Any]:
    """Health of every declared community, opted-out people's posts left out entirely (docs/health.md).

    The projection keeps an opted-out person's posts as anonymous activity (other measures need the thread
    structure); health must not count them at all, not even as someone's reply, so they are dropped here.
    """
    declared = {c.id for c in pg.communities}
    managers = {m for _, m in pg.reports_to} | {
        p.manager_id for p in pg.people.values() if p.manager_id is not None
    }
    opted_out = {q.id for q in data.people if q.opted_out}
    hidden = {post.id for post in data.posts if post.author_id in opted_out}
    rows = community_health(
        (post for post in pg.posts if post.community_id in declared and post.id not in hidden),
        [(m.person_id, m.community_id, m.since) for m in pg.memberships if m.community_id in declared],
        departments={pid: p.department for pid, p in pg.people.items()},
        managers=managers - opted_out,
        as_of=pg.as_of,
        weeks=weeks,
        communities=sorted(declared),
        leavers=frozenset(q.id for q in data.people if not q.active),
    )
    return rows


def run_analytics(
    store: GraphStore, params: AnalyticsParams | Any | None = None, progress: Progress | None = None
) -> AnalyticsRun:
    """Project the store, compute every measure, write the results back as one snapshot; return the run.

    ``params`` is an :class:`AnalyticsParams` or any settings-like object with the same attribute names.
    """
    p = params if isinstance(params, AnalyticsParams) else AnalyticsParams.from_settings(params)
    clock = _Timer(progress)
    with clock.stage("read"):
        data = store.read_projection()
    snapshot = compute_snapshot(data, p, timer=clock)
    with clock.stage("write"):
        store.write_analytics(snapshot)
        if snapshot.router is not None:
            store.set_meta(ROUTER_META_KEY, snapshot.router)
    if progress is not None:
        progress("done", len(STAGES), len(STAGES))
    # the run written carries the timings up to "assemble"; the returned one has the write time too
    stats = dict(snapshot.run.stats)
    stats["timings_s"] = dict(clock.timings)
    stats["cpu_s"] = dict(clock.cpu)
    stats["peak_rss_mib"] = dict(clock.rss)
    return snapshot.run.model_copy(update={"stats": stats})


__all__ = ["STAGES", "AnalyticsParams", "Progress", "compute_snapshot", "peak_rss_mib", "run_analytics"]
