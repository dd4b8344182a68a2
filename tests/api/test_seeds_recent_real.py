"""Seeds and influencer explanations on real Stack Exchange exports, checked against the exports' own files.

bicycles.meta (2010-2023) and beer (2014-2017) from ../shared/data (skipped, saying so, where that folder is absent)
go through ``whoknows ingest forum`` and ``whoknows analyze`` as subprocesses and the API over HTTP. On
bicycles.meta the first and third seeds on "discussion" had last posted in 2019 and 2015, four and eight years
before the data's last post, and each seed's reach counted ties from any year. Here every seed must have acted (a
post, comment or vote of its own in the files) in the recent window the plan states, every expert the plan leaves
out must have no post or comment in it, the window must end at the data's own last post, and every influencer
explanation must say how ties are weighted towards recent activity.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.auth import Role
from app.graphql.rankings import day
from app.main import create_app
from tests.api.conftest import Api, LiveServer, api_settings
from tests.api.test_real_forum_explanations import run_whoknows

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SITES = ["stackexchange-bicycles-meta", "stackexchange-beer"]
BOT = "-1"  # Stack Exchange's "Community" user
PLAN = """query($s: String!, $c: Int!) { seedPlan(skill: $s, count: $c) { asOf recentDays note
  leftOut { lastActive person { id } } seeds { person { id } explanation } } }"""


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _acts(site: Path) -> tuple[dict[str, datetime], dict[str, datetime], Counter[str]]:
    """Per user id: the latest post or comment; the latest post, comment or vote; and the questions' tag counts."""
    written: dict[str, datetime] = {}
    any_act: dict[str, datetime] = {}
    tags: Counter[str] = Counter()

    def saw(into: dict[str, datetime], user: str | None, at: str | None) -> None:
        if user and at and user != BOT:
            t = _when(at)
            if user not in into or t > into[user]:
                into[user] = t

    for name, user_key in (("Posts.xml", "OwnerUserId"), ("Comments.xml", "UserId"), ("Votes.xml", "UserId")):
        if not (site / name).is_file():
            continue
        for row in ET.parse(site / name).getroot():
            a = row.attrib
            if name != "Votes.xml":
                saw(written, a.get(user_key), a.get("CreationDate"))
            saw(any_act, a.get(user_key), a.get("CreationDate"))
            if name == "Posts.xml" and a.get("PostTypeId") == "1":
                tags.update(t for t in re.split(r"[<>|]", a.get("Tags", "")) if t)
    return written, any_act, tags


@pytest.fixture(scope="module", params=SITES)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Path]]:
    folder = DATA / request.param
    if not (folder / "Posts.xml").is_file():
        pytest.skip(f"{folder} is absent: the shared Stack Exchange samples are not on this machine")
    tmp = tmp_path_factory.mktemp(request.param)
    for args in (("ingest", "forum", str(folder), "--format", "stackexchange"), ("analyze",)):
        done = run_whoknows(tmp, *args)
        assert done.returncode == 0, done.stderr + done.stdout
    settings = api_settings(tmp)
    with LiveServer(create_app(settings)) as server:
        api = Api(server.url, settings)
        yield api, folder
        api.http.close()


def _user(person_id: str) -> str:
    return person_id.rsplit(":", 1)[1]


def test_seeds_acted_in_the_window_and_the_left_out_did_not(site: tuple[Api, Path]) -> None:
    api, folder = site
    written, any_act, tags = _acts(folder)
    last_post = max(written.values())
    left_out = 0
    for tag, _ in tags.most_common(3):
        plan = api.data(PLAN, {"s": tag, "c": 5}, role=Role.ANALYST)["seedPlan"]
        assert plan is not None, tag
        until = datetime.fromisoformat(plan["asOf"])
        assert abs(until - last_post) < timedelta(seconds=1), "the window ends at the data's last post"
        since = until - timedelta(days=plan["recentDays"])
        assert plan["seeds"], f"{folder.name} has active experts on {tag}"
        for s in plan["seeds"]:
            who = _user(s["person"]["id"])
            assert any_act[who] >= since, (tag, who, any_act[who], s["explanation"])
            assert f"(ties in the {plan['recentDays']:g} days to {day(until)})" in s["explanation"]
        for x in plan["leftOut"]:
            who = _user(x["person"]["id"])
            assert written.get(who, datetime.min.replace(tzinfo=UTC)) < since, (tag, who)
            assert datetime.fromisoformat(x["lastActive"]) < since
            left_out += 1
            assert x["person"]["id"] not in {s["person"]["id"] for s in plan["seeds"]}
        if plan["leftOut"]:
            assert "Left out for no activity in that window" in plan["note"]
    assert left_out, f"{folder.name}'s top topics have experts who went quiet before its last half-year"


def test_influencer_explanations_say_ties_favour_recent_activity(site: tuple[Api, Path]) -> None:
    api, folder = site
    written, _, _ = _acts(folder)
    rows = api.data("{ influencers(first: 10) { explanation } }", role=Role.ANALYST)["influencers"]
    assert rows
    said = f"a tie's weight halves every 180 days before {day(max(written.values()))}, the data's last post"
    for r in rows:
        assert said in r["explanation"], r["explanation"]
