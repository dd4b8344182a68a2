"""What an HR export says it no longer has (ingest/hr_retract.py), from the parse alone, and the bulk load's side of
the store calls (its files are what the online store would hold after the same calls)."""

from __future__ import annotations

from pathlib import Path

from graph.store.base import Batch
from graph.store.neo4j.bulk import BulkLoad
from ingest.hr_retract import blank_managers, declared_skills
from ingest.hris import HrParse, parse_export, read_hris
from ingest.normalise import SkillNames, hr_rows
from schema.models import HasSkill, Person, ReportsTo
from schema.skills import AliasTable


def parse(tmp_path: Path, text: str, name: str = "hr.csv") -> HrParse:
    (tmp_path / name).write_text(text, encoding="utf-8")
    parsed = parse_export(read_hris(tmp_path / name), known_ids={"hr:B"})
    parsed.rows = hr_rows(parsed.rows, SkillNames(AliasTable()))
    return parsed


def test_only_a_manager_given_as_none_is_blank(tmp_path: Path) -> None:
    parsed = parse(tmp_path, (
        "id,name,manager_id,manager email,skills\n"
        "A,Ann Lee,,,\n"  # blank: takes back
        "C,Cy Poe,N/A,,\n"  # a null word is blank too
        "D,Di Ng,,bo@x.org,\n"  # named by email, unresolved: keeps
        "E,Ed Kay,X9,,\n"  # unresolved id: keeps
        "F,Fe Orr,F,,\n"  # themself (a cycle): keeps
        "G,Gus Ray,B,,\n"  # linked to someone already stored
        ",No Id,,,\n"  # rejected: never touched
    ))
    assert blank_managers(parsed) == ["hr:A", "hr:C"]


def test_a_file_without_a_manager_column_blanks_no_one(tmp_path: Path) -> None:
    assert blank_managers(parse(tmp_path, "id,name\nA,Ann Lee\n")) == []
    assert blank_managers(parse(tmp_path, "id,name,supervisor\nA,Ann Lee,\n", "s.csv")) == ["hr:A"]


def test_declared_skills_are_canonical_and_none_without_a_skills_column(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "id,name,skills\nA,Ann Lee,k8s:4;JS;javascript\nB,Bo Roy,\n")
    assert declared_skills(parsed) == {"hr:A": ["kubernetes", "javascript"], "hr:B": []}
    assert declared_skills(parse(tmp_path, "id,name\nA,Ann Lee\n", "n.csv")) is None


def test_the_bulk_load_takes_back_what_the_online_store_would(tmp_path: Path) -> None:
    load = BulkLoad(tmp_path)
    people = [Person(id=f"hr:{k}", name=k) for k in "ABC"]
    load.write_batch(Batch(people=people, reports_to=[ReportsTo(person_id="hr:B", manager_id="hr:A"),
                                                      ReportsTo(person_id="hr:C", manager_id="hr:A")],
                           has_skill=[HasSkill(person_id="hr:B", skill="go"), HasSkill(person_id="hr:B", skill="java"),
                                      HasSkill(person_id="hr:B", skill="rust", source="m365")]))
    assert load.remove_reports_to(["hr:A", "hr:B"], dry_run=True) == ["hr:B"]
    assert load.remove_reports_to(["hr:A", "hr:B"]) == ["hr:B"]
    assert load.remove_skill_claims("hr", {"hr:B": ["go"]}, dry_run=True) == [("hr:B", "java")]
    assert load.remove_skill_claims("hr", {"hr:B": ["go"]}) == [("hr:B", "java")]
    files = load.finish()
    assert files.counts["reports_to"] == 1
    assert files.counts["has_skill"] == 2
    load.close()
