"""A JSON-lines export of endorsements (a kudos tool) re-imported in full, through ``whoknows ingest forum`` and
``whoknows analyze`` (subprocesses, an on-disk SQLite store), read back through the store.

Between two exports Ann withdrew her endorsement of Cy. Before, endorsements carried no source, so the full
re-import took back nothing of them: the store kept the withdrawn one, and Cy's expertise still counted it after
the next analyze. Another tool's endorsements are never the kudos export's to take back.
"""

from __future__ import annotations

import json
from pathlib import Path

from graph.store.sqlite import SQLiteStore
from tests.integration.clirun import cli, ingest_in
from tests.integration.test_ingest_dry_run import assert_unchanged, digest

HR = "id,name,email\nE1,Ann Lee,ann@x.org\nE2,Bo Roy,bo@x.org\n"
KUDOS = "jsonl/kudos"
CY = f"{KUDOS}:cy"  # a person of the kudos tool's own (no HR record)
PEOPLE = [{"type": "person", "handle": "ann", "name": "Ann Lee", "email": "ann@x.org"},
          {"type": "person", "handle": "bo", "name": "Bo Roy", "email": "bo@x.org"},
          {"type": "person", "handle": "cy", "name": "Cy"}]
GIVEN = [("ann", "bo", "python"), ("bo", "ann", "go"), ("ann", "cy", "rust"), ("bo", "cy", "rust")]


def _export(path: Path, endorsements: list[tuple[str, str, str]], people: list[dict[str, str]] = PEOPLE) -> Path:
    lines = [*people, *({"type": "endorsement", "from": a, "to": b, "skill": s,
                         "created_at": f"2024-0{1 + i % 9}-03T09:00:00Z"} for i, (a, b, s) in enumerate(endorsements))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def _ingest(tmp: Path, db: str, export: Path, community: str, *extra: str) -> str:
    done = ingest_in(tmp, "forum", str(export), "--format", "jsonl", "--community", community, *extra, db=db)
    assert done.returncode == 0, done.stdout + done.stderr
    return " ".join(done.stdout.split())


def _analyze(tmp: Path, db: str) -> None:
    done = cli("analyze", "--store", f"sqlite:///{tmp / db}")
    assert done.returncode == 0, done.stderr


def _read(db: Path) -> dict[str, list[tuple]]:
    store = SQLiteStore(db)
    try:
        facts = store.dump()
    finally:
        store.close()
    facts.pop("AnalyticsRun")  # its times and run id differ between two runs
    return facts


FACTS = ("Person", "Skill", "Community", "Post", "REPORTS_TO", "HAS_SKILL", "MEMBER_OF", "ENDORSED", "ENGAGED")


def _counted(facts: dict[str, list[tuple]]) -> tuple[list[tuple], list[tuple]]:
    """The last analysis' expertise (person, skill, evidence) and interactions (from, to, count), scores aside."""
    return (sorted((e[0], e[1], json.dumps(e[3], sort_keys=True)) for e in facts["EXPERT_IN"]),
            sorted((i[0], i[1], i[3]) for i in facts["INTERACTS"]))


def _endorsed(facts: dict[str, list[tuple]]) -> list[tuple]:
    """(from, to, skill, source) of every stored endorsement."""
    return sorted((e[0], e[1], e[2], e[4]) for e in facts["ENDORSED"])


def test_a_full_reimport_takes_back_a_withdrawn_endorsement(tmp_path: Path) -> None:
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    march = _export(tmp_path / "march" / "kudos.jsonl", GIVEN)
    april = _export(tmp_path / "april" / "kudos.jsonl", [e for e in GIVEN if e[:2] != ("ann", "cy")])
    other = _export(tmp_path / "thanks.jsonl", [("ann", "bo", "sql")], PEOPLE[:2])
    for db in ("months.db", "fresh.db"):
        assert ingest_in(tmp_path, "hris", "hr.csv", db=db).returncode == 0
        _ingest(tmp_path, db, other, "thanks")
    _ingest(tmp_path, "months.db", march, "kudos", "--full")
    _analyze(tmp_path, "months.db")
    db = tmp_path / "months.db"
    assert ("hr:E1", CY, "rust", KUDOS) in _endorsed(_read(db))

    # the dry run says what would go, and writes nothing
    digest_before, dump_before = digest(db), SQLiteStore(db).dump()
    preview = _ingest(tmp_path, "months.db", april, "kudos", "--full", "--dry-run")
    assert "endorsements would be removed (no longer in the export) │ 1" in preview
    assert_unchanged(db, digest_before, dump_before)

    summary = _ingest(tmp_path, "months.db", april, "kudos", "--full")
    assert "endorsements removed (no longer in the export) │ 1" in summary
    assert "forum people removed (nothing of theirs left) │ 0" in summary  # Bo still endorses Cy
    _analyze(tmp_path, "months.db")
    months = _read(db)
    assert _endorsed(months) == [
        ("hr:E1", "hr:E2", "python", KUDOS),
        ("hr:E1", "hr:E2", "sql", "jsonl/thanks"),  # another source's: not the kudos export's to take back
        ("hr:E2", "hr:E1", "go", KUDOS),
        ("hr:E2", CY, "rust", KUDOS),
    ]
    # after analyze, Cy's rust expertise counts one endorser, as a fresh import of April's export gives
    _ingest(tmp_path, "fresh.db", april, "kudos", "--full")
    _analyze(tmp_path, "fresh.db")
    fresh = _read(tmp_path / "fresh.db")
    assert {k: months[k] for k in FACTS if months[k] != fresh[k]} == {}
    # scores decay by the clock, so two runs a minute apart differ in the last digits; what they count does not
    assert _counted(months) == _counted(fresh)
    store = SQLiteStore(db)
    try:
        [rust] = [e for e in store.person_expertise([CY])[CY] if e.skill == "rust"]
        assert [(ev.kind.value, ev.count) for ev in rust.evidence if ev.kind.value == "endorsements"] == [
            ("endorsements", 1)]
    finally:
        store.close()


def test_an_export_that_lost_most_of_its_endorsements_takes_nothing_back_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    many = [("ann", "bo", f"skill{i:02d}") for i in range(12)]
    assert ingest_in(tmp_path, "hris", "hr.csv").returncode == 0
    _ingest(tmp_path, "w.db", _export(tmp_path / "a" / "kudos.jsonl", many), "kudos", "--full")
    short = _export(tmp_path / "b" / "kudos.jsonl", many[:1])  # a download that stopped early
    before = _endorsed(_read(tmp_path / "w.db"))
    done = ingest_in(tmp_path, "forum", str(short), "--format", "jsonl", "--community", "kudos", "--full")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "would remove 11 of its 12 stored endorsements" in " ".join(done.stderr.split())
    assert _endorsed(_read(tmp_path / "w.db")) == before  # nothing taken back (what it holds is loaded)
    summary = _ingest(tmp_path, "w.db", short, "kudos", "--full", "--allow-mass-removal")
    assert "endorsements removed (no longer in the export) │ 11" in summary
    assert _endorsed(_read(tmp_path / "w.db")) == [("hr:E1", "hr:E2", "skill00", KUDOS)]
