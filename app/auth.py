"""Bearer JWT authentication and the role ladder employee < analyst < admin.

Two modes (DESIGN.md): HS256 with ``WHOKNOWS_JWT_SECRET`` for development and tests, RS256 with keys fetched from
``WHOKNOWS_JWKS_URL`` (an identity provider) through pyjwt's :class:`jwt.PyJWKClient`, which caches the key set.
Tokens carry ``sub`` and ``role``; a missing or invalid token is an :class:`AuthError` (HTTP 401).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import anyio.to_thread
import jwt

from app.keyset import FETCH_THREADS, KeySet
from app.settings import Settings
from schema.errors import AuthError, BadInput, Forbidden

LEEWAY_S = 30
MAX_SUBJECT_CHARS = 1024  # as any string argument (app/graphql/analysis.py): ids are at most 512


class Role(IntEnum):
    """Ordered roles: a higher role may do everything a lower one may."""

    EMPLOYEE = 1
    ANALYST = 2
    ADMIN = 3

    @classmethod
    def parse(cls, text: object) -> Role:
        # ASCII only: str.upper() folds look-alikes ("admın", dotless i, is "ADMIN")
        if not isinstance(text, str) or not text.isascii() or text.upper() not in cls.__members__:
            raise BadInput(f"unknown role {text!r}: use employee, analyst or admin")
        return cls[text.upper()]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the token's subject and role."""

    sub: str
    role: Role
    expires_at: float | None = None

    def require(self, role: Role, what: str) -> None:
        if self.role < role:
            raise Forbidden(f"{what} needs the {role.name.lower()} role (you are {self.role.name.lower()})")


class Authenticator:
    """Verifies bearer tokens; successful verifications are memoised until the token expires.

    The memo matters on the hot path: a dashboard sends the same token thousands of times, and an RS256
    signature check costs far more than the query it guards.
    """

    def __init__(self, settings: Settings, cache_size: int = 1024) -> None:
        self._secret = settings.jwt_secret
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._jwks = KeySet(settings.jwks_url) if settings.jwks_url else None
        self._key_lookups = anyio.CapacityLimiter(FETCH_THREADS)  # a provider outage holds these threads only
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    @property
    def fetches_keys(self) -> bool:
        """True when verifying may fetch a key set over the network (RS256 through a JWKS URL)."""
        return self._jwks is not None

    @staticmethod
    def bearer(authorization: str | None) -> str:
        """The token of an ``Authorization: Bearer <JWT>`` header."""
        if not authorization:
            raise AuthError("missing bearer token: send 'Authorization: Bearer <JWT>'")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthError("the Authorization header must be 'Bearer <JWT>'")
        return token

    def cached(self, token: str) -> Principal | None:
        """A principal verified earlier for this exact token and not expired since."""
        hit = self._cache.get(token)
        if hit is not None:
            if hit.expires_at is None or hit.expires_at + LEEWAY_S > time.time():
                return hit
            self._cache.pop(token, None)
        return None

    def verify(self, token: str) -> Principal:
        """Check the signature and claims (may fetch the JWKS: call it off the event loop then)."""
        principal = self._verify(token)
        self._cache[token] = principal
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    def authenticate(self, authorization: str | None) -> Principal:
        token = self.bearer(authorization)
        return self.cached(token) or self.verify(token)

    async def principal(self, authorization: str | None) -> Principal:
        """``authenticate`` for the event loop: a JWKS fetch (RS256) runs in a worker thread, never on the loop."""
        token = self.bearer(authorization)
        principal = self.cached(token)
        if principal is not None:
            return principal
        if self.fetches_keys:
            return await anyio.to_thread.run_sync(self.verify, token, limiter=self._key_lookups)
        return self.verify(token)

    def _verify(self, token: str) -> Principal:
        options: Any = {"require": ["sub", "exp"], "verify_aud": self._audience is not None}
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
                claims = jwt.decode(
                    token, key, algorithms=["RS256"], audience=self._audience, issuer=self._issuer,
                    options=options, leeway=LEEWAY_S,
                )
            else:
                claims = jwt.decode(
                    token, self._secret, algorithms=["HS256"], audience=self._audience, issuer=self._issuer,
                    options=options, leeway=LEEWAY_S,
                )
        except jwt.PyJWKClientError as exc:
            # the key id comes from the token's header, which anyone can write: echoed short and in ASCII
            raise AuthError(f"cannot verify token: key set unavailable or key unknown ({_shown(str(exc))})") from exc
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid token: {_shown(str(exc))}") from exc
        try:
            role = Role.parse(claims.get("role", "employee"))
        except BadInput as exc:
            raise AuthError(f"invalid token: {_shown(str(exc))}") from exc
        return Principal(sub=subject(claims["sub"]), role=role, expires_at=_expiry(claims.get("exp")))


def subject(sub: object) -> str:
    """A token's ``sub`` as the service may use it, else AuthError: the subject reaches the store (one's own person,
    visibility, the asker left out of a routing) and the response cache's key, so it must be text either store and
    the encoder take. A JSON escape such as "\\ud800" (a lone surrogate) in a signed token was an internal error."""
    if not isinstance(sub, str) or not sub:
        raise AuthError("invalid token: 'sub' must be a non-empty string")
    if len(sub) > MAX_SUBJECT_CHARS:
        raise AuthError(f"invalid token: 'sub' is longer than {MAX_SUBJECT_CHARS} characters")
    if not sub.isascii():
        try:
            sub.encode("utf-8")
        except UnicodeEncodeError:
            raise AuthError("invalid token: 'sub' is not valid Unicode (a lone surrogate such as \\ud800)") from None
    return sub


def _shown(text: str, limit: int = 200) -> str:
    """``text`` as it may go into an answer: at most ``limit`` characters, non-ASCII escaped."""
    shown = text if text.isascii() else ascii(text)[1:-1]
    return shown[:limit] + ("..." if len(shown) > limit else "")


def _expiry(exp: object) -> float | None:
    """``exp`` (already checked an integer by pyjwt) as a float; one past any float (10**400) is refused, not an
    internal error: float() overflowed."""
    if exp is None:
        return None
    try:
        return float(exp)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise AuthError("invalid token: 'exp' is out of range") from None


def mint_token(settings: Settings, sub: str, role: Role, ttl_s: int = 3600, now: float | None = None) -> str:
    """A development HS256 token signed with ``WHOKNOWS_JWT_SECRET`` (``whoknows token``)."""
    if ttl_s <= 0:
        raise BadInput("ttl must be positive")
    if not sub:
        raise BadInput("sub must not be empty")
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {"sub": sub, "role": role.name.lower(), "iat": issued, "exp": issued + ttl_s}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


__all__ = ["Authenticator", "Principal", "Role", "mint_token", "subject"]
