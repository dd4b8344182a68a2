"""GraphiQL at ``GET /graphql``: static HTML from app/static (the browser then calls the GraphQL API with a bearer
token), served only when ``WHOKNOWS_GRAPHIQL`` is on. The pages for people are the other modules of app/web."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=8)
def static_html(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@router.get("/graphql")
async def graphiql() -> Response:
    return HTMLResponse(static_html("graphiql.html"), headers={"Cache-Control": "no-cache"})


__all__ = ["STATIC_DIR", "router", "static_html"]
