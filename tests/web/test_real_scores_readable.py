"""A person's network scores as the page shows them, on a real export (beer.stackexchange's Posts.xml in
../shared/data; skipped, saying so, where absent): ingested and analysed by the CLI, the page over HTTP.

The page printed every score with four fixed decimals: people on a few of the forum's shortest paths read
"Betweenness 0.0000", as if they were on none, and shares read as bare fractions.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.settings import load_settings
from tests.api.conftest import LiveServer
from tests.api.test_real_forum_explanations import run_whoknows
from tests.web.conftest import sign_in_link

SITE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "stackexchange-beer"


@pytest.fixture(scope="module")
def beer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Path]]:
    if not (SITE / "Posts.xml").is_file():
        pytest.skip(f"{SITE} is absent: the shared Stack Exchange samples are not on this machine")
    tmp = tmp_path_factory.mktemp("beer")
    for args in (("ingest", "forum", str(SITE), "--format", "stackexchange"), ("analyze",)):
        done = run_whoknows(tmp, *args)
        assert done.returncode == 0, done.stderr + done.stdout
    settings = load_settings(env="development", store=f"sqlite:///{tmp / 'whoknows.db'}", response_cache_ttl_s=0.0,
                             session_secret="web-test-session-secret-0123456789abcdef")
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        signed_in = client.get(sign_in_link(settings, server.url, "analyst:1", "Ana Lyst", Role.ANALYST))
        assert signed_in.status_code == 303, signed_in.text
        yield client, tmp / "whoknows.db"


def _score_cells(page: str) -> dict[str, str]:
    section = page.split('id="sc-h"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="n">(.*?)</td>', section, re.S)
    return {html.unescape(k): html.unescape(v).strip() for k, v in rows}


def test_a_broker_on_few_shortest_paths_does_not_read_as_on_none(
    beer: tuple[httpx.Client, Path],
) -> None:
    client, db = beer
    with sqlite3.connect(db) as conn:  # read-only look at what analyze wrote
        few = conn.execute("SELECT person_id FROM person_score WHERE betweenness > 0 AND betweenness < 5e-5 "
                           "ORDER BY betweenness, person_id LIMIT 1").fetchone()
    assert few, "the beer site has people on a handful of shortest paths"
    cells = _score_cells(client.get(f"/people/{quote(few[0], safe='')}").text)
    assert cells["Betweenness"] not in {"0.0000", "0 %", "0.0 %"}, cells
    assert re.fullmatch(r"0\.00[0-9]+ %", cells["Betweenness"]), cells
    for share in ("PageRank", "Degree"):
        assert re.fullmatch(r"[0-9.]+ %", cells[share]), cells
    assert re.fullmatch(r"[0-9,]+\.[0-9]", cells["Effective size"]), cells  # a count of contacts, one decimal
