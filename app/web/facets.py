"""Case-insensitive matching of a typed department or location against the ones the directory holds.

Pure: the page hands in the known values (``GraphStore.directory_facets``) and gets back the exact value to filter
on, or suggestions to offer ("no one in 'berlim'; did you mean Berlin?").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from schema.facets import fold_case, fold_facet
from schema.facets import fold_facet as fold


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


__all__ = ["FacetMatch", "fold", "match_facet"]
