"""Runs one GraphQL document for the endpoint: limits, timeout, metrics, errors, and the response cache.

``GraphQLExecutor.respond`` is the whole path of a query after the HTTP checks: name the operation (a bounded
metrics label), serve it from the response cache (app/graphql/cache.py) when the store's data has not changed,
share one execution between concurrent identical requests (single flight), refresh stale entries in the
background, and otherwise execute it under the request timeout with errors formatted as ``extensions.code``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from functools import lru_cache
from typing import Any

import anyio
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLSyntaxError

from app.gateway import StoreGateway
from app.graphql.cache import CacheKey, ResponseCache
from app.graphql.context import Context
from app.graphql.limits import MAX_TOKENS
from app.graphql.schema import WhoknowsSchema, format_error
from app.observability import Metrics
from app.responses import encode, error_body
from app.settings import Settings
from schema.errors import WhoknowsError

log = logging.getLogger("whoknows.api")
AMBIGUOUS = "ambiguous"
Variables = dict[str, Any] | None


class GraphQLExecutor:
    """One per app: the schema, the response cache and the background refreshes it started."""

    def __init__(self, schema: WhoknowsSchema, settings: Settings, metrics: Metrics, cache: ResponseCache) -> None:
        self.schema = schema
        self.settings = settings
        self.metrics = metrics
        self.cache = cache
        self._background: set[asyncio.Task[None]] = set()  # refresh tasks, referenced until done
        gql = schema._schema
        self.root_fields = frozenset(
            name for t in (gql.query_type, gql.mutation_type) if t is not None for name in t.fields
        )
        self.operation_label = lru_cache(maxsize=2048)(self._operation_label)

    def _operation_label(self, query: str, operation_name: str | None) -> tuple[str, str | None]:
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
                if hasattr(s, "name") and s.name is not None and s.name.value in self.root_fields
            }
        )
        if not names:
            return ("introspection" if "__schema" in query or "__type" in query else "unknown"), kind
        return "+".join(names[:3]) + ("+more" if len(names) > 3 else ""), kind

    async def respond(
        self, query: str, variables: Variables, op_name: str | None, label: str, kind: str | None, ctx: Context
    ) -> bytes:
        """The encoded response to one request: from the cache when it may be, else executed."""
        cache = self.cache
        version = data_version(ctx.gateway) if kind == OperationType.QUERY.value and cache.enabled else None
        key = cache.key(version, ctx.principal.role, query, variables, op_name) if version is not None else None
        if key is None:
            encoded, _ = await self.execute(query, variables, op_name, kind, label, ctx)
            return encoded

        hit = cache.get(key)
        if hit is not None:
            encoded, fresh = hit
            if not fresh and cache.begin_refresh(key):
                task = asyncio.get_running_loop().create_task(self._refresh(key, query, variables, op_name, label, ctx))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
            self.metrics.observe_graphql(label, "ok", 0.0)
            self.metrics.cache_hits.inc()
            return encoded
        waiting = cache.inflight.get(key)
        if waiting is not None:  # the same query is running for another caller: share its answer
            try:
                with anyio.fail_after(self.settings.request_timeout_s):
                    encoded, _ = await asyncio.shield(waiting)
            except TimeoutError:
                return encode(self._timeout_body())
            return encoded
        future: asyncio.Future[tuple[bytes, str]] = asyncio.get_running_loop().create_future()
        cache.inflight[key] = future
        try:
            encoded, outcome = await self.execute(query, variables, op_name, kind, label, ctx)
            if outcome == "ok":
                cache.put(key, encoded)
            future.set_result((encoded, outcome))
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody was waiting
            raise
        finally:
            cache.inflight.pop(key, None)
        return encoded

    async def execute(
        self, query: str, variables: Variables, op_name: str | None, kind: str | None, label: str, ctx: Context
    ) -> tuple[bytes, str]:
        """Run one document: (encoded response, outcome), metrics recorded; TIMEOUT past the request timeout."""
        start = time.perf_counter()
        timeout = self.settings.request_timeout_s if kind != OperationType.MUTATION.value else None
        try:
            # reads are bounded by the request timeout; an admin's analytics run takes as long as it takes
            with anyio.fail_after(timeout):
                result = await self.schema.execute(
                    query, variable_values=variables, context_value=ctx, operation_name=op_name
                )
        except TimeoutError:
            self.metrics.observe_graphql(label, "timeout", time.perf_counter() - start)
            return encode(self._timeout_body()), "timeout"
        body: dict[str, Any] = {"data": result.data}
        outcome = "ok"
        if result.errors:
            body["errors"] = [format_error(e, ctx.request_id) for e in result.errors]
            outcome = body["errors"][0]["extensions"]["code"].lower()
        self.metrics.observe_graphql(label, outcome, time.perf_counter() - start)
        return encode(body), outcome

    async def _refresh(
        self, key: CacheKey, query: str, variables: Variables, op_name: str | None, label: str, ctx: Context
    ) -> None:
        """Re-execute a stale entry's query in the background; the entry is replaced only by a clean answer."""
        try:
            encoded, outcome = await self.execute(query, variables, op_name, OperationType.QUERY.value, label, ctx)
            if outcome == "ok":
                self.cache.put(key, encoded)
        except Exception:  # a failed refresh only means the entry ages out; log it, never crash the loop
            log.exception("background refresh of a cached response failed")
        finally:
            self.cache.end_refresh(key)

    def _timeout_body(self) -> dict[str, Any]:
        return error_body("TIMEOUT", f"the request took longer than {self.settings.request_timeout_s:g} s")


def data_version(gateway: StoreGateway) -> int | None:
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


__all__ = ["AMBIGUOUS", "GraphQLExecutor", "data_version"]
