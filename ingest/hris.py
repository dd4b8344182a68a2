"""HRIS people exports (CSV or JSON) -> Person, HasSkill and the manager links for REPORTS_TO.

Column names differ between systems (Workday custom reports, BambooHR directory fields...), so each field is
found under its default name or a common synonym, case- and punctuation-insensitively, or where a mapping file
says::

    [columns]
    id = "Employee Number"
    manager_id = "Supervisor ID"

    [options]
    skills_separator = ";"   # between skills
    level_separator = ":"    # between a skill and its level (1-5 or beginner/intermediate/advanced/expert)
    date_format = "%m/%d/%Y" # hire dates that are not ISO 8601
    encoding = "utf-8"

``read_hris`` only opens and decodes; ``parse_hris`` is pure and yields one :class:`HrRow` or one
:class:`~ingest.rejects.Reject` per input row.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ingest.forum.common import IdSpace, make_has_skill, reject
from ingest.numbers import BigInt, loads
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.models import HasSkill, Person
from schema.skills import AliasTable, parse_level

FIELDS = ("id", "name", "email", "title", "department", "location", "manager_id", "hire_date", "skills",
          "opted_out", "active", "first_name", "last_name")
REQUIRED = ("id", "name")

# synonyms seen in Workday custom reports and BambooHR / other directory exports
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "employee id", "employee_id", "employeeid", "employee number", "employee no", "emp id",
           "worker id", "person id", "staff id", "employee #"),
    "name": ("name", "full name", "employee name", "display name", "preferred name", "worker", "legal name",
             "employee"),
    "first_name": ("first name", "firstname", "given name", "legal first name", "preferred first name"),
    "last_name": ("last name", "lastname", "surname", "family name", "legal last name"),
    "email": ("email", "work email", "email address", "work email address", "business email",
              "primary work email", "e-mail", "mail"),
    "title": ("title", "job title", "position", "business title", "job profile", "job", "position title"),
    "department": ("department", "dept", "division", "team", "supervisory organization", "org unit",
                   "organization", "cost center"),
    "location": ("location", "work location", "office", "city", "site", "primary work location",
                 "office location"),
    "manager_id": ("manager id", "manager_id", "managerid", "supervisor id", "reports to id",
                   "manager employee id", "supervisor employee id", "manager number", "line manager id"),
    "hire_date": ("hire date", "hire_date", "hired", "hired on", "start date", "original hire date",
                  "date of hire", "hiredate"),
    "skills": ("skills", "skill", "declared skills", "competencies", "expertise", "skill set"),
    "opted_out": ("opted out", "opted_out", "opt out", "optout", "privacy opt out", "opt-out",
                  "directory opt out"),
    "active": ("active", "is active", "status", "employment status", "employee status", "worker status"),
}

_TRUE = frozenset({"true", "yes", "y", "1", "t", "active", "on", "on leave", "leave", "employed", "current"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "inactive", "terminated", "off", "leaver", "left"})
_NORM = re.compile(r"[^0-9a-z#]+")


def _norm(header: str) -> str:
    return _NORM.sub("", header.strip().casefold())


@dataclass(frozen=True)
class ColumnMapping:
    """Column names per field (as in the file), and parsing options."""

    columns: dict[str, str] = field(default_factory=dict)
    skills_separator: str = ";"
    level_separator: str = ":"
    date_format: str | None = None
    encoding: str = "utf-8-sig"


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a ``--mapping columns.toml``; anything wrong in it is UnreadableInput naming the key."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnreadableInput(str(p), f"cannot read mapping file: {exc.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UnreadableInput(str(p), f"not a valid UTF-8 TOML file: {exc}") from None
    unknown = set(data) - {"columns", "options"}
    if unknown:
        raise UnreadableInput(str(p), f"unknown table(s) {sorted(unknown)}; expected [columns] and [options]")
    cols = data.get("columns", {})
    opts = data.get("options", {})
    if not isinstance(cols, dict) or not isinstance(opts, dict):
        raise UnreadableInput(str(p), "[columns] and [options] must be tables")
    for k, v in cols.items():
        if k not in FIELDS:
            raise UnreadableInput(str(p), f"[columns] {k!r} is not a field; fields: {', '.join(FIELDS)}")
        if not isinstance(v, str) or not v.strip():
            raise UnreadableInput(str(p), f"[columns] {k} must be a column name")
    allowed = {"skills_separator", "level_separator", "date_format", "encoding"}
    for k, v in opts.items():
        if k not in allowed:
            raise UnreadableInput(str(p), f"[options] {k!r} is unknown; options: {', '.join(sorted(allowed))}")
        if not isinstance(v, str) or not v:
            raise UnreadableInput(str(p), f"[options] {k} must be a non-empty string")
    if "encoding" in opts:
        try:
            "".encode(opts["encoding"])
        except LookupError:
            raise UnreadableInput(str(p), f"[options] encoding {opts['encoding']!r} is unknown") from None
    return ColumnMapping(columns=dict(cols), **opts)


# --- read ------------------------------------------------------------------------------------------


@dataclass
class HrTable:
    """A decoded export: its header (column names as in the file) and rows as (line number, values by column)."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    rejects: list[Reject] = field(default_factory=list)  # rows the reader could not even split


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
    try:
        text = raw.decode(m.encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        label = "UTF-8" if m.encoding.replace("_", "-").lower() in ("utf-8-sig", "utf-8", "utf8") else m.encoding
        raise UnreadableInput(
            file, f"not {label} text (byte 0x{raw[exc.start]:02x}); set [options] encoding in --mapping", line
        ) from None
    first = text.lstrip()[:1]
    if p.suffix.lower() == ".json" or first in ("[", "{"):
        return _read_json(file, text)
    return _read_csv(file, text, delimiter="\t" if p.suffix.lower() == ".tsv" else None)


def _read_json(file: str, text: str) -> HrTable:
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
    rejects = []
    for n, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            rejects.append(Reject(file, n, f"record is a JSON {type(rec).__name__}, expected an object"))
            continue
        for k in rec:
            header.setdefault(str(k), None)
        rows.append((n, {str(k): v for k, v in rec.items()}))
    return HrTable(file, list(header), rows, rejects)


def _read_csv(file: str, text: str, delimiter: str | None) -> HrTable:
    first_line = text.split("\n", 1)[0]
    if delimiter is None:
        delimiter = max((",", ";", "\t", "|"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rejects: list[Reject] = []
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableInput(file, "empty file") from None
    except csv.Error as exc:
        raise UnreadableInput(file, f"unreadable header: {exc}", 1) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise UnreadableInput(file, "the first line (the header) is empty", 1)
    rows: list[tuple[int, dict[str, Any]]] = []
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
        if len(fields) > width:
            rejects.append(Reject(file, n, f"{len(fields)} fields but the header has {width}"))
            continue
        rows.append((n, dict(zip(header, fields, strict=False))))
    return HrTable(file, header, rows, rejects)


# --- parse -----------------------------------------------------------------------------------------


def resolve_columns(header: Iterable[str], mapping: ColumnMapping, file: str) -> dict[str, str]:
    """Field -> column name in the file. A missing required column is UnreadableInput."""
    by_norm: dict[str, str] = {}
    for h in header:
        by_norm.setdefault(_norm(h), h)
    out: dict[str, str] = {}
    for fld, col in mapping.columns.items():
        hit = by_norm.get(_norm(col))
        if hit is None:
            raise UnreadableInput(file, f"mapping names column {col!r} for {fld}, but the file has no such column")
        out[fld] = hit
    for fld, names in SYNONYMS.items():
        if fld in out:
            continue
        for name in names:
            hit = by_norm.get(_norm(name))
            if hit is not None and hit not in out.values():
                out[fld] = hit
                break
    missing = [f for f in REQUIRED if f not in out and not (f == "name" and "first_name" in out)]
    if missing:
        raise UnreadableInput(
            file,
            f"missing required column {missing[0]!r} (columns: {', '.join(list(header)[:12])}); "
            "map it with --mapping columns.toml",
        )
    return out


@dataclass(frozen=True, slots=True)
class HrRow:
    row: int
    person: Person
    skills: tuple[HasSkill, ...]
    manager_id: str | None  # stored id of the manager named by the row


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


def parse_bool(value: Any, default: bool, what: str) -> bool:
    """true/false/yes/no/1/0/y/n (and active/inactive/terminated for a status column); blank -> default."""
    if isinstance(value, bool):
        return value
    t = _text(value).casefold()
    if not t:
        return default
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise ValueError(f"{what} {t[:30]!r} is not a yes/no value")


def parse_date(value: Any, date_format: str | None) -> date | None:
    """ISO dates (or date-times); other forms only through the mapping's ``date_format``, so 03/04/2021 is never
    silently read as March when it meant April."""
    t = _text(value)
    if not t:
        return None
    if len(t) == 10 and t[4] == "-" and t[7] == "-" and t[:4].isdigit():
        try:
            return date(int(t[:4]), int(t[5:7]), int(t[8:]))
        except ValueError:
            pass
    try:
        return date.fromisoformat(t)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(t.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    if date_format:
        try:
            return datetime.strptime(t, date_format).date()
        except ValueError:
            raise ValueError(f"hire date {t[:30]!r} matches neither ISO 8601 nor {date_format!r}") from None
    raise ValueError(f"hire date {t[:30]!r} is not an ISO date (YYYY-MM-DD); set [options] date_format in --mapping")


def parse_skills(value: Any, mapping: ColumnMapping, table: AliasTable) -> dict[str, int | None]:
    """Canonical skill -> level from ``python:4;k8s:expert;sql`` (or, in JSON, a list of names or
    {"name", "level"} objects). Bad entries raise ValueError naming the entry."""
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
    out: dict[str, int | None] = {}
    for name, level in entries:
        try:
            c = table.canonical(name)
            lv = parse_level(level if isinstance(level, int | str) or level is None else str(level))
        except SchemaError as exc:
            raise ValueError(f"skill {name[:40]!r}: {exc}") from None
        if lv is not None or c not in out:
            out[c] = lv
    return out


def _split_level(entry: str, sep: str) -> tuple[str, str | None]:
    if sep and sep in entry:
        name, _, level = entry.rpartition(sep)
        if name.strip():
            return name.strip(), level.strip()
    return entry, None


def parse_hris(
    table: HrTable, mapping: ColumnMapping | None = None, aliases: AliasTable | None = None
) -> Iterator[HrRow | Reject]:
    """One HrRow per good row, one Reject per bad one (bad email, date, skill level, boolean, duplicate id...)."""
    m = mapping or ColumnMapping()
    tbl = aliases or AliasTable()
    cols = resolve_columns(table.header, m, table.file)
    yield from table.rejects
    seen: dict[str, int] = {}
    hr_id = IdSpace("hr")
    # column name per field ("" when absent: rec.get("") is None)
    c_id, c_name, c_first, c_last, c_email, c_title, c_dept, c_loc, c_mgr, c_hire, c_skills, c_act, c_opt = (
        cols.get(f, "") for f in ("id", "name", "first_name", "last_name", "email", "title", "department",
                                  "location", "manager_id", "hire_date", "skills", "active", "opted_out")
    )

    def get(rec: dict[str, Any], col: str) -> Any:
        return rec.get(col) if col else None

    for n, rec in table.rows:
        try:
            local = _text(get(rec, c_id))
            if not local:
                raise ValueError("id is empty")
            pid = hr_id(local)
            if pid in seen:
                raise ValueError(f"duplicate id {local!r} (first on row {seen[pid]})")
            name = _text(get(rec, c_name))
            if not name:
                name = " ".join(x for x in (_text(get(rec, c_first)), _text(get(rec, c_last))) if x)
            if not name:
                raise ValueError("name is empty")
            mgr_local = _text(get(rec, c_mgr))
            mgr = hr_id(mgr_local) if mgr_local else None
            if mgr == pid:
                raise ValueError("manager_id is the person's own id")
            person = Person(
                id=pid,
                name=name,
                email=_text(get(rec, c_email)) or None,
                title=_text(get(rec, c_title)) or None,
                department=_text(get(rec, c_dept)) or None,
                location=_text(get(rec, c_loc)) or None,
                manager_id=mgr,
                hired_on=parse_date(get(rec, c_hire), m.date_format),
                active=parse_bool(get(rec, c_act), True, "active"),
                opted_out=parse_bool(get(rec, c_opt), False, "opted_out"),
                source="hr",
            )
            raw_skills = get(rec, c_skills)
            skills = tuple(
                make_has_skill(pid, s, lv) for s, lv in parse_skills(raw_skills, m, tbl).items()
            ) if raw_skills else ()
        except (ValueError, SchemaError) as exc:
            yield reject(table.file, n, exc)
            continue
        seen[pid] = n
        yield HrRow(n, person, skills, mgr)


__all__ = [
    "FIELDS",
    "SYNONYMS",
    "HrRow",
    "HrTable",
    "ColumnMapping",
    "load_mapping",
    "parse_bool",
    "parse_date",
    "parse_hris",
    "parse_skills",
    "read_hris",
    "resolve_columns",
]
