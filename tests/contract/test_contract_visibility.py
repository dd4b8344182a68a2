"""A person's own choice to be hidden (graph/store/visibility.py), on both stores: it hides them from every read, a
re-import from their source never undoes it, and withdrawing it restores exactly what the source says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from graph.store.base import Batch, GraphStore
from graph.store.visibility import Visibility
from ingest.pipeline import ingest_hris
from schema.models import Person
from tests.factories import REHIRE_FORUM, REHIRE_HR, knowing_opt_outs, small_org, snapshot

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def test_a_choice_hides_and_a_reimport_keeps_it(store: GraphStore) -> None:
    ann = Person(id="hr:1", name="Ann Lee", email="ann@x.com", department="R&D", source="hr")
    bob = Person(id="hr:2", name="Bob Roe", source="hr")
    store.write_batch(Batch(people=[ann, bob]))
    assert store.visibility("hr:1") == Visibility("hr:1", by_choice=False, by_source=False)
    assert store.visibility("hr:404") is None
    assert store.choose_visibility("hr:404", True, AT) is None
    version = store.data_version()  # type: ignore[attr-defined]

    hidden = store.choose_visibility("hr:1", True, AT)
    assert hidden == Visibility("hr:1", by_choice=True, by_source=False, chosen_at=AT)
    assert hidden.hidden
    assert store.data_version() != version  # type: ignore[attr-defined]  # caches keyed on it see the change
    assert store.people(["hr:1", "hr:2"]).keys() == {"hr:2"}
    assert (store.counts()["opted_out"], store.counts()["hidden_by_choice"]) == (1, 1)
    assert store.directory_facets()["department"] == []  # Ann was the only one in R&D

    # the next HR import lists her as not opted out: the choice stands, and the write counts her unchanged
    result = store.write_batch(Batch(people=[ann, bob]))
    assert result.unchanged["people"] == 2
    assert store.people(["hr:1"]) == {}
    assert store.stored_people(["hr:1"])["hr:1"] == ann  # ingest reads what HR says, never her choice as HR's
    assert store.visibility("hr:1") == hidden

    shown = store.choose_visibility("hr:1", False, AT)
    assert shown == Visibility("hr:1", by_choice=False, by_source=False)
    assert store.people(["hr:1"]) == {"hr:1": ann}
    version = store.data_version()  # type: ignore[attr-defined]
    assert store.choose_visibility("hr:1", False, AT) == shown  # withdrawing twice changes nothing
    assert store.data_version() == version  # type: ignore[attr-defined]  # and keeps every cached answer


def test_showing_oneself_again_restores_what_the_source_says_now(store: GraphStore) -> None:
    ann = Person(id="hr:1", name="Ann Lee", source="hr")
    store.write_batch(Batch(people=[ann]))
    store.choose_visibility("hr:1", True, AT)
    # while she is hidden by her own choice, HR records an opt-out of its own
    store.write_batch(Batch(people=[ann.model_copy(update={"opted_out": True})]))
    assert store.visibility("hr:1") == Visibility("hr:1", by_choice=True, by_source=True, chosen_at=AT)
    # her choice withdrawn, HR's opt-out still hides her
    assert store.choose_visibility("hr:1", False, AT) == Visibility("hr:1", by_choice=False, by_source=True)
    assert store.people(["hr:1"]) == {}
    # and once HR lifts it, she is back
    store.write_batch(Batch(people=[ann]))
    assert store.people(["hr:1"]) == {"hr:1": ann}


def test_a_choice_withholds_health_until_the_next_analysis(store: GraphStore) -> None:
    """Health counted her; a snapshot computed before her choice is withheld until one computed without her (a run
    that stored only the digest cannot say who changed: every community's health is withheld)."""
    batch = small_org()
    store.write_batch(batch)
    store.write_analytics(knowing_opt_outs(snapshot(list(batch.people)), batch.people))
    assert store.community_health("slack:k8s-guild").opted_out_changed is False
    who = next(p for p in batch.people if not p.opted_out)
    store.choose_visibility(who.id, True, AT)
    assert store.community_health("slack:k8s-guild").opted_out_changed is True
    store.choose_visibility(who.id, False, AT)
    assert store.community_health("slack:k8s-guild").opted_out_changed is False


def test_an_export_without_an_opt_out_column_never_writes_a_choice_back_as_hrs(
    store: GraphStore, tmp_path: Path
) -> None:
    """A narrower export keeps each missing field's stored value (ingest/hr/carry.py): it must keep what HR said,
    or her choice would be written back as HR's opt-out and "show me again" would leave her hidden."""
    full = tmp_path / "full.csv"
    full.write_text("employee_id,name,email,opted_out\nE1,Ann Lee,ann@x.com,no\nE2,Bob Roe,bob@x.com,yes\n")
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("employee_id,name,email\nE1,Ann Lee,ann@x.com\nE2,Bob Roe,bob@x.com\n")
    ingest_hris(store, full)
    store.choose_visibility("hr:E1", True, AT)
    ingest_hris(store, narrow)
    assert store.visibility("hr:E1") == Visibility("hr:E1", by_choice=True, by_source=False, chosen_at=AT)
    assert store.visibility("hr:E2") == Visibility("hr:E2", by_choice=False, by_source=True)  # HR's, kept
    store.choose_visibility("hr:E1", False, AT)
    assert store.people(["hr:E1", "hr:E2"]).keys() == {"hr:E1"}


def test_a_change_withholds_the_health_of_that_persons_communities_only(store: GraphStore) -> None:
    """With the run's opted-out ids stored, only communities the changed person is a member of or posted in are
    withheld: one person hiding themselves no longer blanks every dashboard until the next analyze."""
    batch = small_org()  # person i is a member of k8s-guild (even i) or data-science (odd i); person 1 posted in k8s
    store.write_batch(batch)
    people = batch.people
    snap = knowing_opt_outs(snapshot(list(people)), people, ids=True)
    snap.health = [*snap.health, *(h.model_copy(update={"community_id": "slack:data-science"}) for h in snap.health)]
    store.write_analytics(snap)

    def stale() -> tuple[bool, bool]:
        return (store.community_health("slack:k8s-guild").opted_out_changed,
                store.community_health("slack:data-science").opted_out_changed)

    assert stale() == (False, False)
    store.choose_visibility(people[4].id, True, AT)  # a member of k8s-guild, no posts
    assert stale() == (True, False)
    store.choose_visibility(people[4].id, False, AT)  # back as the run saw them
    assert stale() == (False, False)
    store.choose_visibility(people[1].id, True, AT)  # a member of data-science who posted in k8s-guild
    assert stale() == (True, True)
    store.choose_visibility(people[1].id, False, AT)
    store.write_batch(Batch(people=[people[5].model_copy(update={"opted_out": True})]))  # HR opts person 5 out
    assert stale() == (False, True)


def test_a_rehire_who_opted_out_is_hidden_in_both_records_and_owns_her_forum_activity(
    store: GraphStore, tmp_path: Path
) -> None:
    """A rehire's old (terminated) record and new one share the address forum accounts and sign-ins are matched
    by. Before, the opt-out HR marked on the new record left the old one visible, and the address named the old
    one (the lowest id): her forum answers, ties and expertise were the old record's, counted and shown as if she
    had never opted out, and signing in by email made her hide a record that was not her current one."""
    from ingest.pipeline import ingest_forum

    (tmp_path / "hr.csv").write_text(REHIRE_HR, encoding="utf-8")
    (tmp_path / "team.jsonl").write_text(REHIRE_FORUM, encoding="utf-8")
    assert ingest_hris(store, tmp_path / "hr.csv", rejects=tmp_path / "r1.jsonl").rejected == 0
    assert ingest_forum(store, tmp_path / "team.jsonl", "jsonl", rejects=tmp_path / "r2.jsonl").rejected == 0
    assert store.email_index()["dana.scully@fbi.example"] == "hr:200"  # the current record
    for pid in ("hr:100", "hr:200"):
        assert store.visibility(pid) == Visibility(pid, by_choice=False, by_source=True)
    assert set(store.people(["hr:100", "hr:200", "hr:300"])) == {"hr:300"}
    authors = {p.id: p.author_id for p in store.read_projection().posts}
    assert authors["jsonl/team:post/a1"] == "hr:200"


def test_a_person_who_hid_herself_stays_hidden_when_rehired_under_a_new_id(store: GraphStore, tmp_path: Path) -> None:
    """Dana hid herself (hr:100); HR rehires her as hr:200 with the same address and no opt-out. Before, hr:200
    was a new, visible Dana, and the next forum import handed her accounts to it."""
    (tmp_path / "m1.csv").write_text("id,name,email,status\n100,Dana Scully,dana@fbi.example,Active\n",
                                     encoding="utf-8")
    (tmp_path / "m2.csv").write_text("id,name,email,status\n100,Dana Scully,dana@fbi.example,Terminated\n"
                                     "200,Dana Scully,dana@fbi.example,Active\n", encoding="utf-8")
    assert ingest_hris(store, tmp_path / "m1.csv").rejected == 0
    assert store.choose_visibility("hr:100", True, AT) is not None
    assert ingest_hris(store, tmp_path / "m2.csv").rejected == 0
    assert store.people(["hr:100", "hr:200"]) == {}
    assert store.visibility("hr:100") == Visibility("hr:100", by_choice=True, by_source=False, chosen_at=AT)


def test_former_records_are_the_leavers_of_the_same_address(store: GraphStore) -> None:
    """What a choice made on the current record also covers (app/graphql/visibility.py): a rehire's earlier,
    inactive records; never a current colleague who shares the mailbox, nor anyone for a person without one."""
    old = Person(id="hr:100", name="Dana", email="dana@x.com", active=False)
    older = Person(id="hr:050", name="Dana", email="dana@x.com", active=False)
    new = Person(id="hr:200", name="Dana", email="dana@x.com")
    colleague = Person(id="hr:300", name="Team", email="dana@x.com")
    store.write_batch(Batch(people=[old, older, new, colleague, Person(id="hr:400", name="No Mail")]))
    assert store.former_records("hr:200") == ["hr:050", "hr:100"]
    assert store.former_records("hr:100") == ["hr:050"]
    assert store.former_records("hr:400") == []
    assert store.former_records("hr:404") == []
