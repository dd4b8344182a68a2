"""HR exports in the layouts of Workday, BambooHR, SAP SuccessFactors, Personio, HiBob and ADP load fully.

The files under tests/fixtures/hris/ were written by hand from each system's documented report columns and value
vocabularies (no real people). Each has leavers, US or European dates, and managers given the way that system
gives them: by name (Workday, BambooHR with its "(Inactive)" mark, Personio, HiBob), by the manager's user id
(SuccessFactors' MANAGER, with NO_MANAGER at the top) or by position code (ADP's Reports To Position ID). Each
loads with the mapping shipped for it (``--mapping NAME``) and is checked field by field, reporting lines included.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.store.sqlite import SQLiteStore
from ingest.hris import bundled_mappings
from ingest.pipeline import ingest_hris
from tests.integration.test_ingest_cli import no_traceback, run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hris"

# id: (name, email, title, department, location, hired_on, active, manager id)
Row = tuple[str, str, str, str, str, date, bool, str | None]
EXPECTED: dict[str, dict[str, Row]] = {
    "workday": {
        "21001": ("Logan Reyes", "logan.reyes@example.com", "Chief Executive Officer",
                  "Executive Office (Logan Reyes)", "San Francisco", date(2008, 1, 15), True, None),
        "21002": ("Priya Natarajan", "priya.natarajan@example.com", "VP Engineering", "Engineering (Priya Natarajan)",
                  "San Francisco", date(2012, 3, 2), True, "21001"),
        "21003": ("Marcus O'Neill", "marcus.oneill@example.com", "Staff Software Engineer",
                  "Engineering (Priya Natarajan)", "Austin", date(2011, 7, 5), True, "21002"),
        "21004": ("Hannah Kim", "hannah.kim@example.com", "Software Engineer II", "Engineering (Priya Natarajan)",
                  "Austin", date(2019, 11, 28), True, "21002"),
        "21005": ("José Álvarez", "jose.alvarez@example.com", "Lead Data Scientist", "Data Science (José Álvarez)",
                  "New York", date(2018, 2, 14), False, "21002"),
        "21006": ("Aisha Bello", "aisha.bello@example.com", "Sales Director", "Sales (Aisha Bello)", "Chicago",
                  date(2015, 9, 1), True, "21001"),
        "21007": ("Tom Becker", "tom.becker@example.com", "Account Executive", "Sales (Aisha Bello)", "Chicago",
                  date(2021, 4, 22), False, "21006"),
        "21008": ("Wen Li", "wen.li@example.com", "Data Engineer", "Data Science (José Álvarez)", "New York",
                  date(2020, 10, 3), True, "21005"),  # "Jose Alvarez": accents folded
    },
    "bamboohr": {
        "1": ("Charlotte Abbott", "cabbott@example.com", "Chief Operating Officer", "Operations", "Lindon",
              date(2014, 6, 1), True, None),
        "4": ("Ashley Adams", "aadams@example.com", "HR Administrator", "Human Resources", "Lindon",
              date(2016, 2, 17), True, "1"),
        "5": ("Christina Agluinda", "cagluinda@example.com", "Software Engineer", "Product", "Vancouver",
              date(2017, 10, 9), True, "6"),
        "6": ("Eric Asture", "easture@example.com", "VP of Product", "Product", "Lindon", date(2015, 3, 30), False,
              "1"),
        "7": ("Cheryl Barnet", "cbarnet@example.com", "Product Designer", "Product", "Vancouver", date(2019, 8, 13),
              True, "6"),  # "Eric Asture (Inactive)"
        "8": ("Jake Bryan", "jbryan@example.com", "Sales Representative", "Sales", "London", date(2021, 1, 4), False,
              "4"),
        "9": ("Dorothy Chou", "dchou@example.com", "Marketing Lead", "Marketing", "Lindon", date(2018, 7, 25), True,
              "1"),
    },
    "successfactors": {
        "cgrant": ("Carla Grant", "carla.grant@example.com", "Chief Executive Officer", "Executive Board",
                   "Walldorf", date(2009, 3, 1), True, None),  # NO_MANAGER
        "hmeyer": ("Hans Meyer", "hans.meyer@example.com", "Chief Financial Officer", "Finance", "Walldorf",
                   date(2010, 9, 15), True, "cgrant"),
        "lfischer": ("Lena Fischer", "lena.fischer@example.com", "HR Business Partner", "Human Resources",
                     "Walldorf", date(2013, 4, 1), True, "cgrant"),
        "rdubois": ("Remy Dubois", "remy.dubois@example.com", "Financial Analyst", "Finance", "Paris",
                    date(2015, 11, 2), False, "hmeyer"),
        "akowalski": ("Anna Kowalski", "anna.kowalski@example.com", "Senior Accountant", "Finance", "Warsaw",
                      date(2020, 1, 20), True, "hmeyer"),
        "tnguyen": ("Thanh Nguyen", "thanh.nguyen@example.com", "Recruiter", "Human Resources", "Walldorf",
                    date(2018, 5, 14), False, "lfischer"),
    },
    "personio": {
        "1001": ("Katrin Schäfer", "katrin.schaefer@example.com", "Managing Director", "Management", "Munich",
                 date(2015, 4, 1), True, None),
        "1002": ("Jürgen Müller", "juergen.mueller@example.com", "Head of Engineering", "Engineering", "Munich",
                 date(2016, 9, 15), True, "1001"),
        "1003": ("Sofia Rossi", "sofia.rossi@example.com", "Backend Developer", "Engineering", "Madrid",
                 date(2019, 1, 3), True, "1002"),  # on leave: still employed
        "1004": ("Lukas Wagner", "lukas.wagner@example.com", "Frontend Developer", "Engineering", "Munich",
                 date(2020, 8, 1), False, "1002"),  # "jürgen müller": case folded
        "1005": ("Marta Nowak", "marta.nowak@example.com", "Office Manager", "Operations", "Madrid",
                 date(2018, 2, 12), True, "1001"),
        "1006": ("Felix Becker", "felix.becker@example.com", "Working Student", "Engineering", "Munich",
                 date(2024, 10, 1), True, "1002"),
    },
    "hibob": {
        "3390284": ("Olivia Bennett", "olivia.bennett@example.com", "CEO", "Leadership", "London", date(2016, 1, 4),
                    True, None),
        "3390291": ("Samuel Okafor", "samuel.okafor@example.com", "CTO", "Engineering", "London", date(2017, 6, 15),
                    True, "3390284"),
        "3390307": ("Grace Liu", "grace.liu@example.com", "Engineering Manager", "Engineering", "Tel Aviv",
                    date(2019, 9, 2), True, "3390291"),
        "3390315": ("Noah Fischer", "noah.fischer@example.com", "Software Engineer", "Engineering", "Tel Aviv",
                    date(2021, 3, 21), False, "3390307"),
        "3390322": ("Emma Walsh", "emma.walsh@example.com", "People Partner", "People", "London", date(2020, 11, 11),
                    False, "3390284"),  # garden leave: a leaver
        "3390338": ("Yusuf Demir", "yusuf.demir@example.com", "Software Engineer", "Engineering", "London",
                    date(2025, 1, 6), True, "3390307"),  # hired, not started yet
    },
    "adp": {
        "G3GMA28TB2SVJ2TF": ("Whitfield, Ronald J", "ronald.whitfield@example.com", "President", "Executive",
                             "Atlanta HQ", date(2005, 2, 1), True, None),
        "G3GMA28TB2SVJ3AB": ("Castillo, Maria E", "maria.castillo@example.com", "Controller", "Accounting",
                             "Atlanta HQ", date(2010, 8, 16), True, "G3GMA28TB2SVJ2TF"),
        "G3GMA28TB2SVJ4CD": ("Okonkwo, Daniel", "daniel.okonkwo@example.com", "Payroll Specialist", "Accounting",
                             "Atlanta HQ", date(2011, 7, 5), True, "G3GMA28TB2SVJ3AB"),
        "G3GMA28TB2SVJ5EF": ("Brennan, Kathleen M", "kathleen.brennan@example.com", "Staff Accountant", "Accounting",
                             "Charlotte", date(2016, 3, 14), False, "G3GMA28TB2SVJ3AB"),
        "G3GMA28TB2SVJ6GH": ("Patel, Raj", "raj.patel@example.com", "Operations Manager", "Operations", "Charlotte",
                             date(2013, 11, 7), True, "G3GMA28TB2SVJ2TF"),
        "G3GMA28TB2SVJ7IJ": ("Nguyen, Linh T", "linh.nguyen@example.com", "Warehouse Associate", "Operations",
                             "Charlotte", date(2019, 12, 19), False, "G3GMA28TB2SVJ6GH"),
        "G3GMA28TB2SVJ8KL": ("Hughes, Darnell", "darnell.hughes@example.com", "Warehouse Lead", "Operations",
                             "Charlotte", date(2017, 5, 23), True, "G3GMA28TB2SVJ6GH"),
    },
}


def test_every_system_has_a_fixture_and_a_shipped_mapping() -> None:
    assert set(EXPECTED) <= set(bundled_mappings())
    assert {p.stem for p in FIXTURES.glob("*.csv")} == set(EXPECTED)


@pytest.mark.parametrize("system", sorted(EXPECTED))
def test_export_loads_fully_field_by_field(system: str, tmp_path: Path) -> None:
    expected = EXPECTED[system]
    store = SQLiteStore(tmp_path / "w.db")
    try:
        s = ingest_hris(store, FIXTURES / f"{system}.csv", mapping=system, rejects=tmp_path / "r.jsonl")
        assert s.problems == 0, [g.examples[0].message() for g in s.groups]
        assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (len(expected), len(expected), 0)
        managed = {k: v for k, v in expected.items() if v[7]}
        assert (s.links["linked"], s.links["unresolved"], s.links["ambiguous"], s.links["cycle"]) == \
            (len(managed), 0, 0, 0)
        assert s.leavers == sum(1 for v in expected.values() if not v[6])
        people = store.people([f"hr:{k}" for k in expected])
        assert set(people) == {f"hr:{k}" for k in expected}
        for local, (name, email, title, dept, loc, hired, active, mgr) in expected.items():
            p = people[f"hr:{local}"]
            got = (p.name, p.email, p.title, p.department, p.location, p.hired_on, p.active, p.manager_id)
            assert got == (name, email, title, dept, loc, hired, active, f"hr:{mgr}" if mgr else None), local
        lines = set(store.read_projection().reports_to)
        assert lines == {(f"hr:{k}", f"hr:{v[7]}") for k, v in managed.items()}
    finally:
        store.close()


def test_adp_export_through_the_cli(tmp_path: Path) -> None:
    """The user's path: a dry run to check the mapping, then the real run; both as subprocesses."""
    src = FIXTURES / "adp.csv"
    dry = run(tmp_path, "hris", str(src), "--mapping", "adp", "--dry-run")
    no_traceback(dry)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert not (tmp_path / "w.db").exists()
    out = " ".join(dry.stdout.split())
    assert "reporting lines would be linked (code 6) │ 6" in out
    assert "US MM/DD/YYYY" in out
    p = run(tmp_path, "hris", str(src), "--mapping", "adp")
    no_traceback(p)
    assert p.returncode == 0, p.stdout + p.stderr
    out = " ".join(p.stdout.split())
    assert "rows loaded │ 7" in out
    assert "of them leavers (loaded inactive) │ 2" in out
    assert "reporting lines linked (code 6) │ 6" in out
    store = SQLiteStore(tmp_path / "w.db")
    try:
        assert len(store.read_projection().reports_to) == 6
        assert store.people(["hr:G3GMA28TB2SVJ7IJ"])["hr:G3GMA28TB2SVJ7IJ"].manager_id == "hr:G3GMA28TB2SVJ6GH"
    finally:
        store.close()


def test_unknown_mapping_name_is_a_clear_error(tmp_path: Path) -> None:
    p = run(tmp_path, "hris", str(FIXTURES / "adp.csv"), "--mapping", "peoplesoft")
    no_traceback(p)
    assert p.returncode == 2
    assert "no shipped mapping of that name" in " ".join(p.stderr.split())
