"""Slack exports laid out as Enterprise Grid and Business+ write them, run through the real CLI: an org export's
workspaces (``org_users.json``, ``teams/<id>/``) all load, and private channels and direct messages are never made
communities."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from ingest.forum.slack_layout import day_files, is_private, private_folders, workspaces
from tests.integration.test_ingest_cli import no_traceback, run

FIXTURES = Path(__file__).parent.parent / "fixtures"


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as c:
        return c.execute(sql).fetchall()


def test_grid_layout_is_read_purely() -> None:
    names = ["org_users.json", "channels.json", "org-wide/2024-01-01.json", "teams/T1/users.json",
             "teams/T1/eng/2024-01-01.json", "teams/T1/eng/notes.json", "teams/T2/channels.json",
             "teams/T2/sales/2024-01-01.json", "teams/T2/sales/old/2024-01-01.json"]
    spaces = workspaces(names)
    assert spaces == ["", "teams/T1/", "teams/T2/"]
    assert day_files(names, spaces) == [
        ("", "org-wide", "org-wide/2024-01-01.json"),
        ("teams/T1/", "eng", "teams/T1/eng/2024-01-01.json"),
        ("teams/T2/", "sales", "teams/T2/sales/2024-01-01.json"),
    ]
    listed = private_folders([{"id": "D1"}, {"id": "G2", "name": "mpdm-a--b-1"}, "junk", {"id": 3}])
    assert listed == {"D1", "G2", "mpdm-a--b-1"}
    assert is_private("D1", listed)
    assert is_private("mpdm-x--y-1", set())
    assert not is_private("general", listed)
    flagged = [{"id": "C1", "name": "general"}, {"id": "C7", "name": "reorg", "is_private": True}]
    assert private_folders(flagged, flagged_only=True) == {"C7", "reorg"}


def test_an_enterprise_grid_export_loads_every_workspace_with_org_users(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "slack_grid", tmp_path / "grid")
    p = run(tmp_path, "forum", "grid", "--format", "slack")
    assert p.returncode == 0, p.stdout + p.stderr
    no_traceback(p)
    db = tmp_path / "w.db"
    assert rows(db, "SELECT id, name FROM community ORDER BY id") == [
        ("slack:channel/C10", "eng"), ("slack:channel/C11", "sales"), ("slack:channel/C9", "org-wide")]
    assert rows(db, "SELECT community_id, kind, author_id FROM post ORDER BY community_id, created_at") == [
        ("slack:channel/C10", "question", "slack:W1"), ("slack:channel/C10", "reply", "slack:W2"),
        ("slack:channel/C11", "question", "slack:W2"), ("slack:channel/C9", "question", "slack:W1")]
    # org_users.json declares the people (names and emails, for matching HR people); it is read first and wins
    assert rows(db, "SELECT id, name, email FROM person ORDER BY id") == [
        ("slack:W1", "Ann Example", "ann@example.com"), ("slack:W2", "Bob Example", "bob@example.com")]
    assert rows(db, "SELECT count(*) FROM member_of") == [(5,)]


def test_private_channels_and_direct_messages_are_not_communities_and_message_authors_get_names(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "slack_private", tmp_path / "export")
    p = run(tmp_path, "forum", "export", "--format", "slack")
    assert p.returncode == 0, p.stdout + p.stderr
    no_traceback(p)
    # two private channels (groups.json, and a channels.json entry marked is_private), a DM and a group DM
    assert "4 private conversation(s) (private channels, direct messages, group DMs) not loaded" in p.stderr
    db = tmp_path / "w.db"
    assert rows(db, "SELECT id, name FROM community") == [("slack:channel/C1", "general")]
    assert rows(db, "SELECT count(*), count(DISTINCT community_id) FROM post") == [(4, 1)]
    assert rows(db, "SELECT DISTINCT community_id FROM member_of") == [("slack:channel/C1",)]  # no private members
    people = rows(db, "SELECT id, name, bot FROM person ORDER BY id")
    assert people == [
        ("slack:U1", "Ann Example", 0), ("slack:U2", "Bob Example", 0), ("slack:U3", "cy", 0),
        ("slack:UEXT1", "Partner Person", 0),  # a Slack Connect user, named by the message's user_profile
        ("slack:USLACKBOT", "Slackbot", 1),  # flagged, so analytics leave it out
    ]
