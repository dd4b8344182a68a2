"""A later HR export takes back what an earlier one said, through ``whoknows ingest hris`` (a subprocess): a manager
cell now blank removes the reporting line, a skill no longer listed removes the declared skill. A manager that cannot
be linked, a skill of another source and a person absent from the file are left as they were; ``--dry-run`` reports
the counts and writes nothing."""

from __future__ import annotations

from pathlib import Path

from graph.store.base import Batch
from graph.store.sqlite import SQLiteStore
from schema.models import HasSkill
from tests.integration.test_ingest_cli import no_traceback, run
from tests.integration.test_ingest_dry_run import assert_unchanged, digest

FIRST = (
    "id,name,email,manager_id,skills\n"
    "E1,Ann Lee,ann@x.org,,\n"
    "E2,Bo Roy,bo@x.org,E1,\n"
    "E3,Cy Poe,cy@x.org,E1,python;java\n"
    "E4,Di Ng,di@x.org,E1,js;go\n"
    "E5,Ed Kay,ed@x.org,E1,rust\n"
    "E6,Fe Orr,fe@x.org,E1,\n"
)
# E1 still has no manager (nothing to remove); E2's manager matches no one and E6 names themself (both reported:
# their lines stay); E3's manager cell is now blank and java is gone; E4 writes js as javascript (the same skill)
# and moves to E2; E5 is absent
SECOND = (
    "id,name,email,manager_id,skills\n"
    "E1,Ann Lee,ann@x.org,,\n"
    "E2,Bo Roy,bo@x.org,E9,\n"
    "E3,Cy Poe,cy@x.org,,python\n"
    "E4,Di Ng,di@x.org,E2,javascript;go\n"
    "E6,Fe Orr,fe@x.org,E6,\n"
)


def flat(text: str) -> str:
    return " ".join(text.split())


def lines(store: SQLiteStore) -> dict[str, str]:
    return dict(store.read_projection().reports_to)


def declared(store: SQLiteStore, *locals_: str) -> dict[str, list[tuple[str, str]]]:
    ids = [f"hr:{k}" for k in locals_]
    return {pid.removeprefix("hr:"): [(h.skill, h.source) for h in hs] for pid, hs in store.person_skills(ids).items()}


def test_a_later_export_takes_back_a_blank_manager_and_a_skill_no_longer_listed(tmp_path: Path) -> None:
    (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
    (tmp_path / "second.csv").write_text(SECOND, encoding="utf-8")
    p = run(tmp_path, "hris", "first.csv")
    assert p.returncode == 0, p.stderr
    assert "declared skills removed (no longer listed) │ 0" in flat(p.stdout)
    db = tmp_path / "w.db"
    store = SQLiteStore(db)
    try:
        # a skill from elsewhere (Microsoft 365 profile skills, say) on a person whose HR skills change
        store.write_batch(Batch(has_skill=[HasSkill(person_id="hr:E3", skill="kubernetes", source="m365")]))
        before = store.dump()
    finally:
        store.close()
    digest_before = digest(db)

    p = run(tmp_path, "hris", "second.csv", "--dry-run")
    no_traceback(p)
    out = flat(p.stdout)
    assert "reporting lines would be removed (manager now blank) │ 1" in out, out
    assert "declared skills would be removed (no longer listed) │ 1" in out, out
    assert "nothing was written" in out
    assert_unchanged(db, digest_before, before)

    p = run(tmp_path, "hris", "second.csv", "--rejects", "rej.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr  # E2's unresolved manager and E6's cycle are reported
    out = flat(p.stdout)
    assert "reporting lines removed (manager now blank) │ 1" in out, out
    assert "declared skills removed (no longer listed) │ 1" in out, out
    store = SQLiteStore(db)
    try:
        assert lines(store) == {
            "hr:E2": "hr:E1",  # unresolved manager: the old line stays
            "hr:E4": "hr:E2",  # a change replaces the line
            "hr:E5": "hr:E1",  # absent from the file: untouched
            "hr:E6": "hr:E1",  # a cycle is not loaded, and takes nothing back
        }
        people = store.people(["hr:E2", "hr:E3", "hr:E4", "hr:E5", "hr:E6"])
        # each person record names the manager its stored line does: the person page and introduction paths agree
        assert {p: people[p].manager_id for p in people} == {
            "hr:E2": "hr:E1", "hr:E3": None, "hr:E4": "hr:E2", "hr:E5": "hr:E1", "hr:E6": "hr:E1",
        }
        # the introduction path no longer walks the removed line (Cy has no other tie)
        assert store.introduction_path("hr:E3", "hr:E1") is None
        assert declared(store, "E1", "E2", "E3", "E4", "E5", "E6") == {
            "E3": [("kubernetes", "m365"), ("python", "hr")],  # java gone; the other source's skill stays
            "E4": [("go", "hr"), ("javascript", "hr")],  # js and javascript are one skill: nothing removed
            "E5": [("rust", "hr")],  # absent from the file: untouched
        }
    finally:
        store.close()


def test_a_file_without_manager_or_skills_columns_takes_nothing_back(tmp_path: Path) -> None:
    """A column the export does not have says nothing about anyone: a names-only update leaves lines and skills."""
    (tmp_path / "first.csv").write_text(FIRST, encoding="utf-8")
    (tmp_path / "names.csv").write_text("id,name,email\nE1,Ann Lee,ann@x.org\nE3,Cy Poe-Smith,cy@x.org\n",
                                        encoding="utf-8")
    assert run(tmp_path, "hris", "first.csv").returncode == 0
    p = run(tmp_path, "hris", "names.csv")
    assert p.returncode == 0, p.stderr
    out = flat(p.stdout)
    assert "reporting lines removed (manager now blank) │ 0" in out
    assert "declared skills removed (no longer listed) │ 0" in out
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert lines(store)["hr:E3"] == "hr:E1"
        assert store.people(["hr:E3"])["hr:E3"].manager_id == "hr:E1"  # the record agrees with the line
        assert declared(store, "E3")["E3"] == [("java", "hr"), ("python", "hr")]
        assert store.people(["hr:E3"])["hr:E3"].name == "Cy Poe-Smith"
    finally:
        store.close()


CHAIN = (
    "id,name,email,manager_id\n"
    "E1,Ann Lee,ann@x.org,\n"
    "E2,Bo Roy,bo@x.org,E1\n"
    "E3,Cy Poe,cy@x.org,E2\n"
)


def _settle(tmp_path: Path, later: str) -> tuple[dict[str, str], dict[str, str | None], str]:
    """Load CHAIN, then the ``later`` partial export; the stored lines, each record's manager and the rejects."""
    (tmp_path / "chain.csv").write_text(CHAIN, encoding="utf-8")
    (tmp_path / "later.csv").write_text(later, encoding="utf-8")
    assert run(tmp_path, "hris", "chain.csv").returncode == 0
    p = run(tmp_path, "hris", "later.csv", "--rejects", "rej.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stdout  # the cycle is reported as a problem
    store = SQLiteStore(tmp_path / "w.db")
    try:
        people = store.people(["hr:E1", "hr:E2", "hr:E3"])
        return lines(store), {k: v.manager_id for k, v in people.items()}, (tmp_path / "rej.jsonl").read_text()
    finally:
        store.close()


def test_a_line_that_closes_a_cycle_through_stored_lines_is_not_loaded(tmp_path: Path) -> None:
    """Ann now reports to Cy, whose line (to Bo, to Ann) came from the earlier export and is not restated: loading it
    would make a loop no check of this file alone can see. The line is reported and not loaded; the stored lines
    of people absent from the file stay."""
    stored, managers, rejects = _settle(tmp_path, "id,name,email,manager_id\nE1,Ann Lee,ann@x.org,E3\n")
    assert stored == {"hr:E2": "hr:E1", "hr:E3": "hr:E2"}
    assert managers == {"hr:E1": None, "hr:E2": "hr:E1", "hr:E3": "hr:E2"}
    assert "reporting cycle E1 -> E3 -> E2 -> E1 through lines already stored (E3 -> E2, E2 -> E1)" in rejects
    assert "this file's line of E1 is not loaded" in rejects


def test_a_kept_line_that_closes_a_cycle_gives_way_to_the_file(tmp_path: Path) -> None:
    """Bo's manager is now someone the file does not have, so Bo's stored line (to Ann) is only kept for want of a
    better one; Ann now reports to Cy. The kept line is the stale one: it goes, and Ann's new line is loaded."""
    later = "id,name,email,manager_id\nE1,Ann Lee,ann@x.org,E3\nE2,Bo Roy,bo@x.org,E9\n"
    stored, managers, rejects = _settle(tmp_path, later)
    assert stored == {"hr:E1": "hr:E3", "hr:E3": "hr:E2"}
    assert managers == {"hr:E1": "hr:E3", "hr:E2": None, "hr:E3": "hr:E2"}
    assert "the stored line of E2 is removed (this file names another manager, who could not be linked)" in rejects
    assert "manager (id 'E9') matches no person" in rejects
