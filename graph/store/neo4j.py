"""The Neo4j 5 graph store, on the official ``neo4j`` Python driver.

- All Cypher lives in :mod:`graph.store.cypher`; this module only chooses statements, builds their parameter rows
  and turns records into and out of them.
- The driver is injected (``Neo4jStore(driver)``); :meth:`Neo4jStore.connect` builds one from a URL and keeps the
  recipe so :meth:`Neo4jStore.reopen` can build another. Constraints and indexes are created on start-up.
- Every unit of work is a managed transaction (``session.execute_write`` / ``execute_read``), which the driver may
  retry: a work function starts from nothing (its WriteResult included) each time it is called.
- Every batch is deduplicated per key in Python before it is written (graph engines tried as stand-ins dropped rows
  when one ``UNWIND`` repeated a new key); ``write_batch`` is one transaction. Before writing, the batch's keys are
  read back in the same transaction to count inserted / updated / unchanged rows and to write only what changed.
- Analytics runs are written as a new generation and switched in by one statement (see the cypher module docstring
  for why this, rather than one transaction).
- Driver errors become :class:`StoreUnavailable` (unreachable, session expired, authentication refused, transient
  failures that outlived the retries, closed driver) or :class:`StoreError` (constraint violated, statement refused).
- Values: dates and datetimes are stored as Neo4j ``Date`` / ``DateTime`` (UTC) and come back as Python ``date`` /
  aware UTC ``datetime``; enums as their string value; evidence, detected-community shares and run stats (nested
  data Neo4j properties cannot hold) as JSON text in the same layout the SQLite store uses.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, LiteralString, ParamSpec, TypeVar, cast

import neo4j
import neo4j.time
from neo4j import exceptions as neo_errors

from graph.store import cypher as q
from graph.store.base import (
    RECORD_KEYS,
    AnalyticsSnapshot,
    Batch,
    BrokerHit,
    EndorsementRow,
    ExpertHit,
    HealthReport,
    MembershipRow,
    Page,
    PersonRow,
    PostRow,
    Projection,
    RankedPerson,
    Reach,
    SkillClaimRow,
    WriteResult,
    check_page_size,
    check_ranges,
    decode_cursor,
    dedupe,
    dedupe_skills,
    dump_rows,
    encode_cursor,
)
from schema.errors import BadInput, ConfigError, StoreError, StoreUnavailable, WhoknowsError
from schema.labels import HealthPeriod, ScoreScope
from schema.models import (
    AnalyticsRun,
    Community,
    CommunityHealth,
    DetectedCommunity,
    Endorsement,
    Evidence,
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
from schema.skills import fold

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)
Row = dict[str, Any]
Tx = neo4j.ManagedTransaction

log = logging.getLogger(__name__)

DEFAULT_DRIVER_CONFIG: Mapping[str, Any] = {
    "connection_timeout": 10.0,  # seconds to open a connection
    "max_transaction_retry_time": 15.0,  # how long managed transactions retry transient failures
    "connection_acquisition_timeout": 30.0,
}
ANALYTICS_CHUNK = 5000  # rows per analytics transaction
GC_BATCH = 10000  # rows deleted per transaction when dropping an old generation
PENDING_GRACE = timedelta(hours=24)  # a pending generation older than this is a killed run, safe to drop


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


def props_of(record: Record, exclude: Iterable[str] = ()) -> Row:
    """A record's fields as node/relationship properties; None fields are left out (absent property = None)."""
    skip = set(exclude)
    return {k: to_param(v) for k, v in record.model_dump().items() if v is not None and k not in skip}


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def evidence_json(evidence: Iterable[Evidence]) -> str:
    """Evidence as JSON text, ``[[kind, count, last_at], ...]`` (the SQLite store's layout)."""
    return json.dumps([[e.kind.value, e.count, _ts(e.last_at)] for e in evidence], separators=(",", ":"))


def evidence_from(text: str) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(kind=k, count=c, last_at=None if t is None else datetime.fromisoformat(t))
        for k, c, t in json.loads(text)
    )


def _pairs_json(pairs: Iterable[tuple[str, float]]) -> str:
    return json.dumps([list(x) for x in pairs])


def _pairs_from(text: str) -> tuple[tuple[str, float], ...]:
    return tuple((str(a), float(b)) for a, b in json.loads(text))


# --- parameter rows (pure) --------------------------------------------------------------------------------------


def person_row(p: Person) -> Row:
    return props_of(p)


def community_row(c: Community) -> Row:
    return props_of(c)


def post_row(p: Post) -> Row:
    # author_id, community_id and parent_id stay properties too: the projection reads them, and a child keeps
    # parent_id so its REPLY_TO edge can be made when the parent arrives later
    return props_of(p)


def skill_row(s: Skill) -> Row:
    return {"name": s.name, "aliases": sorted(s.aliases)}


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


def endorsement_row(e: Endorsement) -> Row:
    return {"from_id": e.from_id, "to_id": e.to_id, "skill": e.skill, "created_at": to_param(e.created_at)}


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


def missing_message(what: str, missing: Sequence[str]) -> str:
    """'unknown post author: a, b, c, d, e and 3 more' (the SQLite store's wording)."""
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return f"unknown {what}: {shown}"


# --- records from properties (pure) -------------------------------------------------------------------------------


def person_from(props: Mapping[str, Any]) -> Person:
    return Person(**from_neo(dict(props)))


def community_from(props: Mapping[str, Any]) -> Community:
    return Community(**from_neo(dict(props)))


def post_from(props: Mapping[str, Any]) -> Post:
    values = from_neo(dict(props))
    values["tags"] = tuple(values.get("tags") or ())
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


# --- errors ---------------------------------------------------------------------------------------------------------


def translate(exc: Exception) -> StoreError:
    """The whoknows error for a driver error: StoreUnavailable when retrying later may succeed, else StoreError."""
    if isinstance(exc, neo_errors.AuthError):  # a ClientError subclass: test it first
        return StoreUnavailable(f"Neo4j refused the credentials: {exc}")
    if isinstance(exc, neo_errors.ServiceUnavailable | neo_errors.SessionExpired):
        return StoreUnavailable(f"Neo4j is unreachable: {exc}")
    if isinstance(exc, neo_errors.TransientError):
        return StoreUnavailable(f"Neo4j is busy or unavailable (transient failure outlived the retries): {exc}")
    if isinstance(exc, neo_errors.ConstraintError):
        return StoreError(f"constraint violated: {exc}")
    if isinstance(exc, neo_errors.Neo4jError):  # ClientError, DatabaseError
        return StoreError(f"Neo4j refused the statement: {exc}")
    if isinstance(exc, neo_errors.ConfigurationError):
        return StoreError(f"Neo4j driver configuration: {exc}")
    if isinstance(exc, neo_errors.ConnectionPoolError) or (
        isinstance(exc, neo_errors.DriverError) and "closed" in str(exc).lower()
    ):
        return StoreUnavailable(f"Neo4j connection unavailable: {exc}")
    return StoreError(f"Neo4j driver error: {exc}")


# GqlError (driver 5.26+) is the base of both and is also raised on its own; every neo4j.exceptions class is a
# subclass of one of these (tests/unit/test_store_errors.py enumerates them)
_DRIVER_ERRORS: tuple[type[Exception], ...] = tuple(
    getattr(neo_errors, name) for name in ("GqlError", "Neo4jError", "DriverError") if hasattr(neo_errors, name)
)
_CLEANUP_ERRORS: tuple[type[Exception], ...] = (WhoknowsError, *_DRIVER_ERRORS)


def _translated(fn: Callable[P, R]) -> Callable[P, R]:
    """Public store methods raise only the whoknows error tree."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except _DRIVER_ERRORS as exc:
            raise translate(exc) from exc

    return wrapper


# --- running statements -----------------------------------------------------------------------------------------------


def run(tx: Tx, statement: q.Statement, **params: Any) -> list[Row]:
    """Run one registered statement with exactly its declared parameters; all records, fully consumed."""
    if set(params) != set(statement.params):
        raise TypeError(f"{statement.name} takes {sorted(statement.params)}, got {sorted(params)}")
    # the text comes only from graph/store/cypher.py (enum labels, no values): a literal in all but type
    result = tx.run(cast(LiteralString, statement.text), params)
    return [record.data() for record in result]


def _chunks(items: Sequence[R], size: int) -> Iterator[Sequence[R]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _require(tx: Tx, statement: q.Statement, what: str, ids: Iterable[str | None]) -> None:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return
    missing = [r["id"] for r in run(tx, statement, ids=wanted)]
    if missing:
        raise StoreError(missing_message(what, missing))


def _ensure_skills(tx: Tx, names: Iterable[str]) -> None:
    wanted = sorted(set(names))
    if wanted:
        run(tx, q.SKILLS_ENSURE, names=wanted)


# --- the write side of a batch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRows:
    """A batch as parameter rows, one row per key (the last version wins; skills merge their aliases)."""

    people: list[Row]
    skills: list[Row]
    communities: list[Row]
    posts: list[Row]
    reports_to: list[Row]
    has_skill: list[Row]
    memberships: list[Row]
    endorsements: list[Row]
    meta: dict[str, str | None]


def batch_rows(batch: Batch) -> BatchRows:
    """Deduplicate every kind of a batch per key and build its parameter rows (pure; done once, outside retries)."""
    return BatchRows(
        people=[person_row(p) for p in dedupe(batch.people, RECORD_KEYS[Person])],
        skills=[skill_row(s) for s in dedupe_skills(batch.skills)],
        communities=[community_row(c) for c in dedupe(batch.communities, RECORD_KEYS[Community])],
        posts=[post_row(p) for p in dedupe(batch.posts, RECORD_KEYS[Post])],
        reports_to=[reports_row(r) for r in dedupe(batch.reports_to, RECORD_KEYS[ReportsTo])],
        has_skill=[has_skill_row(h) for h in dedupe(batch.has_skill, RECORD_KEYS[HasSkill])],
        memberships=[member_row(m) for m in dedupe(batch.memberships, RECORD_KEYS[MemberOf])],
        endorsements=[endorsement_row(e) for e in dedupe(batch.endorsements, RECORD_KEYS[Endorsement])],
        meta=dict(batch.meta),
    )


def _upsert_counted(
    tx: Tx,
    kind: str,
    rows: list[Row],
    existing: Mapping[K, Row],
    key: Callable[[Row], K],
    upsert: q.Statement,
    result: WriteResult,
) -> tuple[list[Row], list[Row]]:
    """Write the new and changed rows only, and count inserted / updated / unchanged."""
    new, changed = classify(rows, existing, key)
    if new or changed:
        run(tx, upsert, rows=[*new, *changed])
    result.add(kind, len(new), len(changed), len(rows) - len(new) - len(changed))
    return new, changed


def _by_key(tx: Tx, fetch: q.Statement, rows: list[Row], key: str) -> dict[Any, Row]:
    return {r["node_key"]: from_neo(r["props"]) for r in run(tx, fetch, ids=[row[key] for row in rows])}


def _write_skills(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    """Skills merge alias sets (a second source adds aliases, never removes them)."""
    fetched = run(tx, q.SKILLS_FETCH, ids=[s["name"] for s in rows])
    existing = {r["node_key"]: set(r["props"].get("aliases") or ()) for r in fetched}
    new = [s for s in rows if s["name"] not in existing]
    changed = [
        {"name": s["name"], "aliases": sorted(existing[s["name"]] | set(s["aliases"]))}
        for s in rows
        if s["name"] in existing and not set(s["aliases"]) <= existing[s["name"]]
    ]
    if new or changed:
        run(tx, q.SKILLS_UPSERT, rows=[*new, *changed])
    result.add("skills", len(new), len(changed), len(rows) - len(new) - len(changed))


def _write_posts(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "post author", (r.get("author_id") for r in rows))
    _require(tx, q.COMMUNITIES_MISSING, "post community", (r.get("community_id") for r in rows))
    _ensure_skills(tx, (t for r in rows for t in r.get("tags", ())))
    existing = _by_key(tx, q.POSTS_FETCH, rows, "id")
    new, changed = _upsert_counted(tx, "posts", rows, existing, lambda r: r["id"], q.POSTS_UPSERT, result)
    if changed:
        for unlink in (q.POSTS_UNLINK_AUTHOR, q.POSTS_UNLINK_COMMUNITY, q.POSTS_UNLINK_PARENT, q.POSTS_UNLINK_TAGS):
            run(tx, unlink, rows=changed)
    written = [*new, *changed]
    if with_author := [r for r in written if r.get("author_id")]:
        run(tx, q.POSTS_LINK_AUTHOR, rows=with_author)
    if with_community := [r for r in written if r.get("community_id")]:
        run(tx, q.POSTS_LINK_COMMUNITY, rows=with_community)
    if with_tags := [r for r in written if r.get("tags")]:
        run(tx, q.POSTS_LINK_TAGS, rows=with_tags)
    if with_parent := [r for r in written if r.get("parent_id")]:
        run(tx, q.POSTS_LINK_PARENT, rows=with_parent)
    if new:
        run(tx, q.POSTS_LINK_CHILDREN, ids=[r["id"] for r in new])


def _write_reports_to(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in reports_to", (i for r in rows for i in (r["person_id"], r["manager_id"])))
    existing = {
        r["person_id"]: {"person_id": r["person_id"], "manager_id": r["manager_id"]}
        for r in run(tx, q.REPORTS_TO_FETCH, ids=[row["person_id"] for row in rows])
    }
    _upsert_counted(tx, "reports_to", rows, existing, lambda r: r["person_id"], q.REPORTS_TO_UPSERT, result)


def _write_has_skill(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in has_skill", (r["person_id"] for r in rows))
    _ensure_skills(tx, (r["skill"] for r in rows))
    fetched = run(tx, q.HAS_SKILL_FETCH, keys=[{"person_id": r["person_id"], "skill": r["skill"]} for r in rows])
    existing = {
        (r["person_id"], r["skill"]): {"person_id": r["person_id"], "skill": r["skill"], "props": from_neo(r["props"])}
        for r in fetched
    }
    _upsert_counted(
        tx, "has_skill", rows, existing, lambda r: (r["person_id"], r["skill"]), q.HAS_SKILL_UPSERT, result
    )


def _write_memberships(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in memberships", (r["person_id"] for r in rows))
    _require(tx, q.COMMUNITIES_MISSING, "community in memberships", (r["community_id"] for r in rows))
    fetched = run(
        tx, q.MEMBER_OF_FETCH, keys=[{"person_id": r["person_id"], "community_id": r["community_id"]} for r in rows]
    )
    existing = {
        (r["person_id"], r["community_id"]): {
            "person_id": r["person_id"],
            "community_id": r["community_id"],
            "props": from_neo(r["props"]),
        }
        for r in fetched
    }
    _upsert_counted(
        tx, "memberships", rows, existing, lambda r: (r["person_id"], r["community_id"]), q.MEMBER_OF_UPSERT, result
    )


def _write_endorsements(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in endorsements", (i for r in rows for i in (r["from_id"], r["to_id"])))
    _ensure_skills(tx, (r["skill"] for r in rows))
    fetched = run(
        tx, q.ENDORSED_FETCH, keys=[{"from_id": r["from_id"], "to_id": r["to_id"], "skill": r["skill"]} for r in rows]
    )
    existing = {
        (r["from_id"], r["to_id"], r["skill"]): {
            "from_id": r["from_id"],
            "to_id": r["to_id"],
            "skill": r["skill"],
            "created_at": from_neo(r["props"].get("created_at")),
        }
        for r in fetched
    }
    _upsert_counted(
        tx,
        "endorsements",
        rows,
        existing,
        lambda r: (r["from_id"], r["to_id"], r["skill"]),
        q.ENDORSED_UPSERT,
        result,
    )


def _set_meta(tx: Tx, values: Mapping[str, str | None]) -> None:
    rows = [{"key": k, "value": v} for k, v in values.items() if v is not None]
    if rows:
        run(tx, q.META_SET, rows=rows)
    for key in (k for k, v in values.items() if v is None):
        run(tx, q.META_DELETE, key=key)


def _write_batch(tx: Tx, rows: BatchRows) -> WriteResult:
    """Nodes first, then relationships, then bookkeeping; a fresh result on every (re)try of the transaction."""
    result = WriteResult()
    if rows.people:
        _upsert_counted(
            tx, "people", rows.people, _by_key(tx, q.PEOPLE_FETCH, rows.people, "id"), lambda r: r["id"],
            q.PEOPLE_UPSERT, result,
        )
    if rows.skills:
        _write_skills(tx, rows.skills, result)
    if rows.communities:
        _upsert_counted(
            tx, "communities", rows.communities, _by_key(tx, q.COMMUNITIES_FETCH, rows.communities, "id"),
            lambda r: r["id"], q.COMMUNITIES_UPSERT, result,
        )
    if rows.posts:
        _write_posts(tx, rows.posts, result)
    if rows.reports_to:
        _write_reports_to(tx, rows.reports_to, result)
    if rows.has_skill:
        _write_has_skill(tx, rows.has_skill, result)
    if rows.memberships:
        _write_memberships(tx, rows.memberships, result)
    if rows.endorsements:
        _write_endorsements(tx, rows.endorsements, result)
    if rows.meta:
        _set_meta(tx, rows.meta)
    return result


def analytics_rows(snapshot: AnalyticsSnapshot, gen: str) -> dict[str, list[Row]]:
    """Every result of a snapshot as parameter rows of generation ``gen``, one row per key (the last one wins)."""
    return {
        "scores": [scores_row(s, gen) for s in dedupe(snapshot.person_scores, lambda s: s.person_id)],
        "influence": [
            influence_row(i, gen) for i in dedupe(snapshot.influence, lambda i: (i.scope, i.scope_id, i.person_id))
        ],
        "interactions": [
            interaction_row(i, gen) for i in dedupe(snapshot.interactions, lambda i: (i.source_id, i.target_id))
        ],
        "expertise": [expertise_row(e, gen) for e in dedupe(snapshot.expertise, lambda e: (e.person_id, e.skill))],
        "detected": [detected_row(d, gen) for d in dedupe(snapshot.detected_communities, lambda d: d.id)],
        "health": [
            health_row(h, gen) for h in dedupe(snapshot.health, lambda h: (h.community_id, h.period, h.start))
        ],
    }


_ANALYTICS_WRITES: tuple[tuple[str, q.Statement], ...] = (
    ("scores", q.SCORES_WRITE),
    ("influence", q.INFLUENCE_WRITE),
    ("interactions", q.INTERACTS_WRITE),
    ("expertise", q.EXPERT_IN_WRITE),
    ("detected", q.DETECTED_WRITE),
    ("health", q.HEALTH_WRITE),
)


def _current_gen(tx: Tx) -> str | None:
    rows = run(tx, q.CURRENT_RUN)
    return str(rows[0]["props"]["gen"]) if rows else None


# --- the store ---------------------------------------------------------------------------------------------------


class Neo4jStore:
    """GraphStore on Neo4j 5. See graph/store/base.py for the contract and this module's docstring for the design."""

    def __init__(
        self,
        driver: neo4j.Driver,
        *,
        database: str | None = None,
        url: str = "neo4j://",
        reconnect: Callable[[], neo4j.Driver] | None = None,
        create_schema: bool = True,
        analytics_chunk: int = ANALYTICS_CHUNK,
    ) -> None:
        self.url = url
        self._driver: neo4j.Driver | None = driver
        self._database = database
        self._reconnect = reconnect
        self._analytics_chunk = analytics_chunk
        self._lock = threading.Lock()
        if create_schema:
            self.ensure_schema()

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        user: str = "neo4j",
        password: str | None = None,
        database: str | None = None,
        **driver_config: Any,
    ) -> Neo4jStore:
        """A store on a new driver for ``url`` (``neo4j://``, ``bolt://``, ``neo4j+s://``...), schema created."""
        config = {**DEFAULT_DRIVER_CONFIG, **driver_config}
        auth = (user, password) if password is not None else None

        def make_driver() -> neo4j.Driver:
            try:
                return neo4j.GraphDatabase.driver(url, auth=auth, **config)
            except (neo_errors.ConfigurationError, ValueError) as exc:
                raise ConfigError(f"cannot use Neo4j URL {url!r}: {exc}") from exc

        driver = make_driver()
        try:
            return cls(driver, database=database, url=url, reconnect=make_driver)
        except ValueError as exc:  # the driver's way of saying the address cannot be resolved as given
            driver.close()
            raise ConfigError(f"cannot use Neo4j URL {url!r}: {exc}") from exc
        except BaseException:
            driver.close()
            raise

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def _live_driver(self) -> neo4j.Driver:
        driver = self._driver
        if driver is None:
            raise StoreUnavailable(f"store {self.url} is closed")
        return driver

    def _session(self) -> neo4j.Session:
        # every session shares the driver's bookmark manager, so a read follows the writes before it even on a
        # cluster (causal consistency across sessions, not only within one)
        driver = self._live_driver()
        return driver.session(database=self._database, bookmark_manager=driver.execute_query_bookmark_manager)

    def _read(self, work: Callable[[Tx], R]) -> R:
        with self._session() as session:
            return session.execute_read(work)

    def _write(self, work: Callable[[Tx], R]) -> R:
        with self._session() as session:
            return session.execute_write(work)

    @_translated
    def ensure_schema(self) -> None:
        """Check the server answers, then create the constraints and indexes (idempotent: IF NOT EXISTS)."""
        self._live_driver().verify_connectivity()
        for statement in q.SCHEMA:  # schema commands may not share a transaction with other writes
            try:
                self._write(functools.partial(run, statement=statement))
            except neo_errors.ClientError as exc:
                # two processes starting at once may race to create the same rule; theirs is as good as ours
                if "EquivalentSchemaRuleAlreadyExists" not in (exc.code or ""):
                    raise

    def close(self) -> None:
        with self._lock:
            driver, self._driver = self._driver, None
        if driver is not None:
            driver.close()

    def reopen(self) -> None:
        if self._reconnect is None:
            raise StoreUnavailable(f"store {self.url} was given a driver and cannot build another; open it again")
        self.close()
        driver = self._reconnect()
        with self._lock:
            self._driver = driver
        try:
            self.ensure_schema()
        except BaseException:
            self.close()
            raise

    @_translated
    def ping(self) -> None:
        # verify_connectivity fails fast (no transaction retries), which is what a readiness probe wants
        self._live_driver().verify_connectivity()
        self._read(lambda tx: run(tx, q.PING))

    def __repr__(self) -> str:
        state = "closed" if self._driver is None else "open"
        return f"Neo4jStore({self.url!r}, database={self._database!r}, {state})"

    # --- ingest writes -----------------------------------------------------------------------------------------

    @_translated
    def write_batch(self, batch: Batch) -> WriteResult:
        check_ranges(batch)
        rows = batch_rows(batch)
        return self._write(lambda tx: _write_batch(tx, rows))

    def upsert_people(self, rows: Sequence[Person]) -> WriteResult:
        return self.write_batch(Batch(people=rows))

    def upsert_skills(self, rows: Sequence[Skill]) -> WriteResult:
        return self.write_batch(Batch(skills=rows))

    def upsert_communities(self, rows: Sequence[Community]) -> WriteResult:
        return self.write_batch(Batch(communities=rows))

    def upsert_posts(self, rows: Sequence[Post]) -> WriteResult:
        return self.write_batch(Batch(posts=rows))

    def upsert_reports_to(self, rows: Sequence[ReportsTo]) -> WriteResult:
        return self.write_batch(Batch(reports_to=rows))

    def upsert_has_skill(self, rows: Sequence[HasSkill]) -> WriteResult:
        return self.write_batch(Batch(has_skill=rows))

    def upsert_memberships(self, rows: Sequence[MemberOf]) -> WriteResult:
        return self.write_batch(Batch(memberships=rows))

    def upsert_endorsements(self, rows: Sequence[Endorsement]) -> WriteResult:
        return self.write_batch(Batch(endorsements=rows))

    @_translated
    def set_active(self, person_ids: Sequence[str], active: bool) -> int:
        ids = sorted(set(person_ids))
        if not ids:
            return 0
        rows = self._write(lambda tx: run(tx, q.SET_ACTIVE, ids=ids, active=bool(active)))
        return int(rows[0]["changed"]) if rows else 0

    @_translated
    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]:
        keep = set(keep_ids)

        def work(tx: Tx) -> list[str]:
            active = {r["id"] for r in run(tx, q.ACTIVE_IDS_OF_SOURCE, source=source)}
            gone = sorted(active - keep)
            if gone:
                run(tx, q.SET_ACTIVE, ids=gone, active=False)
            return gone

        return self._write(work)

    @_translated
    def person_ids(self, source: str | None = None) -> set[str]:
        if source is None:
            rows = self._read(lambda tx: run(tx, q.PERSON_IDS))
        else:
            rows = self._read(lambda tx: run(tx, q.PERSON_IDS_OF_SOURCE, source=source))
        return {r["id"] for r in rows}

    @_translated
    def email_index(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in self._read(lambda tx: run(tx, q.EMAIL_INDEX)):
            out.setdefault(r["email"], r["id"])
        return out

    @_translated
    def get_meta(self, key: str) -> str | None:
        rows = self._read(lambda tx: run(tx, q.META_GET, key=key))
        return None if not rows or rows[0]["value"] is None else str(rows[0]["value"])

    @_translated
    def set_meta(self, key: str, value: str | None) -> None:
        self._write(lambda tx: _set_meta(tx, {key: value}))

    # --- analytics -----------------------------------------------------------------------------------------------

    @_translated
    def read_projection(self) -> Projection:
        def work(tx: Tx) -> Projection:
            people = [
                PersonRow(
                    r["id"], r["department"], r["location"], r["manager_id"], bool(r["active"]),
                    bool(r["opted_out"]), bool(r["bot"]), r["source"],
                    None if r["hired_on"] is None else from_neo(r["hired_on"]).isoformat(),
                )
                for r in run(tx, q.PROJECTION_PEOPLE)
            ]
            posts = [
                PostRow(
                    r["id"], r["kind"], r["author_id"], from_neo(r["created_at"]), r["community_id"], r["thread_id"],
                    r["parent_id"], tuple(r["tags"] or ()), int(r["score"]), bool(r["accepted"]),
                )
                for r in run(tx, q.PROJECTION_POSTS)
            ]
            memberships = [
                MembershipRow(r["person_id"], r["community_id"], from_neo(r["since"]))
                for r in run(tx, q.PROJECTION_MEMBERSHIPS)
            ]
            reports = [(r["person_id"], r["manager_id"]) for r in run(tx, q.PROJECTION_REPORTS_TO)]
            skills = [SkillClaimRow(r["person_id"], r["skill"], r["level"]) for r in run(tx, q.PROJECTION_SKILLS)]
            endorsements = [
                EndorsementRow(r["from_id"], r["to_id"], r["skill"], from_neo(r["created_at"]))
                for r in run(tx, q.PROJECTION_ENDORSEMENTS)
            ]
            communities = [community_from(r["props"]) for r in run(tx, q.ALL_COMMUNITIES)]
            return Projection(people, posts, memberships, reports, skills, endorsements, communities)

        return self._read(work)

    @_translated
    def write_analytics(self, snapshot: AnalyticsSnapshot) -> None:
        """Write the run as a new generation, switch it in with one statement, then drop old generations."""
        gen = uuid.uuid4().hex
        now = datetime.now(UTC)
        rows = analytics_rows(snapshot, gen)
        people = {
            *(r["person_id"] for key in ("scores", "influence", "expertise") for r in rows[key]),
            *(i for r in rows["interactions"] for i in (r["source_id"], r["target_id"])),
        }

        def start(tx: Tx) -> None:
            _require(tx, q.PEOPLE_MISSING, "person in analytics results", people)
            _ensure_skills(tx, (r["skill"] for r in rows["expertise"]))
            run(tx, q.RUN_CREATE, rows=[run_row(snapshot.run, gen, now)])

        self._write(start)
        for key, statement in _ANALYTICS_WRITES:
            for chunk in _chunks(rows[key], self._analytics_chunk):
                self._write(functools.partial(run, statement=statement, rows=list(chunk)))

        def switch(tx: Tx) -> None:
            run(tx, q.META_SET, rows=[{"key": q.SWITCH_LOCK_KEY, "value": gen}])  # serialises concurrent switches
            run(tx, q.RUN_SWITCH, gen=gen)

        self._write(switch)
        try:
            self._drop_old_generations(gen, now - PENDING_GRACE)
        except _CLEANUP_ERRORS as exc:  # the new run is in; the next run retries the clean-up
            log.warning("could not drop old analytics generations yet: %s", exc)

    def _drop_old_generations(self, keep_gen: str, cutoff: datetime) -> None:
        stale = [r["gen"] for r in self._read(lambda tx: run(tx, q.RUN_GARBAGE, gen=keep_gen, cutoff=cutoff))]
        for gen in stale:
            for statement in q.GC_BATCHES:
                while True:
                    done = self._write(functools.partial(run, statement=statement, gen=gen, limit=GC_BATCH))
                    if not done or int(done[0]["deleted"]) < GC_BATCH:
                        break
            self._write(functools.partial(run, statement=q.GC_RUN, gen=gen))

    @_translated
    def last_run(self) -> AnalyticsRun | None:
        rows = self._read(lambda tx: run(tx, q.CURRENT_RUN))
        return run_from(rows[0]["props"]) if rows else None

    # --- API reads -------------------------------------------------------------------------------------------------

    @_translated
    def person(self, person_id: str) -> Person | None:
        rows = self._read(lambda tx: run(tx, q.PERSON_GET, id=person_id))
        return person_from(rows[0]["props"]) if rows else None

    @_translated
    def people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        ids = sorted(set(person_ids))
        rows = self._read(lambda tx: run(tx, q.PEOPLE_GET, ids=ids)) if ids else []
        found = (person_from(r["props"]) for r in rows)
        return {p.id: p for p in found}

    @_translated
    def person_scores(self, person_ids: Sequence[str]) -> dict[str, PersonScores]:
        ids = sorted(set(person_ids))

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            return run(tx, q.PERSON_SCORES_GET, ids=ids, gen=gen) if gen and ids else []

        found = (scores_from(r["props"]) for r in self._read(work))
        return {s.person_id: s for s in found}

    @_translated
    def person_skills(self, person_ids: Sequence[str]) -> dict[str, list[HasSkill]]:
        ids = sorted(set(person_ids))
        rows = self._read(lambda tx: run(tx, q.PERSON_SKILLS_GET, ids=ids)) if ids else []
        out: dict[str, list[HasSkill]] = {}
        for r in rows:
            out.setdefault(r["person_id"], []).append(
                HasSkill(
                    person_id=r["person_id"], skill=r["skill"], level=r["level"], source=r["source"],
                    declared_at=from_neo(r["declared_at"]),
                )
            )
        return out

    @_translated
    def person_expertise(self, person_ids: Sequence[str]) -> dict[str, list[ExpertIn]]:
        ids = sorted(set(person_ids))

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            return run(tx, q.PERSON_EXPERTISE_GET, ids=ids, gen=gen) if gen and ids else []

        out: dict[str, list[ExpertIn]] = {}
        for r in self._read(work):
            out.setdefault(r["person_id"], []).append(expert_from(r))
        return out

    @_translated
    def memberships(self, person_ids: Sequence[str]) -> dict[str, list[Community]]:
        ids = sorted(set(person_ids))
        rows = self._read(lambda tx: run(tx, q.MEMBERSHIPS_GET, ids=ids)) if ids else []
        out: dict[str, list[Community]] = {}
        for r in rows:
            out.setdefault(r["person_id"], []).append(community_from(r["props"]))
        return out

    @_translated
    def experts(
        self,
        skill: str,
        first: int = 10,
        after: str | None = None,
        department: str | None = None,
        location: str | None = None,
    ) -> Page[ExpertHit]:
        check_page_size(first)
        after_score, after_id = decode_cursor(after) if after is not None else (None, None)
        filters = {"skill": skill, "department": department, "location": location}

        def work(tx: Tx) -> tuple[list[Row], int]:
            gen = _current_gen(tx)
            if gen is None:
                return [], 0
            rows = run(
                tx, q.EXPERTS_PAGE, **filters, gen=gen, after_score=after_score, after_id=after_id, limit=first + 1
            )
            total = run(tx, q.EXPERTS_COUNT, **filters, gen=gen)
            return rows, int(total[0]["total"]) if total else 0

        rows, total = self._read(work)
        hits = [
            ExpertHit(
                person=person_from(r["props"]),
                skill=skill,
                score=r["score"],
                evidence=evidence_from(r["evidence"]),
                cursor=encode_cursor(r["score"], r["id"]),
            )
            for r in rows[:first]
        ]
        next_cursor = hits[-1].cursor if len(rows) > first and hits else None
        return Page(items=hits, next_cursor=next_cursor, total=total)

    @_translated
    def skills(self, prefix: str | None = None, first: int = 20) -> list[Skill]:
        check_page_size(first, 1000)
        folded = fold(prefix) if prefix else ""
        if folded:
            rows = self._read(lambda tx: run(tx, q.SKILLS_PREFIX, prefix=folded, limit=first))
        else:
            rows = self._read(lambda tx: run(tx, q.SKILLS_FIRST, limit=first))
        return [skill_from(r["name"], r["aliases"]) for r in rows]

    @_translated
    def all_skills(self) -> list[Skill]:
        return [skill_from(r["name"], r["aliases"]) for r in self._read(lambda tx: run(tx, q.SKILLS_ALL))]

    @_translated
    def skill(self, name: str) -> Skill | None:
        rows = self._read(lambda tx: run(tx, q.SKILL_GET, name=name))
        return skill_from(rows[0]["name"], rows[0]["aliases"]) if rows else None

    @_translated
    def communities(self, first: int = 50, after: str | None = None) -> list[Community]:
        check_page_size(first, 1000)
        rows = self._read(lambda tx: run(tx, q.COMMUNITIES_PAGE, after=after or "", limit=first))
        return [community_from(r["props"]) for r in rows]

    @_translated
    def community(self, community_id: str) -> Community | None:
        rows = self._read(lambda tx: run(tx, q.COMMUNITY_GET, id=community_id))
        return community_from(rows[0]["props"]) if rows else None

    @_translated
    def community_members(self, community_id: str, first: int = 50, after: str | None = None) -> Page[Person]:
        check_page_size(first)
        start = decode_cursor(after)[1] if after else ""

        def work(tx: Tx) -> tuple[list[Row], int]:
            rows = run(tx, q.COMMUNITY_MEMBERS_PAGE, id=community_id, after=start, limit=first + 1)
            total = run(tx, q.COMMUNITY_MEMBERS_COUNT, id=community_id)
            return rows, int(total[0]["total"]) if total else 0

        rows, total = self._read(work)
        people = [person_from(r["props"]) for r in rows[:first]]
        next_cursor = encode_cursor(0.0, people[-1].id) if len(rows) > first and people else None
        return Page(items=people, next_cursor=next_cursor, total=total)

    @_translated
    def community_health(self, community_id: str) -> HealthReport:
        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            return run(tx, q.COMMUNITY_HEALTH_GET, gen=gen, id=community_id) if gen else []

        snapshots = [health_from(r["props"]) for r in self._read(work)]
        current = [h for h in snapshots if h.period is HealthPeriod.CURRENT]
        weekly = [h for h in snapshots if h.period is HealthPeriod.WEEK]
        return HealthReport(current=current[-1] if current else None, weekly=weekly)

    @_translated
    def detected_communities(self) -> list[DetectedCommunity]:
        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            return run(tx, q.DETECTED_GET, gen=gen) if gen else []

        return [detected_from(r["props"]) for r in self._read(work)]

    @_translated
    def influencers(
        self, skill: str | None = None, community_id: str | None = None, first: int = 10
    ) -> list[RankedPerson]:
        check_page_size(first)
        if skill is not None and community_id is not None:
            raise BadInput("give a skill or a community, not both")
        if skill is not None:
            scope, scope_id = ScoreScope.SKILL, skill
        elif community_id is not None:
            scope, scope_id = ScoreScope.COMMUNITY, community_id
        else:
            scope, scope_id = ScoreScope.GLOBAL, ""

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            if gen is None:
                return []
            return run(tx, q.INFLUENCERS, gen=gen, scope=scope.value, scope_id=scope_id, limit=first)

        return [
            RankedPerson(person=person_from(r["props"]), score=r["score"], rank=k)
            for k, r in enumerate(self._read(work), start=1)
        ]

    @_translated
    def brokers(self, first: int = 10, community_ids: Sequence[str] | None = None) -> list[BrokerHit]:
        check_page_size(first)
        ids = sorted(set(community_ids or ()))

        def work(tx: Tx) -> list[Row]:
            gen = _current_gen(tx)
            if gen is None:
                return []
            if not ids:
                return run(tx, q.BROKERS, gen=gen, limit=first)
            return run(tx, q.BROKERS_SPANNING, gen=gen, community_ids=ids, min_span=min(2, len(ids)), limit=first)

        return [
            BrokerHit(person=person_from(r["props"]), scores=scores_from(r["scores"]), rank=k)
            for k, r in enumerate(self._read(work), start=1)
        ]

    @_translated
    def reach(self, person_ids: Sequence[str]) -> dict[str, Reach]:
        ids = sorted(set(person_ids))

        def work(tx: Tx) -> tuple[list[Row], list[Row]]:
            if not ids:
                return [], []
            gen = _current_gen(tx)
            neighbours = run(tx, q.REACH_NEIGHBOURS, ids=ids, gen=gen) if gen else []
            return neighbours, run(tx, q.REACH_COMMUNITIES, ids=ids)

        neighbour_rows, community_rows = self._read(work)
        neighbours = {r["id"]: frozenset(r["neighbours"]) for r in neighbour_rows}
        communities = {r["id"]: frozenset(r["communities"]) for r in community_rows}
        return {i: Reach(neighbours.get(i, frozenset()), communities.get(i, frozenset())) for i in ids}

    @_translated
    def introduction_path(self, from_id: str, to_id: str, max_hops: int = 4) -> list[Person] | None:
        if max_hops < 0:
            raise BadInput("maxHops must be at least 0")

        def work(tx: Tx) -> list[Row] | None:
            ends = {r["id"] for r in run(tx, q.PATH_ENDS, ids=sorted({from_id, to_id}))}
            if from_id not in ends or to_id not in ends:
                return None
            if from_id == to_id:
                return run(tx, q.PEOPLE_GET, ids=[from_id])
            if max_hops == 0:
                return None
            statement = q.introduction_path(max_hops)
            gen = _current_gen(tx) or ""  # no run yet: reporting lines only
            rows = run(tx, statement, from_id=from_id, to_id=to_id, gen=gen)
            if not rows or len(rows[0]["people"]) - 1 > max_hops:  # a shortest path too long: none is short enough
                return None
            return [{"props": props} for props in rows[0]["people"]]

        rows = self._read(work)
        return None if rows is None else [person_from(r["props"]) for r in rows]

    @_translated
    def counts(self) -> dict[str, int]:
        def work(tx: Tx) -> Row:
            return run(tx, q.COUNTS, gen=_current_gen(tx) or "")[0]

        return {k: int(v) for k, v in self._read(work).items()}

    # --- tests and tooling -----------------------------------------------------------------------------------------

    @_translated
    def dump(self) -> dict[str, list[tuple]]:
        """Every stored fact as the SQLite store dumps it (same kinds, same tuples), for comparing stores in tests."""

        def work(tx: Tx) -> dict[str, list[Any]]:
            records: dict[str, list[Any]] = {
                "Person": [person_from(r["props"]) for r in run(tx, q.DUMP_PEOPLE)],
                "Skill": [skill_from(r["name"], r["aliases"]) for r in run(tx, q.SKILLS_ALL)],
                "Community": [community_from(r["props"]) for r in run(tx, q.ALL_COMMUNITIES)],
                "Post": [post_from(r["props"]) for r in run(tx, q.DUMP_POSTS)],
                "REPORTS_TO": [
                    ReportsTo(person_id=r["person_id"], manager_id=r["manager_id"])
                    for r in run(tx, q.PROJECTION_REPORTS_TO)
                ],
                "HAS_SKILL": [
                    HasSkill(person_id=r["person_id"], skill=r["skill"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_HAS_SKILL)
                ],
                "MEMBER_OF": [
                    MemberOf(person_id=r["person_id"], community_id=r["community_id"], **from_neo(r["props"]))
                    for r in run(tx, q.DUMP_MEMBER_OF)
                ],
                "ENDORSED": [
                    Endorsement(
                        from_id=r["from_id"], to_id=r["to_id"], skill=r["skill"], created_at=from_neo(r["created_at"])
                    )
                    for r in run(tx, q.PROJECTION_ENDORSEMENTS)
                ],
            }
            gen = _current_gen(tx)
            if gen is None:
                analytic: dict[str, list[Any]] = {
                    k: []
                    for k in (
                        "INTERACTS", "EXPERT_IN", "PersonScores", "InfluenceScore", "CommunityHealth",
                        "DetectedCommunity", "AnalyticsRun",
                    )
                }
            else:
                analytic = {
                    "INTERACTS": [
                        Interaction(
                            source_id=r["source_id"], target_id=r["target_id"], **_without_gen(r["props"])
                        )
                        for r in run(tx, q.DUMP_INTERACTS, gen=gen)
                    ],
                    "EXPERT_IN": [expert_from(r) for r in run(tx, q.DUMP_EXPERT_IN, gen=gen)],
                    "PersonScores": [scores_from(r["props"]) for r in run(tx, q.DUMP_SCORES, gen=gen)],
                    "InfluenceScore": [
                        InfluenceScore(**_without_gen(r["props"])) for r in run(tx, q.DUMP_INFLUENCE, gen=gen)
                    ],
                    "CommunityHealth": [health_from(r["props"]) for r in run(tx, q.DUMP_HEALTH, gen=gen)],
                    "DetectedCommunity": [detected_from(r["props"]) for r in run(tx, q.DETECTED_GET, gen=gen)],
                    "AnalyticsRun": [run_from(r["props"]) for r in run(tx, q.CURRENT_RUN)],
                }
            return {**records, **analytic}

        return {kind: dump_rows(rows) for kind, rows in self._read(work).items()}


__all__ = ["BatchRows", "Neo4jStore", "analytics_rows", "batch_rows", "translate"]
