"""Seeds an L&D team can use today, on a small organisation written here and analysed by the real job.

Person 1 is the strongest python expert and reached the most people, all of it four years before the data's last
post; persons 2 and 3 answered python questions in the last two months. Seeds used to be chosen over all time (1
first), and what each "reached" counted ties from any year. Now seeds are the experts active in the analysis'
half-life up to the data's last post (not the wall clock: the data ends in January 2025), reach counts the ties in
that window, and the one left out is named, on the API and on the planner page.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from app.auth import Role
from app.main import create_app
from app.settings import Settings
from graph.jobs import AnalyticsParams, run_analytics
from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import Api, LiveServer, api_settings
from tests.factories import T0, person, post
from tests.web.conftest import sign_in_link

DAY = timedelta(days=1)
GONE, ACTIVE = "hr:E0001", ("hr:E0002", "hr:E0003")
OLD_ASKER = "hr:E0300"  # answered by person 2 a thousand days ago: not reached now
PLAN = """query($s: String!, $c: Int!) { seedPlan(skill: $s, count: $c) { asOf recentDays note
  leftOut { expertRank lastActive explanation person { id name } }
  seeds { rank explanation person { id } measures { name value } } } }"""


def _org() -> Batch:
    """Q&A on python: 30 accepted answers by person 1 around T0 - 4 years; 3 answers each by persons 2 and 3 in the
    last 60 days (to distinct askers); one old answer by person 2."""
    people = [person(i) for i in (1, 2, 3, 300, *range(100, 130), *range(200, 206))]
    posts = []
    n = 0

    def qa(answerer: str, asker: str, at: datetime, accepted: bool) -> None:
        nonlocal n
        q = post(n := n + 1, asker, created_at=at - DAY)
        posts.append(q)
        posts.append(post(n := n + 1, answerer, kind="answer", parent_id=q.id, thread_id=q.id, created_at=at,
                          accepted=accepted, score=5 if accepted else 1))

    for k in range(30):
        qa(GONE, f"hr:E{100 + k:04d}", T0 - (4 * 365 - k) * DAY, True)
    for j, who in enumerate(ACTIVE):
        for k in range(3):
            qa(who, f"hr:E{200 + 3 * j + k:04d}", T0 - (10 + 15 * k + j) * DAY, k == 0)
    qa(ACTIVE[0], OLD_ASKER, T0 - 1000 * DAY, False)
    posts.append(post(n + 1, "hr:E0205", created_at=T0))  # the data's last post
    return Batch(people=people, posts=posts)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, str, Settings]]:
    tmp = tmp_path_factory.mktemp("seeds-recent")
    store = SQLiteStore(tmp / "whoknows.db")
    store.write_batch(_org())
    run_analytics(store, AnalyticsParams())
    settings = api_settings(tmp, env="development", session_secret="seeds-recent-session-secret-0123456789ab")
    with LiveServer(create_app(settings, store=store)) as server:
        api = Api(server.url, settings)
        yield api, server.url, settings
        api.http.close()
    store.close()


def test_a_seed_gone_for_years_is_left_out_and_named(org: tuple[Api, str, Settings]) -> None:
    api, _, _ = org
    seeds = api.data('{ seedCandidates(skill: "python", count: 3) { person { id } explanation } }',
                     role=Role.ANALYST)["seedCandidates"]
    assert {s["person"]["id"] for s in seeds} == set(ACTIVE)  # only two are active: fewer seeds, none gone
    plan = api.data(PLAN, {"s": "python", "c": 3}, role=Role.ANALYST)["seedPlan"]
    assert plan["recentDays"] == 180
    assert datetime.fromisoformat(plan["asOf"]) == T0  # the data's clock, not the wall clock
    assert [x["person"]["id"] for x in plan["leftOut"]] == [GONE]
    gone = plan["leftOut"][0]
    experts = api.data('{ experts(skill: "python", first: 10) { edges { node { person { id } } } } }')["experts"]
    assert gone["expertRank"] == [e["node"]["person"]["id"] for e in experts["edges"]].index(GONE) + 1
    assert datetime.fromisoformat(gone["lastActive"]) == T0 - (4 * 365 - 29) * DAY
    assert f"Person 1 (#{gone['expertRank']} by expertise, last active" in plan["note"]
    assert "in the 180 days to 6 Jan 2025" in plan["note"]


def test_reach_counts_only_the_ties_of_the_recent_window(org: tuple[Api, str, Settings]) -> None:
    """Person 2's answer to person 300 a thousand days ago reaches no one today: each active seed reaches itself
    and its three recent askers, and says over which window."""
    api, _, _ = org
    plan = api.data(PLAN, {"s": "python", "c": 2}, role=Role.ANALYST)["seedPlan"]
    new_people = {s["person"]["id"]: next(m["value"] for m in s["measures"] if m["name"] == "new_people")
                  for s in plan["seeds"]}
    assert new_people == {ACTIVE[0]: 4.0, ACTIVE[1]: 4.0}
    for s in plan["seeds"]:
        assert "(ties in the 180 days to 6 Jan 2025)" in s["explanation"]
        days = next(m["value"] for m in s["measures"] if m["name"] == "days_since_active")
        assert 0 < days <= 180


def test_influencers_say_ties_are_weighted_towards_recent_activity(org: tuple[Api, str, Settings]) -> None:
    api, _, _ = org
    rows = api.data("{ influencers(first: 3) { explanation scoreMeaning } }", role=Role.ANALYST)["influencers"]
    assert rows
    for r in rows:
        assert ("ties weighted towards recent activity: a tie's weight halves every 180 days before 6 Jan 2025, "
                "the data's last post (a year-old tie counts 25 %, a two-year-old one 6.0 %)") in r["explanation"]
        assert "half-life" in r["scoreMeaning"]


def test_the_planner_page_names_who_was_left_out(org: tuple[Api, str, Settings]) -> None:
    _, url, settings = org
    with httpx.Client(base_url=url, timeout=60) as client:
        assert client.get(sign_in_link(settings, url, "hr:E0002", "Ana Lyst", Role.ANALYST)).status_code == 303
        page = client.get("/plan/seeds", params={"skill": "python", "count": 3})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Left out for no activity in that window: Person 1 (#" in text
    assert "in the 180 days to the data's last post" in text  # what "people reached" counts


def test_a_left_out_name_cannot_turn_the_note_around() -> None:
    """A name with a right-to-left override, from an export, is isolated in the note (as in every explanation)."""
    from app.graphql.seeds import LeftOut, SeedPlan, Window
    from graph.store.base import ExpertHit
    from schema.models import Person

    hit = ExpertHit(Person(id="x:1", name="Eve\u202e"), "python", 1.0, (), "c", 1)
    plan = SeedPlan(seeds=[], left_out=[LeftOut(hit, 1, T0 - 900 * DAY)], window=Window(T0, 180.0), pool=0)
    assert "\u2068Eve\u202e\u2069 (#1 by expertise, last active 21 Jul 2022)" in plan.note()
