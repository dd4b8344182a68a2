"""References to employee ids that differ from the id only in how a spreadsheet wrote its number.

In an Excel workbook (and a CSV saved from one) the employee id column is often numbers (``123``, or ``123.0`` after
a float round trip) while the manager id column holds the same ids as text with leading zeros (``000123``), or the
other way round. Compared as text, no manager matched and the whole hierarchy was lost, each row reported. A
reference that matches no id exactly is matched here to the one id that writes the same number; when several ids
do (``0123`` and ``123`` both present) nothing is guessed and the candidates are given back for the report. The ids
themselves are never rewritten: a person keeps the id the export gave. Ids that are not all digits (``E0123``) are
never matched this way.

A number written with thousands separators (``21,001``, ``21.001``, ``21 001``, Swiss ``21'001``: a CSV saved from
a sheet whose id column had a number format with grouping) writes the number of ``21001``. Only the unambiguous
shape counts: one separator, every group after the first exactly three digits. Where the text reads as a whole
number with a decimal point as well (``21.000`` and ``21,000``: 21 with a float's zeros, or 21000), it stands for
both numbers; a reference that then matches several ids is reported with the candidates, never guessed. Pure
functions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

_NUMBER = re.compile(r"([0-9]+)(?:[.,]0+)?")  # a float cell's "123.0" (or "123,0" where the comma is decimal)
# 21,001 / 21.001 / 21 001 / 21'001 (no-break and thin spaces too), then perhaps a decimal part of zeros
_GROUPED = re.compile(r"([1-9][0-9]{0,2})([,. '\u00a0\u202f\u2009\u2019])([0-9]{3}(?:\2[0-9]{3})*)(?:([.,])0+)?")


def id_numbers(local: str) -> tuple[str, ...]:
    """Every number an id's text may write: its digits with leading zeros and a float's ``.0`` ignored, and its
    digits with thousands separators left out (see the module docstring); () for an id that is no whole number in
    ASCII digits. Two numbers only where both readings are whole numbers (``21.000``).

    >>> id_numbers("000123"), id_numbers("21,001"), id_numbers("21.001"), id_numbers("21 001"), id_numbers("1.000")
    (('123',), ('21001',), ('21001',), ('21001',), ('1', '1000'))
    >>> id_numbers("1,234,567"), id_numbers("1.234.567,00"), id_numbers("1,234.0"), id_numbers("12,34,567")
    (('1234567',), ('1234567',), ('1234',), ())
    >>> id_numbers("1,2345"), id_numbers("1,234.567"), id_numbers("1,234,5678"), id_numbers("0,001"), id_numbers("1 23")
    ((), (), (), (), ())
    """
    text = local.strip()
    found: list[str] = []
    m = _NUMBER.fullmatch(text)
    if m is not None:
        found.append(m.group(1))
    g = _GROUPED.fullmatch(text)
    if g is not None and g.group(4) != g.group(2):  # "1,234,000" is grouped; "1.000.0" is nothing
        found.append(g.group(1) + g.group(3).replace(g.group(2), ""))
    return tuple(dict.fromkeys(n.lstrip("0") or "0" for n in found))


def id_number(local: str) -> str | None:
    """The number an id's digits write, leading zeros and a float cell's trailing ``.0`` ignored; None for an id
    that is not a whole number written in ASCII digits, or that may write two (``21.000``: see :func:`id_numbers`).

    >>> id_number("000123"), id_number("123.0"), id_number(" 123 "), id_number("0"), id_number("000")
    ('123', '123', '123', '0', '0')
    >>> id_number("E0123"), id_number("12.5"), id_number("١٢٣"), id_number(""), id_number("-1"), id_number("1,000")
    (None, None, None, None, None, None)
    """
    found = id_numbers(local)
    return found[0] if len(found) == 1 else None


def said_number(local: str) -> str:
    """The number (or numbers) a reference writes, as a message gives it: ``21001``, ``21 or 21000``."""
    return " or ".join(id_numbers(local)) or local


@dataclass(frozen=True, slots=True)
class IdMatch:
    """What a reference names: ``id`` (None: no id, or several), ``by_number`` when it was not an exact match,
    ``candidates`` the ids that all read as the reference's number when there are several (nothing guessed)."""

    id: str | None
    by_number: bool = False
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


NO_MATCH = IdMatch(None)


class NumberIndex:
    """Ids by the number they write, for the references that match no id exactly. ``prefix``: the namespace the
    ids carry (``hr:``), which is not part of the number; ids outside it are left out."""

    __slots__ = ("_by_number", "_excluded", "prefix")

    def __init__(self, ids: Iterable[str], prefix: str = "") -> None:
        self.prefix = prefix
        self._by_number: dict[str, list[str]] = {}
        self._excluded: set[str] = set()
        for i in dict.fromkeys(ids):
            if not i.startswith(prefix):
                continue
            for n in id_numbers(i[len(prefix):]):
                self._by_number.setdefault(n, []).append(i)

    def exclude(self, refs: Iterable[str]) -> None:
        """Never match these references by number: each names something exactly (a row of the file that was
        rejected), which an exact match elsewhere would win over."""
        self._excluded.update(refs)

    def candidates(self, ref: str) -> tuple[str, ...]:
        """Every id that writes the number ``ref`` (with its prefix) writes, sorted; () for a non-number or an
        excluded reference."""
        if not ref.startswith(self.prefix) or ref in self._excluded:
            return ()
        return tuple(sorted({i for n in id_numbers(ref[len(self.prefix):]) for i in self._by_number.get(n, ())}))


def match_id(ref: str, exact: Collection[str], index: NumberIndex) -> IdMatch:
    """The id ``ref`` names: itself when it is one of ``exact`` (an exact match always wins), else the one id of
    ``index`` that writes the same number, else none, with the candidates when several do.

    >>> ids = ["123", "0456", "456", "E0789", "12.0x"]
    >>> index = NumberIndex(ids)
    >>> match_id("123", set(ids), index), match_id("000123", set(ids), index)
    (IdMatch(id='123', by_number=False, candidates=()), IdMatch(id='123', by_number=True, candidates=()))
    >>> match_id("456", set(ids), index).id, match_id("00456", set(ids), index).candidates
    ('456', ('0456', '456'))
    >>> match_id("E789", set(ids), index), match_id("9", set(ids), index)
    (IdMatch(id=None, by_number=False, candidates=()), IdMatch(id=None, by_number=False, candidates=()))
    """
    if ref in exact:
        return IdMatch(ref)
    found = index.candidates(ref)
    if len(found) == 1:
        return IdMatch(found[0], by_number=True)
    if len(found) > 1:
        return IdMatch(None, by_number=True, candidates=found)
    return NO_MATCH


__all__ = ["NO_MATCH", "IdMatch", "NumberIndex", "id_number", "id_numbers", "match_id", "said_number"]
