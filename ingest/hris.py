"""HRIS people exports (CSV, TSV or JSON) -> Person, HasSkill and REPORTS_TO.

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

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ingest.forum.common import IdSpace, make_has_skill, reject
from ingest.hr.dates import DateColumn, infer_date_column
from ingest.hr.managers import LinkResult, ManagerRef, PersonKeys, resolve_managers
from ingest.hr.mapping import (
    FIELDS,
    REQUIRED,
    SYNONYMS,
    ColumnMapping,
    bundled_mappings,
    load_mapping,
    norm_header,
)
from ingest.hr.status import parse_flag, parse_status, status_codes
from ingest.numbers import BigInt, loads
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.ids import make_id
from schema.models import HasSkill, Person
from schema.skills import AliasTable, parse_level

# values that mean "none" in a manager or date cell (SuccessFactors writes NO_MANAGER, spreadsheets #N/A)
NULLS = frozenset({"", "na", "n/a", "#n/a", "none", "null", "nil", "-", "--", "no_manager", "nan", "0000-00-00"})


# --- read ------------------------------------------------------------------------------------------


@dataclass
class HrTable:
    """A decoded export: its header (column names as in the file) and rows as (line number, values by column)."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    rejects: list[Reject] = field(default_factory=list)  # rows the reader could not split or decode
    header_line: int = 1  # a report's title and run-date lines above the header are skipped
    # rows the reader rejected, as far as they could be split: their people are in the file (never leavers)
    unread: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_hris(path: str | Path, mapping: ColumnMapping | None = None) -> HrTable:
    """Open and decode a CSV or JSON export (JSON: a list of objects, or {"employees": [...]})."""
    m = mapping or ColumnMapping()
    p = Path(path)
    file = str(p)
    if p.is_dir():
        raise UnreadableInput(file, "is a directory, expected a CSV or JSON file")
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput(file, "no such file") from None
    except OSError as exc:
        raise UnreadableInput(file, f"cannot read: {exc.strerror}") from None
    if not raw.strip():
        raise UnreadableInput(file, "empty file")
    binary = _binary_kind(raw)
    if binary:
        raise UnreadableInput(file, f"{binary}, not a CSV, TSV or JSON export: save the sheet as CSV UTF-8 (or "
                                    "export CSV from the HR system) and ingest that file")
    encoding = m.encoding
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and _is_utf8(encoding):
        encoding = "utf-16"  # Excel's "Unicode text" export
    # undecodable bytes become lone surrogates, so each row that holds one is rejected alone, with its line number
    try:
        text = raw.decode(encoding, errors="surrogateescape")
    except UnicodeDecodeError as exc:  # codecs without surrogateescape support (utf-16 with a bad tail)
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UnreadableInput(file, f"not {encoding} text (byte 0x{raw[exc.start]:02x})", line) from None
    label = "UTF-8" if _is_utf8(encoding) else encoding
    first = text.lstrip()[:1]
    if p.suffix.lower() == ".json" or first in ("[", "{"):
        return _read_json(file, text, label)
    return _read_csv(file, text, "\t" if p.suffix.lower() == ".tsv" else None, label,
                     lambda names: _names_fields(names, m, file))


def _binary_kind(raw: bytes) -> str | None:
    """What a spreadsheet or archive passed as an export is (they decode as no text encoding), else None."""
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an Excel workbook (.xls)"
    if not raw.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError):
        return "a zip archive (damaged)"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (.xlsx)"
    if "content.xml" in names:
        return "an OpenDocument spreadsheet (.ods)"
    return "a zip archive (unpack it)"


def _names_fields(names: list[str], m: ColumnMapping, file: str) -> bool:
    """Whether a row is the header: its names give the required fields (and every column the mapping names)."""
    try:
        _columns(names, m, file)
    except UnreadableInput:
        return False
    return True


def _is_utf8(encoding: str) -> bool:
    return encoding.replace("_", "-").lower() in ("utf-8-sig", "utf-8", "utf8")


def _bad_byte(values: Iterable[Any]) -> int | None:
    """The first undecodable byte (as escaped by surrogateescape) in any string value, else None."""
    for v in values:
        if isinstance(v, str):
            for ch in v:
                if "\udc80" <= ch <= "\udcff":
                    return ord(ch) - 0xDC00
    return None


def _encoding_reason(byte: int, label: str) -> str:
    return f"not {label} text (byte 0x{byte:02x}); set [options] encoding in --mapping (e.g. \"cp1252\")"


def _read_json(file: str, text: str, label: str = "UTF-8") -> HrTable:
    try:
        data = loads(text)  # integers past 64 bits become BigInt: their text, never a 4,300-digit int()
    except json.JSONDecodeError as exc:
        raise UnreadableInput(file, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise UnreadableInput(file, "invalid JSON: nested too deeply") from None
    if isinstance(data, dict):
        for key in ("employees", "people", "workers", "data", "Report_Entry"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise UnreadableInput(file, 'expected a list of people or {"employees": [...]}')
    if not isinstance(data, list):
        raise UnreadableInput(file, 'expected a list of people or {"employees": [...]}')
    header: dict[str, None] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    unread: list[tuple[int, dict[str, Any]]] = []
    rejects = []
    for n, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            rejects.append(Reject(file, n, f"record is a JSON {type(rec).__name__}, expected an object"))
            continue
        bad = _bad_byte([*rec.keys(), *rec.values()])
        if bad is not None:
            rejects.append(Reject(file, n, _encoding_reason(bad, label)))
            unread.append((n, {str(k): v for k, v in rec.items()}))
            continue
        for k in rec:
            header.setdefault(str(k), None)
        rows.append((n, {str(k): v for k, v in rec.items()}))
    return HrTable(file, list(header), rows, rejects, unread=unread)


HEADER_SEARCH = 20  # lines read looking for the header below a report's title, run date and prompts


def _read_csv(file: str, text: str, delimiter: str | None, label: str = "UTF-8",
              is_header: Callable[[list[str]], bool] | None = None) -> HrTable:
    first_line = text.split("\n", 1)[0]
    # the first line's most frequent separator first (ties: in this order); another one when only it finds a header
    # below a title line (a semicolon-separated export titled "Headcount, Germany")
    candidates = [delimiter] if delimiter else sorted((",", ";", "\t", "|"), key=first_line.count, reverse=True)
    delimiter, skip = candidates[0], 0
    for d in candidates:
        found = _header_index(text, d, is_header) if is_header else None
        if found is not None:
            delimiter, skip = d, found
            break
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rejects: list[Reject] = []
    try:
        for _ in range(skip):
            next(reader)
        header_line = reader.line_num + 1
        header = next(reader)
    except StopIteration:
        raise UnreadableInput(file, "empty file") from None
    except csv.Error as exc:
        raise UnreadableInput(file, f"unreadable header: {exc}", 1) from None
    bad = _bad_byte(header)
    if bad is not None:
        raise UnreadableInput(file, f"the header is {_encoding_reason(bad, label)}", header_line)
    header = _unique([h.strip() for h in header])
    if not any(header):
        raise UnreadableInput(file, "the first line (the header) is empty", 1)
    rows: list[tuple[int, dict[str, Any]]] = []
    unread: list[tuple[int, dict[str, Any]]] = []
    width = len(header)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejects.append(Reject(file, reader.line_num, f"unreadable CSV row: {exc}"))
            continue
        n = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        bad = _bad_byte(fields)
        if bad is not None or len(fields) > width:
            reason = _encoding_reason(bad, label) if bad is not None else \
                f"{len(fields)} fields but the header has {width}"
            rejects.append(Reject(file, n, reason))
            unread.append((n, dict(zip(header, fields, strict=False))))
            continue
        rows.append((n, dict(zip(header, fields, strict=False))))
    return HrTable(file, header, rows, rejects, header_line, unread)


def _header_index(text: str, delimiter: str, is_header: Callable[[list[str]], bool]) -> int | None:
    """The position of the header among the first records, or None when none of them is one."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for k, fields in enumerate(reader):
            if reader.line_num > HEADER_SEARCH:
                return None
            if _bad_byte(fields) is None and is_header([f.strip() for f in fields]):
                return k
    except csv.Error:
        return None
    return None


def _unique(header: list[str]) -> list[str]:
    """Column names made unique: a name written twice keeps its first column (the one a mapping naming it reads);
    a later column of that name is ``Name [column N]``, so it is neither read by mistake nor out of reach."""
    seen: set[str] = set()
    out = []
    for i, h in enumerate(header, start=1):
        out.append(f"{h} [column {i}]" if h and h in seen else h)
        seen.add(h)
    return out


# --- columns ---------------------------------------------------------------------------------------


def resolve_columns(header: Iterable[str], mapping: ColumnMapping, file: str) -> dict[str, str]:
    """Field -> column name in the file. A missing required column is UnreadableInput."""
    return _columns(list(header), mapping, file)[0]


def _columns(header: list[str], mapping: ColumnMapping, file: str) -> tuple[dict[str, str], dict[str, str]]:
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(norm_header(h), h)
    out: dict[str, str] = {}
    how: dict[str, str] = {}
    for fld, col in mapping.columns.items():
        hit = by_norm.get(norm_header(col))
        if hit is None:
            raise UnreadableInput(file, f"mapping names column {col!r} for {fld}, but the file has no such column")
        out[fld] = hit
        how[fld] = "from --mapping"
    for fld, names in SYNONYMS.items():
        if fld in out:
            continue
        for name in names:
            hit = by_norm.get(norm_header(name))
            if hit is not None and hit not in out.values():
                out[fld] = hit
                how[fld] = "default name" if norm_header(name) == norm_header(fld) else "recognised name"
                break
    missing = [f for f in REQUIRED if f not in out and not (f == "name" and "first_name" in out)]
    if missing:
        raise UnreadableInput(
            file,
            f"missing required column {missing[0]!r} (columns: {', '.join(header[:12])}); "
            "map it with --mapping columns.toml (try --dry-run)",
        )
    return out, how


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

    def suggested_mapping(self) -> str:
        """A mapping file that pins what was inferred, to save and edit: the dry run prints it."""
        lines = ["[columns]"]
        lines += [f"{fld} = {_toml(col)}" for fld, col in self.columns.items()]
        ambiguous = [c for c in self.date_columns.values() if c.ambiguous]
        orders = {c.order for c in self.date_columns.values() if c.order}
        lines.append("")
        lines.append("[options]")
        if ambiguous:
            names = ", ".join(repr(c.column) for c in ambiguous)
            lines.append(f'date_order = "MDY"  # or "DMY": the values of {names} do not say which; pick one')
        elif len(orders) == 1:
            lines.append(f'date_order = "{orders.pop()}"  # as inferred; pins it for later exports')
        if self.unknown_statuses:
            lines += ["", "[values.active]  # true: still employed; false: a leaver"]
            lines += [f"{_toml(v)} = false  # {n} row(s): check" for v, n in
                      sorted(self.unknown_statuses.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines) + "\n"

    @property
    def problems(self) -> list[Reject]:
        return [*self.notes, *self.rejects, *self.link_rejects]


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


def row_ids(table: HrTable, id_column: str) -> set[str]:
    """The stored id of every row of the file whose id can be read, loaded or rejected (by the reader or the
    parser): with ``--full`` none of them is a leaver."""
    out = set()
    for _, rec in [*table.rows, *table.unread]:
        try:
            out.add(make_id("hr", _text(rec.get(id_column))))
        except (ValueError, SchemaError):
            continue
    return out


def _key(v: Any) -> str | None:
    t = _text(v)
    return None if t.casefold() in NULLS else t


_NO_ALIASES = AliasTable(defaults=False)  # checks a name can become a skill, without naming which one


def parse_skills(value: Any, mapping: ColumnMapping) -> tuple[tuple[str, int | None], ...]:
    """(skill name as written, level) from ``python:4;k8s:expert;sql`` (or, in JSON, a list of names or
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
        for part in _text(value).split(mapping.skills_separator):
            if part.strip():
                entries.append(_split_level(part.strip(), mapping.level_separator))
    out: list[tuple[str, int | None]] = []
    for name, level in entries:
        try:
            _NO_ALIASES.canonical(name)  # text, something meaningful left, not too long: as with any table
            lv = parse_level(level if isinstance(level, int | str) or level is None else str(level))
        except SchemaError as exc:
            raise ValueError(f"skill {name[:40]!r}: {exc}") from None
        out.append((name, lv))
    return tuple(out)


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
    hr_id = IdSpace("hr")
    c = {f: cols.get(f, "") for f in FIELDS}

    def get(rec: dict[str, Any], fld: str) -> Any:
        col = c[fld]
        return rec.get(col) if col else None

    notes: list[Reject] = []
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
        if codes:  # a column of one-letter codes: T is Terminated there (the mapping's value map still wins)
            active_map = {**codes, **(active_map or {})}
    seen: dict[str, int] = {}
    parsed: list[tuple[int, Person, tuple[HasSkill, ...]]] = []
    keys: list[PersonKeys] = []
    refs: list[ManagerRef] = []
    rejects: list[Reject] = list(table.rejects)
    statuses: dict[str, tuple[bool, int]] = {}
    unknown: dict[str, int] = {}
    for n, rec in table.rows:
        try:
            local = _text(get(rec, "id"))
            if not local:
                raise ValueError("id is empty")
            pid = hr_id(local)
            if pid in seen:
                raise ValueError(f"duplicate id {local!r} (first on row {seen[pid]})")
            full = _text(get(rec, "name"))
            first_last = " ".join(x for x in (_text(get(rec, "first_name")), _text(get(rec, "last_name"))) if x)
            name = full or first_last
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
                email=_text(get(rec, "email")) or None,
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
            rejects.append(reject(table.file, n, exc))
            continue
        seen[pid] = n
        st = _text(raw_status)
        if st:
            was = statuses.get(st, (active, 0))
            statuses[st] = (active, was[1] + 1)
        parsed.append((n, person, skills))
        keys.append(PersonKeys(pid, n, tuple(dict.fromkeys(x for x in (full, first_last) if x)), person.email,
                                _key(get(rec, "code"))))
        refs.append(ref)
    if c["manager_id"] and "manager_code" not in cols and "manager_id" not in m.columns:
        ids = {r.id for r in refs if r.id}
        if ids and not ids & (set(seen) | set(known_ids)):
            # a "Manager ID" column none of whose values is an employee id holds manager codes (HRDataset's
            # ManagerID, a manager number): link through the names/emails given beside them instead
            refs = [ManagerRef(r.person_id, r.row, None, r.email, r.name, r.id.partition(":")[2] if r.id else None)
                    for r in refs]
            cols["manager_code"] = cols.pop("manager_id")
            how["manager_code"] = "no value is an employee id: read as a manager code"
            how.pop("manager_id", None)
    links = resolve_managers(keys, refs, known_ids=known_ids, known_emails=known_emails)
    rows = [HrRow(n, _with_manager(p, links.links[p.id]) if p.id in links.links else p, sk, links.links.get(p.id))
            for n, p, sk in parsed]
    link_rejects = [Reject(table.file, pr.row, pr.reason, kind=f"link:{pr.kind}") for pr in links.problems]
    used = set(cols.values())
    return HrParse(
        file=table.file, columns=cols, how=how, unused=[h for h in table.header if h not in used], dates=dates,
        rows=rows, rejects=sorted(rejects, key=lambda r: r.row or 0), notes=notes, links=links,
        link_rejects=link_rejects, rows_read=len(table.rows) + len(table.rejects), statuses=statuses,
        date_columns=date_columns, unknown_statuses=unknown, header_line=table.header_line,
    )


def _infer_dates(table: HrTable, column: str, m: ColumnMapping, order: str | None,
                 hint_from: str = "the mapping's hint") -> DateColumn:
    return infer_date_column(
        column, (rec.get(column) for _, rec in table.rows if _text_or_none(rec.get(column)) not in NULLS),
        date_format=m.date_format, date_order=order, locale=m.locale, hint_from=hint_from,
    )


def _with_manager(p: Person, manager_id: str) -> Person:
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
    "row_ids",
]
