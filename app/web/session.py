"""The signed-in person of the web pages: a signed, HttpOnly, SameSite=Lax session cookie, and CSRF tokens.

The cookie holds only who and which role (never a provider token), signed with itsdangerous under its own salt and
refused once ``WHOKNOWS_SESSION_TTL_S`` has passed since sign-in (re-signing it, as the privacy page does, never
extends that). Every POST form carries the session's CSRF token (synchroniser-token pattern, OWASP CSRF cheat
sheet); SameSite=Lax is the second line, not the only one.

Each session has a random id (``sid``) and its sign-in time (``iat``), so signing out can revoke it server-side
(app/web/revocation.py): a copied cookie is refused after its owner signs out. This process also remembers the
sessions it revoked itself (until they would have expired), so none is let through here even while the store cannot
be asked.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from app.auth import Principal, Role
from app.settings import Settings

SESSION_COOKIE = "whoknows_session"
LOGIN_COOKIE = "whoknows_login"  # the state, nonce and PKCE verifier of one sign-in in flight
LOGIN_TTL_S = 600
MAX_IAT = 1e11  # a sign-in time beyond the year 5000 (or nan) is no session: datetime could not even hold some


@dataclass(frozen=True, slots=True)
class WebUser:
    """Who is signed in: a person id (or the provider's subject when no person matched), a name and a role."""

    sub: str
    name: str
    role: Role
    csrf: str
    person_id: str | None = None
    hidden: bool = False  # their person is hidden from whoknows (their own choice or HR's), as of the last check
    sid: str = ""  # the session's own random id: what signing out revokes
    iat: float = 0.0  # when they signed in (seconds since the epoch): the session ends ``ttl`` after it

    @property
    def issued_at(self) -> datetime:
        return datetime.fromtimestamp(self.iat, UTC)

    @property
    def listed_person(self) -> str | None:
        """The person others can see them as: None when not matched or hidden (no introductions from them)."""
        return None if self.hidden else self.person_id

    @property
    def principal(self) -> Principal:
        return Principal(sub=self.person_id or self.sub, role=self.role)

    @property
    def is_analyst(self) -> bool:
        return self.role >= Role.ANALYST

    def to_cookie(self) -> dict[str, Any]:
        data = asdict(self)
        data["role"] = self.role.name.lower()
        return data

    @classmethod
    def from_cookie(cls, data: object) -> WebUser | None:
        if not isinstance(data, dict):
            return None
        try:
            role = Role.parse(data.get("role"))
            sub, name, csrf = str(data["sub"]), str(data["name"]), str(data["csrf"])
        except (KeyError, ValueError, TypeError):
            return None
        sid, iat = data.get("sid"), data.get("iat")
        # a cookie without an id could never be revoked (one written before sessions had them): no session
        if not isinstance(sid, str) or not sid or isinstance(iat, bool) or not isinstance(iat, int | float) \
                or not 0 <= iat < MAX_IAT:
            return None
        person_id = data.get("person_id")
        return cls(sub=sub, name=name, role=role, csrf=csrf, person_id=str(person_id) if person_id else None,
                   hidden=data.get("hidden") is True, sid=sid, iat=float(iat))


def new_user(sub: str, name: str, role: Role, person_id: str | None, hidden: bool = False) -> WebUser:
    return WebUser(sub=sub, name=name, role=role, csrf=secrets.token_urlsafe(24), person_id=person_id, hidden=hidden,
                   sid=secrets.token_urlsafe(18), iat=time.time())


class Revoked:
    """The revocations this process made (or was told of), each kept until every session it covers has expired.

    Why: the store is asked on every page request, but a sign-out made here must hold here even while the store
    cannot be asked (a page that fails open on a store outage would otherwise let the copied cookie through). Only
    revocations are remembered, never "not revoked": nothing remembered here can let a revoked cookie through.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, float] = OrderedDict()  # sid -> when it would have expired
        self._subjects: OrderedDict[str, tuple[float, float]] = OrderedDict()  # sub -> (issued before, kept until)

    def session(self, sid: str, until: float) -> None:
        with self._lock:
            self._sessions[sid] = max(until, self._sessions.get(sid, until))
            self._sessions.move_to_end(sid)
            self._prune(time.time())

    def subject(self, sub: str, issued_before: float, until: float) -> None:
        with self._lock:
            before, kept = self._subjects.get(sub, (issued_before, until))
            self._subjects[sub] = (max(before, issued_before), max(kept, until))
            self._subjects.move_to_end(sub)
            self._prune(time.time())

    def covers(self, user: WebUser) -> bool:
        now = time.time()
        with self._lock:
            until = self._sessions.get(user.sid)
            if until is not None and until > now:
                return True
            found = self._subjects.get(user.sub)
            return found is not None and user.iat < found[0] and found[1] > now

    def _prune(self, now: float) -> None:
        """Drop expired entries from the front (the oldest written). Each expires at most one session lifetime after
        it is written, so whatever has expired behind a live one goes within a lifetime too: the memory holds the
        revocations of about one lifetime."""
        while self._sessions and next(iter(self._sessions.values())) <= now:
            self._sessions.popitem(last=False)
        while self._subjects and next(iter(self._subjects.values()))[1] <= now:
            self._subjects.popitem(last=False)


class Sessions:
    """Reads and writes the session and sign-in cookies of one app."""

    def __init__(self, settings: Settings) -> None:
        self._serializer = URLSafeTimedSerializer(settings.cookie_secret, salt="whoknows.web.session")
        self._login = URLSafeTimedSerializer(settings.cookie_secret, salt="whoknows.web.login")
        self.ttl_s = settings.session_ttl_s
        self.revoked = Revoked()
        # a URL's scheme is case-insensitive: "HTTPS://whoknows.example" is served over https too
        self.secure = settings.env == "production" or urlsplit((settings.public_url or "").strip()).scheme == "https"

    def user(self, request: Request) -> WebUser | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=self.ttl_s)
        except BadSignature:  # also SignatureExpired
            return None
        user = WebUser.from_cookie(data)
        if user is None or self.left_s(user) <= 0 or getattr(request.state, "session_revoked", False):
            return None
        return None if self.revoked.covers(user) else user

    def left_s(self, user: WebUser) -> float:
        """Seconds before the session ends: ``ttl`` after sign-in, however often the cookie was written since."""
        return user.iat + self.ttl_s - time.time()

    def sign_in(self, response: Response, user: WebUser) -> None:
        left = max(1, math.ceil(self.left_s(user)))
        self._set(response, SESSION_COOKIE, self._serializer.dumps(user.to_cookie()), min(left, self.ttl_s))

    def sign_out(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax")

    def start_login(self, response: Response, flow: dict[str, str]) -> None:
        self._set(response, LOGIN_COOKIE, self._login.dumps({**flow, "t": int(time.time())}), LOGIN_TTL_S)

    def login_flow(self, request: Request) -> dict[str, str] | None:
        raw = request.cookies.get(LOGIN_COOKIE)
        if not raw:
            return None
        try:
            data = self._login.loads(raw, max_age=LOGIN_TTL_S)
        except BadSignature:
            return None
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None

    def end_login(self, response: Response) -> None:
        response.delete_cookie(LOGIN_COOKIE, path="/", secure=self.secure, httponly=True, samesite="lax")

    def _set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name, value, max_age=max_age, path="/", secure=self.secure, httponly=True, samesite="lax"
        )


def csrf_ok(user: WebUser, submitted: object) -> bool:
    """True when a form's token is the session's (constant-time comparison)."""
    return isinstance(submitted, str) and hmac.compare_digest(submitted.encode(), user.csrf.encode())


__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "Revoked", "Sessions", "WebUser", "csrf_ok", "new_user"]
