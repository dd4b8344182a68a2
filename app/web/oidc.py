"""Sign-in through the organisation's OpenID Connect provider: authorization code flow with PKCE.

The flow (OpenID Connect Core 1.0 section 3.1; PKCE, RFC 7636, method S256): discovery gives the endpoints; the
browser goes to ``authorization_endpoint`` with ``state``, ``nonce`` and ``code_challenge``; the provider sends it
back to ``/auth/callback`` with a code, which we exchange at ``token_endpoint`` with the ``code_verifier``; the ID
token's signature (keys from ``jwks_uri``), issuer, audience, expiry and nonce are checked before anyone is signed
in. The role comes from a configurable claim (``WHOKNOWS_OIDC_ROLE_CLAIM``, a dotted path) through an optional map.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from app.auth import Role, subject
from app.settings import Settings
from schema.errors import AuthError

DISCOVERY_TTL_S = 3600.0
HTTP_TIMEOUT_S = 10.0
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
LEEWAY_S = 60


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge) pair (RFC 7636 section 4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    return verifier, s256(verifier)


def s256(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding.

    >>> s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")  # RFC 7636 appendix B
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
    """
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``realm_access.roles``); a key that itself holds dots is tried whole first.

    >>> claim_at({"realm_access": {"roles": ["analyst"]}}, "realm_access.roles")
    ['analyst']
    >>> claim_at({"https://example.org/role": "admin"}, "https://example.org/role")
    'admin'
    """
    if path in claims:
        return claims[path]
    node: Any = claims
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def role_from_claims(claims: Mapping[str, Any], claim: str, role_map: Mapping[str, str]) -> Role:
    """The highest role any value of the claim grants; employee when none does.

    With ``role_map``, only its values grant roles (matched case-insensitively: a group name to ``analyst``); without
    one, values that are role names count as themselves (a ``role`` claim of "admin"). A value that grants nothing is
    ignored, never an error: a provider sends many groups. Why not role names beside a map: a map says the claim
    holds the organisation's groups, and a group merely named "Admin" (another application's, or one anyone may
    create in a self-service directory) made its members admins here.

    >>> role_from_claims({"groups": ["staff", "L&D team"]}, "groups", {"l&d team": "analyst"})
    <Role.ANALYST: 2>
    >>> role_from_claims({"groups": ["admin", "Analyst"]}, "groups", {"l&d team": "analyst"})
    <Role.EMPLOYEE: 1>
    >>> role_from_claims({"role": "Admin"}, "role", {})
    <Role.ADMIN: 3>
    >>> role_from_claims({}, "role", {})
    <Role.EMPLOYEE: 1>
    """
    raw = claim_at(claims, claim)
    values = raw if isinstance(raw, list | tuple) else [raw]
    lowered = {k.casefold(): v for k, v in role_map.items()}
    best = Role.EMPLOYEE
    for value in values:
        if not isinstance(value, str):
            continue
        name = lowered.get(value.casefold(), "") if lowered else value
        if name.isascii() and name.upper() in Role.__members__:
            best = max(best, Role[name.upper()])
    return best


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in (from a verified ID token)."""

    subject: str
    name: str
    email: str | None
    role: Role
    claims: dict[str, Any]


class OidcClient:
    """One provider's endpoints, keys and the two steps of the code flow."""

    def __init__(self, settings: Settings) -> None:
        if not settings.oidc_issuer or not settings.oidc_client_id:
            raise AuthError("OpenID Connect is not configured (WHOKNOWS_OIDC_ISSUER, WHOKNOWS_OIDC_CLIENT_ID)")
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        self.scopes = settings.oidc_scopes
        self.role_claim = settings.oidc_role_claim
        self.role_map = dict(settings.oidc_role_map)
        self._meta: dict[str, Any] | None = None
        self._meta_at = 0.0
        self._keys: jwt.PyJWKSet | None = None

    async def metadata(self) -> dict[str, Any]:
        if self._meta is None or time.monotonic() - self._meta_at > DISCOVERY_TTL_S:
            meta = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "issuer"):
                if not isinstance(meta.get(key), str):
                    raise AuthError(f"the provider's discovery document has no {key}")
            if meta["issuer"].rstrip("/") != self.issuer:
                raise AuthError(f"the provider says its issuer is {meta['issuer']!r}, not {self.issuer!r}")
            self._meta, self._meta_at = meta, time.monotonic()
        return self._meta

    async def authorization_url(self, redirect_uri: str, state: str, nonce: str, challenge: str) -> str:
        meta = await self.metadata()
        query = urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
            "scope": self.scopes, "state": state, "nonce": nonce,
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        sep = "&" if "?" in meta["authorization_endpoint"] else "?"
        return f"{meta['authorization_endpoint']}{sep}{query}"

    async def exchange(self, code: str, verifier: str, redirect_uri: str, nonce: str) -> Identity:
        """Trade the code for tokens and return the verified identity; AuthError on any failure."""
        meta = await self.metadata()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier}
        auth: httpx.Auth | None = None
        if self.client_secret:
            auth = httpx.BasicAuth(self.client_id, self.client_secret)  # client_secret_basic
        else:
            form["client_id"] = self.client_id  # a public client: PKCE is its proof
        try:
            async with _client() as http:
                resp = await http.post(meta["token_endpoint"], data=form, auth=auth or httpx.USE_CLIENT_DEFAULT,
                                       headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise AuthError(f"the identity provider is unreachable ({type(exc).__name__})") from exc
        body = _json_or_none(resp)
        if resp.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
            detail = body.get("error") if isinstance(body, dict) else resp.status_code
            raise AuthError(f"the identity provider refused the sign-in ({detail})")
        claims = await self.verify_id_token(body["id_token"], nonce)
        sub = subject(str(claims["sub"]))  # AuthError (a sign-in refused, saying why) when not usable text
        name = claims.get("name") or claims.get("preferred_username") or claims.get("email") or sub
        email = claims.get("email") if isinstance(claims.get("email"), str) and email_verified(claims) else None
        role = role_from_claims(claims, self.role_claim, self.role_map)
        return Identity(subject=sub, name=_text(str(name)) or sub, email=_text(email), role=role, claims=claims)

    async def verify_id_token(self, token: str, nonce: str) -> dict[str, Any]:
        meta = await self.metadata()
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid ID token: {exc}") from exc
        key = await self._key(meta["jwks_uri"], kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=ID_TOKEN_ALGORITHMS, audience=self.client_id, issuer=meta["issuer"],
                options={"require": ["sub", "exp", "iat", "iss", "aud"]}, leeway=LEEWAY_S,
            )
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid ID token: {exc}") from exc
        if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise AuthError("invalid ID token: the nonce does not match this sign-in")
        return claims

    async def _key(self, jwks_uri: str, kid: str | None) -> Any:
        for attempt in range(2):  # a key we do not know yet: the provider may have rotated; fetch once more
            if self._keys is None or attempt == 1:
                try:
                    self._keys = jwt.PyJWKSet.from_dict(await self._get_json(jwks_uri))
                except jwt.PyJWKSetError as exc:
                    raise AuthError(f"the provider's key set is unusable: {exc}") from exc
            for k in self._keys.keys:
                if kid is None or k.key_id == kid:
                    return k.key
        raise AuthError(f"invalid ID token: no key {kid!r} in the provider's key set")

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with _client() as http:
                resp = await http.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise AuthError(f"the identity provider is unreachable ({type(exc).__name__})") from exc
        body = _json_or_none(resp)
        if resp.status_code != 200 or not isinstance(body, dict):
            raise AuthError(f"the identity provider answered {resp.status_code} for {url}")
        return body


def email_verified(claims: Mapping[str, Any]) -> bool:
    """Whether the ID token's ``email`` may name a person: not when the provider says it is unverified.

    A person is matched by e-mail, and the match decides whose Privacy page they get: with an address anyone can
    type into their profile (self-registration, a social login, a mutable mail attribute), someone signed in as a
    colleague and withdrew the colleague's opt-out. ``email_verified`` false (or "false", as some providers send
    it) now matches no one; a provider that never sends the claim is trusted as before (OpenID Connect Core 5.1).

    >>> [email_verified(c) for c in ({}, {"email_verified": True}, {"email_verified": "true"},
    ...                              {"email_verified": False}, {"email_verified": "False"}, {"email_verified": None})]
    [True, True, True, False, False, False]
    """
    if "email_verified" not in claims:
        return True
    value = claims["email_verified"]
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _text(value: str | None) -> str | None:
    """``value`` when it is valid Unicode (no lone surrogate, which neither the store nor the cookie takes)."""
    if value is None or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _client() -> httpx.AsyncClient:
    """A client per call: sign-ins are rare, and nothing is left open when the app stops."""
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT_S, follow_redirects=False)


def _json_or_none(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


__all__ = ["Identity", "OidcClient", "claim_at", "email_verified", "pkce_pair", "role_from_claims", "s256"]
