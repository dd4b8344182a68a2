"""The normalise stage: where a forum account becomes a person.

Parsers (``ingest/forum/*``) know nothing of the store: every person id they yield is a *forum* id
(``namespace:handle``) and every account the export declares is an :class:`~ingest.forum.common.Account`. This
stage, between the parsers and the loader, is the one place those ids are resolved (by the
:class:`~ingest.identity.Resolver`: case-folded email, then the ``--identities`` file, never by name):

- an ``Account`` is declared to the resolver and disappears from the stream; an account that stays unmatched comes
  out as a :class:`~schema.models.Person` of the forum's own, just before the first record that names it (or at
  once when the export lists it as a member, ``eager``);
- a ``Post``'s ``author_id``, a ``MemberOf``'s or ``Engagement``'s ``person_id`` and an ``Endorsement``'s
  ``from_id``/``to_id`` are rewritten to the resolved person;
- two accounts resolved to the same person keep one membership per community (the first, as the parser would
  have given it for one account);
- everything else (communities, skills, rejects) passes through.

Skill names are canonicalised here too, with the alias table (:class:`SkillNames`: ``js`` -> ``javascript``),
so declared skills and forum tags meet on one ``Skill``. Parsers yield names as the export writes them:

- a ``Post``'s tags are canonicalised, deduplicated and sorted; a tag with nothing meaningful left is dropped;
- a :class:`~ingest.forum.common.SkillRef` (a Tags.xml row, a jsonl endorsement) becomes a ``Skill`` with its
  aliases or the canonical ``Endorsement``, or a ``Reject`` naming the file, row and reason;
- a ``HasSkill``'s skill is canonicalised.

HR exports (:func:`ingest.pipeline.ingest_hris`) take the same step for their skill names: HR people are
themselves the identity source, so the identity half is a pass-through for them (:func:`hr_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from ingest.forum.common import Account, SkillRef, fill, make_has_skill, reject
from ingest.hris import HrRow
from ingest.identity import Resolver
from ingest.rejects import Reject
from schema.errors import SchemaError
from schema.models import Endorsement, Engagement, HasSkill, MemberOf, Post, Skill
from schema.skills import AliasTable

__all__ = ["SkillNames", "hr_rows", "normalise", "skill_ref"]


class SkillNames:
    """Canonicalises skill and tag names through an alias table, caching each raw name (a forum has few distinct
    tags). ``use`` swaps the table when a format extends it mid-stream (Stack Exchange tag synonyms)."""

    __slots__ = ("_cache", "_tags", "table")

    def __init__(self, table: AliasTable) -> None:
        self.use(table)

    def use(self, table: AliasTable) -> None:
        self.table = table
        self._cache: dict[str, str | None] = {}
        self._tags: dict[tuple[str, ...], tuple[str, ...]] = {}

    def one(self, name: str) -> str | None:
        """The canonical name, or None when nothing meaningful is left."""
        c = self._cache.get(name, "")
        if c == "":
            try:
                c = self.table.canonical(name)
            except SchemaError:
                c = None
            self._cache[name] = c
        return c

    def __call__(self, raw: Iterable[str]) -> tuple[str, ...]:
        """Canonical, deduplicated, sorted; names with nothing meaningful left are dropped."""
        out: list[str] = []
        for tag in raw:
            c = self.one(tag)
            if c is not None and c not in out:
                out.append(c)
        return tuple(sorted(out))

    def tags(self, raw: tuple[str, ...]) -> tuple[str, ...]:
        t = self._tags.get(raw)
        if t is None:
            t = self(raw)
            if len(self._tags) < 200_000:
                self._tags[raw] = t
        return t


def skill_ref(ref: SkillRef, names: SkillNames) -> Skill | Endorsement | Reject:
    """A named skill made canonical, or the Reject of its row (file, row, reason as the parser would give)."""
    e = ref.endorsement
    if e is None:  # a skill node (Stack Exchange Tags.xml)
        table = names.table
        try:
            c = table.canonical(ref.name)
            return Skill(name=c, aliases=table.aliases_of(c))
        except (ValueError, SchemaError) as exc:
            return reject(ref.file, ref.row, f"tag {ref.name[:60]!r}: {exc}")
    skill = names.one(ref.name)
    if skill is None:
        return Reject(ref.file, ref.row, f"skill {ref.name!r} is empty after canonicalisation")
    try:
        return Endorsement(from_id=e.from_id, to_id=e.to_id, skill=skill, created_at=e.created_at, source=e.source)
    except (ValueError, SchemaError) as exc:
        return reject(ref.file, ref.row, exc)


def hr_rows(rows: list[HrRow], names: SkillNames) -> list[HrRow]:
    """HR rows with canonical declared skills. The identity half is a pass-through: HR people *are* the identity
    source (``hr:<id>``) that forum accounts resolve to, so their ids are kept as they are.

    Names were checked by the parser (a row whose skill has nothing meaningful left is rejected there, with its
    file, row and reason, before it counts for managers); here aliases meet: ``js:3;javascript`` on one row is
    one ``javascript`` claim, a stated level winning over none, the later stated level over an earlier one."""
    out = []
    for r in rows:
        if not r.skills:
            out.append(r)
            continue
        merged: dict[str, int | None] = {}
        for hs in r.skills:
            c = names.one(hs.skill)
            if c is None:  # pragma: no cover - parse_skills rejected the row already
                continue
            if hs.level is not None or c not in merged:
                merged[c] = hs.level
        pid = r.person.id
        out.append(replace(r, skills=tuple(make_has_skill(pid, c, lv) for c, lv in merged.items())))
    return out


def normalise(items: Iterable[Any], resolver: Resolver, names: SkillNames | None = None) -> Iterator[Any]:
    """Parser items -> records whose person ids are resolved and whose skill names are canonical, with the
    forum's own people interleaved. ``names``: the alias table in use (default: the built-in aliases only)."""
    names = names if names is not None else SkillNames(AliasTable())
    ready = resolver.ready  # forum id -> person id, for the common case of an id already resolved
    drain = resolver.drain
    remapped_members: set[tuple[str, str]] = set()

    def person(forum_id: str) -> str:
        t = ready.get(forum_id)
        return t if t is not None else resolver(forum_id)

    for it in items:
        t = type(it)
        if t is SkillRef:
            it = skill_ref(it, names)
            t = type(it)
            if t is not Endorsement:
                yield it
                continue
        if t is Post:
            a = it.author_id
            raw = it.tags
            tags = names.tags(raw) if raw else raw
            if a is not None:
                target = ready.get(a)
                if target is None:
                    target = resolver(a)
                    yield from drain()
                if target != a or tags != raw:
                    it = fill(Post, {**it.__dict__, "author_id": target, "tags": tags})
            elif tags != raw:
                it = fill(Post, {**it.__dict__, "tags": tags})
            yield it
        elif t is MemberOf:
            a = it.person_id
            target = person(a)
            yield from drain()
            if target != a:
                key = (target, it.community_id)
                if key in remapped_members:
                    continue  # a second account of the same person in the same community
                remapped_members.add(key)
                it = fill(MemberOf, {**it.__dict__, "person_id": target})
            yield it
        elif t is Account:
            resolver.declare(it)
            yield from drain()
        elif t is Engagement:
            a = it.person_id
            target = person(a)
            yield from drain()
            if target != a:
                it = fill(Engagement, {**it.__dict__, "person_id": target})
            yield it
        elif t is Endorsement:
            a, b = person(it.from_id), person(it.to_id)
            yield from drain()
            if (a, b) != (it.from_id, it.to_id):
                it = fill(Endorsement, {**it.__dict__, "from_id": a, "to_id": b})
            yield it
        elif t is HasSkill:
            c = names.one(it.skill)
            if c is None:  # pragma: no cover - HR rows are checked by canonical_skills; forums yield none
                continue
            yield it if c == it.skill else fill(HasSkill, {**it.__dict__, "skill": c})
        else:
            yield it
