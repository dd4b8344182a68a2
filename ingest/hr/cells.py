"""A workbook cell as the text an export would hold, and the cells that hold a spreadsheet's formula error.

- An id column of numbers is shown by its number format: ``000000`` pads 123 to ``000123``, and so do
  ``000000;@`` (a text section after it), ``"E"000000`` and ``\\E000000`` (a letter shown before the digits) and
  ``000-00-0000``. Only the plain ``000000`` was read before: the others lost the zeros or the letter the sheet
  shows, so the ids were not the ones last month's CSV gave (``hr:123`` beside ``hr:E000123``). Formats with a
  decimal point, a percent or an exponent are not an id's, and whole numbers in them stay as they are.
- A formula that failed (``#N/A`` from a lookup of the manager, ``#REF!`` after a column was deleted) is saved as
  an error value: read as text, "#REF! Ångström" became a person's name, and a manager of ``#N/A`` read as no
  manager, which removed the stored reporting line. A row with an error in a column the import reads is
  rejected, naming the cell. In a CSV saved from such a sheet the error is plain text; the literals below are
  read the same way there (``#N/A`` alone stays an empty value in a CSV, as several HR systems write it so).
- A line break typed in a cell (Alt-Enter in Excel: "Berlin" and "Mitte" on two lines) is kept in the cell's text,
  and a name, title, department or location held it ("Berlin\\nMitte" stored, shown on two lines, and never equal
  to the "Berlin Mitte" another export writes). Such single-line fields fold their whitespace to one space.
- A pivot table writes ``(blank)`` for an empty cell (``(Leer)``, ``(vide)``, ``(vacío)`` in a German, French or
  Spanish Excel), and a CSV saved from a sheet whose lookup failed holds ``#N/A``: both were stored as values (a
  department called "(blank)", a manager id "(blank)" reported as matching no one). Both are empty cells.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

# Excel's error values (#N/A is an empty value in a CSV, an error only as a workbook's error cell)
ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#SPILL!", "#CALC!", "#FIELD!",
                    "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA"})
# the text of a cell that is empty (case-folded): a pivot table's empty item, and a failed lookup's #N/A as text
BLANKS = frozenset({"(blank)", "(leer)", "(vide)", "(vacío)", "(vazio)", "(vuoto)", "#n/a"})
_TOKENS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[0#?]|.', re.DOTALL)


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell as the text an export would hold: dates in ISO form, whole numbers without ``.0``, and an id as
    its number format shows it (see the module docstring).

    >>> cell_text(123.0), cell_text(123, "000000"), cell_text(2.5), cell_text(None), cell_text(True)
    ('123', '000123', '2.5', '', 'true')
    >>> cell_text(123, '"E"000000'), cell_text(123, "000000;@"), cell_text(123456789, "000-00-0000")
    ('E000123', '000123', '123-45-6789')
    >>> cell_text(1234, "#,##0"), cell_text(5, "0.00"), cell_text(7, "0%"), cell_text(42, "General")
    ('1234', '5', '7', '42')
    >>> cell_text(datetime(2011, 7, 5)), cell_text(datetime(2011, 7, 5, 9, 30)), cell_text(date(2020, 1, 2))
    ('2011-07-05', '2011-07-05T09:30:00', '2020-01-02')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        whole = int(value)
        return (_shown(whole, number_format or "") if whole >= 0 else None) or str(whole)
    return str(value)


def _shown(whole: int, fmt: str) -> str | None:
    """``whole`` as a number format of digit placeholders and literal text shows it (the first section: the one
    for positive numbers), or None for any other format (General, decimals, thousands separators, percent)."""
    section = _first_section(fmt)
    tokens = _TOKENS.findall(section)
    slots = [t for t in tokens if t in ("0", "#", "?")]
    if "0" not in slots or any(t in (".", ",", "%", "E", "e", "/", "@", "*", "_") for t in tokens):
        return None
    literal = [t for t in tokens if t not in slots and not t.startswith("[")]
    if len(slots) == 1 and not literal:
        return None  # "0": the number as it is
    digits = str(whole)
    spare = digits[: max(0, len(digits) - len(slots))]  # digits beyond the placeholders go before the first one
    digits = digits[len(spare):].rjust(len(slots), "\0")
    out, k = [], 0
    for t in tokens:
        if t.startswith("["):
            continue
        if t in ("0", "#", "?"):
            d = digits[k]
            out.append((spare if k == 0 else "") + (d if d != "\0" else {"0": "0", "?": " "}.get(t, "")))
            k += 1
        else:
            out.append(t[1:-1] if t.startswith('"') else t[1:] if t.startswith("\\") else t)
    return "".join(out).strip()


def _first_section(fmt: str) -> str:
    """The part of a number format before its first ``;`` outside quotes."""
    quoted = False
    for i, ch in enumerate(fmt):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return fmt[:i]
    return fmt


def blank_or(value: Any) -> Any:
    """``value``, or None where its text says the cell is empty (:data:`BLANKS`).

    >>> blank_or("(blank)"), blank_or(" (Blank) "), blank_or("#N/A"), blank_or("Sales"), blank_or(7)
    (None, None, None, 'Sales', 7)
    """
    return None if isinstance(value, str) and value.strip().casefold() in BLANKS else value


# whitespace to fold: line breaks, tabs, no-break spaces; not the separators \x1c-\x1f, which are control
# characters (a damaged file, rejected as such by the record's check) that str.split() would take as spaces
_SPACES = re.compile(r"[^\S\x1c-\x1f]+")


def one_line(value: Any) -> Any:
    r"""A single-line field's text with its whitespace folded to one space and trimmed; anything else as it is.

    >>> one_line("Berlin\nMitte"), one_line(" Ann \r\n  Lee\t"), one_line("R&D\u00a0 Ops"), one_line(None)
    ('Berlin Mitte', 'Ann Lee', 'R&D Ops', None)
    >>> one_line("A\x1fB")
    'A\x1fB'
    """
    return _SPACES.sub(" ", value).strip() if isinstance(value, str) else value


def error_text(text: str) -> bool:
    """Whether a cell's text is one of Excel's formula errors (``#REF!``) written out as text."""
    return text.strip().upper() in ERRORS


__all__ = ["BLANKS", "ERRORS", "blank_or", "cell_text", "error_text", "one_line"]
