"""Stack Exchange parsing from XML strings: posts, answers, accepted answers, tags, comments, votes, bad XML."""

from __future__ import annotations

import io

import pytest

from ingest.forum.common import Account
from ingest.forum.stackexchange import (
    Site,
    has_scores,
    parse_comments,
    parse_posts,
    parse_tag_synonyms,
    parse_tags,
    parse_users,
    parse_votes,
)
from ingest.forum.xmlrows import iter_rows
from ingest.normalise import SkillNames, skill_ref
from ingest.rejects import Reject
from schema.errors import UnreadableInput
from schema.labels import PostKind
from schema.models import MemberOf, Post, Skill
from schema.skills import AliasTable

CANON = SkillNames(AliasTable())  # parsers keep tags as written; the normalise stage canonicalises


def rows(xml: str, name: str = "Posts.xml"):
    return iter_rows(io.BytesIO(xml.encode()), name)


def doc(*rows_: str, root: str = "posts") -> str:
    return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n' + "\n".join(rows_) + f"\n</{root}>\n"


def site() -> Site:
    return Site("stackexchange/demo", "demo")


POSTS = doc(
    '<row Id="1" PostTypeId="1" CreationDate="2021-01-01T10:00:00.123" Score="5" AcceptedAnswerId="3"'
    ' OwnerUserId="7" Tags="&lt;Python&gt;&lt;k8s&gt;" Title="Pods &amp; &quot;jobs&quot;:  why   restart?" />',
    '<row Id="2" PostTypeId="2" ParentId="1" CreationDate="2021-01-01T11:00:00" Score="1" OwnerUserId="8" />',
    '<row Id="3" PostTypeId="2" ParentId="1" CreationDate="2021-01-01T12:00:00" Score="4" OwnerUserId="9" />',
    '<row Id="4" PostTypeId="1" CreationDate="2021-01-02T10:00:00" Score="0" Tags="|sql|postgres|" />',
    '<row Id="5" PostTypeId="4" CreationDate="2021-01-02T10:00:00" />',
)


def test_questions_answers_accepted_and_inherited_tags() -> None:
    s = site()
    items = list(parse_posts(rows(POSTS), s))
    posts = {p.id.rpartition("/")[2]: p for p in items if isinstance(p, Post)}
    assert set(posts) == {"1", "2", "3", "4"}  # the tag wiki (type 4) is skipped
    q = posts["1"]
    assert q.kind is PostKind.QUESTION
    assert CANON.tags(q.tags) == ("kubernetes", "python")
    assert q.score == 5
    assert q.author_id == "stackexchange/demo:7"
    assert q.community_id == "stackexchange:demo"
    assert q.created_at.tzinfo is not None
    assert q.thread_id == q.id
    assert q.title == 'Pods & "jobs": why restart?'  # entities decoded, whitespace folded
    assert posts["4"].title is None  # no Title attribute
    assert posts["2"].kind is PostKind.ANSWER
    assert posts["2"].parent_id == q.id
    assert posts["2"].title is None  # answers have none
    assert not posts["2"].accepted
    assert posts["3"].accepted
    assert posts["3"].tags == q.tags
    assert posts["3"].thread_id == q.id
    assert CANON.tags(posts["4"].tags) == ("postgresql", "sql")
    assert posts["4"].author_id is None
    members = [m for m in items if isinstance(m, MemberOf)]
    assert sorted(m.person_id for m in members) == [f"stackexchange/demo:{u}" for u in (7, 8, 9)]


def test_answer_before_its_question_waits_for_it() -> None:
    xml = doc(
        '<row Id="9" PostTypeId="2" ParentId="10" CreationDate="2021-01-01T11:00:00" Score="1" OwnerUserId="1" />',
        '<row Id="10" PostTypeId="1" CreationDate="2021-01-01T10:00:00" AcceptedAnswerId="9" Tags="&lt;go&gt;" />',
        '<row Id="11" PostTypeId="2" ParentId="99" CreationDate="2021-01-01T11:00:00" />',
    )
    posts = {p.id.rpartition("/")[2]: p for p in parse_posts(rows(xml), site()) if isinstance(p, Post)}
    assert posts["9"].accepted
    assert CANON.tags(posts["9"].tags) == ("go",)
    assert posts["11"].parent_id == "stackexchange/demo:post/99"
    assert CANON.tags(posts["11"].tags) == ()


def test_comments_have_the_post_as_parent_and_its_thread() -> None:
    s = site()
    list(parse_posts(rows(POSTS), s))
    xml = doc(
        '<row Id="1" PostId="3" Score="2" CreationDate="2021-01-03T00:00:00" UserId="7" />',
        '<row Id="2" PostId="42" Score="0" CreationDate="2021-01-03T00:00:00" />',
        '<row Id="3" PostId="1" Score="0" CreationDate="yesterday" UserId="7" />',
        root="comments",
    )
    items = list(parse_comments(rows(xml, "Comments.xml"), s))
    comments = [p for p in items if isinstance(p, Post)]
    assert comments[0].kind is PostKind.COMMENT
    assert comments[0].parent_id == "stackexchange/demo:post/3"
    assert comments[0].thread_id == "stackexchange/demo:post/1"
    assert comments[0].score == 2
    assert comments[1].thread_id is None
    assert comments[1].author_id is None
    rej = [r for r in items if isinstance(r, Reject)]
    assert rej[0].row == 3
    assert "CreationDate 'yesterday'" in rej[0].reason
    assert rej[0].file == "Comments.xml"


def test_bad_rows_are_rejected_and_the_rest_loads() -> None:
    xml = doc(
        '<row Id="1" PostTypeId="1" CreationDate="2021-01-01T10:00:00" Score="x" />',
        '<row PostTypeId="1" CreationDate="2021-01-01T10:00:00" />',
        '<row Id="3" PostTypeId="2" CreationDate="2021-01-01T10:00:00" />',
        '<row Id="4" PostTypeId="1" CreationDate="2021-01-01T10:00:00" />',
    )
    items = list(parse_posts(rows(xml), site()))
    assert [p.id for p in items if isinstance(p, Post)] == ["stackexchange/demo:post/4"]
    assert [(r.row, r.file) for r in items if isinstance(r, Reject)] == [(1, "Posts.xml"), (2, "Posts.xml"),
                                                                         (3, "Posts.xml")]


def test_votes_count_when_posts_have_no_score() -> None:
    xml = doc('<row Id="1" PostTypeId="1" CreationDate="2021-01-01T10:00:00" />')
    assert not has_scores(rows(xml))
    votes = parse_votes(rows(doc(
        '<row Id="1" PostId="1" VoteTypeId="2" />', '<row Id="2" PostId="1" VoteTypeId="2" />',
        '<row Id="3" PostId="1" VoteTypeId="3" />', '<row Id="4" PostId="1" VoteTypeId="1" />', root="votes")))
    assert votes == {1: 1}
    (post,) = [p for p in parse_posts(rows(xml), site(), votes) if isinstance(p, Post)]
    assert post.score == 1


def test_users_tags_and_synonyms() -> None:
    users = list(parse_users(rows(doc('<row Id="-1" DisplayName="Community" />', '<row Id="5" />',
                                      '<row DisplayName="x" />', root="users")), site()))
    accounts = [a for a in users if isinstance(a, Account)]
    assert accounts[0].person.bot
    assert accounts[1].person.name == "user 5"
    assert not accounts[1].eager
    assert isinstance(users[2], Reject)
    syn = parse_tag_synonyms(rows(doc('<row SourceTagName="kubes" TargetTagName="kubernetes" />', root="tagsynonyms")))
    table = AliasTable().extend(syn)
    refs = list(parse_tags(rows(doc('<row TagName="kubes" />', '<row TagName="!!!" />', root="tags"))))
    assert [r.name for r in refs] == ["kubes", "!!!"]  # the parser keeps the names as written
    skills = [skill_ref(r, SkillNames(table)) for r in refs]  # the normalise stage makes them skills
    assert isinstance(skills[0], Skill)
    assert skills[0].name == "kubernetes"
    assert "kubes" in skills[0].aliases
    assert isinstance(skills[1], Reject)
    assert (skills[1].file, skills[1].row) == ("Tags.xml", 2)
    assert skills[1].reason.startswith("tag '!!!': ")


def test_truncated_xml_yields_good_rows_then_names_the_fault() -> None:
    xml = POSTS[: POSTS.index('<row Id="4"') + 20]
    got: list[object] = []
    with pytest.raises(UnreadableInput) as err:
        got.extend(parse_posts(rows(xml), site()))
    assert len([p for p in got if isinstance(p, Post)]) == 3
    assert err.value.file == "Posts.xml"
    assert "line" in err.value.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b'<?xml version="1.0" encoding="utf-8"?><posts><row Id="\xff\xfe" /></posts>', "wrong encoding"),
        (b'{"json": true}', "not an XML file"),
        (b'<!DOCTYPE p [<!ENTITY a "aaaa">]><posts>&a;</posts>', "refused unsafe XML"),
    ],
)
def test_unreadable_xml(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableInput, match=reason):
        list(iter_rows(io.BytesIO(data), "Posts.xml"))
