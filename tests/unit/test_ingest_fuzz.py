"""Fuzzing every parser with malformed input: they may only yield records or rejects, or raise UnreadableInput.

Each test feeds thousands of generated rows (lists of rows per example), so an unhandled exception on any odd value
shows up here rather than as a traceback at the command line.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.forum import discourse, jsonl, sharepoint, slack, stackexchange, teams, vivaengage
from ingest.forum.common import Account, SkillRef
from ingest.forum.xmlrows import iter_rows
from ingest.hr.jsonread import read_json as _read_json
from ingest.hr.read import _read_csv
from ingest.hris import HrRow, parse_hris
from ingest.identity import IdentityRow, parse_identities
from ingest.normalise import SkillNames, skill_ref
from ingest.numbers import BigInt
from ingest.rejects import Reject
from schema.errors import UnreadableInput
from schema.models import Community, Endorsement, Engagement, MemberOf, Person, Post, Skill
from schema.numbers import in_int64
from schema.skills import AliasTable

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# nested documents (Teams messages, SharePoint items, whole JSON files) cost more per example
FUZZ_NESTED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OK = (Post, MemberOf, Account, Reject, Community, Skill, Endorsement, Engagement, HrRow, Person, slack.Channel)

# integers past 64 bits as JSON parsing gives them (BigInt past 19 digits) and as Python ints just past the range
HUGE_DIGITS = ["9223372036854775808", "-9223372036854775809", "7" * 400, "8" * 5000]
huge_ints = st.sampled_from([BigInt(d) for d in HUGE_DIGITS]) | st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | huge_ints | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "1", "-1", "2021-01-01T10:00:00", "2021-02-30", "1e9", "<a><b>", "|x|", "\x00", "9" * 40,
                     "1452837318.000002", "true", "no", "python:9", "a@b.c", "@@", " ", *HUGE_DIGITS]),
)


NAMES = SkillNames(AliasTable())


def drain(items) -> int:
    n = 0
    for item in items:
        if isinstance(item, SkillRef):  # a name as written: the normalise stage makes it a record or a reject
            item = skill_ref(item, NAMES)
        assert isinstance(item, OK), type(item)
        if isinstance(item, Post):
            assert in_int64(item.score), "a score the store cannot hold got through"
            NAMES.tags(item.tags)  # tags as written: canonicalising them never raises
        n += 1
    return n


def check(fn) -> None:
    with contextlib.suppress(UnreadableInput):
        drain(fn())


HR_KEYS = ["id", "name", "email", "title", "department", "location", "manager_id", "hire_date", "skills",
           "opted_out", "active", "Employee ID", "Work Email"]


@FUZZ
@given(st.lists(st.lists(texts, max_size=12), max_size=15), st.sampled_from([",", ";", "\t"]))
def test_hris_csv(rows: list[list[str]], sep: str) -> None:
    text = sep.join(HR_KEYS[:11]) + "\n" + "\n".join(sep.join(r) for r in rows)
    check(lambda: parse_hris(_read_csv("hris.csv", text, None)))


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(HR_KEYS), json_values | texts, max_size=11) | json_values,
                max_size=15))
def test_hris_json(records: list[Any]) -> None:
    try:
        text = _dumps({"employees": records})
    except (ValueError, TypeError):
        return
    check(lambda: parse_hris(_read_json("hris.json", text)))


@FUZZ
@given(st.binary(max_size=300))
def test_hris_raw_text(data: bytes) -> None:
    check(lambda: parse_hris(_read_csv("hris.csv", data.decode("utf-8", "replace"), None)))


SE_KEYS = ["Id", "PostTypeId", "ParentId", "AcceptedAnswerId", "CreationDate", "Score", "OwnerUserId", "Tags",
           "PostId", "UserId", "VoteTypeId", "DisplayName", "TagName"]


@FUZZ
@given(st.lists(st.dictionaries(st.sampled_from(SE_KEYS), texts, max_size=9), max_size=20))
def test_stackexchange_rows(rows: list[dict[str, str]]) -> None:
    numbered = list(enumerate(rows, start=1))
    site = stackexchange.Site("stackexchange/f", "f")
    drain(stackexchange.parse_users(numbered, site))
    drain(stackexchange.parse_tags(numbered))
    stackexchange.parse_votes(numbered)
    drain(stackexchange.parse_posts(numbered, site))
    drain(stackexchange.parse_comments(numbered, site))


@FUZZ
@given(st.binary(max_size=400))
def test_stackexchange_raw_xml(data: bytes) -> None:
    site = stackexchange.Site("stackexchange/f", "f")
    check(lambda: stackexchange.parse_posts(iter_rows(io.BytesIO(b"<posts><row " + data), "Posts.xml"), site))


@FUZZ
@given(st.lists(json_values | st.dictionaries(st.sampled_from(
    ["ts", "user", "thread_ts", "subtype", "bot_id", "reactions", "username", "id", "name", "members", "profile",
     "is_bot", "deleted", "created"]), json_values | texts, max_size=8), max_size=15))
def test_slack(data: list[Any]) -> None:
    check(lambda: slack.parse_messages(data, "slack:channel/C1", "C1/2020-01-01.json"))
    check(lambda: slack.parse_users(data))
    check(lambda: slack.parse_channels(data, "channels.json"))


@FUZZ
@given(json_values, st.lists(st.dictionaries(st.sampled_from(
    ["id", "post_number", "reply_to_post_number", "username", "name", "created_at", "accepted_answer",
     "like_count", "actions_summary", "score"]), json_values | texts, max_size=8), max_size=12))
def test_discourse(top: Any, posts: list[dict[str, Any]]) -> None:
    site = discourse.Site("discourse/f", "f")
    check(lambda: discourse.parse_topic(top, site, "t.json"))
    topic = {"id": 1, "category_id": top if not isinstance(top, list | dict) else 1, "tags": top,
             "accepted_answer": top, "post_stream": {"posts": posts}}
    check(lambda: discourse.parse_topic(topic, site, "t.json"))


VIVA_HEADER = "id,replied_to_id,thread_id,group_id,group_name,sender_id,sender_name,sender_email,created_at,deleted_at"


@FUZZ
@given(st.lists(st.lists(texts, max_size=11), max_size=15))
def test_vivaengage(rows: list[list[str]]) -> None:
    text = VIVA_HEADER + "\n" + "\n".join(",".join(r) for r in rows)
    check(lambda: vivaengage.parse_messages(vivaengage.iter_csv(io.BytesIO(text.encode()), "Messages.csv")))


@FUZZ
@given(st.lists(st.binary(max_size=60) | st.dictionaries(st.sampled_from(
    ["type", "id", "handle", "name", "email", "author", "parent", "created_at", "community", "tags", "kind",
     "score", "accepted", "person", "since", "from", "to", "skill"]),
    st.sampled_from(["post", "reply", "person", "community", "membership", "endorsement"]) | json_values | texts,
    max_size=8).map(lambda d: _dumps(d).encode()), max_size=20))
def test_jsonl(lines: list[bytes]) -> None:
    st_ = jsonl.JsonlState("jsonl/f")
    drain(jsonl.parse_jsonl(lines, st_))


def _dumps(value: Any) -> str:
    """JSON text with every BigInt written as its digits, as an export would write a huge number."""
    marks: dict[str, str] = {}

    def mark(o: Any) -> str:
        if isinstance(o, BigInt):
            key = f"@@big{len(marks)}@@"
            marks[key] = o.raw
            return key
        return str(o)

    text = json.dumps(value, default=mark)
    for key, digits in marks.items():
        text = text.replace(f'"{key}"', digits)
    return text


@FUZZ_NESTED
@given(st.lists(st.dictionaries(st.sampled_from(
    ["ts", "user", "thread_ts", "reactions", "count", "id", "post_number", "reply_to_post_number", "username",
     "created_at", "like_count", "score", "category_id"]), json_values | texts, max_size=8), max_size=10))
def test_json_documents_with_huge_integers(rows: list[dict[str, Any]]) -> None:
    """Whole JSON documents with integers past 64 bits (and past Python's 4,300-digit limit) go through the
    real decoder: each row is a record or a reject, never an exception."""
    from ingest.forum.common import decode_json_bytes

    data = decode_json_bytes(_dumps(rows).encode(), "C1/2020-01-01.json")
    check(lambda: slack.parse_messages(data, "slack:channel/C1", "C1/2020-01-01.json"))
    topic = decode_json_bytes(_dumps({"id": 1, "post_stream": {"posts": rows}}).encode(), "t.json")
    check(lambda: discourse.parse_topic(topic, discourse.Site("discourse/f", "f"), "t.json"))
    lines = [_dumps({"type": "post", **r}).encode() for r in rows]
    drain(jsonl.parse_jsonl(lines, jsonl.JsonlState("jsonl/f")))


TEAMS_KEYS = ["id", "replyToId", "createdDateTime", "deletedDateTime", "messageType", "from", "channelIdentity",
              "mentions", "reactions", "replies", "user", "application", "displayName", "channelId", "mentioned",
              "mail", "userPrincipalName", "value"]
teams_values = st.recursive(
    json_values | texts,
    lambda inner: st.dictionaries(st.sampled_from(TEAMS_KEYS), inner, max_size=6) | st.lists(inner, max_size=3),
    max_leaves=20,
)


@FUZZ_NESTED
@given(st.lists(st.dictionaries(st.sampled_from(TEAMS_KEYS), teams_values, max_size=9) | json_values, max_size=10))
def test_teams(messages: list[Any]) -> None:
    check(lambda: teams.parse_messages({"value": messages}, "General/messages.json", teams.Channels()))
    check(lambda: teams.parse_messages(messages, "General/messages.json"))
    check(lambda: teams.parse_users({"value": messages}))
    with contextlib.suppress(UnreadableInput):
        teams.parse_channels(messages)


SP_KEYS = ["ID", "Id", "id", "Created", "createdDateTime", "Modified", "Author", "Editor", "createdBy",
           "lastModifiedBy", "ParentItemID", "PostTitleId", "LikesCount", "LikedBy", "fields", "EMail", "Title",
           "Name", "results", "user", "email", "Created By", "Liked By", "Number of Likes"]
sp_values = st.recursive(
    json_values | texts,
    lambda inner: st.dictionaries(st.sampled_from(SP_KEYS), inner, max_size=6) | st.lists(inner, max_size=3),
    max_leaves=20,
)


@FUZZ_NESTED
@given(st.lists(st.dictionaries(st.sampled_from(SP_KEYS), sp_values, max_size=10) | json_values, max_size=10),
       st.lists(st.lists(texts, max_size=10), max_size=10))
def test_sharepoint(items: list[Any], csv_rows: list[list[str]]) -> None:
    lists = sharepoint.Lists("sharepoint/f")
    drain(sharepoint.parse_items(enumerate(items, start=1), lists, "Team Discussion", "t.json"))
    header = "ID,Created,Created By,Modified,Modified By,ParentItemID,Number of Likes,Liked By,PostTitleId,Title"
    text = header + "\n" + "\n".join(",".join(r) for r in csv_rows)
    check(lambda: sharepoint.parse_items(sharepoint.csv_items(text.encode(), "p.csv"), lists, "Site Pages", "p.csv"))


@FUZZ
@given(st.text(max_size=300))
def test_identities(text: str) -> None:
    for r in parse_identities(text):
        assert isinstance(r, IdentityRow | Reject)
