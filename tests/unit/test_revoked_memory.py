"""The sessions a process revoked itself (app/web/session.py, ``Revoked``): refused here whatever the store says,
each forgotten once every session it covers has expired, so the memory stays as small as the sign-outs of one
session lifetime."""

from __future__ import annotations

import time

from app.auth import Role
from app.web.session import Revoked, WebUser


def _user(sid: str, sub: str = "idp|ann", iat: float = 1000.0) -> WebUser:
    return WebUser(sub=sub, name="Ann", role=Role.EMPLOYEE, csrf="c", sid=sid, iat=iat)


def test_a_revoked_session_and_a_subjects_older_sessions_are_covered() -> None:
    memory = Revoked()
    later = time.time() + 3600
    memory.session("s1", later)
    memory.subject("idp|bob", issued_before=2000.0, until=later)
    assert memory.covers(_user("s1"))
    assert not memory.covers(_user("s2"))
    assert memory.covers(_user("s3", "idp|bob", iat=1999.0))
    assert not memory.covers(_user("s4", "idp|bob", iat=2000.0))  # signed in since
    memory.subject("idp|bob", issued_before=1500.0, until=later)  # an older line written late never moves it back
    assert memory.covers(_user("s3", "idp|bob", iat=1999.0))


def test_what_has_expired_is_forgotten_and_what_has_not_is_kept() -> None:
    memory = Revoked()
    past, later = time.time() - 1, time.time() + 3600
    memory.session("live", later)
    memory.session("old", past)  # every session it covers has expired: nothing to keep
    memory.subject("idp|old", issued_before=past, until=past)
    assert not memory.covers(_user("old"))
    assert not memory.covers(_user("x", "idp|old", iat=0.0))
    assert memory.covers(_user("live"))
    assert len(memory._subjects) == 0  # nothing live before it: dropped at once
    memory.session("live", past)  # a later write never shortens a revocation
    assert memory.covers(_user("live"))
