"""Neo4j store values: Python <-> driver values, parameter rows from records, records from properties (pure)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import neo4j
import neo4j.time

from graph.store.common import evidence_from, evidence_json
from graph.store.common import pairs_from as _pairs_from
from graph.store.common import pairs_json as _pairs_json
from graph.store.visibility import Visibility
from schema.models import (
    STORED,
    AnalyticsRun,
    Community,
    CommunityHealth,
    DetectedCommunity,
    Endorsement,
    Engagement,
    ExpertIn,
    HasSkill,
    InfluenceScore,
    Interaction,
    MemberOf,
    Person,
    PersonScores,
    Post,
    Record,
    ReportsTo,
    Skill,
)

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
Row = dict[str, Any]
Tx = neo4j.ManagedTransaction



# --- values in and out -----------------------------------------------------------------------------------------


def to_param(value: Any) -> Any:
    """A Python value as the driver should send it: enums as their value, tuples as lists, datetimes in UTC."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, list | tuple):
        return [to_param(v) for v in value]
    if isinstance(value, dict):
        return {k: to_param(v) for k, v in value.items()}
    return value


def from_neo(value: Any) -> Any:
    """A value the driver returned as plain Python: Neo4j temporal types become ``date`` / aware UTC ``datetime``."""
    if isinstance(value, neo4j.time.DateTime):
        native = value.to_native()
        return native.replace(tzinfo=UTC) if native.tzinfo is None else native.astimezone(UTC)
    if isinstance(value, neo4j.time.Date):
        return value.to_native()
    if isinstance(value, list):
        return [from_neo(v) for v in value]
    if isinstance(value, dict):
        return {k: from_neo(v) for k, v in value.items()}
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def at_micros(micros: int) -> datetime:
    """Integer microseconds since the epoch (how the projection reads times) as an aware UTC ``datetime``: the
    value :func:`from_neo` gives for the same DateTime, exactly (integer arithmetic, no float)."""
    return _EPOCH + timedelta(microseconds=micros)


def from_micros(micros: int | None) -> datetime | None:
    """:func:`at_micros` of a time that may be absent."""
    return None if micros is None else _EPOCH + timedelta(microseconds=micros)


def props_of(record: Record, exclude: Iterable[str] = ()) -> Row:
    """A record's fields as node/relationship properties; None fields are left out (absent property = None)."""
    skip = set(exclude)
    return {k: to_param(v) for k, v in record.model_dump().items() if v is not None and k not in skip}


# --- parameter rows (pure) --------------------------------------------------------------------------------------


def visibility_from(person_id: str, rows: list[Row]) -> Visibility | None:
    """A person's visibility from the VISIBILITY read (no row: no such person)."""
    if not rows:
        return None
    row = rows[0]
    return Visibility.stored(person_id, row["opted_out"], row["source_opted_out"], from_neo(row["chosen_at"]))


def person_row(p: Person) -> Row:
    return props_of(p)


def community_row(c: Community) -> Row:
    return props_of(c)


def post_row(p: Post) -> Row:
    # author_id, community_id and parent_id stay properties too: the projection reads them, and a child keeps
    # parent_id so its REPLY_TO edge can be made when the parent arrives later. No tags: no property (Neo4j's
    # offline importer cannot store an empty list, and both load paths must leave the same graph)
    row = props_of(p)
    if not p.tags:
        del row["tags"]
    return row


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def post_wire(row: Row) -> Row:
    """A post row as POSTS_CREATE takes it: ``created_at`` as ISO-8601 text (see cypher/ingest.py for why)."""
    return {**row, "created_at": _iso(row["created_at"])}


def skill_row(s: Skill) -> Row:
    """No aliases: no property, like a post without tags (an absent list reads back as an empty one)."""
    return {"name": s.name, "aliases": sorted(s.aliases)} if s.aliases else {"name": s.name}


def reports_row(r: ReportsTo) -> Row:
    return {"person_id": r.person_id, "manager_id": r.manager_id}


def has_skill_row(h: HasSkill) -> Row:
    return {"person_id": h.person_id, "skill": h.skill, "props": props_of(h, exclude=("person_id", "skill"))}


def member_row(m: MemberOf) -> Row:
    return {
        "person_id": m.person_id,
        "community_id": m.community_id,
        "props": props_of(m, exclude=("person_id", "community_id")),
    }


def member_wire(row: Row) -> Row:
    """A membership row as MEMBER_OF_CREATE / _UPSERT take it: ``since`` as ISO-8601 text."""
    props = row["props"]
    return {**row, "props": {**props, "since": _iso(props["since"])}} if "since" in props else row


def endorsement_row(e: Endorsement) -> Row:
    return {"from_id": e.from_id, "to_id": e.to_id, "skill": e.skill, "created_at": to_param(e.created_at),
            "source": e.source}


def engagement_row(e: Engagement) -> Row:
    return {"person_id": e.person_id, "post_id": e.post_id, "kind": e.kind.value, "created_at": to_param(e.created_at)}


def run_row(run: AnalyticsRun, gen: str, written_at: datetime) -> Row:
    return {
        "gen": gen,
        "state": "pending",
        "written_at": to_param(written_at),
        "id": run.id,
        "started_at": to_param(run.started_at),
        "finished_at": to_param(run.finished_at),
        "stats": json.dumps(run.stats, sort_keys=True, default=str),
    }


def scores_row(s: PersonScores, gen: str) -> Row:
    return {"gen": gen, **props_of(s)}


def influence_row(i: InfluenceScore, gen: str) -> Row:
    return {"gen": gen, **props_of(i)}


def interaction_row(i: Interaction, gen: str) -> Row:
    return {"gen": gen, **props_of(i)}


def expertise_row(e: ExpertIn, gen: str) -> Row:
    row = {"gen": gen, **props_of(e, exclude=("evidence",))}
    row["evidence"] = evidence_json(e.evidence)
    return row


def detected_row(d: DetectedCommunity, gen: str) -> Row:
    return {
        "gen": gen, "id": d.id, "size": d.size, "declared": _pairs_json(d.declared), "skills": _pairs_json(d.skills)
    }


def health_row(h: CommunityHealth, gen: str) -> Row:
    return {"gen": gen, **props_of(h)}


def classify(rows: Sequence[Row], existing: Mapping[K, Row], key: Callable[[Row], K]) -> tuple[list[Row], list[Row]]:
    """Split deduplicated rows into (new keys, existing keys whose stored values differ); the rest are unchanged."""
    new = [r for r in rows if key(r) not in existing]
    changed = [r for r in rows if key(r) in existing and existing[key(r)] != r]
    return new, changed


# --- records from properties (pure) -------------------------------------------------------------------------------


def person_from(props: Mapping[str, Any]) -> Person:
    """A person from a node's properties, memoised by them as the SQLite store memoises its rows (the model is
    frozen; any changed property is another key): a directory page validates the same people request after
    request."""
    try:
        return _person_of(tuple(sorted(props.items())))
    except TypeError:  # an unhashable value: not a property a Person has, and validation will say so
        return Person.model_validate(from_neo(dict(props)), context=STORED)


@functools.lru_cache(maxsize=4096)
def _person_of(items: tuple[tuple[str, Any], ...]) -> Person:
    return Person.model_validate(from_neo(dict(items)), context=STORED)


def community_from(props: Mapping[str, Any]) -> Community:
    return Community(**from_neo(dict(props)))


def post_from(props: Mapping[str, Any]) -> Post:
    values = from_neo(dict(props))
    values["tags"] = tuple(values.get("tags") or ())
    values.setdefault("author_id", None)  # a deleted or anonymous author: no property, but the field has no default
    return Post(**values)


def skill_from(name: str, aliases: Sequence[str] | None) -> Skill:
    return Skill(name=name, aliases=tuple(aliases or ()))


def _without_gen(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in from_neo(dict(props)).items() if k != "gen"}


def scores_from(props: Mapping[str, Any]) -> PersonScores:
    return PersonScores(**_without_gen(props))


def health_from(props: Mapping[str, Any]) -> CommunityHealth:
    return CommunityHealth(**_without_gen(props))


def detected_from(props: Mapping[str, Any]) -> DetectedCommunity:
    return DetectedCommunity(
        id=props["id"], size=props["size"], declared=_pairs_from(props["declared"]), skills=_pairs_from(props["skills"])
    )


def expert_from(row: Mapping[str, Any]) -> ExpertIn:
    return ExpertIn(
        person_id=row["person_id"],
        skill=row["skill"],
        score=row["score"],
        evidence=evidence_from(row["evidence"]),
        expertise_rank=row["expertise_rank"],
        last_active=from_neo(row["last_active"]),
    )


def run_from(props: Mapping[str, Any]) -> AnalyticsRun:
    values = from_neo(dict(props))
    return AnalyticsRun(
        id=values["id"],
        started_at=values["started_at"],
        finished_at=values["finished_at"],
        stats=json.loads(values["stats"]),
    )
