"""Identity matching: email first, then the identities file; never by name; unmatched become forum people."""

from __future__ import annotations

from ingest.forum.common import Account
from ingest.identity import IdentityRow, build_resolver, parse_identities
from ingest.rejects import Reject
from schema.models import Person


def account(handle: str, name: str, email: str | None = None, eager: bool = True) -> Account:
    return Account(Person(id=f"slack:{handle}", name=name, email=email, source="slack"), (handle,), eager)


def resolver(rows=(), rejects=None):
    return build_resolver(
        "slack", "slack",
        email_index={"ann@x.com": "hr:E1", "forum@x.com": "jsonl/x:f"},
        identities=rows, source_names=("slack",), known_people={"hr:E1", "hr:E2", "hr:E3", "jsonl/x:f"},
        on_reject=rejects,
    )


def test_email_then_mapping_then_own_person() -> None:
    rows = [IdentityRow(2, "slack", "U2", "E2"), IdentityRow(3, "*", "U4", "hr:E3"),
            IdentityRow(4, "stackexchange", "U5", "E1")]
    r = resolver(rows)
    r.declare(account("U1", "Ann Lee", "ANN@x.com".casefold()))
    r.declare(account("U2", "Bob"))
    r.declare(account("U3", "Ann Lee"))  # same name as an HR person: never merged by name
    r.declare(account("U5", "Eve"))  # mapped, but for another source
    assert r("slack:U1") == "hr:E1"
    assert r("slack:U2") == "hr:E2"
    assert r("slack:U4") == "hr:E3"
    assert r("slack:U3") == "slack:U3"
    assert r("slack:U5") == "slack:U5"
    assert (r.matched_email, r.matched_mapping, r.unmatched) == (1, 2, 2)
    assert sorted(p.id for p in r.drain()) == ["slack:U3", "slack:U5"]
    assert r.drain() == []


def test_only_hr_people_are_email_targets() -> None:
    r = resolver()
    r.declare(account("U9", "F", "forum@x.com"))
    assert r("slack:U9") == "slack:U9"


def test_lazy_accounts_are_written_on_first_use_only() -> None:
    r = resolver()
    r.declare(account("U7", "Quiet", eager=False))
    assert r.drain() == []
    assert r("slack:U7") == "slack:U7"
    assert [p.name for p in r.drain()] == ["Quiet"]
    assert r("slack:U8") == "slack:U8"  # never declared: a bare person named by its handle
    assert [p.name for p in r.drain()] == ["U8"]


def test_unknown_person_in_mapping_is_rejected() -> None:
    seen: list[Reject] = []
    r = resolver([IdentityRow(5, "slack", "U1", "E404")], seen.append)
    assert r("slack:U1") == "slack:U1"
    assert seen[0].row == 5
    assert "'E404' is not in the store" in seen[0].reason


def test_parse_identities_header_comments_and_bad_rows() -> None:
    text = "source,handle,person_id\n# comment\nslack,U1,E1\nslack,U2\n,,\nSlack, U3 ,E3\n"
    got = list(parse_identities(text, "ids.csv"))
    assert got[0] == IdentityRow(3, "slack", "U1", "E1")
    assert isinstance(got[1], Reject)
    assert got[1].row == 4
    assert got[2] == IdentityRow(6, "slack", "U3", "E3")


# --- the normalise stage: parsers' forum ids in, people's ids out ----------------------------------------


def test_normalise_rewrites_forum_ids_and_writes_own_people_before_first_use() -> None:
    from datetime import UTC, datetime

    from ingest.forum import slack
    from ingest.normalise import normalise
    from schema.models import MemberOf, Post

    users = [{"id": "U1", "name": "ann", "profile": {"email": "ANN@x.com"}},
             {"id": "U2", "name": "bob"}, {"id": "U3", "name": "cy"}]
    channels = [{"id": "C1", "name": "general", "members": ["U1", "U2"]}]
    msgs = [{"ts": "1700000000.0001", "user": "U1"}, {"ts": "1700000001.0002", "user": "U9"}]
    items = [*slack.parse_users(users), *slack.parse_channels(channels, "channels.json"),
             *slack.parse_messages(msgs, "slack:channel/C1", "general/2023-11-14.json")]
    # the parsers know nothing of people: every id they give is a Slack id
    assert {p.author_id for p in items if isinstance(p, Post)} == {"slack:U1", "slack:U9"}
    out = list(normalise(items, resolver([IdentityRow(2, "slack", "U3", "E3")])))
    def who(x: object) -> str | None:
        return x.author_id if isinstance(x, Post) else getattr(x, "person_id", None) or getattr(x, "id", None)

    kinds = [(type(x).__name__, who(x)) for x in out]
    # U1 by email, U3 by the identities file (and never written as a person), U2 and U9 are forum people,
    # each written before the first record that names it
    assert ("Person", "slack:U2") in kinds
    assert ("Person", "slack:U9") in kinds
    assert not any(k == ("Person", "slack:U1") or k == ("Person", "slack:U3") for k in kinds)
    assert kinds.index(("Person", "slack:U2")) < kinds.index(("MemberOf", "slack:U2"))
    assert kinds.index(("Person", "slack:U9")) < kinds.index(("Post", "slack:U9"))
    assert ("MemberOf", "hr:E1") in kinds
    assert ("Post", "hr:E1") in kinds
    assert not any(isinstance(x, Account) for x in out)
    # two accounts of one person in one community: one membership
    twice = [account("U1", "Ann", "ann@x.com"), account("U4", "Ann again", "ann@x.com"),
             MemberOf(person_id="slack:U1", community_id="slack:channel/C1"),
             MemberOf(person_id="slack:U4", community_id="slack:channel/C1",
                      since=datetime(2024, 1, 1, tzinfo=UTC))]
    members = [x for x in normalise(twice, resolver()) if isinstance(x, MemberOf)]
    assert [(m.person_id, m.since) for m in members] == [("hr:E1", None)]


def test_normalise_canonicalises_skill_names_and_rejects_the_row_of_a_bad_one() -> None:
    from ingest.forum import jsonl
    from ingest.normalise import SkillNames, normalise
    from schema.models import Endorsement, Post
    from schema.skills import AliasTable

    lines = [
        '{"type": "post", "id": "p1", "author": "u1", "created_at": "2024-01-01T00:00:00Z", "tags": ["JS", "k8s"]}',
        '{"type": "reply", "id": "p2", "parent": "p1", "created_at": "2024-01-01T00:00:00Z", "tags": ["!!!"]}',
        '{"type": "endorsement", "from": "u1", "to": "u2", "skill": "Kubes"}',
        '{"type": "endorsement", "from": "u1", "to": "u2", "skill": " !!! "}',
    ]
    items = list(jsonl.parse_jsonl(lines, jsonl.JsonlState("jsonl/g"), "g.jsonl"))
    # the parser keeps the names as the file writes them
    assert next(p for p in items if isinstance(p, Post)).tags == ("JS", "k8s")
    names = SkillNames(AliasTable({"kubes": "kubernetes"}))
    out = list(normalise(items, resolver(), names))
    # an answer whose own tags say nothing takes its question's, as when the parser canonicalised them itself
    assert [p.tags for p in out if isinstance(p, Post)] == [("javascript", "kubernetes")] * 2
    assert [(e.from_id, e.skill) for e in out if isinstance(e, Endorsement)] == [("jsonl/g:u1", "kubernetes")]
    assert [r for r in out if isinstance(r, Reject)] == [
        Reject("g.jsonl", 4, "skill ' !!! ' is empty after canonicalisation")
    ]


def test_hr_rows_pass_identity_through_and_merge_skill_aliases() -> None:
    from ingest.forum.common import make_has_skill
    from ingest.hris import HrRow
    from ingest.normalise import SkillNames, hr_rows
    from schema.skills import AliasTable

    ann = Person(id="hr:E1", name="Ann", source="hr")
    raw = HrRow(2, ann, (make_has_skill("hr:E1", "JS", 3), make_has_skill("hr:E1", "javascript", None),
                         make_has_skill("hr:E1", "K8s", None)), None)
    (row,) = hr_rows([raw], SkillNames(AliasTable()))
    assert row.person is ann  # HR people are the identity source: kept as they are
    assert [(s.person_id, s.skill, s.level) for s in row.skills] == [
        ("hr:E1", "javascript", 3), ("hr:E1", "kubernetes", None)
    ]


def test_an_undeclared_account_is_named_by_its_handle_and_a_number_reads_as_a_user() -> None:
    """A Stack Exchange dump without Users.xml references users by number: pages listed "1. 4", "2. 18"."""
    r = resolver()
    assert r("slack:100") == "slack:100"
    assert r("slack:dave") == "slack:dave"
    assert {p.id: p.name for p in r.drain()} == {"slack:100": "user 100", "slack:dave": "dave"}
