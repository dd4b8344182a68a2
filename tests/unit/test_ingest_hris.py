"""HRIS parsing: column synonyms and mappings, values, and rejects naming row and reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.hris import (
    ColumnMapping,
    HrRow,
    load_mapping,
    parse_export,
    parse_hris,
    parse_skills,
    read_hris,
    resolve_columns,
)
from ingest.rejects import Reject
from schema.errors import UnreadableInput
from schema.skills import AliasTable

HEADER = "id,name,email,title,department,location,manager_id,hire_date,skills,opted_out,active\n"


def write(tmp_path: Path, text: str, name: str = "hris.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def parse(tmp_path: Path, text: str, name: str = "hris.csv", mapping: ColumnMapping | None = None):
    table = read_hris(write(tmp_path, text, name), mapping)
    items = list(parse_hris(table, mapping))
    return [i for i in items if isinstance(i, HrRow)], [i for i in items if isinstance(i, Reject)]


def test_default_columns_make_people_skills_and_manager(tmp_path: Path) -> None:
    rows, rejects = parse(
        tmp_path,
        HEADER
        + "E1,Ann Lee,Ann@X.com,CTO,Eng,Berlin,,2020-01-02,python:expert;K8s:3;sql,no,yes\n"
        + "E2,Bob Roy,bob@x.com,Dev,Eng,Paris,E1,2021-05-06,js,1,0\n",
    )
    assert rejects == []
    ann, bob = rows
    assert ann.person.id == "hr:E1"
    assert ann.person.email == "ann@x.com"
    assert ann.person.hired_on == date(2020, 1, 2)
    assert {(s.skill, s.level) for s in ann.skills} == {("python", 4), ("kubernetes", 3), ("sql", None)}
    assert all(s.source == "hr" for s in ann.skills)
    assert bob.manager_id == "hr:E1"
    assert bob.person.manager_id == "hr:E1"
    assert bob.person.opted_out is True
    assert bob.person.active is False
    assert [s.skill for s in bob.skills] == ["javascript"]


def test_workday_and_bamboohr_names_are_recognised(tmp_path: Path) -> None:
    text = (
        "Employee ID,First Name,Last Name,Work Email,Job Title,Department,Location,Manager ID,Hire Date,Status\n"
        "100,Ann,Lee,ann@x.com,Dev,Eng,Berlin,,2019-03-04,Active\n"
        "101,Bob,Roy,bob@x.com,Dev,Eng,Berlin,100,2019-03-05,Terminated\n"
    )
    rows, rejects = parse(tmp_path, text)
    assert rejects == []
    assert [r.person.name for r in rows] == ["Ann Lee", "Bob Roy"]
    assert rows[1].manager_id == "hr:100"
    assert rows[1].person.active is False


def test_mapping_file_columns_and_options(tmp_path: Path) -> None:
    mp = tmp_path / "columns.toml"
    mp.write_text(
        '[columns]\nid = "Employee Number"\nname = "Worker"\nskills = "Competencies"\nhire_date = "Started"\n'
        '[options]\nskills_separator = "|"\nlevel_separator = "="\ndate_format = "%m/%d/%Y"\n'
    )
    m = load_mapping(mp)
    rows, rejects = parse(
        tmp_path, "Employee Number,Worker,Competencies,Started\n7,Cy Doe,Go=2|Rust=advanced,03/15/2021\n", mapping=m
    )
    assert rejects == []
    assert rows[0].person.id == "hr:7"
    assert rows[0].person.hired_on == date(2021, 3, 15)
    assert {(s.skill, s.level) for s in rows[0].skills} == {("go", 2), ("rust", 3)}


def test_ambiguous_dates_are_not_guessed_and_said_once_naming_the_column(tmp_path: Path) -> None:
    rows, rejects = parse(tmp_path, HEADER + "E1,Ann,,,,,,03/04/2021,,,\nE2,Bob,,,,,,05/06/2021,,,\n")
    assert [r.person.hired_on for r in rows] == [None, None]  # loaded, the date left empty rather than guessed
    assert len(rejects) == 1
    assert rejects[0].row is None
    assert rejects[0].kind == "column"
    assert "column 'hire_date'" in rejects[0].reason
    assert "date_order" in rejects[0].reason


def test_own_id_as_manager_is_a_link_problem_not_a_row_reject(tmp_path: Path) -> None:
    rows, rejects = parse(tmp_path, HEADER + "E1,Ann,,,,,E1,,,,\n")
    assert [r.person.id for r in rows] == ["hr:E1"]
    assert rows[0].manager_id is None
    assert [r.kind for r in rejects] == ["link:cycle"]
    assert "E1 reports to themself" in rejects[0].reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("E1,Ann,ann@,,,,,,,,", "email"),
        ("E1,Ann,,,,,,2021-13-01,,,", "hire date"),
        ("E1,Ann,,,,,,,python:9,,", "skill 'python'"),
        ("E1,Ann,,,,,,,,maybe,", "opted_out 'maybe'"),
        (",Ann,,,,,,,,,", "id is empty"),
        ("E1,,,,,,,,,,", "name is empty"),
        ("E1,Ann,,,,,,,,,,,extra", "fields but the header has"),
    ],
)
def test_bad_rows_are_rejected_with_row_and_reason(tmp_path: Path, line: str, reason: str) -> None:
    rows, rejects = parse(tmp_path, HEADER + "E9,Good,good@x.com,,,,,,,,\n" + line + "\n")
    assert [r.person.id for r in rows] == ["hr:E9"]  # the good row still loads
    assert len(rejects) == 1
    assert rejects[0].row == 3
    assert reason in rejects[0].reason
    assert rejects[0].file.endswith("hris.csv")


def test_duplicate_id_rejects_the_second_row(tmp_path: Path) -> None:
    rows, rejects = parse(tmp_path, HEADER + "E1,Ann,,,,,,,,,\nE1,Ann Two,,,,,,,,,\n")
    assert [r.person.name for r in rows] == ["Ann"]
    assert rejects[0].row == 3
    assert "duplicate id 'E1' (first on row 2)" in rejects[0].reason


def test_missing_required_column_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="missing required column 'id'"):
        parse(tmp_path, "name,email\nAnn,ann@x.com\n")


def test_a_sheet_without_ids_is_told_it_may_name_people_by_their_email(tmp_path: Path) -> None:
    """A hand-made Google Sheet (Name, Email, Role, Manager) has no id: the error said only 'id = "..."'."""
    with pytest.raises(UnreadableInput, match=r'\[columns\] id = "Work Email" \(the email column'):
        parse(tmp_path, "Name,Work Email,Manager\nAnn,ann@x.com,\n")
    with pytest.raises(UnreadableInput, match=r'\[columns\] id = "\.\.\."'):
        parse(tmp_path, "Name,Manager\nAnn,\n")


def test_mapping_naming_an_absent_column_is_unreadable(tmp_path: Path) -> None:
    m = ColumnMapping(columns={"id": "Badge"})
    with pytest.raises(UnreadableInput, match="'Badge' for id"):
        parse(tmp_path, HEADER + "E1,Ann,,,,,,,,,\n", mapping=m)


def test_undecodable_byte_rejects_its_row_alone_and_keeps_the_others(tmp_path: Path) -> None:
    # issue 9.6: one bad byte on row 3 keeps row 2 (and row 4); the file is UTF-8 ("Zoë" on row 2), so the stray
    # Latin-1 byte is damage, not the file's encoding
    p = tmp_path / "hris.csv"
    p.write_bytes((HEADER + "E1,Zoë,,,,,,,,,\n").encode() + b"E2,Jos\xe9,,,,,,,,,\nE3,Cy,,,,,,,,,\n")
    table = read_hris(p)
    assert [n for n, _ in table.rows] == [2, 4]
    assert (table.encoding, table.encoding_guessed) == ("utf-8-sig", None)
    [bad] = table.rejects
    assert (bad.row, bad.file) == (3, str(p))
    assert "not UTF-8 text (byte 0xe9)" in bad.reason
    assert "encoding" in bad.reason
    rows = [r for r in parse_hris(read_hris(p, ColumnMapping(encoding="latin-1"))) if isinstance(r, HrRow)]
    assert [r.person.name for r in rows] == ["ZoÃ«", "José", "Cy"]  # a set encoding wins, even a wrong one


def test_a_file_in_one_byte_latin_encoding_is_detected_and_says_so(tmp_path: Path) -> None:
    p = write(tmp_path, HEADER + "E1,Ann,,,,,,,,,\nE2,Jos\xe9,,,,,,,,,\nE3,Cy,,,,,,,,,\n", encoding="latin-1")
    table = read_hris(p)
    assert (table.rejects, [n for n, _ in table.rows]) == ([], [2, 3, 4])
    assert table.encoding == "cp1252"
    assert table.encoding_guessed == "not UTF-8 (bytes 0xe9)"
    rows = [r for r in parse_hris(table) if isinstance(r, HrRow)]
    assert rows[1].person.name == "José"


def test_undecodable_byte_in_a_quoted_multiline_row_names_that_row(tmp_path: Path) -> None:
    text = b'id,name,title\nE1,Ann,"two\nlines"\nE2,Bob,"bad \xff\nbyte"\nE3,Zo\xc3\xab,ok\n'  # UTF-8, one bad byte
    p = tmp_path / "hris.csv"
    p.write_bytes(text)
    table = read_hris(p)
    assert [rec["id"] for _, rec in table.rows] == ["E1", "E3"]
    assert [r.row for r in table.rejects] == [4]  # the line E2 starts on (it ends on 5)


def test_undecodable_header_is_unreadable(tmp_path: Path) -> None:
    p = tmp_path / "hris.csv"
    p.write_bytes(b"id,n\xe4me\nE1,Zo\xc3\xab\n")  # UTF-8 below a header with a Latin-1 byte
    with pytest.raises(UnreadableInput, match="header is not UTF-8"):
        read_hris(p)


def test_utf16_export_is_read(tmp_path: Path) -> None:
    p = write(tmp_path, "id\tname\nE1\tZoë\n", name="p.tsv", encoding="utf-16")
    assert p.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    items = list(parse_hris(read_hris(p)))
    rows = [i for i in items if isinstance(i, HrRow)]
    assert len(rows) == len(items) == 1
    assert rows[0].person.name == "Zoë"


@pytest.mark.parametrize("content", ["", "  \n\n"])
def test_empty_file_is_unreadable(tmp_path: Path, content: str) -> None:
    with pytest.raises(UnreadableInput, match="empty file"):
        read_hris(write(tmp_path, content))


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="no such file"):
        read_hris(tmp_path / "nope.csv")


def test_json_export_list_or_employees_object(tmp_path: Path) -> None:
    text = (
        '{"employees": [{"Employee ID": 5, "name": "Ann", "skills": ["Python", {"name": "k8s", "level": "expert"}],'
        ' "active": false}, 17, {"Employee ID": 6, "name": "Bob", "email": "not-an-email"}]}'
    )
    rows, rejects = parse(tmp_path, text, name="people.json")
    assert [r.person.id for r in rows] == ["hr:5"]
    assert rows[0].person.active is False
    assert {(s.skill, s.level) for s in rows[0].skills} == {("python", None), ("kubernetes", 4)}
    assert {r.row for r in rejects} == {2, 3}


def test_invalid_json_names_line(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput) as err:
        read_hris(write(tmp_path, '[{"id": 1,\n "name": ', name="p.json"))
    assert err.value.row == 2
    assert "invalid JSON" in err.value.reason


def test_semicolon_separated_csv_and_custom_aliases(tmp_path: Path) -> None:
    table = read_hris(write(tmp_path, "id;name;skills\nE1;Ann;kubes:2\n"))
    rows = [r for r in parse_hris(table, None, AliasTable().extend({"kubes": "k8s"})) if isinstance(r, HrRow)]
    assert [(s.skill, s.level) for s in rows[0].skills] == [("kubernetes", 2)]


def test_bad_mapping_file_is_unreadable(tmp_path: Path) -> None:
    mp = tmp_path / "m.toml"
    mp.write_text('[columns]\nbadge = "Badge"\n')
    with pytest.raises(UnreadableInput, match="'badge' is not a field"):
        load_mapping(mp)


def test_termination_date_makes_a_leaver_when_no_status_says_otherwise(tmp_path: Path) -> None:
    text = (
        "Employee ID,Name,Hire Date,Termination Date,Status\n"
        "1,Ann,03/15/2010,,\n"          # no end: active
        "2,Bob,04/01/2011,01/02/2020,\n"  # ended in the past: a leaver (the column is month-first like Hire Date)
        "3,Cy,05/01/2012,01/01/2999,\n"  # ends in the future: still here
        "4,Dee,06/01/2013,01/02/2020,Active\n"  # a status wins (a rehire keeps an old termination date)
    )
    table = read_hris(write(tmp_path, text))
    result = parse_export(table, today=date(2026, 1, 1))
    assert [r.person.active for r in result.rows] == [True, False, True, True]
    assert result.notes == []  # the ambiguous end-date column is settled by the hire dates' proven order
    ended = result.date_columns["termination_date"]
    assert ended.order == "MDY"
    assert "column 'Hire Date'" in ended.how


def test_the_dry_runs_suggested_mapping_loads_and_pins_what_was_inferred(tmp_path: Path) -> None:
    text = (
        "Employee_Name,EmpID,ManagerName,ManagerID,DateofHire,EmploymentStatus\n"
        '"Albert, Michael",1,,,03/04/2010,Active\n'
        '"Lee, Ann",2,Michael Albert,22,05/06/2011,On Sabbatical Leave\n'
        '"Roy, Bob",3,Michael Albert,22,07/08/2012,Seconded\n'
    )
    first = parse_export(read_hris(write(tmp_path, text)))
    assert [r.row for r in first.rejects] == [4]  # "Seconded" is no known status
    assert len(first.notes) == 1  # the dates are ambiguous
    suggested = first.suggested_mapping()
    assert 'manager_code = "ManagerID"' in suggested
    assert '# "Seconded" = true  # 1 row(s): true if still employed, false if they left' in suggested
    mp = tmp_path / "columns.toml"
    # saved unread, the undecided status changes nothing: its row is still rejected, no one is made a leaver
    mp.write_text(suggested.replace('date_order = "MDY"  # or "DMY"', 'date_order = "DMY"  # or "MDY"'))
    unread = parse_export(read_hris(write(tmp_path, text)), load_mapping(mp))
    assert [r.row for r in unread.rejects] == [4]
    assert all(r.person.active for r in unread.rows)
    mp.write_text(mp.read_text().replace('# "Seconded" = true', '"Seconded" = false'))  # the admin decides
    second = parse_export(read_hris(write(tmp_path, text)), load_mapping(mp))
    assert (second.rejects, second.notes) == ([], [])
    assert [(r.person.active, r.person.hired_on) for r in second.rows] == [
        (True, date(2010, 4, 3)), (True, date(2011, 6, 5)), (False, date(2012, 8, 7))]
    assert second.links.linked == 2


def test_skills_split_on_semicolons_commas_or_bars_unless_the_mapping_names_one() -> None:
    assert parse_skills("Python:4, SQL", ColumnMapping()) == (("Python", 4), ("SQL", None))
    assert parse_skills("go|rust;sql", ColumnMapping()) == (("go", None), ("rust", None), ("sql", None))
    assert parse_skills("C, C++|Go", ColumnMapping(skills_separator="|")) == (("C, C++", None), ("Go", None))


VENDOR_HEADERS = {
    # Oracle HCM Cloud worker extract; Dayforce employee export; UKG Pro; Namely; Deel; Okta; Entra ID PowerShell
    "oracle": ("Person Number,Display Name,Work Email,Job Name,Department Name,Location Name,Manager Person Number,"
               "Manager Name,Assignment Status,Hire Date,Actual Termination Date",
               {"id": "Person Number", "manager_id": "Manager Person Number", "active": "Assignment Status",
                "title": "Job Name", "department": "Department Name", "location": "Location Name",
                "termination_date": "Actual Termination Date"}),
    "dayforce": ("XRefCode,Display Name,Business Email,Job,Department,Location,Manager XRefCode,"
                 "Manager Display Name,Employment Status,Original Hire Date,Termination Date",
                 {"id": "XRefCode", "manager_id": "Manager XRefCode", "active": "Employment Status"}),
    "ukg": ("Employee Number,Employee Name,Email Address,Job Title,Supervisor Name,Supervisor Employee Number,"
            "Employee Status", {"manager_id": "Supervisor Employee Number", "manager_name": "Supervisor Name"}),
    "namely": ("Employee ID,First name,Last name,Preferred name,Email,Departments,Reports to,Reports to email,"
               "User status,Departure date",
               {"active": "User status", "termination_date": "Departure date", "department": "Departments",
                "other_name": "Preferred name"}),
    "deel": ("Worker ID,Full Name,Email,Direct Manager,Direct Manager Email,Contract Status,Start Date,End Date",
             {"manager_email": "Direct Manager Email", "active": "Contract Status"}),
    "okta": ("Username,First name,Last name,Primary email,Status,Manager,managerId,Employee number",
             {"email": "Primary email", "id": "Employee number"}),
    "entra": ("UserPrincipalName,DisplayName,Mail,JobTitle,OfficeLocation,City,AccountEnabled,EmployeeId,ManagerUPN,"
              "EmployeeHireDate", {"location": "OfficeLocation", "active": "AccountEnabled",
                                   "manager_email": "ManagerUPN", "hire_date": "EmployeeHireDate"}),
}


@pytest.mark.parametrize("system", sorted(VENDOR_HEADERS))
def test_vendor_column_names_are_recognised_without_a_mapping(system: str) -> None:
    """These fixed column names went unread (Oracle's and Dayforce's files were refused for a missing id; Namely's
    and Deel's leavers loaded active; Okta's people had no email), or a weaker one was read (a city before the
    office, a supervisor's name before their number)."""
    header, want = VENDOR_HEADERS[system]
    cols = resolve_columns(header.split(","), ColumnMapping(), f"{system}.csv")
    assert {f: cols.get(f) for f in want} == want


def test_a_microsoft_graph_users_page_is_a_list_of_people(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text('{"@odata.context": "x", "value": [{"id": "u1", "displayName": "Ann",'
                                         ' "mail": "ann@x.com", "accountEnabled": false}]}')
    table = read_hris(tmp_path / "users.json")
    assert [rec["displayName"] for _, rec in table.rows] == ["Ann"]
