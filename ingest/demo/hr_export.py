"""A realistic HR export of the shape small US HR teams keep in a spreadsheet (the layout of the public
"HRDataset" of 311 employees): ``Employee_Name`` as "Lastname, Firstname M", ``ManagerName`` as "Firstname Lastname",
``ManagerID`` a manager number that is not an employee id, US dates such as ``7/5/2011``, statuses "Active",
"Voluntarily Terminated" and "Terminated for Cause". Synthetic people only; the truth of what should load comes
with it, so a test can check the counts an ingest prints.

``python -m ingest.demo.hr_export OUT.csv [--rows 300] [--seed 7]`` writes one.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

FIRST = ["Mathew", "Louis", "Ada", "Brandon", "Janet", "Kelley", "Simon", "Lynn", "David", "Amy", "Webster",
         "Jennifer", "Michael", "Elijah", "Kissy", "Ricardo", "Lisa", "Alex", "Ketsia", "Peter", "Jeremiah",
         "Nan", "Brannon", "Julissa", "Sarah", "Noelle", "Jessica", "Tanya", "Rachael", "Hector", "Bianca",
         "Joanne", "Sandra", "Xana", "Dheepa", "Lei-Ming", "Colleen", "Ivan", "Karthikeyan", "Gerry"]
LAST = ["LaPotin", "Albert", "Bacong", "LeBlanc", "King", "Spirea", "Roup", "Daneault", "Stansfield", "Dunn",
        "Butler", "Zamora", "Houlihan", "Sullivan", "Ruiz", "Linares", "Foss", "Sweetwater", "Fernandes", "Nguyen",
        "Gonzalez", "Ozark", "Becker", "Dietrich", "Akinkuolie", "Bunbury", "Carthy", "Dolan", "Garcia", "Galia",
        "Wallace", "Quinn", "Bozzi", "Chivukula", "Smith", "Jhaveri", "Immediato", "Ivey"]
DEPTS = {"Production": "Production Technician I", "IT/IS": "Network Engineer", "Sales": "Area Sales Manager",
         "Software Engineering": "Software Engineer", "Admin Offices": "Administrative Assistant"}
STATUSES = ["Active"] * 62 + ["Voluntarily Terminated"] * 29 + ["Terminated for Cause"] * 5 + ["Leave of Absence"] * 4
HEADER = ["Employee_Name", "EmpID", "Position", "State", "Department", "ManagerName", "ManagerID", "DateofHire",
          "DateofTermination", "TermReason", "EmploymentStatus", "Termd"]


@dataclass
class Truth:
    """What an ingest of the export should report."""

    rows: int = 0
    leavers: int = 0
    linked: int = 0
    unresolved: int = 0  # the CEO's "Board of Directors"
    ambiguous: int = 0  # reports of a manager whose name two people share
    by_person: dict[str, str | None] = field(default_factory=dict)  # EmpID -> manager EmpID (None: not linked)


def _us(d: date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def generate(rows: int = 300, seed: int = 7) -> tuple[list[list[str]], Truth]:
    if not 30 <= rows <= len(FIRST) * len(LAST) - 2:
        raise ValueError(f"rows must be between 30 and {len(FIRST) * len(LAST) - 2} (distinct names)")
    rnd = random.Random(seed)
    names: set[tuple[str, str]] = set()
    people: list[tuple[str, str, str]] = []  # (first, middle initial, last)
    while len(people) < rows:
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        if (first, last) in names or (first, last) == ("John", "Smith"):
            continue
        names.add((first, last))
        people.append((first, rnd.choice(["", "", "", "A", "R", "M", "J"]), last))
    # two people called John Smith: one a manager, so "John Smith" as a manager name is ambiguous
    people[5] = ("John", "", "Smith")
    people[rows - 1] = ("John", "A", "Smith")
    ids = [str(10001 + i) for i in range(rows)]
    managers = list(range(1, 21))  # rows 1..20 manage; row 0 is the CEO
    codes = {m: str(m + 10) for m in managers}  # manager numbers 11..30: not employee ids (the CEO's is 1)
    truth = Truth(rows=rows)
    out: list[list[str]] = []
    john_smith_rows: list[tuple[int, bool]] = []  # (row, a leaver?) of people whose manager is "John Smith"
    for i, (first, mid, last) in enumerate(people):
        dept = list(DEPTS)[i % len(DEPTS)]
        hired = date(2006, 1, 9) + timedelta(days=rnd.randrange(0, 5000))
        status = "Active" if i <= 20 else rnd.choice(STATUSES)
        leaver = status in ("Voluntarily Terminated", "Terminated for Cause")
        truth.leavers += leaver
        if i == 0:
            mgr_name, mgr_code, mgr = "Board of Directors", "9", None
            truth.unresolved += 1
        else:
            m = 0 if i in managers else rnd.choice(managers)
            f, _, la = people[m]
            mgr_name, mgr_code = f"{f} {la}", ("" if rnd.random() < 0.03 else codes.get(m, "1"))
            if m == 0:
                mgr_code = "1"
            if (f, la) == ("John", "Smith"):
                mgr = None
                truth.ambiguous += 1
                john_smith_rows.append((i, leaver))
            else:
                mgr = ids[m]
                truth.linked += 1
        truth.by_person[ids[i]] = mgr
        ended = hired + timedelta(days=rnd.randrange(200, 3000)) if leaver else None
        name = f"{last}, {first}" + (f" {mid}" if mid else "")
        out.append([name, ids[i], DEPTS[dept] if i > 20 else f"{dept} Manager", "MA", dept, mgr_name, mgr_code,
                    _us(hired), _us(ended) if ended else "",
                    ("career change" if status.startswith("Vol") else "attendance") if leaver else "N/A-StillEmployed",
                    status, "1" if leaver else "0"])
    if out[rows - 1][10] in ("Voluntarily Terminated", "Terminated for Cause"):
        # the other John Smith has left: a current employee's "John Smith" is the one still employed (a leaver
        # manages no one), while a leaver's stays ambiguous
        for i, leaver in john_smith_rows:
            if not leaver:
                truth.by_person[ids[i]] = ids[5]
                truth.ambiguous -= 1
                truth.linked += 1
    return out, truth


def write(path: str | Path, rows: int = 300, seed: int = 7) -> Truth:
    data, truth = generate(rows, seed)
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(data)
    return truth


if __name__ == "__main__":  # pragma: no cover - a convenience for trying the CLI by hand
    args = sys.argv[1:]
    if not args:
        raise SystemExit("usage: python -m ingest.demo.hr_export OUT.csv [--rows N] [--seed S]")
    n = int(args[args.index("--rows") + 1]) if "--rows" in args else 300
    s = int(args[args.index("--seed") + 1]) if "--seed" in args else 7
    t = write(args[0], n, s)
    sys.stdout.write(f"{t.rows} rows, {t.leavers} leavers, {t.linked} reporting lines to link, "
                     f"{t.unresolved} unresolvable, {t.ambiguous} ambiguous\n")
