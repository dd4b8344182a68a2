"""``POST /graphql``: a thin plain-ASGI handler over the executor (app/graphql/executor.py), not strawberry's router.

Status codes are ours: 401 without a valid token, 413 for an oversized body, 400 for a body that is not a GraphQL
request, and never a 500 for bad input; everything else is a GraphQL answer with ``extensions.code`` per error.

Why plain ASGI (``GraphQLPost``, installed as the innermost middleware, so the request id, access log, metrics and
CORS still wrap it) rather than a FastAPI route: FastAPI's route machinery (exception and exit-stack middlewares,
routing, dependency solving, the Request object) was a tenth of the API's CPU per directory request, for an
endpoint that uses none of it. GraphiQL on ``GET /graphql`` goes on to the router; OPTIONS and other methods are
answered here with the methods ``/graphql`` takes.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs

from starlette.responses import Response

from app.graphql.context import Context
from app.graphql.executor import GraphQLExecutor
from app.observability import ASGIApp, Receive, Scope, Send
from app.responses import error_response
from schema.errors import AuthError

MAX_BODY_BYTES = 256 * 1024
PATH = "/graphql"
log = logging.getLogger("whoknows.api")


class GraphQLPost:
    """Answers ``POST /graphql``; passes every other request to the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.app(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _other_method(scope, receive, send, self.app)
            return
        state = scope.setdefault("state", {})
        try:
            response = await _answer(scope, receive, state)
        except Exception:  # a bug of ours, never the caller's: logged with its traceback, answered with a code
            rid = state.get("request_id", "-")
            log.exception("unexpected error answering a GraphQL request")
            response = error_response("INTERNAL_SERVER_ERROR", f"internal error (request id {rid})", 503)
        if response is not None:
            await response(scope, receive, send)


def allowed_methods(graphiql: bool) -> str:
    """The ``Allow`` header of ``/graphql``: POST always, GET (and so HEAD) while GraphiQL is served there.

    >>> allowed_methods(True), allowed_methods(False)
    ('GET, HEAD, POST, OPTIONS', 'POST, OPTIONS')
    """
    return "GET, HEAD, POST, OPTIONS" if graphiql else "POST, OPTIONS"


async def _other_method(scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
    """GET and HEAD go on to GraphiQL when it is served; OPTIONS is answered with what ``/graphql`` takes, any other
    method 405 with the same ``Allow``. Before, the router answered both from the GET route alone ("allow: GET",
    although POST is the endpoint)."""
    graphiql = scope["app"].state.settings.graphiql
    method = scope["method"]
    if method in ("GET", "HEAD") and graphiql and not get_query(scope):
        await app(scope, receive, send)
        return
    allow = allowed_methods(graphiql)
    if method == "OPTIONS":
        response = Response(status_code=204, headers={"Allow": allow})
    elif method == "GET" and graphiql:
        response = error_response("BAD_USER_INPUT", "send the query with POST (a JSON body: {\"query\": ...}); GET "
                                  "/graphql is GraphiQL, for a browser", 405, {"Allow": allow})
    else:
        response = error_response("BAD_USER_INPUT", f"/graphql takes {allow}, not {method[:20]}", 405,
                                  {"Allow": allow})
    await response(scope, receive, send)


def get_query(scope: Scope) -> bool:
    """A GET that carries a ``query`` parameter and does not ask for a page: a client that expects GraphQL over GET
    (JSON), which used to be answered 200 with GraphiQL's HTML. A browser opening a GraphiQL link that prefills the
    editor (``?query=...``) asks for ``text/html`` and still gets GraphiQL.

    >>> get_query({"method": "GET", "query_string": b"query=%7Bx%7D", "headers": [(b"accept", b"*/*")]})
    True
    >>> get_query({"method": "GET", "query_string": b"query=%7Bx%7D", "headers": [(b"accept", b"text/html,*/*")]})
    False
    >>> get_query({"method": "GET", "query_string": b"", "headers": []})
    False
    """
    if scope["method"] != "GET" or "query" not in parse_qs(scope.get("query_string", b"").decode("latin-1")):
        return False
    accept = b",".join(v for k, v in scope.get("headers", []) if k == b"accept").lower()
    return b"text/html" not in accept


def _bad(message: str, status: int = 400) -> Response:
    return error_response("BAD_USER_INPUT", message, status)


def unauthenticated(exc: Exception) -> Response:
    return error_response("UNAUTHENTICATED", str(exc), 401, {"WWW-Authenticate": 'Bearer realm="whoknows"'})


async def _body(receive: Receive) -> bytes | None:
    """The request body, or None when the client went away; reading stops past MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES or not message.get("more_body", False):
            return b"".join(chunks)


def not_json(exc: ValueError | RecursionError) -> str:
    """Why the body could not be read, where: every parser failure said "the request body is not JSON", also for
    JSON nested past the parser's depth or holding a number of more digits than Python reads (which are JSON).

    >>> not_json(json.JSONDecodeError("Expecting value", "x", 0))
    'the request body is not JSON: Expecting value at character 1'
    >>> not_json(RecursionError())
    'the request body is JSON nested too deeply to read'
    """
    if isinstance(exc, RecursionError):
        return "the request body is JSON nested too deeply to read"
    if isinstance(exc, json.JSONDecodeError):
        return f"the request body is not JSON: {exc.msg} at character {exc.pos + 1}"
    if isinstance(exc, UnicodeDecodeError):
        return f"the request body is not UTF-8 text (byte {exc.start}): send JSON in UTF-8"
    if "digits" in str(exc):
        return "the request body holds a number of more than 4,300 digits, which is not read"
    return "the request body is not JSON"


async def _answer(scope: Scope, receive: Receive, state: dict[str, Any]) -> Response | None:
    app_state = scope["app"].state
    length = authorization = None
    encodings: list[str] = []
    for key, value in scope["headers"]:
        if key == b"content-length":
            length = value.decode("latin-1")
        elif key == b"authorization":
            authorization = value.decode("latin-1")
        elif key == b"content-encoding":
            encodings += [e.strip().lower() for e in value.decode("latin-1").split(",") if e.strip()]
    try:
        principal = await app_state.authenticator.principal(authorization)
    except AuthError as exc:
        return unauthenticated(exc)
    if any(e != "identity" for e in encodings):
        # never decompressed (no bomb can grow here), and "the request body is not JSON" did not say why
        shown = ", ".join(dict.fromkeys(encodings))[:80]
        return _bad(f"Content-Encoding {shown!r} is not accepted: send the JSON body uncompressed", 415)
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return _bad(f"request body over {MAX_BODY_BYTES} bytes", 413)
    raw = await _body(receive)
    if raw is None:
        return None
    if len(raw) > MAX_BODY_BYTES:
        return _bad(f"request body over {MAX_BODY_BYTES} bytes", 413)
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return _bad(not_json(exc))
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

    rid = state.get("request_id", "-")
    executor: GraphQLExecutor = app_state.executor
    ctx = Context(principal=principal, gateway=app_state.gateway, settings=app_state.settings, request_id=rid,
                  services=app_state.services)
    try:
        answer = await executor.respond(query, variables, op_name, ctx)
    except Exception:  # a bug of ours, never the caller's: logged with its traceback, answered with a code
        log.exception("unexpected error answering a GraphQL request")
        return error_response("INTERNAL_SERVER_ERROR", f"internal error (request id {rid})")
    state["operation"] = answer.label
    return Response(answer.body, status_code=answer.status, media_type="application/json")


__all__ = ["MAX_BODY_BYTES", "GraphQLPost", "allowed_methods", "unauthenticated"]
