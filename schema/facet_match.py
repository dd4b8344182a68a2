"""Matching a typed department or location against the ones the directory holds, and saying what matched or why

Pure: the page hands in the known values (``GraphStore.directory_facets``) and gets back the exact value to filter
on, or suggestions to offer ("no one in 'berlim'; did you mean Berlin?").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from schema.facets import fold_case, fold_facet
from schema.facets import fold_facet as fold
from schema.skills import LATIN_EXTRA


@dataclass(frozen=True)
class FacetMatch:
    typed: str
    value: str | None  # the stored value to filter on; None: nothing matched
    suggestions: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """The typed text differs from the stored value only by case or spacing (worth telling the reader)."""
        return self.value is not None and self.value != self.typed


def match_facet(typed: str, known: Sequence[str], limit: int = 3) -> FacetMatch:
    """The known value equal to ``typed`` ignoring case, spacing and Unicode form (one spelt as typed first), then
    accents too (:func:`~schema.facets.fold_facet`, as the stores filter), else close ones as suggestions. A
    decomposed "Krako\u0301w" (macOS input) is the directory's "Krak\u00f3w": without normalising, the page said
    "no one in 'Kraków'; did you mean Kraków?".

    >>> match_facet("berlin", ["Berlin", "Paris"]).value
    'Berlin'
    >>> m = match_facet("Berlim", ["Berlin", "Paris"]); (m.value, m.suggestions)
    (None, ['Berlin'])
    >>> match_facet("Tokyo", ["Berlin", "Paris"]).suggestions
    []
    >>> match_facet("krako\u0301w", ["Krak\u00f3w"]).value == "Krak\u00f3w"
    True
    >>> match_facet("lodz", ["\u0141\u00f3d\u017a"]).value == "\u0141\u00f3d\u017a"
    True
    >>> match_facet("zurich", ["Z\u00fcrich", "Zurich"]).value, match_facet("\u0130STANBUL", ["Istanbul"]).value
    ('Zurich', 'Istanbul')
    >>> match_facet("\uff22\uff45\uff52\uff4c\uff49\uff4d", ["Berlin"]).suggestions
    ['Berlin']
    """
    as_typed = fold_case(typed)
    for value in known:
        if fold_case(value) == as_typed:
            return FacetMatch(typed, value)
    folded = fold_facet(typed)  # then without accents: "lodz" is the directory's "Łódź", as in a typed sentence
    for value in known:
        if fold_facet(value) == folded:
            return FacetMatch(typed, value)
    by_fold = {fold_facet(v): v for v in known}
    found = process.extract(folded, list(by_fold), scorer=fuzz.WRatio, limit=limit, score_cutoff=75)
    return FacetMatch(typed, None, [by_fold[text] for text, _, _ in found])


# the Latin letters Unicode does not decompose ("ł", "ø"), in both cases, so "Lodz" differs from "Łódź" by accents only
_LATIN_CASED = {**LATIN_EXTRA, **{ord(chr(k).upper()): str(v).capitalize() for k, v in LATIN_EXTRA.items()}}


def _bare(text: str) -> str:
    """``text`` in its compatibility form, one space between words, without accents, case kept."""
    compat = " ".join(unicodedata.normalize("NFKC", text).split())
    bare = "".join(c for c in unicodedata.normalize("NFKD", compat) if not unicodedata.combining(c))
    return bare.translate(_LATIN_CASED)


def forgiven(typed: str, value: str) -> str:
    """What the page forgave in matching ``typed`` to the stored ``value``, in words: "case does not matter",
    "character width does not matter" (a fullwidth "Ｂｅｒｌｉｎ" from an IME has the right case), "case and accents do
    not matter"... Spacing at the ends is not worth a mention.

    >>> forgiven("berlin", "Berlin"), forgiven("\uff22\uff45\uff52\uff4c\uff49\uff4e", "Berlin")
    ('case does not matter', 'character width does not matter')
    >>> forgiven("developpement", "D\u00e9veloppement"), forgiven("New  York", "New York")
    ('case and accents do not matter', 'spacing does not matter')
    >>> forgiven("\u0130STANBUL", "Istanbul"), forgiven("\uff22\uff25\uff32\uff2c\uff29\uff2e", "Berlin")
    ('case does not matter', 'character width and case do not matter')
    """
    parts = []
    if unicodedata.normalize("NFKC", typed) != unicodedata.normalize("NFC", typed):
        parts.append("character width")
    if " ".join(typed.split()) != typed.strip():
        parts.append("spacing")
    if _bare(typed) != _bare(value):
        parts.append("case")
    if fold_case(typed) != fold_case(value):
        parts.append("accents")
    if not parts:
        parts.append("case")  # Unicode form only (a decomposed accent): nothing a reader typed differently
    words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{words} {'does' if len(parts) == 1 else 'do'} not matter"


def why_no_one(filters: dict[str, str | None], facets: dict[str, list[str]]) -> str | None:
    """Why a filtered list came back empty, when a department or location filter explains it (the directory has no
    such value, or none at all: an HR export without a location column), for a reader who would otherwise see an
    empty list and no reason; None when every given filter names someone.

    >>> why_no_one({"location": "Berlin"}, {"location": [], "department": ["Sales"]})
    "no one in this directory has a location on record (the people were loaded without one), so no one is in 'Berlin'"
    >>> why_no_one({"location": "Berlim", "department": None}, {"location": ["Berlin", "Paris"]})
    "no one's location is 'Berlim'; did you mean Berlin?"
    >>> why_no_one({"department": "zurich"}, {"department": ["Z\u00fcrich"]}) is None
    True
    """
    for name, typed in filters.items():
        if not typed or not typed.strip():
            continue
        known = facets.get(name, [])
        if not known:
            return (f"no one in this directory has a {name} on record (the people were loaded without one), "
                    f"so no one is in '{typed}'")
        match = match_facet(typed, known)
        if match.value is None:
            said = f"no one's {name} is '{typed}'"
            return said + ("; did you mean " + " or ".join(match.suggestions) + "?" if match.suggestions else "")
    return None


__all__ = ["FacetMatch", "fold", "forgiven", "match_facet", "why_no_one"]
