"""Microsoft 365 sources (issue 12.7) into a real SQLite store: Teams channel messages as Graph returns them, with
identities through the users export beside them, and SharePoint list items (discussion board, blog, pages) as
JSON and CSV. Fixtures in tests/fixtures/ are written by hand from Microsoft's documented schemas."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.projection import project
from graph.store.sqlite import SQLiteStore
from ingest.pipeline import ingest_forum, ingest_hris
from ingest.rejects import read_rejects

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HR = (
    "id,name,email,department\n"
    "E1,Megan Bowen,meganb@contoso.com,Platform\n"
    "E2,Alex Wilber,alexw@contoso.com,Platform\n"
    "E3,Lee Gu,leeg@contoso.com,Payments\n"
    "E4,Diego Siciliani,diegos@contoso.com,Payments\n"
    "E5,Isaiah Langer,isaiahl@contoso.com,Sales\n"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(tmp_path / "w.db")
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    assert ingest_hris(s, tmp_path / "hr.csv", rejects=tmp_path / "hr-rejects.jsonl").exit_code == 0
    yield s
    s.close()


def rows(store: SQLiteStore, sql: str) -> list[tuple]:
    with sqlite3.connect(store.path) as conn:
        return sorted(conn.execute(sql).fetchall())


def test_teams_messages_match_people_by_the_users_export(store: SQLiteStore, tmp_path: Path) -> None:
    s = ingest_forum(store, FIXTURES / "teams", "teams", community="engineering", rejects=tmp_path / "r.jsonl")
    assert s.exit_code == 0
    # the five users of the export with an HR email are matched (Alex by his UPN: he has no mail); the guest (an
    # #EXT# UPN is no mailbox), a departed colleague missing from users.json and the pipeline bot are the forum's own
    assert s.matched_email == 5
    assert rows(store, "SELECT id, name, bot FROM person WHERE source = 'teams'") == [
        ("teams:3f0e9c1a-5b7d-4e2f-a1c3-9d8e7f6a5b4c", "Former Colleague", 0),
        ("teams:app/9e7a3b1c-2d4f-4e5a-8b6c-7d8e9f0a1b2c", "Azure Pipelines", 1),
        ("teams:c1a9b3e2-7a44-4d0f-9a8e-2f1a6b0d9e31", "Pat Guest (Fabrikam)", 0),
    ]
    posts = {r[0].rpartition("/")[2]: r[1:] for r in rows(
        store, "SELECT id, kind, author_id, parent_id, score, community_id FROM post")}
    # the system event and the deleted reply are not posts; replies point at their root
    assert set(posts) == {"1700001000000", "1700001180000", "1700010000000", "1700020000000", "1701000000000",
                          "1701003600000", "1701000300000"}
    assert posts["1700001000000"][:4] == ("question", "hr:E1", None, 1)
    assert posts["1700001180000"][:4] == ("reply", "hr:E2", "teams:message/1700001000000", 2)
    assert posts["1701000300000"][:4] == ("reply", "hr:E3", "teams:message/1701000000000", 1)
    assert rows(store, "SELECT id, name, kind FROM community WHERE source = 'teams'") == [
        ("teams:channel/19:8a0d5d3fba0b4e2f9c2d6b5e1f3a7c90@thread.tacv2", "Kubernetes", "channel"),
        ("teams:channel/19:d0bba23c2fc8413991125a43a54cc30e@thread.tacv2", "General", "channel"),
    ]
    assert rows(store, "SELECT person_id, post_id, kind FROM engaged") == [
        ("hr:E1", "teams:message/1700001180000", "reaction"),
        ("hr:E2", "teams:message/1700001000000", "mention"),
        ("hr:E2", "teams:message/1701000300000", "reaction"),
        ("hr:E2", "teams:message/1701003600000", "reaction"),
        ("hr:E3", "teams:message/1700001000000", "mention"),
        ("hr:E3", "teams:message/1700001180000", "reaction"),
        ("hr:E4", "teams:message/1700001000000", "reaction"),
        ("hr:E4", "teams:message/1701000300000", "mention"),
    ]
    # message bodies are never stored
    raw = (store.path).read_bytes() + Path(f"{store.path}-wal").read_bytes() if Path(f"{store.path}-wal").exists() \
        else store.path.read_bytes()
    assert b"retry budget" not in raw.lower()
    assert b"client config" not in raw
    # reactions and mentions are ties in the projection: Diego liked Megan's post, Megan mentioned Alex and Lee
    ties = {(t.source_id, t.target_id) for t in project(store.read_projection()).interactions}
    assert {("hr:E4", "hr:E1"), ("hr:E1", "hr:E2"), ("hr:E1", "hr:E3"), ("hr:E3", "hr:E4")} <= ties
    # idempotent: the same export again changes nothing
    again = ingest_forum(store, FIXTURES / "teams", "teams", community="engineering", rejects=tmp_path / "r2.jsonl")
    assert again.inserted == 0
    assert again.updated == 0


def test_teams_zip_and_bad_input(store: SQLiteStore, tmp_path: Path) -> None:
    archive = Path(shutil.make_archive(str(tmp_path / "teams-export"), "zip", FIXTURES / "teams"))
    assert ingest_forum(store, archive, "teams", rejects=tmp_path / "r.jsonl").posts == 7
    # odd values are rejected row by row (a message with no createdDateTime, a number where a message should be);
    # odd reactions and mentions are skipped; a truncated page is rejected whole; the rest loads
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURES / "teams", bad)
    (bad / "General" / "broken.json").write_text('{"value": [{"id": "1", "messageType": "message"}, 7, {"id": "2", '
                                                 '"createdDateTime": "2024-01-01T00:00:00Z", "channelIdentity": '
                                                 '{"channelId": "c"}, "reactions": [{"user": 5}], "mentions": 3}]}')
    (bad / "General" / "truncated.json").write_text('{"value": [')
    s = ingest_forum(store, bad, "teams", rejects=tmp_path / "r2.jsonl")
    assert s.exit_code == 1
    got = {(Path(r.file).name, r.row) for r in read_rejects(tmp_path / "r2.jsonl")}
    assert got == {("broken.json", 1), ("broken.json", 2), ("truncated.json", 1)}
    (bad / "users.json").unlink()
    with pytest.raises(Exception, match="users.json"):
        ingest_forum(store, bad, "teams", rejects=tmp_path / "r3.jsonl")


def test_teams_private_channels_are_not_loaded(store: SQLiteStore, tmp_path: Path) -> None:
    """A channel Graph marks ``membershipType: private`` chose its audience: no community, post or membership."""
    export = tmp_path / "teams"
    shutil.copytree(FIXTURES / "teams", export)
    listed = json.loads((export / "channels.json").read_text(encoding="utf-8"))
    private = next(c for c in listed["value"] if c["displayName"] == "Kubernetes")
    private["membershipType"] = "private"
    (export / "channels.json").write_text(json.dumps(listed), encoding="utf-8")
    s = ingest_forum(store, export, "teams", community="engineering", rejects=tmp_path / "r.jsonl")
    assert s.exit_code == 0
    assert rows(store, "SELECT name FROM community WHERE source = 'teams'") == [("General",)]
    channel = f"teams:channel/{private['id']}"
    assert rows(store, f"SELECT count(*) FROM post WHERE community_id = '{channel}'") == [(0,)]
    assert rows(store, f"SELECT count(*) FROM member_of WHERE community_id = '{channel}'") == [(0,)]
    everything = ingest_forum(store, FIXTURES / "teams", "teams", community="engineering",
                              rejects=tmp_path / "r2.jsonl")
    assert 0 < s.posts < everything.posts  # the General channel's posts loaded, and only they


def test_sharepoint_lists_as_rest_graph_json_and_csv(store: SQLiteStore, tmp_path: Path) -> None:
    s = ingest_forum(store, FIXTURES / "sharepoint", "sharepoint", community="engineering",
                     rejects=tmp_path / "r.jsonl")
    assert s.exit_code == 1
    (rej,) = read_rejects(tmp_path / "r.jsonl")
    assert (Path(rej.file).name, rej.row) == ("Team Discussion.json", 4)
    assert "Created 'not a date' is not an ISO 8601 date-time" in rej.reason
    # every author and liker with an address (object, "Name <email>", claims login) is an HR person
    assert rows(store, "SELECT id FROM person WHERE source LIKE 'sharepoint%'") == [
        ("sharepoint/engineering:Former Colleague",)]
    ns = "sharepoint/engineering:"
    posts = {r[0].removeprefix(ns): r[1:] for r in rows(store, "SELECT id, kind, author_id, parent_id, score FROM post")
             if r[0].startswith(ns)}
    assert posts == {
        "team-discussion/1": ("question", "hr:E1", None, 2),
        "team-discussion/2": ("reply", "hr:E2", ns + "team-discussion/1", 1),
        "team-discussion/3": ("reply", "hr:E3", ns + "team-discussion/1", 0),
        "site-pages/1": ("question", "hr:E1", None, 3),
        "site-pages/2": ("question", "hr:E3", None, 0),
        "site-pages/3": ("question", "hr:E2", None, 1),
        "posts/1": ("question", "hr:E2", None, 1),
        "comments/1": ("reply", "hr:E1", ns + "posts/1", 0),
    }
    eng = rows(store, "SELECT person_id, post_id, kind FROM engaged")
    assert ("hr:E4", ns + "site-pages/1", "edit") in eng  # Diego improved Megan's page
    assert ("hr:E4", ns + "site-pages/1", "reaction") in eng
    assert (ns + "Former Colleague", ns + "site-pages/3", "edit") in eng
    assert ("hr:E1", ns + "team-discussion/2", "reaction") in eng
    assert len(eng) == 9
    ties = {(t.source_id, t.target_id) for t in project(store.read_projection()).interactions}
    assert {("hr:E4", "hr:E1"), ("hr:E2", "hr:E1"), ("hr:E1", "hr:E2")} <= ties
    assert rows(store, "SELECT name FROM community WHERE source = 'sharepoint/engineering'") == [
        ("Comments",), ("Posts",), ("Site Pages",), ("Team Discussion",)]


def test_a_manifest_names_teams_and_sharepoint_steps(tmp_path: Path) -> None:
    import json

    from ingest.manifest import ingest_manifest

    root = tmp_path / "exports"
    root.mkdir()
    (root / "people.csv").write_text(HR, encoding="utf-8")
    shutil.copytree(FIXTURES / "teams", root / "teams")
    shutil.copytree(FIXTURES / "sharepoint", root / "intranet")
    (root / "manifest.json").write_text(json.dumps([
        {"kind": "hris", "path": "people.csv"},
        {"kind": "forum", "format": "teams", "path": "teams"},
        {"kind": "forum", "format": "sharepoint", "path": "intranet", "community": "engineering"},
    ]), encoding="utf-8")
    s = SQLiteStore(tmp_path / "m.db")
    try:
        done = ingest_manifest(s, root, rejects_dir=tmp_path / "rejects")
        assert [(x.kind, x.posts) for x in done] == [("hris", 0), ("teams", 7), ("sharepoint", 8)]
        assert s.counts()["engagements"] == 17
    finally:
        s.close()
