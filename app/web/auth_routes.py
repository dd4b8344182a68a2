"""Sign-in and sign-out routes: the OpenID Connect code flow, development links, and a CSRF-checked sign-out."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import Role
from app.settings import Settings
from app.web.core import current_user, error_page, render, store, web
from app.web.devlinks import read_dev_token
from app.web.revocation import revoke, revoke_everywhere
from app.web.session import WebUser, csrf_ok, new_user
from graph.store.base import GraphStore
from schema.errors import AuthError, WhoknowsError
from schema.ids import folded_ids

log = logging.getLogger("whoknows.web")
router = APIRouter(include_in_schema=False)


def safe_next(raw: str | None) -> str:
    """A local path to go to after sign-in; anything else (another host, a scheme, //host) becomes '/'.

    >>> safe_next("/people/hr%3AE1?x=1"), safe_next("https://evil.example/"), safe_next("//evil"), safe_next(None)
    ('/people/hr%3AE1?x=1', '/', '/', '/')
    """
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else "/"


def _redirect_uri(request: Request) -> str:
    return redirect_uri(web(request).settings, str(request.base_url))


def redirect_uri(settings: Settings, request_base: str) -> str:
    """Where the provider sends the browser back: ``WHOKNOWS_PUBLIC_URL``'s /auth/callback. Only in development is it
    built from the request's address (its Host header, which the client chooses); elsewhere the settings refuse to
    start without the variable, and this refuses too (AuthError), should a caller get here without it."""
    base = settings.public_url
    if base is None:
        if settings.env != "development":
            raise AuthError("WHOKNOWS_PUBLIC_URL is not set, and outside development the sign-in redirect is never "
                            "built from the request's Host header")
        base = request_base
    return base.rstrip("/") + "/auth/callback"


@router.get("/signin")
async def signin(request: Request, next: str | None = None) -> Response:
    w = web(request)
    target = safe_next(next)
    if w.oidc is None:
        return render(request, "signin.html", w.sessions.user(request), dev=w.settings.env == "development",
                      next=target)
    verifier, challenge = _pkce()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    try:
        url = await w.oidc.authorization_url(_redirect_uri(request), state, nonce, challenge)
    except AuthError as exc:
        log.warning("sign-in unavailable", extra={"fields": {"error": str(exc)}})
        return error_page(request, 503, f"Sign-in is unavailable: {exc}")
    response = RedirectResponse(url, status_code=303)
    w.sessions.start_login(response, {"state": state, "nonce": nonce, "verifier": verifier, "next": target})
    return response


def _pkce() -> tuple[str, str]:
    from app.web.oidc import pkce_pair

    return pkce_pair()


@router.get("/auth/callback")
async def callback(request: Request, code: str | None = None, state: str | None = None,
                   error: str | None = None) -> Response:
    w = web(request)
    flow = w.sessions.login_flow(request)
    if w.oidc is None:
        return error_page(request, 404, "OpenID Connect sign-in is not configured here.")
    if error:
        return error_page(request, 400, f"The identity provider did not sign you in ({error[:80]}).")
    if flow is None or not state or not secrets.compare_digest(state, flow.get("state", "")):
        return error_page(request, 400, "This sign-in has expired or did not start here: please sign in again.")
    if not code:
        return error_page(request, 400, "The identity provider sent no authorization code.")
    try:
        identity = await w.oidc.exchange(code, flow["verifier"], _redirect_uri(request), flow["nonce"])
    except AuthError as exc:
        log.warning("sign-in refused", extra={"fields": {"error": str(exc)}})
        return error_page(request, 400, f"Sign-in failed: {exc}")
    person_id = await _person_for(request, identity.subject, identity.email, identity.claims)
    user = new_user(identity.subject, identity.name, identity.role, person_id, await _hidden(request, person_id))
    response = RedirectResponse(safe_next(flow.get("next")), status_code=303)
    w.sessions.end_login(response)
    w.sessions.sign_in(response, user)
    log.info("signed in", extra={"fields": {"sub": identity.subject, "role": identity.role.name.lower()}})
    return response


async def _person_for(request: Request, subject: str, email: str | None, claims: dict[str, object]) -> str | None:
    """The person this identity is: by email (case-folded), or the configured claim taken as a person id."""
    claim = web(request).settings.oidc_person_claim
    try:
        if claim == "email":
            if not email:
                return None
            index = await store(request, lambda s: s.email_index())
            return index.get(email.casefold())
        value = claims.get(claim)
        if not isinstance(value, str):
            return None
        return await store(request, lambda s: person_by_claim(s, value))
    except WhoknowsError as exc:  # sign in anyway; "who could introduce me" needs the person and says so
        log.warning("could not match the signed-in person", extra={"fields": {"error": str(exc)}})
        return None


def person_by_claim(store: GraphStore, value: str) -> str | None:
    """The stored person a claim names: its id as given, as an HR id (``E042``), or the one id equal to either
    ignoring case (an identity provider that spells ``e042``). Before, only the exact id matched: someone whose
    provider spelled it otherwise was signed in as no one, and could not hide themselves (nothing of theirs to hide).
    Hidden people are matched too: their privacy page is where they show themselves again."""
    text = value.strip()
    if not text:
        return None
    tries = [text] + ([f"hr:{text}"] if ":" not in text else [])
    for pid in tries:
        if store.visibility(pid) is not None:
            return pid
    folded = folded_ids(store.person_ids())
    for pid in tries:
        found = folded.get(pid.casefold())
        if found is not None:
            return found
    return None


async def _hidden(request: Request, person_id: str | None) -> bool:
    """Whether the signed-in person is hidden from whoknows (then no page starts an introduction from them)."""
    if person_id is None:
        return False
    try:
        found = await store(request, lambda s: s.visibility(person_id))
    except WhoknowsError as exc:  # sign in anyway; the privacy page reads it again
        log.warning("could not read the signed-in person's visibility", extra={"fields": {"error": str(exc)}})
        return False
    return found is not None and found.hidden


@router.get("/auth/dev")
async def dev_signin(request: Request, t: str = "") -> Response:
    w = web(request)
    if w.settings.env != "development":
        return error_page(request, 404, "Development sign-in links work only in development.")
    try:
        person_id, name, role = read_dev_token(w.settings, t)
    except AuthError as exc:
        return error_page(request, 400, str(exc))
    response = RedirectResponse("/", status_code=303)
    w.sessions.sign_in(response, new_user(person_id, name, role, person_id, await _hidden(request, person_id)))
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    """Sign out: the session is revoked in the store (app/web/revocation.py), so a copy of the cookie is refused too."""
    w = web(request)
    user = w.sessions.user(request)
    form = await request.form()
    if user is not None and not csrf_ok(user, form.get("csrf")):
        return error_page(request, 400, "That form was not sent by this page (CSRF token missing or wrong).")
    if user is not None:
        await revoke(request, user)
    response = RedirectResponse("/signin", status_code=303)
    w.sessions.sign_out(response)
    return response


@router.post("/signout/everywhere")
async def signout_everywhere(request: Request, user: WebUser = Depends(current_user)) -> Response:
    """Sign out every session of the person, in every browser, this one included (the form is on /me/privacy)."""
    form = await request.form()
    if not csrf_ok(user, form.get("csrf")):
        return error_page(request, 400, "That form was not sent by this page (CSRF token missing or wrong).")
    await revoke_everywhere(request, user)  # StoreBusy / StoreUnavailable: a 503 page saying nothing changed
    response = RedirectResponse("/signin", status_code=303)
    web(request).sessions.sign_out(response)
    return response


def role_name(user: WebUser) -> str:
    return {Role.EMPLOYEE: "employee", Role.ANALYST: "analyst", Role.ADMIN: "admin"}[user.role]


__all__ = ["router", "safe_next"]
