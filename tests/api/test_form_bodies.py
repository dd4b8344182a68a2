"""The pages' form posts are bounded (adversarial pass v2): Starlette reads a form into memory, up to a megabyte a
field and a thousand fields, so one ``POST /signout`` (no sign-in needed) of 300 one-megabyte fields grew the server
by 300 MB while it was read. Past 64 KB the page answers 413 instead, whether the body says its length or not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.web.bodylimit import MAX_FORM_BYTES
from tests.api.conftest import Api


def _fields(n: int, size: int) -> Iterator[bytes]:
    for i in range(n):
        yield (b"&" if i else b"") + f"f{i}=".encode() + b"a" * size


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_form_is_413(api: Api, declared: bool) -> None:
    body = b"".join(_fields(8, 64 * 1024)) if declared else _fields(8, 64 * 1024)
    r = api.http.post("/signout", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"},
                      follow_redirects=False)
    assert r.status_code == 413, r.text[:300]
    assert f"more than {MAX_FORM_BYTES // 1024} KB" in r.text
    assert api.http.get("/healthz").status_code == 200


def test_a_multipart_form_over_the_bound_is_413(api: Api) -> None:
    r = api.http.post("/signout", files={"csrf": ("x", b"a" * (MAX_FORM_BYTES + 1))}, follow_redirects=False)
    assert r.status_code == 413


def test_an_ordinary_form_still_signs_out(api: Api) -> None:
    r = api.http.post("/signout", data={"csrf": "x" * 100}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/signin"


def test_graphql_keeps_its_own_bound(api: Api) -> None:
    """POST /graphql takes up to 256 KB (app/graphql/endpoint.py), more than a form: this bound is not in its way."""
    query = "{ __typename }" + " " * (200 * 1024)
    assert api.data(query) == {"__typename": "Query"}
