"""Addresses and requests no page route takes answer the pages' own error page (HTML, with the pages' CSP), never
FastAPI's ``{"detail": "Not Found"}`` in a person's browser; the API's paths keep their JSON. Over real HTTP against
the real app on the API tests' small organisation (real SQLite, real HRIS ingest)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.auth import Role
from app.settings import Settings
from tests.web.test_pages_bounds import signed_in


@pytest.fixture
def employee(small_org_pages: tuple[str, Settings]) -> Iterator[httpx.Client]:
    url, settings = small_org_pages
    with httpx.Client(base_url=url, timeout=30) as client:
        signed_in(client, settings, url, Role.EMPLOYEE)
        yield client


def html_error(r: httpx.Response, status: int, says: str) -> None:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert says in r.text, r.text[:800]
    assert '"detail"' not in r.text


@pytest.mark.parametrize("path", ["/plan/influencer", "/Search", "/people-list", "/communities-x/1", "/me/x"])
def test_an_address_no_page_has_is_a_404_page(employee: httpx.Client, path: str) -> None:
    html_error(employee.get(path), 404, "There is no page at this address")


def test_an_address_no_page_has_is_a_404_page_signed_out_too(small_org_pages: tuple[str, Settings]) -> None:
    html_error(httpx.get(small_org_pages[0] + "/plan/influencer", timeout=30), 404, "There is no page at this address")


@pytest.mark.parametrize(("method", "path"), [("PUT", "/search"), ("DELETE", "/me/privacy"), ("POST", "/plan"),
                                              ("PATCH", "/communities")])
def test_a_method_a_page_does_not_take_is_a_405_page_naming_what_it_takes(employee: httpx.Client, method: str,
                                                                         path: str) -> None:
    r = employee.request(method, path)
    html_error(r, 405, f"method {method}")
    assert "GET" in r.headers["allow"]
    # the title says which page this is (WCAG 2.4.2): it was "Error · whoknows", alike for any error
    assert "<title>Not a request this page takes · whoknows</title>" in r.text


def test_a_form_over_the_size_limit_is_a_413_page(employee: httpx.Client) -> None:
    """A form over the pages' 64 KB (app/web/bodylimit.py) is refused before Starlette reads it: before, its own
    ``{"detail": "Field exceeded..."}`` for a field over 1 MiB."""
    body = b"csrf=x&hide=" + b"y" * (1024 * 1024 + 10)
    r = employee.post("/me/privacy", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    html_error(r, 413, "The form sent more than 64 KB")


def test_a_form_starlette_refuses_is_a_400_page(employee: httpx.Client) -> None:
    """Within 64 KB, a multipart form of more than Starlette's 1,000 fields: its 400, as the pages' error page."""
    part = b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n"
    body = part * 1001 + b"--b--\r\n"
    assert len(body) < 64 * 1024
    r = employee.post("/me/privacy", content=body, headers={"content-type": "multipart/form-data; boundary=b"})
    html_error(r, 400, "Too many fields")


@pytest.mark.parametrize(("path", "target"), [("/communities/", "/communities"), ("/people/", "/search")])
def test_a_list_address_with_a_trailing_slash_goes_to_the_list(employee: httpx.Client, path: str,
                                                               target: str) -> None:
    """Before: a 400 page saying "id '' is not a valid id (expected 'namespace:local')"."""
    r = employee.get(path, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, target)


@pytest.mark.parametrize("path", ["/healthz/x", "/graphql/x", "/static/nothing.js", "/web/static/nothing.css",
                                  "/suggest/nothing"])
def test_the_api_paths_keep_their_json_errors(small_org_pages: tuple[str, Settings], path: str) -> None:
    r = httpx.get(small_org_pages[0] + path, timeout=30)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(("path", "target"), [("/plan/", "/plan"), ("/plan/influencers/?skill=python",
                                                                    "/plan/influencers?skill=python"),
                                              ("/search//", "/search"), ("/healthz/", "/healthz")])
def test_a_trailing_slash_redirects_relatively_whatever_the_host_header(
        small_org_pages: tuple[str, Settings], path: str, target: str) -> None:
    """Starlette's slash redirect wrote ``Location: http://evil.example/plan`` for ``Host: evil.example``: behind a
    proxy that passes Host through, or in a shared cache, a link to /plan/ sent people off-site."""
    r = httpx.get(small_org_pages[0] + path, headers={"Host": "evil.example"}, follow_redirects=False, timeout=30)
    assert (r.status_code, r.headers["location"]) == (307, target)


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example//", "/\\evil.example/", "/%2F%2Fevil.example/",
                                  "/nothing-here/"])
def test_a_trailing_slash_never_redirects_off_site(employee: httpx.Client, path: str) -> None:
    url = employee.base_url.copy_with(raw_path=path.encode())  # as sent: no client-side normalising of "//"
    r = employee.get(url, follow_redirects=False)
    assert "location" not in r.headers
    html_error(r, 404, "There is no page at this address")


@pytest.mark.parametrize("path", ["/communities", "/search?skill=python", "/me/privacy"])
def test_head_answers_as_get_without_the_body(employee: httpx.Client, path: str) -> None:
    """Uptime monitors and link checkers send HEAD; FastAPI's GET routes answered it 405."""
    got, head = employee.get(path), employee.head(path)
    assert got.status_code == head.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert int(head.headers["content-length"]) > 0
    assert head.content == b""


def test_head_on_the_probes_and_signed_out(small_org_pages: tuple[str, Settings]) -> None:
    assert httpx.head(small_org_pages[0] + "/healthz", timeout=30).status_code == 200
    r = httpx.head(small_org_pages[0] + "/communities", timeout=30, follow_redirects=False)
    got = httpx.get(small_org_pages[0] + "/communities", timeout=30, follow_redirects=False)
    assert r.status_code == got.status_code
    assert r.content == b""
