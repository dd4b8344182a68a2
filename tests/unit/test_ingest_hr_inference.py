"""Date-format inference per column, employment-status vocabularies, and manager linking (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.hr.dates import EPOCH_1904, infer_date_column, locale_order
from ingest.hr.managers import ManagerRef, PersonKeys, name_keys, resolve_managers
from ingest.hr.status import parse_status, value_map


def read(values: list[str], **hints: str) -> list[date | None]:
    col = infer_date_column("Hire Date", values, **hints)
    return [col.parse(v) for v in values]


def test_us_column_is_inferred_from_a_month_first_value_anywhere() -> None:
    values = ["07/05/2011", "03/04/2012", "01/12/2015", "12/31/2019", "1/9/2016"]
    col = infer_date_column("Hire Date", values)
    assert (col.order, col.problem) == ("MDY", None)
    assert read(values) == [date(2011, 7, 5), date(2012, 3, 4), date(2015, 1, 12), date(2019, 12, 31),
                            date(2016, 1, 9)]


def test_european_slashes_dots_and_two_digit_years() -> None:
    assert read(["05/07/2011", "31/01/2012"]) == [date(2011, 7, 5), date(2012, 1, 31)]
    assert read(["05.07.2011", "01.02.2012"]) == [date(2011, 7, 5), date(2012, 2, 1)]  # dots: day first
    assert read(["5/7/11", "13/1/99"]) == [date(2011, 7, 5), date(1999, 1, 13)]


def test_iso_times_month_names_compact_and_serials() -> None:
    assert read(["2021-03-15", "2021-03-15T09:30:00Z", "2021/03/15 10:00"]) == [date(2021, 3, 15)] * 3
    assert read(["15-Mar-2021", "Mar 15, 2021", "15 March 2021", "20210315"]) == [date(2021, 3, 15)] * 4
    col = infer_date_column("Start", ["44270", "40729.0", ""])
    assert col.serial
    assert [col.parse("44270"), col.parse(40729.0)] == [date(2021, 3, 15), date(2011, 7, 5)]
    assert read(["07/05/2011 09:00", "12/31/2019 5:30 PM"]) == [date(2011, 7, 5), date(2019, 12, 31)]


def test_a_value_that_is_no_date_names_each_accepted_form_once() -> None:
    iso = infer_date_column("Start", ["2021-03-15"])
    with pytest.raises(ValueError, match=r"^date 'soon' is not a date \(ISO 8601 or a month name\)$"):
        iso.parse("soon")
    us = infer_date_column("Start", ["12/31/2019"])
    with pytest.raises(ValueError, match=r"\(ISO 8601, US MM/DD/YYYY or a month name\)$"):
        us.parse("soon")


def test_ambiguous_column_is_said_once_and_never_guessed() -> None:
    col = infer_date_column("Hire Date", ["03/04/2021", "05/06/2020", "2021-01-01"])
    assert col.ambiguous
    assert col.order is None
    assert col.problem is not None
    assert "'Hire Date'" in col.problem
    assert "date_order" in col.problem
    assert col.parse("03/04/2021") is None
    assert col.parse("2021-01-01") == date(2021, 1, 1)  # unambiguous forms still read


@pytest.mark.parametrize(("hints", "expect"), [
    ({"date_order": "DMY"}, date(2021, 4, 3)), ({"date_order": "MDY"}, date(2021, 3, 4)),
    ({"locale": "en_US"}, date(2021, 3, 4)), ({"locale": "de-DE"}, date(2021, 4, 3)),
    ({"locale": "en_GB"}, date(2021, 4, 3)), ({"date_format": "%d/%m/%Y"}, date(2021, 4, 3)),
])
def test_hints_settle_an_ambiguous_column(hints: dict[str, str], expect: date) -> None:
    col = infer_date_column("d", ["03/04/2021"], **hints)
    assert col.problem is None
    assert col.parse("03/04/2021") == expect


def test_evidence_beats_a_locale_hint_and_mixed_orders_reject_the_odd_values() -> None:
    assert infer_date_column("d", ["12/31/2020"], locale="de_DE").order == "MDY"
    col = infer_date_column("d", ["12/31/2020", "11/30/2020", "31/12/2020"])
    assert col.order == "MDY"
    assert col.problem is not None
    assert "mixes" in col.problem
    with pytest.raises(ValueError, match="not a valid date read as US"):
        col.parse("31/12/2020", "hire date")


def test_locale_order() -> None:
    assert [locale_order(x) for x in ("en_US", "en-US", "US", "fr_FR", "en_GB.UTF-8", "de")] == \
        ["MDY", "MDY", "MDY", "DMY", "DMY", "DMY"]


@pytest.mark.parametrize("value", ["Voluntarily Terminated", "Terminated for Cause", "Terminated", "Resigned",
                                   "Retired", "Deceased", "Inactive", "Former", "Ended", "Involuntarily terminated",
                                   "inactive", "Garden leave", "Discarded", "Reported No Show", "No", "false",
                                   "TERMINATED - RIF", "Not active", "Gekündigt", "Beendet", "Austritt",
                                   "Austritt zum 31.03.", "Freigestellt", "Ex-employee", "ex contractor"])
def test_leavers_are_inactive(value: str) -> None:
    assert parse_status(value) is False


@pytest.mark.parametrize("value", ["Active", "On leave", "Leave of Absence", "Paid Leave", "Unpaid Leave",
                                   "Employed", "Hired", "onboarding", "leave", "Full-Time", "Part-Time",
                                   "Contractor", "Suspended", "Furlough", "yes", "1", "", "Active - Probation"])
def test_current_employees_are_active(value: str) -> None:
    assert parse_status(value) is True


@pytest.mark.parametrize("value", ["PASSWORD_EXPIRED", "LOCKED_OUT", "STAGED", "PROVISIONED", "RECOVERY",
                                   "Pending user action", "Enabled", "Pre-Start", "Not yet started", "Notice period",
                                   "Fixed term", "Permanent", "Temp", "Short Term Disability", "FMLA",
                                   "Accepted", "Offer accepted"])
def test_account_states_and_future_hires_of_identity_and_hr_exports_are_current(value: str) -> None:
    """An Okta user whose password expired was a leaver (the stem "expired"), and Okta's staged or locked-out
    users, Dayforce's Pre-Start hires and employment types were rejected as unknown statuses."""
    assert parse_status(value) is True


@pytest.mark.parametrize("value", ["DEPROVISIONED", "Deactivated", "Disabled", "Archived", "Term",
                                   "Deprovisioned (rehire eligible)"])
def test_deprovisioned_disabled_and_archived_accounts_are_leavers(value: str) -> None:
    assert parse_status(value) is False


def test_value_map_wins_and_unknown_status_names_the_fix() -> None:
    vm = value_map({"Alumni Network": False, "Terminated (Rehire pending)": True})
    assert parse_status("alumni network", vm) is False
    assert parse_status("Terminated (rehire pending)", vm) is True
    with pytest.raises(ValueError, match=r"status 'Zombie' .*\[values.active\]"):
        parse_status("Zombie")


def test_name_keys_fold_order_case_accents_and_middle_names() -> None:
    assert name_keys("LaPotin, Mathew M")[1] == name_keys("Mathew LaPotin")[0] == "mathew lapotin"
    assert name_keys("Zoë O'Brien-Smith") == name_keys("OBRIEN-SMITH, ZOE")
    assert name_keys("Lee, Ann B.") == ("ann b lee", "ann lee")


def people(*rows: tuple[str, str, str | None, str | None]) -> list[PersonKeys]:
    return [PersonKeys(f"hr:{i}", n, (name,), email, code) for n, (i, name, email, code) in
            enumerate(rows, start=2)]


def test_managers_by_id_email_name_both_orders_and_code_column() -> None:
    ps = people(("1", "Albert, Michael", "m.albert@x.com", "P100"), ("2", "Béa Ruiz", None, "P200"),
                ("3", "Cy Doe", None, None), ("4", "Dee Poe", None, None), ("5", "Eve Ng", None, None),
                ("6", "Fay Wu", None, None))
    refs = [ManagerRef("hr:2", 3, id="hr:1"), ManagerRef("hr:3", 4, email="M.Albert@X.com"),
            ManagerRef("hr:4", 5, name="Michael Albert"), ManagerRef("hr:5", 6, name="RUIZ, Bea"),
            ManagerRef("hr:6", 7, code="P200")]
    out = resolve_managers(ps, refs)
    assert out.links == {"hr:2": "hr:1", "hr:3": "hr:1", "hr:4": "hr:1", "hr:5": "hr:2", "hr:6": "hr:2"}
    assert out.linked_by == {"id": 1, "email": 1, "name": 2, "code": 1}
    assert out.problems == []


def test_manager_code_learnt_from_names_given_beside_it() -> None:
    ps = people(("1", "Michael Albert", None, None), ("2", "Ann Lee", None, None), ("3", "Bob Roy", None, None))
    refs = [ManagerRef("hr:2", 3, name="Michael Albert", code="22"), ManagerRef("hr:3", 4, code="22")]
    assert resolve_managers(ps, refs).links == {"hr:2": "hr:1", "hr:3": "hr:1"}


def test_a_name_fitting_two_people_is_reported_once_and_not_linked() -> None:
    ps = people(("1", "John Smith", None, None), ("2", "Smith, John A", None, None), ("3", "Ann Lee", None, None),
                ("4", "Bob Roy", None, None))
    refs = [ManagerRef("hr:3", 4, name="John Smith"), ManagerRef("hr:4", 5, name="john smith")]
    out = resolve_managers(ps, refs)
    assert out.links == {}
    assert out.ambiguous == 2
    [problem] = out.problems
    assert problem.kind == "ambiguous"
    assert problem.rows == (4, 5)
    assert "fits 2 people" in problem.reason
    # the full name with its middle initial is not ambiguous
    assert resolve_managers(ps, [ManagerRef("hr:3", 4, name="John A Smith")]).links == {"hr:3": "hr:2"}


def test_a_reporting_cycle_is_reported_and_not_loaded() -> None:
    ps = people(("1", "Ann", None, None), ("2", "Bob", None, None), ("3", "Cy", None, None), ("4", "Dee", None, None))
    refs = [ManagerRef("hr:1", 2, id="hr:2"), ManagerRef("hr:2", 3, id="hr:3"), ManagerRef("hr:3", 4, id="hr:1"),
            ManagerRef("hr:4", 5, id="hr:1")]
    out = resolve_managers(ps, refs)
    assert out.links == {"hr:4": "hr:1"}
    assert out.cycle == 3
    [problem] = out.problems
    assert problem.kind == "cycle"
    assert problem.rows == (2, 3, 4)
    assert "reporting cycle 1 -> 2 -> 3 -> 1" in problem.reason


def test_unresolved_managers_grouped_by_value_and_store_people_are_targets() -> None:
    ps = people(("1", "Ann", None, None), ("2", "Bob", None, None), ("3", "Cy", None, None))
    refs = [ManagerRef("hr:1", 2, name="Nobody Here"), ManagerRef("hr:2", 3, name="Nobody Here"),
            ManagerRef("hr:3", 4, id="hr:99")]
    out = resolve_managers(ps, refs, known_ids={"hr:99"})
    assert out.links == {"hr:3": "hr:99"}
    assert out.unresolved == 2
    [problem] = out.problems
    assert "name 'Nobody Here'" in problem.reason
    assert problem.rows == (2, 3)


def test_serials_count_from_the_workbooks_date_system() -> None:
    """A 1904-system workbook's numbers were read from 1899-12-30: four years and a day early."""
    col = infer_date_column("Hire Date", ["42808", "2021-03-15"], epoch=EPOCH_1904)
    assert (col.serial, col.label) == (True, "spreadsheet serial numbers (1904 date system)")
    assert [col.parse(v) for v in ("42808", "2021-03-15")] == [date(2021, 3, 15)] * 2
    assert infer_date_column("Hire Date", ["44270"]).parse("44270") == date(2021, 3, 15)
