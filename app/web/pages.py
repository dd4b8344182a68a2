"""The existing pages: GraphiQL at ``GET /graphql``, the community-health ``/dashboard``, and ``/`` -> GraphiQL.

Both are static HTML from app/static (the browser then calls the GraphQL API with a bearer token); they are served
only when ``WHOKNOWS_GRAPHIQL`` is on.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=8)
def static_html(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@router.get("/graphql")
async def graphiql() -> Response:
    return HTMLResponse(static_html("graphiql.html"), headers={"Cache-Control": "no-cache"})


@router.get("/dashboard")
async def dashboard() -> Response:
    return HTMLResponse(static_html("health.html"), headers={"Cache-Control": "no-cache"})


@router.get("/")
async def root() -> Response:
    return RedirectResponse("/graphql")


__all__ = ["STATIC_DIR", "router", "static_html"]
