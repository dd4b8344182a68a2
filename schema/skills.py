"""Skill names: one canonical form so declared skills and forum tags meet on the same Skill node.

Canonicalisation is case folding, Unicode normalisation, separators folded to ``-`` and punctuation dropped
(keeping the ``+``, ``#`` and ``.`` that carry meaning in c++, c#, node.js), then an alias lookup
(js -> javascript, k8s -> kubernetes). The alias table is extendable from a TOML or CSV file, e.g. with a
forum's tag synonyms.
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from schema.errors import SchemaError
from schema.files import read_regular, toml_loads

MAX_SKILL_LEN = 100

_SEPARATORS = re.compile(r"[\s_/]+")
_KEPT = frozenset("+#.-")  # the punctuation that carries meaning in c++, c#, node.js
# Latin letters Unicode does not decompose into a base letter and a mark
LATIN_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
                              "ħ": "h", "ŧ": "t", "ŋ": "n"})
_DASHES = re.compile(r"-{2,}")

DEFAULT_ALIASES: Mapping[str, str] = {
    "js": "javascript",
    "ecmascript": "javascript",
    "ts": "typescript",
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "py": "python",
    "python3": "python",
    "python-3": "python",
    "golang": "go",
    "postgres": "postgresql",
    "psql": "postgresql",
    "pg": "postgresql",
    "mongo": "mongodb",
    "nodejs": "node.js",
    "node": "node.js",
    "node-js": "node.js",
    "reactjs": "react",
    "react.js": "react",
    "vuejs": "vue",
    "vue.js": "vue",
    "angularjs": "angular",
    "csharp": "c#",
    "c-sharp": "c#",
    "cpp": "c++",
    "cplusplus": "c++",
    "dotnet": ".net",
    "amazon-web-services": "aws",
    "gcp": "google-cloud",
    "google-cloud-platform": "google-cloud",
    "ml": "machine-learning",
    "dl": "deep-learning",
    "sklearn": "scikit-learn",
    "tf": "terraform",
    "ci-cd": "ci/cd",
    "cicd": "ci/cd",
}


def _latin_base(text: str) -> str:
    """Diacritics off Latin letters (é -> e, ü -> u, ł -> l), other scripts' marks kept: an HR profile's
    "Qualitätsmanagement" and a search for "qualitatsmanagement" meet, and the accents are not simply dropped
    (which made "caf" of "café"), while a Greek or Devanagari word keeps the marks that are part of its spelling."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text.translate(LATIN_EXTRA)):
        if unicodedata.combining(ch) and out and "a" <= out[-1][-1] <= "z":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def fold(name: str) -> str:
    """Case, Unicode and separator folding of a skill name or prefix, without alias lookup. Letters of any script
    are kept (an organisation writes its skills in its own language); Latin letters lose their diacritics.

    >>> fold("  Machine_Learning ")
    'machine-learning'
    >>> fold("Café"), fold("Qualitätsmanagement"), fold("Łódź"), fold("Straße"), fold("機械学習"), fold("Γλώσσα")
    ('cafe', 'qualitatsmanagement', 'lodz', 'strasse', '機械学習', 'γλώσσα')
    >>> fold("ééé"), fold("C#"), fold("node.js"), fold("«!!»")
    ('eee', 'c#', 'node.js', '')
    """
    text = _latin_base(unicodedata.normalize("NFKC", name).casefold().strip())
    if text in ("ci/cd",):  # the one canonical name that keeps its slash
        return text
    text = _SEPARATORS.sub("-", text)
    text = "".join(ch for ch in text if ch in _KEPT or unicodedata.category(ch)[0] in "LNM")
    text = _DASHES.sub("-", text)
    return text.strip("-").rstrip(".")


def names_a_skill(name: object) -> bool:
    """Whether ``name`` can become a skill under any alias table (``AliasTable.canonical`` would not raise):
    lets a parser see that a tag written as ``!!!`` says nothing, without canonicalising it."""
    if not isinstance(name, str):
        return False
    folded = fold(name)
    return 0 < len(folded) <= MAX_SKILL_LEN


class AliasTable:
    """An immutable alias -> canonical mapping; aliases are folded like names.

    >>> t = AliasTable()
    >>> t.canonical("K8s"), t.canonical("Node JS"), t.canonical("C++")
    ('kubernetes', 'node.js', 'c++')
    >>> t.extend({"kubes": "k8s"}).canonical("Kubes")
    'kubernetes'
    """

    __slots__ = ("_map",)

    def __init__(self, aliases: Mapping[str, str] | None = None, *, defaults: bool = True) -> None:
        merged: dict[str, str] = {}
        for alias, target in {**(DEFAULT_ALIASES if defaults else {}), **(aliases or {})}.items():
            a, t = fold(alias), fold(target)
            if not a or not t:
                raise SchemaError(f"empty alias or target in alias table: {alias!r} -> {target!r}")
            if a != t:
                merged[a] = t
        # resolve chains (a -> b -> c) once, refusing cycles
        resolved: dict[str, str] = {}
        for alias in merged:
            seen = {alias}
            target = merged[alias]
            while target in merged:
                if target in seen:
                    raise SchemaError(f"alias cycle through {target!r}")
                seen.add(target)
                target = merged[target]
            resolved[alias] = target
        self._map: dict[str, str] = resolved

    def extend(self, aliases: Mapping[str, str]) -> AliasTable:
        return AliasTable({**self._map, **aliases}, defaults=False)

    def canonical(self, name: str) -> str:
        """Canonical skill name for ``name``; raises SchemaError when nothing meaningful is left."""
        if not isinstance(name, str):
            raise SchemaError(f"skill name must be text, not {type(name).__name__}")
        folded = fold(name)
        if not folded:
            raise SchemaError(f"skill name {name!r} is empty after canonicalisation")
        if len(folded) > MAX_SKILL_LEN:
            raise SchemaError(f"skill name longer than {MAX_SKILL_LEN} characters")
        return self._map.get(folded, folded)

    def aliases_of(self, canonical: str) -> tuple[str, ...]:
        return tuple(sorted(a for a, t in self._map.items() if t == canonical))

    def items(self) -> Iterable[tuple[str, str]]:
        return self._map.items()

    def __len__(self) -> int:
        return len(self._map)

    @classmethod
    def from_file(cls, path: str | Path, *, base: AliasTable | None = None) -> AliasTable:
        """Load aliases from TOML (``[aliases]`` table of alias = "canonical") or CSV (alias,canonical)."""
        p = Path(path)
        try:
            raw = read_regular(p)
        except OSError as exc:
            raise SchemaError(f"{p}: cannot read alias file: {exc.strerror}") from exc
        mapping: dict[str, str] = {}
        if p.suffix.lower() == ".toml":
            try:
                data = toml_loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise SchemaError(f"{p}: not valid UTF-8 TOML: {exc}") from exc
            table = data.get("aliases", data)
            for k, v in table.items():
                if not isinstance(v, str):
                    raise SchemaError(f"{p}: alias {k!r} must map to a string")
                mapping[k] = v
        else:
            try:
                lines = raw.decode("utf-8-sig").splitlines()
            except UnicodeDecodeError as exc:
                raise SchemaError(f"{p}: not valid UTF-8: {exc}") from exc
            for n, row in enumerate(csv.reader(lines), start=1):
                if not row or row[0].startswith("#") or (n == 1 and row[0].strip().lower() == "alias"):
                    continue
                if len(row) != 2:
                    raise SchemaError(f"{p}, row {n}: expected 'alias,canonical'")
                mapping[row[0]] = row[1]
        start = base if base is not None else cls()
        return start.extend(mapping)


_DEFAULT = AliasTable()


def canonical_skill(name: str, table: AliasTable | None = None) -> str:
    """Canonical skill name using ``table`` (default aliases when None).

    >>> canonical_skill("  Machine Learning ")
    'machine-learning'
    >>> canonical_skill("JS")
    'javascript'
    """
    return (table or _DEFAULT).canonical(name)


_LEVEL_WORDS = {
    "beginner": 1, "novice": 1, "basic": 1,
    "intermediate": 2, "working": 2,
    "advanced": 3, "proficient": 3,
    "expert": 4,
    "master": 5, "guru": 5, "authority": 5,
}
_DECIMAL = re.compile(r"(\d+)[.,](\d+)")  # 4.5, or 4,5 (a decimal comma)


def parse_level(text: str | int | None) -> int | None:
    """Declared skill level 1-5 from a number or a word; None when absent. Levels are whole: a decimal one (``4.5``,
    or ``4,5`` as a European export writes it) is rounded half up, as Excel's ROUND does.

    >>> parse_level("Expert"), parse_level("3"), parse_level(None), parse_level("4,5"), parse_level("2.4")
    (4, 3, None, 5, 2)
    """
    if text is None:
        return None
    if isinstance(text, int):
        value = text
    else:
        t = text.strip().casefold()
        if not t:
            return None
        if t in _LEVEL_WORDS:
            return _LEVEL_WORDS[t]
        decimal = _DECIMAL.fullmatch(t)
        if decimal:
            exact = Decimal(f"{decimal[1]}.{decimal[2]}")
            if not 1 <= exact <= 5:
                raise SchemaError(f"skill level {text.strip()} outside 1-5")
            return int(exact.quantize(Decimal(1), ROUND_HALF_UP))
        try:
            value = int(t)
        except ValueError as exc:
            raise SchemaError(f"unknown skill level {text!r}") from exc
    if not 1 <= value <= 5:
        raise SchemaError(f"skill level {value} outside 1-5")
    return value


__all__ = ["DEFAULT_ALIASES", "fold", "names_a_skill", "MAX_SKILL_LEN", "AliasTable", "canonical_skill", "parse_level"]
