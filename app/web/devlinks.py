"""Development sign-in links (``whoknows demo`` prints one per role): signed, short-lived, refused elsewhere.

A link carries a person id and a role, signed with the session secret under its own salt, and is accepted for
``WHOKNOWS_DEV_LINK_TTL_S`` seconds, only while ``WHOKNOWS_ENV=development``: in test or production the route
answers 404 and minting refuses.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth import Role
from app.settings import Settings
from schema.errors import AuthError, ConfigError

SALT = "whoknows.web.devlink"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    if settings.env != "development":
        raise ConfigError("development sign-in links exist only with WHOKNOWS_ENV=development")
    return URLSafeTimedSerializer(settings.cookie_secret, salt=SALT)


def mint_dev_token(settings: Settings, person_id: str, name: str, role: Role) -> str:
    return _serializer(settings).dumps({"p": person_id, "n": name, "r": role.name.lower()})


def dev_link(settings: Settings, base_url: str, person_id: str, name: str, role: Role) -> str:
    return f"{base_url.rstrip('/')}/auth/dev?t={mint_dev_token(settings, person_id, name, role)}"


def read_dev_token(settings: Settings, token: str) -> tuple[str, str, Role]:
    """(person id, name, role) of a valid link; AuthError when forged or expired."""
    try:
        data = _serializer(settings).loads(token, max_age=settings.dev_link_ttl_s)
    except SignatureExpired as exc:
        raise AuthError("this sign-in link has expired: run `whoknows demo` again for fresh ones") from exc
    except BadSignature as exc:
        raise AuthError("this sign-in link is not valid") from exc
    if not isinstance(data, dict):
        raise AuthError("this sign-in link is not valid")
    try:
        return str(data["p"]), str(data["n"]), Role.parse(data["r"])
    except (KeyError, ValueError) as exc:
        raise AuthError("this sign-in link is not valid") from exc


__all__ = ["dev_link", "mint_dev_token", "read_dev_token"]
