"""``--dry-run``: the whole ingest pipeline against a store view that reads but never writes.

Reads (people already stored, their emails, checkpoints) go to the real store when there is one, so the dry run
matches identities and managers exactly as the real run would; writes are counted, a few records of each kind are
kept as samples, and nothing reaches the store. With no store yet (the first import), reads see an empty store
and no store file is created.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.store.base import Batch, WriteResult
from graph.store.source_facts import SourceKeep, SourceRetraction
from graph.store.visibility import Visibility
from schema.models import Person

SAMPLES = 5
_KINDS = ("people", "skills", "communities", "posts", "reports_to", "has_skill", "memberships", "endorsements",
          "engagements")


class DryRunStore:
    """Forwards the reads an ingest makes to ``store`` (or answers as an empty store) and swallows writes."""

    def __init__(self, store: Any | None = None) -> None:
        self.store = store
        self.would_write = WriteResult()
        self.samples: dict[str, list[Any]] = {}

    # --- reads an ingest makes
    def person_ids(self, source: str | None = None) -> set[str]:
        return set(self.store.person_ids(source)) if self.store is not None else set()

    def email_index(self) -> dict[str, str]:
        return dict(self.store.email_index()) if self.store is not None else {}

    def reporting_lines(self) -> dict[str, str]:
        return dict(self.store.reporting_lines()) if self.store is not None else {}

    def stored_people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        return dict(self.store.stored_people(person_ids)) if self.store is not None else {}

    def visibility(self, person_id: str) -> Visibility | None:
        return self.store.visibility(person_id) if self.store is not None else None

    def get_meta(self, key: str) -> str | None:
        return None  # a dry run never resumes: it reports on the whole input

    # --- writes, counted only
    def set_meta(self, key: str, value: str | None) -> None:
        pass

    def write_batch(self, batch: Batch) -> WriteResult:
        result = WriteResult()
        for kind in _KINDS:
            rows = getattr(batch, kind)
            if rows:
                result.add(kind, len(rows), 0, 0)
                kept = self.samples.setdefault(kind, [])
                kept.extend(rows[: max(0, SAMPLES - len(kept))])
        self.would_write.merge(result)
        return result

    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]:
        keep = set(keep_ids)
        return sorted(p for p in self.person_ids(source) if p not in keep)

    def remove_reports_to(self, person_ids: Iterable[str], *, dry_run: bool = True) -> list[str]:
        """What the real run would remove: the store's own answer with ``dry_run`` (REPORTS_TO has no other read)."""
        return self.store.remove_reports_to(person_ids, dry_run=True) if self.store is not None else []

    def remove_skill_claims(
        self, source: str, keep: Mapping[str, Iterable[str]], *, dry_run: bool = True
    ) -> list[tuple[str, str]]:
        return self.store.remove_skill_claims(source, keep, dry_run=True) if self.store is not None else []

    def merge_people(self, moves: Mapping[str, str]) -> list[str]:
        return []  # a dry run counts the moves (ingest_forum) and writes nothing

    def retract_source(self, source: str, keep: SourceKeep, *, dry_run: bool = True) -> SourceRetraction:
        """What a full forum export would take back: the store's own answer with ``dry_run``."""
        return self.store.retract_source(source, keep, dry_run=True) if self.store is not None else SourceRetraction()


__all__ = ["SAMPLES", "DryRunStore"]
