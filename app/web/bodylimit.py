"""A bound on the request bodies the pages read: their forms hold a CSRF token and a choice, a few hundred bytes.

Why: Starlette parses a form into memory, field by field, up to a megabyte a field and a thousand fields, so one
``POST /signout`` (no sign-in needed) of 300 fields of a megabyte each grew the process by 300 MB while it was read,
and a few such requests at once could exhaust the machine's memory. ``POST /graphql`` has its own bound
(app/graphql/endpoint.py) and never reaches this middleware.
"""

from __future__ import annotations

from app.observability import ASGIApp, Message, Receive, Scope, Send
from app.web.core import PageError

MAX_FORM_BYTES = 64 * 1024


class FormBodyLimit:
    """Stops reading a request body past ``limit`` bytes: the page answers 413 with its error page."""

    def __init__(self, app: ASGIApp, limit: int = MAX_FORM_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = 0
        for key, value in scope["headers"]:
            if key == b"content-length" and value.isdigit():
                declared = int(value)
        received = 0

        async def bounded() -> Message:
            # raised where the page reads its form, so its error page (a PageError) answers
            nonlocal received
            if declared > self.limit:
                raise _too_large(self.limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _too_large(self.limit)
            return message

        await self.app(scope, bounded, send)


def _too_large(limit: int) -> PageError:
    return PageError(413, f"The form sent more than {limit // 1024} KB; the page's forms are far smaller.",
                     title="Too much sent")


__all__ = ["MAX_FORM_BYTES", "FormBodyLimit"]
