"""What every page shares: templates, the signed-in user, in-process GraphQL, and error pages.

Pages read through the GraphQL schema in-process (the same role checks, privacy guards and explanations as the
API, without HTTP) and, for page-only reads, through typed store calls on the gateway. A GraphQL FORBIDDEN becomes
a 403 page, NOT_FOUND a 404 page, STORE_UNAVAILABLE a 503 page: never a broken page.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import anyio
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.auth import Role
from app.gateway import StoreGateway
from app.graphql.context import Context
from app.graphql.executor import GraphQLExecutor
from app.settings import Settings
from app.web.charts import count_bar
from app.web.session import Sessions, WebUser
from app.web.wording import for_a_person
from graph.store.base import GraphStore
from graph.store.deadline import reads_until
from schema.errors import StoreTimeout

TEMPLATES = Path(__file__).parent / "templates"
R = TypeVar("R")

STATUS_TITLES = {
    400: "That request did not make sense",
    403: "Not for your role",
    404: "Not found",
    405: "Not a request this page takes",
    503: "The graph store is unavailable",
}


class PageError(Exception):
    """Ends a page with an error page of this status."""

    def __init__(self, status: int, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title


class SignInNeeded(Exception):
    """No (valid) session: redirect to the sign-in page."""


CODE_STATUS = {"FORBIDDEN": 403, "NOT_FOUND": 404, "STORE_UNAVAILABLE": 503, "STORE_BUSY": 503,
               "UNAUTHENTICATED": 401, "TIMEOUT": 503, "BAD_USER_INPUT": 400}
CODE_TITLES = {"TIMEOUT": "That took too long"}  # a 503 that is not the store's fault


@dataclass
class Web:
    """The pages' app-wide state (``app.state.web``)."""

    settings: Settings
    sessions: Sessions
    templates: Jinja2Templates
    oidc: Any = None  # app.web.oidc.OidcClient when WHOKNOWS_OIDC_ISSUER is set


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.filters["pct"] = lambda v, digits=0: "–" if v is None else f"{100 * float(v):.{digits}f} %"
    env.filters["num"] = lambda v, digits=2: "–" if v is None else f"{float(v):,.{digits}f}"
    env.filters["day"] = _day
    env.filters["hours"] = duration
    env.filters["q"] = lambda v: quote(str(v), safe="")
    env.globals["count_bar"] = count_bar
    return templates


def duration(hours: float | None) -> str:
    """A response time for people: minutes under an hour, hours under two days, then days.

    >>> [duration(h) for h in (None, 0.0, 0.004, 0.4, 1.0, 5.25, 47.9, 50.0)]
    ['–', 'under 1 min', 'under 1 min', '24 min', '1.0 h', '5.2 h', '47.9 h', '2.1 days']
    """
    if hours is None:
        return "–"
    if hours < 1.0:
        minutes = round(hours * 60)
        return "under 1 min" if minutes < 1 else f"{minutes} min"
    if hours < 48.0:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def _day(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return str(value)


def web(request: Request) -> Web:
    return request.app.state.web  # type: ignore[no-any-return]


def current_user(request: Request) -> WebUser:
    user = web(request).sessions.user(request)
    if user is None:
        raise SignInNeeded()
    return user


def require_analyst(user: WebUser, what: str) -> None:
    if user.role < Role.ANALYST:
        raise PageError(403, f"{what} is for analysts; you are signed in as {user.role.name.lower()}.")


def render(request: Request, template: str, user: WebUser | None, status: int = 200, **values: Any) -> Response:
    values.update(user=user, request=request, path=request.url.path)
    return web(request).templates.TemplateResponse(
        request, template, values, status_code=status,
        headers={"Cache-Control": "no-store", "Content-Security-Policy": CSP, "X-Frame-Options": "DENY",
                 "Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"},
    )


# everything is served from here: no CDN, works on a closed network
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def error_page(request: Request, status: int, message: str, title: str | None = None) -> Response:
    user = web(request).sessions.user(request)
    return render(request, "error.html", user, status=status, title=title or STATUS_TITLES.get(status, "Error"),
                  message=message, status_code=status)


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)


SIGNED_OUT = ("You are not signed in, or your session has ended; sign in again (at /signin) and reload the page.")


def wants_json(path_is_api: bool, accept: str) -> bool:
    """Whether a request for a signed-in resource is a script's (answer 401 JSON) rather than a person's browser
    (redirect to sign-in): the API's paths (/suggest/...), or an Accept that asks for JSON and not HTML. A fetch()
    follows a redirect to the sign-in page and then fails to read its HTML as JSON.

    >>> wants_json(False, "application/json"), wants_json(False, "text/html,application/json;q=0.9")
    (True, False)
    >>> wants_json(True, "*/*"), wants_json(False, "*/*")
    (True, False)
    """
    accept = accept.lower()
    return path_is_api or ("json" in accept and "text/html" not in accept)


async def gql(request: Request, user: WebUser, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a GraphQL document in-process as ``user``; errors become PageError (400/403/404/503...).

    Through the API's own path (``GraphQLExecutor.respond``), so a page gets every bound ``POST /graphql`` has:
    bounded preparation, the cost limit (variables included), the variables' limits, admission by cost (a cheap
    document reads on the light store workers, an expensive one waits within the same budget and runs on the heavy
    loop), the request timeout and the response cache. Before, pages ran the schema directly, with no timeout and
    no cost limit, so one expensive page could hold a worker for as long as its reads took.
    """
    state = request.app.state
    ctx = Context(principal=user.principal, gateway=state.gateway, settings=state.settings,
                  request_id=request.scope.get("state", {}).get("request_id", "-"), services=state.services)
    executor: GraphQLExecutor = state.executor
    answer = await within_deadline(request, lambda: executor.respond(query, variables, None, ctx))
    return page_data(json.loads(answer.body))


def page_data(body: dict[str, Any]) -> dict[str, Any]:
    """The data of a GraphQL answer, or PageError for its first error (by ``extensions.code``).

    >>> page_data({"data": {"a": 1}})
    {'a': 1}
    >>> try:
    ...     page_data({"data": None, "errors": [{"message": "x", "extensions": {"code": "TIMEOUT"}}]})
    ... except PageError as exc:
    ...     print(exc.status, exc.title)
    503 That took too long
    """
    errors = body.get("errors") or []
    if errors:
        first = errors[0]
        code = (first.get("extensions") or {}).get("code", "INTERNAL_SERVER_ERROR")
        message = first.get("message", "") if code != "INTERNAL_SERVER_ERROR" else "something went wrong on our side"
        if code == "BAD_USER_INPUT":  # the API's words are a developer's (app/web/wording.py)
            message = for_a_person(message)
        raise PageError(CODE_STATUS.get(code, 500), message, title=CODE_TITLES.get(code))
    data: dict[str, Any] = body.get("data") or {}
    return data


async def store(request: Request, fn: Callable[[GraphStore], R], *, write: bool = False) -> R:
    """A typed store read off the event loop, through the API's gateway (same retry and down-detection).

    On the page workers (``app.gateway.PAGE_WORKERS``): the pages' own reads are bounded by the pages (a hundred
    ids, one person, one community, or memoised per data version), must not queue behind the expensive API
    queries' reads, and, given up, must not hold the API's workers. Within the page's one deadline
    (:func:`within_deadline`); past it the page is a 503 "took too long" page, and the store stops the read then
    (graph/store/deadline.py), so the worker is free again. ``write``: a write, on the gateway's write workers;
    it waits for the store's write lock only until just before the deadline (StoreBusy then, nothing changed).
    """
    gateway: StoreGateway = request.app.state.gateway
    return await within_deadline(request, lambda: gateway.run(fn, page=not write, write=write))


async def start_deadline(request: Request) -> None:
    """Start the page's clock when the request arrives (a dependency of every page route, see app.web; async: on
    the loop, whose clock the deadline is on)."""
    page_deadline(request)


def page_deadline(request: Request) -> float:
    """The one deadline (anyio clock) all of a page's reads share: the request timeout from its arrival."""
    found: float | None = getattr(request.state, "page_deadline", None)
    if found is None:
        found = anyio.current_time() + request.app.state.settings.request_timeout_s
        request.state.page_deadline = found
    return found


async def within_deadline(request: Request, work: Callable[[], Awaitable[R]]) -> R:
    """``work()`` cut off at the page's deadline: PageError 503 "took too long" past it, and no read started.

    Why one deadline, not one timeout a read: each read bounded by the request timeout let a page of N reads take
    N timeouts (a community page of four reads just under the timeout each answered after four), holding a worker
    and the reader meanwhile. Now the page answers within about one timeout however many reads it makes.
    """
    deadline = page_deadline(request)
    timeout = request.app.state.settings.request_timeout_s
    now = anyio.current_time()
    if now < deadline:
        # the store stops the page's reads at the deadline too, those of DataLoader batches included, which run in
        # tasks of their own outside this cancel scope (graph/store/deadline.py)
        with anyio.CancelScope(deadline=deadline), reads_until(time.monotonic() + (deadline - now)):
            try:
                return await work()
            except StoreTimeout:  # a read the store stopped at the deadline, a moment before the scope fired
                pass
    raise PageError(503, f"the request took longer than {timeout:g} s", title=CODE_TITLES["TIMEOUT"])


__all__ = ["CSP", "SIGNED_OUT", "PageError", "SignInNeeded", "Web", "current_user", "error_page", "gql",
           "make_templates", "page_data", "page_deadline", "render", "require_analyst", "sign_in_redirect",
           "start_deadline", "store", "wants_json", "web", "within_deadline"]
