"""Which column holds which field, and how values are read: defaults, synonyms and ``--mapping`` files.

A mapping file is TOML::

    [columns]                 # field = "column name in the file"
    id = "Associate ID"
    manager_code = "Reports To Position ID"
    code = "Position ID"

    [options]
    date_order = "MDY"        # or locale = "en_US"; or a strict date_format = "%m/%d/%Y"

    [values.active]           # status value -> still employed?
    "Leave of Absence" = true

``--mapping NAME`` without a path picks a mapping shipped in ``ingest/mappings/NAME.toml`` (workday, bamboohr,
successfactors, personio, hibob, adp).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ingest.hr.dates import ORDERS
from ingest.hr.status import value_map
from schema.errors import UnreadableInput
from schema.files import read_regular, toml_loads

FIELDS = ("id", "name", "email", "title", "department", "location", "manager_id", "hire_date", "skills",
          "opted_out", "active", "first_name", "last_name", "manager_email", "manager_name", "manager_code", "code",
          "termination_date", "other_name")
REQUIRED = ("id", "name")
VALUE_FIELDS = ("active", "opted_out")
OPTIONS = ("skills_separator", "level_separator", "date_format", "date_order", "locale", "encoding")

# synonyms seen in Workday, BambooHR, SAP SuccessFactors, Personio, HiBob and ADP exports (first match wins)
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "employee id", "employee_id", "employeeid", "employee number", "employee no", "emp id",
           "worker id", "person id", "staff id", "employee #", "user id", "associate id", "personnel number",
           "person number", "xrefcode", "employee xrefcode",
           # SAP SuccessFactors' field labels (its user data file's second header row, a People Profile report)
           "user/employee id", "user sys id", "person id external",
           # ADP Workforce Now's payroll file number (after its Associate ID); PeopleSoft's EMPLID
           "file number", "file #", "emplid",
           # a directory's own key for an account (Entra ID's objectId; its sign-in name), after every HR id
           "object id", "user principal name", "upn"),
    "name": ("name", "full name", "employee name", "display name", "worker", "legal name",
             "employee", "payroll name"),
    "first_name": ("first name", "firstname", "given name", "legal first name", "preferred first name"),
    "last_name": ("last name", "lastname", "surname", "family name", "legal last name"),
    "email": ("email", "work email", "email address", "work email address", "business email",
              "primary work email", "e-mail", "mail", "email - primary work", "work contact: work email",
              "primary email", "emails"),
    "title": ("title", "job title", "position", "business title", "job profile", "job", "position title",
              "job title description", "employee title", "job name"),
    "department": ("department", "dept", "division", "team", "supervisory organization", "org unit",
                   "organization", "cost center", "home department", "home department description", "department name",
                   "departments", "deptname", "dept name"),
    # a city is the weakest: Entra ID's officeLocation (Active Directory's physicalDeliveryOfficeName) says "Remote"
    "location": ("location", "work location", "office", "office location", "primary work location",
                 "location name", "location description", "physical delivery office name", "site", "city"),
    "manager_id": ("manager id", "manager_id", "managerid", "supervisor id", "reports to id",
                   "manager employee id", "supervisor employee id", "manager number", "line manager id",
                   "reports to associate id", "reports to employee id", "manager user id", "supervisor eid",
                   "supervisor employee number", "manager employee number", "manager person number",
                   "manager xrefcode", "manager user sys id"),
    "manager_email": ("manager email", "supervisor email", "reports to email", "manager work email",
                      "line manager email", "manager email address", "direct manager email", "manager upn",
                      "manager user principal name"),
    "manager_name": ("manager name", "manager", "supervisor", "supervisor name", "reports to", "reports to name",
                     "line manager", "direct manager", "managername"),
    "manager_code": ("manager code", "reports to position id", "manager position id", "supervisor position id"),
    # Active Directory's distinguishedName: what a csvde or Get-ADUser export's manager column holds
    "code": ("position id", "position number", "position code", "distinguished name", "dn"),
    "hire_date": ("hire date", "hire_date", "hired", "hired on", "hire dt", "start date", "original hire date",
                  "date of hire", "hiredate", "dateofhire", "employee hire date", "role start date"),
    "termination_date": ("termination date", "term date", "date of termination", "dateoftermination",
                         "termination_date", "last day worked", "leaving date", "exit date", "date left",
                         "separation date", "end date", "actual termination date", "departure date",
                         "role end date"),
    "skills": ("skills", "skill", "declared skills", "competencies", "expertise", "skill set"),
    # another way the person's name is written, by which colleagues may name them as a manager: a Latin alias of a
    # name in another script ("山田 太郎" as "Taro Yamada"), a preferred name (never the stored name)
    "other_name": ("name english", "english name", "name in english", "latin name", "name latin",
                   "romanized name", "name romanized", "romanised name", "name romanised", "romaji name",
                   "name romaji", "transliterated name", "name transliterated", "alternate name", "alias",
                   "known as", "preferred name", "preferred full name", "nickname", "preferred first name"),
    "opted_out": ("opted out", "opted_out", "opt out", "optout", "privacy opt out", "opt-out",
                  "directory opt out"),
    "active": ("active", "is active", "status", "employment status", "employee status", "worker status",
               "lifecycle status", "position status", "active status", "assignment status", "user status",
               "contract status", "account status", "empl status",
               # a directory's user export: Entra ID's accountEnabled, AD's Enabled and userAccountControl
               "account enabled", "enabled", "user account control"),
}
# names that only stand in for a field: tried after the German and French names too, so that Personio's
# "Abteilung" beside its "Team" is the department, and a "Standort" beside a "City" the location
WEAK: Mapping[str, frozenset[str]] = {
    "department": frozenset({"team", "cost center", "org unit", "organization"}),
    "location": frozenset({"city"}),
}
# the same fields as German and French exports name them (Personio, SAP and HiBob in German; French payroll and
# HR exports), tried after the English names; accents are folded like case ("Prénom" is "prenom")
LOCALISED: Mapping[str, tuple[str, ...]] = {
    "id": ("personalnummer", "mitarbeiter id", "mitarbeiternummer", "personal nr", "pers nr", "matricule",
           "numero de matricule", "identifiant", "id salarie", "id collaborateur"),
    "name": ("vollstandiger name", "anzeigename", "nom complet", "nom et prenom", "nom prenom", "collaborateur",
             "salarie", "nom"),
    "first_name": ("vorname", "prenom"),
    "last_name": ("nachname", "familienname", "nom de famille"),
    "email": ("e mail adresse", "email adresse", "dienstliche e mail", "adresse e mail", "courriel",
              "e mail professionnel", "email professionnel"),
    "title": ("stellenbezeichnung", "berufsbezeichnung", "jobtitel", "funktion", "poste", "intitule du poste",
              "fonction", "emploi"),
    "department": ("abteilung", "bereich", "kostenstelle", "service", "departement", "direction"),
    "location": ("standort", "buro", "arbeitsort", "niederlassung", "site", "lieu de travail", "etablissement",
                 "ville"),
    "manager_id": ("vorgesetzter id", "id vorgesetzter", "matricule du responsable", "id responsable",
                   "id manager"),
    "manager_email": ("e mail vorgesetzter", "e mail des vorgesetzten", "e mail du responsable",
                      "email du responsable", "email manager"),
    "manager_name": ("vorgesetzter", "vorgesetzte", "vorgesetzte r", "fuhrungskraft", "disziplinarischer vorgesetzter",
                     "responsable", "responsable hierarchique", "manager direct", "n 1"),
    "hire_date": ("eintrittsdatum", "eintritt", "startdatum", "date d entree", "date d embauche",
                  "date d arrivee", "date de debut"),
    "termination_date": ("austrittsdatum", "austritt", "letzter arbeitstag", "enddatum", "date de sortie",
                         "date de depart", "date de fin de contrat", "date de fin"),
    "skills": ("fahigkeiten", "kompetenzen", "skills und kompetenzen", "competences"),
    "opted_out": ("widerspruch", "opt out verzeichnis", "refus annuaire"),
    "active": ("beschaftigungsstatus", "mitarbeiterstatus", "statut", "statut du salarie", "statut collaborateur"),
}

# a column so named is the family name beside a first-name column (German "Vorname;Name", French "Prénom;Nom")
# and the full name when it stands alone (or holds the first names too: "Ann Lee" beside "Ann")
NAME_OR_FAMILY = frozenset({"name", "nom"})
_PREFERRED = frozenset({"preferredfirstname", "preferredname"})  # a nickname beside a full name is no first name


def family_name_column(name_column: str, first_name_column: str) -> bool:
    """Whether a name column beside a first-name column is, by its column name, the family name."""
    return norm_header(name_column) in NAME_OR_FAMILY and norm_header(first_name_column) not in _PREFERRED


def holds_full_names(pairs: Iterable[tuple[str, str]]) -> bool:
    """Whether a "Name" column beside a first-name column holds full names after all: in at least half of the
    rows giving both, the first name is a word of the name ("Ann Lee" or "Lee, Ann" beside "Ann").

    >>> holds_full_names([("Ann Lee", "Ann"), ("Lee, Bo", "Bo")]), holds_full_names([("Müller", "Jürgen")])
    (True, False)
    """
    both = hits = 0
    for name, first in pairs:
        if name and first:
            both += 1
            words = _WORDS.findall(name.casefold())
            given = _WORDS.findall(first.casefold())
            hits += bool(given) and all(w in words for w in given)
    return both > 0 and 2 * hits >= both


_WORDS = re.compile(r"\w+")
_NORM = re.compile(r"[^\w#]+|_+")


def norm_header(header: str) -> str:
    """A column name with case, accents, spaces and punctuation dropped (``#`` kept: ``Employee #``). Letters of
    every script stay: ``社員番号`` and ``氏名`` are two columns, not two empty names (which all read the first).

    >>> norm_header("Date d'entrée"), norm_header("Employee #"), norm_header("E-Mail"), norm_header("氏名")
    ('datedentree', 'employee#', 'email', '氏名')
    """
    folded = unicodedata.normalize("NFKD", header.strip().casefold())
    return _NORM.sub("", "".join(c for c in folded if not unicodedata.combining(c)))


_REMARK = re.compile(r"\s*(\[[^\[\]]*\]|\([^()]*\))\s*$")  # "[Required]", "(MM/DD/YYYY)" after a column name


@lru_cache(maxsize=1)
def _field_words() -> frozenset[str]:
    return frozenset(w for names in (*SYNONYMS.values(), *LOCALISED.values()) for n in names
                     for w in _WORDS.findall(norm_words(n)))


def norm_words(text: str) -> str:
    """Case and accents folded, words kept apart (``Hire Date`` -> ``hire date``)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def without_remarks(header: str) -> str | None:
    """A column name without the remarks in brackets after it, when none of them names a field: Google
    Workspace's user export writes ``Email Address [Required]`` and ``Status [READ ONLY]``, a template
    ``Hire Date (MM/DD/YYYY)``. None when there is no such remark; ``Employee ID (Manager)`` keeps its remark,
    which says whose id it is.

    >>> without_remarks("First Name [Required]"), without_remarks("Hire Date (DD.MM.YYYY)")
    ('First Name', 'Hire Date')
    >>> without_remarks("Employee ID (Manager)"), without_remarks("Name")
    (None, None)
    """
    out, cut = header.strip(), False
    while (m := _REMARK.search(out)) is not None and m.start() > 0:
        if set(_WORDS.findall(norm_words(m.group(1)))) & _field_words():
            break
        out, cut = out[:m.start()], True
    return out if cut and out else None


@dataclass(frozen=True)
class ColumnMapping:
    """Column names per field (as in the file), parsing options and value maps."""

    columns: dict[str, str] = field(default_factory=dict)
    skills_separator: str | None = None  # None: any of ; , | (a semicolon file lists skills with commas)
    level_separator: str = ":"
    date_format: str | None = None
    date_order: str | None = None
    locale: str | None = None
    encoding: str | None = None  # None: UTF-8 or UTF-16 by its BOM, else detected (ingest/hr/encoding.py)
    values: dict[str, dict[str, bool]] = field(default_factory=dict)
    source: str | None = None  # the file it came from (for messages)


def bundled_mappings() -> list[str]:
    """Names of the mappings shipped with whoknows (``--mapping workday``)."""
    root = resources.files("ingest") / "mappings"
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def mapping_path(spec: str | Path) -> Path:
    """A mapping file path, or the shipped mapping of that name."""
    p = Path(spec)
    if p.exists() or p.suffix or len(p.parts) > 1:
        return p
    shipped = resources.files("ingest") / "mappings" / f"{str(spec).casefold()}.toml"
    if shipped.is_file():
        return Path(str(shipped))
    raise UnreadableInput(str(spec), f"no such mapping file, and no shipped mapping of that name "
                                     f"({', '.join(bundled_mappings())})")


def load_mapping(spec: str | Path) -> ColumnMapping:
    """Read a ``--mapping`` file (or a shipped mapping's name); anything wrong in it is UnreadableInput naming it."""
    p = mapping_path(spec)
    try:
        data = toml_loads(read_regular(p).decode("utf-8"))
    except OSError as exc:
        raise UnreadableInput(str(p), f"cannot read mapping file: {exc.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UnreadableInput(str(p), f"not a valid UTF-8 TOML file: {exc}") from None
    unknown = set(data) - {"columns", "options", "values"}
    if unknown:
        raise UnreadableInput(str(p), f"unknown table(s) {sorted(unknown)}; expected [columns], [options], [values]")
    cols, opts, vals = data.get("columns", {}), data.get("options", {}), data.get("values", {})
    if not all(isinstance(t, dict) for t in (cols, opts, vals)):
        raise UnreadableInput(str(p), "[columns], [options] and [values] must be tables")
    for k, v in cols.items():
        if k not in FIELDS:
            raise UnreadableInput(str(p), f"[columns] {k!r} is not a field; fields: {', '.join(FIELDS)}")
        if not isinstance(v, str) or not v.strip():
            raise UnreadableInput(str(p), f"[columns] {k} must be a column name")
    for k, v in opts.items():
        if k not in OPTIONS:
            raise UnreadableInput(str(p), f"[options] {k!r} is unknown; options: {', '.join(OPTIONS)}")
        if not isinstance(v, str) or not v:
            raise UnreadableInput(str(p), f"[options] {k} must be a non-empty string")
    if "encoding" in opts:
        try:
            "".encode(opts["encoding"])
        except (LookupError, ValueError):  # ValueError: a NUL in the name
            raise UnreadableInput(str(p), f"[options] encoding {opts['encoding']!r} is unknown") from None
    if "date_order" in opts:
        opts["date_order"] = opts["date_order"].upper()
        if opts["date_order"] not in ORDERS:
            raise UnreadableInput(str(p), f"[options] date_order must be one of {', '.join(ORDERS)}")
    values: dict[str, dict[str, bool]] = {}
    for fld, table in vals.items():
        if fld not in VALUE_FIELDS or not isinstance(table, dict):
            raise UnreadableInput(str(p), f"[values.{fld}] is not supported; value maps: "
                                          f"{', '.join(f'[values.{f}]' for f in VALUE_FIELDS)}")
        bad = [k for k, v in table.items() if not isinstance(v, bool)]
        if bad:
            raise UnreadableInput(str(p), f"[values.{fld}] {bad[0]!r} must be true or false")
        values[fld] = value_map(table)
    return ColumnMapping(columns=dict(cols), values=values, source=str(p), **_opts(opts))


def _opts(opts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in opts.items() if k in OPTIONS}


__all__ = ["FIELDS", "OPTIONS", "REQUIRED", "SYNONYMS", "WEAK", "ColumnMapping", "bundled_mappings", "load_mapping",
           "mapping_path", "norm_header", "LOCALISED", "without_remarks", "NAME_OR_FAMILY", "family_name_column",
           "holds_full_names"]
