"""FastAPI dependencies: what a route may ask for (``GatewayDep``, ``PrincipalDep``, ``SettingsDep``...).

Everything lives on ``app.state``, set once by ``app.main.create_app``; routers in their own modules reach it
through these ``Annotated`` types instead of closures, so a new router needs nothing from the factory but
``include_router``. Every dependency is ``async def``: FastAPI runs a plain ``def`` dependency in its thread pool,
a thread hop per dependency per request (four of them were a tenth of the API's CPU under load).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.auth import Authenticator, Principal
from app.gateway import StoreGateway
from app.observability import Metrics
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_gateway(request: Request) -> StoreGateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics  # type: ignore[no-any-return]


async def get_principal(request: Request) -> Principal:
    """The caller, from the bearer token (``Authenticator.principal``: never a blocking key fetch on the loop)."""
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator.principal(request.headers.get("authorization"))


SettingsDep = Annotated[Settings, Depends(get_settings)]
GatewayDep = Annotated[StoreGateway, Depends(get_gateway)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]

__all__ = [
    "GatewayDep", "MetricsDep", "PrincipalDep", "SettingsDep", "get_gateway", "get_metrics", "get_principal",
    "get_settings",
]
