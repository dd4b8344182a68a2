"""The ``whoknows`` typer application and the helpers every command shares.

Exit codes (DESIGN.md): 0 success, 1 some input rejected (reject file named), 2 bad usage or unreadable input.
Errors of the whoknows tree are printed as one clear line, never as a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console

from app.settings import Settings, load_settings
from graph.store import GraphStore, open_store
from schema.errors import ConfigError, IngestError, StoreError, WhoknowsError

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_STORE = 3

T = TypeVar("T")

app = typer.Typer(
    name="whoknows",
    help="Who knows what, and who connects whom: ingest exports, analyze the graph, serve it over GraphQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# soft_wrap: a message is one line however narrow the terminal (the terminal folds it), so a log piped to a file
# or grepped keeps each message and each path whole; tables still fit the width
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
# Written to a file or a pipe, output has no width of its own: rich would assume 80 columns and squeeze tables
# into it ("stackexc…" for every export, labels folded over three lines). A log gets room for each table's
# natural width instead (tables never stretch to fill it); COLUMNS still decides when it is set.
LOG_WIDTH = 200
for _c in (console, out):
    if not _c.is_terminal and "COLUMNS" not in os.environ:
        _c.width = LOG_WIDTH


@app.callback()
def _root() -> None:
    """whoknows: who knows what, and who connects whom."""


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigError as exc:
        raise fail(f"configuration: {exc}") from None


def require_created(settings: Settings) -> None:
    """Refuse an embedded store whose file is missing or is a folder. Only ingest (and demo) create a store: a
    command that reads one (stats, analyze, serve) would otherwise create an empty file at a mistyped path and
    report zeros, or analyze nothing, as if all were well."""
    prefix = "sqlite:///"
    name = settings.store[len(prefix):] if settings.store.startswith(prefix) else ""
    if name in ("", ":memory:"):
        return
    path = Path(name)
    if path.is_dir():
        raise fail(f"store {settings.store}: {path} is a folder, not a store file; point --store / WHOKNOWS_STORE "
                   "at the .db file ingest wrote", EXIT_STORE)
    if not path.exists():
        raise fail(f"no store at {path}: it was never created. Create it with `whoknows ingest ...` (or "
                   "`whoknows demo`), or point --store / WHOKNOWS_STORE at an existing one.", EXIT_STORE)


@contextmanager
def store_session(settings: Settings) -> Iterator[GraphStore]:
    """Open the configured store for one command and always close it. A store URL that cannot name a store is
    bad usage (exit 2: retrying will not help); a store that cannot be reached is exit 3."""
    try:
        store = open_store(
            settings.store,
            neo4j_user=settings.neo4j_user,
            neo4j_password=settings.neo4j_password,
            neo4j_database=settings.neo4j_database,
        )
    except ConfigError as exc:
        raise fail(f"store URL {settings.store}: {exc}", EXIT_USAGE) from None
    except WhoknowsError as exc:
        raise fail(f"cannot open store {settings.store}: {exc}", EXIT_STORE) from None
    try:
        yield store
    finally:
        store.close()


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn`` turning whoknows errors into one-line messages and DESIGN.md exit codes."""
    try:
        return fn()
    except IngestError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except StoreError as exc:
        raise fail(f"store: {exc}", EXIT_STORE) from None
    except WhoknowsError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    except KeyboardInterrupt:
        raise fail("interrupted: run the same command again to finish the job", 130) from None


def quiet_driver_logs() -> None:
    """The Neo4j driver logs its own connection failures; with no handler Python prints them as bare lines on
    stderr, before (and beside) the one-line error that already says why. Our store layer reports them."""
    logging.getLogger("neo4j").addHandler(logging.NullHandler())


def main() -> None:
    """Console entry point."""
    from app.cli import register_commands

    quiet_driver_logs()
    register_commands()
    sys.exit(app())
