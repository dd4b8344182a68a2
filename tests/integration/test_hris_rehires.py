"""A rehire in an HR export: the old record (terminated) and the new one (active, a new employee id) share the
email and the name. Through ``whoknows ingest hris`` as a subprocess on a real SQLite file."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from ingest.hr.managers import ManagerRef, PersonKeys, resolve_managers
from tests.integration.test_hris_export_shapes import people, run

REHIRE = (
    "Employee ID,First Name,Last Name,Work Email,Status,Manager Email,Manager,Hire Date\n"
    "200,Dana,Scully,dana.scully@fbi.example,Active,,,2021-05-06\n"
    "300,Fox,Mulder,fox.mulder@fbi.example,Active,dana.scully@fbi.example,,2015-07-08\n"
    '400,Walter,Skinner,walter.skinner@fbi.example,Active,,"Scully, Dana",2012-09-10\n'
    "500,John,Doggett,john.doggett@fbi.example,Terminated,,Dana Scully,2012-09-10\n"
    "100,Dana,Scully,dana.scully@fbi.example,Terminated,,,2010-01-02\n"
)


def test_a_current_employee_reports_to_the_rehired_manager_not_the_old_record(tmp_path: Path) -> None:
    """Before: the manager email linked to whichever row came last (the terminated record 100, silently), and the
    name was reported ambiguous. Now both link a current employee to the one still employed; a leaver's line,
    for whom either record could be meant, is still reported ambiguous and not linked."""
    (tmp_path / "hr.csv").write_text(REHIRE, encoding="utf-8")
    p = run(tmp_path, "hris", "hr.csv", "--rejects", "bad.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    managers = {pid: mgr for pid, _, _, mgr, _ in people(tmp_path)}
    assert managers == {"hr:100": None, "hr:200": None, "hr:300": "hr:200", "hr:400": "hr:200", "hr:500": None}
    problems = [json.loads(line) for line in (tmp_path / "bad.jsonl").read_text().splitlines()]
    assert [(r["row"], r["kind"]) for r in problems] == [(5, "link:ambiguous")]
    assert "fits 2 people: 100 (row 6), 200 (row 2)" in problems[0]["reason"]


def test_two_current_people_sharing_an_email_stay_ambiguous() -> None:
    """A shared mailbox (two active people with one address) names no one: reported, never linked to the last."""
    people_ = [PersonKeys("hr:1", 2, ("Ann Lee",), "team@x.com"), PersonKeys("hr:2", 3, ("Bo Roe",), "team@x.com"),
               PersonKeys("hr:3", 4, ("Cy Poe",), "cy@x.com")]
    out = resolve_managers(people_, [ManagerRef("hr:3", 4, email="team@x.com")])
    assert out.links == {}
    assert [(p.kind, p.reason) for p in out.problems] == [
        ("ambiguous", "manager email 'team@x.com' fits 2 people: 1 (row 2), 2 (row 3); not linked for 1 person")]


def test_stored_leavers_a_later_export_lists_as_current_are_counted_and_a_status_less_file_warns(
        tmp_path: Path) -> None:
    """Before: a file with no status column made every leaver it listed active again, and nothing said so. A
    person a current roster lists is taken as employed (a rehire); the summary now counts them, and when the file
    has no status column to say so, stderr warns."""
    (tmp_path / "m1.csv").write_text("id,name,status\n1,Ann Lee,Active\n2,Bob Roe,Terminated\n3,Cy Poe,Retired\n",
                                     encoding="utf-8")
    assert run(tmp_path, "hris", "m1.csv").returncode == 0
    (tmp_path / "m2.csv").write_text("id,name,status\n1,Ann Lee,Active\n2,Bob Roe,Active\n3,Cy Poe,Retired\n",
                                     encoding="utf-8")
    p = run(tmp_path, "hris", "m2.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"stored leavers active again \(listed as current\)\s*│\s*1\b", p.stdout), p.stdout
    assert "active again:" not in p.stderr  # the status column said "Active": a rehire, no warning
    (tmp_path / "m3.csv").write_text("id,name\n1,Ann Lee\n2,Bob Roe\n3,Cy Poe\n", encoding="utf-8")
    p = run(tmp_path, "hris", "m3.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"stored leavers active again \(listed as current\)\s*│\s*1\b", p.stdout), p.stdout
    assert ("m3.csv: 1 person stored as a leaver is active again: the file has no status column, so everyone it "
            "lists is taken as employed") in " ".join(p.stderr.split()), p.stderr
    assert dict(_active(tmp_path)) == {"hr:1": 1, "hr:2": 1, "hr:3": 1}
    p = run(tmp_path, "hris", "m3.csv")  # again: no one is a leaver now
    assert re.search(r"stored leavers active again \(listed as current\)\s*│\s*0\b", p.stdout), p.stdout
    assert "active again:" not in p.stderr


def _active(tmp_path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(tmp_path / "w.db") as db:
        return db.execute("SELECT id, active FROM person ORDER BY id").fetchall()
