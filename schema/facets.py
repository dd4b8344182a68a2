"""How a typed department, location, job title or name meets the stored ones: the one folding the web pages and the
API share.

"berlin", " Berlin ", a decomposed "Zu\u0308rich" (macOS input), a fullwidth "Ｂｅｒｌｉｎ" (East Asian IME), a
Turkish "\u0130stanbul" and an unaccented "Zurich" are the directory's "Berlin", "Z\u00fcrich" and "Istanbul". The pages
fold to suggest and to say what they matched; the stores fold to filter (``GraphStore.experts``), so the API's
``experts(location: "zurich")`` finds whom the page finds.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from schema.skills import LATIN_EXTRA

# characters that show nothing and join nothing: a zero-width space, word joiner, byte order mark, soft hyphen or
# Mongolian vowel separator pasted into "Sales" made a second "Sales" no filter or name search found (the joiners
# U+200C and U+200D are kept: Persian and Indic spelling and emoji need them)
_INVISIBLE = str.maketrans("", "", "\u200b\u2060\ufeff\u00ad\u180e")


# the Turkish capital dotted I and small dotless i: "İ".casefold() is "i" plus a combining dot and "ı" has no case
# partner, so "İstanbul" and "ıstanbul" missed the directory's "Istanbul" (Turkish keyboards, copied text)
_TURKISH_I = str.maketrans({"\u0130": "i", "\u0131": "i"})
# marks that make another letter rather than accent one: the kana voicing marks ("ガ" is not "カ")
_KEPT_MARKS = frozenset("\u3099\u309a")


def fold_case(text: str) -> str:
    """``text`` compared as typed, up to case and form: invisible characters out, compatibility forms in (NFKC:
    a fullwidth "Ｂｅｒｌｉｎ" from an East Asian IME, a ligature, a no-break space), one space between words,
    case-folded with the Turkish I's as "i", NFKC again (folding may decompose). What the page calls "case does
    not matter".

    >>> fold_case("  Krako\u0301w  ") == fold_case("KRAK\u00d3W")
    True
    >>> fold_case("New\u00a0  York"), fold_case("Sa\u200bles\u00ad"), fold_case("\uff22\uff45\uff52\uff4c\uff49\uff4e")
    ('new york', 'sales', 'berlin')
    >>> fold_case("\u0130STANBUL") == fold_case("\u0131stanbul") == "istanbul"
    True
    """
    compat = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    spaced = " ".join(compat.split()).translate(_TURKISH_I)
    return " ".join(unicodedata.normalize("NFKC", spaced.casefold()).split())


def fold_facet(text: str) -> str:
    """``text`` for comparing a department, location, title or name: :func:`fold_case`, then without accents, so
    "Zurich" is the directory's "Zürich" and "lodz" its "Łódź" (people type places as their keyboard lets them).
    Latin letters Unicode does not decompose fold as skill names fold them; kana keep their voicing marks.

    >>> fold_facet("  Krako\u0301w  "), fold_facet("Z\u00fcrich"), fold_facet("\u0141\u00f3d\u017a")
    ('krakow', 'zurich', 'lodz')
    >>> fold_facet("New   York"), fold_facet("Sa\u200bles\u00ad"), fold_facet("S\u00f8ren \u00d8deg\u00e5rd")
    ('new york', 'sales', 'soren odegard')
    >>> fold_facet("\u0130stanbul") == fold_facet("ISTANBUL") == fold_facet("Ｉｓｔａｎｂｕｌ")
    True
    >>> fold_facet("\u30ac\u30b9") == fold_facet("\u30ab\u30b9"), fold_facet("\uff76\uff9e\uff7d") == "\u30ac\u30b9"
    (False, True)
    """
    decomposed = unicodedata.normalize("NFKD", fold_case(text).translate(LATIN_EXTRA))
    bare = "".join(c for c in decomposed if c in _KEPT_MARKS or not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", bare).split())  # a spacing accent ("¨") decomposes to a space


def facet_matches(typed: str, known: Iterable[str]) -> list[str]:
    """Every stored value in ``known`` that ``typed`` folds equal to (:func:`fold_facet`), in their order (several
    when sources spell one place differently: "Berlin" from HR, "BERLIN" or "Zurich" beside "Zürich" from another).

    >>> facet_matches("berlin", ["BERLIN", "Berlin", "Paris"])
    ['BERLIN', 'Berlin']
    >>> facet_matches("Zu\u0308rich", ["Z\u00fcrich"]) == ["Z\u00fcrich"]
    True
    >>> facet_matches("zurich", ["Z\u00fcrich", "Zurich", "Zug"]) == ["Z\u00fcrich", "Zurich"]
    True
    >>> facet_matches("\u0130stanbul", ["Istanbul"]), facet_matches("\uff22\uff45\uff52\uff4c\uff49\uff4e", ["Berlin"])
    (['Istanbul'], ['Berlin'])
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
    """A person's name for finding it, folded as departments and places are (:func:`fold_facet`): "lucia hernandez"
    finds "Lucía Hernández", "soren" finds "Søren".

    >>> fold_name("  Lucía  HERNÁNDEZ "), fold_name("Zo\u0308e")
    ('lucia hernandez', 'zoe')

    Left decomposed (NFKD), as before: a name is found as it is typed, and a Hangul syllable being composed ("기"
    on the way to "김") is a prefix of the name only as letters (jamo):

    >>> fold_name("\uae40\ubbfc\uc218").startswith(fold_name("\uae30")), fold_name("\uae40") == fold_name("\uae40")
    (True, True)
    """
    return unicodedata.normalize("NFKD", fold_facet(text))


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


__all__ = ["facet_matches", "fold_case", "fold_facet", "fold_name", "names_matching", "title_matches"]
