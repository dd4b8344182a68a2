"""A 300-row export in the shape issue 12 describes (HRDataset-like: "Lastname, Firstname M" names, managers as
"Firstname Lastname" with a ManagerID that is not an employee id, US dates, "Voluntarily Terminated" / "Terminated
for Cause" statuses) loads with no mapping file, through the CLI, with the counts its truth predicts."""

from __future__ import annotations

from pathlib import Path

from graph.store.sqlite import SQLiteStore
from ingest.demo.hr_export import write
from ingest.rejects import read_rejects
from tests.integration.test_ingest_cli import no_traceback, run


def test_realistic_export_loads_without_a_mapping(tmp_path: Path) -> None:
    truth = write(tmp_path / "HRDataset.csv", rows=300, seed=7)
    p = run(tmp_path, "hris", "HRDataset.csv", "--rejects", "rej.jsonl")
    no_traceback(p)
    assert p.returncode == 1, p.stderr  # the planted problems are reported
    out = " ".join(p.stdout.split())
    assert f"rows loaded │ {truth.rows}" in out
    assert "rows rejected │ 0" in out
    assert f"of them leavers (loaded inactive) │ {truth.leavers}" in out
    assert f"reporting lines linked (name {truth.linked}) │ {truth.linked} │" in out
    assert f"reporting lines unresolved (manager matches no one) │ {truth.unresolved} │" in out
    assert f"ambiguous (manager fits several people) │ {truth.ambiguous} │" in out
    rejects = read_rejects(tmp_path / "rej.jsonl")
    assert sorted(r.kind for r in rejects) == ["link:ambiguous", "link:unresolved"]  # each said once
    assert any("'Board of Directors'" in r.reason for r in rejects)
    store = SQLiteStore(tmp_path / "w.db")
    try:
        people = store.people([f"hr:{k}" for k in truth.by_person])
        assert len(people) == truth.rows
        got = {k: (people[f"hr:{k}"].manager_id or "").removeprefix("hr:") or None for k in truth.by_person}
        assert got == truth.by_person
        assert sum(not p.active for p in people.values()) == truth.leavers
        assert all(p.hired_on is not None for p in people.values())
    finally:
        store.close()
