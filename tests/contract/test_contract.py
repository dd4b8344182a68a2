"""What every GraphStore must do (graph/store/base.py), checked on each implementation."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest

from graph.store.base import (
    Batch,
    GraphStore,
    decode_cursor,
    dump_rows,
    encode_cursor,
)
from schema.errors import BadInput, StoreError, StoreUnavailable
from schema.labels import BrokerRole, EvidenceKind, HealthPeriod
from schema.models import (
    Community,
    Endorsement,
    HasSkill,
    Interaction,
    MemberOf,
    Person,
    ReportsTo,
    Skill,
)
from schema.skills import canonical_skill
from tests.factories import T0, community, knowing_opt_outs, person, post, small_org, snapshot

# --- round trips -------------------------------------------------------------------------------------


def test_every_record_round_trips(store: GraphStore) -> None:
    batch = small_org()
    result = store.write_batch(batch)
    assert result.inserted["people"] == len(batch.people)
    assert result.inserted["posts"] == len(batch.posts)

    dump = store.dump()
    assert sorted(r[0] for r in dump["Person"]) == sorted(p.id for p in batch.people)
    assert dump["Post"] == dump_rows(batch.posts)
    assert len(dump["REPORTS_TO"]) == len(batch.reports_to)
    assert len(dump["HAS_SKILL"]) == len(batch.has_skill)
    assert len(dump["MEMBER_OF"]) == len(batch.memberships)
    assert len(dump["ENDORSED"]) == len(batch.endorsements)
    # tags and skill claims created the skills they name
    assert {"kubernetes", "go", "python"} <= {r[0] for r in dump["Skill"]}

    p1 = batch.people[1]
    assert store.people([p1.id]).get(p1.id) == p1
    assert store.people([p1.id, "hr:nobody"]) == {p1.id: p1}
    assert store.community("slack:k8s-guild") == batch.communities[0]
    assert [c.id for c in store.communities()] == sorted(c.id for c in batch.communities)
    assert store.skill("kubernetes") == Skill(name="kubernetes", aliases=("k8s", "kube"))
    claims = store.person_skills([p1.id])[p1.id]
    assert claims == [HasSkill(person_id=p1.id, skill="kubernetes", level=4, declared_at=date(2024, 5, 1))]
    assert [c.id for c in store.memberships([p1.id])[p1.id]] == ["slack:data-science"]
    members = store.community_members("slack:k8s-guild", first=100)
    assert {p.id for p in members.items} == {p.id for i, p in enumerate(batch.people) if i % 2 == 0}
    assert members.total == len(members.items)
    assert store.email_index()[p1.email] == p1.id  # type: ignore[index]
    assert store.person_ids("hr") == {p.id for p in batch.people}


def test_projection_holds_everything_analytics_needs(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    proj = store.read_projection()
    assert {p.id for p in proj.people} == {p.id for p in batch.people}
    question = next(p for p in proj.posts if p.kind == "question")
    assert question.title == 'Pods restart: "CrashLoopBackOff", why? Über-cluster, 100% CPU'
    answer = next(p for p in proj.posts if p.kind == "answer")
    assert answer.title is None
    assert answer.parent_id == batch.posts[0].id
    assert answer.accepted is True
    assert answer.score == 3
    assert answer.created_at == batch.posts[1].created_at
    assert set(proj.reports_to) == {(r.person_id, r.manager_id) for r in batch.reports_to}
    assert {(s.person_id, s.skill, s.level) for s in proj.skills} == {
        (h.person_id, h.skill, h.level) for h in batch.has_skill
    }
    assert [(e.from_id, e.to_id, e.skill) for e in proj.endorsements] == [
        (e.from_id, e.to_id, e.skill) for e in batch.endorsements
    ]
    assert len(proj.memberships) == len(batch.memberships)
    assert {c.id for c in proj.communities} == {c.id for c in batch.communities}


def test_analytics_snapshot_round_trips(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    people = list(batch.people)
    snap = snapshot(people)
    store.write_analytics(snap)

    run = store.last_run()
    assert run is not None
    assert run.id == "run-1"
    page = store.experts("kubernetes", first=100)
    assert [h.person.id for h in page.items] == [p.id for p in people]  # scores 1, 1/2, 1/3 ...
    assert page.items[0].evidence == snap.expertise[0].evidence
    assert {e.kind for e in page.items[0].evidence} == {EvidenceKind.ACCEPTED_ANSWERS, EvidenceKind.DECLARED}
    assert [r.person.id for r in store.influencers(first=3)] == [p.id for p in people[:3]]
    assert [r.rank for r in store.influencers(first=3)] == [1, 2, 3]
    assert [r.person.id for r in store.influencers(skill="kubernetes", first=2)] == [p.id for p in people[:2]]
    assert [r.person.id for r in store.influencers(community_id="slack:k8s-guild", first=2)] == [
        p.id for p in people[:2]
    ]
    brokers = store.brokers(first=2)
    assert [b.person.id for b in brokers] == [p.id for p in people[:2]]
    assert brokers[0].scores.role is BrokerRole.CONNECTOR
    assert brokers[0].scores.articulation is True
    scores = store.person_scores([people[0].id])[people[0].id]
    assert scores == snap.person_scores[0]
    expertise = store.person_expertise([people[0].id])[people[0].id]
    assert expertise == [snap.expertise[0]]
    health = store.community_health("slack:k8s-guild")
    assert health.current is not None
    assert health.current.period is HealthPeriod.CURRENT
    assert health.current.contributor_gini == pytest.approx(0.4)
    assert [w.start for w in health.weekly] == [date(2024, 12, 23), date(2024, 12, 30)]  # oldest first
    assert store.dump()["DetectedCommunity"] == dump_rows(snap.detected_communities)
    reach = store.reach([people[1].id])[people[1].id]
    assert reach.neighbours == {people[0].id, people[2].id}
    assert reach.communities == {"slack:data-science"}
    assert store.counts()["expertise"] == len(people)


def test_health_report_says_when_opt_outs_changed_since_the_run(store: GraphStore) -> None:
    """The flag readers withhold health on (issue 9.7): read with the rows, against the run's opted-out digest."""
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(knowing_opt_outs(snapshot(list(batch.people)), batch.people))
    assert store.community_health("slack:k8s-guild").opted_out_changed is False
    who = next(p for p in batch.people if not p.opted_out)
    store.write_batch(Batch(people=[who.model_copy(update={"opted_out": True})]))
    report = store.community_health("slack:k8s-guild")
    assert report.current is not None
    assert report.opted_out_changed is True
    store.write_batch(Batch(people=[who]))  # back in: the set is the run's again
    assert store.community_health("slack:k8s-guild").opted_out_changed is False
    assert store.community_health("slack:nowhere").opted_out_changed is False  # no rows, nothing to flag


def test_health_report_follows_every_run_and_each_caller_gets_its_own(store: GraphStore) -> None:
    """Reports are memoised per data version (the communities page reads one per community): a new run's figures
    show at once, and a caller changing its report changes no one else's."""
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(snapshot(batch.people, run_id="run-1"))
    first = store.community_health("slack:k8s-guild")
    assert first.current is not None
    assert first.current.contributor_gini == pytest.approx(0.4)
    first.weekly.clear()
    assert len(store.community_health("slack:k8s-guild").weekly) == 2
    snap = snapshot(batch.people, run_id="run-2")
    snap.health = [h.model_copy(update={"contributor_gini": 0.7}) for h in snap.health]
    store.write_analytics(snap)
    again = store.community_health("slack:k8s-guild")
    assert again.current is not None
    assert again.current.contributor_gini == pytest.approx(0.7)
    assert [w.contributor_gini for w in again.weekly] == pytest.approx([0.7, 0.7])


def test_a_new_analytics_run_replaces_the_old_one(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(snapshot(batch.people, run_id="run-1"))
    store.write_analytics(snapshot(batch.people[:3], run_id="run-2"))
    assert store.last_run().id == "run-2"  # type: ignore[union-attr]
    assert store.experts("kubernetes").total == 3
    assert store.counts()["scored_people"] == 3


# --- idempotence and updates ----------------------------------------------------------------------


def test_the_same_batch_twice_changes_nothing(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    before = store.dump()
    second = store.write_batch(batch)
    assert second.total_inserted == 0
    assert second.total_updated == 0
    assert store.dump() == before


def test_a_batch_repeating_a_key_keeps_the_last_version(store: GraphStore) -> None:
    store.write_batch(Batch(people=[person(1, title="Old"), person(2), person(1, title="New")]))
    assert store.people(["hr:E0001"]).get("hr:E0001").title == "New"  # type: ignore[union-attr]
    assert store.counts()["people"] == 2


def test_updates_overwrite(store: GraphStore) -> None:
    store.write_batch(small_org())
    changed = person(1, manager_id="hr:E0000", title="Staff Engineer", location="London")
    result = store.write_batch(Batch(people=[changed]))
    assert result.updated["people"] == 1
    assert store.people([changed.id]).get(changed.id) == changed
    p = post(1, "hr:E0001", community_id="slack:k8s-guild", tags=("kubernetes", "helm"), score=7)
    store.write_batch(Batch(posts=[p]))
    stored = next(r for r in store.read_projection().posts if r.id == p.id)
    assert stored.tags == ("helm", "kubernetes")
    assert stored.score == 7
    moderator = MemberOf(person_id="hr:E0001", community_id="slack:data-science", role="moderator")
    store.write_batch(Batch(memberships=[moderator]))
    row = next(r for r in store.dump()["MEMBER_OF"] if r[0] == "hr:E0001" and r[1] == "slack:data-science")
    assert row[3] == "moderator"


def _held(store: GraphStore, names: list[str]) -> None:
    """Someone (not opted out) declares each skill: only then is it listed (graph/store/shown.py)."""
    holder = person(900)
    store.write_batch(Batch(people=[holder], has_skill=[HasSkill(person_id=holder.id, skill=n) for n in names]))


def test_skill_aliases_merge_and_prefix_search_finds_aliases(store: GraphStore) -> None:
    store.write_batch(Batch(skills=[Skill(name="kubernetes", aliases=("k8s",))]))
    store.write_batch(Batch(skills=[Skill(name="kubernetes", aliases=("kube",)), Skill(name="python")]))
    _held(store, ["kubernetes", "python"])
    assert store.skill("kubernetes").aliases == ("k8s", "kube")  # type: ignore[union-attr]
    assert [s.name for s in store.skills("k8")] == ["kubernetes"]
    assert [s.name for s in store.skills("PY")] == ["python"]
    assert [s.name for s in store.all_skills()] == ["kubernetes", "python"]


def test_skills_in_any_script_are_found_by_any_spelling_of_their_prefix(store: GraphStore) -> None:
    names = ["qualitatsmanagement", "машинное-обучение", "機械学習"]
    store.write_batch(Batch(skills=[Skill(name=canonical_skill(n)) for n in names]))
    _held(store, [canonical_skill(n) for n in names])
    assert [s.name for s in store.skills("Qualitäts")] == ["qualitatsmanagement"]
    assert [s.name for s in store.skills("МАШИН")] == ["машинное-обучение"]
    assert [s.name for s in store.skills("機械")] == ["機械学習"]
    assert store.skills("ééé") == []  # a prefix of accented letters is a prefix, not "every skill"
    assert store.skill("машинное-обучение").name == "машинное-обучение"  # type: ignore[union-attr]


# --- pagination ------------------------------------------------------------------------------------


def _many_experts(store: GraphStore, n: int = 57) -> list[Person]:
    people = [
        person(i, department="Engineering" if i % 3 else "Data", location="Berlin" if i % 2 else "London")
        for i in range(n)
    ]
    store.write_batch(Batch(people=people, communities=[community("k8s-guild")]))
    # ties on purpose: only 5 distinct scores
    store.write_analytics(snapshot(people, scores=[float(i % 5) for i in range(n)]))
    return people


def test_pagination_is_stable_and_complete(store: GraphStore) -> None:
    people = _many_experts(store)
    expected = [p.id for p in sorted(people, key=lambda p: (-float(int(p.id[-4:]) % 5), p.id))]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = store.experts("kubernetes", first=10, after=after)
        assert page.total == len(people)
        seen.extend(h.person.id for h in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected
    assert pages == 6
    assert [h.person.id for h in store.experts("kubernetes", first=100).items] == expected
    # the same cursor gives the same page again
    first_page = store.experts("kubernetes", first=10)
    again = store.experts("kubernetes", first=10, after=first_page.next_cursor)
    assert again == store.experts("kubernetes", first=10, after=first_page.next_cursor)
    assert decode_cursor(first_page.next_cursor)[1] == first_page.items[-1].person.id  # type: ignore[arg-type]


def _walk(store: GraphStore, first: int, **filters: str) -> list[tuple[float, int]]:
    out: list[tuple[float, int]] = []
    after = None
    while True:
        page = store.experts("kubernetes", first=first, after=after, **filters)
        out += [(h.score, h.rank) for h in page.items]
        if page.next_cursor is None:
            return out
        after = page.next_cursor


def test_every_page_ranks_its_experts_in_the_whole_ranking(store: GraphStore) -> None:
    """A page may open inside a tie begun on the page before: its people share the tie's place, and whoever
    follows is placed after the whole tie. An opted-out person is not counted above anyone."""
    people = _many_experts(store)  # five scores, ties of 11 or 12 people: page boundaries split ties
    store.write_batch(Batch(people=[people[4].model_copy(update={"opted_out": True})]))  # scores 4.0, the top

    def places(scores: list[float]) -> list[int]:
        return [1 + sum(1 for s in scores if s > score) for score in scores]

    for first in (1, 7, 10, 100):
        walked = _walk(store, first)
        assert len(walked) == len(people) - 1
        assert [k for _, k in walked] == places([s for s, _ in walked]), first
        assert sorted({k for _, k in walked}) == [1, 11, 22, 33, 45]  # 10 visible people score 4.0 (one opted out)
        berlin = _walk(store, first, location="berlin")
        assert [k for _, k in berlin] == places([s for s, _ in berlin]), first


def test_expert_filters(store: GraphStore) -> None:
    people = _many_experts(store)
    page = store.experts("kubernetes", first=100, department="Data", location="London")
    expected = {p.id for p in people if p.department == "Data" and p.location == "London"}
    assert {h.person.id for h in page.items} == expected
    assert page.total == len(expected)
    assert store.experts("no-such-skill").items == []


def test_memoised_totals_follow_every_write(store: GraphStore) -> None:
    """Totals and the opted-out digest are memoised per data version (they walk thousands of rows at 100,000
    people); any commit moves the version, so an opt-out shows in the very next read, on a warm memo."""
    people = _many_experts(store)
    version = store.data_version()  # type: ignore[attr-defined]
    before = store.experts("kubernetes", first=5).total
    assert store.experts("kubernetes", first=5).total == before == len(people)
    store.write_batch(Batch(people=[people[0].model_copy(update={"opted_out": True})]))
    assert store.data_version() != version  # type: ignore[attr-defined]
    assert store.experts("kubernetes", first=5).total == before - 1
    assert store.experts("kubernetes", first=5, department="Data").total == sum(
        p.department == "Data" for p in people[1:]
    )


def test_member_totals_follow_every_write(store: GraphStore) -> None:
    """A community's member total is memoised per data version on Neo4j (it walks every membership: 150 ms for a
    community of most of 100,000 people); the next page after an opt-out or a new member counts them, as does a
    page past the last member."""
    batch = small_org()
    store.write_batch(batch)
    guild = "slack:k8s-guild"
    first_page = store.community_members(guild, first=1)
    before = first_page.total
    assert before == store.community_members(guild, first=1).total == sum(i % 2 == 0 for i in range(len(batch.people)))
    member = first_page.items[0]
    store.write_batch(Batch(people=[member.model_copy(update={"opted_out": True})]))
    assert store.community_members(guild, first=1).total == before - 1
    outsider = batch.people[1]
    store.write_batch(Batch(memberships=[MemberOf(person_id=outsider.id, community_id=guild)]))
    page = store.community_members(guild, first=100)
    assert page.total == before == len(page.items)
    assert outsider.id in {p.id for p in page.items}
    past_the_end = encode_cursor(0.0, max(p.id for p in page.items))
    last = store.community_members(guild, first=100, after=past_the_end)
    assert (last.items, last.next_cursor, last.total) == ([], None, before)


@pytest.mark.parametrize("share", [1, 3, 20])
def test_member_pages_walk_every_member_once_in_id_order(store: GraphStore, share: int) -> None:
    """Every page size through a community of every share of the people (Neo4j reads a community holding a large
    share by walking the person-id index, a small one from its memberships: the same pages either way), opted-out
    people left out."""
    people = [person(i, opted_out=i % 7 == 3) for i in range(40)]
    everyone = community("everyone")
    members = [p for i, p in enumerate(people) if i % share == 0]
    store.write_batch(Batch(people=people, communities=[everyone],
                            memberships=[MemberOf(person_id=p.id, community_id=everyone.id) for p in members]))
    expected = sorted(p.id for p in members if not p.opted_out)
    for first in (1, 2, 5, 100):
        for _ in range(2):  # the second time with the community's size known
            seen, after = [], None
            while True:
                page = store.community_members(everyone.id, first=first, after=after)
                assert page.total == len(expected)
                seen += [p.id for p in page.items]
                if page.next_cursor is None:
                    break
                after = page.next_cursor
            assert seen == expected


@pytest.mark.parametrize("share", [1, 20])
def test_bots_and_leavers_are_not_community_members(store: GraphStore, share: int) -> None:
    """A bot's membership (Stack Exchange's "Community" user -1, a Slack integration) is not a member, nor is a
    leaver's: the list and its total leave them out, as the health figures and the pages' member counts do."""
    people = [person(i, bot=i % 5 == 0, active=i % 7 != 3) for i in range(40)]
    everyone = community("everyone")
    members = [p for i, p in enumerate(people) if i % share == share - 1 or p.bot or not p.active]
    store.write_batch(Batch(people=people, communities=[everyone],
                            memberships=[MemberOf(person_id=p.id, community_id=everyone.id) for p in members]))
    expected = sorted(p.id for p in members if not p.bot and p.active)
    assert expected  # members to list
    assert len(expected) < len(members) - 5  # and both kinds to leave out
    for _ in range(2):  # the second time with the community's size known
        page = store.community_members(everyone.id, first=100)
        assert [p.id for p in page.items] == expected
        assert page.total == len(expected) == store.community_sizes([everyone.id]).get(everyone.id, 0)


@pytest.mark.parametrize("first", [0, -1, 101])
def test_page_size_limits(store: GraphStore, first: int) -> None:
    with pytest.raises(BadInput):
        store.experts("kubernetes", first=first)


def test_bad_cursor_is_bad_input(store: GraphStore) -> None:
    with pytest.raises(BadInput):
        store.experts("kubernetes", after="not-a-cursor")


# --- privacy ---------------------------------------------------------------------------------------


def test_opted_out_people_never_come_back(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    people = list(batch.people)
    hidden = people[2]
    store.write_batch(Batch(people=[hidden.model_copy(update={"opted_out": True})]))
    store.write_analytics(snapshot(people))
    hid = hidden.id

    assert store.people([hid]).get(hid) is None
    assert hid not in store.people([p.id for p in people])
    assert hid not in store.person_scores([hid])
    assert hid not in store.person_skills([hid])
    assert hid not in store.person_expertise([hid])
    assert hid not in store.memberships([hid])
    assert hid not in {h.person.id for h in store.experts("kubernetes", first=100).items}
    assert store.experts("kubernetes", first=100).total == len(people) - 1
    for kw in ({}, {"skill": "kubernetes"}, {"community_id": "slack:k8s-guild"}):
        assert hid not in {r.person.id for r in store.influencers(first=100, **kw)}
    assert hid not in {b.person.id for b in store.brokers(first=100)}
    assert hid not in {b.person.id for b in store.brokers(first=100, community_ids=["slack:k8s-guild"])}
    assert hid not in {p.id for p in store.community_members("slack:k8s-guild", first=100).items}
    for reach in store.reach([p.id for p in people]).values():
        assert hid not in reach.neighbours
    # the interaction chain is E0 - E1 - E2 - E3 ...; E2 may not be an end nor a step of a path
    assert store.introduction_path(hid, people[3].id) is None
    path = store.introduction_path(people[1].id, people[3].id, max_hops=4)
    assert path is None or hid not in [p.id for p in path]


def test_leavers_are_kept_but_left_out_of_directories(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(snapshot(batch.people))
    leaver = batch.people[1].id
    gone = next(p for p in batch.people if p.id == leaver).model_copy(update={"active": False})
    assert store.write_batch(Batch(people=[gone])).updated["people"] == 1
    assert store.people([leaver]).get(leaver).active is False  # type: ignore[union-attr]
    assert leaver not in {h.person.id for h in store.experts("kubernetes", first=100).items}
    assert leaver not in {r.person.id for r in store.influencers(first=100)}


def test_deactivate_missing_marks_leavers_inactive(store: GraphStore) -> None:
    batch = small_org(6)
    store.write_batch(batch)
    keep = {p.id for p in batch.people[:4]}
    gone = store.deactivate_missing("hr", keep)
    assert gone == sorted(p.id for p in batch.people[4:])
    assert store.counts()["people"] == 6
    assert store.counts()["active_people"] == 4
    assert store.deactivate_missing("hr", keep) == []


# --- referential rules -----------------------------------------------------------------------------


def test_missing_author_is_named(store: GraphStore) -> None:
    store.write_batch(Batch(people=[person(1)]))
    before = store.dump()
    with pytest.raises(StoreError, match="hr:ghost"):
        store.write_batch(Batch(people=[person(2)], posts=[post(1, "hr:ghost")]))
    assert store.dump() == before  # the whole batch rolled back, nothing already loaded lost


def test_missing_keys_are_named_in_code_point_order(store: GraphStore) -> None:
    # found by the SQLite/Neo4j parity run: Cypher sorts strings by UTF-16 code unit, so Neo4j named an id with an
    # emoji (beyond U+FFFF) before one with a fullwidth letter (U+FF41) and the message showed another first five
    store.write_batch(Batch(communities=[community("c")]))
    ghosts = ["x:b4", "x:a\U0001F6B2", "x:b1", "x:a\uff41", "x:b3", "x:b2"]
    with pytest.raises(StoreError) as err:
        store.write_batch(Batch(memberships=[MemberOf(person_id=g, community_id="slack:c") for g in ghosts]))
    assert str(err.value) == "unknown person in memberships: x:a\uff41, x:a\U0001F6B2, x:b1, x:b2, x:b3 and 1 more"


def test_keyset_pages_walk_ids_in_code_point_order(store: GraphStore) -> None:
    # found by the SQLite/Neo4j parity run: Neo4j sorts the page by code point (as SQLite), but its cursor filter
    # `p.id > $after` compares by UTF-16 code unit, so an id with an emoji (beyond U+FFFF) after one with a fullwidth
    # letter (U+FF41) was skipped by the next page (graph/store/neo4j/keyset.py)
    ids = ["x:a\uff41", "x:a\U0001F6B2", "x:b"]
    people = [person(i, id=i, source="x", email=None) for i in ids]
    store.write_batch(Batch(people=[*people, *(person(n) for n in range(30))], communities=[community("c")],
                            memberships=[MemberOf(person_id=i, community_id="slack:c") for i in ids]))
    store.write_analytics(snapshot(people, scores=[0.5, 0.5, 0.5]))
    members, experts, after, cursor = [], [], None, None
    while True:
        page = store.community_members("slack:c", first=1, after=after)
        members += [p.id for p in page.items]
        if (after := page.next_cursor) is None:
            break
    while True:
        hits = store.experts("kubernetes", first=1, after=cursor)
        experts += [h.person.id for h in hits.items]
        if (cursor := hits.next_cursor) is None:
            break
    assert members == ids
    assert experts == ids
    store.write_batch(Batch(communities=[community(i.removeprefix("x:")) for i in ids]))
    seen: list[str] = []
    while page := store.communities(first=1, after=seen[-1] if seen else None):
        seen += [c.id for c in page]
    assert seen == [*(f"slack:{i.removeprefix('x:')}" for i in ids), "slack:c"]


def test_a_rolled_back_batch_leaves_no_trace(store: GraphStore) -> None:
    # E0005 is written and referenced in a batch that fails: afterwards it must not exist for later batches either
    with pytest.raises(StoreError, match="hr:ghost"):
        store.write_batch(Batch(people=[person(5)], posts=[post(1, "hr:E0005"), post(2, "hr:ghost")]))
    assert store.people(["hr:E0005"]).get("hr:E0005") is None
    with pytest.raises(StoreError, match="hr:E0005"):
        store.write_batch(Batch(posts=[post(3, "hr:E0005")]))
    assert store.counts()["posts"] == 0


@pytest.mark.parametrize(
    "batch",
    [
        Batch(reports_to=[ReportsTo(person_id="hr:E0001", manager_id="hr:ghost")]),
        Batch(memberships=[MemberOf(person_id="hr:E0001", community_id="slack:ghost")]),
        Batch(endorsements=[Endorsement(from_id="hr:ghost", to_id="hr:E0001", skill="go")]),
        Batch(has_skill=[HasSkill(person_id="hr:ghost", skill="go")]),
    ],
)
def test_relationships_need_their_ends(store: GraphStore, batch: Batch) -> None:
    store.write_batch(Batch(people=[person(1)]))
    with pytest.raises(StoreError, match="ghost"):
        store.write_batch(batch)


def test_answers_may_arrive_before_their_question(store: GraphStore) -> None:
    store.write_batch(Batch(people=[person(1), person(2)]))
    question = post(1, "hr:E0001")
    answer = post(2, "hr:E0002", kind="answer", parent_id=question.id, thread_id=question.id)
    store.write_batch(Batch(posts=[answer]))
    store.write_batch(Batch(posts=[question]))
    posts = {p.id: p for p in store.read_projection().posts}
    assert posts[answer.id].parent_id == question.id
    assert store.counts()["posts"] == 2


# --- paths -------------------------------------------------------------------------------------------


def _chain(store: GraphStore, n: int) -> list[Person]:
    people = [person(i) for i in range(n)]
    store.write_batch(Batch(people=people))
    snap = snapshot(people)
    snap.interactions = [
        Interaction(source_id=a.id, target_id=b.id, weight=1.0, count=1)
        for a, b in zip(people, people[1:], strict=False)
    ]
    store.write_analytics(snap)
    return people


def test_introduction_path_is_shortest_and_bounded(store: GraphStore) -> None:
    people = _chain(store, 6)
    ids = [p.id for p in people]
    path = store.introduction_path(ids[0], ids[4], max_hops=4)
    assert [p.id for p in path] == ids[:5]  # type: ignore[union-attr]
    assert store.introduction_path(ids[0], ids[5], max_hops=4) is None
    assert [p.id for p in store.introduction_path(ids[5], ids[0], max_hops=5)] == ids[::-1]  # type: ignore[union-attr]
    assert [p.id for p in store.introduction_path(ids[2], ids[2])] == [ids[2]]  # type: ignore[union-attr]
    assert store.introduction_path(ids[0], "hr:nobody") is None
    # a reporting line is a tie too, and it shortens the path
    store.write_batch(Batch(reports_to=[ReportsTo(person_id=ids[5], manager_id=ids[1])]))
    assert [p.id for p in store.introduction_path(ids[0], ids[5])] == [ids[0], ids[1], ids[5]]  # type: ignore[union-attr]


def test_path_avoids_inactive_intermediaries(store: GraphStore) -> None:
    people = _chain(store, 4)
    store.write_batch(Batch(people=[people[1].model_copy(update={"active": False})]))
    assert store.introduction_path(people[0].id, people[3].id) is None


def test_brokers_between_communities(store: GraphStore) -> None:
    people = [person(i) for i in range(6)]
    comms = [community("eng"), community("sales")]
    store.write_batch(
        Batch(
            people=people,
            communities=comms,
            memberships=[
                MemberOf(person_id=people[0].id, community_id="slack:eng"),
                MemberOf(person_id=people[1].id, community_id="slack:eng"),
                MemberOf(person_id=people[1].id, community_id="slack:sales"),
                MemberOf(person_id=people[2].id, community_id="slack:sales"),
            ],
        )
    )
    snap = snapshot(people)
    # E3 is in neither but talks to E0 (eng) and E2 (sales): it touches both, yet connects neither community from
    # inside, so it is no bridge between them
    snap.interactions = [
        Interaction(source_id=people[3].id, target_id=people[0].id, weight=1.0, count=1),
        Interaction(source_id=people[2].id, target_id=people[3].id, weight=1.0, count=1),
        # E4 is in eng (below) and has answered E2 of sales: a bridge through a tie
        Interaction(source_id=people[4].id, target_id=people[2].id, weight=2.0, count=2),
    ]
    store.write_batch(Batch(memberships=[MemberOf(person_id=people[4].id, community_id="slack:eng")]))
    store.write_analytics(snap)
    hits = store.brokers(first=10, community_ids=["slack:sales", "slack:eng"])
    assert {b.person.id for b in hits} == {people[1].id, people[2].id, people[4].id}
    assert all(b.rank == k for k, b in enumerate(hits, start=1))
    sides = {b.person.id: {(s.community_id, s.member, s.ties) for s in b.sides} for b in hits}
    assert sides[people[1].id] == {("slack:eng", True, 0), ("slack:sales", True, 0)}
    assert sides[people[4].id] == {("slack:eng", True, 0), ("slack:sales", False, 1)}
    assert sides[people[2].id] == {("slack:eng", False, 1), ("slack:sales", True, 0)}  # answered by E4 of eng
    assert [s.community_id for s in hits[0].sides] == ["slack:eng", "slack:sales"]  # sorted ids
    # one community: everyone who touches it, members or not; no sides without community ids
    assert {b.person.id for b in store.brokers(first=10, community_ids=["slack:sales"])} >= {people[3].id}
    assert all(b.sides == () for b in store.brokers(first=10))


def test_people_on_no_shortest_path_are_no_brokers(store: GraphStore) -> None:
    """On a real Slack export whose four people never replied to one another, every one of them was listed as a
    broker, "on 0 % of shortest paths; role: ultra peripheral": the list was every scored person by betweenness,
    zeros included. Someone on no shortest path between two others connects nobody."""
    people = [person(i) for i in range(4)]
    store.write_batch(Batch(people=people))
    store.write_analytics(snapshot(people, scores=[0.3, 0.0, 0.1, 0.0]))
    hits = store.brokers(first=10)
    assert [b.person.id for b in hits] == [people[0].id, people[2].id]
    assert [b.rank for b in hits] == [1, 2]
    store.write_analytics(snapshot(people, run_id="run-2", scores=[0.0] * 4))
    assert store.brokers(first=10) == []


def test_equal_influence_shares_a_rank(store: GraphStore) -> None:
    """Equal scores were ranked #1, #2, #3 in id order; they share a rank, as in sport."""
    people = [person(i) for i in range(4)]
    store.write_batch(Batch(people=people))
    store.write_analytics(snapshot(people, scores=[0.3, 0.3, 0.3, 0.1]))
    assert [r.rank for r in store.influencers(first=10)] == [1, 1, 1, 4]


def test_brokers_equal_on_every_measure_share_a_rank(store: GraphStore) -> None:
    """Four members of both channels of a real Slack export, equal on everything bridges are ordered by, were
    bridges #1 to #4 in id order (influencers already shared theirs). Every broker list ranks as in sport."""
    people = [person(i) for i in range(6)]
    store.write_batch(Batch(
        people=people, communities=[community("eng"), community("sales")],
        memberships=[MemberOf(person_id=p.id, community_id=c) for p in people[:4]
                     for c in ("slack:eng", "slack:sales")]
        + [MemberOf(person_id=people[4].id, community_id="slack:eng")],
    ))
    snap = snapshot(people, scores=[0.3, 0.3, 0.3, 0.3, 0.2, 0.2])
    snap.interactions = []  # no one replied to anyone: every side is membership alone
    store.write_analytics(snap)
    assert [b.rank for b in store.brokers(first=10)] == [1, 1, 1, 1, 5, 5]
    hits = store.brokers(first=10, community_ids=["slack:eng", "slack:sales"])
    assert [b.rank for b in hits] == [1, 1, 1, 1], hits  # people[4] touches one side only: no bridge
    snap = snapshot(people, run_id="run-2", scores=[0.3, 0.3, 0.2, 0.1, 0.1, 0.05])
    snap.interactions = []
    store.write_analytics(snap)
    assert [b.rank for b in store.brokers(first=10)] == [1, 1, 3, 4, 4, 6]
    assert [b.rank for b in store.brokers(first=10, community_ids=["slack:eng", "slack:sales"])] == [1, 1, 3, 4]


def test_bridges_are_ordered_by_their_weaker_side(store: GraphStore) -> None:
    """A busy member of eng who talks with three eng people and one sales person used to outrank, by four ties to
    three, an eng member who talks with one eng person and two of sales: the sum hid which side the ties were on.
    A bridge is as strong as its weaker side (being a member counts one there), and the sum only breaks ties."""
    people = [person(i) for i in range(9)]
    eng, sales = (0, 1, 2, 3), (4, 5, 6)
    hub, bridge = people[7], people[8]
    store.write_batch(Batch(
        people=people, communities=[community("eng"), community("sales")],
        memberships=[MemberOf(person_id=people[i].id, community_id="slack:eng") for i in (*eng, 7, 8)]
        + [MemberOf(person_id=people[i].id, community_id="slack:sales") for i in sales],
    ))
    snap = snapshot(people)
    ties = [(hub, people[i]) for i in (0, 1, 2, 4)] + [(bridge, people[i]) for i in (3, 5, 6)]
    snap.interactions = [Interaction(source_id=a.id, target_id=b.id, weight=1.0, count=1) for a, b in ties]
    store.write_analytics(snap)
    hits = store.brokers(first=10, community_ids=["slack:eng", "slack:sales"])
    order = [b.person.id for b in hits]
    assert order[:2] == [bridge.id, hub.id], order
    sides = {b.person.id: [(s.member, s.ties) for s in b.sides] for b in hits}
    assert sides[hub.id] == [(True, 3), (False, 1)]
    assert sides[bridge.id] == [(True, 1), (False, 2)]


def test_people_are_found_by_name_as_people_type_it(store: GraphStore) -> None:
    """The network page asked for a raw id ("hr:E00042"), which nobody knows: a name now finds the person, case,
    spacing and accents aside, best match first; people who may not be shown are never found."""
    names = ["Lucía Hernández", "Luciano Reyes", "Ana Lucia Costa", "Lucia", "Paulucia Dias", "Lucía Hidden",
             "Lucía Gone", "Lucía Bot"]
    people = [person(i, name=n) for i, n in enumerate(names)]
    people[5] = people[5].model_copy(update={"opted_out": True})
    people[6] = people[6].model_copy(update={"active": False})
    people[7] = people[7].model_copy(update={"bot": True})
    store.write_batch(Batch(people=people))
    found = [p.name for p in store.people_named("  LUCIA ")]
    assert found == ["Lucia", "Lucía Hernández", "Luciano Reyes", "Ana Lucia Costa", "Paulucia Dias"]
    assert [p.name for p in store.people_named("lucia hernandez")] == ["Lucía Hernández"]
    assert [p.id for p in store.people_named("luc", first=2)] == [people[3].id, people[0].id]
    assert store.people_named("Zoë") == []
    assert store.people_named("   ") == []
    with pytest.raises(BadInput):
        store.people_named("lucia", first=0)


def test_influencers_needs_one_scope(store: GraphStore) -> None:
    with pytest.raises(BadInput):
        store.influencers(skill="go", community_id="slack:eng")


# --- meta, counts -----------------------------------------------------------------------------------


def test_the_question_router_round_trips_through_meta(store: GraphStore) -> None:
    """The router an analytics run stores (issue 10.3) is one large JSON text in meta: the model and the context."""
    from graph.analytics.routing import Router
    from graph.analytics.routing_features import Activity, AnswerRecord, RoutingContext
    from graph.expert_routing import load_router, save_router

    ctx = RoutingContext(related={f"s{i}": [(f"s{i + 1}", 0.5)] for i in range(2000)},
                         active={f"p:{i}": Activity(i, 1.5) for i in range(500)}, skill_answers={"s1": 3}, mu=2.0,
                         answerers={f"p:{i}": AnswerRecord(i, i // 2, 1.7e9 + i if i else None, i / 3)
                                    for i in range(5000)})
    router = Router("handset", ctx, model_text="tree\n" + "x" * 200_000, stats={"training_questions": 0})
    save_router(store, router)
    back = load_router(store)
    assert back.to_json() == router.to_json()
    assert back.context.active["p:7"] == Activity(7, 1.5)
    assert back.context.answerers["p:9"] == AnswerRecord(9, 4, 1.7e9 + 9, 3.0)
    assert back.context.answerers["p:0"].last_at is None


def test_meta_is_written_with_the_batch(store: GraphStore) -> None:
    store.write_batch(Batch(people=[person(1)], meta={"ingest:x": "42"}))
    assert store.get_meta("ingest:x") == "42"
    store.set_meta("ingest:x", None)
    assert store.get_meta("ingest:x") is None


def test_counts(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    counts = store.counts()
    assert counts["people"] == len(batch.people)
    assert counts["posts"] == len(batch.posts)
    assert counts["communities"] == 2
    assert counts["memberships"] == len(batch.memberships)
    assert counts["skill_claims"] == 2
    assert counts["endorsements"] == 1
    assert counts["reports_to"] == len(batch.reports_to)


# --- concurrency -----------------------------------------------------------------------------------


def test_a_reader_during_a_write_sees_old_or_new(store: GraphStore) -> None:
    store.write_batch(small_org())
    old = store.counts()["posts"]
    n = 3000
    big = Batch(posts=[post(1000 + i, "hr:E0001", community_id="slack:k8s-guild") for i in range(n)])
    seen: set[int] = set()
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                seen.add(store.counts()["posts"])
        except BaseException as exc:  # reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        store.write_batch(big)
    finally:
        done.set()
        reader.join()
    seen.add(store.counts()["posts"])
    assert not errors
    assert seen <= {old, old + n}
    assert old + n in seen


def test_a_reader_during_analytics_sees_one_run(store: GraphStore) -> None:
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(snapshot(batch.people, run_id="run-1"))
    runs = {"run-1": len(batch.people), "run-2": 3}
    observed: list[tuple[str, int]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            observed.append((store.last_run().id, store.experts("kubernetes", first=100).total))  # type: ignore[union-attr]

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            store.write_analytics(snapshot(batch.people[:3], run_id="run-2"))
            store.write_analytics(snapshot(batch.people, run_id="run-1"))
    finally:
        done.set()
        reader.join()
    totals = {t for _, t in observed}
    assert totals <= set(runs.values())


# --- availability ----------------------------------------------------------------------------------

CALLS: dict[str, Callable[[GraphStore], object]] = {
    "ping": lambda s: s.ping(),
    "write_batch": lambda s: s.write_batch(Batch(people=[person(9)])),
    "counts": lambda s: s.counts(),
    "people": lambda s: s.people(["hr:E0001"]),
    "experts": lambda s: s.experts("kubernetes"),
    "skills": lambda s: s.skills("k"),
    "communities": lambda s: s.communities(),
    "community_health": lambda s: s.community_health("slack:k8s-guild"),
    "influencers": lambda s: s.influencers(),
    "brokers": lambda s: s.brokers(),
    "introduction_path": lambda s: s.introduction_path("hr:E0001", "hr:E0002"),
    "read_projection": lambda s: s.read_projection(),
    "write_analytics": lambda s: s.write_analytics(snapshot([person(1)])),
    "email_index": lambda s: s.email_index(),
    "get_meta": lambda s: s.get_meta("x"),
    "dump": lambda s: s.dump(),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_closed_store_is_unavailable(store: GraphStore, call: str) -> None:
    store.write_batch(small_org())
    store.close()
    with pytest.raises(StoreUnavailable):
        CALLS[call](store)


def test_a_reopened_store_works_again(store: GraphStore) -> None:
    store.write_batch(small_org())
    store.close()
    with pytest.raises(StoreUnavailable):
        store.ping()
    store.reopen()
    store.ping()
    assert store.counts()["people"] == len(small_org().people)


def test_an_unreachable_store_is_unavailable(unreachable: Callable[[], GraphStore]) -> None:
    with pytest.raises(StoreUnavailable):
        unreachable().ping()


def test_communities_page_by_id(store: GraphStore) -> None:
    store.write_batch(Batch(communities=
        [Community(id=f"slack:c{i}", name=f"c{i}", kind="channel", source="slack") for i in range(5)]
    ))
    first = store.communities(first=2)
    rest = store.communities(first=10, after=first[-1].id)
    assert [c.id for c in first + rest] == [f"slack:c{i}" for i in range(5)]


@pytest.mark.parametrize("after", ["garbage", "slack:", "x:\ud800", "slack:c1\x00", "a" * 600, "eyJzY29yZSI6MX0"])
def test_a_communities_cursor_that_is_no_id_is_bad_input(store: GraphStore, after: str) -> None:
    # the cursor of communities is the last id of a page: anything else is refused as every other page's cursor is
    # (it used to page from wherever the string sorted)
    store.write_batch(Batch(communities=[community("c0"), community("c1")]))
    with pytest.raises(BadInput, match="invalid cursor"):
        store.communities(first=10, after=after)
    assert [c.id for c in store.communities(first=10, after="")] == ["slack:c0", "slack:c1"]
    assert [c.id for c in store.communities(first=10, after="zzz:unknown")] == []  # an id no community has: a place


def test_post_times_keep_their_instant(store: GraphStore) -> None:
    store.write_batch(Batch(people=[person(1)]))
    p = post(1, "hr:E0001", created_at=T0.replace(microsecond=123456))
    store.write_batch(Batch(posts=[p]))
    assert store.read_projection().posts[0].created_at == p.created_at


# --- engagements (reactions, mentions, edits: issue 12.7) ----------------------------------------------------


def test_engagements_round_trip_upsert_and_reach_the_projection(store: GraphStore) -> None:
    from schema.labels import EngagementKind
    from schema.models import Engagement

    batch = small_org()
    store.write_batch(batch)
    q, a = batch.posts[0], batch.posts[1]
    eng = [
        Engagement(person_id=batch.people[3].id, post_id=q.id, kind=EngagementKind.REACTION, created_at=T0),
        Engagement(person_id=batch.people[3].id, post_id=q.id, kind=EngagementKind.MENTION),
        Engagement(person_id=batch.people[2].id, post_id=a.id, kind=EngagementKind.EDIT, created_at=T0),
    ]
    result = store.write_batch(Batch(engagements=eng))
    assert result.inserted["engagements"] == 3
    assert store.counts()["engagements"] == 3
    assert sorted(store.dump()["ENGAGED"]) == dump_rows(eng)
    proj = store.read_projection()
    assert sorted((g.person_id, g.post_id, g.kind, g.created_at) for g in proj.engagements) == sorted(
        (g.person_id, g.post_id, g.kind.value, g.created_at) for g in eng
    )
    # the same key again: unchanged; a new time: updated (one row per person, post and kind)
    again = store.write_batch(Batch(engagements=eng))
    assert again.unchanged["engagements"] == 3
    moved = eng[1].model_copy(update={"created_at": T0})
    assert store.write_batch(Batch(engagements=[moved])).updated["engagements"] == 1
    assert store.counts()["engagements"] == 3


@pytest.mark.parametrize("ghost", ["person", "post"])
def test_engagements_need_their_person_and_post(store: GraphStore, ghost: str) -> None:
    from schema.labels import EngagementKind
    from schema.models import Engagement

    batch = small_org()
    store.write_batch(batch)
    person_id = "hr:ghost" if ghost == "person" else batch.people[0].id
    post_id = "slack:ghost-post" if ghost == "post" else batch.posts[0].id
    with pytest.raises(StoreError, match="ghost"):
        store.write_batch(Batch(engagements=[Engagement(person_id=person_id, post_id=post_id,
                                                        kind=EngagementKind.REACTION)]))
    assert store.counts()["engagements"] == 0
