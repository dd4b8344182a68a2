"""Pure column and date decisions for exports a real HR analyst hands over: SAP SuccessFactors' field labels, a
directory's user export whose employee-id column is never filled (Google Workspace, Entra ID via PowerShell), and a
workbook date column holding one date typed as a serial number."""

from __future__ import annotations

from datetime import date
from typing import Any

from ingest.hr.columns import columns, id_column
from ingest.hr.dates import infer_date_column
from ingest.hr.mapping import ColumnMapping


def resolve(header: list[str], rows: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
    cols, how = columns(header, ColumnMapping(), "f.csv")
    id_column(header, list(enumerate(rows, start=2)), cols, how, ColumnMapping())
    return cols, how


def test_successfactors_field_labels_name_the_id_and_the_manager_id() -> None:
    cols, _ = resolve(["User/Employee ID", "First Name", "Last Name", "Manager User Sys ID"], [])
    assert (cols["id"], cols["manager_id"]) == ("User/Employee ID", "Manager User Sys ID")


def test_entra_id_object_id_is_the_id_and_a_sign_in_name_is_one_when_nothing_else_is() -> None:
    cols, _ = resolve(["userPrincipalName", "displayName", "mail", "objectId"], [])
    assert cols["id"] == "objectId"  # the directory's own key, never renamed with the person
    cols, _ = resolve(["UserPrincipalName", "DisplayName", "Manager"], [])
    assert cols["id"] == "UserPrincipalName"


def test_an_id_column_blank_on_every_row_gives_way_to_a_filled_id_column_then_to_the_email() -> None:
    header = ["UserPrincipalName", "DisplayName", "Manager", "EmployeeId"]
    rows = [{"UserPrincipalName": "ann@x.com", "DisplayName": "Ann", "Manager": "", "EmployeeId": ""},
            {"UserPrincipalName": "bo@x.com", "DisplayName": "Bo", "Manager": "ann@x.com", "EmployeeId": ""}]
    cols, how = resolve(header, rows)
    assert cols["id"] == "UserPrincipalName"
    assert "'EmployeeId' is blank on every row" in how["id"]
    assert cols["email"] == "UserPrincipalName"  # addresses, and no email column: the manager's UPN finds them
    google = ["First Name [Required]", "Last Name [Required]", "Email Address [Required]", "Employee ID"]
    cols, how = resolve(google, [{"First Name [Required]": "Ann", "Email Address [Required]": "ann@x.com",
                                  "Employee ID": None}])
    assert cols["id"] == "Email Address [Required]"
    assert "named by 'Email Address [Required]'" in how["id"]


def test_an_id_column_with_some_values_stays_the_id() -> None:
    header = ["Employee ID", "Name", "Email"]
    rows = [{"Employee ID": "E1", "Name": "Ann", "Email": "ann@x.com"},
            {"Employee ID": "", "Name": "Bo", "Email": "bo@x.com"}]
    cols, _ = resolve(header, rows)
    assert cols["id"] == "Employee ID"  # the row without one is rejected, naming it


def test_ids_that_are_not_all_addresses_are_no_email() -> None:
    rows = [{"id": "ann@x.com", "name": "Ann"}, {"id": "E2", "name": "Bo"}]
    cols, _ = resolve(["id", "name"], rows)
    assert "email" not in cols


def test_a_five_digit_number_among_dates_is_a_serial_and_a_year_is_not() -> None:
    col = infer_date_column("Hire Date", ["2008-01-15", "2012-03-02", "40729", "44270.5"])
    assert [col.parse("2008-01-15"), col.parse("40729"), col.parse("44270.5")] == [
        date(2008, 1, 15), date(2011, 7, 5), date(2021, 3, 15)]
    years = infer_date_column("Hire Date", ["2008-01-15", "2012-03-02", "2011"])
    assert not years.serial  # "2011" beside dates is a year, not 1905-07-03


def test_a_german_department_beats_an_english_stand_in_name() -> None:
    """Personio's export has "Abteilung" (the department) and "Team": "Team", an English stand-in, was the
    department because English names were all tried first. An English "Department" still beats "Team"."""
    cols, _ = resolve(["ID", "Vorname", "Nachname", "Abteilung", "Standort", "Team", "City"], [])
    assert (cols["department"], cols["location"]) == ("Abteilung", "Standort")
    cols, _ = resolve(["id", "name", "Team", "Department", "City", "Office"], [])
    assert (cols["department"], cols["location"]) == ("Department", "Office")
    cols, _ = resolve(["id", "name", "Team", "City"], [])
    assert (cols["department"], cols["location"]) == ("Team", "City")
