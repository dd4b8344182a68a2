"""Rejected rows: what could not be loaded, where it came from and why, as JSON lines.

A reject never stops an ingest: good rows still load and the summary names the reject file, whose lines look like
``{"file": "hris.csv", "row": 12, "reason": "bad email 'ann@'"}`` (``row`` is the line or record number, or null
for a whole file, e.g. one corrupt day file of a Slack export).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from schema.errors import RejectedRow
from schema.files import special_reason


@dataclass(frozen=True, slots=True)
class Reject:
    """One rejected row or record (or, with ``row=None``, a whole member file)."""

    file: str
    row: int | None
    reason: str
    kind: str = "row"  # "row" (a row not loaded), "column" (said once for a column), "link:<why>" (a reporting line)

    @classmethod
    def from_error(cls, exc: RejectedRow) -> Reject:
        return cls(exc.file, exc.row, exc.reason)

    def message(self) -> str:
        return f"{self.file}" + (f", row {self.row}" if self.row is not None else "") + f": {self.reason}"


class RejectSink:
    """Appends rejects to a JSON-lines file, created on the first reject only (a clean run leaves no file)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.count = 0
        self.first: list[Reject] = []  # a few, for the summary
        self.groups = ReasonGroups()  # every reject, grouped by reason, for the summary and the dry run
        self._fh: IO[str] | None = None

    def add(self, reject: Reject) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(reject)
        self.groups.add(reject)
        if self.path is None:
            return
        if self._fh is None:
            self._fh = self._open(self.path)
        line = {"file": reject.file, "row": reject.row, "reason": reject.reason}
        if reject.kind != "row":
            line["kind"] = reject.kind
        self._fh.write(json.dumps(line) + "\n")

    def _open(self, path: Path) -> IO[str]:
        """Truncate on the first reject (the file holds this run's rejects); an unwritable place falls back to
        the temporary directory, and the summary names wherever the file ended up."""
        try:
            if special_reason(path) is not None or path.is_dir():  # a FIFO would block the open until read
                raise IsADirectoryError(str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            return path.open("w", encoding="utf-8")
        except OSError:  # a fresh file of its own in the temporary directory: the same name may be a folder there too
            fd, name = tempfile.mkstemp(prefix=f"{path.name[:60]}-", suffix=".jsonl")
            self.path = Path(name)
            return os.fdopen(fd, "w", encoding="utf-8")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def finish(self) -> None:
        """Close at the end of a whole run; a run that rejected nothing removes an earlier run's file at its path,
        whose rejects no longer hold (an admin who fixed the export would otherwise find the old ones there)."""
        self.close()
        if self.count == 0 and self.path is not None and self.path.is_file():
            with contextlib.suppress(OSError):  # a file we may not remove is left; the summary names none
                self.path.unlink()

    def __enter__(self) -> RejectSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_rejects(path: str | Path) -> list[Reject]:
    """Parse a reject file back (for tests and tooling)."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Reject(d["file"], d["row"], d["reason"], d.get("kind", "row")))
    return out




_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+")


def reason_group(reason: str) -> str:
    """A reason with its quoted values and numbers blanked, so that rows rejected for the same cause group
    together: ``hire date '13/13/2020' ...`` and ``hire date '31/02/2021' ...`` -> ``hire date '…' ...``."""
    return _NUMBER.sub("N", _QUOTED.sub("'…'", reason))


@dataclass
class ReasonGroup:
    """Problems of one kind: how many, and the first few as examples."""

    reason: str
    kind: str
    count: int = 0
    examples: list[Reject] = field(default_factory=list)


class ReasonGroups:
    """Problems grouped by reason (see :func:`reason_group`), in the order first seen."""

    def __init__(self, examples: int = 3) -> None:
        self.groups: dict[tuple[str, str], ReasonGroup] = {}
        self.max_examples = examples

    def add(self, reject: Reject) -> None:
        key = (reject.kind, reason_group(reject.reason))
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = ReasonGroup(key[1], reject.kind)
        g.count += 1
        if len(g.examples) < self.max_examples:
            g.examples.append(reject)

    def __iter__(self) -> Iterator[ReasonGroup]:
        return iter(self.groups.values())

    def __len__(self) -> int:
        return len(self.groups)


__all__ = ["ReasonGroup", "ReasonGroups", "Reject", "RejectSink", "read_rejects", "reason_group"]
