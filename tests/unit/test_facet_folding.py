"""Directory filters fold as a user expects: compatibility forms (fullwidth IME input), the Turkish I's and accents,
on top of case, spacing and Unicode normal form. Before, "Ｂｅｒｌｉｎ" and "\u0130stanbul" found no one in
"Berlin" and "Istanbul", and "Zurich" no one in "Z\u00fcrich" over the API (the page alone forgave the accent)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from graph.store.common import facet_filters
from schema.facet_match import match_facet
from schema.facets import facet_matches, fold_case, fold_facet, title_matches

PLACES = ["Berlin", "Istanbul", "Z\u00fcrich", "\u0141\u00f3d\u017a", "S\u00e3o Paulo", "Krak\u00f3w", "New York"]


def _fullwidth(text: str) -> str:
    """As an East Asian input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def _turkish_upper(text: str) -> str:
    """As a Turkish keyboard capitalises it: i is \u0130, \u0131 is I."""
    return text.replace("i", "\u0130").upper()


def test_what_users_type_finds_the_directory_spelling() -> None:
    typed = {"\uff22\uff45\uff52\uff4c\uff49\uff4e": "Berlin", "\u0130stanbul": "Istanbul", "\u0131stanbul": "Istanbul",
             "ISTANBUL": "Istanbul", "zurich": "Z\u00fcrich", "ZU\u0308RICH": "Z\u00fcrich",
             "lodz": "\u0141\u00f3d\u017a",
             "sao  paulo": "S\u00e3o Paulo", "\uff2e\uff45\uff57\u3000\uff39\uff4f\uff52\uff4b": "New York"}
    for text, meant in typed.items():
        assert facet_matches(text, PLACES) == [meant], text
        assert match_facet(text, PLACES).value == meant, text
    assert facet_matches("Paris", PLACES) == []
    assert facet_matches("Berlinn", PLACES) == []


def test_the_page_and_the_stores_resolve_alike() -> None:
    facets = {"department": ["R&D", "Recherche & D\u00e9veloppement"], "location": ["Z\u00fcrich", "Zurich", "Zug"],
              "title": ["Ing\u00e9nieur Logiciel", "Senior Ing\u00e9nieur Logiciel"]}
    assert facet_filters(facets, "recherche & developpement", "ZURICH", "ingenieur logiciel") == (
        ("Recherche & D\u00e9veloppement",), ("Z\u00fcrich", "Zurich"),
        ("Ing\u00e9nieur Logiciel", "Senior Ing\u00e9nieur Logiciel"))
    page = match_facet("zurich", facets["location"])
    assert page.value == "Zurich"  # the spelling as typed first, then the stores widen to both
    assert facet_filters(facets, None, page.value) == (None, ("Z\u00fcrich", "Zurich"), None)


def test_kana_keep_their_voicing_but_half_width_kana_fold() -> None:
    assert facet_matches("\u30ab\u30b9", ["\u30ac\u30b9"]) == []  # "kasu" is not "gasu"
    assert facet_matches("\uff76\uff9e\uff7d", ["\u30ac\u30b9"]) == ["\u30ac\u30b9"]  # half-width "gasu"
    assert title_matches("\uff25\uff4e\uff47\uff49\uff4e\uff45\uff45\uff52", ["Senior Engineer"]) == ["Senior Engineer"]


def test_case_only_fold_keeps_accents_for_the_pages_note() -> None:
    assert fold_case("\u0130STANBUL") == fold_case("Istanbul")
    assert fold_case("zurich") != fold_case("Z\u00fcrich")
    assert fold_facet("zurich") == fold_facet("Z\u00fcrich")


words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@given(words)
def test_folding_is_idempotent_and_ignores_the_ways_a_word_is_typed(text: str) -> None:
    folded = fold_facet(text)
    assert fold_facet(folded) == folded
    for variant in (text.upper(), text.lower(), f"  {text} ", _fullwidth(text), _turkish_upper(text),
                    unicodedata.normalize("NFD", text), unicodedata.normalize("NFKC", text)):
        assert fold_facet(variant) == folded, variant


@given(st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz \u00e9\u00fc\u00f8\u0131"), min_size=1, max_size=12))
def test_latin_words_match_their_variants_exactly(text: str) -> None:
    known = [text, "Atlantis"] if fold_facet(text) != fold_facet("Atlantis") else [text]
    for variant in (text.upper(), _fullwidth(text), _turkish_upper(text), unicodedata.normalize("NFD", text.title())):
        if fold_facet(text):
            assert facet_matches(variant, known) == [text], variant
