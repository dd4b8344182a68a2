"""Influencers of a scope are people its members can reach: checked on two real exports nobody links.

The Slack sample and the Stack Exchange dump of bicycles.meta (../shared/data; skipped, saying so, where absent)
share no person, so no walk leads from one to the other. Through the real path (``whoknows ingest forum`` twice and
``whoknows analyze`` as subprocesses, the API over HTTP), a Slack channel's influencers listed bicycles.meta people
as #5 to #10 with a score of 0.0000 "ranked by ties to the people of this scope": the power iteration's uniform start
left them a remainder it had not yet decayed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.auth import Role
from app.main import create_app
from tests.api.conftest import Api, LiveServer, api_settings
from tests.api.test_real_forum_explanations import run_whoknows

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SLACK = DATA / "slack-sample" / "testarchive.zip"
SITE = DATA / "stackexchange-bicycles-meta"


@pytest.fixture(scope="module")
def mixed_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    if not SLACK.is_file() or not (SITE / "Posts.xml").is_file():
        pytest.skip(f"{DATA} lacks the Slack sample or bicycles.meta: the shared samples are not on this machine")
    tmp = tmp_path_factory.mktemp("slack-and-bicycles-meta")
    for args in (("ingest", "forum", str(SLACK), "--format", "slack"),
                 ("ingest", "forum", str(SITE), "--format", "stackexchange"), ("analyze",)):
        done = run_whoknows(tmp, *args)
        assert done.returncode == 0, done.stderr + done.stdout
    settings = api_settings(tmp)
    with LiveServer(create_app(settings)) as server:
        client = Api(server.url, settings)
        yield client
        client.http.close()


def _channels() -> dict[str, set[str]]:
    """Slack channel id -> its members' user ids, from the export's channels.json."""
    with zipfile.ZipFile(SLACK) as z:
        name = next(n for n in z.namelist() if n.endswith("channels.json"))
        return {c["id"]: set(c.get("members", [])) for c in json.loads(z.read(name))}


def test_a_channels_influencers_are_people_its_members_reach(mixed_api: Api) -> None:
    q = "query($c: ID) { influencers(communityId: $c, first: 20) { person { id } score } }"
    for channel, members in _channels().items():
        rows = mixed_api.data(q, {"c": f"slack:channel/{channel}"}, role=Role.ANALYST)["influencers"]
        assert rows, channel
        ids = [r["person"]["id"] for r in rows]
        assert all(i.startswith("slack:") for i in ids), ids  # nobody from the unconnected forum
        assert {f"slack:{m}" for m in members} <= set(ids)  # and its members are all there
        assert all(r["score"] > 0 for r in rows)



def test_a_forums_influencers_show_their_posts_up_to_the_datas_last_day(mixed_api: Api) -> None:
    """A community's influencers are explained by their posts there in the last 90 days; counted back from the wall
    clock, an export older than that had no posts in the window and every influencer read "ranked by ties to the
    people of this scope". The window ends at the data's last post, as on the community page; counted here by hand
    over Posts.xml and Comments.xml."""
    rows = {}
    for name in ("Posts.xml", "Comments.xml"):
        rows[name] = [dict(e.attrib) for e in ET.parse(SITE / name).getroot()]
    last = max(datetime.fromisoformat(r["CreationDate"]) for rs in rows.values() for r in rs)
    since = last - timedelta(days=90)
    q = "query($c: ID) { influencers(communityId: $c, first: 3) { explanation person { id } } }"
    got = mixed_api.data(q, {"c": "stackexchange:stackexchange-bicycles-meta"}, role=Role.ANALYST)["influencers"]
    top = got[0]
    window = f"in the 90 days to {last.day} {last:%b %Y}"
    said = re.search(rf"(\d+) posts? there {window} \((\d+) answers", top["explanation"])
    assert said is not None, top
    uid = top["person"]["id"].rsplit(":", 1)[1]
    mine = [r for r in rows["Posts.xml"] if r.get("OwnerUserId") == uid] + [
        r for r in rows["Comments.xml"] if r.get("UserId") == uid]
    recent = [r for r in mine if datetime.fromisoformat(r["CreationDate"]) >= since]
    posts = {r["Id"]: r for r in rows["Posts.xml"]}

    def asker(r: dict[str, str]) -> str | None:  # the author of the thread's question
        on = posts.get(r.get("PostId") or r.get("ParentId") or "")
        if on is not None and on.get("PostTypeId") == "2":
            on = posts.get(on.get("ParentId") or "")
        return None if on is None else on.get("OwnerUserId")

    # answers and comments in someone else's thread (docs/health.md: helping is answering someone else)
    helping = [r for r in recent if r.get("PostTypeId") != "1" and asker(r) != uid]
    assert (int(said[1]), int(said[2])) == (len(recent), len(helping)), (top, len(recent), len(helping))
