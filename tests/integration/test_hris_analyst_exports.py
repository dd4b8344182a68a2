"""Exports as an HR analyst downloads them, loaded through ``whoknows ingest hris`` (a subprocess) into SQLite and
read back: a directory's user export whose employee-id column nobody fills (Google Workspace, Entra ID through
PowerShell), SAP SuccessFactors' user file saved as Excel "Unicode text" with only its field labels, and a Workday
workbook with a summary sheet first, a merged title, a hidden column and one hire date typed as a number."""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from tests.integration.clirun import ingest_in

Row = tuple[str, str | None, str | None, str | None, str | None, str | None, bool]


def people(tmp_path: Path) -> dict[str, Row]:
    """id -> (name, email, department, location, manager, hired_on, active)."""
    with sqlite3.connect(tmp_path / "w.db") as db:
        return {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7])) for r in db.execute(
            "SELECT id, name, email, department, location, manager_id, hired_on, active FROM person ORDER BY id")}


def test_entra_id_powershell_export_with_a_blank_employee_id_is_named_by_its_sign_in_name(tmp_path: Path) -> None:
    """``Get-MgUser | Export-Csv``: ``EmployeeId`` is empty in most tenants, so every row was rejected as "id is
    empty"; the manager is a UPN and the file has no mail column, so no manager linked either."""
    (tmp_path / "users.csv").write_text(
        '"UserPrincipalName","DisplayName","Department","OfficeLocation","JobTitle","Manager","AccountEnabled",'
        '"EmployeeId"\r\n'
        '"AdeleV@contoso.com","Adele Vance","Retail","18/2111","Retail Manager","MeganB@contoso.com","True",""\r\n'
        '"MeganB@contoso.com","Megan Bowen","Marketing","12/1110","Marketing Manager","","True",""\r\n'
        '"AlexW@contoso.com","Alex Wilber","Marketing","131/1104","Assistant","meganb@contoso.com","False",""\r\n',
        encoding="utf-8-sig")
    dry = ingest_in(tmp_path, "hris", "users.csv", "--dry-run")
    assert "'EmployeeId' is blank on every row" in " ".join(dry.stdout.split()), dry.stdout
    p = ingest_in(tmp_path, "hris", "users.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:AdeleV@contoso.com": ("Adele Vance", "adelev@contoso.com", "Retail", "18/2111", "hr:MeganB@contoso.com",
                                  None, True),
        "hr:AlexW@contoso.com": ("Alex Wilber", "alexw@contoso.com", "Marketing", "131/1104",
                                 "hr:MeganB@contoso.com", None, False),
        "hr:MeganB@contoso.com": ("Megan Bowen", "meganb@contoso.com", "Marketing", "12/1110", None, None, True),
    }


def test_google_workspace_export_without_any_employee_id_loads_by_email(tmp_path: Path) -> None:
    """The Admin console's "Download users" of an organisation that never set Employee IDs: all rows were
    rejected. Each user is named by their address, managers link by ``Manager Email``."""
    (tmp_path / "gws.csv").write_text(
        "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],"
        "Org Unit Path [Required],Employee ID,Employee Title,Manager Email,Department,Status [READ ONLY]\n"
        "Ana,Silva,ana@example.org,****,/Engineering,,Engineering Manager,,Engineering,Active\n"
        "Ben,Okafor,ben@example.org,****,/Engineering,,Engineer,ana@example.org,Engineering,Active\n"
        "Cai,Chen,cai@example.org,****,/Sales,,,Ana@Example.org,,Archived\n", encoding="utf-8")
    p = ingest_in(tmp_path, "hris", "gws.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:ana@example.org": ("Ana Silva", "ana@example.org", "Engineering", None, None, None, True),
        "hr:ben@example.org": ("Ben Okafor", "ben@example.org", "Engineering", None, "hr:ana@example.org", None,
                               True),
        "hr:cai@example.org": ("Cai Chen", "cai@example.org", None, None, "hr:ana@example.org", None, False),
    }


def test_successfactors_unicode_text_with_field_labels_only(tmp_path: Path) -> None:
    """A SuccessFactors user file saved from Excel as "Unicode text" (UTF-16LE, tabs) with only the labels row
    (``User/Employee ID``, ``Manager User Sys ID``) was refused for a missing id column."""
    text = ("User/Employee ID\tFirst Name\tLast Name\tEmail\tManager User Sys ID\tDepartment\tLocation\tHire Date\t"
            "Status\r\n"
            "cgrant\tCarla\tGrant\tcgrant@bestrun.com\tNO_MANAGER\tExecutive\tPhiladelphia\t1/1/2010\tactive\r\n"
            "admin2\tÅsa\tLindqvist\tasa@bestrun.com\tcgrant\tIT\tStockholm\t6/15/2012\tactive\r\n"
            "108743\tNguyễn\tVăn An\tan@bestrun.com\tadmin2\tIT\tHo Chi Minh City\t3/25/2020\tinactive\r\n")
    (tmp_path / "sf.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    p = ingest_in(tmp_path, "hris", "sf.txt")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:108743": ("Nguyễn Văn An", "an@bestrun.com", "IT", "Ho Chi Minh City", "hr:admin2", "2020-03-25", False),
        "hr:admin2": ("Åsa Lindqvist", "asa@bestrun.com", "IT", "Stockholm", "hr:cgrant", "2012-06-15", True),
        "hr:cgrant": ("Carla Grant", "cgrant@bestrun.com", "Executive", "Philadelphia", None, "2010-01-01", True),
    }


def test_workday_workbook_with_a_hire_date_typed_as_a_number_loads_every_row(tmp_path: Path) -> None:
    """A Workday report's workbook after an analyst's edits: a summary sheet first, a merged title and a run line
    above the header, a hidden column, and one hire date pasted into a General cell (Excel shows it as 40729).
    That row was rejected ("hire date '40729' is not a date") and its person lost from the org chart."""
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary.append(["Headcount by organisation"])
    summary.append(["Total", 3])
    ws = wb.create_sheet("Workers")
    ws["A1"] = "Worker Directory"
    ws.merge_cells("A1:I1")
    ws["A2"] = "Run by HR Analyst on 2026-12-05"
    ws.append([])
    ws.append(["Worker", "Employee ID", "Business Title", "Supervisory Organization", "Manager - ID", "Location",
               "Cost Center", "Hire Date", "Email - Primary Work", "National ID"])
    ws.append(["Logan McNeil", 21001, "CEO", "Executive", None, "San Francisco", "CC100", datetime(2008, 1, 15),
               "lmcneil@acme.com", "x"])
    ws.append(["Priya Natarajan", 21002, "VP Eng", "Engineering", 21001, "San Francisco", "CC200",
               datetime(2012, 3, 2), "pnatarajan@acme.com", "x"])
    ws.append(["Zoë Müller", 21003, "Engineer", "Engineering", 21002, "München", "CC200", 40729,
               "zmuller@acme.com", "x"])
    for r in (5, 6):
        ws.cell(r, 8).number_format = "mm/dd/yyyy"
    ws.column_dimensions["J"].hidden = True
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "workers.xlsx").write_bytes(buf.getvalue())
    p = ingest_in(tmp_path, "hris", "workers.xlsx")
    assert p.returncode == 0, p.stdout + p.stderr
    got = people(tmp_path)
    assert got["hr:21003"] == ("Zoë Müller", "zmuller@acme.com", "Engineering", "München", "hr:21002", "2011-07-05",
                               True)
    assert got["hr:21001"][4:6] == (None, "2008-01-15")
    assert got["hr:21002"][4:6] == ("hr:21001", "2012-03-02")


def test_a_cp1252_export_with_notes_over_several_lines_names_rows_where_they_start(tmp_path: Path) -> None:
    """Excel's plain CSV on Windows with a multi-line Notes cell: a bad row was named by its last line, which in
    an editor (and in Excel, rows counted) points at another person. Two current people given one address are
    said on stderr (the second's forum activity would count as the first's), and a manager id of another export
    says how to link it; every person loads."""
    text = ("Employee ID,Name,Email,Department,Location,Manager ID,Notes\r\n"
            "100,José Ñúñez,jose@x.com,Dirección,Bogotá,,\"first line\r\nsecond line\"\r\n"
            "101,Zoë Ångström,zoe@x.com,Ingeniería,São Paulo,100,\r\n"
            "102,Øyvind Ærø,zoe@x.com,Ingeniería,København,101,\r\n"
            "103,Renée Lefèvre,renee@,Ventas,Genève,100,\"a\r\nb\r\nc\"\r\n"
            "104,Out Side,out@x.com,Ventas,Genève,500,\r\n")
    (tmp_path / "hr.csv").write_bytes(text.encode("cp1252"))
    p = ingest_in(tmp_path, "hris", "hr.csv")
    err = " ".join(p.stderr.split())
    assert p.returncode == 1, p.stdout + p.stderr
    assert "hr.csv, row 6: email" in err  # Renée's row starts on line 6 (it ends on 8)
    assert "1 email address is given by several current people ('zoe@x.com': rows 4, 5)" in err
    assert "forum accounts with it count as 101's activity" in err
    assert "manager (id '500') matches no person; 1 person loaded without a manager. If another export lists " \
           "them, load it, then this file again" in err
    got = people(tmp_path)
    assert sorted(got) == ["hr:100", "hr:101", "hr:102", "hr:104"]
    assert got["hr:102"] == ("Øyvind Ærø", "zoe@x.com", "Ingeniería", "København", "hr:101", None, True)
    (tmp_path / "execs.csv").write_text("Employee ID,Name,Email\n500,Ext Boss,boss@x.com\n", encoding="utf-8")
    assert ingest_in(tmp_path, "hris", "execs.csv").returncode == 0
    assert ingest_in(tmp_path, "hris", "hr.csv").returncode == 1  # Renée's row is still rejected
    assert people(tmp_path)["hr:104"][4] == "hr:500"


def test_a_workbook_whose_name_column_is_not_recognised_is_told_the_columns_of_its_header(tmp_path: Path) -> None:
    """A BambooHR report saved to Excel with its title and run line above the header and a name column named
    ``Last Name, First Name``: the refusal quoted the title (``columns: Employee Report``), claiming the id was
    missing too, so nothing told the analyst which column to name. It now says the columns of the header row."""
    wb = Workbook()
    ws = wb.active
    ws.append(["Employee Report"])
    ws.append(["Generated 12/05/2026"])
    ws.append(["Employee #", "Last Name, First Name", "Work Email", "Department", "Reports To", "Hire Date"])
    ws.append([1, "Abbott, Charlotte", "cabbott@e.com", "Operations", None, datetime(2014, 6, 1)])
    ws.append([4, "Adams, Ashley", "aadams@e.com", "HR", "Abbott, Charlotte", datetime(2016, 2, 17)])
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "report.xlsx").write_bytes(buf.getvalue())
    p = ingest_in(tmp_path, "hris", "report.xlsx")
    err = " ".join(p.stderr.split())
    assert p.returncode == 2, p.stdout + p.stderr
    assert "missing required column 'name' (columns: Employee #, Last Name, First Name, Work Email," in err
    (tmp_path / "map.toml").write_text('[columns]\nname = "Last Name, First Name"\n', encoding="utf-8")
    p = ingest_in(tmp_path, "hris", "report.xlsx", "--mapping", "map.toml")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path)["hr:4"] == ("Adams, Ashley", "aadams@e.com", "HR", None, "hr:1", "2016-02-17", True)


def test_adp_file_number_is_the_id(tmp_path: Path) -> None:
    """ADP Workforce Now's ``File Number`` (the payroll number, kept with its zeros) was no id column."""
    (tmp_path / "adp.csv").write_text(
        "Payroll Name,File Number,Home Department Description,Location Description,Hire Date,Position Status\n"
        '"McNeil, Logan",000101,Executive,HQ,01/15/2008,Active\n'
        '"Reyes, Ana",000102,Finance,HQ,03/13/2012,Terminated\n', encoding="utf-8")
    p = ingest_in(tmp_path, "hris", "adp.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:000101": ("McNeil, Logan", None, "Executive", "HQ", None, "2008-01-15", True),
        "hr:000102": ("Reyes, Ana", None, "Finance", "HQ", None, "2012-03-13", False),
    }


def test_entra_id_download_with_object_ids_skips_guest_accounts(tmp_path: Path) -> None:
    """Entra ID's older "Download users" names each account by ``objectId`` (refused for a missing id column),
    and lists invited guests (``userType`` Guest: a customer's Gmail account) beside the staff: they loaded as
    current employees. Guests are skipped, and the dry run names each."""
    (tmp_path / "users.csv").write_text(
        "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,"
        "accountEnabled,officeLocation,city\n"
        "AdeleV@contoso.com,Adele Vance,Vance,AdeleV@contoso.com,Adele,87d3-aa,Member,Retail Manager,Retail,True,"
        "18/2111,Bellevue\n"
        "guest_gmail.com#EXT#@contoso.onmicrosoft.com,Some Guest,,guest@gmail.com,,aaaa-bb,Guest,,,True,,\n"
        "AlexW@contoso.com,Alex Wilber,Wilber,AlexW@contoso.com,Alex,bbbb-cc,Member,Assistant,Marketing,False,"
        "131/1104,\n", encoding="utf-8-sig")
    dry = ingest_in(tmp_path, "hris", "users.csv", "--dry-run")
    assert "a guest account (userType 'Guest'), not a person of the organisation" in " ".join(dry.stdout.split())
    p = ingest_in(tmp_path, "hris", "users.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:87d3-aa": ("Adele Vance", "adelev@contoso.com", "Retail", "18/2111", None, None, True),
        "hr:bbbb-cc": ("Alex Wilber", "alexw@contoso.com", "Marketing", "131/1104", None, None, False),
    }


def test_workday_names_shown_with_their_employee_id(tmp_path: Path) -> None:
    """Workday shows a worker as ``Name (Employee ID)`` when the tenant says so: the id was stored as part of the
    name, and two Logan McNeils were ambiguous managers though each cell said which one it meant."""
    (tmp_path / "w.csv").write_text(
        "Employee ID,Worker,Manager,Hire Date\n"
        "21001,Logan McNeil (21001),,2008-01-15\n"
        "21999,Logan McNeil (21999),,2010-01-15\n"
        "21002,Priya Natarajan (21002),Logan McNeil (21001),2012-03-02\n"
        "21003,Bo Chen (Contractor),Logan McNeil (21999),2012-03-02\n", encoding="utf-8")
    p = ingest_in(tmp_path, "hris", "w.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    got = people(tmp_path)
    assert {k: (v[0], v[4]) for k, v in got.items()} == {
        "hr:21001": ("Logan McNeil", None), "hr:21999": ("Logan McNeil", None),
        "hr:21002": ("Priya Natarajan", "hr:21001"), "hr:21003": ("Bo Chen (Contractor)", "hr:21999")}


def test_personio_workbook_department_is_the_abteilung_not_the_team(tmp_path: Path) -> None:
    """Personio's Excel export, German headers, managers as "Nachname, Vorname", date cells, a "Team" column
    beside "Abteilung": the team was loaded as everyone's department."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Mitarbeiter"
    ws.append(["ID", "Vorname", "Nachname", "E-Mail", "Abteilung", "Standort", "Vorgesetzter", "Eintrittsdatum",
               "Status", "Wochenstunden", "Team"])
    ws.append([1, "Jürgen", "Müller", "j@f.de", "Geschäftsführung", "München", None, datetime(2015, 4, 1), "aktiv",
               40.0, "GF"])
    ws.append([2, "Anna-Lena", "Weiß", "a@f.de", "Entwicklung", "Berlin", "Müller, Jürgen", datetime(2019, 9, 15),
               "aktiv", 32.5, "Dev"])
    ws.append([3, "Ömer", "Çelik", "o@f.de", "Entwicklung", "Berlin", "Weiß, Anna-Lena", datetime(2020, 2, 1),
               "inaktiv", 40, "Dev"])
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "personio.xlsx").write_bytes(buf.getvalue())
    p = ingest_in(tmp_path, "hris", "personio.xlsx")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:1": ("Jürgen Müller", "j@f.de", "Geschäftsführung", "München", None, "2015-04-01", True),
        "hr:2": ("Anna-Lena Weiß", "a@f.de", "Entwicklung", "Berlin", "hr:1", "2019-09-15", True),
        "hr:3": ("Ömer Çelik", "o@f.de", "Entwicklung", "Berlin", "hr:2", "2020-02-01", False),
    }


SPREADSHEET_2003 = """<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="Info"><Table><Row><Cell><Data ss:Type="String">Report ZHR_EMP</Data></Cell></Row></Table>
 </Worksheet>
 <Worksheet ss:Name="Employees"><Table>
  <Row><Cell ss:MergeAcross="5"><Data ss:Type="String">Employees &#8211; Müller GmbH</Data></Cell></Row>
  <Row ss:Index="3"><Cell><Data ss:Type="String">Personalnummer</Data></Cell>
   <Cell><Data ss:Type="String">Vorname</Data></Cell><Cell><Data ss:Type="String">Nachname</Data></Cell>
   <Cell><Data ss:Type="String">Vorgesetzter ID</Data></Cell><Cell><Data ss:Type="String">Eintrittsdatum</Data></Cell>
   <Cell><Data ss:Type="String">Abteilung</Data></Cell></Row>
  <Row><Cell><Data ss:Type="Number">1001</Data></Cell><Cell><Data ss:Type="String">Jürgen</Data></Cell>
   <Cell><Data ss:Type="String">Müller</Data></Cell>
   <Cell ss:Index="5"><Data ss:Type="DateTime">2015-04-01T00:00:00.000</Data></Cell>
   <Cell><Data ss:Type="String">GF &amp; Stab</Data></Cell></Row>
  <Row><Cell><Data ss:Type="Number">1002</Data></Cell><Cell><Data ss:Type="String">Anna</Data></Cell>
   <Cell><Data ss:Type="String">Weiß</Data></Cell><Cell><Data ss:Type="Number">1001</Data></Cell>
   <Cell><Data ss:Type="DateTime">2019-09-15T00:00:00.000</Data></Cell>
   <Cell><Data ss:Type="String">Entwicklung</Data></Cell></Row>
  <Row><Cell><Data ss:Type="Number">1003</Data></Cell><Cell><Data ss:Type="String">Ömer</Data></Cell>
   <Cell><Data ss:Type="String">Çelik</Data></Cell><Cell><Data ss:Type="Number">1002</Data></Cell>
   <Cell><Data ss:Type="String">soon</Data></Cell><Cell><Data ss:Type="String">Entwicklung</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>
"""


def test_an_excel_2003_xml_spreadsheet_loads_from_its_people_sheet(tmp_path: Path) -> None:
    """SAP's and older portals' "XML Spreadsheet 2003" export was refused ("save it as .xlsx") though Excel opens
    it. Its people sheet (after an info sheet) is read, skipped rows and columns (``ss:Index``) and a merged title
    kept in place, so a bad row is named by the row Excel shows it on."""
    (tmp_path / "sap.xls").write_text(SPREADSHEET_2003, encoding="utf-8")
    p = ingest_in(tmp_path, "hris", "sap.xls")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "sap.xls (sheet 'Employees'), row 6: hire date 'soon'" in " ".join(p.stderr.split())
    assert people(tmp_path) == {
        "hr:1001": ("Jürgen Müller", None, "GF & Stab", None, None, "2015-04-01", True),
        "hr:1002": ("Anna Weiß", None, "Entwicklung", None, "hr:1001", "2019-09-15", True),
    }


def test_a_pivot_tables_blank_cells_are_stored_as_empty(tmp_path: Path) -> None:
    """A pivot table copied out as values writes ``(blank)`` for an empty cell, and a sheet whose VLOOKUP failed
    ``#N/A``: they were stored as a department called "(blank)" and a manager id "(blank)" that matched no one."""
    (tmp_path / "pivot.csv").write_text(
        "Employee ID,Name,Department,Location,Manager ID,Hire Date\n"
        "1,Ann Lee,Engineering,Berlin,(blank),2020-01-02\n"
        "2,Bo Roe,(blank),#N/A,1,(blank)\n"
        "3,Cy Poe,Sales,(Blank),#N/A,2021-03-04\n", encoding="utf-8")
    p = ingest_in(tmp_path, "hris", "pivot.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:1": ("Ann Lee", None, "Engineering", "Berlin", None, "2020-01-02", True),
        "hr:2": ("Bo Roe", None, None, None, "hr:1", None, True),
        "hr:3": ("Cy Poe", None, "Sales", None, None, "2021-03-04", True),
    }


def test_line_breaks_typed_in_workbook_cells_fold_to_one_space(tmp_path: Path) -> None:
    """Alt-Enter in a cell ("Berlin" above "Mitte") was kept: the location was stored as "Berlin\\nMitte", shown on
    two lines and never equal to the "Berlin Mitte" of other rows; a manager name typed so matched no one."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Employee ID", "Name", "Department", "Location", "Manager"])
    sheet.append(["1", "Ann\nLee", "Research &\nDevelopment", "Berlin\nMitte", None])
    sheet.append(["2", "Bo Roe", "Research & Development", "Berlin Mitte", "Ann\r\nLee"])
    book.save(tmp_path / "staff.xlsx")
    p = ingest_in(tmp_path, "hris", "staff.xlsx")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {
        "hr:1": ("Ann Lee", None, "Research & Development", "Berlin Mitte", None, None, True),
        "hr:2": ("Bo Roe", None, "Research & Development", "Berlin Mitte", "hr:1", None, True),
    }
