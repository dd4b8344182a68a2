"""SQLite store reads for the web pages: directory facets, community sizes, departments and leaderboards, a
person's weekly activity, and the interaction ties among a set of people (for drawing a network)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from graph.store.base import Contributor, Page, WeekCount
from graph.store.common import CHUNK, chunks, id_chunks, parse_utc, titled_ids, utc_text
from graph.store.paging import check_page_size
from graph.store.sqlite.conn import SQLiteBase
from graph.store.sqlite.errors import translated
from graph.store.sqlite.rows import _PERSON_COLS, _marks, _person_from
from schema.facets import fold_name, names_matching
from schema.models import Person

_VISIBLE = "p.active = 1 AND p.opted_out = 0 AND p.bot = 0"
# posts that help in someone else's thread (the leaderboards' "helping"): an answer to one's own question is not
_HELPING = "('answer', 'reply', 'comment')"


def facets_in(store: SQLiteBase, conn: sqlite3.Connection) -> dict[str, list[str]]:
    """The visible people's departments, locations and job titles in ``conn``'s snapshot, memoised per data version (the
    memoised value itself: copy before changing it). ``experts`` resolves its filters against them."""

    def read() -> dict[str, list[str]]:
        return {column: [r[0] for r in conn.execute(
            f"SELECT DISTINCT p.{column} FROM person p WHERE {_VISIBLE} AND p.{column} IS NOT NULL "
            f"ORDER BY p.{column}")] for column in ("department", "location", "title")}

    return store._per_version(conn, ("facets",), read)


def people_in(conn: sqlite3.Connection, person_ids: Iterable[str]) -> dict[str, Person]:
    """The stored people of ``person_ids`` who have not opted out, by id (``GraphStore.people``; a page's name
    lookup reads them in the same snapshot as the names)."""
    out: dict[str, Person] = {}
    for part in id_chunks(person_ids):
        for row in conn.execute(
            f"SELECT {_PERSON_COLS} FROM person p WHERE p.opted_out = 0 AND p.id IN ({_marks(len(part))})", part
        ):
            out[row[0]] = _person_from(row)
    return out


class SQLitePageReads(SQLiteBase):
    """Reads only the web pages make (see graph/store/base.py for their contract)."""

    @translated
    def directory_facets(self) -> dict[str, list[str]]:
        with self._read() as conn:
            found = facets_in(self, conn)
        return {column: list(values) for column, values in found.items()}

    @translated
    def people_named(self, text: str, first: int = 10) -> list[Person]:
        """Visible people whose name holds ``text`` (case and accents aside), best match first
        (:func:`~schema.facets.names_matching`); the names are read and folded once per data version."""
        check_page_size(first)
        with self._read() as conn:
            names = self._per_version(conn, ("names",), lambda: [(pid, fold_name(name)) for pid, name in conn.execute(
                f"SELECT p.id, p.name FROM person p WHERE {_VISIBLE} ORDER BY p.id")])
            ids = names_matching(text, names, first)
            found = people_in(conn, ids)
        return [found[i] for i in ids if i in found]

    @translated
    def people_titled(self, title: str, first: int = 10, after: str | None = None, department: str | None = None,
                      location: str | None = None) -> Page[Person]:
        """Visible people holding the job title ``title`` (:func:`~graph.store.common.titled_ids`); the roster is
        read once per data version."""
        check_page_size(first)
        with self._read() as conn:
            roster = self._per_version(conn, ("roster",), lambda: [tuple(r) for r in conn.execute(
                f"SELECT p.id, p.title, p.department, p.location FROM person p WHERE {_VISIBLE} "
                "AND p.title IS NOT NULL ORDER BY p.id")])
            ids, total, cursor = titled_ids(roster, facets_in(self, conn), title, first, after, department, location)
            found = people_in(conn, ids)
        return Page(items=[found[i] for i in ids if i in found], next_cursor=cursor, total=total)

    @translated
    def community_sizes(self, community_ids: Sequence[str] | None = None) -> dict[str, int]:
        sql = ("SELECT m.community_id, count(*) FROM member_of m JOIN person p ON p.id = m.person_id "
               f"WHERE {_VISIBLE}")

        def read(conn: sqlite3.Connection, ids: list[str] | None) -> dict[str, int]:
            if ids is None:
                return {c: int(n) for c, n in conn.execute(sql + " GROUP BY m.community_id")}
            out: dict[str, int] = {}
            for part in chunks(ids, CHUNK):
                out.update({c: int(n) for c, n in conn.execute(
                    sql + f" AND m.community_id IN ({_marks(len(part))}) GROUP BY m.community_id", part)})
            return out

        ids = None if community_ids is None else sorted(set(community_ids))
        with self._read() as conn:  # the three whole walks of the web pages: memoised per data version
            key = ("sizes",) if ids is None else ("sizes", "of", *ids)
            return dict(self._per_version(conn, key, lambda: read(conn, ids)))

    @translated
    def community_departments(self, community_id: str) -> dict[str | None, int]:
        sql = ("SELECT p.department, count(*) FROM member_of m JOIN person p ON p.id = m.person_id "
               f"WHERE m.community_id = ? AND {_VISIBLE} GROUP BY p.department")
        with self._read() as conn:
            return dict(self._per_version(conn, ("departments", community_id), lambda: {
                d: int(n) for d, n in conn.execute(sql, (community_id,))}))

    @translated
    def community_contributors(
        self, community_id: str, first: int = 10, since: datetime | None = None
    ) -> list[Contributor]:
        check_page_size(first)
        rows = self._conn().execute(
            f"""
            WITH h AS (
                SELECT t.author_id, t.accepted, t.created_at,
                       t.kind IN {_HELPING} AND root.author_id IS NOT t.author_id AS helping
                FROM post t LEFT JOIN post root ON root.id = t.thread_id
                WHERE t.community_id = ? AND t.author_id IS NOT NULL AND t.created_at >= ?
            ),
            c AS (
                SELECT author_id, count(*) AS posts, sum(helping) AS answers, sum(helping AND accepted) AS accepted,
                       max(created_at) AS last_at
                FROM h GROUP BY author_id
            )
            SELECT {_PERSON_COLS}, c.posts, c.answers, c.accepted, c.last_at FROM c JOIN person p ON p.id = c.author_id
            WHERE {_VISIBLE} ORDER BY c.posts DESC, c.accepted DESC, p.id LIMIT ?
            """,
            (community_id, utc_text(since) or "", first),
        ).fetchall()
        n = len(rows[0]) - 4 if rows else 0
        return [
            Contributor(person=_person_from(r), posts=int(r[n]), answers=int(r[n + 1]), accepted=int(r[n + 2]),
                        last_at=parse_utc(r[n + 3]))
            for r in rows
        ]

    @translated
    def person_activity(self, person_id: str, since: date | None = None) -> list[WeekCount]:
        rows = self._conn().execute(
            """
            SELECT date(substr(t.created_at, 1, 10), 'weekday 0', '-6 days') AS week, t.kind, t.source, count(*)
            FROM post t JOIN person p ON p.id = t.author_id
            WHERE t.author_id = ? AND p.opted_out = 0 AND t.created_at >= ?
            GROUP BY week, t.kind, t.source ORDER BY week, t.kind, t.source
            """,
            (person_id, since.isoformat() if since is not None else ""),
        ).fetchall()
        return [WeekCount(week=date.fromisoformat(w), kind=k, posts=int(c), source=s) for w, k, s, c in rows]

    @translated
    def interactions_among(self, person_ids: Sequence[str]) -> list[tuple[str, str, float]]:
        ids = sorted(set(person_ids))
        if not ids:
            return []
        wanted = set(ids)
        pairs: dict[tuple[str, str], float] = {}
        with self._read() as conn:
            for part in chunks(ids, CHUNK):
                for a, b, w in conn.execute(
                    "SELECT i.source_id, i.target_id, i.weight FROM interacts i "
                    "JOIN person pa ON pa.id = i.source_id JOIN person pb ON pb.id = i.target_id "
                    f"WHERE i.source_id IN ({_marks(len(part))}) AND pa.opted_out = 0 AND pb.opted_out = 0 "
                    "AND i.source_id != i.target_id",
                    part,
                ):
                    if b in wanted:
                        key = (a, b) if a < b else (b, a)
                        pairs[key] = pairs.get(key, 0.0) + float(w)
        return [(a, b, w) for (a, b), w in sorted(pairs.items())]


__all__ = ["SQLitePageReads"]
