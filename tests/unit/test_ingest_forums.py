"""Slack, Discourse, Viva Engage and generic JSON-lines parsing from in-memory data."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from ingest.forum import discourse, jsonl, slack, vivaengage
from ingest.forum.common import Account, SkillRef
from ingest.normalise import SkillNames, skill_ref
from ingest.rejects import Reject
from schema.errors import UnreadableInput
from schema.labels import CommunityKind, PostKind
from schema.models import Community, Endorsement, MemberOf, Post
from schema.skills import AliasTable

CANON = SkillNames(AliasTable())  # parsers keep tags as written; the normalise stage canonicalises


def of(items, kind):
    return [i for i in items if isinstance(i, kind)]


# --- Slack -------------------------------------------------------------------------------------------


def test_slack_users_accounts_bots_and_deleted() -> None:
    users = [
        {"id": "U1", "name": "ann", "real_name": "Ann Lee", "profile": {"email": "Ann@X.com"}},
        {"id": "B1", "name": "ci", "is_bot": True, "profile": {}},
        {"id": "U2", "name": "gone", "deleted": True},
        "junk",
    ]
    items = list(slack.parse_users(users))
    acc = of(items, Account)
    assert acc[0].person.id == "slack:U1"
    assert acc[0].person.email == "ann@x.com"
    assert acc[0].handles == ("U1", "ann")
    assert acc[1].person.bot
    assert not acc[2].person.active
    assert of(items, Reject)[0].row == 4


def test_slack_threads_reactions_and_skipped_subtypes() -> None:
    msgs = [
        {"type": "message", "user": "U1", "ts": "100.000001", "thread_ts": "100.000001",
         "reactions": [{"name": "+1", "users": ["U2", "U3"], "count": 2}, {"name": "tada", "users": ["U2"]}]},
        {"type": "message", "user": "U2", "ts": "101.000002", "thread_ts": "100.000001", "parent_user_id": "U1"},
        {"type": "message", "subtype": "channel_join", "user": "U3", "ts": "102.0"},
        {"type": "message", "subtype": "bot_message", "bot_id": "B9", "username": "deploybot", "ts": "103.0"},
        {"type": "message", "user": "U1"},
        {"type": "message", "user": "U1", "ts": "not-a-ts"},
    ]
    items = list(slack.parse_messages(msgs, "slack:channel/C1", "C1/2016-01-01.json"))
    posts = of(items, Post)
    root, reply, bot = posts
    assert root.kind is PostKind.QUESTION
    assert root.score == 3
    assert root.id == "slack:C1/100.000001"
    assert reply.kind is PostKind.REPLY
    assert reply.parent_id == root.id
    assert reply.thread_id == root.id
    assert bot.author_id == "slack:B9"
    assert of(items, Account)[0].person.bot
    assert [r.row for r in of(items, Reject)] == [5, 6]


def test_slack_channels_become_communities_with_members() -> None:
    data = [{"id": "C1", "name": "general", "created": "1452837318", "members": ["U1", "U2"]}, {"x": 1}]
    items = list(slack.parse_channels(data, "channels.json"))
    (c,) = of(items, Community)
    assert c.kind is CommunityKind.CHANNEL
    assert c.name == "general"
    assert sorted(m.person_id for m in of(items, MemberOf)) == ["slack:U1", "slack:U2"]
    assert of(items, Reject)[0].row == 2


def test_slack_zero_byte_and_non_zip_are_unreadable(tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableInput, match="0-byte zip"):
        slack.read_slack(empty)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip")
    with pytest.raises(UnreadableInput, match="not a zip archive"):
        slack.read_slack(bad)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(UnreadableInput, match="not a Slack export"):
        slack.read_slack(other)


# --- Discourse ---------------------------------------------------------------------------------------


def topic(**extra):
    base = {
        "id": 7, "category_id": 3, "tags": ["Python", {"name": "k8s"}], "title": "Pods keep restarting",
        "post_stream": {"posts": [
            {"id": 70, "post_number": 1, "username": "ann", "name": "Ann Lee", "created_at": "2024-01-02T10:00:00Z"},
            {"id": 71, "post_number": 2, "username": "bob", "created_at": "2024-01-02T11:00:00Z", "like_count": 4,
             "accepted_answer": True},
            {"id": 72, "post_number": 3, "username": "ann", "created_at": "2024-01-02T12:00:00Z",
             "reply_to_post_number": 2},
            {"id": 73, "post_number": 4, "username": "cy", "created_at": "bad"},
        ]},
    }
    base.update(extra)
    return base


def test_discourse_topic_posts_accepted_and_replies() -> None:
    site = discourse.Site("discourse/meta", "meta")
    items = list(discourse.parse_topic(topic(), site, "t/7.json"))
    q, a, r = of(items, Post)
    assert q.kind is PostKind.QUESTION
    assert CANON.tags(q.tags) == ("kubernetes", "python")
    assert q.community_id == "discourse/meta:category/3"
    assert (q.title, a.title, r.title) == ("Pods keep restarting", None, None)  # the topic's title, on its question
    assert a.kind is PostKind.ANSWER
    assert a.accepted
    assert a.score == 4
    assert a.parent_id == q.id
    assert a.tags == q.tags
    assert r.kind is PostKind.REPLY
    assert r.parent_id == a.id
    assert r.thread_id == q.id
    assert of(items, Reject)[0].row == 4
    assert of(items, Account)[0].person.name == "Ann Lee"


def test_discourse_accepted_answer_on_the_topic() -> None:
    t = topic(accepted_answer={"post_number": 3, "username": "ann"})
    t["post_stream"]["posts"][1]["accepted_answer"] = False
    site = discourse.Site("discourse/meta", "meta")
    posts = of(discourse.parse_topic(t, site, "t/7.json"), Post)
    assert [p.accepted for p in posts] == [False, False, True]


def test_discourse_not_a_topic_is_rejected() -> None:
    site = discourse.Site("discourse/meta", "meta")
    (r,) = discourse.parse_topic({"users": []}, site, "x.json")
    assert isinstance(r, Reject)
    assert "post_stream" in r.reason


# --- Viva Engage -------------------------------------------------------------------------------------


VIVA = (
    "id,replied_to_id,thread_id,group_id,group_name,sender_id,sender_name,sender_email,created_at,deleted_at\n"
    "1,,1,10,Data guild,500,Ann Lee,ann@x.com,2019-04-01 10:11:12 UTC,\n"
    "2,1,1,10,Data guild,501,Bob,bob@x.com,2019-04-01T11:00:00Z,\n"
    "3,1,1,10,Data guild,502,Cy,,2019-04-01T12:00:00Z,2019-05-01\n"
    "4,,4,,,500,Ann Lee,ann@x.com,not a date,\n"
)


def test_vivaengage_messages_threads_groups() -> None:
    items = list(vivaengage.parse_messages(vivaengage.iter_csv(io.BytesIO(VIVA.encode()), "Messages.csv")))
    q, r = of(items, Post)
    assert q.kind is PostKind.QUESTION
    assert r.parent_id == q.id
    assert r.thread_id == q.id
    (g,) = of(items, Community)
    assert g.kind is CommunityKind.GROUP
    assert g.name == "Data guild"
    assert of(items, Account)[0].person.email == "ann@x.com"
    assert of(items, Reject)[0].row == 5


def test_vivaengage_missing_column_and_encoding() -> None:
    with pytest.raises(UnreadableInput, match="missing required column 'sender_id'"):
        list(vivaengage.iter_csv(io.BytesIO(b"id,created_at\n1,2020-01-01\n"), "Messages.csv"))
    data = VIVA.encode() + "5,,5,,,503,Jos\xe9,,2019-04-01T12:00:00Z,\n".encode("latin-1")
    with pytest.raises(UnreadableInput, match="not UTF-8"):
        list(vivaengage.iter_csv(io.BytesIO(data), "Messages.csv"))


# --- JSON lines --------------------------------------------------------------------------------------


def lines(*objs) -> list[bytes]:
    return [(o if isinstance(o, str) else json.dumps(o)).encode() + b"\n" for o in objs]


def test_jsonl_every_type() -> None:
    st = jsonl.JsonlState("jsonl/guild")
    items = list(jsonl.parse_jsonl(lines(
        {"type": "person", "handle": "u1", "name": "Ann", "email": "ann@x.com"},
        {"type": "community", "id": "c1", "name": "Data guild", "kind": "group"},
        {"type": "post", "id": "p1", "author": "u1", "created_at": "2024-01-02T10:00:00Z", "community": "c1",
         "tags": ["Python"], "kind": "question", "score": 0, "title": " Reading parquet  files "},
        {"type": "reply", "id": "p2", "parent": "p1", "author": "u2", "created_at": "2024-01-02T11:00:00Z",
         "accepted": True, "score": 3},
        {"type": "membership", "person": "u1", "community": "c1", "since": "2023-01-01"},
        {"type": "endorsement", "from": "u1", "to": "u2", "skill": "JS", "created_at": "2024-01-03T00:00:00Z"},
    ), st))
    assert of(items, Account)[0].person.id == "jsonl/guild:u1"
    q, a = of(items, Post)
    assert (q.title, a.title) == ("Reading parquet files", None)
    assert q.community_id == "jsonl/guild:community/c1"
    assert CANON.tags(q.tags) == ("python",)
    assert a.kind is PostKind.ANSWER
    assert a.accepted
    assert a.community_id == q.community_id
    assert CANON.tags(a.tags) == ("python",)
    ref = of(items, SkillRef)[0]  # the skill as written, with its line: the normalise stage canonicalises it
    assert (ref.name, ref.row) == ("JS", 6)
    e = skill_ref(ref, CANON)
    assert isinstance(e, Endorsement)
    assert e.skill == "javascript"
    assert e.source == "jsonl/guild"  # a full re-import of the source takes it back once the export drops it
    assert of(items, MemberOf)[0].person_id == "jsonl/guild:u1"
    assert of(items, Reject) == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ('{"type": "post", "id": "p", "created_at": "2024-01-01"}', None),
        ('{"type": "poll", "id": "p"}', "unknown type 'poll'"),
        ('{"type": "post", "id": "p"}', "created_at is missing"),
        ('{"type": "post", "id": "p", "created_at": "2024-01-01", "kind": "essay"}', "kind 'essay'"),
        ('{"type": "reply", "id": "p2", "created_at": "2024-01-01"}', "'parent' is missing"),
        ('{"type": "community", "id": "c", "kind": "club"}', "community kind 'club'"),
        ('{"type": "person", "handle": "x", "email": "nope"}', "email"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_jsonl_bad_lines_are_rejected_alone(line: str, reason: str | None) -> None:
    st = jsonl.JsonlState("jsonl/guild")
    items = list(jsonl.parse_jsonl([b'{"type": "community", "id": "c1"}\n', line.encode()], st, "ev.jsonl"))
    rejects = of(items, Reject)
    assert len(of(items, Community)) == 1
    if reason is None:
        assert rejects == []
    else:
        assert [(r.file, r.row) for r in rejects] == [("ev.jsonl", 2)]
        assert reason in rejects[0].reason


def test_jsonl_wrong_encoding_line() -> None:
    st = jsonl.JsonlState("jsonl/guild")
    (r,) = jsonl.parse_jsonl(['{"type":"person","handle":"u","name":"Jos\xe9"}'.encode("latin-1")], st)
    assert isinstance(r, Reject)
    assert "not UTF-8" in r.reason
