"""The steps of a manifest into a bulk first load of Neo4j (graph/store/neo4j/bulk.py), forum exports in parallel.

Every step runs through :func:`ingest.manifest.run_step`, exactly as a normal ingest, with a
:class:`~graph.store.neo4j.bulk.BulkLoad` as its store. Consecutive forum steps may run at once in ``workers``
processes (parsing is nearly all of a bulk load's client CPU, and forum exports do not depend on each other: each
matches accounts against the people loaded before it and its own identities file, as the SQLite store's parallel
manifest does); each writes its posts into a sub-folder of its own and hands back the rest, merged in manifest order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.store.neo4j.bulk import BulkLoad, ImportFiles, Known, Part
from graph.workers import worker_pool
from ingest.manifest import read_manifest, run_step
from ingest.pipeline import IngestSummary, NullProgress, Progress
from schema.errors import IngestError, RejectedRow, StoreError, UnreadableInput


def bulk_manifest(
    outdir: str | Path,
    bulk_dir: str | Path,
    *,
    progress: Progress | None = None,
    rejects_dir: str | Path | None = None,
    workers: int = 2,
) -> tuple[list[IngestSummary], ImportFiles]:
    """Run the steps of OUTDIR/manifest.json into the importer's files in ``bulk_dir``."""
    root = Path(outdir)
    steps = read_manifest(root)
    rdir = Path(rejects_dir) if rejects_dir is not None else None
    bulk = BulkLoad(bulk_dir)
    out: list[IngestSummary] = []
    try:
        i = 0
        while i < len(steps):
            j = i + 1
            if workers > 1 and steps[i]["kind"] == "forum":
                while j < len(steps) and steps[j]["kind"] == "forum":
                    j += 1
            if j - i == 1:
                out.append(run_step(bulk, root, steps[i], progress=progress, rejects_dir=rdir))  # type: ignore[arg-type]
            else:
                out.extend(_parallel(bulk, root, steps[i:j], i, workers, rdir, progress))
            i = j
        return out, bulk.finish()
    finally:
        bulk.close()


def _step_in_child(root: str, step: dict[str, Any], part_dir: str, known: Known,
                   rejects_dir: str | None) -> tuple[IngestSummary, Part] | tuple[str, str, str, int | None]:
    """One forum step in a worker process; an ingest or store error comes back as a tuple (it does not pickle)."""
    load = BulkLoad(part_dir, known)
    try:
        summary = run_step(load, Path(root), step,  # type: ignore[arg-type]
                           rejects_dir=Path(rejects_dir) if rejects_dir else None)
        return summary, load.part()
    except IngestError as exc:
        return (type(exc).__name__, exc.file, exc.reason, exc.row)
    except StoreError as exc:
        return ("StoreError", "", str(exc), None)
    finally:
        load.close()


def _parallel(bulk: BulkLoad, root: Path, steps: list[dict[str, Any]], first: int, workers: int,
              rdir: Path | None, progress: Progress | None) -> list[IngestSummary]:
    prog = progress or NullProgress()
    prog.start(f"{len(steps)} forum exports in {min(workers, len(steps))} processes", len(steps), "steps")
    known = bulk.known_now()
    with worker_pool(min(workers, len(steps))) as pool:
        futures = [pool.submit(_step_in_child, str(root), step, str(bulk.directory / f"step-{first + k + 1}"), known,
                               str(rdir) if rdir else None) for k, step in enumerate(steps)]
        results = []
        for f in futures:
            results.append(f.result())  # an error is raised once every step has finished
            prog.advance(1)
    for r in results:
        if len(r) == 4:
            kind, file, reason, row = r  # type: ignore[misc]
            if kind == "StoreError":
                raise StoreError(reason)
            raise (RejectedRow if kind == "RejectedRow" else UnreadableInput)(file, reason, row)
    summaries = []
    for summary, part in results:  # type: ignore[misc]
        bulk.merge(part)
        summaries.append(summary)
    return summaries


__all__ = ["bulk_manifest"]
