"""What a search typed as people type it names: skills, a place, a department, a job title, and typos worth a
"did you mean".

"who knows k8s in Berlin?", "Berlin kubernetes", "kube rnetes", "pyhton": the words are read against the
organisation's own vocabulary (its skill names and aliases, its locations and departments, as the store holds them),
never against a list of words tuned to one organisation. Longer phrases win ("machine learning" before "machine",
"New York" before "York"), and at equal length a skill wins over a place, a place over a department, a department
over a job title, so "data science" is a skill and "the data team" names the Data department. A job title is
named by its stored words, by their initials when the organisation has that title ("SRE" or "SREs" for a stored
"Site Reliability Engineer"; in lower case only as the whole search, "sre": in a sentence, initials in lower case
are too often ordinary words, "who", "can", "it"), or by a close spelling of it ("site reliability engineers").
Words naming nothing are left over: the pages say what they understood rather than guess what "who knows" means.
Pure: the pages hand in the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from rapidfuzz import process
from rapidfuzz.distance import OSA

from schema.errors import SchemaError
from schema.facets import fold_name
from schema.skills import canonical_skill

# a word: letters or digits, with the + # . that carry meaning (c++, c#, node.js, .net); "ci/cd" is two words
# that meet again as the phrase "ci-cd"
_WORD = re.compile(r"\.?[^\W_][\w+#.]*", re.UNICODE)
MAX_TEXT = 1000
MAX_PHRASE = 6  # words in the longest name looked for (the vocabulary's longest, up to this)
MAX_PART_HINTS = 3  # skills offered for one word of their names
MIN_TYPO_LEN = 4  # shorter words are too often ordinary words one letter from a short skill ("the", "go")
MAX_TYPO_WORDS = 20  # leftover words of a long question checked for typos (each against every skill)


@dataclass(frozen=True)
class Correction:
    typed: str  # the word as typed
    meant: str  # the skill (canonical) or stored place it is one or two edits from


@dataclass(frozen=True)
class Understood:
    """What a typed search names. ``skills``: canonical names, in the order typed; ``phrases``: the words that
    named each (as typed); places and departments: the stored spellings."""

    text: str
    skills: list[str] = field(default_factory=list)
    phrases: dict[str, str] = field(default_factory=dict)
    locations: list[str] = field(default_factory=list)
    location_words: dict[str, str] = field(default_factory=dict)
    departments: list[str] = field(default_factory=list)
    department_words: dict[str, str] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)  # job titles as stored (each may stand for longer ones)
    role_words: dict[str, str] = field(default_factory=dict)  # the words that named each, as typed
    role_hints: list[Correction] = field(default_factory=list)  # titles a leftover word may abbreviate ("sre")
    typos: list[Correction] = field(default_factory=list)  # skills a leftover word may have meant
    place_typos: list[Correction] = field(default_factory=list)  # places a leftover word may have meant
    leftover: list[str] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        return self.locations[0] if self.locations else None

    def without_places(self) -> str:
        """The text's skills alone (the words naming them, as typed): what to search for everywhere."""
        return " ".join(self.phrases[s] for s in self.skills)


@dataclass(frozen=True)
class Vocabulary:
    """The organisation's words, folded once: skills (name or alias -> canonical), locations, departments."""

    skills: Mapping[str, str]
    locations: Mapping[str, str]  # fold_name(stored) -> stored
    departments: Mapping[str, str]
    squashed: Mapping[str, str]  # skill name or alias without its hyphens ("datascience") -> canonical
    parts: Mapping[str, list[str]]  # one word of a skill's name ("ux" of ux-design) -> those skills
    longest: int = 1  # words in the longest name ("Ho Chi Minh City": 4), at most MAX_PHRASE
    titles: Mapping[str, str] = field(default_factory=dict)  # fold_name(stored job title) -> stored
    initials: Mapping[str, list[str]] = field(default_factory=dict)  # "sre" -> the stored titles it abbreviates
    # keys of ``titles`` by (words, characters): a close spelling has the title's words ("a port captain" is not one)
    title_lengths: Mapping[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, skills: Mapping[str, str], locations: Iterable[str], departments: Iterable[str]) -> Vocabulary:
        """``skills``: every skill name and alias -> its canonical name (``SkillIndex.names``)."""
        def folded(values: Iterable[str]) -> dict[str, str]:
            out: dict[str, str] = {}
            for v in values:
                if v and fold_name(v):
                    out.setdefault(fold_name(v), v)
            return out
        squashed: dict[str, str] = {}
        parts: dict[str, list[str]] = {}
        for name, canon in skills.items():
            squashed.setdefault(name.replace("-", ""), canon)
            for part in canon.split("-") if "-" in canon else ():
                if canon not in parts.setdefault(part, []):
                    parts[part].append(canon)
        places, teams = folded(locations), folded(departments)
        longest = max((len(words_of(n.replace("-", " "))) for n in [*skills, *places, *teams]), default=1)
        return cls(dict(skills), places, teams, squashed, parts, min(max(longest, 1), MAX_PHRASE))

    def with_directory(self, locations: Iterable[str], departments: Iterable[str],
                       titles: Iterable[str] = ()) -> Vocabulary:
        """The same skills with a directory's places, departments and job titles (the skills' indexes are not
        rebuilt)."""
        directory = Vocabulary.build({}, locations, departments)
        folded: dict[str, str] = {}
        initials: dict[str, list[str]] = {}
        # of the spellings two HR systems give one title, the one written as a title is named ("Port Captain", not
        # "PORT  CAPTAIN")
        for t in sorted(titles, key=lambda t: (t.isupper(), t != " ".join(t.split()), t)):
            key = fold_name(t)
            if not key or key in folded:
                continue
            folded[key] = t
            short = initials_of(key)
            if short and t not in initials.setdefault(short, []):
                initials[short].append(t)
        longest = max((len(k.split()) for k in folded), default=1)
        return replace(self, locations=directory.locations, departments=directory.departments, titles=folded,
                       initials=initials, title_lengths=by_length(folded),
                       longest=min(max(self.longest, directory.longest, longest), MAX_PHRASE))

    def skill(self, words: list[str]) -> str | None:
        """The canonical skill these words name (as a phrase, or run together: "kube rnetes"), else None."""
        candidates = ["-".join(words)] + (["".join(words)] if len(words) > 1 else [])
        for text in candidates:
            try:
                canon = canonical_skill(text)
            except SchemaError:
                continue
            hit = self.skills.get(canon) or self.skills.get(text.casefold()) or self.squashed.get(
                canon.replace("-", ""))
            if hit is not None:
                return hit
        return None


def initials_of(title: str) -> str:
    """The initials a title is abbreviated by: the first letter of each of its words, when it has two or more words
    that all begin with a letter ("" otherwise).

    >>> initials_of("site reliability engineer"), initials_of("data protection officer"), initials_of("engineer")
    ('sre', 'dpo', '')
    >>> initials_of("engineer ii"), initials_of("engineer 2")
    ('ei', '')
    """
    words = fold_name(title).split()
    if len(words) < 2 or not all(w[0].isalpha() for w in words):
        return ""
    return "".join(w[0] for w in words)


def by_length(keys: Iterable[str]) -> dict[tuple[int, int], tuple[str, ...]]:
    """``keys`` grouped by their number of words and of characters, in their order.

    >>> by_length(["cto", "ceo", "port captain"])
    {(1, 3): ('cto', 'ceo'), (2, 12): ('port captain',)}
    """
    out: dict[tuple[int, int], list[str]] = {}
    for k in keys:
        out.setdefault((len(k.split()), len(k)), []).append(k)
    return {n: tuple(v) for n, v in out.items()}


def words_of(text: str) -> list[str]:
    """The words of ``text`` (first ``MAX_TEXT`` characters), with a sentence's full stop dropped.

    >>> words_of("Who knows C++, .NET or node.js in São Paulo?")
    ['Who', 'knows', 'C++', '.NET', 'or', 'node.js', 'in', 'São', 'Paulo']
    """
    return [w.rstrip(".") for w in _WORD.findall(text[:MAX_TEXT]) if w.rstrip(".")]


def understand(text: str, vocab: Vocabulary) -> Understood:
    """Skills, places and departments the words of ``text`` name, longest phrase first, and close spellings.

    >>> v = Vocabulary.build({"kubernetes": "kubernetes", "k8s": "kubernetes", "data-science": "data-science",
    ...                       "python": "python"}, ["Berlin", "New York", "Z\u00fcrich"], ["Data", "Engineering"])
    >>> u = understand("who knows K8s in berlin?", v); (u.skills, u.phrases, u.location, u.leftover)
    (['kubernetes'], {'kubernetes': 'K8s'}, 'Berlin', ['who', 'knows', 'in'])
    >>> understand("new york data science", v).skills, understand("zurich the data team", v).departments
    (['data-science'], ['Data'])
    >>> understand("kube rnetes", v).skills, understand("datascience", v).skills
    (['kubernetes'], ['data-science'])
    >>> [(c.typed, c.meant) for c in understand("pyhton in berlim", v).typos + understand("berlim", v).place_typos]
    [('pyhton', 'python'), ('berlim', 'Berlin')]
    >>> [(c.typed, c.meant) for c in understand("Science", v).typos + understand("dta scence", v).typos]
    [('Science', 'data-science'), ('dta scence', 'data-science')]
    >>> [c.meant for c in understand("science people", v).typos], understand("how to", v).typos
    (['data-science'], [])
    """
    words = words_of(text)
    out = Understood(text)
    i = 0
    while i < len(words):
        for size in range(min(vocab.longest, len(words) - i), 0, -1):
            if _take(out, vocab, words[i:i + size], close=len(words) <= MAX_TYPO_WORDS, alone=len(words) == 1):
                i += size
                break
        else:
            out.leftover.append(words[i])
            i += 1
    if not out.roles and vocab.titles and len(out.leftover) <= MAX_TYPO_WORDS:
        _role_typo(out, vocab)
    if not out.roles:  # initials in lower case in a sentence ("who is an sre"): offered, not read
        out.role_hints.extend(Correction(w, t) for w in out.leftover[:MAX_TYPO_WORDS] if len(w) > 2
                              for t in vocab.initials.get(fold_name(w), []))
    for word in out.leftover[:MAX_TYPO_WORDS]:
        _typo(out, vocab, word)
    if not out.skills and not out.typos and 1 < len(out.leftover) <= vocab.longest:  # "tig weldng", "machin learning"
        _typo(out, vocab, "-".join(out.leftover), " ".join(out.leftover))
    if not out.skills and not out.typos:  # "UX", "project manager": a word of a longer skill name
        for word in out.leftover:
            if len(words) > 1 and len(word) < MIN_TYPO_LEN:  # in a sentence, not "how" of how-to-guides
                continue
            for meant in vocab.parts.get(fold_name(word), [])[:MAX_PART_HINTS]:
                if all(c.meant != meant for c in out.typos):
                    out.typos.append(Correction(word, meant))
    return out


def _take(out: Understood, vocab: Vocabulary, words: list[str], close: bool = True, alone: bool = False) -> bool:
    """Record what ``words`` name (a skill, else a place, else a department, else a job title: its words, its
    initials, or, when ``close``, a close spelling of it); ``alone``: the words are the whole search. False when
    nothing."""
    said = " ".join(words)
    skill = vocab.skill(words)
    if skill is not None:
        if skill not in out.phrases:
            out.skills.append(skill)
            out.phrases[skill] = said
        return True
    key = fold_name(said)
    for found, named, words_for in ((vocab.locations, out.locations, out.location_words),
                                    (vocab.departments, out.departments, out.department_words)):
        value = found.get(key)
        if value is not None:
            if value not in named:
                named.append(value)
                words_for[value] = said
            return True
    titles = [vocab.titles[key]] if key in vocab.titles else _abbreviated(vocab, words, alone) or (
        _close_title(vocab, words) if close else [])
    for t in titles:
        if t not in out.roles:
            out.roles.append(t)
            out.role_words[t] = said
    return bool(titles)


def _abbreviated(vocab: Vocabulary, words: list[str], alone: bool) -> list[str]:
    """The stored titles one typed word abbreviates: initials in capitals ("SRE", "SREs", "PM"), or, as the whole
    search, of three letters or more in any case ("sre"). Initials in lower case within a sentence, or of two
    letters, are too often ordinary words ("who", "can", "it", "or")."""
    if len(words) != 1:
        return []
    word = words[0]
    stem = word[:-1] if len(word) > 2 and word[-1] == "s" and word[:-1].isupper() else word  # "SREs"
    if len(stem) < 2 or not (stem.isupper() or (alone and len(stem) > 2)):
        return []
    return list(vocab.initials.get(fold_name(stem), []))


def _close_title(vocab: Vocabulary, words: list[str]) -> list[str]:
    """The stored title a phrase of two words or more is one edit from (two from eight letters): "site reliability
    engineers", "data scientists" (read in the scan, so "data" is not taken for a department first)."""
    if len(words) < 2 or not vocab.titles:
        return []
    return _nearest_title(vocab, fold_name(" ".join(words)))


def _nearest_title(vocab: Vocabulary, folded: str) -> list[str]:
    """The stored title of as many words as ``folded`` one edit from it (two from eight letters), if any."""
    if len(folded) < MIN_TYPO_LEN:
        return []
    limit = 1 if len(folded) < 8 else 2  # only titles as long, give or take the edits, can be that close
    words = len(folded.split())
    near = [k for n in range(len(folded) - limit, len(folded) + limit + 1)
            for k in vocab.title_lengths.get((words, n), ())]
    hit = process.extractOne(folded, near, scorer=OSA.distance, score_cutoff=limit)
    return [vocab.titles[hit[0]]] if hit is not None else []


def _role_typo(out: Understood, vocab: Vocabulary) -> None:
    """A leftover word one edit (two from eight letters) from a one-word stored title ("recruiters", "acountant"):
    read as that title, the note says which word was read so. Phrases are read so in the scan (``_take``)."""
    for i, word in enumerate(out.leftover):
        found = _nearest_title(vocab, fold_name(word))
        if found:
            out.roles.append(found[0])
            out.role_words[found[0]] = word
            del out.leftover[i]
            return


def _typo(out: Understood, vocab: Vocabulary, word: str, typed: str = "") -> None:
    """A leftover word one edit (two for words of eight letters or more) from a skill or a place: a likely typo.
    Edits count a swap of two neighbours as one ("pyhton"), so the typos people make most are one edit."""
    folded = fold_name(word)
    try:
        folded = canonical_skill(word) if "-" in word else folded
    except SchemaError:
        return
    if len(folded) < MIN_TYPO_LEN:
        return
    limit = 1 if len(folded) < 8 else 2
    for choices, found, taken in ((vocab.skills, out.typos, out.skills), (vocab.locations, out.place_typos,
                                                                          out.locations)):
        hit = process.extractOne(folded, list(choices), scorer=OSA.distance, score_cutoff=limit)
        if hit is not None:
            meant = choices[hit[0]]
            if meant not in taken and all(c.meant != meant for c in found):
                found.append(Correction(typed or word, meant))


__all__ = ["MIN_TYPO_LEN", "Correction", "Understood", "Vocabulary", "initials_of", "understand", "words_of"]
