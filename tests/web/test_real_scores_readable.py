"""A person page on a real export (beer.stackexchange's Posts.xml in
../shared/data; skipped, saying so, where absent): ingested and analysed by the CLI, the page over HTTP.

The page printed every score with four fixed decimals: people on a few of the forum's shortest paths read
"Betweenness 0.0000", as if they were on none, and shares read as bare fractions; and its activity weeks ended at
today, so everyone of an export from 2017 read "No posts in this period".
"""

from __future__ import annotations

import html
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
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


def test_a_persons_weeks_end_at_the_datas_last_post(beer: tuple[httpx.Client, Path]) -> None:
    """The activity chart counted the 26 weeks to today: on an export from 2017 everyone read "No posts in this
    period". The weeks end at the latest post, as the health figures do; the count is checked against Posts.xml."""
    client, _ = beer
    rows = [dict(e.attrib) for e in ET.parse(SITE / "Posts.xml").getroot()]
    last = max(datetime.fromisoformat(r["CreationDate"]) for r in rows)
    start = last.date() - timedelta(days=last.weekday()) - timedelta(weeks=25)  # the Monday 25 weeks before
    recent = Counter(r.get("OwnerUserId") for r in rows if r.get("OwnerUserId")
                     and datetime.fromisoformat(r["CreationDate"]).date() >= start)
    uid, posts = recent.most_common(1)[0]
    page = client.get(f"/people/{quote(f'stackexchange/stackexchange-beer:{uid}', safe='')}")
    assert page.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", "", page.text))
    assert "No posts in this period" not in text
    assert f"in the 26 weeks to {last.day} {last:%b %Y}" in text
    said = re.search(r"In all: ([^.]*)\.", text)
    assert said is not None
    assert sum(int(n) for n in re.findall(r"(\d+) \w+", said[1])) == posts, (said[1], posts)
