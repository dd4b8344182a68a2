"""The web pages for people: search, person, communities, the analysts' planner, and sign-in.

``install_web(app, settings)`` adds the routes, the static files (served from here: no CDN) and the error pages to
an app whose ``state`` holds the GraphQL schema, the store gateway and the services (see app.main).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.responses import error_response
from app.settings import Settings
from app.web import auth_routes, pages_ask, pages_communities, pages_me, pages_person, pages_plan, pages_search
from app.web.bodylimit import FormBodyLimit
from app.web.core import (
    SIGNED_OUT,
    PageError,
    SignInNeeded,
    Web,
    error_page,
    make_templates,
    sign_in_redirect,
    start_deadline,
    wants_json,
)
from app.web.revocation import check_session
from app.web.session import SESSION_COOKIE, Sessions
from schema.errors import StoreBusy, StoreUnavailable

STATIC = Path(__file__).parent / "static"
# the machine-facing paths, which keep FastAPI's JSON errors; every other path is a page (or a mistyped one)
API_PATHS = ("/graphql", "/healthz", "/readyz", "/metrics", "/static/", "/web/static/", "/suggest/")
HTTP_MESSAGES = {
    404: "There is no page at this address; it may have been mistyped.",
    405: "This page does not answer that kind of request (method {method}).",
    413: "What was sent is too large.",
}


def without_slash(app: FastAPI, request: Request) -> str | None:
    """The address to send ``/plan/`` to: the same path without its trailing slash when a route takes that, as a
    relative reference (with the query). Starlette's own slash redirect wrote an absolute URL from the request's
    Host header, so ``Host: evil.example`` got ``Location: http://evil.example/plan`` (a poisoned cache or a proxy
    passing Host through would send people off-site); never a ``//host`` or ``/\\host`` reference either."""
    path = request.url.path
    target = path.rstrip("/")
    if not path.endswith("/") or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    scope = {**request.scope, "path": target}
    if not any(route.matches(scope)[0] != Match.NONE for route in app.router.routes):
        return None
    return target + (f"?{request.url.query}" if request.url.query else "")


def is_api_path(path: str) -> bool:
    """Whether ``path`` belongs to the API (JSON errors) rather than the pages (HTML error pages).

    >>> [is_api_path(p) for p in ("/graphql", "/healthz", "/static/x.js", "/suggest/skills", "/plan/x", "/search",
    ...                           "/graphqlx", "/staticky")]
    [True, True, True, True, False, False, False, False]
    """
    return any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in API_PATHS)


def install_web(app: FastAPI, settings: Settings) -> None:
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        from app.web.oidc import OidcClient

        oidc = OidcClient(settings)
    app.router.redirect_slashes = False  # our 404 handler redirects, relatively (without_slash)
    app.state.web = Web(settings=settings, sessions=Sessions(settings), templates=make_templates(), oidc=oidc)
    pages = (auth_routes, pages_search, pages_ask, pages_person, pages_communities, pages_plan, pages_me)
    for module in pages:  # one deadline for all of a page's reads, from the request's arrival; then, before any page
        # reads anything, whether its session was signed out (app/web/revocation.py)
        app.include_router(module.router, dependencies=[Depends(start_deadline), Depends(check_session)])
    page_paths = {getattr(r, "path", None) for m in pages for r in m.router.routes}
    app.mount("/web/static", StaticFiles(directory=STATIC), name="web-static")
    app.add_middleware(FormBodyLimit)  # inside GraphQLPost (app.main), which bounds POST /graphql itself

    @app.exception_handler(SignInNeeded)
    async def _sign_in(request: Request, exc: SignInNeeded) -> Response:
        """A person's browser goes to the sign-in page; a script's fetch (the skill autocomplete) gets a 401 it can
        read (it followed the redirect and failed to parse the sign-in page's HTML as JSON)."""
        if wants_json(is_api_path(request.url.path), request.headers.get("accept", "")):
            response = error_response("UNAUTHENTICATED", SIGNED_OUT, 401, {"Cache-Control": "no-store"})
        else:
            response = sign_in_redirect(request)
        if SESSION_COOKIE in request.cookies:  # revoked, expired or forged: the browser need not send it again
            app.state.web.sessions.sign_out(response)
        return response

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return error_page(request, exc.status, exc.message, exc.title)

    @app.exception_handler(RequestValidationError)
    async def _bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        """A page's parameter edited by hand (``?count=abc``) gets an error page that names it, not FastAPI's JSON;
        the API's own routes keep the JSON answer."""
        route = request.scope.get("route")
        if getattr(route, "path", None) not in page_paths:
            return await request_validation_exception_handler(request, exc)
        names = [str(e["loc"][-1]) for e in exc.errors() if e.get("loc")]
        said = ", ".join(f"'{n}'" for n in dict.fromkeys(names)) or "a parameter"
        return error_page(request, 400, f"The page's {said} is not valid here; go back and try again.")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """An unknown address (404), a method a page does not take (405) or a form over Starlette's limits (400)
        under the pages gets the pages' error page, not ``{"detail": "Not Found"}`` in a person's browser; the
        API's paths keep the JSON answer. A path with a trailing slash goes to the one without when that exists."""
        if exc.status_code == 404 and (target := without_slash(app, request)) is not None:
            return RedirectResponse(target, status_code=307)
        if exc.status_code < 400 or is_api_path(request.url.path):
            return await http_exception_handler(request, exc)
        await check_session(request)  # no route ran it: the page's header must not show a revoked session's name
        known = HTTP_MESSAGES.get(exc.status_code)
        message = known.format(method=request.method) if known else str(exc.detail)
        response = error_page(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():  # e.g. Allow on a 405
            response.headers[name] = value
        return response

    @app.exception_handler(StoreBusy)
    async def _store_busy(request: Request, exc: StoreBusy) -> Response:
        return error_page(request, 503, "whoknows is busy saving other changes right now; nothing was changed. "
                          "Try again in a moment.", title="One moment")

    @app.exception_handler(StoreUnavailable)
    async def _store_down(request: Request, exc: StoreUnavailable) -> Response:
        return error_page(request, 503, "The graph store is unavailable right now; try again in a moment.")


__all__ = ["API_PATHS", "install_web", "is_api_path", "without_slash"]
