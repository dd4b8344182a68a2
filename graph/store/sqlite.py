"""The embedded graph store: one SQLite file in WAL mode (stdlib ``sqlite3``).

Why SQLite: a single file that an API process and an ingest or analytics process can use at once (WAL gives
readers a consistent snapshot while one writer commits), no server to run, real enough for tests.

Concurrency: each thread gets its own connection; writes are serialised by a lock in-process and by SQLite's
write lock across processes (``BEGIN IMMEDIATE`` with a busy timeout). Every batch and every analytics snapshot is
one transaction, so readers see all of it or none of it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

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
    decode_cursor,
    dedupe,
    dedupe_skills,
    dump_rows,
    encode_cursor,
)
from graph.store.sqlite_schema import LATEST, MIGRATIONS
from schema.errors import BadInput, StoreError, StoreUnavailable
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
    ReportsTo,
    Skill,
)
from schema.skills import fold

P = ParamSpec("P")
R = TypeVar("R")

_CHUNK = 900  # bound parameters per IN (...) list
_UNAVAILABLE_MARKERS = (
    "unable to open",
    "disk i/o",
    "database is locked",
    "closed database",
    "readonly database",
    "no such table",
    "cannot operate",
    "not a database",
)


# --- value conversion ------------------------------------------------------------------------------


def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:  # records hold UTC already; anything else is converted
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _translate(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn sqlite3 errors into the whoknows error tree."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"constraint violated: {exc}") from exc
        except (sqlite3.ProgrammingError, sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            text = str(exc).lower()
            if any(marker in text for marker in _UNAVAILABLE_MARKERS):
                raise StoreUnavailable(f"sqlite store unavailable: {exc}") from exc
            raise StoreError(f"sqlite error: {exc}") from exc

    return wrapper


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
        p.id, p.kind.value, p.author_id, _ts(p.created_at), p.community_id, p.thread_id, p.parent_id,
        " ".join(p.tags), p.score, int(p.accepted), p.source,
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
     "source"),
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
    lambda r: (r.person_id, r.community_id, _ts(r.since), r.role.value),
)
_ENDORSED = _Table(
    "endorsements", "endorsed", ("from_id", "to_id", "skill"), ("from_id", "to_id", "skill", "created_at"),
    lambda r: (r.from_id, r.to_id, r.skill, _ts(r.created_at)),
)

_PERSON_COLS = ", ".join(f"p.{c}" for c in _PERSON.cols)


def _person_from(row: Sequence[Any]) -> Person:
    return Person(
        id=row[0], name=row[1], email=row[2], title=row[3], department=row[4], location=row[5],
        manager_id=row[6], hired_on=row[7], active=bool(row[8]), opted_out=bool(row[9]), bot=bool(row[10]),
        source=row[11],
    )


def _evidence_json(evidence: Iterable[Evidence]) -> str:
    return json.dumps([[e.kind.value, e.count, _ts(e.last_at)] for e in evidence], separators=(",", ":"))


def _evidence_from(text: str) -> tuple[Evidence, ...]:
    return tuple(Evidence(kind=k, count=c, last_at=_parse_ts(t)) for k, c, t in json.loads(text))


_HEALTH_FIGURES = tuple(
    f for f in CommunityHealth.model_fields if f not in ("community_id", "period", "start")
)


class SQLiteStore:
    """GraphStore on one SQLite file. See graph/store/base.py for the contract."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{path}"
        self._busy_timeout_s = busy_timeout_s
        self._write_lock = threading.RLock()
        self._state_lock = threading.Lock()
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._generation = 0
        self._closed = True
        # ids of nodes known to exist (committed); nodes are never deleted, so this only grows
        self._known: dict[str, set[str]] = {"person": set(), "community": set()}
        self._pending: dict[str, set[str]] = {"person": set(), "community": set()}
        self._counts: dict[tuple[Any, ...], int] = {}  # see _memo_count
        self._open()

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        prefix = "sqlite:///"
        if not url.startswith(prefix) or len(url) == len(prefix):
            raise StoreError(f"not a sqlite store URL: {url!r} (use sqlite:///path/to/whoknows.db)")
        path = url[len(prefix) :]
        if path == ":memory:":
            raise StoreError("the embedded store needs a file (several connections share it), not :memory:")
        return cls(path)

    # --- lifecycle ---------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if not self.path.parent.is_dir():
            raise StoreUnavailable(f"cannot open {self.path}: directory {self.path.parent} does not exist")
        try:
            conn = sqlite3.connect(
                self.path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache per connection, at most
            conn.execute("PRAGMA wal_autocheckpoint=20000")  # fewer, larger checkpoints during bulk loads
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot open {self.path}: {exc}") from exc
        with self._state_lock:
            self._conns.append(conn)
        return conn

    def _open(self) -> None:
        conn = self._connect()
        try:
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        with self._state_lock:
            self._closed = False

    @_translate
    def _migrate(self, conn: sqlite3.Connection) -> None:
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > LATEST:
                    raise StoreError(
                        f"{self.path} has schema version {version}, newer than this whoknows supports ({LATEST})"
                    )
                for number in range(version, LATEST):
                    for statement in _statements(MIGRATIONS[number]):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        return int(self._conn().execute("PRAGMA user_version").fetchone()[0])

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailable(f"store {self.url} is closed")
        local = self._local
        if getattr(local, "generation", -1) != self._generation or local.conn is None:
            local.conn = self._connect()
            local.generation = self._generation
        conn: sqlite3.Connection = local.conn
        return conn

    def close(self) -> None:
        with self._state_lock:
            self._closed = True
            self._generation += 1
            conns, self._conns = self._conns, []
            for known in self._known.values():
                known.clear()
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):  # closing is best effort
                conn.close()

    def reopen(self) -> None:
        self.close()
        self._open()

    @_translate
    def data_version(self) -> int:
        """A number that changes whenever any process commits a write to this file (for response caches).

        Every write transaction increments it before committing, so it is comparable across connections and
        processes, unlike SQLite's per-connection ``PRAGMA data_version``.
        """
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return 0 if row is None else int(row[0])

    @_translate
    def ping(self) -> None:
        self._conn().execute("SELECT count(*) FROM meta").fetchone()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute(_BUMP_VERSION)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                for table, ids in self._pending.items():
                    self._known[table] |= ids
            finally:
                for ids in self._pending.values():
                    ids.clear()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction, so multi-statement reads see one snapshot."""
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    # --- generic upsert ----------------------------------------------------------------------------

    def _existing(self, conn: sqlite3.Connection, table: _Table, keys: list[Any]) -> dict[Any, tuple[Any, ...]]:
        """Stored rows for ``keys`` (as ``table.key_of`` gives them), by key.

        Composite keys are looked up by their first column (a primary-key prefix search) and filtered here:
        SQLite plans ``(a, b) IN (VALUES ...)`` as a full scan, which made each batch slower as tables grew.
        """
        found: dict[Any, tuple[Any, ...]] = {}
        cols = ", ".join(f'"{c}"' for c in table.cols)
        wanted = set(keys)
        composite = len(table.key) > 1
        firsts = sorted({k[0] for k in wanted} if composite else wanted)
        key_of = table.key_of
        for part in _chunks(firsts):
            sql = f'SELECT {cols} FROM {table.name} WHERE "{table.key[0]}" IN ({_marks(len(part))})'
            for row in conn.execute(sql, part):
                key = key_of(row)
                if key in wanted:
                    found[key] = tuple(row)
        return found

    def _upsert(
        self, conn: sqlite3.Connection, table: _Table, records: Sequence[Any], result: WriteResult
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Insert new keys, update changed ones; returns (new rows, changed rows)."""
        rows = [table.to_row(r) for r in records]
        keys = [table.key_of(r) for r in rows]
        existing = self._existing(conn, table, keys)
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        for key, row in zip(keys, rows, strict=True):
            old = existing.get(key)
            if old is None:
                new.append(row)
            elif old != row:
                changed.append(row)
        if new:
            conn.executemany(table.insert_sql(), new)
        if changed:
            conn.executemany(table.update_sql(), [table.update_params(r) for r in changed])
        result.add(table.kind, len(new), len(changed), len(rows) - len(new) - len(changed))
        return new, changed

    def _require(self, conn: sqlite3.Connection, table: str, what: str, ids: Iterable[str | None]) -> None:
        """Raise StoreError naming referenced keys that do not exist (FKs alone would not name them).

        Nodes are never deleted, so ids seen in a committed transaction are remembered and not asked again.
        """
        known = self._known[table]
        wanted = sorted({i for i in ids if i is not None} - known)
        missing: list[str] = []
        for part in _chunks(wanted):
            present = {r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({_marks(len(part))})", part)}
            missing.extend(i for i in part if i not in present)
            self._pending[table].update(present)
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise StoreError(f"unknown {what}: {shown}")

    def _ensure_skills(self, conn: sqlite3.Connection, names: Iterable[str]) -> None:
        conn.executemany("INSERT OR IGNORE INTO skill (name, aliases) VALUES (?, '[]')", [(n,) for n in set(names)])

    # --- writes --------------------------------------------------------------------------------------

    def _write_people(self, conn: sqlite3.Connection, rows: Sequence[Person], result: WriteResult) -> None:
        self._upsert(conn, _PERSON, dedupe(rows, RECORD_KEYS[Person]), result)

    def _write_skills(self, conn: sqlite3.Connection, rows: Sequence[Skill], result: WriteResult) -> None:
        merged = dedupe_skills(rows)
        stored = self._existing(conn, _SKILL_KEYS, [s.name for s in merged])
        existing = {name: set(json.loads(row[1])) for name, row in stored.items()}
        new = [s for s in merged if s.name not in existing]
        changed = [
            Skill(name=s.name, aliases=tuple(existing[s.name] | set(s.aliases)))
            for s in merged
            if s.name in existing and not set(s.aliases) <= existing[s.name]
        ]
        conn.executemany(
            "INSERT INTO skill (name, aliases) VALUES (?, ?)", [(s.name, json.dumps(list(s.aliases))) for s in new]
        )
        conn.executemany(
            "UPDATE skill SET aliases = ? WHERE name = ?", [(json.dumps(list(s.aliases)), s.name) for s in changed]
        )
        conn.executemany(
            "INSERT OR IGNORE INTO skill_alias (alias, skill) VALUES (?, ?)",
            [(a, s.name) for s in (*new, *changed) for a in s.aliases],
        )
        result.add("skills", len(new), len(changed), len(merged) - len(new) - len(changed))

    def _write_communities(self, conn: sqlite3.Connection, rows: Sequence[Community], result: WriteResult) -> None:
        self._upsert(conn, _COMMUNITY, dedupe(rows, RECORD_KEYS[Community]), result)

    def _write_posts(self, conn: sqlite3.Connection, rows: Sequence[Post], result: WriteResult) -> None:
        posts = dedupe(rows, RECORD_KEYS[Post])
        self._require(conn, "person", "post author", (p.author_id for p in posts))
        self._require(conn, "community", "post community", (p.community_id for p in posts))
        self._ensure_skills(conn, (t for p in posts for t in p.tags))
        self._upsert(conn, _POST, posts, result)

    def _write_relationships(
        self,
        conn: sqlite3.Connection,
        table: _Table,
        rows: Sequence[Any],
        result: WriteResult,
        people: Callable[[Any], Iterable[str]],
        skills: Callable[[Any], Iterable[str]] | None = None,
        communities: Callable[[Any], Iterable[str]] | None = None,
    ) -> None:
        unique = dedupe(rows, RECORD_KEYS[type(rows[0])]) if rows else []
        if not unique:
            return
        self._require(conn, "person", f"person in {table.kind}", (i for r in unique for i in people(r)))
        if communities is not None:
            self._require(conn, "community", f"community in {table.kind}", (i for r in unique for i in communities(r)))
        if skills is not None:
            self._ensure_skills(conn, (s for r in unique for s in skills(r)))
        self._upsert(conn, table, unique, result)

    def _write_batch(self, conn: sqlite3.Connection, batch: Batch, result: WriteResult) -> None:
        if batch.people:
            self._write_people(conn, batch.people, result)
        if batch.skills:
            self._write_skills(conn, batch.skills, result)
        if batch.communities:
            self._write_communities(conn, batch.communities, result)
        if batch.posts:
            self._write_posts(conn, batch.posts, result)
        self._write_relationships(
            conn, _REPORTS, batch.reports_to, result, people=lambda r: (r.person_id, r.manager_id)
        )
        self._write_relationships(
            conn, _HAS_SKILL, batch.has_skill, result, people=lambda r: (r.person_id,), skills=lambda r: (r.skill,)
        )
        self._write_relationships(
            conn, _MEMBER, batch.memberships, result,
            people=lambda r: (r.person_id,), communities=lambda r: (r.community_id,),
        )
        self._write_relationships(
            conn, _ENDORSED, batch.endorsements, result,
            people=lambda r: (r.from_id, r.to_id), skills=lambda r: (r.skill,),
        )
        for key, value in batch.meta.items():
            self._set_meta(conn, key, value)

    @_translate
    def write_batch(self, batch: Batch) -> WriteResult:
        result = WriteResult()
        with self._write() as conn:
            self._write_batch(conn, batch, result)
        return result

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

    @_translate
    def set_active(self, person_ids: Sequence[str], active: bool) -> int:
        changed = 0
        with self._write() as conn:
            for part in _chunks(list(person_ids)):
                cur = conn.execute(
                    f"UPDATE person SET active = ? WHERE active != ? AND id IN ({_marks(len(part))})",
                    [int(active), int(active), *part],
                )
                changed += cur.rowcount
        return changed

    @_translate
    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]:
        keep = set(keep_ids)
        with self._write() as conn:
            active = [r[0] for r in conn.execute("SELECT id FROM person WHERE source = ? AND active = 1", (source,))]
            gone = sorted(i for i in active if i not in keep)
            for part in _chunks(gone):
                conn.execute(f"UPDATE person SET active = 0 WHERE id IN ({_marks(len(part))})", part)
        return gone

    @_translate
    def person_ids(self, source: str | None = None) -> set[str]:
        conn = self._conn()
        if source is None:
            return {r[0] for r in conn.execute("SELECT id FROM person")}
        return {r[0] for r in conn.execute("SELECT id FROM person WHERE source = ?", (source,))}

    @_translate
    def email_index(self) -> dict[str, str]:
        rows = self._conn().execute("SELECT email, id FROM person WHERE email IS NOT NULL ORDER BY id")
        out: dict[str, str] = {}
        for email, pid in rows:
            out.setdefault(email, pid)
        return out

    def _set_meta(self, conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @_translate
    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @_translate
    def set_meta(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            self._set_meta(conn, key, value)

    # --- analytics -----------------------------------------------------------------------------------

    @_translate
    def read_projection(self) -> Projection:
        with self._read() as conn:
            people = [
                PersonRow(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), bool(r[6]), r[7], r[8])
                for r in conn.execute(
                    "SELECT id, department, location, manager_id, active, opted_out, bot, source, hired_on "
                    "FROM person ORDER BY id"
                )
            ]
            parse = datetime.fromisoformat
            posts = [
                PostRow(r[0], r[1], r[2], parse(r[3]), r[4], r[5], r[6], tuple(r[7].split()), r[8], bool(r[9]))
                for r in conn.execute(
                    "SELECT id, kind, author_id, created_at, community_id, thread_id, parent_id, tags, score, "
                    "accepted FROM post ORDER BY id"
                )
            ]
            memberships = [
                MembershipRow(r[0], r[1], _parse_ts(r[2]))
                for r in conn.execute("SELECT person_id, community_id, since FROM member_of ORDER BY 1, 2")
            ]
            reports = [(r[0], r[1]) for r in conn.execute("SELECT person_id, manager_id FROM reports_to ORDER BY 1")]
            skills = [
                SkillClaimRow(r[0], r[1], r[2])
                for r in conn.execute("SELECT person_id, skill, level FROM has_skill ORDER BY 1, 2")
            ]
            endorsements = [
                EndorsementRow(r[0], r[1], r[2], _parse_ts(r[3]))
                for r in conn.execute("SELECT from_id, to_id, skill, created_at FROM endorsed ORDER BY 1, 2, 3")
            ]
            communities = self._all_communities(conn)
        return Projection(people, posts, memberships, reports, skills, endorsements, communities)

    @_translate
    def write_analytics(self, snapshot: AnalyticsSnapshot) -> None:
        with self._write() as conn:
            for table in (
                "analytics_run", "interacts", "expert_in", "person_score", "influence", "detected_community",
                "community_health",
            ):
                conn.execute(f"DELETE FROM {table}")
            run = snapshot.run
            conn.execute(
                "INSERT INTO analytics_run (id, started_at, finished_at, stats) VALUES (?, ?, ?, ?)",
                (run.id, _ts(run.started_at), _ts(run.finished_at), json.dumps(run.stats, sort_keys=True)),
            )
            conn.executemany(
                "INSERT INTO interacts (source_id, target_id, weight, count, last_at) VALUES (?, ?, ?, ?, ?)",
                [(i.source_id, i.target_id, i.weight, i.count, _ts(i.last_at)) for i in snapshot.interactions],
            )
            self._ensure_skills(conn, (e.skill for e in snapshot.expertise))
            conn.executemany(
                "INSERT INTO expert_in (skill, person_id, score, evidence, expertise_rank, last_active) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (e.skill, e.person_id, e.score, _evidence_json(e.evidence), e.expertise_rank, _ts(e.last_active))
                    for e in snapshot.expertise
                ],
            )
            conn.executemany(
                'INSERT INTO person_score (person_id, pagerank, degree, betweenness, "constraint", effective_size, '
                "participation, within_z, role, articulation, community) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.person_id, s.pagerank, s.degree, s.betweenness, s.constraint, s.effective_size,
                        s.participation, s.within_z, s.role.value if s.role else None, int(s.articulation),
                        s.community,
                    )
                    for s in snapshot.person_scores
                ],
            )
            conn.executemany(
                "INSERT INTO influence (scope, scope_id, person_id, score) VALUES (?, ?, ?, ?)",
                [(i.scope.value, i.scope_id, i.person_id, i.score) for i in snapshot.influence],
            )
            conn.executemany(
                "INSERT INTO detected_community (id, size, declared, skills) VALUES (?, ?, ?, ?)",
                [
                    (d.id, d.size, json.dumps([list(x) for x in d.declared]), json.dumps([list(x) for x in d.skills]))
                    for d in snapshot.detected_communities
                ],
            )
            conn.executemany(
                "INSERT INTO community_health (community_id, period, start, figures) VALUES (?, ?, ?, ?)",
                [
                    (
                        h.community_id, h.period.value, h.start.isoformat(),
                        json.dumps({f: getattr(h, f) for f in _HEALTH_FIGURES}, sort_keys=True),
                    )
                    for h in snapshot.health
                ],
            )

    @_translate
    def last_run(self) -> AnalyticsRun | None:
        row = self._conn().execute(
            "SELECT id, started_at, finished_at, stats FROM analytics_run ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return AnalyticsRun(id=row[0], started_at=row[1], finished_at=row[2], stats=json.loads(row[3]))

    # --- API reads -----------------------------------------------------------------------------------

    def _memo_count(self, conn: sqlite3.Connection, key: tuple[Any, ...], sql: str, params: Sequence[Any]) -> int:
        """A count memoised per committed-data version, read in the caller's snapshot, so it is always exact.

        Why: totals such as an expert directory's count join every match (8,000 index probes, ~25 ms, for the
        largest skill of a 100k-person organisation) while the data changes only when something commits.
        """
        row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        version = 0 if row is None else int(row[0])
        memo_key = (version, *key)
        total = self._counts.get(memo_key)
        if total is None:
            total = int(conn.execute(sql, params).fetchone()[0])
            with self._state_lock:
                if len(self._counts) > 4096:
                    self._counts.clear()
                self._counts[memo_key] = total
        return total

    @_translate
    def person(self, person_id: str) -> Person | None:
        row = self._conn().execute(
            f"SELECT {_PERSON_COLS} FROM person p WHERE p.id = ? AND p.opted_out = 0", (person_id,)
        ).fetchone()
        return None if row is None else _person_from(row)

    @_translate
    def people(self, person_ids: Sequence[str]) -> dict[str, Person]:
        out: dict[str, Person] = {}
        conn = self._conn()
        for part in _chunks(sorted(set(person_ids))):
            for row in conn.execute(
                f"SELECT {_PERSON_COLS} FROM person p WHERE p.opted_out = 0 AND p.id IN ({_marks(len(part))})", part
            ):
                out[row[0]] = _person_from(row)
        return out

    @_translate
    def person_scores(self, person_ids: Sequence[str]) -> dict[str, PersonScores]:
        out: dict[str, PersonScores] = {}
        conn = self._conn()
        for part in _chunks(sorted(set(person_ids))):
            for row in conn.execute(
                "SELECT s.person_id, s.pagerank, s.degree, s.betweenness, s.\"constraint\", s.effective_size, "
                "s.participation, s.within_z, s.role, s.articulation, s.community FROM person_score s "
                f"JOIN person p ON p.id = s.person_id WHERE p.opted_out = 0 AND s.person_id IN ({_marks(len(part))})",
                part,
            ):
                out[row[0]] = _scores_from(row)
        return out

    @_translate
    def person_skills(self, person_ids: Sequence[str]) -> dict[str, list[HasSkill]]:
        out: dict[str, list[HasSkill]] = {}
        conn = self._conn()
        for part in _chunks(sorted(set(person_ids))):
            for row in conn.execute(
                "SELECT h.person_id, h.skill, h.level, h.source, h.declared_at FROM has_skill h "
                f"JOIN person p ON p.id = h.person_id WHERE p.opted_out = 0 AND h.person_id IN ({_marks(len(part))}) "
                "ORDER BY h.person_id, h.skill",
                part,
            ):
                out.setdefault(row[0], []).append(
                    HasSkill(person_id=row[0], skill=row[1], level=row[2], source=row[3], declared_at=row[4])
                )
        return out

    @_translate
    def person_expertise(self, person_ids: Sequence[str]) -> dict[str, list[ExpertIn]]:
        out: dict[str, list[ExpertIn]] = {}
        conn = self._conn()
        for part in _chunks(sorted(set(person_ids))):
            for row in conn.execute(
                "SELECT e.person_id, e.skill, e.score, e.evidence, e.expertise_rank, e.last_active FROM expert_in e "
                f"JOIN person p ON p.id = e.person_id WHERE p.opted_out = 0 AND e.person_id IN ({_marks(len(part))}) "
                "ORDER BY e.person_id, e.score DESC, e.skill",
                part,
            ):
                out.setdefault(row[0], []).append(_expert_from(row))
        return out

    @_translate
    def memberships(self, person_ids: Sequence[str]) -> dict[str, list[Community]]:
        out: dict[str, list[Community]] = {}
        conn = self._conn()
        for part in _chunks(sorted(set(person_ids))):
            for row in conn.execute(
                "SELECT m.person_id, c.id, c.name, c.kind, c.source FROM member_of m "
                "JOIN community c ON c.id = m.community_id JOIN person p ON p.id = m.person_id "
                f"WHERE p.opted_out = 0 AND m.person_id IN ({_marks(len(part))}) ORDER BY m.person_id, c.id",
                part,
            ):
                out.setdefault(row[0], []).append(Community(id=row[1], name=row[2], kind=row[3], source=row[4]))
        return out

    @_translate
    def experts(
        self,
        skill: str,
        first: int = 10,
        after: str | None = None,
        department: str | None = None,
        location: str | None = None,
    ) -> Page[ExpertHit]:
        check_page_size(first)
        where = ["e.skill = ?", "p.active = 1", "p.opted_out = 0", "p.bot = 0"]
        params: list[Any] = [skill]
        if department is not None:
            where.append("p.department = ?")
            params.append(department)
        if location is not None:
            where.append("p.location = ?")
            params.append(location)
        base = " AND ".join(where)
        page_where, page_params = base, list(params)
        if after is not None:
            score, pid = decode_cursor(after)
            page_where += " AND (e.score < ? OR (e.score = ? AND e.person_id > ?))"
            page_params += [score, score, pid]
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_PERSON_COLS}, e.score, e.evidence FROM expert_in e JOIN person p ON p.id = e.person_id "
                f"WHERE {page_where} ORDER BY e.score DESC, e.person_id ASC LIMIT ?",
                [*page_params, first + 1],
            ).fetchall()
            total = self._memo_count(
                conn, ("experts", skill, department, location),
                f"SELECT count(*) FROM expert_in e JOIN person p ON p.id = e.person_id WHERE {base}", params,
            )
        n = len(_PERSON.cols)
        hits = [
            ExpertHit(
                person=_person_from(r), skill=skill, score=r[n], evidence=_evidence_from(r[n + 1]),
                cursor=encode_cursor(r[n], r[0]),
            )
            for r in rows[:first]
        ]
        next_cursor = hits[-1].cursor if len(rows) > first and hits else None
        return Page(items=hits, next_cursor=next_cursor, total=int(total))

    @_translate
    def skills(self, prefix: str | None = None, first: int = 20) -> list[Skill]:
        check_page_size(first, 1000)
        conn = self._conn()
        if not prefix or not fold(prefix):
            rows = conn.execute("SELECT name, aliases FROM skill ORDER BY name LIMIT ?", (first,)).fetchall()
        else:
            p = fold(prefix)
            pattern = p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = conn.execute(
                "SELECT name, aliases FROM skill WHERE name LIKE ? ESCAPE '\\' "
                "OR name IN (SELECT skill FROM skill_alias WHERE alias LIKE ? ESCAPE '\\') ORDER BY name LIMIT ?",
                (pattern, pattern, first),
            ).fetchall()
        return [Skill(name=r[0], aliases=tuple(json.loads(r[1]))) for r in rows]

    @_translate
    def all_skills(self) -> list[Skill]:
        rows = self._conn().execute("SELECT name, aliases FROM skill ORDER BY name")
        return [Skill(name=r[0], aliases=tuple(json.loads(r[1]))) for r in rows]

    @_translate
    def skill(self, name: str) -> Skill | None:
        row = self._conn().execute("SELECT name, aliases FROM skill WHERE name = ?", (name,)).fetchone()
        return None if row is None else Skill(name=row[0], aliases=tuple(json.loads(row[1])))

    def _all_communities(self, conn: sqlite3.Connection) -> list[Community]:
        rows = conn.execute("SELECT id, name, kind, source FROM community ORDER BY id")
        return [Community(id=r[0], name=r[1], kind=r[2], source=r[3]) for r in rows]

    @_translate
    def communities(self, first: int = 50, after: str | None = None) -> list[Community]:
        check_page_size(first, 1000)
        rows = self._conn().execute(
            "SELECT id, name, kind, source FROM community WHERE id > ? ORDER BY id LIMIT ?", (after or "", first)
        )
        return [Community(id=r[0], name=r[1], kind=r[2], source=r[3]) for r in rows]

    @_translate
    def community(self, community_id: str) -> Community | None:
        row = self._conn().execute(
            "SELECT id, name, kind, source FROM community WHERE id = ?", (community_id,)
        ).fetchone()
        return None if row is None else Community(id=row[0], name=row[1], kind=row[2], source=row[3])

    @_translate
    def community_members(self, community_id: str, first: int = 50, after: str | None = None) -> Page[Person]:
        check_page_size(first)
        start = decode_cursor(after)[1] if after else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_PERSON_COLS} FROM member_of m JOIN person p ON p.id = m.person_id "
                "WHERE m.community_id = ? AND p.opted_out = 0 AND p.id > ? ORDER BY p.id LIMIT ?",
                (community_id, start, first + 1),
            ).fetchall()
            total = conn.execute(
                "SELECT count(*) FROM member_of m JOIN person p ON p.id = m.person_id "
                "WHERE m.community_id = ? AND p.opted_out = 0",
                (community_id,),
            ).fetchone()[0]
        people = [_person_from(r) for r in rows[:first]]
        next_cursor = encode_cursor(0.0, people[-1].id) if len(rows) > first and people else None
        return Page(items=people, next_cursor=next_cursor, total=int(total))

    @_translate
    def community_health(self, community_id: str) -> HealthReport:
        rows = self._conn().execute(
            "SELECT community_id, period, start, figures FROM community_health WHERE community_id = ? "
            "ORDER BY start",
            (community_id,),
        ).fetchall()
        snapshots = [_health_from(r) for r in rows]
        current = [h for h in snapshots if h.period is HealthPeriod.CURRENT]
        weekly = [h for h in snapshots if h.period is HealthPeriod.WEEK]
        return HealthReport(current=current[-1] if current else None, weekly=weekly)

    @_translate
    def detected_communities(self) -> list[DetectedCommunity]:
        rows = self._conn().execute("SELECT id, size, declared, skills FROM detected_community ORDER BY size DESC, id")
        return [
            DetectedCommunity(
                id=r[0], size=r[1], declared=tuple(tuple(x) for x in json.loads(r[2])),
                skills=tuple(tuple(x) for x in json.loads(r[3])),
            )
            for r in rows
        ]

    @_translate
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
        rows = self._conn().execute(
            f"SELECT {_PERSON_COLS}, i.score FROM influence i JOIN person p ON p.id = i.person_id "
            "WHERE i.scope = ? AND i.scope_id = ? AND p.active = 1 AND p.opted_out = 0 AND p.bot = 0 "
            "ORDER BY i.score DESC, i.person_id LIMIT ?",
            (scope.value, scope_id, first),
        ).fetchall()
        n = len(_PERSON.cols)
        return [RankedPerson(person=_person_from(r), score=r[n], rank=k) for k, r in enumerate(rows, start=1)]

    @_translate
    def brokers(self, first: int = 10, community_ids: Sequence[str] | None = None) -> list[BrokerHit]:
        check_page_size(first)
        n = len(_PERSON.cols)
        score_cols = (
            's.person_id, s.pagerank, s.degree, s.betweenness, s."constraint", s.effective_size, s.participation, '
            "s.within_z, s.role, s.articulation, s.community"
        )
        keep = "p.active = 1 AND p.opted_out = 0 AND p.bot = 0"
        order = 's.betweenness DESC, s."constraint" IS NULL, s."constraint" ASC, s.person_id'
        if not community_ids:
            rows = self._conn().execute(
                f"SELECT {_PERSON_COLS}, {score_cols} FROM person_score s JOIN person p ON p.id = s.person_id "
                f"WHERE {keep} ORDER BY {order} LIMIT ?",
                (first,),
            ).fetchall()
        else:
            ids = sorted(set(community_ids))
            need = min(2, len(ids))
            rows = self._conn().execute(
                f"""
                WITH m AS (SELECT person_id, community_id FROM member_of WHERE community_id IN ({_marks(len(ids))})),
                touch AS (
                    SELECT person_id, community_id FROM m
                    UNION SELECT i.source_id, m.community_id FROM interacts i JOIN m ON m.person_id = i.target_id
                    UNION SELECT i.target_id, m.community_id FROM interacts i JOIN m ON m.person_id = i.source_id
                ),
                span AS (SELECT person_id, count(DISTINCT community_id) AS span FROM touch GROUP BY person_id)
                SELECT {_PERSON_COLS}, {score_cols} FROM span
                JOIN person_score s ON s.person_id = span.person_id JOIN person p ON p.id = span.person_id
                WHERE {keep} AND span.span >= ? ORDER BY span.span DESC, {order} LIMIT ?
                """,
                (*ids, need, first),
            ).fetchall()
        return [
            BrokerHit(person=_person_from(r), scores=_scores_from(r[n:]), rank=k) for k, r in enumerate(rows, start=1)
        ]

    @_translate
    def reach(self, person_ids: Sequence[str]) -> dict[str, Reach]:
        ids = sorted(set(person_ids))
        neighbours: dict[str, set[str]] = {i: set() for i in ids}
        communities: dict[str, set[str]] = {i: set() for i in ids}
        with self._read() as conn:
            for part in _chunks(ids, _CHUNK // 2):
                marks = _marks(len(part))
                for a, b in conn.execute(
                    f"SELECT i.source_id, i.target_id FROM interacts i JOIN person p ON p.id = i.target_id "
                    f"WHERE p.opted_out = 0 AND i.source_id IN ({marks}) "
                    f"UNION SELECT i.target_id, i.source_id FROM interacts i JOIN person p ON p.id = i.source_id "
                    f"WHERE p.opted_out = 0 AND i.target_id IN ({marks})",
                    [*part, *part],
                ):
                    if a != b:
                        neighbours[a].add(b)
                for pid, cid in conn.execute(
                    f"SELECT person_id, community_id FROM member_of WHERE person_id IN ({marks})", part
                ):
                    communities[pid].add(cid)
        return {i: Reach(frozenset(neighbours[i]), frozenset(communities[i])) for i in ids}

    def _neighbours(self, conn: sqlite3.Connection, frontier: Sequence[str]) -> dict[str, set[str]]:
        """Undirected INTERACTS and REPORTS_TO neighbours that are active and not opted out."""
        out: dict[str, set[str]] = {}
        for part in _chunks(sorted(frontier), _CHUNK // 4):
            marks = _marks(len(part))
            rows = conn.execute(
                f"""
                SELECT e.a, e.b FROM (
                    SELECT source_id AS a, target_id AS b FROM interacts WHERE source_id IN ({marks})
                    UNION SELECT target_id, source_id FROM interacts WHERE target_id IN ({marks})
                    UNION SELECT person_id, manager_id FROM reports_to WHERE person_id IN ({marks})
                    UNION SELECT manager_id, person_id FROM reports_to WHERE manager_id IN ({marks})
                ) e JOIN person p ON p.id = e.b WHERE p.active = 1 AND p.opted_out = 0 AND e.a != e.b
                """,
                [*part, *part, *part, *part],
            )
            for a, b in rows:
                out.setdefault(a, set()).add(b)
        return out

    @_translate
    def introduction_path(self, from_id: str, to_id: str, max_hops: int = 4) -> list[Person] | None:
        if max_hops < 0:
            raise BadInput("maxHops must be at least 0")
        with self._read() as conn:
            ends = {
                r[0]
                for r in conn.execute(
                    "SELECT id FROM person WHERE opted_out = 0 AND id IN (?, ?)", (from_id, to_id)
                )
            }
            if from_id not in ends or to_id not in ends:
                return None
            path = (
                [from_id]
                if from_id == to_id
                else _bidirectional_bfs(lambda f: self._neighbours(conn, f), from_id, to_id, max_hops)
            )
            if path is None:
                return None
            found = {
                r[0]: _person_from(r)
                for r in conn.execute(
                    f"SELECT {_PERSON_COLS} FROM person p WHERE p.id IN ({_marks(len(path))})", path
                )
            }
        return [found[i] for i in path]

    @_translate
    def counts(self) -> dict[str, int]:
        queries = {
            "people": "SELECT count(*) FROM person",
            "active_people": "SELECT count(*) FROM person WHERE active = 1 AND opted_out = 0",
            "opted_out": "SELECT count(*) FROM person WHERE opted_out = 1",
            "skills": "SELECT count(*) FROM skill",
            "communities": "SELECT count(*) FROM community",
            "posts": "SELECT count(*) FROM post",
            "memberships": "SELECT count(*) FROM member_of",
            "skill_claims": "SELECT count(*) FROM has_skill",
            "endorsements": "SELECT count(*) FROM endorsed",
            "reports_to": "SELECT count(*) FROM reports_to",
            "interactions": "SELECT count(*) FROM interacts",
            "expertise": "SELECT count(*) FROM expert_in",
            "scored_people": "SELECT count(*) FROM person_score",
        }
        with self._read() as conn:
            return {k: int(conn.execute(q).fetchone()[0]) for k, q in queries.items()}

    # --- dump ------------------------------------------------------------------------------------------

    @_translate
    def dump(self) -> dict[str, list[tuple]]:
        """Every stored fact, as sorted JSON-like tuples per kind (the record's fields in order)."""
        with self._read() as conn:
            records: dict[str, list[Any]] = {
                "Person": [_person_from(r) for r in conn.execute(f"SELECT {_PERSON_COLS} FROM person p")],
                "Skill": [Skill(name=r[0], aliases=tuple(json.loads(r[1])))
                          for r in conn.execute("SELECT name, aliases FROM skill")],
                "Community": self._all_communities(conn),
                "Post": [
                    Post(
                        id=r[0], kind=r[1], author_id=r[2], created_at=r[3], community_id=r[4], thread_id=r[5],
                        parent_id=r[6], tags=tuple(r[7].split()), score=r[8], accepted=bool(r[9]), source=r[10],
                    )
                    for r in conn.execute(f"SELECT {', '.join(_POST.cols)} FROM post")
                ],
                "REPORTS_TO": [ReportsTo(person_id=r[0], manager_id=r[1])
                               for r in conn.execute("SELECT person_id, manager_id FROM reports_to")],
                "HAS_SKILL": [
                    HasSkill(person_id=r[0], skill=r[1], level=r[2], source=r[3], declared_at=r[4])
                    for r in conn.execute("SELECT person_id, skill, level, source, declared_at FROM has_skill")
                ],
                "MEMBER_OF": [
                    MemberOf(person_id=r[0], community_id=r[1], since=r[2], role=r[3])
                    for r in conn.execute("SELECT person_id, community_id, since, role FROM member_of")
                ],
                "ENDORSED": [
                    Endorsement(from_id=r[0], to_id=r[1], skill=r[2], created_at=r[3])
                    for r in conn.execute("SELECT from_id, to_id, skill, created_at FROM endorsed")
                ],
                "INTERACTS": [
                    Interaction(source_id=r[0], target_id=r[1], weight=r[2], count=r[3], last_at=r[4])
                    for r in conn.execute("SELECT source_id, target_id, weight, count, last_at FROM interacts")
                ],
                "EXPERT_IN": [
                    _expert_from(r)
                    for r in conn.execute(
                        "SELECT person_id, skill, score, evidence, expertise_rank, last_active FROM expert_in"
                    )
                ],
                "PersonScores": [
                    _scores_from(r)
                    for r in conn.execute(
                        'SELECT person_id, pagerank, degree, betweenness, "constraint", effective_size, '
                        "participation, within_z, role, articulation, community FROM person_score"
                    )
                ],
                "InfluenceScore": [
                    InfluenceScore(scope=r[0], scope_id=r[1], person_id=r[2], score=r[3])
                    for r in conn.execute("SELECT scope, scope_id, person_id, score FROM influence")
                ],
                "CommunityHealth": [
                    _health_from(r)
                    for r in conn.execute("SELECT community_id, period, start, figures FROM community_health")
                ],
            }
            records["DetectedCommunity"] = self.detected_communities()
            run = self.last_run()
            records["AnalyticsRun"] = [run] if run else []
        return {kind: dump_rows(rows) for kind, rows in records.items()}


_BUMP_VERSION = (
    "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)

_SKILL_KEYS = _Table("skills", "skill", ("name",), ("name", "aliases"), lambda s: (s.name, "[]"))


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our DDL literals)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def _scores_from(row: Sequence[Any]) -> PersonScores:
    return PersonScores(
        person_id=row[0], pagerank=row[1], degree=row[2], betweenness=row[3], constraint=row[4],
        effective_size=row[5], participation=row[6], within_z=row[7], role=row[8], articulation=bool(row[9]),
        community=row[10],
    )


def _expert_from(row: Sequence[Any]) -> ExpertIn:
    return ExpertIn(
        person_id=row[0], skill=row[1], score=row[2], evidence=_evidence_from(row[3]), expertise_rank=row[4],
        last_active=row[5],
    )


def _health_from(row: Sequence[Any]) -> CommunityHealth:
    return CommunityHealth(community_id=row[0], period=row[1], start=row[2], **json.loads(row[3]))


def _bidirectional_bfs(
    neighbours: Callable[[Sequence[str]], dict[str, set[str]]], source: str, target: str, max_hops: int
) -> list[str] | None:
    """Shortest path by breadth-first search from both ends, expanding the smaller frontier a level at a time.

    When a level touches the other side, the meeting node with the smallest total distance (then smallest id)
    is taken, so the path is a shortest one and the choice is deterministic.
    """
    parents = ({source: None}, {target: None})  # type: tuple[dict[str, str | None], dict[str, str | None]]
    depth = ({source: 0}, {target: 0})
    frontiers = ([source], [target])
    levels = [0, 0]
    while frontiers[0] and frontiers[1] and levels[0] + levels[1] < max_hops:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        other = 1 - side
        adjacency = neighbours(frontiers[side])
        levels[side] += 1
        nxt: list[str] = []
        meets: list[tuple[int, str]] = []
        for node in sorted(frontiers[side]):
            for nb in sorted(adjacency.get(node, ())):
                if nb in parents[side]:
                    continue
                parents[side][nb] = node
                depth[side][nb] = levels[side]
                nxt.append(nb)
                if nb in parents[other]:
                    meets.append((levels[side] + depth[other][nb], nb))
        if meets:
            total, meet = min(meets)
            if total > max_hops:
                return None
            half_s: list[str] = []
            cur: str | None = meet
            while cur is not None:
                half_s.append(cur)
                cur = parents[0][cur]
            half_t: list[str] = []
            cur = parents[1][meet]
            while cur is not None:
                half_t.append(cur)
                cur = parents[1][cur]
            return half_s[::-1] + half_t
        frontiers = (nxt, frontiers[1]) if side == 0 else (frontiers[0], nxt)
    return None


__all__ = ["SQLiteStore"]
