"""A person's own choice to be hidden from whoknows, kept beside what their source (the HR export, a forum) says.

Why a store-level record and not a field the source writes: an HR export or forum re-import rewrites every person it
lists, and must never undo a choice the person made themselves. Both stores therefore keep the choice apart (the
SQLite ``person_choice`` table, Neo4j ``OwnChoice`` nodes) and fold it into the stored ``opted_out`` on every write,
so every read path, analytics run and privacy rule that honours ``opted_out`` honours the choice as well. The
source's own value is kept with the choice, so showing oneself again restores exactly what the source says (an HR
record that hides someone keeps them hidden).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from schema.models import Person


@dataclass(frozen=True)
class Visibility:
    """Whether a person is hidden, and why."""

    person_id: str
    by_choice: bool  # the person chose to be hidden (through the web app)
    by_source: bool  # their HR record or forum account says they opted out
    chosen_at: datetime | None = None  # when they chose it (None without a choice)

    @property
    def hidden(self) -> bool:
        return self.by_choice or self.by_source

    @classmethod
    def stored(cls, person_id: str, opted_out: object, source_opted_out: object, chosen_at: datetime | None
               ) -> Visibility:
        """From what a store keeps: the person's ``opted_out`` and, with a choice (``chosen_at`` set), the source's
        value the choice holds (without one, the stored value is the source's)."""
        chosen = chosen_at is not None
        return cls(person_id=person_id, by_choice=chosen, by_source=bool(source_opted_out if chosen else opted_out),
                   chosen_at=chosen_at)


def folded(people: Iterable[Person], chosen: Collection[str]) -> list[Person]:
    """The rows a write stores: a person who chose to be hidden stays opted out whatever the source says now.

    >>> from schema.models import Person
    >>> a, b = Person(id="hr:a", name="A", source="hr"), Person(id="hr:b", name="B", source="hr")
    >>> [p.opted_out for p in folded([a, b], {"hr:b"})]
    [False, True]
    """
    return [p.model_copy(update={"opted_out": True}) if p.id in chosen and not p.opted_out else p for p in people]


def as_the_source_says(person: Person, source_opted_out: bool | int | None) -> Person:
    """A stored person with ``opted_out`` as their source last said it (``stored_people``, which ingest reads to keep
    what a narrower export lacks: an export without an opt-out column must not write a person's own choice back as
    HR's). ``source_opted_out`` is None for a person without a choice, whose stored value is the source's.

    >>> from schema.models import Person
    >>> as_the_source_says(Person(id="hr:1", name="A", opted_out=True), 0).opted_out
    False
    """
    if source_opted_out is None or bool(source_opted_out) == person.opted_out:
        return person
    return person.model_copy(update={"opted_out": bool(source_opted_out)})


__all__ = ["Visibility", "as_the_source_says", "folded"]
