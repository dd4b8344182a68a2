"""Rows of a report that are not people: a second header row of labels, a report's total or footer lines, and a
directory's guest accounts.

An HR system's export often carries, besides the header and one row per person:

- a second header row of display labels under the technical one (SAP SuccessFactors' user data file writes
  ``STATUS,USERID,FIRSTNAME...`` then ``Status,User ID,First Name...``), or the header repeated further down
  (exports pasted together, a printed report's page breaks);
- total and footer lines at the end or between groups (``Total,7``, ``Total: 6 employees``, ``Grand Total``,
  ``Anzahl: 12``, ``End of report``, ``Page 1 of 3``).

Loaded as rows, they became a person called "7" with the id "Total", or a reject ("name is empty", "status
'Status' is not a known employment status") that says nothing of what the row is. They are skipped instead, and
the dry run names them. Pure functions over a row's cell texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.hr.status import fold

# the first words of a total or footer line (folded), in the languages exports come in
_FOOTER = re.compile(
    r"^(grand total|sub ?total|totals?|count|record count|row count|records|number of|headcount|"
    r"end of report|report (generated|run|total)|generated|printed|page \d+|confidential|"
    r"gesamt|insgesamt|summe|anzahl|total general|somme|nombre|totaal|aantal)\b"
)
_MAX_FOOTER_CELLS = 3  # "Total", a number and maybe a label; a person's row gives more


def footer_reason(fields: Sequence[str]) -> str | None:
    """Why a row is a report's total or footer line (None when it may be a person): at most three cells hold
    anything and the first of them starts with a total or footer word.

    >>> footer_reason(["Total", "7", ""]), footer_reason(["Total: 6 employees"]), footer_reason(["21001", "Ann"])
    ("a report's total line ('Total')", "a report's total line ('Total: 6 employees')", None)
    """
    filled = [f.strip() for f in fields if f and f.strip()]
    if not filled or len(filled) > _MAX_FOOTER_CELLS:
        return None
    if not _FOOTER.match(fold(filled[0])):
        return None
    return f"a report's total line ({filled[0][:40]!r})"


def label_row_reason(fields: Sequence[str], header: Sequence[str]) -> str | None:
    """Why a row is the header again or a row of labels for it (None when it is not): at least half of its filled
    cells, and at least two, name their own column (case, spaces and punctuation ignored: ``User ID`` under
    ``USERID``).

    >>> label_row_reason(["Status", "User ID", "First Name"], ["STATUS", "USERID", "FIRSTNAME"])
    'a row of column labels under the header'
    >>> label_row_reason(["active", "cgrant", "Carla"], ["STATUS", "USERID", "FIRSTNAME"]) is None
    True
    """
    pairs = [(_squash(f), _squash(h)) for f, h in zip(fields, header, strict=False) if f and f.strip()]
    same = sum(1 for f, h in pairs if f and f == h)
    if same >= 2 and 2 * same >= len(pairs):
        return "a row of column labels under the header"
    return None


def guest_reason(fields: Sequence[str], header: Sequence[str]) -> str | None:
    """Why a directory's row is no person of the organisation: an Entra ID guest (``userType`` ``Guest``: a
    supplier's or customer's account invited into a team), which loaded as a current employee, with a department
    and reports of their own, beside the staff.

    >>> guest_reason(["g@gmail.com", "Guest"], ["userPrincipalName", "userType"])
    "a guest account (userType 'Guest'), not a person of the organisation"
    >>> guest_reason(["a@x.com", "Member"], ["userPrincipalName", "userType"])
    """
    at = next((i for i, h in enumerate(header) if _squash(h) == "usertype"), None)
    if at is None or at >= len(fields) or _squash(fields[at]) != "guest":
        return None
    return f"a guest account ({header[at]} {fields[at].strip()!r}), not a person of the organisation"


def not_a_person(fields: Sequence[str], header: Sequence[str]) -> str | None:
    """Why a row is report furniture or a directory's guest rather than a person (see the module docstring), or
    None."""
    return label_row_reason(fields, header) or footer_reason(fields) or guest_reason(fields, header)


def _squash(text: str) -> str:
    return fold(text).replace(" ", "")


__all__ = ["footer_reason", "guest_reason", "label_row_reason", "not_a_person"]
