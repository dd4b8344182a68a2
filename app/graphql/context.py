"""The per-request GraphQL context: the caller, the store gateway (app/gateway.py), settings, loaders, services."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.auth import Principal, Role
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

    @property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, built on first use (a query that needs none pays for none)."""
        if self._loaders is None:
            self._loaders = Loaders(self.gateway)
        return self._loaders

    def require(self, role: Role, what: str) -> None:
        self.principal.require(role, what)


__all__ = ["Context", "StoreGateway"]
