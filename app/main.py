"""The FastAPI application: ``create_app(settings, store=None)``, a short factory that wires one router per concern.

- ``app/graphql/endpoint.py``: ``POST /graphql`` (bearer JWT) over ``app/graphql/executor.py`` (limits, timeout,
  response cache).
- ``app/web/pages.py``: GraphiQL (``GET /graphql``), static HTML from app/static, no CDN.
- ``app/web/``: the pages for people (search, person, communities, the analysts' planner) and sign-in.
- ``app/probes.py``: ``/healthz``, ``/readyz`` (503 while the store is unreachable), ``/metrics`` (Prometheus).

Shared state lives on ``app.state`` and routes reach it through the ``Annotated`` dependencies of ``app/deps.py``;
the store is reached only through the typed ``StoreGateway`` (app/gateway.py). The store is opened in the lifespan
handler (unless one is passed in); nothing is opened or built at import time.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from app import probes
from app.auth import Authenticator
from app.gateway import StoreGateway, open_existing
from app.graphql import endpoint
from app.graphql.cache import ResponseCache
from app.graphql.executor import GraphQLExecutor
from app.graphql.schema import build_schema
from app.graphql.services import Services
from app.head import HeadAsGet
from app.observability import Metrics, RequestContextMiddleware, configure_logging
from app.responses import error_response
from app.settings import Settings, load_settings
from app.web import install_web, pages
from graph.store import GraphStore
from schema.errors import AuthError

log = logging.getLogger("whoknows.api")


def create_app(settings: Settings, store: GraphStore | None = None) -> FastAPI:
    """Build the API for ``settings``; with ``store`` given, use it (the caller owns and closes it)."""
    metrics = Metrics()
    gateway = StoreGateway(
        store, lambda: _open(settings), retry_initial_s=settings.store_retry_initial_s,
        retry_max_s=settings.store_retry_max_s, on_unavailable=metrics.store_unavailable.inc,
        workers=settings.store_workers,
    )
    services = Services(response_cache=ResponseCache(settings.response_cache_ttl_s))
    schema = build_schema(settings)

    app = FastAPI(
        title="whoknows", version="0.1.0", lifespan=_lifespan(settings, owns_store=store is None),
        docs_url=None, redoc_url=None, openapi_url=None,
    )
    app.state.settings = settings
    app.state.gateway = gateway
    app.state.authenticator = Authenticator(settings)
    app.state.metrics = metrics
    app.state.schema = schema
    app.state.services = services
    app.state.executor = GraphQLExecutor(schema, settings, metrics, services.response_cache)
    app.add_exception_handler(AuthError, _unauthenticated)
    app.add_exception_handler(Exception, _unexpected)

    app.include_router(probes.router)
    if settings.graphiql:
        app.include_router(pages.router)
    install_web(app, settings)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR, check_dir=False), name="static")

    app.add_middleware(endpoint.GraphQLPost)  # innermost: CORS, request ids, logs and metrics wrap it
    app.add_middleware(HeadAsGet)  # monitors and link checkers send HEAD: the GET answer, without its body
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"], expose_headers=["X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app


def _open(settings: Settings) -> GraphStore:
    return open_existing(
        settings.store, neo4j_user=settings.neo4j_user, neo4j_password=settings.neo4j_password,
        neo4j_database=settings.neo4j_database,
    )


def _lifespan(settings: Settings, owns_store: bool) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Open the store at start-up (unless one was given) and close it at shutdown when it is ours."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway: StoreGateway = app.state.gateway
        opening: asyncio.Task[None] | None = None
        if gateway.store is None:  # listen at once; a locked or missing store is retried in the background
            opening = asyncio.get_running_loop().create_task(gateway.open_in_background())
        _tune_interpreter()
        try:
            yield
        finally:
            if opening is not None:
                opening.cancel()
            app.state.executor.shutdown()
            gateway.shutdown()
            if owns_store and gateway.store is not None:
                gateway.store.close()

    return lifespan


def _tune_interpreter() -> None:
    """Process settings for fairness (issue 9.3; bench/fairness_bench.py measures them).

    Expensive queries execute on a thread of their own (app/graphql/fairness.py); switching threads every
    millisecond rather than every five lets the API's loop answer cheap requests between their slices. Freezing the
    objects made at start-up keeps them out of the collector's passes, shortening its pauses under large answers.
    """
    sys.setswitchinterval(0.001)
    gc.freeze()


async def _unauthenticated(request: Request, exc: Exception) -> Response:
    return endpoint.unauthenticated(exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Anything no route handled: logged with its traceback, answered as a coded error, never a bare 500 page.

    (``POST /graphql`` answers its own unexpected errors as a GraphQL error with HTTP 200; this is for the rest, where
    503 tells a probe or a proxy not to count on this instance.)
    """
    rid = request.scope.get("state", {}).get("request_id", "-")
    log.error("unexpected error", exc_info=exc, extra={"fields": {"path": request.url.path}})
    return error_response("INTERNAL_SERVER_ERROR", f"internal error (request id {rid})", 503)


def app_from_env() -> FastAPI:
    """``uvicorn --factory app.main:app_from_env``: settings from the environment, JSON logs."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)


__all__ = ["app_from_env", "create_app"]
