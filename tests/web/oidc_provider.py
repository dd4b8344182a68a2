"""A small OpenID Connect provider for the sign-in tests: discovery, JWKS, authorize and token endpoints.

Real HTTP on 127.0.0.1 (served by tests.api.conftest.LiveServer), real redirects, RS256 ID tokens. It enforces what
a provider must: the client id and redirect URI of the request, a one-time code, and PKCE S256 (RFC 7636 4.6:
the verifier must hash to the challenge). Knobs let a test make it misbehave (wrong nonce, foreign signing key).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response


@dataclass
class ProviderState:
    client_id: str = "whoknows-web"
    claims: dict[str, Any] = field(default_factory=dict)  # the signed-in user's claims (sub, email, name, ...)
    wrong_nonce: bool = False
    foreign_key: bool = False
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    other_key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def provider_app(state: ProviderState) -> FastAPI:
    app = FastAPI()

    def issuer(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @app.get("/.well-known/openid-configuration")
    async def discovery(request: Request) -> Response:
        base = issuer(request)
        return JSONResponse({
            "issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
        })

    @app.get("/jwks")
    async def jwks() -> Response:
        key = jwt.algorithms.RSAAlgorithm.to_jwk(state.key.public_key(), as_dict=True)
        return JSONResponse({"keys": [{**key, "kid": "k1", "use": "sig", "alg": "RS256"}]})

    @app.get("/authorize")
    async def authorize(request: Request) -> Response:
        q = dict(request.query_params)
        state.authorize_requests.append(q)
        if q.get("client_id") != state.client_id or q.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        code = secrets.token_urlsafe(16)
        state.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"],
                             "nonce": q.get("nonce", "")}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}", 302)

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = await request.form()
        grant = state.codes.pop(str(form.get("code")), None)  # one-time
        if grant is None or form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if form.get("client_id") != state.client_id or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_client"}, status_code=400)
        if _s256(str(form.get("code_verifier", ""))) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        now = int(time.time())
        claims = {"iss": issuer(request), "aud": state.client_id, "iat": now, "exp": now + 300,
                  "nonce": "not-the-nonce" if state.wrong_nonce else grant["nonce"], **state.claims}
        key = state.other_key if state.foreign_key else state.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                             "id_token": id_token})

    return app


__all__ = ["ProviderState", "provider_app"]
