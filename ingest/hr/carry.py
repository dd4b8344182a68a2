"""What an HR export does not say is kept from earlier exports.

Monthly exports come from different reports: last month's had a privacy opt-out column and work emails, this
month's a narrower report without them. A person row is written whole, so a column the file lacks used to
overwrite the stored value with its default: an opted-out person was opted back in (and appeared again in
experts and paths), and every email (the key forum accounts are matched by) was blanked. A field whose column the
file lacks now keeps its stored value; a column that is there but blank still clears it. Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from graph.store.visibility import Visibility
from schema.models import Person

# export field -> Person attribute, for the fields a file may leave out without meaning "none"
CARRIED: Mapping[str, str] = {
    "email": "email", "title": "title", "department": "department", "location": "location",
    "hire_date": "hired_on", "opted_out": "opted_out",
}


def absent_fields(columns: Collection[str]) -> list[str]:
    """The carried fields an export has no column for."""
    return [f for f in CARRIED if f not in columns]


def keep_stored(person: Person, stored: Person | None, absent: Collection[str]) -> Person:
    """The row's person with each ``absent`` field's value taken from the stored person (the row's own when no one
    is stored).

    >>> row = Person(id="hr:1", name="Ann", title="Engineer")
    >>> stored = Person(id="hr:1", name="Ann", email="ann@x.com", opted_out=True)
    >>> kept = keep_stored(row, stored, ["email", "opted_out"])
    >>> kept.email, kept.opted_out, kept.title
    ('ann@x.com', True, 'Engineer')
    """
    if stored is None or not absent:
        return person
    kept = {CARRIED[f]: getattr(stored, CARRIED[f]) for f in absent}
    return Person.model_construct(_fields_set=person.model_fields_set | set(kept), **{**person.__dict__, **kept})


def hidden_addresses(
    people: Iterable[Person], index: Mapping[str, str], visibility: Callable[[str], Visibility | None]
) -> dict[str, set[str]]:
    """Addresses ``people`` share with another record whose person is hidden elsewhere than in this file: by their
    own choice (a record the file holds: for the rest, the file is HR's word now, which may lift an old opt-out),
    or at all (the stored record the address names, ``index``, when the file does not hold it). Each address maps
    to the records of the file whose own choice hides it: their rows keep HR's value (the choice is kept apart from
    it, and withdrawing it restores what HR says). Only shared addresses are looked up.

    >>> from graph.store.visibility import Visibility
    >>> chose = {"hr:1": Visibility("hr:1", by_choice=True, by_source=False)}
    >>> new = Person(id="hr:2", name="Ann", email="ann@x.com")
    >>> hidden_addresses([new], {"ann@x.com": "hr:1"}, chose.get)
    {'ann@x.com': set()}
    >>> hidden_addresses([new, new.model_copy(update={"id": "hr:1"})], {"ann@x.com": "hr:1"}, chose.get)
    {'ann@x.com': {'hr:1'}}
    >>> hidden_addresses([new], {"ann@x.com": "hr:2"}, chose.get)
    {}
    """
    by_address: dict[str, set[str]] = {}
    for p in people:
        if p.email:
            by_address.setdefault(p.email, set()).add(p.id)
    out: dict[str, set[str]] = {}
    for address, ids in by_address.items():
        other = index.get(address)
        elsewhere = other is not None and other not in ids
        if len(ids) == 1 and not elsewhere:
            continue
        chosen = {pid for pid in ids if (v := visibility(pid)) is not None and v.by_choice}
        if chosen or (elsewhere and (v := visibility(other or "")) is not None and v.hidden):
            out[address] = chosen
    return out


def one_opt_out_per_address(people: Iterable[Person], hidden: Mapping[str, Collection[str]] | None = None
                            ) -> list[Person]:
    """``people`` with every record that shares an email with an opted-out record (or has one of the ``hidden``
    addresses, :func:`hidden_addresses`, but for the records whose own choice hides it) opted out too.

    An opt-out belongs to the person, not to one of their records: a rehire has an old (terminated) record and a
    new one with the same address, and HR marks the opt-out on the record it has in hand. Forum accounts and
    sign-ins are matched by address, so the other record used to carry the person's forum activity (expertise,
    ties, health counts, a person page) as if they had never opted out. A shared mailbox is hidden whole: hiding
    one person too many is the safe side of an address that names more than one.

    >>> old = Person(id="hr:1", name="Ann", email="ann@x.com", active=False)
    >>> new = Person(id="hr:2", name="Ann", email="Ann@X.com", opted_out=True)
    >>> [p.opted_out for p in one_opt_out_per_address([old, new, Person(id="hr:3", name="Bo")])]
    [True, True, False]
    """
    people = list(people)
    out: dict[str, Collection[str]] = {p.email: () for p in people if p.opted_out and p.email}
    out = {**(hidden or {}), **out}
    if not out:
        return people
    return [p.model_copy(update={"opted_out": True})
            if p.email in out and not p.opted_out and p.id not in out[p.email] else p for p in people]


def reactivated(people: Iterable[Person], stored: Mapping[str, Person]) -> list[str]:
    """Ids of the people stored inactive (leavers of an earlier export) whom ``people`` make active again.

    >>> reactivated([Person(id="hr:1", name="Ann"), Person(id="hr:2", name="Bo")],
    ...             {"hr:1": Person(id="hr:1", name="Ann", active=False)})
    ['hr:1']
    """
    return [p.id for p in people if p.active and p.id in stored and not stored[p.id].active]


def reactivation_note(file: str, columns: Collection[str], count: int) -> str | None:
    """The warning for ``count`` leavers made active by a file with no status (nor termination date) column, whose
    every person is taken as employed; None when there is nothing to say. With a status column, its word wins."""
    if not count or {"active", "termination_date"} & set(columns):
        return None
    who = "person stored as a leaver is" if count == 1 else "people stored as leavers are"
    return (f"{file}: {count:,} {who} active again: the file has no status column, so everyone it lists is taken "
            "as employed (if it lists leavers, map its status column)")


def shared_address_note(file: str, people: Iterable[tuple[int, Person]]) -> str | None:
    """The warning for addresses that several current people of the file give (rows as ``(row, person)``); None
    when each has their own. A rehire's old record shares its address with the new one and is no leaver's
    problem, and a shared mailbox is real; but a copied cell gives one person's forum activity (posts, answers,
    expertise) to the other, who is matched by that address, with nothing said.

    >>> note = shared_address_note("h.csv", [(2, Person(id="hr:1", name="A", email="a@x.com")),
    ...                                      (3, Person(id="hr:2", name="B", email="a@x.com"))])
    >>> note.split(";")[0]
    "h.csv: 1 email address is given by several current people ('a@x.com': rows 2, 3)"
    """
    rows: dict[str, list[tuple[int, str]]] = {}
    for row, p in people:
        if p.active and p.email:
            rows.setdefault(p.email, []).append((row, p.id))
    shared = {a: sorted(r) for a, r in rows.items() if len(r) > 1}
    if not shared:
        return None
    address, first = next(iter(shared.items()))
    owner = min(pid for _, pid in first).partition(":")[2]
    more = f" and {len(shared) - 1:,} more" if len(shared) > 1 else ""
    return (f"{file}: {len(shared):,} email address{'es are' if len(shared) > 1 else ' is'} given by several "
            f"current people ({address!r}: rows {', '.join(str(r) for r, _ in first[:5])}{more}); forum accounts "
            f"with it count as {owner}'s activity. If it is no shared mailbox, give each person their own")


__all__ = [
    "CARRIED", "absent_fields", "hidden_addresses", "keep_stored", "one_opt_out_per_address", "reactivated",
    "reactivation_note", "shared_address_note",
]
