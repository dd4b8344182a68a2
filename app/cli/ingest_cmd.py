"""``whoknows ingest hris|forum``: load HR exports and forum dumps into the store.

A progress bar while it runs, a summary table at the end; exit 0 when everything loaded, 1 when some rows were
rejected (the reject file is named), 2 for bad usage or unreadable input (missing, empty or truncated file, wrong
encoding, unknown format, missing required column), never a traceback for bad input.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

from app.cli import ingest_view as view
from app.cli.main import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    app,
    console,
    guarded,
    out,
    settings_or_exit,
    store_session,
)
from app.cli.text import visible
from ingest.hris import bundled_mappings
from ingest.manifest import ingest_manifest
from ingest.pipeline import IngestSummary, ingest_forum, ingest_hris
from schema.errors import IngestError

ingest_app = typer.Typer(
    name="ingest",
    help="Load an HRIS people export or a forum dump into the store (idempotent, resumable).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(ingest_app, name="ingest")

FORMATS_HELP = "stackexchange | slack | discourse | vivaengage | jsonl | teams | sharepoint"


class RichProgress:
    """The pipeline's Progress on a rich bar (bytes or rows), on stderr so stdout stays for the summary.

    Only the last ``KEEP`` bars stay on screen: rich redraws every bar it holds ten times a second, so a manifest
    of 10,000 steps (three bars each) made every redraw slower and the run quadratic, holding every bar's
    samples in memory."""

    KEEP = 12

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: TaskID | None = None
        self.shown: list[TaskID] = []

    def start(self, label: str, total: int | None, unit: str) -> None:
        self.finish()  # the step before is done
        while len(self.shown) >= self.KEEP:
            self.bar.remove_task(self.shown.pop(0))
        self.task = self.bar.add_task(escape(visible(label)), total=total, unit=unit)
        self.shown.append(self.task)

    def finish(self) -> None:
        """Show the current step whole (a step of unknown size: what it counted): rejected rows are not advanced
        over, and a finished HR step of 3 rows with 2 rejected must not stay at "1/3", as if it had stopped."""
        if self.task is not None:
            before = next(t for t in self.bar.tasks if t.id == self.task)  # tasks is a list: ids are not positions
            done = before.total if before.total is not None else before.completed
            self.bar.update(self.task, total=done, completed=done)

    def advance(self, n: int) -> None:
        if self.task is not None and n:
            self.bar.advance(self.task, n)


class AmountColumn(ProgressColumn):
    """How far a step is, in the step's own unit: a manifest's bar holds an HR step counted in rows, forum exports
    counted in bytes and a group of parallel exports counted in steps (one bar-wide unit would print 300 rows as
    "300 bytes")."""

    def __init__(self, default_unit: str) -> None:
        super().__init__(table_column=Column(no_wrap=True))  # a narrow terminal cuts the amount, never folds it
        self.default_unit = default_unit
        self.download = DownloadColumn()
        self.count = MofNCompleteColumn()

    def render(self, task: Task) -> Text:
        unit = str(task.fields.get("unit", self.default_unit))
        if unit == "bytes":
            return self.download.render(task)
        counted = self.count.render(task)
        counted.append(f" {unit}")
        return counted


@contextmanager
def progress_bar(unit: str) -> Iterator[RichProgress]:
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), AmountColumn(unit), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, transient=False,
    ) as bar:
        prog = RichProgress(bar)
        yield prog
        prog.finish()  # only when the work ended normally: an interrupted step stays where it stopped


def report(s: IngestSummary) -> None:
    view.report(out, console, s)


def _escaped(work: Callable[..., IngestSummary], *args: object) -> IngestSummary:
    """Ingest errors with rich markup escaped, so a reason like "set [options] encoding" prints as written."""
    try:
        return work(*args)
    except IngestError as exc:
        raise type(exc)(escape(visible(exc.file)), escape(visible(exc.reason)), exc.row) from None


def _run(store: str | None, unit: str, work: Callable[..., IngestSummary], dry_run: bool = False) -> None:
    settings = settings_or_exit(store=store)
    if dry_run and _not_created(settings.store):
        with progress_bar(unit) as prog:  # the first import: read as an empty store, create nothing
            summary = guarded(lambda: _escaped(work, None, prog))
    else:
        with unused_store_removed(settings.store), store_session(settings) as st, progress_bar(unit) as prog:
            summary = guarded(lambda: _escaped(work, st, prog))
    report(summary)
    raise typer.Exit(EXIT_REJECTED if summary.problems else EXIT_OK)


def _not_created(url: str) -> bool:
    """An embedded store whose file does not exist yet (a dry run must not create it)."""
    prefix = "sqlite:///"
    return url.startswith(prefix) and not Path(url[len(prefix):]).exists()


@contextmanager
def unused_store_removed(url: str) -> Iterator[None]:
    """A first ingest refused for bad usage or unreadable input (a mistyped path, a wrong --format) takes back the
    empty store file it created: left there, it would pass for a store ingest made, and stats, analyze and serve
    would work on nothing instead of saying no store was ever created."""
    fresh = _not_created(url)
    try:
        yield
    except typer.Exit as exc:
        if fresh and exc.exit_code == EXIT_USAGE:
            _remove_if_empty(Path(url[len("sqlite:///"):]))
        raise


def _remove_if_empty(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if any(db.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables):  # noqa: S608 - names from the file
                return
    except sqlite3.Error:
        return  # not ours to judge: leave it
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@ingest_app.command("hris")
def hris(
    path: Path = typer.Argument(..., help="HRIS export: CSV or TSV (any encoding; Excel's Unicode text too), JSON "
                                "(a list, {\"employees\": [...]}, SCIM or Graph pages), LDIF, an Excel workbook "
                                "(.xlsx, .xlsm), or what HR systems save for Excel: an HTML table (.xls, .htm), "
                                "MIME HTML (.mht) or an XML Spreadsheet 2003 (.xml). See docs/ingest-formats.md."),
    mapping: str | None = typer.Option(
        None, "--mapping", help="A columns.toml mapping file, or a shipped mapping: " + ", ".join(bundled_mappings())
    ),
    full: bool = typer.Option(False, "--full", help="A full export: HR people absent from it become inactive."),
    allow_mass_leave: bool = typer.Option(
        False, "--allow-mass-leave", help="With --full: make leavers even of more than half the active HR people "
        "(refused otherwise, as an export cut short would do that)."
    ),
    aliases: Path | None = typer.Option(None, "--aliases", help="Extra skill aliases (TOML [aliases] or CSV)."),
    rejects: Path | None = typer.Option(None, "--rejects", help="Reject file (JSON lines) for rows not loaded."),
    store: str | None = typer.Option(None, "--store", help="Store URL (default: WHOKNOWS_STORE)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show the inferred mapping, sample rows and every problem; write nothing."
    ),
) -> None:
    """Load people, declared skills and reporting lines from an HRIS export."""
    _run(store, "rows", lambda st, prog: ingest_hris(
        st, path, mapping=mapping, full=full, allow_mass_leave=allow_mass_leave, aliases=aliases, rejects=rejects,
        progress=prog, dry_run=dry_run,
    ), dry_run)



@ingest_app.command("forum")
def forum(
    path: Path = typer.Argument(..., help="Forum export: a dump directory, a zip, a folder or a file."),
    fmt: str = typer.Option(..., "--format", "-f", help=FORMATS_HELP),
    community: str | None = typer.Option(None, "--community", help="Site / source name (default: from PATH)."),
    identities: Path | None = typer.Option(
        None, "--identities", help="CSV source,handle,person_id matching accounts to people."
    ),
    aliases: Path | None = typer.Option(None, "--aliases", help="Extra skill aliases (TOML [aliases] or CSV)."),
    rejects: Path | None = typer.Option(None, "--rejects", help="Reject file (JSON lines) for rows not loaded."),
    store: str | None = typer.Option(None, "--store", help="Store URL (default: WHOKNOWS_STORE)."),
    max_member_bytes: int | None = typer.Option(
        None, "--max-member-bytes", min=1,
        help="Most bytes one archive member or JSON file may decompress to (default: WHOKNOWS_MAX_MEMBER_BYTES, "
             "else 256 MiB); larger ones are refused, naming the member.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show sample records and every problem; write nothing."),
    full: bool | None = typer.Option(
        None, "--full/--partial",
        help="Whether the export is the whole of its source: if so, the posts, memberships, reactions and "
             "endorsements it no longer holds are taken back (default: full for a Stack Exchange dump, partial for "
             "other formats).",
    ),
    allow_mass_removal: bool = typer.Option(
        False, "--allow-mass-removal", help="With a full export: take back even more than half of the source's "
        "stored posts or endorsements (refused otherwise, as an export cut short would do that)."
    ),
) -> None:
    """Load posts, communities and memberships from a forum export."""
    _run(store, "bytes", lambda st, prog: ingest_forum(
        st, path, fmt, community=community, identities=identities, aliases=aliases, rejects=rejects, progress=prog,
        max_member_bytes=max_member_bytes, dry_run=dry_run, full=full, allow_mass_removal=allow_mass_removal,
    ), dry_run)


@ingest_app.command("manifest")
def manifest(
    directory: Path = typer.Argument(..., help="A folder with a manifest.json, as `whoknows demo-data` writes."),
    workers: int = typer.Option(
        2, "--workers", min=1, max=8,
        help="Processes for consecutive forum steps (SQLite and --bulk-dir; 1 runs strictly in order).",
    ),
    rejects_dir: Path | None = typer.Option(None, "--rejects-dir", help="Folder for the reject files."),
    store: str | None = typer.Option(None, "--store", help="Store URL (default: WHOKNOWS_STORE)."),
    bulk_dir: Path | None = typer.Option(
        None, "--bulk-dir", help="First load of an EMPTY Neo4j database: write the offline importer's CSV files and "
        "its command line (neo4j-admin database import full) into this folder instead of writing to a store. "
        "With --store, that store must be reachable and empty.",
    ),
) -> None:
    """Run every ingest step a manifest.json lists (HR first, then the forums), with one summary per step."""
    if bulk_dir is not None:
        from app.cli.bulk_cmd import bulk_manifest

        bulk_manifest(directory, bulk_dir, store=store, rejects_dir=rejects_dir, workers=workers,
                      progress=progress_bar, report=report)
        return
    settings = settings_or_exit(store=store)

    def work(st: object, prog: RichProgress) -> list[IngestSummary]:
        try:
            return ingest_manifest(st, directory, progress=prog, rejects_dir=rejects_dir, workers=workers)  # type: ignore[arg-type]
        except IngestError as exc:
            raise type(exc)(escape(visible(exc.file)), escape(visible(exc.reason)), exc.row) from None

    with unused_store_removed(settings.store), store_session(settings) as st, progress_bar("bytes") as prog:
        summaries = guarded(lambda: work(st, prog))
    for summary in summaries:
        report(summary)
    raise typer.Exit(EXIT_REJECTED if any(s.problems for s in summaries) else EXIT_OK)
