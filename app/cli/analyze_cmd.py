"""``whoknows analyze``: project the store, compute every measure, write the results back as one snapshot."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.main import app, console, fail, guarded, out, require_created, settings_or_exit, store_session
from graph.jobs import STAGES, STRUCTURE_STAGES, AnalyticsParams, run_analytics
from graph.store.opt_outs import OPTED_OUT_IDS

_LABELS = {
    "read": "reading the store",
    "project": "projecting the interaction graph",
    "pagerank": "PageRank and weighted degree",
    "betweenness": "betweenness",
    "structural_holes": "constraint and effective size",
    "articulation": "articulation points",
    "communities": "community detection (Leiden)",
    "roles": "participation and roles",
    "expertise": "expertise and ExpertiseRank",
    "routing": "question router (learning to rank on past questions)",
    "personalised_pagerank": "personalised PageRank per skill",
    "community_pagerank": "personalised PageRank per community",
    "health": "community health",
    "assemble": "assembling the snapshot",
    "write": "writing the snapshot",
    "done": "done",
}


@app.command()
def analyze(
    store: str | None = typer.Option(None, "--store", help="Store URL (default: WHOKNOWS_STORE)."),
    half_life_days: float | None = typer.Option(
        None, "--half-life-days", min=0.001, help="Half-life of interaction weights, in days (default 180)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed for sampled betweenness and Leiden (default 42)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the run (per-stage wall and CPU seconds, peak RSS, counts) as JSON."
    ),
) -> None:
    """Compute influence, brokers, communities, expertise and community health; write them back."""
    started = time.perf_counter()
    settings = settings_or_exit(store=store, half_life_days=half_life_days, seed=seed)
    try:
        params = AnalyticsParams.from_settings(settings)
    except ValueError as exc:
        raise fail(f"bad analytics parameter: {exc}") from None
    require_created(settings)
    with store_session(settings) as st, Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} stages"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=len(STAGES))

        def progress(stage: str, index: int, total: int) -> None:
            bar.update(task, completed=index, total=total, description=_LABELS.get(stage, stage))

        run = guarded(lambda: run_analytics(st, params, progress))
    stats = run.stats
    total_wall = round(time.perf_counter() - started, 3)
    if as_json:
        shown = {k: v for k, v in stats.items() if k != OPTED_OUT_IDS}  # who opted out is said nowhere
        out.print_json(json.dumps({"run": run.id, "total_wall_s": total_wall, **shown}, default=str))
        return
    parallel = bool(stats.get("structure_in_parallel"))
    table = Table(title=f"analytics run {run.id}")
    table.add_column("stage")
    table.add_column("wall s", justify="right")
    table.add_column("CPU s", justify="right")
    table.add_column("peak RSS MiB", justify="right")
    timings = stats.get("timings_s", {})
    cpu = stats.get("cpu_s", {})
    rss = stats.get("peak_rss_mib", {})
    for stage in STAGES:
        if stage in timings:
            label = _LABELS.get(stage, stage) + (" (2nd process)" if parallel and stage in STRUCTURE_STAGES else "")
            table.add_row(label, f"{timings[stage]:.2f}", f"{cpu.get(stage, 0.0):.2f}",
                          f"{rss[stage]:,.0f}" if stage in rss else "")
    table.add_row("[bold]total wall", f"[bold]{total_wall:.2f}", f"{sum(cpu.values()):.2f}",
                  f"{max(rss.values()):,.0f}" if rss else "")
    out.print(table)
    summary = Table(title="results")
    summary.add_column("what")
    summary.add_column("count", justify="right")
    for key in (
        "people", "posts", "people_opted_out", "people_bots", "self_replies", "interactions", "graph_edges",
        "expertise", "influence_rows", "detected_communities", "articulation_points", "health_rows",
    ):
        if key in stats:
            summary.add_row(key.replace("_", " "), f"{stats[key]:,}")
    out.print(summary)
    out.print(f"betweenness: {stats.get('betweenness')}; data as of {stats.get('as_of')}")
    out.print(f"question routing: {router_line(stats.get('router'))}", highlight=False)


def router_line(router: object) -> str:
    """What ranks ``expertsFor`` after this run, and why, in one line (an admin should know when a short history
    leaves the hand-set ranking in charge).

    >>> router_line({"kind": "lambdamart", "training_questions": 571, "holdout_mrr_lambdamart": 0.44,
    ...              "holdout_mrr_handset": 0.33, "trees": 22})
    'learned (LambdaMART, 22 trees) on 571 past questions; MRR on the latest quarter 0.440 (hand-set ranking 0.330)'
    >>> router_line({"kind": "lambdamart", "training_questions": 98, "holdout_mrr_lambdamart": 0.15, "trees": 20,
    ...              "holdout_mrr_handset": 0.24, "holdout_mrr_baselines": {"most answers overall": 0.19,
    ...              "most recent on the tags": 0.30}}).partition("; MRR")[2]
    ' on the latest quarter 0.150 (hand-set ranking 0.240; best counting rule, most recent on the tags, 0.300: behind)'
    >>> router_line({"kind": "handset", "training_questions": 12, "why": "fewer than 40 past answered questions"})
    'hand-set ranking (fewer than 40 past answered questions; 12 usable)'
    """
    if not isinstance(router, dict) or not router.get("kind"):
        return "not trained in this run"
    if router["kind"] != "lambdamart":
        why = router.get("why", "no model")
        return f"hand-set ranking ({why}; {router.get('training_questions', 0)} usable)"
    line = (f"learned (LambdaMART, {router.get('trees', '?')} trees) on {router.get('training_questions', 0)} past "
            "questions")
    if "holdout_mrr_lambdamart" in router:
        line += (f"; MRR on the latest quarter {router['holdout_mrr_lambdamart']:.3f} (hand-set ranking "
                 f"{router.get('holdout_mrr_handset', 0.0):.3f}{_best_counting(router)})")
    return line


def _best_counting(router: dict[str, Any]) -> str:
    """The best counting baseline on the held-out quarter, and whether the learned ranking is behind it."""
    counted = router.get("holdout_mrr_baselines") or {}
    if not counted:
        return ""
    name, value = max(counted.items(), key=lambda kv: kv[1])
    behind = ": behind" if value > router["holdout_mrr_lambdamart"] else ""
    return f"; best counting rule, {name}, {value:.3f}{behind}"
