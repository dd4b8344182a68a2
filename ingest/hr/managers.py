"""Reporting lines from what HR rows say about each person's manager.

Exports name a manager in one of four ways: the manager's employee id, their email, their name ("First Last",
or "Last, First M" as payroll systems write it), or a manager *code* that is not an employee id (a position number,
a manager number) and reaches a person through a second key: the ``code`` column of the manager's own row
(ADP's "Position ID"), or, when the file has no such column, the name or email given beside the code on other rows.
Each row's manager is looked up by id, then email, then code, then name; the first key that names exactly one person
links. A manager id that matches no id exactly links to the one id that writes the same number (``000123`` or
``123.0`` for ``123``: a workbook's number cells beside text cells, :mod:`ingest.hr.idnumbers`), counted apart; when
several ids write it, nothing is guessed and the row is reported with the candidates. A key that fits several people
of whom one is still employed (a rehire under a new id keeps the old record's email and name) links a current
employee to that one: a leaver manages no one. Names are compared with case, accents and punctuation folded, in both
orders, with or without middle names; a key that still fits two people is not linked and is reported once. A
reporting cycle (A reports to B reports to A, or to themself) is reported once and none of its lines is loaded. Pure
functions: no store, no I/O.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ingest.hr.idnumbers import NumberIndex, said_number
from ingest.hr.status import fold

_REMARK = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})


def _tokens(text: str) -> list[str]:
    # hyphens, apostrophes and dots join (O'Brien, Smith-Jones, St. John); other punctuation separates
    joined = text.replace("-", "").replace("'", "").replace("\u2019", "").replace(".", "")
    toks = fold(joined).split()
    while len(toks) > 1 and toks[-1] in _SUFFIXES:
        toks.pop()
    return toks


@lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str] | None:
    """(full, short) keys of a person's name, the same for "Ann B. Lee", "Lee, Ann B" and "LEE, Ann":
    full = given names then family names; short = first given name then family names. None for no name.
    Remarks in brackets are dropped ("Eric Asture (Inactive)", as BambooHR marks a manager who left)."""
    name = _REMARK.sub(" ", name)
    if "," in name:
        family, _, given = name.partition(",")
        last, first = _tokens(family), _tokens(given)
        if not first or not last:
            toks = last or first
            return (" ".join(toks), " ".join(toks)) if toks else None
        return " ".join(first + last), " ".join([first[0], *last])
    toks = _tokens(name)
    if not toks:
        return None
    if len(toks) == 1:
        return toks[0], toks[0]
    return " ".join(toks), f"{toks[0]} {toks[-1]}"


_DN = re.compile(r"\s*(?:CN|UID)\s*=\s*((?:[^,\\]|\\.)+?)\s*,\s*(?:OU|DC|CN|O|L|C)\s*=", re.IGNORECASE)
_DN_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{2}|.)")


def ldap_common_name(value: str) -> str | None:
    """The common name (or OpenLDAP's uid) of an LDAP distinguished name, as a directory writes a manager (csvde,
    LDIF, ``Get-ADUser -Properties Manager``), escapes undone; None for a value that is no DN.

    >>> ldap_common_name("CN=Jane Doe,OU=Staff,DC=corp,DC=com"), ldap_common_name(r"CN=Doe\\, John,OU=Staff,DC=corp")
    ('Jane Doe', 'Doe, John')
    >>> ldap_common_name("uid=jdoe,ou=people,dc=example,dc=com"), ldap_common_name("Doe, John")
    ('jdoe', None)
    >>> ldap_common_name("CN=Jane Doe")
    """
    m = _DN.match(value)
    if m is None:
        return None
    return _DN_ESCAPE.sub(lambda e: chr(int(e.group(1), 16)) if len(e.group(1)) == 2 else e.group(1), m.group(1))


def other_name(other: str, name: str) -> str:
    """Another name colleagues may use for a manager: a whole alias as written ("Taro Yamada"), or a preferred
    first name ("Bobby", Gusto's Preferred First Name, Namely's Preferred name) with the family name of ``name``.

    >>> other_name("Bobby", "Chen, Robert"), other_name("Bobby", "Robert Chen"), other_name("Taro Yamada", "山田 太郎")
    ('Bobby chen', 'Bobby chen', 'Taro Yamada')
    """
    keys = name_keys(name) if other and len(other.split()) == 1 else None
    family = keys[1].split()[1:] if keys else []
    return " ".join([other, *family]) if family else other


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """What other rows may use to name this person as their manager."""

    person_id: str
    row: int
    names: tuple[str, ...] = ()  # the name column and/or "first last"
    email: str | None = None  # case-folded
    code: str | None = None  # the file's ``code`` column (e.g. a position id)
    active: bool = True  # still employed (a leaver's keys name a current employee's manager only when no one else)


@dataclass(frozen=True, slots=True)
class ManagerRef:
    """What one row says about its manager (each key blank or as written in the file)."""

    person_id: str
    row: int
    id: str | None = None  # the stored id (hr:<local>)
    email: str | None = None
    name: str | None = None
    code: str | None = None
    active: bool = True  # the row's person is still employed

    @property
    def given(self) -> bool:
        return any((self.id, self.email, self.name, self.code))

    def describe(self) -> str:
        parts = [f"{k} {v!r}" for k, v in (("id", self.id and self.id.partition(":")[2]), ("email", self.email),
                                           ("code", self.code), ("name", self.name)) if v]
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """One reported problem: ``kind`` unresolved | ambiguous | cycle; ``rows`` every row it concerns."""

    kind: str
    row: int
    reason: str
    rows: tuple[int, ...] = ()


@dataclass
class LinkResult:
    links: dict[str, str] = field(default_factory=dict)  # person id -> manager id
    via: dict[str, str] = field(default_factory=dict)  # person id -> "id" | "email" | "code" | "name"
    numbered: set[str] = field(default_factory=set)  # people linked by an id that matched by number, not exactly
    unresolved: int = 0
    ambiguous: int = 0
    cycle: int = 0
    problems: list[LinkProblem] = field(default_factory=list)
    # people whose row names no manager at all (not one that failed to resolve): a later export retracting a line
    blank: set[str] = field(default_factory=set)

    @property
    def linked(self) -> int:
        return len(self.links)

    @property
    def linked_by(self) -> dict[str, int]:
        """Lines linked per kind of key (cycles removed)."""
        out = dict.fromkeys(("id", "email", "code", "name"), 0)
        for p in self.links:
            out[self.via[p]] += 1
        return out

    @property
    def by_number(self) -> int:
        """Lines linked by a manager id that matched an id by number (leading zeros or a ``.0`` differ)."""
        return sum(1 for p in self.numbered if p in self.links)


class _Index:
    def __init__(self, people: Sequence[PersonKeys], known_emails: Mapping[str, str]) -> None:
        self.full: dict[str, set[str]] = defaultdict(set)
        self.short: dict[str, set[str]] = defaultdict(set)
        self.stored_email: dict[str, str] = {e.casefold(): p for e, p in known_emails.items()
                                             if p.startswith("hr:")}
        self.email: dict[str, set[str]] = defaultdict(set)  # the file's emails (several: a rehire, a shared box)
        self.code: dict[str, set[str]] = defaultdict(set)
        self.row: dict[str, int] = {}
        self.leavers: set[str] = set()
        for p in people:
            self.row[p.person_id] = p.row
            if not p.active:
                self.leavers.add(p.person_id)
            for n in p.names:
                keys = name_keys(n)
                if keys is not None:
                    self.full[keys[0]].add(p.person_id)
                    self.short[keys[1]].add(p.person_id)
            if p.email:
                self.email[p.email.casefold()].add(p.person_id)
            if p.code:
                self.code[fold(p.code)].add(p.person_id)

    def by_name(self, name: str) -> set[str]:
        """People a manager name fits. A name with middle names ("John A Smith") first looks for that full name;
        a name without ("John Smith") fits everyone of that first and last name, with or without middle names,
        so it is ambiguous when two people share them."""
        keys = name_keys(name)
        if keys is None:
            return set()
        full, short = keys
        if full != short:
            hit = self.full.get(full)
            if hit:
                return hit
        return self.short.get(short) or self.full.get(full) or set()

    def by_email(self, email: str) -> set[str]:
        """People of the file with that email, else the stored HR person who has it."""
        key = email.casefold()
        hit = self.email.get(key)
        if hit:
            return hit
        stored = self.stored_email.get(key)
        return {stored} if stored else set()

    def one(self, who: set[str], ref: ManagerRef) -> str | None:
        """The one person a key names for this row: the only one, or, for a current employee, the only one of
        several who is still employed (a leaver manages no one); None when that leaves several or none."""
        if len(who) == 1:
            return next(iter(who))
        current = who - self.leavers
        if ref.active and len(current) == 1:
            return next(iter(current))
        return None


def resolve_managers(
    people: Sequence[PersonKeys],
    refs: Iterable[ManagerRef],
    *,
    known_ids: Collection[str] = (),
    known_emails: Mapping[str, str] | None = None,
    rejected: Mapping[str, int | str] | None = None,
) -> LinkResult:
    """Link each row's manager (see the module docstring). ``known_ids``/``known_emails``: people already in the
    store, who may be managers of people in this file. ``rejected``: the id and row of each person whose row in this
    file was rejected, or where a row not read is (a manager among them is reported as there, not as matching no
    one)."""
    refs = list(refs)
    blank = {r.person_id for r in refs if not r.given}
    refs = [r for r in refs if r.given]
    idx = _Index(people, known_emails or {})
    in_file = set(idx.row)
    numbers = NumberIndex(
        [*in_file, *known_ids] if any(r.id and r.id not in in_file and r.id not in known_ids for r in refs) else (),
        "hr:")
    # a manager id that is exactly a rejected row's id names that row (reported as such), never another by number
    numbers.exclude(rejected or ())
    codes = _code_table(idx, refs, in_file, known_ids, numbers)
    learnt = not idx.code  # codes learnt from names: a row's own name, when it gives one, is the better evidence
    out = LinkResult(blank=blank)
    unresolved: dict[str, list[ManagerRef]] = defaultdict(list)
    ambiguous: dict[tuple[str, ...], tuple[str, set[str], list[ManagerRef]]] = {}  # by the people it fits
    for ref in refs:
        if learnt and ref.code and ref.name:
            ref = replace(ref, code=None)
        target, how, amb = _resolve(ref, idx, codes, in_file, known_ids, numbers)
        if target is not None:
            out.links[ref.person_id] = target
            out.via[ref.person_id] = "id" if how == "number" else how
            if how == "number":
                out.numbered.add(ref.person_id)
        elif amb is not None:
            label, who = amb
            ambiguous.setdefault((label.partition(" ")[0], *sorted(who)), (label, who, []))[2].append(ref)
        else:
            unresolved[ref.describe()].append(ref)
    by_number = NumberIndex(rejected or (), "hr:")
    for desc, rs in unresolved.items():
        out.unresolved += len(rs)
        on = (rejected or {}).get(rs[0].id or "")
        if on is None and rs[0].id and len(same := by_number.candidates(rs[0].id)) == 1:
            on = (rejected or {})[same[0]]  # the manager's row, its id written with other zeros, was rejected
        why = f"is on row {on}, which was rejected (see that row's problem)" if isinstance(on, int) else \
            f"is on {on}, which is not read (see that sheet's problem)" if on else "matches no person"
        out.problems.append(LinkProblem(
            "unresolved", rs[0].row,
            f"manager ({desc}) {why}; {_people(len(rs))} loaded without a manager{_rows(rs)}"
            f"{'' if on else _elsewhere(rs[0])}",
            tuple(r.row for r in rs)))
    for key, who, rs in ambiguous.values():
        out.ambiguous += len(rs)
        where = ", ".join(f"{p.partition(':')[2]} (row {idx.row[p]})" if p in idx.row else f"{p} (stored)"
                          for p in sorted(who))
        if key.startswith(_BY_NUMBER):
            local = key.removeprefix(_BY_NUMBER)
            why = (f"manager id {local!r} matches no id exactly, and {len(who)} ids write the number "
                   f"{said_number(local)}: {where}; nothing guessed, not linked for {_people(len(rs))}{_rows(rs)}. "
                   "Write the ids alike in both columns (in Excel: format both columns as Text)")
        else:
            why = f"manager {key} fits {len(who)} people: {where}; not linked for {_people(len(rs))}{_rows(rs)}"
        out.problems.append(LinkProblem("ambiguous", rs[0].row, why, tuple(r.row for r in rs)))
    _drop_cycles(out, idx)
    return out


def _elsewhere(ref: ManagerRef) -> str:
    """What to do when the manager is listed by another export (a subsidiary's, the executives' file): a manager
    id or email is looked up in this file and the store, so the line links once that export is loaded first."""
    if ref.id or ref.email:
        return ". If another export lists them, load it, then this file again"
    return ""


_BY_NUMBER = "number "  # the label of a manager id that several ids write as a number


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


def _rows(rs: Sequence[ManagerRef]) -> str:
    if len(rs) == 1:
        return ""
    shown = ", ".join(str(r.row) for r in rs[:10])
    return f" (rows {shown}{', ...' if len(rs) > 10 else ''})"


def _code_table(idx: _Index, refs: Sequence[ManagerRef], in_file: set[str],
                known_ids: Collection[str], numbers: NumberIndex) -> dict[str, set[str]]:
    """Manager code -> people: from the code column when the file has one, else learnt from rows that give a
    code beside a manager id, email or name that resolves (every such row must agree, or the code is ambiguous)."""
    if idx.code:
        return dict(idx.code)
    votes: dict[str, set[str]] = defaultdict(set)
    for ref in refs:
        if not ref.code:
            continue
        target, _, _ = _resolve(replace(ref, code=None), idx, {}, in_file, known_ids, numbers)
        if target is not None:
            votes[fold(ref.code)].add(target)
    return dict(votes)


def _resolve(ref: ManagerRef, idx: _Index, codes: Mapping[str, set[str]], in_file: set[str],
             known_ids: Collection[str], numbers: NumberIndex,
             ) -> tuple[str | None, str, tuple[str, set[str]] | None]:
    """The manager a row names, how ("id", "number": an id matched by number, "email", "code", "name"), and the
    people a key fits when it fits several (an id several ids write as a number is reported before any other)."""
    amb: tuple[str, set[str]] | None = None
    numbered = False
    if ref.id:
        if ref.id in in_file or ref.id in known_ids:  # an exact match always wins
            return ref.id, "id", None
        same = numbers.candidates(ref.id)
        if len(same) == 1:
            return same[0], "number", None
        if same:
            amb, numbered = (_BY_NUMBER + ref.id.partition(":")[2], set(same)), True
    for how, label, value, who in (
        ("email", "email", ref.email, idx.by_email(ref.email) if ref.email else set()),
        ("code", "code", ref.code, codes.get(fold(ref.code), set()) if ref.code else set()),
        ("name", "name", ref.name, idx.by_name(ref.name) if ref.name else set()),
    ):
        hit = idx.one(who, ref) or (_by_remark(ref.name, who) if how == "name" else None)
        if hit is not None:
            return hit, how, None
        if len(who) > 1 and not numbered:
            amb = (f"{label} {value!r}", who)
    return None, "", amb


_REMARK_ID = re.compile(r"\(\s*([^()]+?)\s*\)\s*$")


def _by_remark(name: str | None, who: set[str]) -> str | None:
    """Of several people a manager name fits, the one whose employee id the name gives in brackets after it, as
    Workday shows a worker (``Logan McNeil (21001)``): the bracket is dropped to compare names, and two Logan
    McNeils were ambiguous though the cell said which.

    >>> _by_remark("Logan McNeil (21001)", {"hr:21001", "hr:21999"}), _by_remark("Ann (Inactive)", {"hr:1", "hr:2"})
    ('hr:21001', None)
    """
    m = _REMARK_ID.search(name or "")
    if m is None:
        return None
    hits = [p for p in who if p.partition(":")[2] == m.group(1)]
    return hits[0] if len(hits) == 1 else None


def without_own_id(name: str, local_id: str) -> str:
    """A name without its own employee id in brackets after it, as Workday shows a worker (``Logan McNeil
    (21001)``): stored so, the person was found and shown under the number too. Any other remark stays.

    >>> without_own_id("Logan McNeil (21001)", "21001"), without_own_id("Ann Lee (Contractor)", "7")
    ('Logan McNeil', 'Ann Lee (Contractor)')
    """
    m = _REMARK_ID.search(name)
    if m is None or m.group(1) != local_id.strip() or not name[:m.start()].strip():
        return name
    return name[:m.start()].rstrip()


def _drop_cycles(out: LinkResult, idx: _Index) -> None:
    """Remove every line of every reporting cycle (each node has at most one manager: walk until a seen node)."""
    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    links = out.links
    for start in list(links):
        if start in state:
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = links.get(node)
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node):]
            for p in cycle:
                del links[p]
            out.cycle += len(cycle)
            names = " -> ".join(p.partition(":")[2] or p for p in [*cycle, cycle[0]])
            rows = tuple(sorted(idx.row.get(p, 0) for p in cycle))
            what = "reports to themself" if len(cycle) == 1 else f"reporting cycle {names}"
            if len(cycle) == 1:
                what = f"{cycle[0].partition(':')[2]} {what}"
            out.problems.append(LinkProblem(
                "cycle", rows[0], f"{what}; {'this line is' if len(cycle) == 1 else 'these lines are'} not loaded",
                rows))
        for p in path:
            state[p] = 2


__all__ = ["LinkProblem", "LinkResult", "ManagerRef", "PersonKeys", "ldap_common_name", "name_keys", "other_name",
           "resolve_managers", "without_own_id"]
