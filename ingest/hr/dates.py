"""Date columns of HR exports: the format of a whole column, inferred from all its values.

Exports write dates in many ways: ISO 8601 (``2021-03-15``, with or without a time), US ``03/15/2021``,
European ``15/03/2021`` and ``15.03.2021``, two-digit years (``3/15/21``), month names (``15-Mar-2021``,
``Mar 15, 2021``) and spreadsheet serial numbers (``44270``). python-dateutil parses one string at a time and has to
guess the order of ``03/04/2021`` from a flag; here the order is decided once per column, from every value: a first
number past 12 proves day-first, a second number past 12 proves month-first. A column with no such value is
ambiguous; it is read with the mapping's ``date_format``, ``date_order`` or ``locale`` when given, otherwise it is
reported once (naming the column) and its dates are left empty rather than guessed. ``DD.MM.YYYY`` with dots is
day-first by convention (no system writes month-first dates with dots). A serial counts days from the
workbook's date system: 1899-12-30 in the usual 1900 system, 1904-01-01 in a workbook saved in the 1904 system
(Excel for Mac's old default): a number typed in such a workbook's date column read four years and a day early.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

ORDERS = ("MDY", "DMY", "YMD")
_LABELS = {"MDY": "US MM/DD/YYYY", "DMY": "European DD/MM/YYYY", "YMD": "YYYY/MM/DD"}
# regions whose convention is month-first; everything else is day-first for numeric dates (year-first dates
# are recognised by their four-digit first part whatever the locale)
_MDY_REGIONS = frozenset({"US", "PR", "PH", "GU", "AS", "VI", "MP", "UM", "FM", "MH", "PW"})
_TIME = r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4})?)?"
_NUMERIC = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + r"$")
# year-first, with an optional offset straight after the date (xs:date, as Workday's RaaS writes 2011-07-05-07:00)
_YEAR_FIRST = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?:Z|[+-]\d{2}:\d{2})?" + _TIME + r"$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")
_COMPACT = re.compile(r"^(19|20)\d{6}$")
# a serial of 1927-05-18 to 2173-10-14: among other dates it is no year ("2011") nor any other number
_DAY_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}
_MON = r"([A-Za-z]{3,9})\.?"
_DAY_MON_YEAR = re.compile(r"^(\d{1,2})[ -]" + _MON + r"[ ,-]+(\d{4}|\d{2})" + _TIME + r"$")
_MON_DAY_YEAR = re.compile(r"^" + _MON + r"[ -](\d{1,2})(?:st|nd|rd|th)?,?[ -](\d{4}|\d{2})" + _TIME + r"$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 with Lotus's 1900 leap-year bug accounted for
EPOCH_1904 = date(1904, 1, 1)  # serial 0 of a workbook in the 1904 date system


def locale_order(locale: str) -> str:
    """``en_US`` / ``en-US`` / ``US`` -> "MDY"; any other region (``de_DE``, ``en_GB``, ``fr``) -> "DMY"."""
    region = re.split(r"[-_.@]", locale.strip())
    tag = region[1] if len(region) > 1 else region[0]
    return "MDY" if tag.upper() in _MDY_REGIONS else "DMY"


def _year(y: str) -> int:
    """Two-digit years: the nearest past-or-next-year century (``21`` -> 2021, ``87`` -> 1987)."""
    n = int(y)
    if len(y) == 4:
        return n
    this = date.today().year
    return 2000 + n if 2000 + n <= this + 1 else 1900 + n


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() if v is not None else ""


@dataclass(frozen=True)
class DateColumn:
    """How one column's dates are read: ``order`` of numeric day/month dates (None: the column has none, or is
    ambiguous), whether bare numbers are spreadsheet serials, and a strict ``date_format`` from the mapping."""

    column: str
    order: str | None = None
    serial: bool = False
    date_format: str | None = None
    ambiguous: bool = False
    proven: bool = False  # the order was proven by the column's own values (not taken from a hint)
    how: str = ""  # one line for the dry run: what was inferred and from what
    problem: str | None = None  # said once for the column (ambiguous or mixed orders)
    epoch: date = _EXCEL_EPOCH  # day 0 of serial numbers (a workbook's 1904 date system: 1904-01-01)

    @property
    def label(self) -> str:
        if self.date_format:
            return f"strptime {self.date_format!r}"
        if self.serial:
            return "spreadsheet serial numbers" + (" (1904 date system)" if self.epoch == EPOCH_1904 else "")
        if self.order:
            return _LABELS[self.order]
        return "ambiguous (not read)" if self.ambiguous else "ISO 8601"

    def parse(self, value: Any, what: str = "date") -> date | None:
        """The date of one value (None for blank, or for a value of an ambiguous column); ValueError otherwise."""
        t = _text(value)
        if not t:
            return None
        if self.date_format:
            try:
                return datetime.strptime(t, self.date_format).date()
            except ValueError:
                d = _unambiguous(t, what)
                if d is not None:
                    return d
                raise ValueError(f"{what} {t[:30]!r} matches neither ISO 8601 nor {self.date_format!r}") from None
        d = _unambiguous(t, what)
        if d is not None:
            return d
        m = _NUMERIC.match(t)
        if m is not None:
            if self.order is None:
                if self.ambiguous:
                    return None  # reported once for the column
                raise ValueError(f"{what} {t[:30]!r} is not a date this column's other values allow")
            a, b, y = int(m.group(1)), int(m.group(3)), _year(m.group(4))
            day, month = (a, b) if self.order == "DMY" else (b, a)
            try:
                return date(y, month, day)
            except ValueError:
                raise ValueError(f"{what} {t[:30]!r} is not a valid date read as {_LABELS[self.order]}") from None
        if self.serial and _SERIAL.match(t):
            return serial_date(t, what, self.epoch)
        forms = "ISO 8601" if self.label == "ISO 8601" else f"ISO 8601, {self.label}"
        raise ValueError(f"{what} {t[:30]!r} is not a date ({forms} or a month name)")


def serial_date(t: str, what: str = "date", epoch: date = _EXCEL_EPOCH) -> date:
    """The day a spreadsheet serial number counts to from ``epoch`` (the workbook's date system).

    >>> serial_date("44270"), serial_date("42808", epoch=EPOCH_1904)
    (datetime.date(2021, 3, 15), datetime.date(2021, 3, 15))
    """
    n = float(t)
    if not 1 <= n <= 2958465:
        raise ValueError(f"{what} {t[:30]!r} is out of the spreadsheet serial range")
    return epoch + timedelta(days=int(n))


def _unambiguous(t: str, what: str = "date") -> date | None:
    """ISO / year-first dates, compact YYYYMMDD and month names: read the same in every column. Raises ValueError
    for a value of one of these forms that is not a real date (``2021-02-30``)."""
    m = _YEAR_FIRST.match(t)
    if m is not None:
        try:
            return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            raise ValueError(f"{what} {t[:30]!r} is not a valid date") from None
    if len(t) >= 10 and t[4] == "-":
        try:
            return datetime.fromisoformat(t.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    if _COMPACT.match(t):
        try:
            return date(int(t[:4]), int(t[4:6]), int(t[6:]))
        except ValueError:
            return None
    for rx, day_first in ((_DAY_MON_YEAR, True), (_MON_DAY_YEAR, False)):
        m = rx.match(t)
        if m is None:
            continue
        day_s, mon_s = (m.group(1), m.group(2)) if day_first else (m.group(2), m.group(1))
        month = _MONTHS.get(mon_s.casefold())
        if month is None:
            return None
        try:
            return date(_year(m.group(3)), month, int(day_s))
        except ValueError:
            raise ValueError(f"{what} {t[:30]!r} is not a valid date") from None
    return None


def infer_date_column(
    column: str,
    values: Iterable[Any],
    *,
    date_format: str | None = None,
    date_order: str | None = None,
    locale: str | None = None,
    hint_from: str = "the mapping's hint",
    epoch: date | None = None,
) -> DateColumn:
    """Decide how to read a whole column from all its values (see the module docstring); ``epoch``: day 0 of the
    workbook's serial numbers when it is not the 1900 system's."""
    col = _infer(column, values, date_format=date_format, date_order=date_order, locale=locale, hint_from=hint_from)
    return replace(col, epoch=epoch) if epoch is not None else col


def _infer(column: str, values: Iterable[Any], *, date_format: str | None, date_order: str | None,
           locale: str | None, hint_from: str) -> DateColumn:
    if date_format:
        return DateColumn(column, date_format=date_format, how=f"[options] date_format = {date_format!r}")
    hint = date_order.upper() if date_order else (locale_order(locale) if locale else None)
    day_first = month_first = numeric = serials = other = 0
    short = 0  # serials of fewer than five digits: beside other dates they may be years
    dots = True
    example = ""
    for v in values:
        t = _text(v)
        if not t:
            continue
        m = _NUMERIC.match(t)
        if m is not None:
            numeric += 1
            dots = dots and m.group(2) == "."
            a, b = int(m.group(1)), int(m.group(3))
            if a > 12 >= b:
                day_first += 1
            elif b > 12 >= a:
                month_first += 1
            elif not example:
                example = t
        elif _SERIAL.match(t) and not _COMPACT.match(t):
            serials += 1
            short += not _DAY_SERIAL.match(t)
        else:
            other += 1
    # a workbook's date column shows its date cells as dates and a date typed into a cell of the General format
    # as its serial number (a row pasted from another sheet): the few five-digit numbers among dates are serials
    serial = serials > 0 and (serials >= numeric + other or not short)
    if numeric == 0:
        how = f"{serials} values" if serial else f"{other} values, each ISO 8601 or another unambiguous form"
        return DateColumn(column, serial=serial, how=how)
    if day_first and month_first:
        order = "DMY" if day_first > month_first else "MDY"
        n_in, n_out = max(day_first, month_first), min(day_first, month_first)
        return DateColumn(
            column, order=order, serial=serial, proven=True,
            how=f"{_LABELS[order]} (from {n_in} values; {n_out} disagree)",
            problem=(f"column {column!r} mixes day-first ({day_first} values) and month-first ({month_first} values)"
                     f" dates; read as {_LABELS[order]}, and the values that do not fit are rejected"),
        )
    if day_first or month_first:
        order = "DMY" if day_first else "MDY"
        return DateColumn(column, order=order, serial=serial, proven=True,
                          how=f"{_LABELS[order]} ({max(day_first, month_first)} of {numeric} values prove it)")
    if hint in ORDERS:
        return DateColumn(column, order=hint, serial=serial, how=f"{_LABELS[hint]} (from {hint_from})")
    if dots:
        return DateColumn(column, order="DMY", serial=serial, how="DD.MM.YYYY (dots: day first by convention)")
    return DateColumn(
        column, serial=serial, ambiguous=True, how="ambiguous: no value has a day or month past 12",
        problem=(f"column {column!r}: dates such as {example!r} read as MM/DD or DD/MM and no value settles it; "
                 'its dates are left empty. Set [options] date_order = "MDY" or "DMY" (or locale, e.g. '
                 '"en_US") in --mapping'),
    )


__all__ = ["EPOCH_1904", "ORDERS", "DateColumn", "infer_date_column", "locale_order", "serial_date"]
