"""Numbers from untrusted exports, range-checked where they are parsed.

JSON allows integers of any length and Python parses them (up to 4,300 digits, past which ``int()`` raises a
ValueError the parsers did not expect); the stores hold signed 64-bit integers only. So:

- :func:`loads` parses JSON with an integer hook that never converts more than 19 digits: a longer or out-of-range
  integer becomes a :class:`BigInt` holding its text, which no numeric field accepts, so the *row* naming it is
  rejected ("score 922337...808 is out of range") and the rest of the document still loads;
- :func:`int_text` reads an integer from text (XML attributes, CSV cells) the same way;
- :func:`int_value` checks a decoded JSON value for a numeric field (integers, and floats with no fraction where a
  format writes them so; never booleans, NaN or infinity).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from schema.numbers import INT64_MAX, INT64_MIN

_MAX_DIGITS = 19  # 2**63 has 19 digits


class BigInt:
    """A JSON integer too large for any store, kept as (the start of) its text for the reject reason."""

    __slots__ = ("digits", "raw", "text")

    def __init__(self, text: str) -> None:
        self.raw = text  # the whole text: where a format allows a number as an id, the id it spells
        self.digits = len(text.lstrip("+-"))
        self.text = text if len(text) <= 24 else f"{text[:10]}...{text[-6:]}"

    def __repr__(self) -> str:
        return f"{self.text} ({self.digits} digits)" if self.digits > 24 else self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigInt) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)

    def __str__(self) -> str:
        return self.text


def _json_int(text: str) -> int | BigInt:
    if len(text) - (text[0] == "-") < _MAX_DIGITS:
        return int(text)
    if len(text) - (text[0] == "-") > _MAX_DIGITS:
        return BigInt(text)
    v = int(text)
    return v if INT64_MIN <= v <= INT64_MAX else BigInt(text)


# a surrogate escape not part of a high+low pair (a candidate only: `\\\\ud800` is an escaped backslash)
_LONE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})")


def _has_lone_surrogate(obj: Any) -> bool:
    """Whether any string (key or value) in a decoded document holds a lone surrogate (not Unicode text)."""
    stack = [obj]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return True
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


def _refuse_lone_surrogates(text: str, obj: Any) -> None:
    """JSONDecodeError when ``text`` escapes half a surrogate pair (``"\\ud800"``): RFC 8259 strings are Unicode
    text, and such a string can be neither stored as UTF-8 nor shown; it is invalid JSON as orjson and serde read it."""
    for m in _LONE.finditer(text):
        if m.group(1) is not None:
            if _has_lone_surrogate(obj):
                raise json.JSONDecodeError("lone surrogate escape (not Unicode text)", text, m.start(1))
            return


def loads(text: str | bytes, *, unicode_only: bool = True) -> Any:
    """``json.loads`` whose out-of-range integers come back as :class:`BigInt` (see the module docstring).

    With ``unicode_only`` (the default) a string escaping half a surrogate pair is invalid JSON
    (``json.JSONDecodeError``), as bad bytes are: the caller rejects the line or document naming it. HR exports
    pass False: they decode with ``surrogateescape`` and reject the row holding a bad byte themselves."""
    obj = json.loads(text, parse_int=_json_int)
    if unicode_only:
        _refuse_lone_surrogates(text if isinstance(text, str) else text.decode("utf-8", "replace"), obj)
    return obj


def _range_error(field: str, shown: object) -> ValueError:
    return ValueError(f"{field} {shown!r} is out of range (a whole number between -2^63 and 2^63-1 is expected)")


def int_value(value: Any, field: str, *, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """An integer for ``field`` from a decoded JSON value, or ValueError naming the field and the reason."""
    if isinstance(value, BigInt):
        raise _range_error(field, value)
    if isinstance(value, bool):
        raise ValueError(f"{field} must be a whole number, not {str(value).lower()}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"{field} {value!r} is not a whole number")
        if not float(lo) <= value <= float(hi) or not lo <= int(value) <= hi:
            raise _range_error(field, value)
        return int(value)
    if not isinstance(value, int):
        raise ValueError(f"{field} must be a whole number")
    if not lo <= value <= hi:
        raise _range_error(field, value if abs(value) < 10**24 else BigInt(str(value)))
    return value


def int_text(text: str, field: str, *, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """An integer for ``field`` from text (surrounding blanks allowed), converting at most 19 digits."""
    t = text.strip()
    body = t[1:] if t[:1] in "+-" else t
    if not body.isdigit() or not body.isascii():
        shown = t if len(t) <= 24 else f"{t[:10]}...{t[-6:]}"
        raise ValueError(f"{field} {shown!r} is not a whole number")
    stripped = body.lstrip("0") or "0"
    if len(stripped) > _MAX_DIGITS:
        raise _range_error(field, BigInt(t))
    v = int(t)
    if not lo <= v <= hi:
        raise _range_error(field, BigInt(t))
    return v


__all__ = ["BigInt", "int_text", "int_value", "loads"]
