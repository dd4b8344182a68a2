"""The graph model: ids, skill names, records and the error tree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

import schema
from schema import AliasTable, canonical_skill, make_id, parse_level, split_id
from schema.errors import IngestError, SchemaError, StoreError, StoreUnavailable, WhoknowsError
from schema.models import STORED, HasSkill, Person, Post


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Kubernetes", "kubernetes"),
        ("k8s", "kubernetes"),
        ("  K8S ", "kubernetes"),
        ("JS", "javascript"),
        ("Node.js", "node.js"),
        ("node js", "node.js"),
        ("C++", "c++"),
        ("C#", "c#"),
        ("Machine Learning", "machine-learning"),
        ("machine_learning", "machine-learning"),
        ("Go!", "go"),
        ("golang", "go"),
        ("Postgres", "postgresql"),
        ("CI/CD", "ci/cd"),
        ("Ｐｙｔｈｏｎ", "python"),  # full-width letters fold under NFKC
        # Latin letters lose their diacritics (they were dropped: "café" was "caf"), other scripts are kept
        ("Qualitätsmanagement", "qualitatsmanagement"),
        ("Programación", "programacion"),
        ("Łódź", "lodz"),
        ("Projektmanagement (Ü)", "projektmanagement-u"),
        ("Машинное обучение", "машинное-обучение"),
        ("機械学習", "機械学習"),
        ("हिन्दी", "हिन्दी"),  # Devanagari's vowel signs are marks, and part of the word
    ],
)
def test_skills_canonicalise(raw: str, canonical: str) -> None:
    assert canonical_skill(raw) == canonical


@pytest.mark.parametrize("raw", ["", "   ", "!!!", "---", "x" * 101])
def test_meaningless_skill_names_are_refused(raw: str) -> None:
    with pytest.raises(SchemaError):
        canonical_skill(raw)


def test_alias_table_extends_from_toml_and_csv(tmp_path: Path) -> None:
    toml = tmp_path / "aliases.toml"
    toml.write_text('[aliases]\n"Kubes" = "k8s"\n"sf" = "salesforce"\n', encoding="utf-8")
    table = AliasTable.from_file(toml)
    assert table.canonical("kubes") == "kubernetes"  # chains through the default k8s alias
    assert table.canonical("SF") == "salesforce"
    csv = tmp_path / "aliases.csv"
    csv.write_text("alias,canonical\nsfdc,salesforce\n", encoding="utf-8")
    assert AliasTable.from_file(csv, base=table).canonical("SFDC") == "salesforce"
    assert "sfdc" in AliasTable.from_file(csv).aliases_of("salesforce")


def test_alias_cycles_and_bad_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cycle"):
        AliasTable({"a": "b", "b": "a"}, defaults=False)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="row 1"):
        AliasTable.from_file(bad)
    with pytest.raises(SchemaError, match="cannot read"):
        AliasTable.from_file(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "level"), [("expert", 4), ("Beginner", 1), ("5", 5), (3, 3), ("", None), (None, None)]
)
def test_levels(text: str | int | None, level: int | None) -> None:
    assert parse_level(text) == level


@pytest.mark.parametrize("text", ["6", "0", "wizard", "-1"])
def test_bad_levels(text: str) -> None:
    with pytest.raises(SchemaError):
        parse_level(text)


def test_ids_are_namespaced_and_stable() -> None:
    assert make_id("HR", "E1") == "hr:E1"
    assert split_id(make_id("slack", "U1:x")) == ("slack", "U1:x")
    for ns, local in [("", "x"), ("bad ns", "x"), ("hr", ""), ("hr", "a\nb")]:
        with pytest.raises(SchemaError):
            make_id(ns, local)


def test_records_are_frozen_and_validated() -> None:
    p = Person(id="hr:E1", name="Åsa Öberg", email=" Asa@Example.COM ")
    assert p.email == "asa@example.com"
    with pytest.raises(ValidationError):
        p.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Person(id="hr:E1", name="A", email="not-an-email")
    with pytest.raises(ValidationError):
        Person(id="no-namespace", name="A")
    with pytest.raises(ValidationError):
        Person(id="hr:E1", name="A", unknown_field=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        HasSkill(person_id="hr:E1", skill="Not Canonical")
    with pytest.raises(ValidationError):
        HasSkill(person_id="hr:E1", skill="go", level=9)


@pytest.mark.parametrize("field", ["name", "title", "department", "location"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x81", "\x9d"])
def test_a_control_character_in_a_name_or_title_refuses_the_record(field: str, char: str) -> None:
    """A NUL or a C1 code in a name is a damaged or mis-decoded file (it loaded as 'An\\x00na' before); the
    row's reject says which character, so the person can be fixed at the source."""
    fields = {"id": "hr:1", "name": "Anna", field: f"An{char}na"}
    with pytest.raises(ValidationError, match=f"control character U\\+{ord(char):04X}"):
        Person(**fields)


def test_a_stored_name_that_ingest_now_refuses_still_reads_back() -> None:
    """A store written before the check may hold such a name; reading it must not fail (every page would)."""
    from graph.store.neo4j.values import person_from
    from graph.store.sqlite.rows import _person_from

    assert Person.model_validate({"id": "hr:1", "name": "An\x00na"}, context=STORED).name == "An\x00na"
    assert person_from({"id": "hr:2", "name": "Bo\x00b", "source": "hr"}).name == "Bo\x00b"
    row = ("hr:3", "Ca\x81rl", None, None, None, None, None, None, 1, 0, 0, "hr")
    assert _person_from(row).name == "Ca\x81rl"


def test_tabs_and_line_breaks_that_spreadsheets_put_in_cells_are_kept() -> None:
    p = Person(id="hr:1", name="Anna Berg", title="Lead\tEngineer", department="R&D\nBerlin", location="Ulm\x85West")
    assert (p.title, p.department, p.location) == ("Lead\tEngineer", "R&D\nBerlin", "Ulm\x85West")


def test_post_times_are_utc_and_tags_sorted() -> None:
    cet = timezone(timedelta(hours=1))
    p = Post(id="x:1", kind="question", author_id=None, created_at=datetime(2024, 1, 1, 12, tzinfo=cet),
             tags=("go", "docker", "go"), source="x")
    assert p.created_at == datetime(2024, 1, 1, 11, tzinfo=UTC)
    assert p.created_at.tzinfo is UTC
    assert p.tags == ("docker", "go")
    naive = Post(id="x:2", kind="answer", author_id="x:u", created_at=datetime(2024, 1, 1), source="x")
    assert naive.created_at.tzinfo is UTC


def test_error_tree() -> None:
    assert issubclass(StoreUnavailable, StoreError)
    assert issubclass(StoreError, WhoknowsError)
    err = IngestError("people.csv", "bad date '2024-13-01'", row=7)
    assert str(err) == "people.csv, row 7: bad date '2024-13-01'"
    assert (err.file, err.row) == ("people.csv", 7)


def test_public_surface() -> None:
    for name in schema.__all__:
        assert hasattr(schema, name), name
