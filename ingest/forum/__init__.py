"""Forum export formats. Each module has ``read_*`` (open and decode), pure ``parse_*`` functions yielding records
or rejects, and ``locate``/``stream`` used by :mod:`ingest.pipeline`. Records carry source handles: forum ids
(``namespace:handle``) and tag/skill names as written; :mod:`ingest.normalise` resolves both before the loader."""

from __future__ import annotations

from types import ModuleType

from ingest.forum import discourse, jsonl, sharepoint, slack, stackexchange, teams, vivaengage

FORMATS: dict[str, ModuleType] = {
    "stackexchange": stackexchange,
    "slack": slack,
    "discourse": discourse,
    "vivaengage": vivaengage,
    "jsonl": jsonl,
    "teams": teams,
    "sharepoint": sharepoint,
}

__all__ = ["FORMATS"]
