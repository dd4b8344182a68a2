"""Complementary suppression of weekly health against the 30-day figures, through the real path (JSON-lines ingest,
the analytics job, the API over HTTP).

The guild (twelve members) has one quiet week, 9 March, when only two people posted (three posts each): its
figures are withheld. Before, the 30-day ``posts`` minus the other weeks' posts gave those six posts back, the
activity of two people, whom the guild's leaderboard names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.auth import Role
from app.main import create_app
from graph.jobs import run_analytics
from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum
from tests.api.conftest import Api, LiveServer, api_settings

GUILD = "jsonl/team:community/guild"
PEOPLE = [f"u{i:02}" for i in range(12)]
MONDAY = datetime(2026, 2, 23, 9, 0, tzinfo=UTC)
# (week after MONDAY, day of that week, people who post, posts each); the last post (Wednesday 25 March) is the
# data's clock, so the 30 days up to it reach back into the week of 23 February
WEEKS = [(0, 2, PEOPLE[:6], 1), (1, 1, PEOPLE[:6], 1), (2, 1, PEOPLE[6:8], 3), (3, 1, PEOPLE[:6], 1),
         (4, 2, PEOPLE[:5], 1)]
HEALTH = ("query($id: ID!) { community(id: $id) { health { current { start days posts withheld } "
          "weekly { start days posts withheld } } } }")


def _forum(path: Path) -> Path:
    lines: list[dict[str, Any]] = [{"type": "person", "handle": p, "name": f"Person {p}"} for p in PEOPLE]
    lines.append({"type": "community", "id": "guild", "name": "Guild", "kind": "group"})
    lines += [{"type": "membership", "person": p, "community": "guild", "since": "2025-01-01T00:00:00Z"}
              for p in PEOPLE]
    n = 0
    for week, day, who, each in WEEKS:
        for k in range(each):
            for i, p in enumerate(who):
                at = MONDAY + timedelta(weeks=week, days=day, minutes=10 * (i + len(who) * k))
                lines.append({"type": "post", "id": f"p{n}", "author": p, "community": "guild",
                              "created_at": at.isoformat()})
                n += 1
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, SQLiteStore]]:
    tmp = tmp_path_factory.mktemp("health-complement")
    settings = api_settings(tmp)
    store = SQLiteStore(tmp / "whoknows.db")
    assert ingest_forum(store, _forum(tmp / "team.jsonl"), "jsonl", rejects=tmp / "r.jsonl").rejected == 0
    run_analytics(store, settings)
    with LiveServer(create_app(settings, store=store)) as server:
        api = Api(server.url, settings)
        yield api, store
        api.http.close()
    store.close()


def test_the_30_day_figures_less_the_weeks_shown_give_no_small_week_back(served: tuple[Api, SQLiteStore]) -> None:
    api, store = served
    health = api.data(HEALTH, {"id": GUILD}, role=Role.ANALYST)["community"]["health"]
    current = health["current"]
    assert current["posts"] == 6 + 6 + 6 + 6 + 5  # shown, over eleven people
    start = date.fromisoformat(current["start"])
    within = [w for w in health["weekly"] if date.fromisoformat(w["start"]) + timedelta(days=7) > start]
    hidden = [w["start"] for w in within if w["posts"] is None]  # withheld whole
    given_back = current["posts"] - sum(w["posts"] for w in within if w["posts"] is not None)
    assert "2026-03-09" in hidden  # two posters: withheld by its own rule
    truth = {str(w.start): w for w in store.community_health(GUILD).weekly}
    # what the difference gives back is the posts of the hidden weeks together, among whom a week of five or more
    assert given_back == sum(truth[s].posts for s in hidden)
    assert max(truth[s].active_members for s in hidden) >= 5, (hidden, given_back)
    assert hidden == ["2026-03-09", "2026-03-23"]  # and the running week, which no trend uses
