"""What a full forum export takes back (graph/store/base.py: ``retract_source``), checked on each store: the
source's posts, memberships, engagements and endorsements the run did not write, then the source's own people
nothing names any more (with the last analysis' rows about them); other sources, HR people, endorsements of no
source and anyone still named stay, and a dry run writes nothing."""

from __future__ import annotations

from dataclasses import replace

from graph.store.base import Batch, GraphStore
from graph.store.source_facts import SourceKeep, SourceRetraction
from schema.models import Community, Endorsement, Engagement, MemberOf
from tests.factories import T0, person, post, snapshot

SRC = "stackexchange/demo"
SITE = Community(id="stackexchange:demo", name="demo", kind="forum", source=SRC)
OTHER = Community(id="slack:general", name="general", kind="channel", source="slack")


def _site() -> Batch:
    """Two HR people and four of the forum's own: ``u1`` to ``u4``; ``u3`` is endorsed, ``u4`` reacted."""
    hr = [person(0), person(1)]
    own = [person(f"{SRC}:u{i}", id=f"{SRC}:u{i}", source=SRC, email=None) for i in range(1, 5)]
    q = post(1, hr[0].id, community_id=SITE.id)
    posts = [q,
             post(2, own[0].id, kind="answer", parent_id=q.id, thread_id=q.id, community_id=SITE.id),
             post(3, own[1].id, kind="comment", parent_id=q.id, thread_id=q.id, community_id=SITE.id),
             post(4, hr[1].id, community_id=OTHER.id, source="slack", id="slack:m4")]
    return Batch(
        people=[*hr, *own], communities=[SITE, OTHER], posts=posts,
        memberships=[MemberOf(person_id=p.id, community_id=SITE.id, since=T0) for p in [*hr, *own]]
        + [MemberOf(person_id=hr[1].id, community_id=OTHER.id, since=T0)],
        endorsements=[Endorsement(from_id=hr[0].id, to_id=own[2].id, skill="python", created_at=T0)],
        engagements=[Engagement(person_id=own[3].id, post_id=q.id, kind="reaction", created_at=T0),
                     Engagement(person_id=hr[1].id, post_id=posts[1].id, kind="reaction", created_at=T0)],
    )


def _keep() -> SourceKeep:
    """The export now: the question alone, members hr 0, hr 1 and u4; u4's reaction only."""
    return SourceKeep(posts={f"{SRC}:1"},
                      memberships={("hr:E0000", SITE.id), ("hr:E0001", SITE.id), (f"{SRC}:u4", SITE.id)},
                      engagements={(f"{SRC}:u4", f"{SRC}:1", "reaction")})


EXPECTED = SourceRetraction(
    posts=[f"{SRC}:2", f"{SRC}:3"],
    memberships=[(f"{SRC}:u{i}", SITE.id) for i in (1, 2, 3)],
    engagements=[("hr:E0001", f"{SRC}:2", "reaction")],
    people=[f"{SRC}:u1", f"{SRC}:u2"],  # u3 is still endorsed, u4 still reacts and is a member
)


def test_retract_source_takes_back_what_the_export_no_longer_holds(store: GraphStore) -> None:
    batch = _site()
    store.write_batch(batch)
    store.write_analytics(snapshot(batch.people, community_id=SITE.id))
    before = store.counts()
    assert store.retract_source(SRC, _keep()) == EXPECTED
    dump = store.dump()
    assert sorted(p[0] for p in dump["Post"]) == ["slack:m4", f"{SRC}:1"]
    assert sorted(m[:2] for m in dump["MEMBER_OF"]) == [
        ("hr:E0000", SITE.id), ("hr:E0001", OTHER.id), ("hr:E0001", SITE.id), (f"{SRC}:u4", SITE.id)]
    assert sorted(e[:2] for e in dump["ENGAGED"]) == [(f"{SRC}:u4", f"{SRC}:1")]
    assert sorted(p[0] for p in dump["Person"]) == ["hr:E0000", "hr:E0001", f"{SRC}:u3", f"{SRC}:u4"]
    assert len(dump["ENDORSED"]) == 1
    # the last analysis' rows about the people removed went with them; the others' stay until the next run
    scored = {s[0] for s in dump["PersonScores"]}
    assert scored == {"hr:E0000", "hr:E0001", f"{SRC}:u3", f"{SRC}:u4"}
    assert f"{SRC}:u1" not in {i[2] for i in dump["InfluenceScore"]}
    assert store.counts()["people"] == before["people"] - 2
    # a removed person is missing again: a batch naming one is refused by name, as for any unknown person
    assert store.people([f"{SRC}:u1"]) == {}
    assert store.retract_source(SRC, _keep()) == SourceRetraction()  # idempotent


def test_retract_source_dry_run_reports_the_same_and_writes_nothing(store: GraphStore) -> None:
    store.write_batch(_site())
    before = store.dump()
    assert store.retract_source(SRC, _keep(), dry_run=True) == EXPECTED
    assert store.dump() == before


def test_retract_source_keeps_a_person_who_chose_to_be_hidden(store: GraphStore) -> None:
    """A choice to be hidden is the person's own: a re-import never removes the record holding it."""
    store.write_batch(_site())
    assert store.choose_visibility(f"{SRC}:u1", True, T0) is not None
    gone = store.retract_source(SRC, _keep())
    assert gone.people == [f"{SRC}:u2"]
    assert store.visibility(f"{SRC}:u1") is not None


def test_merge_people_moves_what_the_old_person_held_and_removes_them(store: GraphStore) -> None:
    """u1's account now resolves to hr 1 (say a new ``--identities`` row): u1's answer, membership, reaction and
    the endorsement hr 0 gave u1 go to hr 1; u1 goes with the last analysis' rows about them. hr 1 keeps its own
    membership of the site; an endorsement hr 1 gave u1 would be of oneself and is dropped."""
    batch = _site()
    extra = Batch(
        endorsements=[Endorsement(from_id="hr:E0000", to_id=f"{SRC}:u1", skill="python", created_at=T0),
                      Endorsement(from_id="hr:E0001", to_id=f"{SRC}:u1", skill="python", created_at=T0)],
        engagements=[Engagement(person_id=f"{SRC}:u1", post_id=f"{SRC}:1", kind="mention", created_at=T0)],
    )
    store.write_batch(batch)
    store.write_batch(extra)
    store.write_analytics(snapshot(batch.people, community_id=SITE.id))
    assert store.merge_people({f"{SRC}:u1": "hr:E0001", "hr:E0000": "hr:E0000", f"{SRC}:nobody": "hr:E0001"}) == [
        f"{SRC}:u1"]
    dump = store.dump()
    assert f"{SRC}:u1" not in {p[0] for p in dump["Person"]}
    assert {p[0]: p[2] for p in dump["Post"]}[f"{SRC}:2"] == "hr:E0001"
    assert sorted(m[:2] for m in dump["MEMBER_OF"] if m[0] == "hr:E0001") == [("hr:E0001", OTHER.id),
                                                                              ("hr:E0001", SITE.id)]
    assert sorted(e[:3] for e in dump["ENGAGED"] if e[0] == "hr:E0001") == [
        ("hr:E0001", f"{SRC}:1", "mention"), ("hr:E0001", f"{SRC}:2", "reaction")]
    assert sorted(e[:3] for e in dump["ENDORSED"]) == [("hr:E0000", "hr:E0001", "python"),
                                                        ("hr:E0000", f"{SRC}:u3", "python")]
    assert f"{SRC}:u1" not in {s[0] for s in dump["PersonScores"]}
    assert store.merge_people({f"{SRC}:u1": "hr:E0001"}) == []  # done: nothing left to move


def test_merge_people_keeps_an_old_person_who_chose_to_be_hidden(store: GraphStore) -> None:
    store.write_batch(_site())
    assert store.choose_visibility(f"{SRC}:u2", True, T0) is not None
    assert store.merge_people({f"{SRC}:u2": "hr:E0000"}) == []
    assert {p[0]: p[2] for p in store.dump()["Post"]}[f"{SRC}:3"] == "hr:E0000"
    assert store.visibility(f"{SRC}:u2") is not None


KUDOS = "jsonl/kudos"  # another source that writes endorsements


def _endorsements() -> Batch:
    """On top of :func:`_site`: u5 and u6 are the forum's own people, named by one endorsement of the source
    each; the source also endorsed u1 (whose posts and membership go) and hr 1; kudos and an older version (no
    source) endorsed too."""
    own = [person(f"{SRC}:u{i}", id=f"{SRC}:u{i}", source=SRC, email=None) for i in (5, 6)]
    return Batch(people=own, endorsements=[
        Endorsement(from_id="hr:E0000", to_id=f"{SRC}:u5", skill="rust", created_at=T0, source=SRC),
        Endorsement(from_id="hr:E0000", to_id=f"{SRC}:u6", skill="rust", created_at=T0, source=SRC),
        Endorsement(from_id="hr:E0001", to_id=f"{SRC}:u1", skill="python", source=SRC),
        Endorsement(from_id="hr:E0000", to_id="hr:E0001", skill="go", created_at=T0, source=SRC),
        Endorsement(from_id="hr:E0001", to_id="hr:E0000", skill="go", created_at=T0, source=KUDOS),
        Endorsement(from_id="hr:E0001", to_id=f"{SRC}:u2", skill="go", created_at=T0),
    ])


def _keep_endorsing() -> SourceKeep:
    """The export now holds hr 0's endorsements of u6 and of hr 1, no longer those of u5 and u1."""
    return replace(_keep(), endorsements={("hr:E0000", f"{SRC}:u6", "rust"), ("hr:E0000", "hr:E0001", "go")})


ENDORSING = replace(
    EXPECTED,
    endorsements=[("hr:E0000", f"{SRC}:u5", "rust"), ("hr:E0001", f"{SRC}:u1", "python")],
    # u5 was named by the dropped endorsement alone; u2 stays, endorsed by someone of no source
    people=[f"{SRC}:u1", f"{SRC}:u5"],
)


def test_retract_source_takes_back_the_endorsements_the_export_no_longer_holds(store: GraphStore) -> None:
    store.write_batch(_site())
    store.write_batch(_endorsements())
    assert store.retract_source(SRC, _keep_endorsing()) == ENDORSING
    dump = store.dump()
    assert sorted((e[0], e[1], e[2], e[4]) for e in dump["ENDORSED"]) == [
        ("hr:E0000", "hr:E0001", "go", SRC),  # kept
        ("hr:E0000", f"{SRC}:u3", "python", None),  # of no source: never taken back
        ("hr:E0000", f"{SRC}:u6", "rust", SRC),  # kept
        ("hr:E0001", "hr:E0000", "go", KUDOS),  # another source's
        ("hr:E0001", f"{SRC}:u2", "go", None),
    ]
    assert {f"{SRC}:u2", f"{SRC}:u6"} <= {p[0] for p in dump["Person"]}
    assert not {f"{SRC}:u1", f"{SRC}:u5"} & {p[0] for p in dump["Person"]}
    assert store.retract_source(SRC, _keep_endorsing()) == SourceRetraction()  # idempotent


def test_retract_source_of_endorsements_dry_run_reports_the_same_and_writes_nothing(store: GraphStore) -> None:
    store.write_batch(_site())
    store.write_batch(_endorsements())
    before = store.dump()
    assert store.retract_source(SRC, _keep_endorsing(), dry_run=True) == ENDORSING
    assert store.dump() == before


def test_an_endorsement_is_the_last_writers_and_moves_with_its_source(store: GraphStore) -> None:
    """Kudos wrote again what the site wrote: kudos' now, so the site's full re-import without it leaves it. One
    that moves in a merge keeps its source, so the next full re-import still takes it back."""
    store.write_batch(_site())
    store.write_batch(_endorsements())
    store.write_batch(Batch(endorsements=[
        Endorsement(from_id="hr:E0000", to_id=f"{SRC}:u5", skill="rust", created_at=T0, source=KUDOS)]))
    assert store.merge_people({f"{SRC}:u1": "hr:E0000"}) == [f"{SRC}:u1"]
    moved = ("hr:E0001", "hr:E0000", "python")
    assert [e[4] for e in store.dump()["ENDORSED"] if e[:3] == moved] == [SRC]
    gone = store.retract_source(SRC, _keep_endorsing())
    assert gone.endorsements == [moved]
    assert [e[4] for e in store.dump()["ENDORSED"] if e[:3] == ("hr:E0000", f"{SRC}:u5", "rust")] == [KUDOS]
