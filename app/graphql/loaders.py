"""Per-request DataLoaders: every person-keyed read of one request is batched into one store call per kind.

A page of 100 experts asking for each one's communities, skills and scores costs one ``experts`` call plus one
``memberships``, one ``person_skills`` and one ``person_scores`` call, whatever the page size
(tests/api/test_loaders.py counts them against the real SQLite store). Loaders are built per request so nothing
is cached across users or across analytics runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from app.gateway import StoreGateway
from schema.models import Community, ExpertIn, HasSkill, Person, PersonScores

V = TypeVar("V")
MAX_BATCH = 500


def _batch(read: Callable[[Sequence[str]], Awaitable[Mapping[str, V]]], default: V) -> DataLoader[str, V]:
    async def load(keys: Sequence[str]) -> list[V]:
        found = await read(list(keys))
        return [found.get(k, default) for k in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_BATCH)


class Loaders:
    """The request's loaders, one per batched store read, each built on first use."""

    def __init__(self, gateway: StoreGateway) -> None:
        self._gateway = gateway
        self._people: DataLoader[str, Person | None] | None = None
        self._scores: DataLoader[str, PersonScores | None] | None = None
        self._skills: DataLoader[str, list[HasSkill]] | None = None
        self._expertise: DataLoader[str, list[ExpertIn]] | None = None
        self._memberships: DataLoader[str, list[Community]] | None = None

    @property
    def people(self) -> DataLoader[str, Person | None]:
        if self._people is None:
            self._people = _batch(self._gateway.people, None)
        return self._people

    @property
    def scores(self) -> DataLoader[str, PersonScores | None]:
        if self._scores is None:
            self._scores = _batch(self._gateway.person_scores, None)
        return self._scores

    @property
    def skills(self) -> DataLoader[str, list[HasSkill]]:
        if self._skills is None:
            self._skills = _batch(self._gateway.person_skills, [])
        return self._skills

    @property
    def expertise(self) -> DataLoader[str, list[ExpertIn]]:
        if self._expertise is None:
            self._expertise = _batch(self._gateway.person_expertise, [])
        return self._expertise

    @property
    def memberships(self) -> DataLoader[str, list[Community]]:
        if self._memberships is None:
            self._memberships = _batch(self._gateway.memberships, [])
        return self._memberships


__all__ = ["Loaders"]
