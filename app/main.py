"""The FastAPI application: ``create_app(settings, store=None)``.

Routes: ``POST /graphql`` (bearer JWT), ``GET /graphql`` (GraphiQL, served from app/static, no CDN), ``/healthz``,
``/readyz`` (503 while the store is unreachable), ``/metrics`` (Prometheus). The store is opened in the lifespan
handler (unless one is passed in) and reached through ``Annotated`` dependencies; nothing is opened or built at
import time. The GraphQL endpoint is a thin handler over ``schema.execute`` rather than strawberry's router so that
status codes are ours (401 without a token, never a 500 for bad input) and the hot path stays short.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLSyntaxError

from app.auth import Authenticator, Principal
from app.graphql.cache import CacheKey, ResponseCache
from app.graphql.context import Context, StoreGateway
from app.graphql.limits import MAX_TOKENS
from app.graphql.schema import Services, build_schema, format_error
from app.observability import Metrics, RequestContextMiddleware, configure_logging
from app.settings import Settings, load_settings
from graph.store import GraphStore, open_store
from schema.errors import AuthError, WhoknowsError

log = logging.getLogger("whoknows.api")
STATIC_DIR = Path(__file__).parent / "static"
MAX_BODY_BYTES = 256 * 1024
AMBIGUOUS = "ambiguous"


def _error_body(code: str, message: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


def _encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(_encode(body), status_code=status, media_type="application/json", headers=headers)


# --- dependencies -----------------------------------------------------------------------------------


def get_gateway(request: Request) -> StoreGateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


async def get_principal(request: Request) -> Principal:
    """The caller, from the bearer token; a JWKS fetch (RS256) runs in a worker thread, never on the loop."""
    authenticator: Authenticator = request.app.state.authenticator
    token = authenticator.bearer(request.headers.get("authorization"))
    principal = authenticator.cached(token)
    if principal is not None:
        return principal
    if authenticator.fetches_keys:
        return await anyio.to_thread.run_sync(authenticator.verify, token)  # type: ignore[no-any-return]
    return authenticator.verify(token)


GatewayDep = Annotated[StoreGateway, Depends(get_gateway)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def operation_label_for(root_fields: frozenset[str]) -> Any:
    """A cached function naming a request's operation by the root fields it asks for (bounded label set)."""

    @lru_cache(maxsize=2048)
    def label(query: str, operation_name: str | None) -> tuple[str, str | None]:
        """(label, operation type): the type is None unless the document parses to exactly one operation."""
        try:
            doc = parse(query, no_location=True, max_tokens=MAX_TOKENS)
        except (GraphQLSyntaxError, RecursionError):
            return "invalid", None
        ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None and len(ops) > 1:
            return AMBIGUOUS, None
        if operation_name is not None:
            ops = [o for o in ops if o.name is not None and o.name.value == operation_name]
        if len(ops) != 1:
            return "invalid", None
        kind = ops[0].operation.value
        names = sorted(
            {
                s.name.value
                for s in ops[0].selection_set.selections
                if hasattr(s, "name") and s.name is not None and s.name.value in root_fields
            }
        )
        if not names:
            return ("introspection" if "__schema" in query or "__type" in query else "unknown"), kind
        return "+".join(names[:3]) + ("+more" if len(names) > 3 else ""), kind

    return label


# --- the app ----------------------------------------------------------------------------------------


def create_app(settings: Settings, store: GraphStore | None = None) -> FastAPI:
    """Build the API for ``settings``; with ``store`` given, use it (the caller owns and closes it)."""
    metrics = Metrics()
    owns_store = store is None

    def opener() -> GraphStore:
        return open_store(
            settings.store, neo4j_user=settings.neo4j_user, neo4j_password=settings.neo4j_password,
            neo4j_database=settings.neo4j_database,
        )

    gateway = StoreGateway(
        store, opener, retry_initial_s=settings.store_retry_initial_s, retry_max_s=settings.store_retry_max_s,
        on_unavailable=metrics.store_unavailable.inc,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if gateway.store is None:
            try:
                gateway.store = await anyio.to_thread.run_sync(opener)
                gateway.down = False
            except WhoknowsError as exc:
                log.error("cannot open the store; serving STORE_UNAVAILABLE until it is back",
                          extra={"fields": {"store": settings.store, "error": str(exc)}})
        try:
            yield
        finally:
            if owns_store and gateway.store is not None:
                gateway.store.close()

    app = FastAPI(
        title="whoknows", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
    )
    schema = build_schema(settings)
    app.state.settings = settings
    app.state.gateway = gateway
    app.state.authenticator = Authenticator(settings)
    app.state.metrics = metrics
    app.state.schema = schema
    services = Services(response_cache=ResponseCache(settings.response_cache_ttl_s))
    cache = services.response_cache
    background: set[asyncio.Task[None]] = set()  # refresh tasks, referenced until done
    app.state.services = services
    root_fields = frozenset(
        name
        for t in (schema._schema.query_type, schema._schema.mutation_type)
        if t is not None
        for name in t.fields
    )
    operation_label = operation_label_for(root_fields)

    @app.exception_handler(AuthError)
    async def _unauthenticated(request: Request, exc: AuthError) -> Response:
        return _json(_error_body("UNAUTHENTICATED", str(exc)), 401, {"WWW-Authenticate": 'Bearer realm="whoknows"'})

    @app.post("/graphql")
    async def graphql_post(request: Request, gateway: GatewayDep, principal: PrincipalDep) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return _json(_error_body("BAD_USER_INPUT", f"request body over {MAX_BODY_BYTES} bytes"), 413)
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return _json(_error_body("BAD_USER_INPUT", f"request body over {MAX_BODY_BYTES} bytes"), 413)
        try:
            payload = json.loads(raw)
        except (ValueError, RecursionError):
            return _json(_error_body("BAD_USER_INPUT", "the request body is not JSON"), 400)
        if not isinstance(payload, dict):
            return _json(_error_body("BAD_USER_INPUT", "the request body must be a JSON object"), 400)
        query = payload.get("query")
        variables = payload.get("variables")
        op_name = payload.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return _json(_error_body("BAD_USER_INPUT", "'query' must be a non-empty string"), 400)
        if variables is not None and not isinstance(variables, dict):
            return _json(_error_body("BAD_USER_INPUT", "'variables' must be an object"), 400)
        if op_name is not None and not isinstance(op_name, str):
            return _json(_error_body("BAD_USER_INPUT", "'operationName' must be a string"), 400)

        label, kind = operation_label(query, op_name)
        if label == AMBIGUOUS:  # the GraphQL spec requires a name here; strawberry would run the first one
            return _json(_error_body(
                "BAD_USER_INPUT", "the document has several operations: say which with 'operationName'"), 400)
        request.scope["state"]["operation"] = label
        rid = request.scope["state"].get("request_id", "-")
        is_query = kind == OperationType.QUERY.value
        version = _data_version(gateway) if is_query and cache.enabled else None
        cache_key = cache.key(version, principal.role, query, variables, op_name) if version is not None else None
        ctx = Context(principal=principal, gateway=gateway, settings=settings, request_id=rid, services=services)
        if cache_key is None:
            encoded, _ = await execute(query, variables, op_name, kind, label, ctx)
            return Response(encoded, media_type="application/json")

        hit = cache.get(cache_key)
        if hit is not None:
            encoded, fresh = hit
            if not fresh and cache.begin_refresh(cache_key):
                task = asyncio.get_running_loop().create_task(refresh(cache_key, query, variables, op_name, label, ctx))
                background.add(task)
                task.add_done_callback(background.discard)
            metrics.observe_graphql(label, "ok", 0.0)
            metrics.cache_hits.inc()
            return Response(encoded, media_type="application/json")
        waiting = cache.inflight.get(cache_key)
        if waiting is not None:  # the same query is running for another caller: share its answer
            try:
                with anyio.fail_after(settings.request_timeout_s):
                    encoded, _ = await asyncio.shield(waiting)
            except TimeoutError:
                return _json(_error_body("TIMEOUT", f"the request took longer than {settings.request_timeout_s:g} s"))
            return Response(encoded, media_type="application/json")
        future: asyncio.Future[tuple[bytes, str]] = asyncio.get_running_loop().create_future()
        cache.inflight[cache_key] = future
        try:
            encoded, outcome = await execute(query, variables, op_name, kind, label, ctx)
            if outcome == "ok":
                cache.put(cache_key, encoded)
            future.set_result((encoded, outcome))
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody was waiting
            raise
        finally:
            cache.inflight.pop(cache_key, None)
        return Response(encoded, media_type="application/json")

    async def execute(
        query: str, variables: dict[str, Any] | None, op_name: str | None, kind: str | None, label: str, ctx: Context
    ) -> tuple[bytes, str]:
        """Run one document: (encoded response, outcome), metrics recorded; TIMEOUT past the request timeout."""
        start = time.perf_counter()
        try:
            # reads are bounded by the request timeout; an admin's analytics run takes as long as it takes
            with anyio.fail_after(settings.request_timeout_s if kind != OperationType.MUTATION.value else None):
                result = await schema.execute(query, variable_values=variables, context_value=ctx,
                                              operation_name=op_name)
        except TimeoutError:
            metrics.observe_graphql(label, "timeout", time.perf_counter() - start)
            body = _error_body("TIMEOUT", f"the request took longer than {settings.request_timeout_s:g} s")
            return _encode(body), "timeout"
        body = {"data": result.data}
        outcome = "ok"
        if result.errors:
            body["errors"] = [format_error(e, ctx.request_id) for e in result.errors]
            outcome = body["errors"][0]["extensions"]["code"].lower()
        metrics.observe_graphql(label, outcome, time.perf_counter() - start)
        return _encode(body), outcome

    async def refresh(
        key: CacheKey, query: str, variables: dict[str, Any] | None, op_name: str | None, label: str, ctx: Context
    ) -> None:
        """Re-execute a stale entry's query in the background; the entry is replaced only by a clean answer."""
        try:
            encoded, outcome = await execute(query, variables, op_name, OperationType.QUERY.value, label, ctx)
            if outcome == "ok":
                cache.put(key, encoded)
        except Exception:  # a failed refresh only means the entry ages out; log it, never crash the loop
            log.exception("background refresh of a cached response failed")
        finally:
            cache.end_refresh(key)

    if settings.graphiql:

        @app.get("/graphql", include_in_schema=False)
        async def graphiql() -> Response:
            return HTMLResponse(_static_html("graphiql.html"), headers={"Cache-Control": "no-cache"})

        @app.get("/dashboard", include_in_schema=False)
        async def dashboard() -> Response:
            return HTMLResponse(_static_html("health.html"), headers={"Cache-Control": "no-cache"})

        @app.get("/", include_in_schema=False)
        async def root() -> Response:
            return RedirectResponse("/graphql")

    @app.get("/healthz")
    async def healthz() -> Response:
        return _json({"status": "ok"})

    @app.get("/readyz")
    async def readyz(gateway: GatewayDep) -> Response:
        if await gateway.ready():
            return _json({"status": "ready"})
        return _json({"status": "unavailable", "code": "STORE_UNAVAILABLE"}, 503, {"Retry-After": "1"})

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        data, content_type = metrics.exposition()
        return Response(data, media_type=content_type)

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"], expose_headers=["X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app


def _data_version(gateway: Any) -> int | None:
    """The store's committed-data version, or None (cache off) when it has none or cannot say.

    Cached answers are keyed by it, so any commit (an opt-out through ingest, an analytics run, from any process)
    makes every earlier entry unreachable at once: the cache never serves data older than the store's.
    """
    version = getattr(gateway.store, "data_version", None)
    if version is None:
        return None
    try:
        return int(version())
    except WhoknowsError:
        return None


@lru_cache(maxsize=4)
def _static_html(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def app_from_env() -> FastAPI:
    """``uvicorn --factory app.main:app_from_env``: settings from the environment, JSON logs."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)


__all__ = ["app_from_env", "create_app"]
