"""Privacy: the signed-in person sees whether whoknows lists them, and hides themselves or shows themselves again.

Why here and not only in the HR export: opting out is the person's own right, and waiting for the next HR export is
no answer to "take me out". The choice is kept apart from what HR says (graph/store/visibility.py), so the next
import never undoes it; it takes effect at once in every read, and the health of the person's communities is
withheld until the next analysis recomputes it without them.
"""

from __future__ import annotations

import math
from dataclasses import replace

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.graphql.visibility import TooSoon, change_visibility
from app.web.core import PageError, current_user, render, store, web
from app.web.session import WebUser, csrf_ok
from schema.errors import StoreBusy

router = APIRouter(include_in_schema=False)
BUSY_MESSAGE = ("whoknows is busy saving other changes (an import or an analysis) right now, so your choice was not "
                "saved yet and nothing changed. Please send it again in a moment.")


@router.get("/me/privacy")
async def privacy_page(request: Request, user: WebUser = Depends(current_user)) -> Response:
    me = user.person_id
    visibility = await store(request, lambda s: s.visibility(me)) if me else None
    now = replace(user, hidden=visibility is not None and visibility.hidden)
    response = render(request, "privacy.html", now, visibility=visibility)
    if now != user:  # HR hid them (or let them back) since they signed in: the other pages follow from here on
        web(request).sessions.sign_in(response, now)
    return response


@router.post("/me/privacy")
async def choose(request: Request, user: WebUser = Depends(current_user)) -> Response:
    form = await request.form()
    if not csrf_ok(user, form.get("csrf")):
        raise PageError(400, "That form was not sent by this page (CSRF token missing or wrong).")
    choice = form.get("hide")
    if choice not in ("yes", "no"):
        raise PageError(400, "The form's 'hide' must be yes or no; go back and try again.")
    me = user.person_id
    if not me:
        raise PageError(400, "Your sign-in is not linked to a person in whoknows: there is nothing of yours to hide.")
    try:
        chosen = await change_visibility(lambda fn: store(request, fn), lambda fn: store(request, fn, write=True),
                                         request.app.state.services.choices, me, choice == "yes")
    except TooSoon as exc:
        raise PageError(429, f"You changed this a moment ago; try again in {math.ceil(exc.left)} s.",
                        title="One moment") from None
    except StoreBusy:
        # another writer (an ingest, an analysis) holds the store a while: nothing changed; the page, its form
        # included, says so and lets them send it again, rather than a bare "store unavailable" page
        visibility = await store(request, lambda s: s.visibility(me))
        return render(request, "privacy.html", user, status=503, visibility=visibility, error=BUSY_MESSAGE)
    if chosen is None:
        raise PageError(404, "Your person is not in whoknows (any more): there is nothing of yours to hide.")
    response = RedirectResponse("/me/privacy", status_code=303)
    web(request).sessions.sign_in(response, replace(user, hidden=chosen.hidden))
    return response


__all__ = ["router"]
