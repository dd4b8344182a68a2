"""The signed-in person of the web pages: a signed, HttpOnly, SameSite=Lax session cookie, and CSRF tokens.

The cookie holds only who and which role (never a provider token), signed with itsdangerous under its own salt and
refused once older than ``WHOKNOWS_SESSION_TTL_S``. Every POST form carries the session's CSRF token
(synchroniser-token pattern, OWASP CSRF cheat sheet); SameSite=Lax is the second line, not the only one.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import asdict, dataclass
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


@dataclass(frozen=True, slots=True)
class WebUser:
    """Who is signed in: a person id (or the provider's subject when no person matched), a name and a role."""

    sub: str
    name: str
    role: Role
    csrf: str
    person_id: str | None = None
    hidden: bool = False  # their person is hidden from whoknows (their own choice or HR's), as of the last check

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
        person_id = data.get("person_id")
        return cls(sub=sub, name=name, role=role, csrf=csrf, person_id=str(person_id) if person_id else None,
                   hidden=data.get("hidden") is True)


def new_user(sub: str, name: str, role: Role, person_id: str | None, hidden: bool = False) -> WebUser:
    return WebUser(sub=sub, name=name, role=role, csrf=secrets.token_urlsafe(24), person_id=person_id, hidden=hidden)


class Sessions:
    """Reads and writes the session and sign-in cookies of one app."""

    def __init__(self, settings: Settings) -> None:
        self._serializer = URLSafeTimedSerializer(settings.cookie_secret, salt="whoknows.web.session")
        self._login = URLSafeTimedSerializer(settings.cookie_secret, salt="whoknows.web.login")
        self.ttl_s = settings.session_ttl_s
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
        return WebUser.from_cookie(data)

    def sign_in(self, response: Response, user: WebUser) -> None:
        self._set(response, SESSION_COOKIE, self._serializer.dumps(user.to_cookie()), self.ttl_s)

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


__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "Sessions", "WebUser", "csrf_ok", "new_user"]
