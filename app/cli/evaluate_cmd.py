"""``whoknows evaluate experts PATH...``: replay a forum export in time order and score the expert ranking.

For each export: ingest it into a scratch SQLite store (a temporary file), analyse the part before the cut-off as an
analytics run at the cut-off would (the later posts are invisible to every job), then ask the question router for
every later question with a target answerer and score where the target lands, beside counting baselines
(:mod:`graph.evaluation`). With several exports, a pooled row scores all their questions together.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.ingest_cmd import AmountColumn
from app.cli.main import app, console, fail, guarded, out
from graph.analytics.routing import Router
from graph.evaluation import (
    BASELINES,
    METRICS,
    Case,
    Difference,
    Rank,
    Report,
    Scores,
    Split,
    baselines,
    evaluate,
    places,
    pooled,
    split_history,
)
from graph.evaluation_votes import as_of, vote_days
from graph.expert_routing import ROUTER_META_KEY, StoreSource, save_router, scores_for_question
from graph.jobs import AnalyticsParams, compute_snapshot
from graph.store import open_store
from graph.store.base import Projection
from graph.store.projection_rows import PostRow
from ingest.forum.stackexchange import dated_votes
from ingest.pipeline import ingest_forum

OURS = "whoknows"

evaluate_app = typer.Typer(
    name="evaluate",
    help="Measure the expert ranking on your own history (replay an export in time order).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(evaluate_app, name="evaluate")


def _before(data: Projection, cutoff: datetime, posts: list) -> Projection:
    """The projection as it stood just before ``cutoff`` (undated memberships and endorsements are kept)."""

    def early(t: datetime | None) -> bool:
        return t is None or (t if t.tzinfo else t.replace(tzinfo=UTC)) < cutoff

    return replace(
        data,
        posts=posts,
        memberships=[m for m in data.memberships if early(m.since)],
        endorsements=[e for e in data.endorsements if early(e.created_at)],
    )


class _IngestSteps:
    """The ingest's progress (bytes of the export read) on the evaluation's one bar."""

    def __init__(self, say: Callable[[str, int | None, str], None], advance: Callable[[int], None]) -> None:
        self.say, self.step = say, advance

    def start(self, label: str, total: int | None, unit: str) -> None:
        self.say(f"ingesting {label}", total, unit)

    def advance(self, n: int) -> None:
        self.step(n)


def evaluate_export(
    path: Path,
    fmt: str,
    *,
    split: float = 0.8,
    target: str = "auto",
    community: str | None = None,
    ranking: str = "auto",
    progress: Callable[[str, int | None, str], None] | None = None,
    step: Callable[[int], None] | None = None,
) -> Report:
    """Ingest ``path`` into a scratch store, analyse up to the cut-off, rank every later question; the report.

    ``ranking``: ``auto`` ranks with the router the analysis stores (learned where the history allows);
    ``handset`` with the hand-set ranking on the same analysis, the fallback a short history gets.
    ``progress(what, total, unit)`` names each step (a total to fill, in ``unit``: the export's bytes while
    ingesting, its questions while ranking) and ``step(n)`` advances it: on a site of 200,000 posts each step
    takes minutes, and a bar that does not move looks like a hang.
    """
    say: Callable[[str, int | None, str], None] = progress or (lambda _msg, _total, _unit: None)
    advance: Callable[[int], None] = step or (lambda _n: None)
    with tempfile.TemporaryDirectory(prefix="whoknows-eval-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'scratch.db'}")
        try:
            say(f"ingesting {path.name}", None, "bytes")
            ingested = ingest_forum(store, path, fmt, community=community, rejects=Path(tmp) / "rejects.jsonl",
                                    progress=_IngestSteps(say, advance))
            say("reading the ingested posts", None, "")
            data = store.read_projection()
            sp = split_history(data.posts, split, target)
            votes_note = _votes_at_cutoff(path, fmt, ingested.source, sp)
            analysing = f"analysing {len(sp.train)} posts before {sp.cutoff:%Y-%m-%d}"
            say(analysing, None, "")

            def stage(name: str, i: int, n: int) -> None:
                say(f"{analysing}: {name.replace('_', ' ')}", n, "stages")
                advance(i)

            snapshot = compute_snapshot(_before(data, sp.cutoff, sp.train), AnalyticsParams(as_of=sp.cutoff),
                                        progress=stage)
            store.write_analytics(snapshot)
            router_stats = snapshot.run.stats.get("router", {})
            if ranking == "handset" and snapshot.router is not None:
                learned = Router.from_json(snapshot.router)
                fallback = Router("handset", learned.context,
                                  stats={**learned.stats, "why": "asked for (--ranking handset)"})
                save_router(store, fallback)
                router_stats = {"kind": fallback.kind, **fallback.stats}  # as the analysis reports a router
            else:
                store.set_meta(ROUTER_META_KEY, snapshot.router)
            say(f"ranking {len(sp.cases)} questions", len(sp.cases), "questions")  # a bar that fills
            source = StoreSource(store)

            def ours(c: Case) -> Scores:
                advance(1)
                return scores_for_question(store, c.skills, now=c.created_at, asker=c.asker,
                                           exclude=[c.asker] if c.asker else [], source=source, title=c.title)

            report = evaluate(path.name, sp, {OURS: ours, **baselines(sp.train)})
            report.notes["router"] = router_stats
            if votes_note:
                report.notes["votes"] = votes_note
            if ingested.rejected:  # the reject file goes with the scratch store: what it held, in the report
                report.notes["rejected"] = {
                    "rows": ingested.rejected,
                    "reasons": [{"reason": g.reason, "count": g.count, "first": g.examples[0].message()}
                                for g in ingested.groups[:5] if g.examples]}
            return report
        finally:
            store.close()


def _votes_at_cutoff(path: Path, fmt: str, namespace: str, sp: Split) -> str | None:
    """Recount the training posts' scores and acceptances as of the cut-off where the export dates its votes
    (graph/evaluation_votes.py); what the report says of them (None: the format has no votes to date)."""
    if fmt.strip().casefold() != "stackexchange":
        return None
    rows = dated_votes(path, namespace)
    if rows is None:
        return "scores and accepted marks as of the dump date (no Votes.xml dates them)"
    votes = vote_days(rows)
    sp.train[:] = as_of(cast(list[PostRow], sp.train), votes, sp.cutoff)  # the store's rows
    return f"scores and accepted marks as of the cut-off ({votes.votes:,} dated votes in Votes.xml)"


def _table(reports: list[Report]) -> Table:
    t = Table(title="expert finding: where the actual answerer lands (higher is better)")
    t.add_column("export")
    t.add_column("cases (cold)", justify="right")
    t.add_column("method")
    for m in METRICS:
        t.add_column(m, justify="right")
    for r in reports:
        if r.cases == 0:  # nothing after the cut-off has a target answerer: the note below the table says why
            t.add_row(escape(r.name), "0", "nothing to score", *("-" for _ in METRICS), end_section=True)
            continue
        best = {m: r.best_baseline(m) for m in METRICS}
        for i, method in enumerate((OURS, *BASELINES)):
            row = r.table[method]
            cells = []
            for m in METRICS:
                v = f"{row[m]:.3f}"
                if method == OURS:
                    v = f"[bold green]{v}[/]" if row[m] > best[m] else f"[bold red]{v}[/]"
                cells.append(v)
            t.add_row(escape(r.name) if i == 0 else "", f"{r.cases} ({r.cold})" if i == 0 else "",
                      f"[bold]{method}[/]" if method == OURS else method, *cells, end_section=method == BASELINES[-1])
    return t


def _across(runs: list[tuple[float, list[Report]]]) -> Table:
    """One row per (export, split): ours against the best baseline on MRR and hit@10."""
    t = Table(title="the ranking against the best counting baseline at each split (higher is better)")
    t.add_column("export")
    for col in ("split", "cases (cold)", "MRR", "best baseline MRR", "hit@10", "best baseline hit@10"):
        t.add_column(col, justify="right")
    t.add_column("beats both", justify="center")
    t.add_column("beyond the noise", justify="center")
    for i, (split, shown) in enumerate(runs):
        for j, r in enumerate(shown):
            if r.cases == 0:
                t.add_row(escape(r.name), f"{split:.2f}", "0", "-", "-", "-", "-", "nothing to score", "-")
                continue
            ours, b_mrr, b_hit = r.table[OURS], r.best_baseline("MRR"), r.best_baseline("hit@10")
            win = ours["MRR"] > b_mrr and ours["hit@10"] > b_hit
            t.add_row(escape(r.name), f"{split:.2f}", f"{r.cases} ({r.cold})", f"{ours['MRR']:.3f}", f"{b_mrr:.3f}",
                      f"{ours['hit@10']:.3f}", f"{b_hit:.3f}", "[bold green]yes[/]" if win else "[bold red]no[/]",
                      _beyond_noise(r), end_section=j == len(shown) - 1 and i < len(runs) - 1)
    return t


def _beyond_noise(r: Report) -> str:
    """Which leads over the best baseline are beyond the noise of the run's few cases (and which deficits are):
    on a small forum a "yes" in the column before can be one question's luck.

    The 95 % paired bootstrap interval of :meth:`Report.versus_best`; ``-`` when neither lead nor deficit is clear.
    """
    diffs = [r.versus_best(OURS, m) for m in ("MRR", "hit@10")]
    ahead = [d.metric for d in diffs if d.clear]
    behind = [d.metric for d in diffs if d.behind]
    cells = ([f"[green]ahead on {', '.join(ahead)}[/]"] if ahead else []) + (
        [f"[red]behind on {', '.join(behind)}[/]"] if behind else [])
    return "; ".join(cells) or "-"


def wins(runs: list[tuple[float, list[Report]]]) -> tuple[int, int]:
    """(runs where the ranking beats the best baseline on both MRR and hit@10, runs with cases), per export and
    split (pooled rows left out)."""
    scored = [r for _, shown in runs for r in shown if r.cases and r.name != "pooled"]
    won = sum(1 for r in scored if r.table[OURS]["MRR"] > r.best_baseline("MRR")
              and r.table[OURS]["hit@10"] > r.best_baseline("hit@10"))
    return won, len(scored)


@evaluate_app.command("experts")
def experts(
    paths: list[Path] = typer.Argument(..., help="One or more forum exports (a pooled row when several)."),
    fmt: str = typer.Option("stackexchange", "--format", "-f", help="stackexchange | slack | discourse | "
                            "vivaengage | jsonl"),
    splits: list[float] = typer.Option([0.8], "--split", help="Share of questions that train (0.05-0.95). Give it "
                                       "several times (--split 0.6 --split 0.7 ...) to see how steady the result "
                                       "is: on a small forum one split's few test questions move a lot."),
    target: str = typer.Option("auto", "--target", help="accepted | first | auto (accepted when the export marks "
                               "accepted answers)."),
    community: str | None = typer.Option(None, "--community", help="Community name (as for ingest)."),
    ranking: str = typer.Option("auto", "--ranking", help="auto (the router an analysis would store: learned "
                                "where the history allows) | handset (the hand-set ranking a short history falls "
                                "back to, on the same analysis)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON instead of a table."),
    cases: bool = typer.Option(False, "--cases", help="Also list every test question: where each method ranked "
                               "its answerer, and whether that answerer had posted before (to see where and why "
                               "the ranking misses)."),
) -> None:
    """Replay exports in time order: hit@1/5/10, MRR and NDCG@10 of the ranking beside counting baselines."""
    if target not in ("accepted", "first", "auto"):
        raise fail(f"--target must be accepted, first or auto, not {target!r}")
    if ranking not in ("auto", "handset"):
        raise fail(f"--ranking must be auto or handset, not {ranking!r}")
    bad = [x for x in splits if not 0.05 <= x <= 0.95]
    if bad:
        raise fail(f"--split must be between 0.05 and 0.95, not {bad[0]}")
    splits = list(dict.fromkeys(splits))
    for path in paths:
        if not path.exists():
            raise fail(f"{path}: no such file or directory")
    runs: list[tuple[float, list[Report]]] = []
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), AmountColumn(""), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("starting", total=None, unit="")
        for split in splits:
            reports: list[Report] = []
            for path in paths:

                def say(msg: str, total: int | None, unit: str, _p: Path = path, _s: float = split) -> None:
                    at = f" (split {_s:.2f})" if len(splits) > 1 else ""
                    bar.update(task, description=escape(f"{_p.name}{at}: {msg}"), completed=0, total=total, unit=unit)

                def step(n: int) -> None:
                    bar.advance(task, n)

                def run(_p: Path = path, _s: float = split) -> Report:
                    return evaluate_export(_p, fmt, split=_s, target=target, community=community, ranking=ranking,
                                           progress=say, step=step)

                try:
                    reports.append(guarded(run))
                except ValueError as exc:
                    raise fail(f"{path}: {exc}") from None
            runs.append((split, [*reports, pooled(reports)] if len(reports) > 1 else reports))
    if len(runs) > 1:
        _print_across(runs, target, as_json, cases)
        return
    split, shown = runs[0]
    if as_json:
        out.print_json(json.dumps({"split": split, "target": target,
                                   "reports": [_as_dict(r, cases) for r in shown]}))
        return
    if cases:
        out.print(_case_table([(split, r) for r in shown if r.name != "pooled"]))
    out.print(_table(shown))
    for r in shown:
        _say_rejected(r)
        if r.cases == 0:
            why = r.notes.get("nothing_to_score") or "none has a target answerer"
            out.print(f"{escape(r.name)}: nothing to score at the cut-off {r.cutoff:%Y-%m-%d} (target {target}): "
                      f"{escape(str(why))}", highlight=False)
            continue
        ours, b_hit, b_mrr = r.table[OURS], r.best_baseline("hit@10"), r.best_baseline("MRR")
        gain = (ours["MRR"] / b_mrr - 1) * 100 if b_mrr else float("inf")
        router = r.notes.get("router") or {}
        kind = f"; ranking: {router.get('kind')}" if isinstance(router, dict) and router.get("kind") else ""
        kind += f"; {r.notes['votes']}" if r.notes.get("votes") else ""
        unseen = r.misses(OURS)["not_ranked"]
        out.print(f"{escape(r.name)}: cut-off {r.cutoff:%Y-%m-%d}, {r.train_posts} training posts, "
                  f"{r.cases} cases of {r.test_questions} later questions, {r.cold} answered by someone never seen "
                  f"before the cut-off (a miss for every method), {unseen} by someone seen before but not among "
                  f"the ranking's candidates{kind}; MRR {ours['MRR']:.3f} vs best baseline "
                  f"{b_mrr:.3f} ({gain:+.1f}%), hit@10 {ours['hit@10']:.3f} vs {b_hit:.3f}; difference {_margins(r)}",
                  highlight=False)


def _say_rejected(r: Report) -> None:
    """Rows the ingest rejected are in no figure: say how many and why, naming the first of each reason."""
    rejected = r.notes.get("rejected")
    if not isinstance(rejected, dict):
        return
    reasons = "; ".join(f"{g['count']} like {g['first']}" for g in rejected["reasons"])
    out.print(f"{escape(r.name)}: {rejected['rows']} row(s) of the export rejected, in no figure: {escape(reasons)}",
              highlight=False)


def _margins(r: Report) -> str:
    """The differences from the best baseline with their bootstrap intervals, and what each one means."""
    diffs = [r.versus_best(OURS, m) for m in ("MRR", "hit@10")]
    return ", ".join(f"{d.metric} {d.phrase()}" for d in diffs) + ": " + ", ".join(
        f"{d.metric} {_verdict(d)}" for d in diffs) + f" over {r.cases} cases"


def _verdict(d: Difference) -> str:
    if d.clear:
        return "ahead beyond the noise"
    if d.behind:
        return "behind beyond the noise"
    if d.low == d.high == 0:
        return "the same on every case"
    return "within the noise"


def _as_dict(r: Report, cases: bool) -> dict[str, object]:
    d = r.as_dict()
    if cases and r.name != "pooled":
        d["cases_detail"] = r.case_rows()
    return d


# the baselines' column headers in the case table (a row per question leaves an 80-column terminal little room)
_SHORT = {"most answers overall": "overall", "most answers on the tags": "on tags", "most recent on the tags": "recent"}


def _case_table(reports: list[tuple[float, Report]]) -> Table:
    """One row per test question: the rank each method gave its answerer (``-``: not ranked)."""
    t = Table(title="every test question: the rank each method gave the person who answered it",
              caption="seen: the answerer seen before the cut-off (else no method can find them); 3-9: tied with "
              "others for places 3 to 9 (scored as the mean over those places); baselines: "
              + "; ".join(f"{_SHORT.get(b, b)} = {b}" for b in BASELINES))
    t.add_column("export")
    t.add_column("split", justify="right", no_wrap=True)
    t.add_column("question", no_wrap=True)
    t.add_column("skills")
    t.add_column("seen", justify="center")
    for m in (OURS, *BASELINES):
        t.add_column(_SHORT.get(m, m), justify="right")
    for split, r in reports:
        for i, c in enumerate(r.items):
            ranks = [r.ranks[m][i] for m in (OURS, *BASELINES)]
            question = c.question_id.rpartition(":")[2] or c.question_id  # the export names the namespace
            t.add_row(escape(r.name), f"{split:.2f}", escape(question), escape(", ".join(c.skills)),
                      "yes" if c.known else "no", *(_place(x) for x in ranks))
    return t


def _place(r: Rank) -> str:
    """``7``, ``3-9`` (tied for places 3 to 9) or ``-`` (not ranked)."""
    ab = places(r)
    return "-" if ab is None else str(ab[0]) if ab[0] == ab[1] else f"{ab[0]}-{ab[1]}"


def _print_across(runs: list[tuple[float, list[Report]]], target: str, as_json: bool, cases: bool = False) -> None:
    """Several splits: one compact row per export and split, and how often the ranking wins."""
    won, scored = wins(runs)
    every = pooled([r for _, shown in runs for r in shown if r.name != "pooled"])
    if as_json:
        out.print_json(json.dumps({
            "splits": [s for s, _ in runs], "target": target,
            "runs": [{"split": s, "reports": [_as_dict(r, cases) for r in shown]} for s, shown in runs],
            "summary": {"runs_won": won, "runs_scored": scored, "all_runs": every.as_dict()},
        }))
        return
    if cases:
        out.print(_case_table([(s, r) for s, shown in runs for r in shown if r.name != "pooled"]))
    out.print(_across(runs))
    for r in runs[0][1]:  # the same export at every split: said once
        _say_rejected(r)
    if every.cases:
        o, b_mrr, b_hit = every.table[OURS], every.best_baseline("MRR"), every.best_baseline("hit@10")
        m = every.misses(OURS)
        out.print(f"beats the best baseline on both MRR and hit@10 in {won} of {scored} (export, split) runs; over "
                  f"every run's cases ({every.cases}, a question counted once per split it is tested at): MRR "
                  f"{o['MRR']:.3f} vs {b_mrr:.3f}, hit@10 {o['hit@10']:.3f} vs {b_hit:.3f} (difference "
                  f"{_margins(every)}; the bootstrap treats a question tested at several splits as several cases); "
                  f"the ranking's misses "
                  f"and answerers below the first ten: {m['cold']} never seen before the cut-off (a miss for every "
                  f"method), {m['not_ranked']} seen but not among its candidates, {m['below_10']} ranked below "
                  f"10", highlight=False)


__all__ = ["evaluate_export", "wins"]
