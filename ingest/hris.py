"""HRIS people exports (CSV, TSV, JSON or an Excel workbook) -> Person, HasSkill and REPORTS_TO.

Column names differ between systems, so each field is found under its default name or a common synonym, case- and
punctuation-insensitively, or where a ``--mapping`` file says (:mod:`ingest.hr.mapping`). Dates are read by a
format inferred per column (:mod:`ingest.hr.dates`), statuses through the known vocabularies and the mapping's value
maps (:mod:`ingest.hr.status`), and managers are linked by id, email, code or name once every row is read
(:mod:`ingest.hr.managers`).

``read_hris`` only opens and decodes (a row with a byte the encoding cannot read is rejected alone: the rows
before and after it still load); ``parse_export`` is pure and returns every good row with its manager resolved,
every rejected row, every link problem and every column-level note. Declared skills come out as written (a row
whose skill name says nothing is rejected here); :func:`ingest.normalise.hr_rows` applies the alias table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ingest.forum.common import IdSpace, make_has_skill, reject
from ingest.hr.cells import blank_or, one_line
from ingest.hr.columns import NULLS, id_column
from ingest.hr.columns import columns as _columns
from ingest.hr.dates import DateColumn, infer_date_column
from ingest.hr.idnumbers import NumberIndex
from ingest.hr.managers import (
    LinkResult,
    ManagerRef,
    PersonKeys,
    ldap_common_name,
    other_name,
    resolve_managers,
    without_own_id,
)
from ingest.hr.mapping import (
    FIELDS,
    SYNONYMS,
    ColumnMapping,
    bundled_mappings,
    family_name_column,
    holds_full_names,
    load_mapping,
    norm_header,
)
from ingest.hr.read import HrTable, Progress, read_table
from ingest.hr.status import account_control, parse_flag, parse_status, status_codes
from ingest.numbers import BigInt
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.ids import make_id
from schema.models import HasSkill, Person
from schema.skills import AliasTable, parse_level

# --- read ------------------------------------------------------------------------------------------


def read_hris(path: str | Path, mapping: ColumnMapping | None = None, progress: Progress | None = None) -> HrTable:
    """Open and decode a CSV, TSV, JSON or .xlsx export (:mod:`ingest.hr.read`); the header is the first of the
    first rows whose names give the required fields, so a report's title lines above it are skipped."""
    m = mapping or ColumnMapping()
    file = str(Path(path))
    return read_table(path, m.encoding, lambda names: _names_fields(names, m, file), progress)


def _names_fields(names: list[str], m: ColumnMapping, file: str) -> bool:
    """Whether a row is the header: its names give the required fields (and every column the mapping names)."""
    try:
        _columns(names, m, file)
    except UnreadableInput:
        return False
    return True


# --- columns ---------------------------------------------------------------------------------------


def resolve_columns(header: Iterable[str], mapping: ColumnMapping, file: str,
                    rows: Iterable[tuple[int, dict[str, Any]]] = ()) -> dict[str, str]:
    """Field -> column name in the file (the ``rows`` settle which of several id columns is the id). A missing
    required column is UnreadableInput."""
    header = list(header)
    cols, how = _columns(header, mapping, file)
    id_column(header, list(rows), cols, how, mapping)
    return cols


# --- parse -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HrRow:
    row: int
    person: Person
    skills: tuple[HasSkill, ...]
    manager_id: str | None  # stored id of the manager the row was linked to


@dataclass
class HrParse:
    """Everything one export gives: rows, rejects, reporting lines and what was inferred (for the dry run)."""

    file: str
    columns: dict[str, str]  # field -> column in the file
    how: dict[str, str]  # field -> how the column was found
    unused: list[str]  # columns of the file no field reads
    dates: DateColumn | None  # the hire date column
    rows: list[HrRow]
    rejects: list[Reject]  # rejected rows (row-level)
    notes: list[Reject]  # column-level problems, each said once
    links: LinkResult
    link_rejects: list[Reject]  # reporting lines not loaded (unresolved, ambiguous, cycle)
    rows_read: int
    statuses: dict[str, tuple[bool, int]] = field(default_factory=dict)  # status value -> (active, rows)
    date_columns: dict[str, DateColumn] = field(default_factory=dict)  # field -> how its column is read
    unknown_statuses: dict[str, int] = field(default_factory=dict)  # status values no vocabulary knows -> rows
    header_line: int = 1  # the line the header was found on (report title lines above it skipped)
    # people whose rows are in the file but were rejected (by the reader or the parser), with the row, or not read
    # (another sheet of a workbook), with where they are: none is a leaver under --full, and a manager among them
    # is named as such
    rejected_ids: dict[str, int | str] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # rows that are no person: (line, why)
    encoding: str | None = None  # the text encoding read (None: a workbook)
    encoding_guessed: str | None = None  # set when detected, not given: what was seen (ingest/hr/encoding.py)

    def suggested_mapping(self) -> str:
        """A mapping file that pins what was inferred, to save and edit: the dry run prints it."""
        lines = ["[columns]"]
        lines += [f"{fld} = {_toml(col)}" for fld, col in self.columns.items()]
        ambiguous = [c for c in self.date_columns.values() if c.ambiguous]
        orders = {c.order for c in self.date_columns.values() if c.order}
        lines.append("")
        lines.append("[options]")
        if self.encoding_guessed:
            lines.append(f'encoding = "{self.encoding}"  # a guess ({self.encoding_guessed}): check the names above')
        if ambiguous:
            names = ", ".join(repr(c.column) for c in ambiguous)
            lines.append(f'date_order = "MDY"  # or "DMY": the values of {names} do not say which; pick one')
        elif len(orders) == 1:
            lines.append(f'date_order = "{orders.pop()}"  # as inferred; pins it for later exports')
        if self.unknown_statuses:
            # left commented out: saved unread, a guess would make every such row a leaver (or keep leavers on);
            # uncommented, each value says what it means, and until then its rows stay rejected, as now
            lines += ["", "[values.active]  # true: still employed; false: a leaver. Uncomment each line you decide"]
            lines += [f"# {_toml(v)} = true  # {n} row(s): true if still employed, false if they left" for v, n in
                      sorted(self.unknown_statuses.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines) + "\n"

    @property
    def problems(self) -> list[Reject]:
        return [*self.notes, *self.rejects, *self.link_rejects]


# fields that are one line of text: a line break in their cell is folded to a space (no field read is free text)
ONE_LINE = frozenset({"name", "first_name", "last_name", "other_name", "title", "department", "location",
                      "manager_name"})


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _text(v: Any) -> str:
    if type(v) is str:
        return v.strip()
    if isinstance(v, BigInt):
        return v.raw
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int | float | str):
        return str(v).strip()
    raise ValueError(f"expected text, got a JSON {type(v).__name__}")


def row_ids(table: HrTable, id_column: str) -> dict[str, int]:
    """The stored id of every row of the file whose id can be read, loaded or rejected (by the reader or the
    parser), with the first row giving it: with ``--full`` none of them is a leaver, and a manager whose own row
    was rejected is named as such, not as no one."""
    out: dict[str, int] = {}
    for n, rec in sorted([*table.rows, *table.unread], key=lambda t: t[0]):
        try:
            out.setdefault(make_id("hr", _text(rec.get(id_column))), n)
        except (ValueError, SchemaError):
            continue
    return out


def _key(v: Any) -> str | None:
    t = _text(v)
    return None if t.casefold() in NULLS else t


_MAILBOX = re.compile(r"^(?:\"[^\"]*\"|[^<>\"]*)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>$")


def plain_address(text: str) -> str:
    """An email cell's address alone: Outlook's and Exchange's ``Ann Lee <ann@x.com>`` (a display name before it)
    rejected the row as no email, and a hyperlink's ``mailto:cy@x.com`` was stored as the address, so it matched
    no forum account. Anything else is left for the email check.

    >>> plain_address('"Lee, Ann" <ann@x.com>'), plain_address("MAILTO:cy@x.com"), plain_address("ann@")
    ('ann@x.com', 'cy@x.com', 'ann@')
    """
    t = text.strip()
    m = _MAILBOX.match(t)
    if m is not None:
        t = m.group(1)
    return t[7:].strip() if t[:7].casefold() == "mailto:" else t


_SKILL_SEPS = re.compile(r"([;,|])")  # "python;sql", and "Python:4, SQL" in a semicolon-separated file
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_NO_ALIASES = AliasTable(defaults=False)  # checks a name can become a skill, without naming which one


def parse_skills(value: Any, mapping: ColumnMapping) -> tuple[tuple[str, int | None], ...]:
    """(skill name as written, level) from ``python:4;k8s:expert;sql`` (separated by ``;``, ``,`` or ``|`` unless
    the mapping sets ``skills_separator``; or, in JSON, a list of names or
    {"name", "level"} objects). Bad entries raise ValueError naming the entry (so the row is rejected here, before
    it counts for managers or duplicate ids); the alias table is applied by the normalise stage
    (:func:`ingest.normalise.hr_rows`), where ``js`` and ``javascript`` on one row become one skill."""
    entries: list[tuple[str, Any]] = []
    if isinstance(value, list):
        for e in value:
            if isinstance(e, dict):
                entries.append((_text(e.get("name") or e.get("skill")), e.get("level")))
            else:
                entries.append(_split_level(_text(e), mapping.level_separator))
    else:
        parts = _skill_parts(_text(value), mapping)
        for part in parts:
            name, level = _split_level(part, mapping.level_separator)
            if len(parts) > 1 and _NUMBER.fullmatch(name):
                raise ValueError(f"skill {name!r} in {_text(value)[:60]!r} is a number, not a skill name")
            entries.append((name, level))
    out: list[tuple[str, int | None]] = []
    for name, level in entries:
        try:
            _NO_ALIASES.canonical(name)  # text, something meaningful left, not too long: as with any table
            lv = parse_level(level if isinstance(level, int | str) or level is None else str(level))
        except SchemaError as exc:
            raise ValueError(f"skill {name[:40]!r}: {exc}") from None
        out.append((name, lv))
    return tuple(out)


def _skill_parts(text: str, mapping: ColumnMapping) -> list[str]:
    """The entries of a skills cell, split on the mapping's ``skills_separator`` or else any of ``;``, ``,``, ``|``.
    A comma between a level's digits and more digits is a decimal comma: ``python:4,5`` is python at level 4,5
    (as a European export writes 4.5), not python:4 and a skill named "5"."""
    sep = mapping.skills_separator
    pieces = re.split(f"({re.escape(sep)})", text) if sep else _SKILL_SEPS.split(text)
    level_end = re.compile(rf"{re.escape(mapping.level_separator)}\s*[0-9]+$") if mapping.level_separator else None
    parts: list[str] = []
    for i in range(0, len(pieces), 2):
        piece = pieces[i]
        if i and pieces[i - 1] == "," and re.fullmatch("[0-9]+", piece) and level_end and level_end.search(parts[-1]):
            parts[-1] += "," + piece
        else:
            parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


def _split_level(entry: str, sep: str) -> tuple[str, str | None]:
    if sep and sep in entry:
        name, _, level = entry.rpartition(sep)
        if name.strip():
            return name.strip(), level.strip()
    return entry, None


def parse_export(
    table: HrTable,
    mapping: ColumnMapping | None = None,
    *,
    known_ids: Collection[str] = (),
    known_emails: Mapping[str, str] | None = None,
    today: date | None = None,
) -> HrParse:
    """Parse every row, then link managers across the whole file (and the people already stored)."""
    m = mapping or ColumnMapping()
    cols, how = _columns(table.header, m, table.file)
    id_column(table.header, table.rows, cols, how, m)
    last, first = cols.get("last_name"), cols.get("first_name")
    if last and first and "last_name" not in m.columns and family_name_column(last, first) and holds_full_names(
            (_text_or_none(rec.get(last)), _text_or_none(rec.get(first))) for _, rec in table.rows):
        cols = {("name" if f == "last_name" else f): col for f, col in cols.items()}  # "Ann Lee" beside "Ann"
        how.pop("last_name")
        how["name"] = f"{last!r} beside a first-name column, but holding the first names too: the full name"
    hr_id = IdSpace("hr")
    c = {f: cols.get(f, "") for f in FIELDS}

    def get(rec: dict[str, Any], fld: str) -> Any:
        col = c[fld]
        if not col:
            return None
        value = blank_or(rec.get(col))  # a pivot table's "(blank)" is an empty cell
        return one_line(value) if fld in ONE_LINE else value  # "Berlin\nMitte" typed with Alt-Enter

    notes: list[Reject] = list(table.notes)
    date_columns: dict[str, DateColumn] = {}
    for fld in ("hire_date", "termination_date"):
        if c[fld]:
            date_columns[fld] = _infer_dates(table, c[fld], m, m.date_order)
    proven = {col.column: col.order for col in date_columns.values() if col.proven and col.order}
    for fld, col in list(date_columns.items()):
        if col.ambiguous and len(set(proven.values())) == 1:  # one system writes all its dates one way
            source, order = next(iter(proven.items()))
            date_columns[fld] = _infer_dates(table, c[fld], m, order, f"column {source!r}")
    for fld, col in date_columns.items():
        if col.problem and (fld == "hire_date" or not c["active"]):  # a status column makes end dates moot
            notes.append(Reject(table.file, None, col.problem, kind="column"))
    dates = date_columns.get("hire_date")
    ended = date_columns.get("termination_date")
    today = today or date.today()
    active_map, opt_map = m.values.get("active"), m.values.get("opted_out")
    if c["active"]:
        codes = status_codes(rec.get(c["active"]) for _, rec in table.rows)
        if norm_header(c["active"]) == "useraccountcontrol":  # Active Directory's flags: 2 is a disabled account
            codes = account_control(rec.get(c["active"]) for _, rec in table.rows)
        if codes:  # a column of one-letter codes: T is Terminated there (the mapping's value map still wins)
            active_map = {**codes, **(active_map or {})}
    seen: dict[str, int] = {}
    parsed: list[tuple[int, Person, tuple[HasSkill, ...]]] = []
    keys: list[PersonKeys] = []
    refs: list[ManagerRef] = []
    rejects: list[Reject] = list(table.rejects)
    statuses: dict[str, tuple[bool, int]] = {}
    unknown: dict[str, int] = {}
    read_cols = {col for col in c.values() if col}
    for n, rec in table.rows:
        try:
            broken = [said for col, said in table.errors.get(n, {}).items() if col in read_cols]
            if broken:  # :mod:`ingest.hr.cells`: "#REF! Lee" was a name, a manager of #N/A no manager
                raise ValueError(f"{'; '.join(broken)}: a formula that failed in the spreadsheet; fix it there "
                                 "and export again")
            local = _text(get(rec, "id"))
            if not local:
                raise ValueError(f"id is empty (column {c['id']!r})")
            pid = hr_id(local)
            if pid in seen:
                raise ValueError(f"duplicate id {local!r} (first on row {seen[pid]})")
            full = _text(get(rec, "name"))
            first_last = " ".join(x for x in (_text(get(rec, "first_name")), _text(get(rec, "last_name"))) if x)
            name = without_own_id(full or first_last, local)
            if not name:
                raise ValueError("name is empty")
            raw_status = get(rec, "active")
            try:
                active = parse_status(raw_status, active_map)
            except ValueError:
                st = _text(raw_status)
                unknown[st] = unknown.get(st, 0) + 1
                raise
            hired = dates.parse(get(rec, "hire_date"), "hire date") if dates and \
                _text(get(rec, "hire_date")).casefold() not in NULLS else None
            if ended is not None and not _text(raw_status):
                # no status on the row: a termination date that has passed makes a leaver (the status, when
                # given, wins: a rehired person may keep an old termination date)
                left = ended.parse(get(rec, "termination_date"), "termination date") \
                    if _text(get(rec, "termination_date")).casefold() not in NULLS else None
                active = left is None or left > today
            person = Person(
                id=pid,
                name=name,
                email=plain_address(_text(get(rec, "email"))) or None,
                title=_text(get(rec, "title")) or None,
                department=_text(get(rec, "department")) or None,
                location=_text(get(rec, "location")) or None,
                hired_on=hired,
                active=active,
                opted_out=parse_flag(get(rec, "opted_out"), False, "opted_out", opt_map),
                source="hr",
            )
            raw_skills = get(rec, "skills")
            skills = tuple(
                make_has_skill(pid, s, lv) for s, lv in parse_skills(raw_skills, m)
            ) if raw_skills else ()
            ref = _manager_ref(rec, get, pid, n, hr_id)
        except (ValueError, SchemaError) as exc:
            bad, cells = reject(table.file, n, exc), table.uncalculated.get(n)
            rejects.append(bad if not cells else replace(bad, reason=(
                f"{bad.reason} (cell(s) {', '.join(cells)} hold a formula with no value saved: the workbook was "
                "written by a program and never calculated; open and save it in Excel, or export the values)")))
            continue
        seen[pid] = n
        st = _text(raw_status)
        if st:
            was = statuses.get(st, (active, 0))
            statuses[st] = (active, was[1] + 1)
        parsed.append((n, person, skills))
        other = other_name(_text(get(rec, "other_name")), name)  # "Taro Yamada" beside "山田 太郎", "Bobby Chen"
        keys.append(PersonKeys(pid, n, tuple(dict.fromkeys(x for x in (full, first_last, other) if x)), person.email,
                                _key(get(rec, "code")), active))
        refs.append(replace(ref, active=active))
    # people whose rows are in the file but rejected: a manager among them is not "no one" (nor a manager code)
    rejected: dict[str, int | str] = {p: n for p, n in row_ids(table, c["id"]).items() if p not in seen}
    for where, rec in table.elsewhere:  # another sheet's people: in the file, not read
        try:
            rejected.setdefault(make_id("hr", _text(rec.get(c["id"]))), where)
        except (ValueError, SchemaError):
            continue
    if c["manager_id"] and "manager_code" not in cols and "manager_id" not in m.columns:
        ids = {r.id for r in refs if r.id}
        if ids and not ids & (set(seen) | set(rejected) | set(known_ids)) and not _numbers_of(
                ids, [*seen, *rejected, *known_ids]):
            # a "Manager ID" column none of whose values is an employee id holds manager codes (HRDataset's
            # ManagerID, a manager number): link through the names/emails given beside them instead
            refs = [replace(r, id=None, code=r.id.partition(":")[2] if r.id else None) for r in refs]
            cols["manager_code"] = cols.pop("manager_id")
            how["manager_code"] = "no value is an employee id: read as a manager code"
            how.pop("manager_id", None)
    links = resolve_managers(keys, refs, known_ids=known_ids, known_emails=known_emails, rejected=rejected)
    rows = [HrRow(n, with_manager(p, links.links[p.id]) if p.id in links.links else p, sk, links.links.get(p.id))
            for n, p, sk in parsed]
    link_rejects = [Reject(table.file, pr.row, pr.reason, kind=f"link:{pr.kind}") for pr in links.problems]
    used = set(cols.values())
    return HrParse(
        file=table.file, columns=cols, how=how, unused=[h for h in table.header if h not in used], dates=dates,
        rows=rows, rejects=sorted(rejects, key=lambda r: r.row or 0), notes=notes, links=links,
        link_rejects=link_rejects, rows_read=len(table.rows) + len(table.rejects), statuses=statuses,
        date_columns=date_columns, unknown_statuses=unknown, header_line=table.header_line, rejected_ids=rejected,
        skipped=list(table.skipped), encoding=table.encoding, encoding_guessed=table.encoding_guessed,
    )


def _infer_dates(table: HrTable, column: str, m: ColumnMapping, order: str | None,
                 hint_from: str = "the mapping's hint") -> DateColumn:
    return infer_date_column(
        column, (rec.get(column) for _, rec in table.rows if _text_or_none(rec.get(column)) not in NULLS),
        date_format=m.date_format, date_order=order, locale=m.locale, hint_from=hint_from, epoch=table.epoch,
    )


def _numbers_of(refs: Collection[str], ids: Collection[str]) -> bool:
    """Whether any reference writes the number of one of ``ids`` (``000123`` for ``hr:123``): an id column whose
    zeros differ from the employee ids' is still a column of ids, not of manager codes."""
    numbers = NumberIndex(ids, "hr:")
    return any(numbers.candidates(r) for r in refs)


def with_manager(p: Person, manager_id: str | None) -> Person:
    """The already-validated person with the manager the links resolved (model_construct: no second validation,
    several times cheaper than model_copy at 100k rows)."""
    return Person.model_construct(_fields_set=p.model_fields_set | {"manager_id"},
                                  **{**p.__dict__, "manager_id": manager_id})


def _text_or_none(v: Any) -> str:
    try:
        return _text(v).casefold()
    except ValueError:
        return "?"


def _manager_ref(rec: dict[str, Any], get: Any, pid: str, n: int, hr_id: IdSpace) -> ManagerRef:
    mid, email, name, code = (_key(get(rec, f)) for f in ("manager_id", "manager_email", "manager_name",
                                                          "manager_code"))
    if name and not mid and " " not in name and "," not in name and "@" not in name:
        mid = name  # a "Manager" column holding ids (SuccessFactors' MANAGER is the manager's USERID)
    if name and not email and "@" in name:
        email, name = name, None
    email = plain_address(email) if email else None
    if name and not code:
        cn = ldap_common_name(name)
        if cn is not None:  # an LDAP DN: the manager's distinguishedName (a code, when the file has that column)
            code, name = name, cn
    return ManagerRef(pid, n, hr_id(mid) if mid else None, email.casefold() if email else None, name, code)


def parse_hris(
    table: HrTable, mapping: ColumnMapping | None = None, aliases: AliasTable | None = None
) -> Iterator[HrRow | Reject]:
    """Every good row (manager linked, skills canonical) and every problem, for callers that want one stream:
    parse, then the normalise stage's skill names."""
    from ingest.normalise import SkillNames, hr_rows

    result = parse_export(table, mapping)
    result.rows = hr_rows(result.rows, SkillNames(aliases or AliasTable()))
    yield from result.notes
    yield from result.rejects
    yield from result.rows
    yield from result.link_rejects


__all__ = [
    "FIELDS",
    "NULLS",
    "SYNONYMS",
    "ColumnMapping",
    "HrParse",
    "HrRow",
    "HrTable",
    "bundled_mappings",
    "load_mapping",
    "parse_export",
    "parse_hris",
    "parse_skills",
    "read_hris",
    "resolve_columns",
    "with_manager",
    "row_ids",
]
