"""What an explanation says about when and how much, on a small organisation written here and analysed by the real
job, read over HTTP: every date and count must be the one the rank weighs, in the data's own time.

The data ends on T0 (January 2025), long before the wall clock. Ann answered python three times in 2023 and asked a
python question ten days before T0; Bob answered python once twenty days before T0. The expert list used to say
"last active on python in 2025" for both (Ann's question, and the wall clock for Bob), so Ann, ranked below Bob,
read as having more answers and activity as recent as his, with no reason for her rank.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from app.auth import Role
from app.main import create_app
from graph.jobs import AnalyticsParams, run_analytics
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import Community, MemberOf
from tests.api.conftest import Api, LiveServer, api_settings
from tests.factories import T0, person, post

DAY = timedelta(days=1)
ANN, BOB, CAROL = "hr:E0001", "hr:E0002", "hr:E0003"
FORUM = "stackexchange:demo"
ANN_LAST_ANSWER = T0 - 400 * DAY


def _org() -> Batch:
    people = [person(i) for i in (1, 2, 3, *range(100, 110))]
    posts = []
    n = 0

    def qa(answerer: str, asker: str, at: datetime, accepted: bool = False) -> None:
        nonlocal n
        q = post(n := n + 1, asker, created_at=at - DAY, community_id=FORUM)
        posts.append(q)
        posts.append(post(n := n + 1, answerer, kind="answer", parent_id=q.id, thread_id=q.id, created_at=at,
                          accepted=accepted, score=3, community_id=FORUM))

    for k in range(3):
        qa(ANN, f"hr:E{100 + k:04d}", ANN_LAST_ANSWER - 30 * k * DAY, accepted=k == 0)
    posts.append(post(n := n + 1, ANN, created_at=T0 - 10 * DAY, community_id=FORUM))  # Ann asks, lately
    qa(BOB, "hr:E0105", T0 - 20 * DAY)
    qa(CAROL, "hr:E0106", T0 - 5 * DAY)  # one answer in the 90 days: "1 answer, reply or comment"
    posts.append(post(n + 1, "hr:E0107", created_at=T0, community_id=FORUM))  # the data's last post
    forum = Community(id=FORUM, name="demo forum", kind="forum", source="stackexchange/demo")
    members = [MemberOf(person_id=p.id, community_id=FORUM) for p in people]
    return Batch(people=people, posts=posts, communities=[forum], memberships=members)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp = tmp_path_factory.mktemp("explanation-dates")
    store = SQLiteStore(tmp / "whoknows.db")
    store.write_batch(_org())
    run_analytics(store, AnalyticsParams())
    settings = api_settings(tmp)
    with LiveServer(create_app(settings, store=store)) as server:
        client = Api(server.url, settings)
        yield client
        client.http.close()
    store.close()


def _experts(api: Api) -> dict[str, str]:
    edges = api.data('{ experts(skill: "python", first: 10) { edges { node { person { id } explanation } } } }')
    return {e["node"]["person"]["id"]: e["node"]["explanation"] for e in edges["experts"]["edges"]}


def test_the_date_said_is_the_latest_answer_not_a_later_question(api: Api) -> None:
    said = _experts(api)
    assert said[ANN].endswith(f"latest answer on python in {ANN_LAST_ANSWER:%b %Y}"), said[ANN]
    assert "2025" not in said[ANN], said[ANN]


def test_recency_is_measured_at_the_data_clock(api: Api) -> None:
    """Bob answered 20 days before the data's last post: "last month" in the data's time (T0 is 6 Jan 2025), not
    "last active in 2024" by the wall clock; the person page and the influencer line say the same."""
    said = _experts(api)
    assert said[BOB].endswith("latest answer last month"), said[BOB]
    page = api.data('query($i: ID!) { person(id: $i) { expertise { skill explanation } } }', {"i": BOB})
    assert [x["explanation"] for x in page["person"]["expertise"] if x["skill"] == "python"] == [said[BOB]]
    rows = api.data('{ influencers(skill: "python", first: 10) { person { id } explanation } }', role=Role.ANALYST)
    bob = [r["explanation"] for r in rows["influencers"] if r["person"]["id"] == BOB]
    assert bob, rows
    assert bob[0].endswith("latest answer last month"), bob


def test_one_answer_or_reply_is_singular(api: Api) -> None:
    rows = api.data('query($c: ID!) { influencers(communityId: $c, first: 20) { person { id } explanation } }',
                    {"c": FORUM}, role=Role.ANALYST)["influencers"]
    carol = [r["explanation"] for r in rows if r["person"]["id"] == CAROL]
    assert carol, rows
    assert re.search(r"\(1 answer, reply or comment to others\)", carol[0]), carol[0]  # no "0 accepted"
    assert not any(re.search(r"\b1 answers\b", r["explanation"]) for r in rows), rows
