"""User exports of directories and identity providers, loaded as HR exports through ``whoknows ingest hris`` (a
subprocess): Microsoft Entra ID's "Download users", an Active Directory csvde dump, Google Workspace's user export
and Okta's user report. Their people are the organisation's, but they say "still employed" as an account state
(``accountEnabled``, ``userAccountControl``, ``DEPROVISIONED``), name managers by UPN or LDAP DN and annotate
column names (``Email Address [Required]``)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

from tests.integration.clirun import ingest_in


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return ingest_in(tmp_path, "hris", *args)


def people(tmp_path: Path) -> dict[str, tuple[str, str | None, str | None, str | None, bool]]:
    """id -> (name, email, location, manager, active)."""
    with sqlite3.connect(tmp_path / "w.db") as db:
        return {r[0]: (r[1], r[2], r[3], r[4], bool(r[5])) for r in db.execute(
            "SELECT id, name, email, location, manager_id, active FROM person ORDER BY id")}


ENTRA = (
    "userPrincipalName,displayName,surname,mail,givenName,id,userType,jobTitle,department,accountEnabled,"
    "usageLocation,country,officeLocation,city,companyName,directorySynced,createdDateTime,employeeId,manager\n"
    "ann@contoso.com,Ann Lee,Lee,Ann@contoso.com,Ann,0001-aa,Member,CTO,Eng,True,DE,Germany,Berlin HQ,Berlin,"
    "Contoso,True,2019-03-01T09:00:00Z,1001,\n"
    "bo@contoso.com,Bo Chen,Chen,bo@contoso.com,Bo,0002-aa,Member,Engineer,Eng,True,US,United States,Remote,"
    "Austin,Contoso,True,2020-03-01T09:00:00Z,1002,ann@contoso.com\n"
    "cy@contoso.com,Cy Diaz,Diaz,cy@contoso.com,Cy,0003-aa,Member,Engineer,Eng,{cy},US,United States,NYC,"
    "New York,Contoso,True,2020-04-01T09:00:00Z,1003,ANN@contoso.com\n"
)


def test_entra_id_users_disabled_accounts_are_leavers_and_the_office_is_the_location(tmp_path: Path) -> None:
    """Entra ID's "Download users" CSV: ``accountEnabled`` False (a leaver's disabled account) loaded active, and
    the location was the city ("Austin") rather than the office ("Remote"). A second month's export that enables
    the account again makes the person current again."""
    (tmp_path / "users.csv").write_text(ENTRA.format(cy="False"), encoding="utf-8-sig")
    dry = run(tmp_path, "users.csv", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "accountEnabled" in dry.stdout
    assert "leaver (inactive)" in dry.stdout
    assert not (tmp_path / "w.db").exists()
    p = run(tmp_path, "users.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    got = people(tmp_path)
    assert got["hr:0002-aa"] == ("Bo Chen", "bo@contoso.com", "Remote", "hr:0001-aa", True)
    assert got["hr:0003-aa"] == ("Cy Diaz", "cy@contoso.com", "NYC", "hr:0001-aa", False)  # manager's UPN in caps
    (tmp_path / "users2.csv").write_text(ENTRA.format(cy="True"), encoding="utf-8-sig")
    assert run(tmp_path, "users2.csv").returncode == 0
    assert people(tmp_path)["hr:0003-aa"][4] is True


CSVDE = (
    "DN,objectClass,distinguishedName,cn,sn,givenName,displayName,mail,title,department,"
    "physicalDeliveryOfficeName,manager,sAMAccountName,employeeID,userAccountControl\n"
    '"CN=Jane Doe,OU=Staff,DC=corp,DC=com",user,"CN=Jane Doe,OU=Staff,DC=corp,DC=com",Jane Doe,Doe,Jane,'
    "Jane Doe,jane@corp.com,CEO,Exec,Berlin,,jdoe,1001,512\n"
    '"CN=Doe\\, John,OU=Staff,DC=corp,DC=com",user,"CN=Doe\\, John,OU=Staff,DC=corp,DC=com","Doe, John",Doe,'
    'John,John Doe,john@corp.com,CFO,Finance,Berlin,"CN=Jane Doe,OU=Staff,DC=corp,DC=com",jodoe,1002,66048\n'
    '"CN=Max Muster,OU=Staff,DC=corp,DC=com",user,"CN=Max Muster,OU=Staff,DC=corp,DC=com",Max Muster,Muster,'
    'Max,Max Muster,max@corp.com,Clerk,Finance,Munich,"CN=Doe\\, John,OU=Staff,DC=corp,DC=com",mmust,1003,514\n'
    '"CN=Jane Doe,OU=Contractors,DC=corp,DC=com",user,"CN=Jane Doe,OU=Contractors,DC=corp,DC=com",Jane Doe,Doe,'
    'Jane,Jane Doe,jane2@corp.com,Clerk,Finance,Munich,"cn=doe\\, john,ou=staff,dc=corp,dc=com",jdoe2,1004,512\n'
)


def test_active_directory_dump_links_managers_by_distinguished_name(tmp_path: Path) -> None:
    """csvde writes the manager as a DN ("CN=Doe\\, John,OU=Staff,..."): every line was unresolved. It is
    matched to the manager's own ``distinguishedName`` (so two Jane Does in different OUs stay apart), and a
    ``userAccountControl`` with the disabled flag (514) is a leaver."""
    (tmp_path / "ad.csv").write_text(CSVDE, encoding="utf-8")
    dry = run(tmp_path, "ad.csv", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "userAccountControl" in dry.stdout
    assert "514" in dry.stdout
    p = run(tmp_path, "ad.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    got = people(tmp_path)
    assert [got[f"hr:{n}"][3:] for n in (1001, 1002, 1003, 1004)] == [
        (None, True), ("hr:1001", True), ("hr:1002", False), ("hr:1002", True)]


def test_an_ad_export_without_the_dn_column_links_by_the_managers_common_name(tmp_path: Path) -> None:
    """``Get-ADUser -Properties Manager | Export-Csv`` gives the manager's DN but often no DistinguishedName
    column: the DN's common name ("Doe\\, John", escaped) is the manager's name."""
    (tmp_path / "ad.csv").write_text(
        "Name,EmployeeID,EmailAddress,Enabled,Manager\n"
        "Jane Doe,1001,jane@corp.com,True,\n"
        "John Doe,1002,john@corp.com,True,\"CN=Jane Doe,OU=Staff,DC=corp,DC=com\"\n"
        "Max Muster,1003,max@corp.com,False,\"CN=Doe\\, John,OU=Staff,DC=corp,DC=com\"\n", encoding="utf-8")
    p = run(tmp_path, "ad.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    got = people(tmp_path)
    assert (got["hr:1002"][3], got["hr:1003"][3:]) == ("hr:1001", ("hr:1002", False))


def test_google_workspace_user_export_reads_columns_with_remarks(tmp_path: Path) -> None:
    """The Admin console's "Download users" writes ``First Name [Required]``, ``Status [READ ONLY]``: the file
    was refused for a missing name column. A user without an Employee ID is rejected naming the row; the rest
    load, and the dry run says which remark it ignored."""
    (tmp_path / "users.csv").write_text(
        "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],"
        "Org Unit Path [Required],Status [READ ONLY],Last Sign In [READ ONLY],Employee ID,Employee Type,"
        "Employee Title,Manager Email,Department\n"
        "Ann,Lee,ann@example.com,****,/Eng,Active,2024/05/01 09:00:00,E1,Employee,CTO,,Eng\n"
        "Bo,Chen,bo@example.com,****,/Eng,Active,Never logged in,E2,Contractor,Engineer,ann@example.com,Eng\n"
        "Dee,Eve,dee@example.com,****,/Sales,Archived,2023/01/01 09:00:00,,Intern,Intern,ann@example.com,Sales\n",
        encoding="utf-8")
    dry = run(tmp_path, "users.csv", "--dry-run")
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "'[Required]' ignored" in dry.stdout
    p = run(tmp_path, "users.csv", "--rejects", "rej.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "users.csv, row 4: id is empty (column 'Employee ID')" in " ".join(p.stderr.split())
    assert people(tmp_path) == {"hr:E1": ("Ann Lee", "ann@example.com", None, None, True),
                                "hr:E2": ("Bo Chen", "bo@example.com", None, "hr:E1", True)}


def test_okta_user_report_reads_primary_email_and_account_states(tmp_path: Path) -> None:
    """Okta's user report: ``Primary email`` was no email column (so ``Manager`` emails matched no one), a user
    whose password expired was a leaver, and STAGED and DEPROVISIONED users were rejected as unknown statuses."""
    (tmp_path / "okta.csv").write_text(
        "Username,First name,Last name,Primary email,Status,Last login,Title,Department,Manager,Employee number\n"
        "ann@ex.com,Ann,Lee,ann@ex.com,ACTIVE,2024-05-01,CTO,Eng,,E1\n"
        "bo@ex.com,Bo,Chen,bo@ex.com,PASSWORD_EXPIRED,2024-03-01,Engineer,Eng,ann@ex.com,E2\n"
        "cy@ex.com,Cy,Diaz,cy@ex.com,STAGED,,Engineer,Eng,ann@ex.com,E3\n"
        "di@ex.com,Di,Eve,di@ex.com,DEPROVISIONED,2023-01-01,Engineer,Eng,bo@ex.com,E4\n", encoding="utf-8")
    p = run(tmp_path, "okta.csv")
    assert p.returncode == 0, p.stdout + p.stderr
    got = people(tmp_path)
    assert [(got[f"hr:E{n}"][1], got[f"hr:E{n}"][3], got[f"hr:E{n}"][4]) for n in (2, 3, 4)] == [
        ("bo@ex.com", "hr:E1", True), ("cy@ex.com", "hr:E1", True), ("di@ex.com", "hr:E2", False)]


def test_scim_users_list_response_loads_with_primary_emails_and_manager_references(tmp_path: Path) -> None:
    """A SCIM 2.0 ``GET /Users`` ListResponse (what Okta, Entra ID and most identity providers serve) was refused:
    no people under ``Resources``. Its emails are a list (the primary one is the person's), the enterprise
    extension's ``manager.value`` is the manager's SCIM id, and ``meta.location`` is the record's URL, no place."""
    ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    users = [
        {"id": "u-1", "userName": "js@ex.com", "displayName": "John Smith", "active": True, "title": "Director",
         "emails": [{"value": "js@ex.com", "type": "work", "primary": True}],
         ext: {"employeeNumber": "700001", "department": "Tours"},
         "meta": {"resourceType": "User", "location": "https://ex.com/scim/v2/Users/u-1"}},
        {"id": "u-2", "userName": "bj@ex.com", "displayName": "Babs Jensen", "active": True,
         "emails": [{"value": "babs@home.org", "type": "home"}, {"value": "bj@ex.com", "type": "work",
                                                                  "primary": True}],
         ext: {"department": "Tours", "manager": {"value": "u-1", "$ref": "../Users/u-1"}},
         "meta": {"resourceType": "User", "location": "https://ex.com/scim/v2/Users/u-2"}},
        {"id": "u-3", "userName": "old@ex.com", "displayName": "Ola Old", "active": False,
         "emails": [{"value": "old@ex.com", "type": "work"}],
         ext: {"manager": {"value": "u-1", "displayName": "John Smith"}}},
    ]
    (tmp_path / "users.json").write_text(json.dumps({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 3, "startIndex": 1,
        "itemsPerPage": 100, "Resources": users}), encoding="utf-8")
    dry = run(tmp_path, "users.json", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    p = run(tmp_path, "users.json")
    assert p.returncode == 0, p.stdout + p.stderr
    assert people(tmp_path) == {"hr:u-1": ("John Smith", "js@ex.com", None, None, True),
                                "hr:u-2": ("Babs Jensen", "bj@ex.com", None, "hr:u-1", True),
                                "hr:u-3": ("Ola Old", "old@ex.com", None, "hr:u-1", False)}


LDIF = """# ldifde -f staff.ldif -d "OU=Staff,DC=corp,DC=com"
version: 1

dn: OU=Staff,DC=corp,DC=com
objectClass: organizationalUnit
ou: Staff

dn: CN=Jane Doe,OU=Staff,DC=corp,DC=com
changetype: add
objectClass: user
displayName: Jane Doe
mail: jane@corp.com
employeeID: 1001
userAccountControl: 512

dn: CN=Doe\\, John,OU=Staff,DC=corp,DC=com
changetype: add
objectClass: user
displayName: John Doe
mail: john@corp.com
manager: CN=Jane Doe,OU=Staff,DC=corp,DC=com
employeeID: 1002
userAccountControl: 66048

dn:: Q049SsO8cmdlbiBNw7xsbGVyLE9VPVN0YWZmLERDPWNvcnAsREM9Y29t
changetype: add
objectClass: user
displayName:: SsO8cmdlbiBNw7xsbGVy
mail: juergen@corp.com
manager: CN=Doe\\, John,OU=Staff,DC=corp,DC=com
employeeID: 1003
userAccountControl: 514
description: a description that ldifde folds over the seventy-six character line li
 mit

dn: CN=Broken,OU=Staff,DC=corp,DC=com
objectClass: user
this line is no attribute

dn: CN=Staff-All,OU=Staff,DC=corp,DC=com
objectClass: group
member: CN=Jane Doe,OU=Staff,DC=corp,DC=com
"""


def test_an_ldif_dump_loads_its_people_with_dn_managers_and_skips_groups(tmp_path: Path) -> None:
    """``ldifde -f`` was read as a CSV and refused ("missing required column 'id' (columns: dn: ...)"). Its user
    entries load (base64 values and folded lines read), managers link by DN, a disabled account is a leaver, the
    group and OU entries are skipped and said, and a broken entry is rejected alone with its line."""
    (tmp_path / "staff.ldif").write_text(LDIF, encoding="utf-8")
    dry = run(tmp_path, "staff.ldif", "--dry-run")
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "an LDIF entry of objectClass group" in dry.stdout
    p = run(tmp_path, "staff.ldif", "--rejects", "rej.jsonl")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "staff.ldif, row 36: line 38 is not an LDIF 'attribute: value' line" in " ".join(p.stderr.split())
    got = people(tmp_path)
    assert [(got[f"hr:{n}"][0], got[f"hr:{n}"][3], got[f"hr:{n}"][4]) for n in (1001, 1002, 1003)] == [
        ("Jane Doe", None, True), ("John Doe", "hr:1001", True), ("Jürgen Müller", "hr:1002", False)]
