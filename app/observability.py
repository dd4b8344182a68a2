"""Structured JSON logs with a request id, and Prometheus metrics.

The middleware is plain ASGI (not Starlette's ``BaseHTTPMiddleware``, which costs a task and a stream per request):
it takes ``X-Request-ID`` from the caller or makes one, echoes it on the response, puts it in a context variable
that every log line carries, and records one access line plus the HTTP metrics. GraphQL metrics are labelled by
*operation* = the root fields asked for (a bounded set, unlike client-chosen operation names).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, separators=(",", ":"))


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """Route the ``whoknows`` logger (and uvicorn's error logger) through the JSON formatter, once."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("whoknows", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False


class Metrics:
    """The service's Prometheus metrics, in their own registry so several apps (tests) can coexist."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.http_requests = Counter(
            "whoknows_http_requests_total", "HTTP requests by route and status", ["route", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "whoknows_http_request_duration_seconds", "HTTP request latency by route", ["route"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.graphql_requests = Counter(
            "whoknows_graphql_requests_total", "GraphQL requests by operation and outcome", ["operation", "outcome"],
            registry=self.registry,
        )
        self.graphql_latency = Histogram(
            "whoknows_graphql_request_duration_seconds", "GraphQL request latency by operation", ["operation"],
            buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.cache_hits = Counter(
            "whoknows_graphql_cache_hits_total", "GraphQL responses served from the response cache",
            registry=self.registry,
        )
        self.store_unavailable = Counter(
            "whoknows_store_unavailable_total", "Store calls that found the store unavailable", registry=self.registry
        )

    def observe_graphql(self, operation: str, outcome: str, seconds: float) -> None:
        self.graphql_requests.labels(operation, outcome).inc()
        self.graphql_latency.labels(operation).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


KNOWN_ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics", "/", "/health"})
CLIENT_GONE = 499  # the status logged and counted for a request whose client left before any answer


class RequestContextMiddleware:
    """Request id, access log and HTTP metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logger or logging.getLogger("whoknows.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        for key, value in scope.get("headers", ()):
            if key == b"x-request-id":
                text = value.decode("latin-1")
                rid = text if _REQUEST_ID.match(text) else ""
                break
        rid = rid or uuid.uuid4().hex
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        start = time.perf_counter()
        status = 0  # no response started yet
        gone = False
        rid_header = (b"x-request-id", rid.encode())

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), rid_header]
            await send(message)

        async def receive_wrapper() -> Message:
            nonlocal gone
            message = await receive()
            gone = gone or message["type"] == "http.disconnect"
            return message

        try:
            await self.app(scope, receive_wrapper, send_wrapper)
        except BaseException:
            status = status or 500
            raise
        finally:
            if not status:
                # nothing answered: the client went away (its body cut off, or gone before the answer), which is
                # CLIENT_GONE (nginx's 499), not ours; before, it was counted and logged as a 500, so any client
                # could raise the server-error rate an operator is paged on. Otherwise uvicorn answers 500
                status = CLIENT_GONE if gone else 500
            elapsed = time.perf_counter() - start
            path = scope.get("path", "")
            route = path if path in KNOWN_ROUTES else ("/static" if path.startswith("/static/") else "other")
            self.metrics.http_requests.labels(route, str(status)).inc()
            self.metrics.http_latency.labels(route).observe(elapsed)
            if self.log.isEnabledFor(logging.INFO):
                self.log.info(
                    "request",
                    extra={"fields": {
                        "method": scope.get("method"), "path": path, "status": status,
                        "duration_ms": round(elapsed * 1000, 3),
                        "operation": scope["state"].get("operation"),
                    }},
                )
            request_id_var.reset(token)


__all__ = [
    "JsonFormatter",
    "Metrics",
    "RequestContextMiddleware",
    "configure_logging",
    "request_id_var",
]
