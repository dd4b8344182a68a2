"""A community nobody posted in lately, beside one that is busy, on real exports (beer.stackexchange, 2014-2017, and
datascience.meta, to 2024, from ../shared/data; skipped, saying so, where absent): ingested and analysed by the CLI
into one store, the API and the pages over HTTP.

The health window ends at the store's last post, so beer's 30 days (and its 27 weeks) held no post at all. Every
one of its figures read "withheld: fewer than 5 people contributed", its member count too, while the same page's
header said "781 current members": as if a few people were being protected where there was no one to protect.
A period nobody posted in now shows its zeros (and "–" for its rates), and the periods of one to four contributors
stay withheld.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from app.auth import Role, mint_token
from app.main import create_app
from app.settings import load_settings
from tests.api.conftest import LiveServer
from tests.api.test_real_forum_explanations import run_whoknows
from tests.web.conftest import sign_in_link

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
QUIET, BUSY = "beer", "datascience-meta"
HEALTH = """query($id: ID!) { community(id: $id) { health {
  current { start days members activeMembers posts postsPerWeek replyRate absenceFactor withheld withheldReason }
  weekly { start posts activeMembers withheld withheldReason } } } }"""


def _dates(site: str) -> list[datetime]:
    return [datetime.fromisoformat(r.attrib["CreationDate"])
            for r in ET.parse(DATA / f"stackexchange-{site}" / "Posts.xml").getroot()]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    if not all((DATA / f"stackexchange-{s}" / "Posts.xml").is_file() for s in (QUIET, BUSY)):
        pytest.skip(f"{DATA} lacks the beer and datascience.meta samples: the shared data is not on this machine")
    tmp = tmp_path_factory.mktemp("quiet")
    for site in (QUIET, BUSY):
        done = run_whoknows(tmp, "ingest", "forum", str(DATA / f"stackexchange-{site}"), "--format",
                            "stackexchange", "--community", site)
        assert done.returncode == 0, done.stderr + done.stdout
    done = run_whoknows(tmp, "analyze")
    assert done.returncode == 0, done.stderr + done.stdout
    settings = load_settings(env="development", store=f"sqlite:///{tmp / 'whoknows.db'}", response_cache_ttl_s=0.0,
                             session_secret="web-test-session-secret-0123456789abcdef")
    token = mint_token(settings, sub="analyst:1", role=Role.ANALYST)
    with LiveServer(create_app(settings)) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        signed_in = client.get(sign_in_link(settings, server.url, "analyst:1", "Ana Lyst", Role.ANALYST))
        assert signed_in.status_code == 303, signed_in.text
        yield client, {"Authorization": f"Bearer {token}"}


def _health(client: httpx.Client, auth: dict[str, str], site: str) -> dict:
    r = client.post("/graphql", json={"query": HEALTH, "variables": {"id": f"stackexchange:{site}"}}, headers=auth)
    assert r.status_code == 200, r.text
    assert "errors" not in r.json(), r.text
    return r.json()["data"]["community"]["health"]


def test_a_quiet_community_shows_its_zeros_not_withheld(served: tuple[httpx.Client, dict[str, str]]) -> None:
    client, auth = served
    last = max(_dates(BUSY))  # the store's last post: the health window ends there
    assert max(_dates(QUIET)) < last - timedelta(days=400), "the premise: beer had no post for a year before it"
    health = _health(client, auth, QUIET)
    cur = health["current"]
    assert cur["withheld"] == [], cur
    assert cur["withheldReason"] is None, cur
    assert (cur["activeMembers"], cur["posts"], cur["postsPerWeek"]) == (0, 0, 0.0), cur
    assert (cur["replyRate"], cur["absenceFactor"]) == (None, None), cur  # no data, not 0 %
    assert health["weekly"], health
    assert all(w["withheld"] == [] and w["posts"] == 0 for w in health["weekly"]), health

    page = html.unescape(client.get(f"/communities/{quote(f'stackexchange:{QUIET}', safe='')}").text)
    header = re.search(r"([0-9,]+) current members", page)
    assert header, page[:2000]
    tile = re.search(r"<dt>Members at the last analysis</dt><dd>([^<]*)</dd>", page)
    assert tile, page[:4000]
    assert tile.group(1) == header.group(1) == str(cur["members"]), (tile, header)
    assert "withheld" not in page.split('id="h-health"', 1)[1].split("Top contributors", 1)[0]
    assert ">None<" not in page  # an empty figure reads "–", never Python's None


def test_a_few_contributors_stay_withheld(served: tuple[httpx.Client, dict[str, str]]) -> None:
    """The weeks of datascience.meta with one to four posters are still withheld whole, counted from the files."""
    client, auth = served
    weekly = _health(client, auth, BUSY)["weekly"]
    rows = [r.attrib for r in ET.parse(DATA / f"stackexchange-{BUSY}" / "Posts.xml").getroot()]
    few = 0
    for w in weekly:
        start = datetime.fromisoformat(w["start"]).date()
        posters = {r.get("OwnerUserId") or r.get("OwnerDisplayName") for r in rows
                   if start <= datetime.fromisoformat(r["CreationDate"]).date() < start + timedelta(days=7)}
        posters.discard("-1")  # Stack Exchange's Community bot is nobody's activity
        if 0 < len(posters) < 5:
            few += 1
            assert w["posts"] is None, w
            assert w["withheldReason"] == "fewer than 5 people contributed in this period", w
    assert few, "the premise: some weeks of datascience.meta had one to four posters"


def test_a_quiet_persons_weeks_end_at_their_own_latest_post(served: tuple[httpx.Client, dict[str, str]]) -> None:
    """Everyone of beer read "No posts in this period" over bare axes (the weeks ended at datascience.meta's last
    post, seven years on): their weeks now end at their own latest post, said so, counted as in Posts.xml."""
    client, _ = served
    rows = [r.attrib for r in ET.parse(DATA / f"stackexchange-{QUIET}" / "Posts.xml").getroot()
            if r.get("PostTypeId") in {"1", "2"} and r.get("OwnerUserId") not in {None, "-1"}]
    busiest = max({r["OwnerUserId"] for r in rows}, key=lambda u: (sum(r["OwnerUserId"] == u for r in rows), u))
    mine = [datetime.fromisoformat(r["CreationDate"]).date() for r in rows if r["OwnerUserId"] == busiest]
    first_week = max(mine) - timedelta(days=max(mine).weekday()) - timedelta(weeks=25)
    expected = sum(d >= first_week for d in mine)
    page = html.unescape(client.get(f"/people/{quote(f'stackexchange/{QUIET}:{busiest}', safe='')}").text)
    said = page.split('id="act-h"', 1)[1].split("</p>", 1)[0]
    end = max(_dates(BUSY))  # the store's last post
    assert f"No posts in the 26 weeks to {end.day} {end:%b %Y}" in said, said
    assert "the end of the week of their own latest post" in said, said
    counted = sum(int(n) for n in re.findall(r"(\d+) (?:answer|question)s?\b", said.split("In all:", 1)[1]))
    assert counted == expected, (said, expected)


def test_the_list_says_which_30_days(served: tuple[httpx.Client, dict[str, str]]) -> None:
    """The list said "the last 30 days" over figures of the 30 days to the data's last post, years before today."""
    client, _ = served
    end = max(_dates(BUSY))
    page = html.unescape(client.get("/communities").text)
    assert f"Health figures cover the 30 days to {end.day} {end:%b %Y}" in page, page[:3000]
    assert "the last 30 days" not in page
