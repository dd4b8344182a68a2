"""SQLite: a full re-import of a forum source takes back what its export no longer holds (graph/store/source_facts)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from graph.store.common import chunks
from graph.store.source_facts import SourceKeep, SourceRetraction, not_kept
from graph.store.sqlite.conn import SQLiteBase
from graph.store.sqlite.errors import translated
from graph.store.sqlite.rows import _marks

# a person of the source's own is kept while any of these still names them (or they chose to be hidden)
_STILL_NAMED = (
    ("post", "author_id"), ("member_of", "person_id"), ("engaged", "person_id"), ("endorsed", "from_id"),
    ("endorsed", "to_id"), ("reports_to", "person_id"), ("reports_to", "manager_id"), ("has_skill", "person_id"),
    ("person_choice", "person_id"),
)
# what an account's own person holds that moves to the person the account now resolves to: (table, columns, the
# column naming the person); an endorsement of oneself that a move would make is dropped, as normalise drops none
# but the analytics ignore them
_MOVABLE = (
    ("member_of", ("person_id", "community_id", "since", "role"), "person_id"),
    ("engaged", ("person_id", "post_id", "kind", "created_at"), "person_id"),
    ("endorsed", ("from_id", "to_id", "skill", "created_at", "source"), "from_id"),
    ("endorsed", ("from_id", "to_id", "skill", "created_at", "source"), "to_id"),
)
# what the last analysis wrote about a person: replaced by the next one, gone with the person now
_ANALYTICS_OF_PERSON = (
    ("interacts", "source_id"), ("interacts", "target_id"), ("expert_in", "person_id"),
    ("person_score", "person_id"), ("influence", "person_id"),
)


class SQLiteRetract(SQLiteBase):
    @translated
    def retract_source(self, source: str, keep: SourceKeep, *, dry_run: bool = False) -> SourceRetraction:
        """Delete the posts of ``source``, memberships of its communities, engagements of its posts and its
        endorsements that ``keep`` does not hold, then its own people nothing names any more; a dry run only
        reads."""
        with (self._read() if dry_run else self._write()) as conn:
            posts = not_kept((r[0] for r in conn.execute("SELECT id FROM post WHERE source = ?", (source,))),
                             keep.posts)
            members = not_kept(((r[0], r[1]) for r in conn.execute(
                "SELECT m.person_id, m.community_id FROM member_of m JOIN community c ON c.id = m.community_id "
                "WHERE c.source = ?", (source,))), keep.memberships)
            engaged = not_kept(((r[0], r[1], r[2]) for r in conn.execute(
                "SELECT e.person_id, e.post_id, e.kind FROM engaged e JOIN post p ON p.id = e.post_id "
                "WHERE p.source = ?", (source,))), keep.engagements)
            endorsed = not_kept(((r[0], r[1], r[2]) for r in conn.execute(
                "SELECT from_id, to_id, skill FROM endorsed WHERE source = ?", (source,))), keep.endorsements)
            if dry_run:
                return SourceRetraction(posts, members, engaged,
                                        self._orphans(conn, source, posts, members, engaged, endorsed), endorsed)
            conn.executemany("DELETE FROM engaged WHERE person_id = ? AND post_id = ? AND kind = ?", engaged)
            conn.executemany("DELETE FROM endorsed WHERE from_id = ? AND to_id = ? AND skill = ?", endorsed)
            for part in chunks(posts):
                conn.execute(f"DELETE FROM engaged WHERE post_id IN ({_marks(len(part))})", part)
                conn.execute(f"DELETE FROM post WHERE id IN ({_marks(len(part))})", part)
            conn.executemany("DELETE FROM member_of WHERE person_id = ? AND community_id = ?", members)
            people = self._orphans(conn, source, [], [], [], [])
            self._delete_people(conn, people)
        return SourceRetraction(posts, members, engaged, people, endorsed)

    @translated
    def merge_people(self, moves: Mapping[str, str]) -> list[str]:
        """Move what each old person holds (posts, memberships, engagements, endorsements) to the new one, then
        delete the old ones nothing names any more; returns their ids, sorted."""
        pairs = sorted((old, new) for old, new in moves.items() if old != new)
        with self._write() as conn:
            present = {r[0] for part in chunks(sorted({i for pair in pairs for i in pair}))
                       for r in conn.execute(f"SELECT id FROM person WHERE id IN ({_marks(len(part))})", part)}
            pairs = [(o, n) for o, n in pairs if o in present and n in present]
            for old, new in pairs:
                conn.execute("UPDATE post SET author_id = ? WHERE author_id = ?", (new, old))
                for table, cols, col in _MOVABLE:
                    picked = ", ".join("?" if c == col else c for c in cols)
                    other = {"from_id": "to_id", "to_id": "from_id"}.get(col)
                    not_self, params = (f" AND {other} <> ?", (new, old, new)) if other else ("", (new, old))
                    conn.execute(f"INSERT OR IGNORE INTO {table} ({', '.join(cols)}) SELECT {picked} FROM {table} "
                                 f"WHERE {col} = ?{not_self}", params)
                    conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (old,))
            olds = [o for o, _ in pairs]
            named = {pid for part in chunks(olds) for table, col in _STILL_NAMED for (pid,) in conn.execute(
                f'SELECT "{col}" FROM {table} WHERE "{col}" IN ({_marks(len(part))})', part)}
            gone = sorted(set(olds) - named)
            self._delete_people(conn, gone)
        return gone

    def _delete_people(self, conn: sqlite3.Connection, people: list[str]) -> None:
        """Delete these people with the last analysis' rows about them (the next analysis replaces the rest)."""
        for part in chunks(people):
            marks = _marks(len(part))
            for table, col in _ANALYTICS_OF_PERSON:
                conn.execute(f'DELETE FROM {table} WHERE "{col}" IN ({marks})', part)
            conn.execute(f"DELETE FROM person WHERE id IN ({marks})", part)
        self._known["person"].difference_update(people)  # a later batch naming one must be told it is missing

    @staticmethod
    def _orphans(conn: sqlite3.Connection, source: str, posts: list[str], members: list[tuple[str, str]],
                 engaged: list[tuple[str, str, str]], endorsed: list[tuple[str, str, str]]) -> list[str]:
        """People of ``source`` nothing names once ``posts``, ``members``, ``engaged`` and ``endorsed`` are gone (in
        a dry run they are still stored, so what names a person through them alone does not count)."""
        gone_posts = set(posts)
        gone_members, gone_engaged, gone_endorsed = set(members), set(engaged), set(endorsed)
        own = [r[0] for r in conn.execute("SELECT id FROM person WHERE source = ?", (source,))]
        out: list[str] = []
        for part in chunks(own):
            marks = _marks(len(part))
            named: set[str] = set()
            for table, col in _STILL_NAMED:
                if table == "post":
                    named.update(r[0] for r in conn.execute(
                        f"SELECT author_id, id FROM post WHERE author_id IN ({marks})", part) if r[1] not in gone_posts)
                elif table == "member_of":
                    named.update(r[0] for r in conn.execute(
                        f"SELECT person_id, community_id FROM member_of WHERE person_id IN ({marks})", part)
                        if (r[0], r[1]) not in gone_members)
                elif table == "engaged":
                    named.update(r[0] for r in conn.execute(
                        f"SELECT person_id, post_id, kind FROM engaged WHERE person_id IN ({marks})", part)
                        if (r[0], r[1], r[2]) not in gone_engaged and r[1] not in gone_posts)
                elif table == "endorsed":
                    named.update(r[0] for r in conn.execute(
                        f'SELECT "{col}", from_id, to_id, skill FROM endorsed WHERE "{col}" IN ({marks})', part)
                        if (r[1], r[2], r[3]) not in gone_endorsed)
                else:
                    named.update(r[0] for r in conn.execute(
                        f'SELECT "{col}" FROM {table} WHERE "{col}" IN ({marks})', part))
            out.extend(p for p in part if p not in named)
        return sorted(out)


__all__ = ["SQLiteRetract"]
