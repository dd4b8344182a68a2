"""How the API is served over HTTP: uvicorn with an HTTP protocol that bounds what one connection may hold.

uvicorn (0.55, httptools) bounds none of it, and each was a way for one client to starve the others or grow the
process without limit:

- a connection that never sends a request, or sends its headers a byte at a time (slowloris), was kept forever:
  uvicorn's keep-alive timeout only starts after a response. A few hundred such connections held every file
  descriptor a default ``ulimit -n`` of 1024 allows, and new clients waited in the listen queue;
- a request body that arrives a byte a second, or a chunked body that never ends, was read forever;
- the request line and headers were buffered whole, however large: four requests each sending one 50 MB header
  grew the process by 190 MB while they were read.

``GuardedHttpTools`` (``http=`` of ``uvicorn_options``) gives each request ``WHOKNOWS_READ_TIMEOUT_S`` to send
its headers and as long again for its body (408 and the connection closed; time the server makes the client wait,
a request queued behind one still being answered, does not count), refuses a request line and headers over
``MAX_HEAD_BYTES`` (431), and past ``WHOKNOWS_MAX_CONNECTIONS`` open connections closes the one that has waited
longest for its client (idle, or dripping a head or a body; a new connection is answered 503 only when every open
one is busy). ``whoknows serve`` and the tests' live servers both start uvicorn with ``uvicorn_options``; ``uvicorn
--factory app.main:app_from_env`` does not, so deployers use ``whoknows serve``.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import OrderedDict
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import Settings

log = logging.getLogger("whoknows.api")
# request line and headers: browsers send a few KB (a session cookie, a page's query string); nginx's default
# buffers take 32 KB
MAX_HEAD_BYTES = 64 * 1024
KEEP_ALIVE_S = 5  # an idle connection between two requests (uvicorn's own default, made explicit)
RESERVED_FDS = 128  # descriptors kept for the store, logs and the worker threads when the connection cap is set


def _status(code: int, reason: str, message: str) -> bytes:
    body = message.encode()
    return (f"HTTP/1.1 {code} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {len(body)}"
            "\r\nconnection: close\r\n\r\n").encode() + body


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with read deadlines, a bound on the request head and a connection cap."""

    read_timeout_s: float = 10.0
    max_connections: int = 1000
    # this server's connections that may be waiting for their clients, longest-waiting first (entries that since
    # became busy are skipped, and dropped, when a connection must be shed): finding whom to shed costs O(1)
    # amortised, where a scan of every connection per new one over the cap cost the loop seconds under a flood
    waiters: OrderedDict[GuardedHttpTools, None] = OrderedDict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None
        self._in_head = True  # from the end of a request (or the connection's start) to the end of the next's headers
        self._head_bytes = 0
        self._last_event = ""  # "begin" or "end": the last request boundary the read being parsed crossed

    # --- connection ---------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait()
        self._arm()
        if len(self.connections) > self.max_connections:
            self._shed()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self.waiters.pop(self, None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:  # checked before the parser buffers it: a head in one read (up to 256 KB) counts too
            end = data.find(b"\r\n\r\n")
            if self._head_bytes + (len(data) if end < 0 else end + 4) > MAX_HEAD_BYTES:
                self._refuse(431, "Request Header Fields Too Large",
                             f"the request line and headers are over {MAX_HEAD_BYTES // 1024} KB")
                return
        self._last_event = ""
        super().data_received(data)
        if self._in_head and not self.transport.is_closing() and self._last_event != "end":
            # the bytes of a head still incomplete: the whole read when it was a head throughout; when the head began
            # in this read, those after the previous head's end (a request pipelined before it in the same read
            # may have its body counted too); none when the read ended a request and began no other
            ended = data.rfind(b"\r\n\r\n") if self._last_event == "begin" else -1
            self._head_bytes += len(data) - (ended + 4 if ended >= 0 else 0)

    # --- parser callbacks ---------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._last_event = True, 0, "begin"
        self._wait()
        if self._read_timer is None:  # a keep-alive connection's next request: its headers on a clock too
            self._arm()

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        super().on_headers_complete()
        self._disarm()
        self._wait()
        self._arm()  # now for the body (cancelled at once when there is none)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # whatever comes next on this connection is the next request's head
        self._in_head, self._head_bytes, self._last_event = True, 0, "end"
        self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._wait()  # idle from now (uvicorn's keep-alive timeout closes it)

    # --- deadlines, refusals, shedding --------------------------------------------------------------

    def _wait(self) -> None:
        """The connection begins to wait for its client: last in the shedding order."""
        self.waiters[self] = None
        self.waiters.move_to_end(self)

    def _arm(self) -> None:
        if self._read_timer is None:
            self._read_timer = self.loop.call_later(self.read_timeout_s, self._read_timed_out)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if self._server_busy():  # the server is making the client wait: not the client's fault
            self._arm()
            return
        self._refuse(408, "Request Timeout", f"the request was not received within {self.read_timeout_s:g} s")

    def _refuse(self, code: int, reason: str, message: str) -> None:
        """Answer ``code`` (unless a response is under way) and close: the request is not read any further."""
        cycle = self.cycle
        if cycle is None or (cycle.response_complete and self._in_head):  # between requests
            self.transport.write(_status(code, reason, message))
        elif not cycle.response_complete:  # its body (or a request queued behind it) still arriving
            if not cycle.response_started:
                self.transport.write(_status(code, reason, message))
            cycle.disconnected = True  # the app reading the body sees the client gone, and writes nothing more
            cycle.message_event.set()
        # else: answered before its body was read (a 401, a 413): only closed
        self._disarm()
        self.transport.close()

    def _busy(self) -> bool:
        """A request of this connection is being answered (or queued behind one)."""
        return bool(self.pipeline) or (self.cycle is not None and not self.cycle.response_complete)

    def _waiting_on_client(self) -> bool:
        """Idle, or still receiving a request's head or body: closing it loses no work of the server's."""
        return not self._server_busy() and (self._read_timer is not None or not self._busy())

    def _server_busy(self) -> bool:
        """The client is waiting for us: reading paused (a body not read yet, a request queued behind another), or
        the next request's head arriving while the previous one is still being answered."""
        return self.flow.read_paused or bool(self.pipeline) or (self._in_head and self._busy())

    def _shed(self) -> None:
        """Over the connection cap: close the connection that has waited longest for its client (idle, or dripping
        a head or a body); when every other one is being answered, answer this one 503."""
        while self.waiters:
            oldest = next(iter(self.waiters))
            del self.waiters[oldest]
            if oldest is self or oldest.transport.is_closing() or not oldest._waiting_on_client():
                continue  # busy since it last waited: listed again when it next waits
            if oldest._busy() or oldest._in_head and oldest._head_bytes:
                oldest._refuse(503, "Service Unavailable", "too many connections: this one waited longest")
            else:  # idle: closed as a keep-alive timeout would
                oldest._disarm()
                oldest.transport.close()
            return
        log.warning("connection cap reached with every connection busy; answering 503",
                    extra={"fields": {"max_connections": self.max_connections}})
        self._refuse(503, "Service Unavailable", "the server is busy; try again in a moment")


def guarded_protocol(settings: Settings) -> type[GuardedHttpTools]:
    """The protocol class for ``settings`` (uvicorn instantiates it per connection, so the values are class ones)."""
    return type("GuardedHttpTools", (GuardedHttpTools,), {
        "read_timeout_s": settings.read_timeout_s, "max_connections": connection_cap(settings.max_connections),
        "waiters": OrderedDict(),
    })


def connection_cap(wanted: int) -> int:
    """``wanted``, lowered to what the process's descriptor limit allows (raised to its hard limit first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, wanted + RESERVED_FDS)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft != resource.RLIM_INFINITY and wanted > soft - RESERVED_FDS:
        cap = max(16, soft - RESERVED_FDS)
        log.warning("WHOKNOWS_MAX_CONNECTIONS lowered to fit the open-file limit",
                    extra={"fields": {"wanted": wanted, "cap": cap, "nofile": soft}})
        return cap
    return wanted


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The options ``whoknows serve`` gives ``uvicorn.run`` (besides host, port and logging)."""
    return {"http": guarded_protocol(settings), "ws": "none", "lifespan": "on", "timeout_keep_alive": KEEP_ALIVE_S,
            "server_header": False}


def uvicorn_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """A uvicorn configuration serving ``app`` as ``whoknows serve`` does (for a server started in-process)."""
    return uvicorn.Config(app, **uvicorn_options(settings), **options)


__all__ = [
    "MAX_HEAD_BYTES", "GuardedHttpTools", "connection_cap", "guarded_protocol", "uvicorn_config", "uvicorn_options",
]
