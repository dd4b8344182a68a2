"""How a typed department or location meets the stored ones: the one folding the web pages and the API share.

"berlin", " Berlin " and a decomposed "Zu\u0308rich" (macOS input, text pasted from a file name) are the directory's
"Berlin" and "Z\u00fcrich". The pages fold to suggest and to say what they matched; the stores fold to filter
(``GraphStore.experts``), so the API's ``experts(location: "berlin")`` finds whom the page finds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def fold_facet(text: str) -> str:
    """``text`` for comparing: one space between words, Unicode NFC, case-folded (then NFC again: folding may
    decompose, as "\u0130".casefold() does).

    >>> fold_facet("  Krako\u0301w  ") == fold_facet("KRAK\u00d3W")
    True
    >>> fold_facet("New   York")
    'new york'
    """
    nfc = unicodedata.normalize("NFC", " ".join(text.split()))
    return unicodedata.normalize("NFC", nfc.casefold())


def facet_matches(typed: str, known: Iterable[str]) -> list[str]:
    """Every stored value in ``known`` that ``typed`` folds equal to, in their order (several when sources spell
    one place differently: "Berlin" from HR, "BERLIN" from another export).

    >>> facet_matches("berlin", ["BERLIN", "Berlin", "Paris"])
    ['BERLIN', 'Berlin']
    >>> facet_matches("Zu\u0308rich", ["Z\u00fcrich"]) == ["Z\u00fcrich"]
    True
    >>> facet_matches("Tokyo", ["Berlin"])
    []
    """
    folded = fold_facet(typed)
    return [value for value in known if fold_facet(value) == folded]


__all__ = ["facet_matches", "fold_facet"]
