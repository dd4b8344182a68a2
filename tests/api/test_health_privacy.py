"""Community health privacy through the real path (issue 9.7): HR CSV and JSON-lines ingest, the analytics job,
the API over HTTP, and an opt-out arriving by a later HR export.

The organisation: twelve people u00..u11 (u09 opted out from the start), two communities:
- ``guild``: members u00..u09; u00..u05 and u09 post. u09's posts must count nowhere: the thread u01 started got
  its only answer from u09, so it is unanswered;
- ``corner``: members u00..u05 (six), four of whom post: nothing but a withheld reason may show.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.auth import Role
from app.graphql.explain import STALE_REASON
from app.main import create_app
from graph.analytics.health_release import FIGURES
from graph.jobs import run_analytics
from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum, ingest_hris
from tests.api.conftest import Api, LiveServer, api_settings

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PEOPLE = [f"u{i:02}" for i in range(12)]
GUILD, CORNER = "jsonl/team:community/guild", "jsonl/team:community/corner"
FIELDS = [f[0] + "".join(w.title() for w in f.split("_"))[1:] for f in FIGURES]  # GraphQL names
HEALTH = (
    "query($id: ID!) { community(id: $id) { members { totalCount } health { current { " + " ".join(FIELDS)
    + " withheld withheldReason } weekly { start posts activeMembers withheld withheldReason } "
    "trend { posts reason } } } }"
)


def _hris(path: Path, opted_out: set[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "email", "department", "manager_id", "opted_out", "active"])
        for i, p in enumerate(PEOPLE):
            w.writerow([p, f"Person {p}", f"{p}@example.com", "eng" if i % 2 else "sales",
                        "u00" if i else "", str(p in opted_out).lower(), "true"])
    return path


def _forum(path: Path) -> Path:
    lines: list[dict[str, Any]] = [
        {"type": "person", "handle": p, "name": f"Person {p}", "email": f"{p}@example.com"} for p in PEOPLE
    ]
    lines += [{"type": "community", "id": c, "name": c, "kind": "group"} for c in ("guild", "corner")]
    lines += [{"type": "membership", "person": p, "community": "guild", "since": "2025-01-01T00:00:00Z"}
              for p in PEOPLE[:10]]
    lines += [{"type": "membership", "person": p, "community": "corner", "since": "2025-01-01T00:00:00Z"}
              for p in PEOPLE[:6]]

    def at(days: float) -> str:
        return (T0 + timedelta(days=days)).isoformat()

    for n, day in enumerate(range(0, 21, 2)):  # a thread every other day in the guild, by u00..u05 in turn
        author = PEOPLE[n % 6]
        lines.append({"type": "post", "id": f"g{n}", "author": author, "community": "guild", "created_at": at(day)})
        replier = "u09" if author == "u01" else PEOPLE[(n + 1) % 6]  # u01's threads: only u09 answers
        lines.append({"type": "reply", "id": f"g{n}r", "parent": f"g{n}", "author": replier,
                      "created_at": at(day + 0.1)})
    lines += [{"type": "post", "id": f"x{k}", "author": "u09", "community": "guild", "created_at": at(k + 0.5)}
              for k in range(5)]
    for k in range(8):  # the corner: four posters
        lines.append({"type": "post", "id": f"c{k}", "author": PEOPLE[k % 4], "community": "corner",
                      "created_at": at(k * 2 + 0.3)})
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, SQLiteStore, Path]]:
    tmp = tmp_path_factory.mktemp("health-privacy")
    settings = api_settings(tmp)
    store = SQLiteStore(tmp / "whoknows.db")
    assert ingest_hris(store, _hris(tmp / "hris.csv", {"u09"}), rejects=tmp / "r1.jsonl").rejected == 0
    assert ingest_forum(store, _forum(tmp / "team.jsonl"), "jsonl", rejects=tmp / "r2.jsonl").rejected == 0
    run_analytics(store, settings)
    with LiveServer(create_app(settings, store=store)) as server:
        api = Api(server.url, settings)
        yield api, store, tmp
        api.http.close()
    store.close()


def _health(api: Api, cid: str) -> dict[str, Any]:
    return api.data(HEALTH, {"id": cid}, role=Role.ANALYST)["community"]  # type: ignore[no-any-return]


def test_few_contributors_show_nothing_but_a_reason(served: tuple[Api, SQLiteStore, Path]) -> None:
    api, _, _ = served
    c = _health(api, CORNER)
    assert c["members"]["totalCount"] == 6
    cur = c["health"]["current"]
    assert [cur[f] for f in FIELDS] == [None] * len(FIELDS)
    assert cur["withheld"] == FIELDS
    assert cur["withheldReason"] == "fewer than 5 people contributed in this period"
    assert c["health"]["weekly"]
    withheld_weeks = 0
    for week in c["health"]["weekly"]:  # per week too; a week nobody posted in shows its zeros (nothing to hide)
        if "posts" not in week["withheld"]:
            assert (week["posts"], week["activeMembers"]) == (0, 0), week
            continue
        withheld_weeks += 1
        assert week["posts"] is None, week
        assert week["activeMembers"] is None
        assert week["withheldReason"]
    assert withheld_weeks >= 2  # the corner posted over 15 days
    assert c["health"]["trend"]["posts"] is None
    assert c["health"]["trend"]["reason"]


def test_opted_out_activity_counts_in_no_figure(served: tuple[Api, SQLiteStore, Path]) -> None:
    api, _, _ = served
    c = _health(api, GUILD)
    cur = c["health"]["current"]
    # one leader (u00 manages everyone): leader participation over one person is withheld, the rest shows
    assert cur["withheld"] == ["managersActiveShare"]
    assert cur["withheldReason"] == "managers active share: fewer than 5 leaders"
    assert cur["members"] == c["members"]["totalCount"] == 9  # u09 is neither member nor poster here
    assert cur["activeMembers"] == 6  # u00..u05; u09 posted too, but counts for no one
    assert cur["posts"] == 11 + 9  # 11 threads, their replies but u09's two; none of u09's five posts
    assert cur["threads"] == 11
    assert cur["replyRate"] == pytest.approx(9 / 11)  # u01's two threads were answered only by u09
    assert cur["unansweredShare"] == pytest.approx(2 / 11)


def test_an_opt_out_withholds_everything_until_the_next_analyze(served: tuple[Api, SQLiteStore, Path]) -> None:
    api, store, tmp = served
    before = _health(api, GUILD)
    assert before["health"]["current"]["members"] == 9
    ingest_hris(store, _hris(tmp / "hris2.csv", {"u09", "u05"}), rejects=tmp / "r3.jsonl")
    after = _health(api, GUILD)
    assert after["members"]["totalCount"] == 8  # drops at once
    cur = after["health"]["current"]
    assert [cur[f] for f in FIELDS] == [None] * len(FIELDS)  # so the stale 9 cannot be set beside it
    assert cur["withheldReason"] == STALE_REASON
    assert all(w["withheldReason"] == STALE_REASON for w in after["health"]["weekly"])
    assert after["health"]["trend"]["reason"] == STALE_REASON

    run_analytics(store, api_settings(tmp))
    fresh = _health(api, GUILD)
    cur = fresh["health"]["current"]
    assert cur["members"] == fresh["members"]["totalCount"] == 8
    assert cur["activeMembers"] == 5
    assert cur["withheld"] == ["managersActiveShare"]
    assert cur["posts"] == 20 - 3  # u05 started one thread and answered two of u04's
