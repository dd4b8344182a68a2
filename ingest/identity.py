"""Who is behind a forum account: an HR person (by case-folded email, then by the ``--identities`` file), or, when
neither matches, a person of the forum's own (``source`` = the forum, id namespaced by it). Never by name alone:
two "Ann Lee"s are two people until an email or the mapping file says otherwise.

The identities file is CSV ``source,handle,person_id``. ``source`` may be the format (``slack``), the namespace
(``stackexchange/bicycles``), the community name given with ``--community``, or ``*``/empty for any source.
``person_id`` is a stored id (``hr:E042``) or a bare HR id (``E042``); one that matches no stored id exactly links
to the one stored HR id that writes the same number (``000123`` for ``hr:123``: a mapping kept in a spreadsheet,
:mod:`ingest.hr.idnumbers`), counted apart, and is rejected naming the candidates when several do.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ingest.forum.common import Account
from ingest.hr.idnumbers import NumberIndex, said_number
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.files import read_regular
from schema.ids import folded_ids, make_id, split_id
from schema.models import Person


@dataclass(frozen=True, slots=True)
class IdentityRow:
    row: int
    source: str
    handle: str
    person_id: str


def read_identities(path: str | Path) -> str:
    p = Path(path)
    try:
        raw = read_regular(p)
    except OSError as exc:
        raise UnreadableInput(str(p), f"cannot read identities file: {exc.strerror}") from None
    if not raw.strip():
        raise UnreadableInput(str(p), "empty file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(str(p), f"not UTF-8 text (bad byte at offset {exc.start})") from None


def parse_identities(text: str, file: str = "identities.csv") -> Iterable[IdentityRow | Reject]:
    """Rows of ``source,handle,person_id`` (a header line is optional); bad rows become rejects."""
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Reject(file, reader.line_num, f"unreadable CSV row: {exc}")
            continue
        n = reader.line_num
        if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if n == 1 and [f.strip().casefold() for f in fields][:3] == ["source", "handle", "person_id"]:
            continue
        if len(fields) != 3:
            yield Reject(file, n, f"expected 3 fields source,handle,person_id, got {len(fields)}")
            continue
        source, handle, pid = (f.strip() for f in fields)
        if not handle or not pid:
            yield Reject(file, n, "empty handle or person_id")
            continue
        yield IdentityRow(n, source.casefold(), handle, pid)


def person_ref(value: str, known: Collection[str], folded: Mapping[str, str | None] | None = None) -> str | None:
    """A stored person id for an identities ``person_id``: as given when stored, else as an HR id, else the one
    stored id equal to either ignoring case (``folded``: :func:`folded_ids`). HR systems treat ``e042`` and
    ``E042`` as one employee; before, the row was refused and the account stayed a forum person of its own, shown
    under its forum name even when the HR person it names had opted out."""
    if value in known:
        return value
    try:
        hr: str | None = make_id("hr", value)
    except SchemaError:
        hr = None
    if hr is not None and hr in known:
        return hr
    if folded is None:
        return None
    for candidate in (value, hr):
        found = folded.get(candidate.casefold()) if candidate else None
        if found is not None:
            return found
    return None


@dataclass
class Resolver:
    """Maps forum person ids (``namespace:handle``) to the ids their posts are written under.

    Used by the normalise stage (:func:`ingest.normalise.normalise`), never by parsers: ``declare`` an account,
    call with a forum id to resolve it. People of the forum's own are handed out once, by :meth:`drain`, which
    the normalise stage empties after each call so each person is written just before its first use.
    """

    namespace: str
    source: str
    email_to_person: Mapping[str, str]  # case-folded email -> HR person id
    handle_to_person: Mapping[str, str]  # identities handle -> stored person id
    matched_email: int = 0
    matched_mapping: int = 0
    unmatched: int = 0
    ids_by_number: int = 0  # --identities rows whose person_id matched a stored HR id by number, not exactly
    ready: dict[str, str] = field(default_factory=dict)  # forum id -> person id, once resolved
    # the source's own people an earlier run stored, and those of them whose account now resolves to another
    # person (a new --identities row, an email HR now holds): the pipeline merges them into it (merge_people)
    stored: Collection[str] = frozenset()
    moved: dict[str, str] = field(default_factory=dict)
    _pending: dict[str, Person] = field(default_factory=dict)
    _new: list[Person] = field(default_factory=list)
    _prefix: str = ""

    def __post_init__(self) -> None:
        self._prefix = self.namespace + ":"

    def declare(self, account: Account) -> None:
        p = account.person
        if p.id in self._pending:
            return  # first declaration wins (a handle listed twice)
        if p.id in self.ready:
            if self.ready[p.id] == p.id:  # already written as a bare handle: write the details now given
                self._new.append(p)
            return
        target = None
        if p.email and not p.bot:
            target = self.email_to_person.get(p.email)
            if target is not None:
                self.matched_email += 1
        if target is None:
            target = self._by_handle((*account.handles, split_id(p.id)[1]))
            if target is not None:
                self.matched_mapping += 1
        if target is not None:
            self._resolved(p.id, target)
            return
        self._pending[p.id] = p
        if account.eager:
            self(p.id)

    def _resolved(self, forum_id: str, target: str) -> None:
        self.ready[forum_id] = target
        if forum_id in self.stored and target != forum_id:
            self.moved[forum_id] = target

    def _by_handle(self, handles: Iterable[str]) -> str | None:
        for h in handles:
            t = self.handle_to_person.get(h)
            if t is None:
                t = self.handle_to_person.get(h.casefold())
            if t is not None:
                return t
        return None

    def __call__(self, forum_id: str) -> str:
        t = self.ready.get(forum_id)
        if t is not None:
            return t
        person = self._pending.pop(forum_id, None)
        if person is None:  # referenced but never declared: a deleted or unknown account
            local = forum_id[len(self._prefix):] if forum_id.startswith(self._prefix) else forum_id
            t = self._by_handle((local,))
            if t is not None:
                self.matched_mapping += 1
                self._resolved(forum_id, t)
                return t
            # a bare number ("100", a Stack Exchange user id without Users.xml) read as a count on every page
            name = f"user {local}" if local.isdigit() else local[:300] or forum_id
            person = Person(id=forum_id, name=name, source=self.source)
        self.unmatched += 1
        self._new.append(person)
        self.ready[forum_id] = forum_id
        return forum_id

    def drain(self) -> list[Person]:
        out, self._new = self._new, []
        return out


def build_resolver(
    namespace: str,
    source: str,
    *,
    email_index: Mapping[str, str],
    identities: Iterable[IdentityRow],
    source_names: Collection[str],
    known_people: Collection[str],
    identities_file: str = "identities.csv",
    on_reject: Callable[[Reject], None] | None = None,
) -> Resolver:
    """A resolver for one forum source. Only HR people (``hr:`` ids) are email targets, so a forum's own people
    never capture another forum's accounts, and a re-run matches exactly as the first run did."""
    emails = {e: pid for e, pid in email_index.items() if pid.startswith("hr:")}
    names = {s.casefold() for s in source_names} | {"", "*"}
    handles: dict[str, str] = {}
    folded: dict[str, str | None] | None = None
    numbers: NumberIndex | None = None
    by_number = 0
    for row in identities:
        if row.source not in names:
            continue
        pid = person_ref(row.person_id, known_people)
        if pid is None:
            folded = folded_ids(known_people) if folded is None else folded
            pid = person_ref(row.person_id, known_people, folded)
        same: tuple[str, ...] = ()
        if pid is None:
            numbers = NumberIndex(known_people, "hr:") if numbers is None else numbers
            same = numbers.candidates(_as_hr(row.person_id))
            if len(same) == 1:
                pid, by_number = same[0], by_number + 1
        if pid is None:
            if on_reject is not None:
                why = f"person_id {row.person_id!r} is not in the store"
                if same:
                    number = said_number(row.person_id.removeprefix("hr:"))
                    why += (f", and {len(same)} stored HR ids write the number {number}: {', '.join(same)}; "
                            "nothing guessed (give the stored id as written)")
                on_reject(Reject(identities_file, row.row, why))
            continue
        handles.setdefault(row.handle, pid)
        handles.setdefault(row.handle.casefold(), pid)
    prefix = namespace + ":"
    own = frozenset(p for p in known_people if p.startswith(prefix))
    return Resolver(namespace=namespace, source=source, email_to_person=emails, handle_to_person=handles, stored=own,
                    ids_by_number=by_number)


def _as_hr(value: str) -> str:
    """An identities ``person_id`` as a stored HR id (``123`` -> ``hr:123``), for matching by number."""
    if value.startswith("hr:"):
        return value
    try:
        return make_id("hr", value)
    except SchemaError:
        return ""


__all__ = [
    "IdentityRow", "Resolver", "build_resolver", "folded_ids", "parse_identities", "person_ref", "read_identities",
]
