"""Signing out for real: a session revoked in the graph store is refused by every instance sharing it.

Every page request with a session cookie asks the store whether the session was revoked (one indexed lookup by its
id and its subject, graph/store/sessions.py) before the page reads anything; a revoked one is treated as no session
at all. Sign-out records the session's id; "sign out everywhere" records the person's subject with the time, which
refuses every session of theirs signed in before it (this browser's included).

When the store cannot be asked (down, or slower than ``CHECK_S``), a page behaves as it did before sessions could be
revoked: the cookie stands (its reads then meet the same outage and say so), except for sessions this process
revoked itself (app/web/session.py, ``Revoked``), which are refused here whatever the store says.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import anyio
from fastapi import Request

from app.gateway import StoreGateway
from app.web.core import PageError, store, web
from app.web.session import WebUser
from graph.store.sessions import every_session_of, one_session, session_key, subject_key
from schema.errors import WhoknowsError

log = logging.getLogger("whoknows.web")
CHECK_S = 2.0  # the longest a page waits to hear whether its session was revoked before carrying on without it


async def check_session(request: Request) -> None:
    """Mark the request signed out when its session was revoked (a dependency of every page route, see app.web, and
    of the error pages of unknown addresses): ``Sessions.user`` answers None from then on."""
    if getattr(request.state, "session_checked", False):
        return
    request.state.session_checked = True
    sessions = web(request).sessions
    user = sessions.user(request)
    if user is None:
        return
    try:
        revoked = await _ask(request, user)
    except WhoknowsError as exc:  # down, busy or too slow: as before revocations (the page's own reads will tell)
        log.warning("could not check whether the session was revoked", extra={"fields": {"error": str(exc)}})
        return
    if revoked:
        request.state.session_revoked = True
        sessions.revoked.session(user.sid, user.iat + sessions.ttl_s)  # no need to ask the store again here


async def _ask(request: Request, user: WebUser) -> bool | None:
    """Whether the store holds a revocation of this session; None when it did not answer within ``CHECK_S``."""
    gateway: StoreGateway = request.app.state.gateway
    keys = [session_key(user.sid), subject_key(user.sub)]
    issued, now = user.issued_at, datetime.now(UTC)
    with anyio.move_on_after(CHECK_S):  # the gateway stops the read at this scope's deadline too
        return await gateway.run(lambda s: s.session_revoked(keys, issued, now), page=True)
    log.warning("the session revocation check took longer than %.1f s; carrying on", CHECK_S)
    return None


async def revoke(request: Request, user: WebUser) -> bool:
    """Revoke this one session in the store and in this process; False (logged) when the store could not record
    it: this browser is signed out anyway, and this process refuses the session still."""
    sessions = web(request).sessions
    sessions.revoked.session(user.sid, user.iat + sessions.ttl_s)
    revocation = one_session(user.sid, datetime.now(UTC), timedelta(seconds=sessions.ttl_s))
    try:
        await store(request, lambda s: s.revoke_session(revocation, datetime.now(UTC)), write=True)
    except (WhoknowsError, PageError) as exc:  # PageError: the page's deadline passed
        log.warning("signed out here, but the store did not record the revocation",
                    extra={"fields": {"error": str(exc), "sub": user.sub}})
        return False
    return True


async def revoke_everywhere(request: Request, user: WebUser) -> None:
    """Revoke every session of the person signed in before now, wherever it is. The store's errors propagate (the
    page says nothing changed): a person who asked for this must not be told it happened when it did not."""
    sessions = web(request).sessions
    now = datetime.now(UTC)
    revocation = every_session_of(user.sub, now, timedelta(seconds=sessions.ttl_s))
    await store(request, lambda s: s.revoke_session(revocation, now), write=True)
    sessions.revoked.subject(user.sub, now.timestamp(), now.timestamp() + sessions.ttl_s)
    log.info("signed out everywhere", extra={"fields": {"sub": user.sub}})


__all__ = ["CHECK_S", "check_session", "revoke", "revoke_everywhere"]
