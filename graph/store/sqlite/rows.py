"""SQLite store rows: record <-> row conversion and table layouts."""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.store.common import evidence_from, utc_text
from schema.models import (
    STORED,
    CommunityHealth,
    ExpertIn,
    Person,
    PersonScores,
    Post,
)

# --- value conversion ------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _marks(n: int) -> str:
    return ",".join("?" * n)


# --- tables ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """How one record kind maps onto a table: key columns, all columns, record -> row tuple."""

    kind: str
    name: str
    key: tuple[str, ...]
    cols: tuple[str, ...]
    to_row: Callable[[Any], tuple[Any, ...]]

    @functools.cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(c for c in self.cols if c not in self.key)

    @functools.cached_property
    def _key_index(self) -> tuple[int, ...]:
        return tuple(self.cols.index(c) for c in self.key)

    @functools.cached_property
    def _update_order(self) -> tuple[int, ...]:
        return tuple(self.cols.index(c) for c in (*self.values, *self.key))

    def insert_sql(self) -> str:
        cols = ", ".join(f'"{c}"' for c in self.cols)
        return f"INSERT INTO {self.name} ({cols}) VALUES ({_marks(len(self.cols))})"

    def update_sql(self) -> str:
        sets = ", ".join(f'"{c}" = ?' for c in self.values)
        where = " AND ".join(f'"{c}" = ?' for c in self.key)
        return f"UPDATE {self.name} SET {sets} WHERE {where}"

    @functools.cached_property
    def key_of(self) -> Callable[[tuple[Any, ...]], Any]:
        """Row -> key: the bare value for one key column, a tuple for several (called millions of times)."""
        return operator.itemgetter(*self._key_index)

    def update_params(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(row[i] for i in self._update_order)


def _person_row(p: Person) -> tuple[Any, ...]:
    return (
        p.id, p.name, p.email, p.title, p.department, p.location, p.manager_id, _day(p.hired_on),
        int(p.active), int(p.opted_out), int(p.bot), p.source,
    )


def _post_row(p: Post) -> tuple[Any, ...]:
    return (
        p.id, p.kind.value, p.author_id, utc_text(p.created_at), p.community_id, p.thread_id, p.parent_id,
        " ".join(p.tags), p.score, int(p.accepted), p.source, p.title,
    )


_PERSON = _Table(
    "people", "person", ("id",),
    ("id", "name", "email", "title", "department", "location", "manager_id", "hired_on", "active", "opted_out",
     "bot", "source"),
    _person_row,
)
_COMMUNITY = _Table(
    "communities", "community", ("id",), ("id", "name", "kind", "source"),
    lambda c: (c.id, c.name, c.kind.value, c.source),
)
_POST = _Table(
    "posts", "post", ("id",),
    ("id", "kind", "author_id", "created_at", "community_id", "thread_id", "parent_id", "tags", "score", "accepted",
     "source", "title"),
    _post_row,
)
_REPORTS = _Table(
    "reports_to", "reports_to", ("person_id",), ("person_id", "manager_id"), lambda r: (r.person_id, r.manager_id)
)
_HAS_SKILL = _Table(
    "has_skill", "has_skill", ("person_id", "skill"), ("person_id", "skill", "level", "source", "declared_at"),
    lambda r: (r.person_id, r.skill, r.level, r.source, _day(r.declared_at)),
)
_MEMBER = _Table(
    "memberships", "member_of", ("person_id", "community_id"), ("person_id", "community_id", "since", "role"),
    lambda r: (r.person_id, r.community_id, utc_text(r.since), r.role.value),
)
_ENDORSED = _Table(
    "endorsements", "endorsed", ("from_id", "to_id", "skill"),
    ("from_id", "to_id", "skill", "created_at", "source"),
    lambda r: (r.from_id, r.to_id, r.skill, utc_text(r.created_at), r.source),
)

_ENGAGED = _Table(
    "engagements", "engaged", ("person_id", "post_id", "kind"), ("person_id", "post_id", "kind", "created_at"),
    lambda r: (r.person_id, r.post_id, r.kind.value, utc_text(r.created_at)),
)

_PERSON_COLS = ", ".join(f"p.{c}" for c in _PERSON.cols)


def _person_from(row: Sequence[Any]) -> Person:
    return _person_of(tuple(row[:12]))


@functools.lru_cache(maxsize=4096)
def _person_of(row: tuple[Any, ...]) -> Person:
    """A person from its columns, memoised by them (the model is frozen; any change of a column is another key):
    validating the same ten people of a directory page on every request was a tenth of its time."""
    return Person.model_validate({
        "id": row[0], "name": row[1], "email": row[2], "title": row[3], "department": row[4],
        "location": row[5], "manager_id": row[6], "hired_on": row[7], "active": bool(row[8]),
        "opted_out": bool(row[9]), "bot": bool(row[10]), "source": row[11],
    }, context=STORED)


_HEALTH_FIGURES = tuple(
    f for f in CommunityHealth.model_fields if f not in ("community_id", "period", "start")
)


_SKILL_KEYS = _Table("skills", "skill", ("name",), ("name", "aliases"), lambda s: (s.name, "[]"))


def _scores_from(row: Sequence[Any]) -> PersonScores:
    return PersonScores(
        person_id=row[0], pagerank=row[1], degree=row[2], betweenness=row[3], constraint=row[4],
        effective_size=row[5], participation=row[6], within_z=row[7], role=row[8], articulation=bool(row[9]),
        community=row[10],
    )


def _expert_from(row: Sequence[Any]) -> ExpertIn:
    return ExpertIn(
        person_id=row[0], skill=row[1], score=row[2], evidence=evidence_from(row[3]), expertise_rank=row[4],
        last_active=row[5],
    )


def _health_from(row: Sequence[Any]) -> CommunityHealth:
    return CommunityHealth(community_id=row[0], period=row[1], start=row[2], **json.loads(row[3]))
