"""Per-request DataLoaders: every person-keyed read of one request is batched into one store call per kind.

A page of 100 experts asking for each one's communities, skills and scores costs one ``experts`` call plus one
``memberships``, one ``person_skills`` and one ``person_scores`` call, whatever the page size
(tests/api/test_loaders.py counts them against the real SQLite store). Loaders are built per request so nothing
is cached across users or across analytics runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from app.graphql.context import StoreGateway
from schema.models import Community, ExpertIn, HasSkill, Person, PersonScores


def _batch(gateway: StoreGateway, method: str, default: Any) -> DataLoader[str, Any]:
    async def load(keys: Sequence[str]) -> list[Any]:
        found = await gateway.call(method, list(keys))
        return [found.get(k, default) for k in keys]

    return DataLoader(load_fn=load, max_batch_size=500)


class Loaders:
    """The request's loaders, created lazily (a query that needs none pays for none)."""

    __slots__ = ("_cache", "_gateway")

    def __init__(self, gateway: StoreGateway) -> None:
        self._gateway = gateway
        self._cache: dict[str, DataLoader[str, Any]] = {}

    def _get(self, method: str, default: Any) -> DataLoader[str, Any]:
        loader = self._cache.get(method)
        if loader is None:
            loader = self._cache[method] = _batch(self._gateway, method, default)
        return loader

    @property
    def people(self) -> DataLoader[str, Person | None]:
        return self._get("people", None)

    @property
    def scores(self) -> DataLoader[str, PersonScores | None]:
        return self._get("person_scores", None)

    @property
    def skills(self) -> DataLoader[str, list[HasSkill]]:
        return self._get("person_skills", [])

    @property
    def expertise(self) -> DataLoader[str, list[ExpertIn]]:
        return self._get("person_expertise", [])

    @property
    def memberships(self) -> DataLoader[str, list[Community]]:
        return self._get("memberships", [])


__all__ = ["Loaders"]
