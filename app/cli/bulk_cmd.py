"""``whoknows ingest manifest DIR --bulk-dir OUT``: a first load of an empty Neo4j database through Neo4j's offline
importer. The manifest's steps run exactly as in a normal ingest, into :class:`~graph.store.neo4j.bulk.BulkLoad`
instead of a store; the importer's CSV files and its command line are written to OUT and printed."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from app.cli.main import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, fail, guarded, out, settings_or_exit, store_session
from graph.store.neo4j.bulk import ImportFiles
from ingest.bulk import bulk_manifest as run_bulk
from ingest.pipeline import IngestSummary
from schema.errors import IngestError


def require_empty(store: str) -> None:
    """Refuse a target store that holds anything: the importer writes a new database, it cannot merge."""
    settings = settings_or_exit(store=store)
    with store_session(settings) as st:
        counts = guarded(st.counts)
    held = {k: v for k, v in counts.items() if v}
    if held:
        shown = ", ".join(f"{v:,} {k}" for k, v in sorted(held.items()))
        raise fail(f"store {settings.store} is not empty ({shown}): the offline importer only loads an empty "
                   "database; load into it with the online path (the same command without --bulk-dir)", EXIT_USAGE)


def bulk_manifest(directory: Path, bulk_dir: Path, *, store: str | None, rejects_dir: Path | None, workers: int,
                  progress: Callable[[str], AbstractContextManager[Any]],
                  report: Callable[[IngestSummary], None]) -> None:
    if store is not None:
        require_empty(store)
    if bulk_dir.exists() and (not bulk_dir.is_dir() or any(bulk_dir.iterdir())):
        raise fail(f"--bulk-dir {escape(str(bulk_dir))} is not an empty folder: write a bulk load into a new one",
                   EXIT_USAGE)

    def work(prog: Any) -> tuple[list[IngestSummary], ImportFiles]:
        try:
            return run_bulk(directory, bulk_dir, progress=prog, rejects_dir=rejects_dir, workers=workers)
        except IngestError as exc:
            raise type(exc)(escape(exc.file), escape(exc.reason), exc.row) from None

    with progress("bytes") as prog:
        summaries, files = guarded(lambda: work(prog))
    for summary in summaries:
        report(summary)
    counts = ", ".join(f"{v:,} {k}" for k, v in files.counts.items())
    out.print(f"Wrote the importer's files to {escape(str(files.directory))} ({counts}).")
    out.print("Load them into an EMPTY database with the server stopped (the importer writes a new database; a "
              "database that exists is refused):")
    out.print(f"  {escape(files.command())}")
    out.print("or, with docker compose (after `docker compose stop neo4j`; then `docker compose start neo4j`):")
    out.print(f"  {escape(files.docker_command())}")
    out.print("The store creates its constraints and indexes when it first opens the database; later loads use "
              "the online path (whoknows ingest without --bulk-dir).")
    raise typer.Exit(EXIT_REJECTED if any(s.problems for s in summaries) else EXIT_OK)
