"""A person's own choice to be hidden from whoknows, kept beside what their source (the HR export, a forum) says.

Why a store-level record and not a field the source writes: an HR export or forum re-import rewrites every person it
lists, and must never undo a choice the person made themselves. Both stores therefore keep the choice apart (the
SQLite ``person_choice`` table, Neo4j ``OwnChoice`` nodes) and fold it into the stored ``opted_out`` on every write,
so every read path, analytics run and privacy rule that honours ``opted_out`` honours the choice as well. The
source's own value is kept with the choice, so showing oneself again restores exactly what the source says (an HR
record that hides someone keeps them hidden).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def folded(people: Iterable[Person], chosen: Mapping[str, object]) -> list[Person]:
    """The rows a write stores: a person who chose to be hidden stays opted out whatever the source says now.

    >>> from schema.models import Person
    >>> a, b = Person(id="a", name="A", source="hr"), Person(id="b", name="B", source="hr")
    >>> [p.opted_out for p in folded([a, b], {"b": True})]
    [False, True]
    """
    return [p.model_copy(update={"opted_out": True}) if p.id in chosen and not p.opted_out else p for p in people]


__all__ = ["Visibility", "folded"]
