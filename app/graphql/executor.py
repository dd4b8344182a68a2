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
from dataclasses import dataclass
from typing import Any

import anyio
from graphql import OperationType

from app.graphql.analysis import check_variables, over_cost
from app.graphql.cache import CacheKey, ResponseCache
from app.graphql.context import Context
from app.graphql.fairness import LIGHT_COST, CostGate, HeavyLoop
from app.graphql.schema import WhoknowsSchema, format_error
from app.observability import Metrics
from app.responses import encode, error_body
from app.settings import Settings
from graph.store import deadline

log = logging.getLogger("whoknows.api")
Variables = dict[str, Any] | None


@dataclass(frozen=True)
class Answer:
    """What the endpoint sends: HTTP status, encoded JSON body, and the operation's metrics label."""

    status: int
    body: bytes
    label: str


class GraphQLExecutor:
    """One per app: the schema, its prepared documents, the response cache and the background refreshes."""

    def __init__(self, schema: WhoknowsSchema, settings: Settings, metrics: Metrics, cache: ResponseCache) -> None:
        self.schema = schema
        self.documents = schema.documents
        self.settings = settings
        self.metrics = metrics
        self.cache = cache
        self._background: set[asyncio.Task[None]] = set()  # refresh tasks, referenced until done
        self.gate = CostGate(settings.max_inflight_cost, settings.light_concurrency)
        self.heavy = HeavyLoop()

    async def respond(self, query: str, variables: Variables, op_name: str | None, ctx: Context) -> Answer:
        """Prepare the document (bounded, off the loop), check the operation and its cost, then answer it."""
        start = time.perf_counter()
        # one deadline for the whole request from its arrival: preparing and answering used to get a full timeout
        # each, so a request could take twice the timeout
        until = time.monotonic() + self.settings.request_timeout_s
        try:
            with anyio.fail_after(_left(until)):
                prepared = await self.documents.prepare(query)
        except TimeoutError:
            self.metrics.observe_graphql("invalid", "timeout", time.perf_counter() - start)
            return Answer(200, encode(self._timeout_body()), "invalid")
        if prepared.errors:
            self.metrics.observe_graphql("invalid", "bad_user_input", time.perf_counter() - start)
            body = {"data": None, "errors": [format_error(e, ctx.request_id) for e in prepared.errors]}
            return Answer(200, encode(body), "invalid")
        operation = prepared.operation(op_name)
        if operation is None:  # graphql-core would raise; strawberry would answer 500
            if op_name is None:
                message = "the document has several operations: say which with 'operationName'"
            else:
                message = f"the document has no operation named {op_name[:80]!r}"
            return Answer(400, encode(error_body("BAD_USER_INPUT", message)), "invalid")
        label = operation.label
        bad = check_variables(variables)
        cost = self.documents.cost(prepared, variables) if bad is None else 0
        bad = bad or over_cost(cost, self.documents.limits)
        if bad is not None:
            self.metrics.observe_graphql(label, "bad_user_input", time.perf_counter() - start)
            return Answer(200, encode(error_body("BAD_USER_INPUT", bad)), label)
        ctx.prepared, ctx.cost = prepared, cost
        query_kind = operation.kind == OperationType.QUERY.value
        try:
            # a query's store reads stop at the deadline too (graph/store/deadline.py), so its workers are free then.
            # A mutation is not cut off (a write given up on could still commit behind the answer), but its writes
            # wait for the write lock only until just before the deadline, then answer STORE_BUSY having changed
            # nothing: before, setMyVisibility waited out the 30 s busy timeout behind an ingest in another process
            # (an analytics run, run_long, has no deadline whatever the request)
            with anyio.fail_after(_left(until) if query_kind else None), deadline.reads_until(until):
                encoded = await self._answer(query, variables, op_name, operation.kind, label, ctx)
        except TimeoutError:
            self.metrics.observe_graphql(label, "timeout", time.perf_counter() - start)
            return Answer(200, encode(self._timeout_body()), label)
        return Answer(200, encoded, label)

    async def _answer(
        self, query: str, variables: Variables, op_name: str | None, kind: str, label: str, ctx: Context
    ) -> bytes:
        """The encoded response to one request: from the cache when it may be, else executed."""
        cache = self.cache
        version = await ctx.gateway.data_version() if kind == OperationType.QUERY.value and cache.enabled else None
        analysis = ctx.prepared.analysis if ctx.prepared is not None else None
        asker = ctx.principal.sub if analysis is None or analysis.per_asker else None
        key = cache.key(version, ctx.principal.role, query, variables, op_name, asker) if version is not None else None
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
                    shared = await asyncio.shield(waiting)
            except TimeoutError:
                return encode(self._timeout_body())
            if shared is not None and shared[1] != "timeout":  # its deadline was earlier than this request's
                return shared[0]
            # the caller running it gave up (its own deadline, a page's deadline, a client gone): run it here
            encoded, outcome = await self.execute(query, variables, op_name, kind, label, ctx)
            if outcome == "ok":
                cache.put(key, encoded)
            return encoded
        future: asyncio.Future[tuple[bytes, str] | None] = asyncio.get_running_loop().create_future()
        cache.inflight[key] = future
        try:
            encoded, outcome = await self.execute(query, variables, op_name, kind, label, ctx)
            if outcome == "ok":
                cache.put(key, encoded)
            future.set_result((encoded, outcome))
        except asyncio.CancelledError:
            # this caller's cancellation is not the others': passed on, it ended their requests as a 500
            future.set_result(None)
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody was waiting
            raise
        finally:
            cache.inflight.pop(key, None)
        return encoded

    async def execute(
        self, query: str, variables: Variables, op_name: str | None, kind: str, label: str, ctx: Context
    ) -> tuple[bytes, str]:
        """Run one document: (encoded response, outcome), metrics recorded; TIMEOUT past the request timeout."""
        start = time.perf_counter()
        timeout = self.settings.request_timeout_s if kind != OperationType.MUTATION.value else None
        try:
            # reads are bounded by the request timeout; an admin's analytics run takes as long as it takes
            until = None if timeout is None else time.monotonic() + timeout
            with anyio.fail_after(timeout), deadline.reads_until(until):
                # waits while the budget of expensive work in flight is spent (its turn fair between principals:
                # the token's subject, the web session's person), or for a light slot
                async with self.gate.admit(ctx.cost, query=kind == OperationType.QUERY.value,
                                           who=ctx.principal.sub):
                    run = self._run_encoded(query, variables, op_name, ctx)
                    heavy = kind == OperationType.QUERY.value and ctx.cost > LIGHT_COST
                    encoded, outcome = await (self.heavy.run(run) if heavy else run)
        except TimeoutError:
            outcome = "timeout"
        if outcome == "timeout":  # or a store read stopped at the deadline (StoreTimeout) a moment before
            self.metrics.observe_graphql(label, "timeout", time.perf_counter() - start)
            return encode(self._timeout_body()), "timeout"
        self.metrics.observe_graphql(label, outcome, time.perf_counter() - start)
        return encoded, outcome

    async def _run_encoded(self, query: str, variables: Variables, op_name: str | None, ctx: Context
                           ) -> tuple[bytes, str]:
        """Execute and encode, both on the loop that runs the request (encoding a large answer takes a while)."""
        result = await self.schema.execute(query, variable_values=variables, context_value=ctx, operation_name=op_name)
        body: dict[str, Any] = {"data": result.data}
        outcome = "ok"
        if result.errors:
            body["errors"] = [format_error(e, ctx.request_id) for e in result.errors]
            outcome = body["errors"][0]["extensions"]["code"].lower()
        encoded = encode(body)
        if len(encoded) > self.settings.max_response_bytes:
            # the cost bounds fields, not bytes: a last guard against an answer far larger than its request
            # (neither sent nor cached; MAX_ALIAS_CHARS stops the known way to build one)
            message = (f"the answer is {len(encoded)} bytes; at most {self.settings.max_response_bytes} are sent: "
                       "ask for smaller pages or fewer fields")
            return encode(error_body("BAD_USER_INPUT", message)), "bad_user_input"
        return encoded, outcome

    async def _refresh(
        self, key: CacheKey, query: str, variables: Variables, op_name: str | None, label: str, ctx: Context
    ) -> None:
        """Re-execute a stale entry's query in the background; the entry is replaced only by a clean answer."""
        try:
            # its own timeout from now (in execute), not the deadline of the request that found the entry stale
            with deadline.reads_until(None, replace=True):
                encoded, outcome = await self.execute(query, variables, op_name, OperationType.QUERY.value, label, ctx)
            if outcome == "ok":
                self.cache.put(key, encoded)
        except Exception:  # a failed refresh only means the entry ages out; log it, never crash the loop
            log.exception("background refresh of a cached response failed")
        finally:
            self.cache.end_refresh(key)

    def shutdown(self) -> None:
        self.heavy.stop()

    def _timeout_body(self) -> dict[str, Any]:
        return error_body("TIMEOUT", f"the request took longer than {self.settings.request_timeout_s:g} s")


def _left(until: float) -> float:
    """Seconds from now to ``until`` (``time.monotonic()``), at least zero."""
    return max(0.0, until - time.monotonic())


__all__ = ["Answer", "GraphQLExecutor"]
