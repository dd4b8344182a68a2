"""One settings object, read from WHOKNOWS_* environment variables and validated at start-up."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schema.errors import ConfigError

# HS256 keys shorter than 32 bytes are refused outside development (RFC 7518 section 3.2); the development default
# is long enough for pyjwt not to warn, and is itself a placeholder.
DEV_SECRET = "development-secret-do-not-use-in-production"
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "dev-secret", "development-secret", DEV_SECRET}
)
MIN_SECRET_BYTES = 32
ENV_PREFIX = "WHOKNOWS_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# numeric settings are refused at start-up when out of range (a privacy threshold of 0, a timeout of -1 or nan),
# with the variable named, rather than misbehaving later
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
AtLeastOne = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    store: str = "sqlite:///./whoknows.db"
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str | None = None

    jwt_secret: str = DEV_SECRET
    jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None

    cors_origins: list[str] = Field(default_factory=list)
    introspection: bool = True
    graphiql: bool = True
    request_timeout_s: PositiveFloat = 10.0
    # HTTP (app/server.py): seconds a request has to send its headers, and again its body; open connections at most
    read_timeout_s: PositiveFloat = 10.0
    max_connections: AtLeastOne = 1000
    store_retry_initial_s: PositiveFloat = 0.5  # API: first back-off before reopening an unavailable store
    store_retry_max_s: PositiveFloat = 30.0
    response_cache_ttl_s: NonNegativeFloat = 2.0  # API: whole-response cache of queries (app/graphql/cache.py); 0 = off
    max_depth: AtLeastOne = 10
    max_aliases: NonNegativeInt = 20
    max_page: AtLeastOne = 100
    max_cost: AtLeastOne = 25_000  # fields resolved, times page sizes (app/graphql/analysis.py)
    max_selections: AtLeastOne = 2_000  # fields selected once fragments are expanded
    max_fragments: NonNegativeInt = 100
    max_response_bytes: AtLeastOne = 16 * 1024 * 1024  # an answer over this is refused (BAD_USER_INPUT), not sent
    max_inflight_cost: AtLeastOne = 50_000  # cost of the expensive requests executing at once (app/graphql/fairness.py)
    light_concurrency: AtLeastOne = 4  # cheap queries executing at once, the rest in turns by caller (fairness.py)
    store_workers: AtLeastOne = 4  # threads for store reads (plus eight for light requests, app/gateway.py)
    min_group_size: AtLeastOne = 5  # 1 withholds nothing; 0 or less is a mistake, refused
    log_level: str = "INFO"

    # web pages: sign-in through the organisation's OpenID Connect provider (app/web/oidc.py)
    # e.g. https://whoknows.example.org; required outside development with OpenID Connect (the sign-in redirect is
    # then never built from a request's Host header); in development the default is each request's Host
    public_url: str | None = None
    session_secret: str | None = None  # signs the session cookie; default: the JWT secret (another salt)
    session_ttl_s: AtLeastOne = 8 * 3600
    oidc_issuer: str | None = None  # discovery at <issuer>/.well-known/openid-configuration
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None  # none: a public client (PKCE alone)
    oidc_scopes: str = "openid profile email"
    oidc_role_claim: str = "role"  # dotted path into the ID token's claims, e.g. realm_access.roles
    oidc_role_map: dict[str, str] = Field(default_factory=dict)  # claim value -> employee|analyst|admin
    oidc_person_claim: str = "email"  # "email": matched to a person by email; any other claim: the person id
    dev_link_ttl_s: AtLeastOne = 24 * 3600  # `whoknows demo` sign-in links (development only)

    # analytics
    half_life_days: PositiveFloat = 180.0
    betweenness_exact_below: NonNegativeInt = 5000
    betweenness_samples: AtLeastOne = 256
    seed: int = 42

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("public_url")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        """An http(s) address with a host and nothing after its path; blank is unset."""
        text = (value or "").strip()
        if not text:
            return None
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("use the pages' public address, e.g. https://whoknows.example.org")
        return text

    @model_validator(mode="after")
    def _safe_secret(self) -> Settings:
        if self.env != "development" and self.jwks_url is None and self.jwt_secret in PLACEHOLDER_SECRETS:
            raise ValueError(
                "WHOKNOWS_JWT_SECRET is missing or a placeholder; set a real secret "
                "(or WHOKNOWS_JWKS_URL) outside development"
            )
        if self.env != "development" and self.jwks_url is None and len(self.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"WHOKNOWS_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes outside development")
        if self.env != "development" and self.session_secret is not None and (
            self.session_secret in PLACEHOLDER_SECRETS or len(self.session_secret.encode()) < MIN_SECRET_BYTES
        ):
            raise ValueError(f"WHOKNOWS_SESSION_SECRET must be a real secret of at least {MIN_SECRET_BYTES} bytes")
        if self.env != "development" and self.session_secret is None and not real_secret(self.jwt_secret):
            # with a JWKS URL the JWT secret verifies no token, so it was never checked, yet it still signed the
            # pages' session cookies: the public development placeholder, with which anyone could write a session
            # as an admin, or as any person (and hide or show them on the Privacy page)
            raise ValueError(
                "WHOKNOWS_SESSION_SECRET is missing, and the session cookies would be signed with WHOKNOWS_JWT_SECRET, "
                f"which is missing or a placeholder: set WHOKNOWS_SESSION_SECRET (at least {MIN_SECRET_BYTES} bytes)"
            )
        if bool(self.oidc_issuer) != bool(self.oidc_client_id):
            raise ValueError("set both WHOKNOWS_OIDC_ISSUER and WHOKNOWS_OIDC_CLIENT_ID, or neither")
        if self.env != "development" and self.oidc_issuer and self.public_url is None:
            # the redirect address would come from each request's Host header, which the client chooses: a poisoned
            # cache or a proxy passing Host through could send the provider's authorization code to another host
            raise ValueError(
                "WHOKNOWS_PUBLIC_URL is missing: with WHOKNOWS_OIDC_ISSUER set outside development, the sign-in "
                "redirect is never built from a request's Host header; set WHOKNOWS_PUBLIC_URL to the pages' public "
                "address (e.g. https://whoknows.example.org), whose /auth/callback is registered with the provider"
            )
        for value, role in self.oidc_role_map.items():
            if role.lower() not in ("employee", "analyst", "admin"):
                raise ValueError(f"WHOKNOWS_OIDC_ROLE_MAP maps {value!r} to {role!r}: use employee, analyst or admin")
        return self

    @property
    def cookie_secret(self) -> str:
        """The key that signs session cookies and development sign-in links."""
        return self.session_secret or self.jwt_secret


def real_secret(secret: str) -> bool:
    """Whether ``secret`` may sign anything outside development: no placeholder, at least ``MIN_SECRET_BYTES``.

    >>> real_secret(DEV_SECRET), real_secret("short"), real_secret("k" * 32)
    (False, False, True)
    """
    return secret not in PLACEHOLDER_SECRETS and len(secret.encode()) >= MIN_SECRET_BYTES


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (and overrides), with errors as ConfigError: one line naming each variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(describe(exc)) from exc
    except ValueError as exc:  # pydantic-settings: a value it could not even decode (e.g. a list that is not JSON)
        raise ConfigError(_undecodable(str(exc))) from exc


def describe(exc: ValidationError) -> str:
    """A validation error as one line an operator can act on, naming the environment variable and its value.

    >>> try:
    ...     Settings(min_group_size=0)
    ... except ValidationError as exc:
    ...     print(describe(exc))
    WHOKNOWS_MIN_GROUP_SIZE=0: Input should be greater than or equal to 1
    """
    parts = []
    for err in exc.errors(include_url=False):
        msg = str(err["msg"]).removeprefix("Value error, ")
        if not err["loc"]:  # a check across settings: its message names the variables
            parts.append(msg)
            continue
        var = f"{ENV_PREFIX}{str(err['loc'][0]).upper()}"
        secret = any(w in var for w in ("SECRET", "PASSWORD"))  # never echo a secret into a log
        parts.append(f"{var}={err['input']!r}: {msg}" if "input" in err and not secret else f"{var}: {msg}")
    return "; ".join(parts)


def _undecodable(message: str) -> str:
    """``error parsing value for field "cors_origins" from source ...`` as the variable that needs fixing."""
    match = re.search(r'field "(\w+)"', message)
    if match is None:
        return message.splitlines()[0] if message else "invalid settings"
    return f"{ENV_PREFIX}{match.group(1).upper()} cannot be read: write it as JSON (e.g. [\"https://a.example\"])"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


__all__ = ["DEV_SECRET", "Settings", "get_settings", "load_settings", "real_secret"]
