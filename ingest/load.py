"""Chunks of records -> ``store.write_batch``: big atomic batches, resumable after a kill.

Every chunk is one ``Batch`` (one transaction). Upserts are idempotent, so replaying a whole file after a kill
already gives the same store; the checkpoint (the number of the last chunk written, stored in ``Batch.meta`` in the
same transaction as the chunk) only saves the time of rewriting finished chunks. Chunk boundaries depend on nothing
but the input, so chunk ``k`` of a re-run holds exactly the records chunk ``k`` held before.

With ``overlap``, a chunk is written on one writer thread while the next is parsed (a store mostly waits on its
server or its disk, so the two overlap); chunks are still written one at a time and in order, and a write's error
is raised by the next ``flush`` or by ``finish``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from operator import attrgetter
from pathlib import Path

from graph.store.base import Batch, GraphStore, WriteResult
from schema.models import Community, Endorsement, Engagement, HasSkill, MemberOf, Person, Post, ReportsTo, Skill
from schema.skills import AliasTable

DEFAULT_CHUNK = 10_000
_by_id = attrgetter("id")
_member_key = attrgetter("person_id", "community_id")
_claim_key = attrgetter("person_id", "skill")
CHECKPOINT_PREFIX = "ingest.checkpoint:"


def checkpoint_key(kind: str, path: str | Path, *options: object) -> str:
    """A key naming one ingest of one input version (path, size, mtime of every file) with its options."""
    from ingest.forum.common import walk_files

    p = Path(path)
    h = hashlib.sha1(usedforsecurity=False)
    # surrogateescape: a file name that is not UTF-8 (bytes 0xff 0xfe) is hashed as its bytes, not a traceback
    h.update(f"{kind}|{p.resolve()}|{options!r}".encode("utf-8", "surrogateescape"))
    try:
        if p.is_dir():
            files = walk_files(p)
        else:
            st = p.stat()
            files = [(p.name, st.st_size, st.st_mtime_ns)]
    except OSError:
        files = []
    for name, size, mtime in files:
        h.update(f"|{name}:{size}:{mtime}".encode("utf-8", "surrogateescape"))
    return CHECKPOINT_PREFIX + h.hexdigest()[:20]


class Loader:
    """Collects records and writes them chunk by chunk. It writes what it is given: person ids are already
    resolved (:mod:`ingest.normalise`) and a forum's own people arrive before the records that name them."""

    def __init__(
        self,
        store: GraphStore,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        checkpoint: str | None = None,
        aliases: AliasTable | None = None,
        on_chunk: Callable[[int], None] | None = None,
        overlap: bool = False,
    ) -> None:
        self.store = store
        self.chunk_size = chunk_size
        self.checkpoint = checkpoint
        self.on_chunk = on_chunk
        self.result = WriteResult()
        self.chunks_written = 0
        self.chunks_skipped = 0
        self.records = 0
        self.aliases = aliases
        self._skills_seen: set[str] = set()
        self._chunk_no = 0
        self._resume_after = -1
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="ingest-writer") if overlap else None
        self._pending: tuple[Future[WriteResult], int] | None = None
        if checkpoint is not None:
            done = store.get_meta(checkpoint)
            if done is not None and done.isdigit():
                self._resume_after = int(done)
        self._reset()

    @property
    def resumed(self) -> bool:
        return self._resume_after >= 0

    def _reset(self) -> None:
        self.people: list[Person] = []
        self.skills: list[Skill] = []
        self.communities: list[Community] = []
        self.posts: list[Post] = []
        self.reports_to: list[ReportsTo] = []
        self.has_skill: list[HasSkill] = []
        self.memberships: list[MemberOf] = []
        self.endorsements: list[Endorsement] = []
        self.engagements: list[Engagement] = []
        self._n = 0

    # each add_* is a list append; a flush every chunk_size records
    def add_person(self, r: Person) -> None:
        self.people.append(r)
        self._tick()

    def add_skill(self, r: Skill) -> None:
        self.skills.append(r)
        self._skills_seen.add(r.name)
        self._tick()

    def add_community(self, r: Community) -> None:
        self.communities.append(r)
        self._tick()

    def add_post(self, r: Post) -> None:
        self.posts.append(r)
        self._n += 1
        if self._n >= self.chunk_size:
            self.flush()

    def add_reports_to(self, r: ReportsTo) -> None:
        self.reports_to.append(r)
        self._tick()

    def add_has_skill(self, r: HasSkill) -> None:
        self.has_skill.append(r)
        if self.aliases is not None:
            self._skill_names((r.skill,))
        self._tick()

    def add_membership(self, r: MemberOf) -> None:
        self.memberships.append(r)
        self._tick()

    def add_endorsement(self, r: Endorsement) -> None:
        self.endorsements.append(r)
        if self.aliases is not None:
            self._skill_names((r.skill,))
        self._tick()

    def add_engagement(self, r: Engagement) -> None:
        self.engagements.append(r)
        self._tick()

    def _skill_names(self, names: tuple[str, ...]) -> None:
        """Each skill once per run as a Skill node with its aliases, so searching by an alias finds it."""
        seen = self._skills_seen
        for name in names:
            if name not in seen:
                seen.add(name)
                assert self.aliases is not None
                self.skills.append(Skill(name=name, aliases=self.aliases.aliases_of(name)))

    def _tick(self) -> None:
        self._n += 1
        if self._n >= self.chunk_size:
            self.flush()

    def flush(self, *, partial: bool = False) -> None:
        """Write the current chunk. ``partial``: the input broke off inside it, so it is written (nothing read is
        lost) without moving the checkpoint, since a re-run's chunk of that number will hold more records."""
        if self.aliases is not None and self.posts:
            new_tags = {t for p in self.posts if p.tags for t in p.tags} - self._skills_seen
            if new_tags:
                self._skill_names(tuple(sorted(new_tags)))
        # key order: B-tree inserts touch neighbouring pages (much cheaper once the store outgrows its page
        # cache); sorts are stable, so a key repeated in the chunk still keeps its last version
        self.people.sort(key=_by_id)
        self.posts.sort(key=_by_id)
        self.memberships.sort(key=_member_key)
        self.has_skill.sort(key=_claim_key)
        batch = Batch(
            people=self.people,
            skills=self.skills,
            communities=self.communities,
            posts=self.posts,
            reports_to=self.reports_to,
            has_skill=self.has_skill,
            memberships=self.memberships,
            endorsements=self.endorsements,
            engagements=self.engagements,
            meta={self.checkpoint: str(self._chunk_no)} if self.checkpoint and not partial else {},
        )
        n = len(batch)
        if n:
            if self._chunk_no > self._resume_after:
                self._write(batch, n)
            else:
                self.chunks_skipped += 1
                self._written(None, n)
            self._chunk_no += 1
        self._reset()
        if partial:
            self.drain()

    def _write(self, batch: Batch, n: int) -> None:
        if self._writer is None:
            self._written(self.store.write_batch(batch), n)
            return
        self.drain()  # one chunk in flight: in order, and at most one more chunk in memory
        self._pending = (self._writer.submit(self.store.write_batch, batch), n)

    def _written(self, result: WriteResult | None, n: int) -> None:
        if result is not None:
            self.result.merge(result)
            self.chunks_written += 1
        self.records += n
        if self.on_chunk is not None:
            self.on_chunk(n)

    def drain(self) -> None:
        """Wait for the chunk being written, raising its error."""
        if self._pending is not None:
            future, n = self._pending
            self._pending = None
            self._written(future.result(), n)

    def finish(self) -> WriteResult:
        """Write what is left and forget the checkpoint: the next run of the same input replays it in full."""
        try:
            self.flush()
            self.drain()
        finally:
            if self._writer is not None:
                self._writer.shutdown(wait=True)
        if self.checkpoint is not None:
            self.store.set_meta(self.checkpoint, None)
        return self.result


__all__ = ["CHECKPOINT_PREFIX", "DEFAULT_CHUNK", "Loader", "checkpoint_key"]
