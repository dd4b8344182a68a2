"""The Stack Exchange Community user (Id -1) is a bot even in a dump without Users.xml.

Four of the five real dumps in ../shared/data carry Posts.xml only; on datascience.meta the Community user owns 7
questions and answers (contest and election posts, two of them accepted), and was counted as a member, ranked as an
expert on ``discussion`` with "2 accepted answers" and as an influencer. A hand-written dump pins the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.jobs import AnalyticsParams, run_analytics
from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DSM = DATA / "stackexchange-datascience-meta"


def _row(i: int, kind: int, user: str, day: int, **extra: str) -> str:
    attrs = "".join(f' {k}="{v}"' for k, v in extra.items())
    return (f'<row Id="{i}" PostTypeId="{kind}" CreationDate="2024-01-{day:02d}T10:00:00.000" Score="2"'
            f' OwnerUserId="{user}"{attrs} />')


POSTS = "\n".join([
    '<?xml version="1.0" encoding="utf-8"?>',
    "<posts>",
    # the Community user asks (a contest post) and answers it (the results), accepted
    _row(1, 1, "-1", 1, Tags="|discussion|", AcceptedAnswerId="2", Title="Contest"),
    _row(2, 2, "-1", 8, ParentId="1"),
    _row(3, 2, "11", 2, ParentId="1"),
    # people ask and answer
    _row(4, 1, "11", 3, Tags="|discussion|", AcceptedAnswerId="5", Title="Scope?"),
    _row(5, 2, "12", 4, ParentId="4"),
    _row(6, 1, "13", 5, Tags="|discussion|", Title="Tags?"),
    _row(7, 2, "14", 6, ParentId="6"),
    _row(8, 2, "15", 7, ParentId="6"),
    "</posts>",
])
COMMUNITY = "stackexchange:demo"
BOT = "stackexchange/demo:-1"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "w.db")
    yield s
    s.close()


def test_community_user_is_a_bot_without_users_xml(store: SQLiteStore, tmp_path: Path) -> None:
    dump = tmp_path / "demo"
    dump.mkdir()
    (dump / "Posts.xml").write_text(POSTS, encoding="utf-8")
    ingest_forum(store, dump, "stackexchange", community="demo", rejects=tmp_path / "r.jsonl")
    bot = store.people([BOT])[BOT]
    assert bot.bot is True
    assert bot.name == "Community"
    run_analytics(store, AnalyticsParams(seed=1))
    now = store.community_health(COMMUNITY).current
    assert now is not None
    # people 11-15, not the bot; its 2 posts are no posts, its question no thread
    assert (now.members, now.active_members, now.posts, now.threads) == (5, 5, 6, 2)
    assert [h.person.id for h in store.experts("discussion", first=10).items].count(BOT) == 0
    assert store.person_expertise([BOT]).get(BOT, []) == []
    assert BOT not in {r.person.id for r in store.influencers(first=50)}


@pytest.mark.skipif(not DSM.is_dir(), reason=f"real Stack Exchange sample not found at {DSM}")
def test_real_dump_without_users_xml_has_no_community_person(store: SQLiteStore, tmp_path: Path) -> None:
    ingest_forum(store, DSM, "stackexchange", community="dsm", rejects=tmp_path / "r.jsonl")
    bot = store.people(["stackexchange/dsm:-1"])["stackexchange/dsm:-1"]
    assert bot.bot is True
    run_analytics(store, AnalyticsParams(seed=1))
    now = store.community_health("stackexchange:dsm").current
    assert now is not None
    assert now.members == 187  # 188 accounts posted; one of them is the Community bot
    assert store.person_expertise(["stackexchange/dsm:-1"]).get("stackexchange/dsm:-1", []) == []
