"""SQLite store writes: batched upserts with change detection, activity flags, analytics snapshots."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from graph.store.base import (
    RECORD_KEYS,
    AnalyticsSnapshot,
    Batch,
    WriteResult,
    check_ranges,
    dedupe,
    dedupe_skills,
)
from graph.store.common import chunks, evidence_json, id_chunks, missing_message, pairs_json, utc_text
from graph.store.sqlite.conn import SQLiteBase
from graph.store.sqlite.errors import translated
from graph.store.sqlite.rows import (
    _COMMUNITY,
    _ENDORSED,
    _ENGAGED,
    _HAS_SKILL,
    _HEALTH_FIGURES,
    _MEMBER,
    _PERSON,
    _POST,
    _REPORTS,
    _SKILL_KEYS,
    _marks,
    _Table,
)
from graph.store.visibility import Visibility, folded
from schema.errors import StoreError
from schema.models import (
    Community,
    Person,
    Post,
    Skill,
)


def _visibility(conn: sqlite3.Connection, person_id: str) -> Visibility | None:
    row = conn.execute(
        "SELECT p.opted_out, c.source_opted_out, c.chosen_at FROM person p "
        "LEFT JOIN person_choice c ON c.person_id = p.id WHERE p.id = ?", (person_id,),
    ).fetchone()
    if row is None:
        return None
    return Visibility.stored(person_id, row[0], row[1], datetime.fromisoformat(row[2]) if row[2] else None)


def _differs(conn: sqlite3.Connection, person_id: str, hidden: bool) -> bool:
    now = _visibility(conn, person_id)
    return now is not None and now.by_choice != hidden


def _choose(conn: sqlite3.Connection, person_id: str, hidden: bool, at: datetime) -> None:
    """Record (``hidden``) or withdraw one record's own choice, inside the caller's write transaction."""
    now = _visibility(conn, person_id)
    if now is None or now.by_choice == hidden:
        return
    if hidden:
        conn.execute(
            "INSERT INTO person_choice (person_id, source_opted_out, chosen_at) VALUES (?, ?, ?)",
            (person_id, int(now.by_source), utc_text(at)),
        )
    else:
        conn.execute("DELETE FROM person_choice WHERE person_id = ?", (person_id,))
    conn.execute("UPDATE person SET opted_out = ? WHERE id = ?", (int(hidden or now.by_source), person_id))


class SQLiteWrites(SQLiteBase):
    """Every write of the SQLite store; each call is one transaction."""

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
        for part in chunks(firsts):
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
        for part in chunks(wanted):
            present = {r[0] for r in conn.execute(f"SELECT id FROM {table} WHERE id IN ({_marks(len(part))})", part)}
            missing.extend(i for i in part if i not in present)
            self._pending[table].update(present)
        if missing:
            raise StoreError(missing_message(what, missing))

    def _ensure_skills(self, conn: sqlite3.Connection, names: Iterable[str]) -> None:
        conn.executemany("INSERT OR IGNORE INTO skill (name, aliases) VALUES (?, '[]')", [(n,) for n in set(names)])

    # --- writes --------------------------------------------------------------------------------------

    def _write_people(self, conn: sqlite3.Connection, rows: Sequence[Person], result: WriteResult) -> None:
        people = dedupe(rows, RECORD_KEYS[Person])
        if conn.execute("SELECT 1 FROM person_choice LIMIT 1").fetchone() is not None:
            chosen: set[str] = set()
            for part in chunks([p.id for p in people]):
                chosen.update(r[0] for r in conn.execute(
                    f"SELECT person_id FROM person_choice WHERE person_id IN ({_marks(len(part))})", part))
            conn.executemany(  # what the source says now, restored if the person shows themselves again
                "UPDATE person_choice SET source_opted_out = ? WHERE person_id = ?",
                [(int(p.opted_out), p.id) for p in people if p.id in chosen],
            )
            people = folded(people, chosen)
        self._upsert(conn, _PERSON, people, result)

    # --- a person's own choice to be hidden ------------------------------------------------------------

    @translated
    def visibility(self, person_id: str) -> Visibility | None:
        with self._read() as conn:
            return _visibility(conn, person_id)

    @translated
    def former_records(self, person_id: str) -> list[str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT q.id FROM person p JOIN person q ON q.email = p.email AND q.id != p.id "
                "WHERE p.id = ? AND q.active = 0 ORDER BY q.id", (person_id,),
            )
            return [r[0] for r in rows]

    @translated
    def choose_visibility(self, person_id: str, hidden: bool, at: datetime, former: Sequence[str] = ()
                          ) -> Visibility | None:
        ids = [*dict.fromkeys(former), person_id]
        with self._read() as conn:  # nothing to change: no write, so the data version (and every cache) stays
            now = _visibility(conn, person_id)
            if now is None or not any(_differs(conn, one, hidden) for one in ids):
                return now
        with self._write() as conn:  # every record of the person in one transaction: all chosen, or none
            if _visibility(conn, person_id) is None:
                return None
            for one in ids:
                _choose(conn, one, hidden, at)
            return _visibility(conn, person_id)

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
        if batch.engagements:
            wanted = sorted({r.post_id for r in batch.engagements})  # posts are many: asked, not cached
            missing: list[str] = []
            for part in chunks(wanted):
                present = {r[0] for r in conn.execute(f"SELECT id FROM post WHERE id IN ({_marks(len(part))})", part)}
                missing.extend(i for i in part if i not in present)
            if missing:
                raise StoreError(missing_message("post in engagements", missing))
            self._write_relationships(conn, _ENGAGED, batch.engagements, result, people=lambda r: (r.person_id,))
        for key, value in batch.meta.items():
            self._set_meta(conn, key, value)

    @translated
    def write_batch(self, batch: Batch) -> WriteResult:
        check_ranges(batch)
        result = WriteResult()
        with self._write() as conn:
            self._write_batch(conn, batch, result)
        return result

    @translated
    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]:
        keep = set(keep_ids)
        with self._write() as conn:
            active = [r[0] for r in conn.execute("SELECT id FROM person WHERE source = ? AND active = 1", (source,))]
            gone = sorted(i for i in active if i not in keep)
            for part in chunks(gone):
                conn.execute(f"UPDATE person SET active = 0 WHERE id IN ({_marks(len(part))})", part)
        return gone

    @translated
    def remove_reports_to(self, person_ids: Iterable[str], *, dry_run: bool = False) -> list[str]:
        """Delete these people's reporting lines (their export now names no manager); a dry run only reads."""
        with (self._read() if dry_run else self._write()) as conn:
            found: list[str] = []
            for part in id_chunks(person_ids):
                marks = _marks(len(part))
                found.extend(r[0] for r in conn.execute(
                    f"SELECT person_id FROM reports_to WHERE person_id IN ({marks})", part))
                if not dry_run:
                    conn.execute(f"DELETE FROM reports_to WHERE person_id IN ({marks})", part)
        return sorted(found)

    @translated
    def remove_skill_claims(
        self, source: str, keep: Mapping[str, Iterable[str]], *, dry_run: bool = False
    ) -> list[tuple[str, str]]:
        """Delete the claims of ``source`` these people's export no longer lists; other sources are not ours to drop."""
        wanted = {pid: set(skills) for pid, skills in keep.items()}
        with (self._read() if dry_run else self._write()) as conn:
            gone: list[tuple[str, str]] = []
            for part in id_chunks(wanted):
                gone.extend((pid, skill) for pid, skill in conn.execute(
                    f"SELECT person_id, skill FROM has_skill WHERE source = ? AND person_id IN ({_marks(len(part))})",
                    [source, *part]) if skill not in wanted[pid])
            if not dry_run:
                conn.executemany("DELETE FROM has_skill WHERE person_id = ? AND skill = ?", gone)
        return sorted(gone)

    # --- analytics -----------------------------------------------------------------------------------

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
                (run.id, utc_text(run.started_at), utc_text(run.finished_at), json.dumps(run.stats, sort_keys=True)),
            )
            conn.executemany(
                "INSERT INTO interacts (source_id, target_id, weight, count, last_at) VALUES (?, ?, ?, ?, ?)",
                [(i.source_id, i.target_id, i.weight, i.count, utc_text(i.last_at)) for i in snapshot.interactions],
            )
            self._ensure_skills(conn, (e.skill for e in snapshot.expertise))
            conn.executemany(
                "INSERT INTO expert_in (skill, person_id, score, evidence, expertise_rank, last_active) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.skill, e.person_id, e.score, evidence_json(e.evidence), e.expertise_rank,
                        utc_text(e.last_active),
                    )
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
                    (d.id, d.size, pairs_json(d.declared), pairs_json(d.skills))
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
