"""Reading a job title in a search (``schema.understand``) against an organisation's own titles.

A shipping line's directory, not the demo's: port captains, marine superintendents, a Datenschutzbeauftragte in
Hamburg. People search by role as often as by skill ("who is our DPO", "port captains in Bergen"); a title is read
from the words the organisation holds, its initials only when that title exists, and close spellings (plurals),
never from a list of English job words.
"""

from __future__ import annotations

import pytest

from schema.facets import title_matches
from schema.understand import Understood, Vocabulary, initials_of, understand

SKILLS = {"ballast-water": "ballast-water", "ism-code": "ism-code", "python": "python", "crewing": "crewing"}
TITLES = ["Port Captain", "Senior Port Captain", "Marine Superintendent", "Data Protection Officer",
          "Datenschutzbeauftragte", "Crewing Coordinator", "Chief Engineer Officer", "Python Developer", "Fleet",
          "Purchasing Coordinator", "Crewing Agent Navigator"]
VOCAB = Vocabulary.build(SKILLS, [], []).with_directory(["Bergen", "Hamburg"], ["Fleet", "Crewing", "Data"], TITLES)


def read(text: str, vocab: Vocabulary = VOCAB) -> Understood:
    return understand(text, vocab)


@pytest.mark.parametrize(("text", "role", "place"), [
    ("port captain", "Port Captain", None),
    ("who is a PORT CAPTAIN in bergen?", "Port Captain", "Bergen"),
    ("our data protection officer", "Data Protection Officer", None),  # not the Data department
    ("DPO in Hamburg", "Data Protection Officer", "Hamburg"),  # initials of a stored title
    ("dpo", "Data Protection Officer", None),
    ("DPOs", "Data Protection Officer", None),
    ("port captains in Bergen", "Port Captain", "Bergen"),  # a close spelling of a phrase
    ("crewing coordinators", "Crewing Coordinator", None),  # before the Crewing department or skill
    ("wer ist die datenschutzbeauftragte", "Datenschutzbeauftragte", None),
    ("datenschutzbeauftragten", "Datenschutzbeauftragte", None),
])
def test_a_role_is_read_from_the_organisation_s_titles(text: str, role: str, place: str | None) -> None:
    u = read(text)
    assert (u.skills, u.roles[:1], u.location) == ([], [role], place)


@pytest.mark.parametrize(("text", "words"), [
    ("who is a DPO in Hamburg", "DPO"),
    ("who is a port captain in bergen", "port captain"),  # not "a port captain", two edits from the title
    ("the port captains", "port captains"),
])
def test_the_words_that_named_a_role_are_kept_as_typed(text: str, words: str) -> None:
    u = read(text)
    assert list(u.role_words.values()) == [words]
    assert words not in u.leftover


@pytest.mark.parametrize("text", [
    "SRE", "site reliability engineer",  # no such title here: nothing read into it
    "pc",  # two-letter initials only in capitals ("PC"), as short ones are often ordinary words
    "who is our dpo",  # in a sentence, initials in lower case are too often ordinary words
    "can anyone help",  # "can": initials of a Crewing Agent Navigator, in lower case in a sentence
    "captain",  # a word of a title names no role by itself
    "how",
])
def test_words_the_organisation_has_no_title_for_are_not_a_role(text: str) -> None:
    assert read(text).roles == []


def test_initials_in_lower_case_in_a_sentence_are_only_offered() -> None:
    u = read("who is our dpo in hamburg")
    assert u.roles == []
    assert [(c.typed, c.meant) for c in u.role_hints] == [("dpo", "Data Protection Officer")]
    assert read("who is our DPO").role_hints == []


def test_initials_shared_by_two_titles_name_both() -> None:
    assert read("PC").roles == ["Port Captain", "Purchasing Coordinator"]


def test_a_skill_and_a_role_are_both_read_and_the_skill_wins_at_equal_length() -> None:
    u = read("ballast water port captain")
    assert (u.skills, u.roles) == (["ballast-water"], ["Port Captain"])
    assert read("python").skills == ["python"]
    assert read("python").roles == []
    assert read("python developer").roles == ["Python Developer"]  # the longer phrase is the title
    assert read("fleet").departments == ["Fleet"]
    assert read("fleet").roles == []


def test_without_titles_nothing_is_a_role() -> None:
    skills_only = Vocabulary.build(SKILLS, [], []).with_directory(["Bergen"], ["Fleet"])
    assert read("DPO", skills_only).roles == []
    assert read("python developer", skills_only).skills == ["python"]


def test_titles_hold_their_words_in_a_row() -> None:
    assert title_matches("port captain", TITLES + ["Port Captaincy Clerk", "Captain of the Port"]) == [
        "Port Captain", "Senior Port Captain"]
    assert initials_of("Marine Superintendent") == "ms"
    assert initials_of("Fleet") == ""


def test_of_two_spellings_of_one_title_the_one_written_as_a_title_is_named() -> None:
    vocab = Vocabulary.build(SKILLS, [], []).with_directory([], [], ["PORT  CAPTAIN", "Port Captain"])
    assert read("port captain", vocab).roles == ["Port Captain"]
