"""HEAD answered as GET without the body (RFC 9110, 9.3.2), for every page and probe.

Why: FastAPI routes declared with GET answer HEAD with 405, so an uptime monitor or a link checker that sends HEAD
(many do, to save the body) saw every page and ``/healthz`` as broken.
"""

from __future__ import annotations

from app.observability import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Runs a HEAD request as GET and sends its status and headers (Content-Length included) without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


__all__ = ["HeadAsGet"]
