"""GraphiQL at ``GET /graphql``: static HTML from app/static (the browser then calls the GraphQL API with a bearer
token), served only when ``WHOKNOWS_GRAPHIQL`` is on. The pages for people are the other modules of app/web."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)
# GraphiQL keeps the headers it was given (a bearer token) in the browser's storage: a page of another site must not
# frame it and trick a signed-in admin into clicking "run" on a mutation (the pages for people send the same). Its
# inline script rules out the pages' full CSP, so only framing is forbidden here.
HEADERS = {"Cache-Control": "no-cache", "Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
           "X-Content-Type-Options": "nosniff"}


@lru_cache(maxsize=8)
def static_html(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@router.get("/graphql")
async def graphiql() -> Response:
    return HTMLResponse(static_html("graphiql.html"), headers=HEADERS)


__all__ = ["STATIC_DIR", "router", "static_html"]
