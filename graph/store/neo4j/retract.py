"""Neo4j: a full re-import of a forum source takes back what its export no longer holds
(graph/store/source_facts.py), in one write transaction (a dry run: one read transaction)."""

from __future__ import annotations

from collections.abc import Mapping

from graph.store import cypher as q
from graph.store.common import chunks
from graph.store.neo4j.conn import Neo4jBase
from graph.store.neo4j.errors import _translated
from graph.store.neo4j.tx import run
from graph.store.neo4j.values import Tx
from graph.store.source_facts import SourceKeep, SourceRetraction, not_kept
from schema.labels import RelType


def _unnamed(tx: Tx, source: str, posts: set[str], members: set[tuple[str, str]],
             engaged: set[tuple[str, str, str]], endorsed: set[tuple[str, str, str]]) -> list[str]:
    """People of ``source`` nothing names once ``posts``, ``members``, ``engaged`` and ``endorsed`` are gone."""
    out = []
    for row in run(tx, q.TIES_OF_SOURCE_PEOPLE, source=source):
        if row["held"] or any((a, b, s) not in endorsed for a, b, s in row["endorsed"]):
            continue
        pid = row["id"]
        left = False
        for kind, other, how in row["ties"]:
            if kind is None:
                continue
            if kind == RelType.AUTHORED.value:
                left = other not in posts
            elif kind == RelType.MEMBER_OF.value:
                left = (pid, other) not in members
            else:
                left = other not in posts and (pid, other, how) not in engaged
            if left:
                break
        if not left:
            out.append(pid)
    return sorted(out)


_MOVES = (q.MERGE_AUTHORED, q.MERGE_MEMBER_OF, q.MERGE_ENGAGED, q.MERGE_ENDORSED_FROM, q.MERGE_ENDORSED_TO)


class Neo4jRetract(Neo4jBase):
    @_translated
    def retract_source(self, source: str, keep: SourceKeep, *, dry_run: bool = False) -> SourceRetraction:
        """Delete the posts of ``source``, memberships of its communities, engagements of its posts and its
        endorsements that ``keep`` does not hold, then its own people nothing names any more; a dry run only
        reads."""

        def work(tx: Tx) -> SourceRetraction:
            posts = not_kept(run(tx, q.POST_IDS_OF_SOURCE, source=source)[0]["ids"], keep.posts)
            members = not_kept(((r["person_id"], r["community_id"])
                                for r in run(tx, q.MEMBER_OF_OF_SOURCE, source=source)), keep.memberships)
            engaged = not_kept(((r["person_id"], r["post_id"], r["kind"])
                                for r in run(tx, q.ENGAGED_OF_SOURCE, source=source)), keep.engagements)
            endorsed = not_kept(((r["from_id"], r["to_id"], r["skill"])
                                 for r in run(tx, q.ENDORSED_OF_SOURCE, source=source)), keep.endorsements)
            if dry_run:
                return SourceRetraction(posts, members, engaged, _unnamed(
                    tx, source, set(posts), set(members), set(engaged), set(endorsed)), endorsed)
            for tie in chunks(engaged):
                run(tx, q.ENGAGED_DELETE, rows=[{"person_id": a, "post_id": p, "kind": k} for a, p, k in tie])
            for tie in chunks(endorsed):
                run(tx, q.ENDORSED_DELETE, rows=[{"from_id": a, "to_id": b, "skill": s} for a, b, s in tie])
            for ids in chunks(posts):
                run(tx, q.POSTS_DELETE, ids=list(ids))
            for pair in chunks(members):
                run(tx, q.MEMBER_OF_DELETE, rows=[{"person_id": a, "community_id": c} for a, c in pair])
            people = _unnamed(tx, source, set(), set(), set(), set())
            for ids in chunks(people):
                run(tx, q.PEOPLE_DELETE, ids=list(ids))
            return SourceRetraction(posts, members, engaged, people, endorsed)

        return self._read(work) if dry_run else self._write(work)

    @_translated
    def merge_people(self, moves: Mapping[str, str]) -> list[str]:
        """Move what each old person holds (posts, memberships, engagements, endorsements) to the new one, then
        delete the old ones nothing names any more; returns their ids, sorted."""
        pairs = sorted((old, new) for old, new in moves.items() if old != new)

        def work(tx: Tx) -> list[str]:
            ids = sorted({i for pair in pairs for i in pair})
            present = {r["props"]["id"] for r in run(tx, q.PEOPLE_AS_STORED, ids=ids)} if ids else set()
            rows = [{"old": o, "new": n} for o, n in pairs if o in present and n in present]
            for part in chunks(rows):
                for statement in _MOVES:
                    run(tx, statement, rows=list(part))
            olds = sorted(r["old"] for r in rows)
            held = {r["id"] for r in run(tx, q.NAMED_PEOPLE, ids=olds)} if olds else set()
            gone = [o for o in olds if o not in held]
            for part_ids in chunks(gone):
                run(tx, q.PEOPLE_DELETE, ids=list(part_ids))
            return gone

        return self._write(work)


__all__ = ["Neo4jRetract"]
