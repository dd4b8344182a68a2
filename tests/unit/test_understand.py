"""Reading a search typed as people type it (``schema.understand``) against an organisation's own vocabulary.

The vocabulary here is a fabrication plant's, not the demo's: welding, metrology, Reykjavík, Ho Chi Minh City, the
Quality department. Whatever reads "who knows GTAW in reykjavik?" must work from the words an organisation has.
"""

from __future__ import annotations

import pytest

from schema.understand import Understood, Vocabulary, understand, words_of

SKILLS = {"tig-welding": "tig-welding", "gtaw": "tig-welding", "tungsten-arc-welding": "tig-welding",
          "metrology": "metrology", "cmm": "metrology", "c++": "c++", "ci/cd": "ci/cd", "ci-cd": "ci/cd",
          "lean-six-sigma": "lean-six-sigma", "機械学習": "機械学習", "how-to-guides": "how-to-guides"}
VOCAB = Vocabulary.build(SKILLS, ["Reykjavík", "Ho Chi Minh City", "Łódź", "Reading"], ["Quality", "Maintenance"])


def read(text: str) -> Understood:
    return understand(text, VOCAB)


@pytest.mark.parametrize(("text", "skills", "place"), [
    ("who knows GTAW in reykjavik?", ["tig-welding"], "Reykjavík"),
    ("Reykjavík tig welding", ["tig-welding"], "Reykjavík"),
    ("TIG WELDING   ho chi minh city", ["tig-welding"], "Ho Chi Minh City"),
    ("anyone doing tungsten arc welding in Lodz", ["tig-welding"], "Łódź"),
    ("Wer kennt sich mit Metrology in Łódź aus?", ["metrology"], "Łódź"),
    ("C++ and CI/CD", ["c++", "ci/cd"], None),
    ("lean six sigma, cmm", ["lean-six-sigma", "metrology"], None),
    ("tig wel ding", ["tig-welding"], None),  # words run together name it exactly
    ("tigwelding", ["tig-welding"], None),
    ("機械学習", ["機械学習"], None),
])
def test_skills_and_places_from_the_words(text: str, skills: list[str], place: str | None) -> None:
    u = read(text)
    assert (u.skills, u.location) == (skills, place)


def test_the_place_words_are_kept_as_typed_and_the_rest_left_over() -> None:
    u = read("who knows gtaw in reykjavik?")
    assert u.phrases == {"tig-welding": "gtaw"}
    assert u.location_words == {"Reykjavík": "reykjavik"}
    assert u.leftover == ["who", "knows", "in"]
    assert u.without_places() == "gtaw"


def test_a_department_is_read_only_where_no_skill_or_place_takes_the_word() -> None:
    assert read("metrology quality").departments == ["Quality"]
    assert read("metrology quality").skills == ["metrology"]


def test_several_places_are_all_named_in_order() -> None:
    assert read("welding in Reading or Reykjavik").locations == ["Reading", "Reykjavík"]


@pytest.mark.parametrize(("text", "meant"), [
    ("metrolgy", "metrology"),  # a letter dropped
    ("metorlogy", "metrology"),  # two letters swapped count as one edit
    ("tig weldng", "tig-welding"),  # a phrase with a typo
    ("welding", "tig-welding"),  # one word of a longer name, offered when nothing else matched
    ("sigma experts", "lean-six-sigma"),  # in a sentence too, for words of four letters or more
])
def test_close_spellings_are_offered_not_applied(text: str, meant: str) -> None:
    u = read(text)
    assert u.skills == []
    assert [c.meant for c in u.typos] == [meant]


@pytest.mark.parametrize("text", ["the", "who knows", "how do I", "", "?!", "   "])
def test_ordinary_words_get_no_did_you_mean(text: str) -> None:
    """Before (the API's partial-string matching), "the" offered a skill containing "t", "who knows" one with "w"."""
    u = read(text)
    assert (u.skills, u.typos, u.locations) == ([], [], [])


def test_a_place_typo_is_offered() -> None:
    u = read("metrology in reykjavk")
    assert (u.location, [c.meant for c in u.place_typos]) == (None, ["Reykjavík"])


def test_a_long_question_is_read_within_bounds() -> None:
    text = "please " * 400 + "gtaw in Reykjavík"
    assert len(words_of(text)) < 200
    u = read("gtaw in Reykjavík " + "please help " * 300)
    assert (u.skills, u.location) == (["tig-welding"], "Reykjavík")
