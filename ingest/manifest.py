"""Manifests: run a folder's ingest steps (``manifest.json``, as ``whoknows demo-data`` writes it) in order, or
consecutive forum steps in parallel processes on a SQLite store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.store.base import GraphStore
from ingest.load import DEFAULT_CHUNK
from ingest.numbers import loads
from ingest.pipeline import IngestSummary, NullProgress, Progress, default_reject_path, ingest_forum, ingest_hris
from schema.errors import IngestError, RejectedRow, UnreadableInput
from schema.files import read_regular

_PATHS = ("path", "mapping", "aliases", "identities")  # files a step names, relative to the manifest's folder
_TEXTS = ("format", "community")
_FLAGS = ("full", "allow_mass_leave", "allow_mass_removal")


def read_manifest(outdir: str | Path) -> list[dict[str, Any]]:
    """The steps of OUTDIR/manifest.json (a JSON list, or {"steps": [...]}), checked before anything runs."""
    if Path(outdir).is_file():  # the manifest itself, or an export, given where its folder was expected
        hint = "give the folder that holds it" if Path(outdir).name == "manifest.json" else \
            "ingest a single file with `whoknows ingest hris|forum`"
        raise UnreadableInput(str(outdir), f"is a file, expected a folder holding a manifest.json ({hint})")
    mpath = Path(outdir) / "manifest.json"
    try:
        steps = loads(read_regular(mpath).decode("utf-8"))
    except FileNotFoundError:
        raise UnreadableInput(str(mpath), "no manifest.json (write one with `whoknows demo-data`)") from None
    except RecursionError:
        raise UnreadableInput(str(mpath), "unreadable manifest: nested too deeply") from None
    except OSError as exc:
        raise UnreadableInput(str(mpath), f"unreadable manifest: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise UnreadableInput(str(mpath), f"unreadable manifest: {exc}") from None
    if isinstance(steps, dict):
        steps = steps.get("steps")
    if not isinstance(steps, list):
        raise UnreadableInput(str(mpath), "expected a JSON list of steps")
    root = Path(outdir).resolve()
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not isinstance(step.get("path"), str):
            raise UnreadableInput(str(mpath), "each step needs an object with a path", i)
        if step.get("kind") not in ("hris", "forum"):
            raise UnreadableInput(str(mpath), f"step kind {step.get('kind')!r} is neither 'hris' nor 'forum'", i)
        problem = step_problem(root, step)
        if problem is not None:
            raise UnreadableInput(str(mpath), problem, i)
    return steps


def step_problem(root: Path, step: dict[str, Any]) -> str | None:
    """Why a step may not run, or None. A manifest describes its own folder: a file it names outside it
    (``../../etc/passwd``, ``/etc/passwd``, through a link) would be read as an HR export, its lines quoted in the
    messages and the reject file; and ``"full": "no"`` is a true value to Python, so flags must be booleans."""
    for key in _FLAGS:
        if key in step and not isinstance(step[key], bool):
            return f"{key} must be true or false, not {str(step[key])[:40]!r}"
    for key in _TEXTS:
        if step.get(key) is not None and not isinstance(step[key], str):
            return f"{key} must be text"
    for key in _PATHS:
        value = step.get(key)
        if value in (None, "") and key != "path":
            continue
        if not isinstance(value, str) or not value.strip() or "\x00" in value:
            return f"{key} must be a file name (text, without NUL)"
        try:
            inside = (root / value).resolve().is_relative_to(root)
        except (OSError, RuntimeError, ValueError):  # a link loop
            inside = False
        if not inside:
            return f"{key} {value[:80]!r} lies outside the manifest's folder; refused"
    return None


def run_step(
    store: GraphStore,
    root: Path,
    step: dict[str, Any],
    *,
    progress: Progress | None = None,
    rejects_dir: Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> IngestSummary:
    """One manifest step; relative paths are relative to the manifest's directory."""

    def rel(v: Any) -> Path | None:
        return None if v in (None, "") else root / str(v)

    path = root / str(step["path"])
    rej = default_reject_path(path, rejects_dir if rejects_dir is not None else root)
    if step["kind"] == "hris":
        return ingest_hris(
            store, path, mapping=rel(step.get("mapping")), full=bool(step.get("full", False)),
            allow_mass_leave=bool(step.get("allow_mass_leave", False)),
            aliases=rel(step.get("aliases")), rejects=rej, progress=progress, chunk_size=chunk_size,
        )
    return ingest_forum(
        store, path, str(step.get("format", "")), community=step.get("community"),
        identities=rel(step.get("identities")), aliases=rel(step.get("aliases")), rejects=rej,
        progress=progress, chunk_size=chunk_size,
        full=None if step.get("full") is None else bool(step["full"]),
        allow_mass_removal=bool(step.get("allow_mass_removal", False)),
    )


def _run_step_in_child(url: str, root: str, step: dict[str, Any], rejects_dir: str | None,
                       chunk_size: int) -> IngestSummary | tuple[str, str, str, int | None]:
    """A step in a worker process; an ingest error comes back as a tuple (its class does not pickle)."""
    from graph.store.sqlite import SQLiteStore

    store = SQLiteStore.from_url(url)
    try:
        return run_step(store, Path(root), step, rejects_dir=Path(rejects_dir) if rejects_dir else None,
                        chunk_size=chunk_size)
    except IngestError as exc:
        return (type(exc).__name__, exc.file, exc.reason, exc.row)
    finally:
        store.close()


def ingest_manifest(
    store: GraphStore,
    outdir: str | Path,
    *,
    progress: Progress | None = None,
    rejects_dir: str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
) -> list[IngestSummary]:
    """Run the steps of OUTDIR/manifest.json in order, e.g.
    ``[{"kind": "hris", "path": "hris.csv"}, {"kind": "forum", "format": "slack", "path": "slack.zip",
    "identities": "identities.csv"}]``; relative paths are relative to OUTDIR.

    ``workers > 1`` (SQLite stores only): consecutive forum steps run at once in that many processes, each with
    its own connection to the same file; SQLite serialises their write transactions, so one source's parsing
    overlaps another's writing. Forum steps do not depend on each other (each matches accounts against HR people
    and its identities file only) and every write is an upsert or an alias-set union, so the final store is the
    same as in order; HR steps always run alone, in order, before the forum steps after them.
    """
    root = Path(outdir)
    steps = read_manifest(root)
    rdir = Path(rejects_dir) if rejects_dir is not None else None
    parallel = workers > 1 and getattr(store, "url", "").startswith("sqlite:///")
    out: list[IngestSummary] = []
    i = 0
    while i < len(steps):
        step = steps[i]
        j = i + 1
        if parallel and step["kind"] == "forum":
            while j < len(steps) and steps[j]["kind"] == "forum":
                j += 1
        if j - i == 1:
            out.append(run_step(store, root, step, progress=progress, rejects_dir=rdir, chunk_size=chunk_size))
        else:
            out.extend(_parallel(store, root, steps[i:j], workers, rdir, chunk_size, progress))
        i = j
    return out


def _parallel(store: GraphStore, root: Path, steps: list[dict[str, Any]], workers: int, rdir: Path | None,
              chunk_size: int, progress: Progress | None) -> list[IngestSummary]:
    from graph.workers import worker_pool

    prog = progress or NullProgress()
    prog.start(f"{len(steps)} forum exports in {min(workers, len(steps))} processes", len(steps), "steps")
    with worker_pool(min(workers, len(steps))) as pool:  # spawned: no fork of an open SQLite connection
        futures = [pool.submit(_run_step_in_child, store.url, str(root), step,
                               str(rdir) if rdir else None, chunk_size) for step in steps]
        results = []
        for f in futures:
            results.append(f.result())  # an error tuple is re-raised once every step has finished
            prog.advance(1)
    for r in results:
        if isinstance(r, tuple):
            cls = RejectedRow if r[0] == "RejectedRow" else UnreadableInput
            raise cls(r[1], r[2], r[3])
    return [r for r in results if isinstance(r, IngestSummary)]


__all__ = ["ingest_manifest", "read_manifest", "run_step", "step_problem"]
