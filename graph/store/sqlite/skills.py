"""SQLite reads of what readers show given who is opted out now (graph/store/shown.py): the skill list, and the
endorsers an endorsement count may still count."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from graph.store.base import check_page_size
from graph.store.common import id_chunks, parse_utc
from graph.store.shown import Endorsers, endorsers_by_target, listed
from graph.store.sqlite.conn import SQLiteBase
from graph.store.sqlite.errors import translated
from graph.store.sqlite.rows import _marks
from schema.models import Skill
from schema.skills import fold

# the skills someone not opted out claims or holds expertise on (the current run), each found through an index
_GIVEN_SKILLS = """
    SELECT s.name FROM skill s WHERE
      EXISTS (SELECT 1 FROM has_skill h JOIN person p ON p.id = h.person_id WHERE h.skill = s.name AND p.opted_out = 0)
      OR EXISTS (SELECT 1 FROM expert_in e JOIN person p ON p.id = e.person_id
                 WHERE e.skill = s.name AND p.opted_out = 0)
"""
# the skills someone not opted out endorsed someone not opted out on (no index by skill: one pass)
_ENDORSED_SKILLS = """
    SELECT DISTINCT d.skill FROM endorsed d JOIN person a ON a.id = d.from_id JOIN person b ON b.id = d.to_id
    WHERE a.opted_out = 0 AND b.opted_out = 0
"""


class SQLiteSkillReads(SQLiteBase):
    """The skill list and endorsers as someone not opted out gives them."""

    def _listed_skills(self, conn: sqlite3.Connection) -> frozenset[str]:
        """The skills someone not opted out gives (graph/store/shown.py), memoised per data version: claims and
        expertise through their indexes, then endorsements and the tags of posts for the skills still unaccounted
        for (neither has an index by skill: one pass each, the posts' stopped once every such skill is found)."""

        def scan() -> frozenset[str]:
            names = {r[0] for r in conn.execute(_GIVEN_SKILLS)}
            rest = {r[0] for r in conn.execute("SELECT name FROM skill")} - names
            if rest:
                endorsed = rest.intersection(r[0] for r in conn.execute(_ENDORSED_SKILLS))
                names |= endorsed
                rest -= endorsed
            if rest:
                cursor = conn.execute(
                    "SELECT p.tags FROM post p LEFT JOIN person a ON a.id = p.author_id "
                    "WHERE p.tags != '' AND (a.opted_out IS NULL OR a.opted_out = 0)"
                )
                try:
                    for (tags,) in cursor:
                        found = rest.intersection(tags.split())
                        if found:
                            names |= found
                            rest -= found
                            if not rest:
                                break
                finally:
                    cursor.close()  # stopped early: the statement ends here, not with the snapshot
            return frozenset(names)

        return self._per_version(conn, ("listed_skills",), scan)

    @translated
    def skills(self, prefix: str | None = None, first: int = 20) -> list[Skill]:
        check_page_size(first, 1000)
        with self._read() as conn:
            if not prefix or not fold(prefix):
                rows = conn.execute("SELECT name, aliases FROM skill ORDER BY name").fetchall()
            else:
                p = fold(prefix)
                pattern = p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                rows = conn.execute(
                    "SELECT name, aliases FROM skill WHERE name LIKE ? ESCAPE '\\' "
                    "OR name IN (SELECT skill FROM skill_alias WHERE alias LIKE ? ESCAPE '\\') ORDER BY name",
                    (pattern, pattern),
                ).fetchall()
            names = self._listed_skills(conn)
        return listed((Skill(name=r[0], aliases=tuple(json.loads(r[1]))) for r in rows), names)[:first]

    @translated
    def all_skills(self) -> list[Skill]:
        with self._read() as conn:
            rows = conn.execute("SELECT name, aliases FROM skill ORDER BY name").fetchall()
            names = self._listed_skills(conn)
        return listed((Skill(name=r[0], aliases=tuple(json.loads(r[1]))) for r in rows), names)

    @translated
    def skill(self, name: str) -> Skill | None:
        with self._read() as conn:
            row = conn.execute("SELECT name, aliases FROM skill WHERE name = ?", (name,)).fetchone()
            if row is None or row[0] not in self._listed_skills(conn):
                return None
        return Skill(name=row[0], aliases=tuple(json.loads(row[1])))

    def _endorsers(self, conn: sqlite3.Connection, person_ids: Sequence[str], skill: str | None = None
                   ) -> Endorsers:
        """When each endorser of ``person_ids`` (on ``skill``, or on any) endorsed them, per (person, skill):
        endorsers who are not opted out now, nor bots, nor the person themselves (graph/store/shown.py)."""
        rows: list[tuple[str, str, datetime | None]] = []
        for part in id_chunks(person_ids):
            on_skill = "" if skill is None else " AND e.skill = ?"
            rows += [(r[0], r[1], parse_utc(r[2])) for r in conn.execute(
                "SELECT e.to_id, e.skill, e.created_at FROM endorsed e JOIN person a ON a.id = e.from_id "
                f"WHERE e.to_id IN ({_marks(len(part))}){on_skill} AND a.opted_out = 0 AND a.bot = 0 "
                "AND e.from_id != e.to_id",
                [*part, *([] if skill is None else [skill])],
            )]
        return endorsers_by_target(rows)
