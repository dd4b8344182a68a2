"""``whoknows stats``: what the configured store holds."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from app.cli.main import app, guarded, out, require_created, settings_or_exit, store_session


@app.command()
def stats(
    store: str | None = typer.Option(None, "--store", help="Store URL (default: WHOKNOWS_STORE)."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the counts and the last analytics run as JSON (for scripts and monitoring)."
    ),
) -> None:
    """Print node and relationship counts of the store, and the last analytics run."""
    settings = settings_or_exit(store=store)
    require_created(settings)
    with store_session(settings) as st:
        counts = guarded(st.counts)
        run = guarded(st.last_run)
    if as_json:
        last = None if run is None else {"id": run.id, "started_at": run.started_at.isoformat(),
                                         "finished_at": run.finished_at.isoformat()}
        out.print_json(json.dumps({"store": settings.store, "counts": counts, "last_run": last}))
        return
    table = Table(title=f"whoknows store {settings.store}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    out.print(table)
    if run is None:
        out.print("no analytics run yet: run `whoknows analyze` for rankings, scores and community health")
    else:
        out.print(f"last analytics run: {run.id} at {run.finished_at:%Y-%m-%d %H:%M} UTC")
