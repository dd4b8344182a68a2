"""The per-request GraphQL context: the caller, the store gateway (app/gateway.py), settings, loaders, services."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.auth import Principal, Role
from app.clock import data_clock
from app.gateway import StoreGateway
from app.graphql.documents import Prepared
from app.graphql.loaders import Loaders
from app.graphql.services import Services
from app.settings import Settings


@dataclass
class Context:
    """What every resolver sees as ``info.context``."""

    principal: Principal
    gateway: StoreGateway
    settings: Settings
    request_id: str = "-"
    services: Services = field(default_factory=Services)
    prepared: Prepared | None = None  # the request's parsed and validated document (app/graphql/documents.py)
    cost: int = 0  # its cost for this request's variables (app/graphql/analysis.py)
    _loaders: Loaders | None = field(default=None, repr=False)
    _clock: asyncio.Future[datetime] | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, built on first use (a query that needs none pays for none)."""
        if self._loaders is None:
            self._loaders = Loaders(self.gateway)
        return self._loaders

    async def data_now(self) -> datetime:
        """The data's clock (:func:`app.clock.data_clock`: the last analysis' latest post), read once a request:
        what "last month" in an explanation is relative to, as in the seeds and the health figures."""
        if self._clock is None:  # one read however many explanations of the request ask at once
            self._clock = asyncio.ensure_future(self._read_clock())
        return await asyncio.shield(self._clock)

    async def _read_clock(self) -> datetime:
        last = await self.gateway.run(lambda s: s.last_run(), light=True)
        return data_clock(last.stats if last is not None else None, datetime.now(UTC))

    def require(self, role: Role, what: str) -> None:
        self.principal.require(role, what)


__all__ = ["Context", "StoreGateway"]
