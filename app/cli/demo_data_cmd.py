"""``whoknows demo-data OUTDIR``: write a synthetic organisation as real export files plus its planted truth."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.main import app, console, fail, out
from ingest.demo import (
    DEFAULT_END,
    DEFAULT_PEOPLE,
    DEFAULT_SEED,
    STEPS,
    check_outdir,
    check_people,
    generate_demo_data,
)
from schema.errors import BadInput

_SUMMARY = (
    ("people", "HR people (hris.csv)"),
    ("leavers", "  of whom leavers"),
    ("opted_out", "  of whom opted out"),
    ("se_users", "Stack Exchange users"),
    ("se_questions", "Stack Exchange questions"),
    ("se_answers", "Stack Exchange answers"),
    ("se_comments", "Stack Exchange comments"),
    ("se_votes", "Stack Exchange votes"),
    ("se_identities_mapped", "identities.csv mappings"),
    ("se_accounts_unmapped", "unmapped (contractor) SE accounts"),
    ("slack_users", "Slack users"),
    ("slack_channels", "Slack channels"),
    ("slack_messages", "Slack messages"),
    ("slack_files", "Slack day files"),
    ("endorsements", "endorsements"),
    ("forum_posts", "forum posts in total"),
    ("skills", "planted skills"),
    ("communities", "planted communities"),
    ("brokers", "planted brokers"),
    ("influencers", "planted influencers"),
)


@app.command("demo-data")
def demo_data(
    outdir: Path = typer.Argument(..., help="Folder to write into (created; earlier demo-data output is replaced)."),
    people: int = typer.Option(DEFAULT_PEOPLE, "--people", help="Number of people in the organisation."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed; the same seed writes the same bytes."),
    end_date: str = typer.Option(
        DEFAULT_END.isoformat(), "--end-date", help="Last day of the two simulated years (YYYY-MM-DD)."
    ),
) -> None:
    """Write a synthetic organisation (HRIS CSV, Stack Exchange dump, Slack export, endorsements) and truth.json."""
    try:
        end = date.fromisoformat(end_date)
    except ValueError:
        raise fail(f"--end-date {end_date!r} is not a date like 2026-11-01") from None
    try:
        check_people(people)
        check_outdir(outdir)
    except BadInput as exc:
        raise fail(str(exc)) from None
    started = time.perf_counter()
    with Progress(
        TextColumn("[bold]demo-data[/]"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=len(STEPS))
        seen: list[str] = []

        def on_step(name: str) -> None:
            if seen:
                progress.advance(task)
            seen.append(name)
            progress.update(task, description=name)

        def on_detail(text: str) -> None:
            progress.update(task, description=text)

        try:
            summary = generate_demo_data(outdir, people=people, seed=seed, end=end, on_step=on_step,
                                         on_detail=on_detail)
        except BadInput as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            where = exc.filename or outdir
            raise fail(f"cannot write {where}: {exc.strerror or exc}") from None
        progress.advance(task)
    elapsed = time.perf_counter() - started
    table = Table(title=f"demo-data: {summary.outdir} (people {people:,}, seed {seed})")
    table.add_column("written")
    table.add_column("count", justify="right")
    for key, label in _SUMMARY:
        if key in summary.counts:
            table.add_row(label, f"{summary.counts[key]:,}")
    out.print(table)
    out.print(
        f"wrote {', '.join(summary.files)} in {elapsed:.1f} s; "
        f"ingest with the steps of {summary.outdir / 'manifest.json'}; planted structure in truth.json"
    )
