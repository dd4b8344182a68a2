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

Skill aliases are applied by the same alias table the pipeline hands the parsers (:class:`TagCanon`, a pure,
cached function of the table: ``js`` -> ``javascript``), so declared skills and forum tags meet on one ``Skill``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ingest.forum.common import Account, TagCanon, fill
from ingest.identity import Resolver
from schema.models import Endorsement, Engagement, MemberOf, Post

__all__ = ["TagCanon", "normalise"]


def normalise(items: Iterable[Any], resolver: Resolver) -> Iterator[Any]:
    """Parser items -> records whose person ids are resolved, with the forum's own people interleaved."""
    ready = resolver.ready  # forum id -> person id, for the common case of an id already resolved
    drain = resolver.drain
    remapped_members: set[tuple[str, str]] = set()

    def person(forum_id: str) -> str:
        t = ready.get(forum_id)
        return t if t is not None else resolver(forum_id)

    for it in items:
        t = type(it)
        if t is Post:
            a = it.author_id
            if a is not None:
                target = ready.get(a)
                if target is None:
                    target = resolver(a)
                    yield from drain()
                if target != a:
                    it = fill(Post, {**it.__dict__, "author_id": target})
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
        else:
            yield it
