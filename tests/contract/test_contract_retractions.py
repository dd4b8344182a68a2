"""What a later HR export takes back (graph/store/base.py: ``remove_reports_to``, ``remove_skill_claims``), checked
on each store: only the named people's facts go, only of the named source, and a dry run writes nothing."""

from __future__ import annotations

from graph.store.base import Batch, GraphStore
from schema.models import HasSkill
from tests.factories import person, small_org


def reporting_lines(store: GraphStore) -> list[tuple[str, str]]:
    return sorted(store.read_projection().reports_to)


def claims(store: GraphStore, *ids: str) -> dict[str, list[tuple[str, str]]]:
    """Each person's (skill, source) pairs, read through the API's read."""
    return {pid: [(h.skill, h.source) for h in hs] for pid, hs in store.person_skills(list(ids)).items()}


def test_remove_reports_to_deletes_only_the_named_peoples_lines(store: GraphStore) -> None:
    batch = small_org(6)  # 1..5 report to 0
    store.write_batch(batch)
    ids = [p.id for p in batch.people]
    # person 0 has no line of their own and "hr:nobody" does not exist: neither is an error, neither is counted
    assert store.remove_reports_to([ids[2], ids[1], ids[0], ids[1], "hr:nobody"]) == [ids[1], ids[2]]
    assert reporting_lines(store) == [(i, ids[0]) for i in ids[3:]]
    assert store.counts()["reports_to"] == 3
    assert store.remove_reports_to([ids[1], ids[2]]) == []  # idempotent
    assert store.remove_reports_to([]) == []
    # the line no longer connects them: nothing else ties person 1 to anyone
    assert store.introduction_path(ids[1], ids[0]) is None
    assert store.introduction_path(ids[3], ids[0]) is not None
    # people and their other facts stay (the person record is the writer's to update, as ingest does)
    assert set(store.people(ids)) == set(ids)
    assert len(store.dump()["HAS_SKILL"]) == len(batch.has_skill)


def test_reporting_lines_reads_every_stored_line(store: GraphStore) -> None:
    assert store.reporting_lines() == {}
    batch = small_org(4)  # 1..3 report to 0
    store.write_batch(batch)
    ids = [p.id for p in batch.people]
    assert store.reporting_lines() == dict.fromkeys(ids[1:], ids[0])
    store.remove_reports_to([ids[2]])
    assert store.reporting_lines() == {ids[1]: ids[0], ids[3]: ids[0]}


def test_remove_reports_to_dry_run_writes_nothing(store: GraphStore) -> None:
    batch = small_org(4)
    store.write_batch(batch)
    before = store.dump()
    ids = [p.id for p in batch.people]
    assert store.remove_reports_to(ids, dry_run=True) == ids[1:]
    assert store.dump() == before
    assert store.remove_reports_to(ids) == ids[1:]  # what the dry run announced is what goes
    assert reporting_lines(store) == []


def _declared(store: GraphStore) -> list[str]:
    people = [person(i) for i in range(4)]
    store.write_batch(Batch(people=people, has_skill=[
        HasSkill(person_id=people[1].id, skill="python", level=3),
        HasSkill(person_id=people[1].id, skill="java"),
        HasSkill(person_id=people[1].id, skill="kubernetes", source="m365"),  # not HR's to take back
        HasSkill(person_id=people[2].id, skill="java"),
        HasSkill(person_id=people[3].id, skill="go"),
        HasSkill(person_id=people[3].id, skill="rust"),
    ]))
    return [p.id for p in people]


def test_remove_skill_claims_keeps_listed_skills_other_sources_and_other_people(store: GraphStore) -> None:
    ids = _declared(store)
    gone = store.remove_skill_claims("hr", {ids[1]: ["python"], ids[3]: [], ids[0]: ["go"], "hr:nobody": ["x"]})
    assert gone == [(ids[1], "java"), (ids[3], "go"), (ids[3], "rust")]
    assert claims(store, *ids) == {
        ids[1]: [("kubernetes", "m365"), ("python", "hr")],
        ids[2]: [("java", "hr")],  # not in keep: untouched
    }
    assert store.counts()["skill_claims"] == 3
    # Skill nodes stay (forum tags meet them), but a skill no one holds any more is listed no longer
    assert {("go",), ("java",), ("rust",)} <= {r[:1] for r in store.dump()["Skill"]}  # type: ignore[attr-defined]
    assert {s.name for s in store.all_skills()} == {"java", "kubernetes", "python"}
    assert store.remove_skill_claims("hr", {ids[1]: ["python"], ids[3]: []}) == []  # idempotent
    # another source is removed only when asked for by name
    assert store.remove_skill_claims("m365", {ids[1]: ["python"]}) == [(ids[1], "kubernetes")]
    assert claims(store, ids[1]) == {ids[1]: [("python", "hr")]}


def test_remove_skill_claims_dry_run_writes_nothing(store: GraphStore) -> None:
    ids = _declared(store)
    before = store.dump()
    keep = {ids[1]: ["python", "kubernetes"], ids[2]: ["java"]}
    assert store.remove_skill_claims("hr", keep, dry_run=True) == [(ids[1], "java")]
    assert store.dump() == before
    assert store.remove_skill_claims("hr", keep) == [(ids[1], "java")]
