"""Operational endpoints: ``/healthz`` (the process answers), ``/readyz`` (the store answers), ``/metrics``."""

from __future__ import annotations

import anyio
from fastapi import APIRouter
from fastapi.responses import Response

from app.deps import GatewayDep, MetricsDep, SettingsDep
from app.responses import json_response

router = APIRouter()


@router.get("/healthz")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get("/readyz")
async def readyz(gateway: GatewayDep, settings: SettingsDep) -> Response:
    """Ready when the store answers a ping within the request timeout. Unbounded, a store that stopped answering
    held the probe as long (forever, for a hung connection) and a store answering after 6 s was called ready."""
    ready = False
    with anyio.move_on_after(settings.request_timeout_s):
        ready = await gateway.ready()
    if ready:
        return json_response({"status": "ready"})
    return json_response({"status": "unavailable", "code": "STORE_UNAVAILABLE"}, 503, {"Retry-After": "1"})


@router.get("/metrics")
async def metrics_endpoint(metrics: MetricsDep) -> Response:
    data, content_type = metrics.exposition()
    return Response(data, media_type=content_type)


__all__ = ["router"]
