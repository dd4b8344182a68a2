"""How a typed department or location meets the stored ones: the one folding the web pages and the API share.

"berlin", " Berlin " and a decomposed "Zu\u0308rich" (macOS input, text pasted from a file name) are the directory's
"Berlin" and "Z\u00fcrich". The pages fold to suggest and to say what they matched; the stores fold to filter
(``GraphStore.experts``), so the API's ``experts(location: "berlin")`` finds whom the page finds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from schema.skills import LATIN_EXTRA

# characters that show nothing and join nothing: a zero-width space, word joiner, byte order mark, soft hyphen or
# Mongolian vowel separator pasted into "Sales" made a second "Sales" no filter or name search found (the joiners
# U+200C and U+200D are kept: Persian and Indic spelling and emoji need them)
_INVISIBLE = str.maketrans("", "", "\u200b\u2060\ufeff\u00ad\u180e")


def fold_facet(text: str) -> str:
    """``text`` for comparing: invisible characters out, one space between words, Unicode NFC, case-folded (then
    NFC again: folding may decompose, as "\u0130".casefold() does).

    >>> fold_facet("  Krako\u0301w  ") == fold_facet("KRAK\u00d3W")
    True
    >>> fold_facet("New   York"), fold_facet("Sa\u200bles\u00ad")
    ('new york', 'sales')
    """
    nfc = unicodedata.normalize("NFC", " ".join(text.translate(_INVISIBLE).split()))
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


def title_matches(typed: str, known: Iterable[str]) -> list[str]:
    """The stored job titles a typed role stands for, in their order: those whose words hold the typed words in a
    row, folded as names are. A directory's role is every seniority of it: "site reliability engineer" is also
    "Senior Site Reliability Engineer", where a department or a place is only its own spelling.

    >>> title_matches("site reliability ENGINEER", ["Senior Site Reliability Engineer", "Site Reliability Engineer",
    ...                                             "Reliability Engineer", "Site Reliability Engineering Lead"])
    ['Senior Site Reliability Engineer', 'Site Reliability Engineer']
    >>> title_matches("  ", ["Engineer"])
    []
    """
    want = fold_name(typed).split()
    n = len(want)
    out = []
    for value in known:
        words = fold_name(value).split()
        if n and any(words[i:i + n] == want for i in range(len(words) - n + 1)):
            out.append(value)
    return out


def fold_name(text: str) -> str:
    """A person's name for finding it: :func:`fold_facet`, then without accents, so "lucia hernandez" finds
    "Lucía Hernández" (people type names as their keyboard lets them).

    >>> fold_name("  Lucía  HERNÁNDEZ "), fold_name("Zo\u0308e")
    ('lucia hernandez', 'zoe')

    Latin letters Unicode does not decompose fold as skill names fold them, so "lodz" finds "Łódź" and
    "soren" finds "Søren" (before, the stroke stayed and neither was found):

    >>> fold_name("Łódź"), fold_name("Søren Ødegård")
    ('lodz', 'soren odegard')
    """
    decomposed = unicodedata.normalize("NFKD", fold_facet(text).translate(LATIN_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def names_matching(typed: str, folded: Iterable[tuple[str, str]], first: int = 10) -> list[str]:
    """The ids of the people whose name holds ``typed``, best first: the whole name, then names starting with it,
    then a word starting with it, then anywhere; by name within each. ``folded``: (id, :func:`fold_name` of the
    name), folded once per data version by the stores rather than at every lookup.

    >>> people = [("1", "Mariana Silva"), ("2", "Ana Lima"), ("3", "Ana"), ("4", "Bo Anaya"), ("5", "Li")]
    >>> names_matching("ana", [(i, fold_name(n)) for i, n in people])
    ['3', '2', '4', '1']
    """
    want = fold_name(typed)
    if not want:
        return []
    found: list[tuple[int, str, str]] = []
    for pid, have in folded:
        at = have.find(want)
        if at < 0:
            continue
        tier = 0 if have == want else 1 if at == 0 else 2 if f" {want}" in f" {have}" else 3
        found.append((tier, have, pid))
    return [pid for _, _, pid in sorted(found)[:first]]


__all__ = ["facet_matches", "fold_facet", "fold_name", "names_matching", "title_matches"]
