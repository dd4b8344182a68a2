"""``POST /graphql``: a thin handler over the executor (app/graphql/executor.py), not strawberry's router.

Status codes are ours: 401 without a valid token, 413 for an oversized body, 400 for a body that is not a GraphQL
request, and never a 500 for bad input; everything else is a GraphQL answer with ``extensions.code`` per error.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.deps import GatewayDep, PrincipalDep, SettingsDep
from app.graphql.context import Context
from app.graphql.executor import GraphQLExecutor
from app.graphql.services import Services
from app.responses import error_response

MAX_BODY_BYTES = 256 * 1024
log = logging.getLogger("whoknows.api")

router = APIRouter()


async def get_executor(request: Request) -> GraphQLExecutor:
    return request.app.state.executor  # type: ignore[no-any-return]


async def get_services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


ExecutorDep = Annotated[GraphQLExecutor, Depends(get_executor)]
ServicesDep = Annotated[Services, Depends(get_services)]


def _bad(message: str, status: int = 400) -> Response:
    return error_response("BAD_USER_INPUT", message, status)


@router.post("/graphql")
async def graphql_post(
    request: Request, gateway: GatewayDep, principal: PrincipalDep, settings: SettingsDep, executor: ExecutorDep,
    services: ServicesDep,
) -> Response:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return _bad(f"request body over {MAX_BODY_BYTES} bytes", 413)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _bad(f"request body over {MAX_BODY_BYTES} bytes", 413)
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return _bad("the request body is not JSON")
    if not isinstance(payload, dict):
        return _bad("the request body must be a JSON object")
    query = payload.get("query")
    variables = payload.get("variables")
    op_name = payload.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return _bad("'query' must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        return _bad("'variables' must be an object")
    if op_name is not None and not isinstance(op_name, str):
        return _bad("'operationName' must be a string")

    rid = request.scope["state"].get("request_id", "-")
    ctx = Context(principal=principal, gateway=gateway, settings=settings, request_id=rid, services=services)
    try:
        answer = await executor.respond(query, variables, op_name, ctx)
    except Exception:  # a bug of ours, never the caller's: logged with its traceback, answered with a code
        log.exception("unexpected error answering a GraphQL request")
        return error_response("INTERNAL_SERVER_ERROR", f"internal error (request id {rid})")
    request.scope["state"]["operation"] = answer.label
    return Response(answer.body, status_code=answer.status, media_type="application/json")


__all__ = ["MAX_BODY_BYTES", "router"]
