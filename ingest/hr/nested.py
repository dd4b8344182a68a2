"""People records of HR APIs, which nest their fields: flattened to dotted columns, and found by their last parts.

HiBob's people API gives ``{"id", "displayName", "work": {"title", "department", "startDate", "reportsTo":
{"id", "email"}}, "internal": {"lifecycleStatus"}}``; Personio's gives ``{"type": "Employee", "attributes":
{"first_name": {"label": "First name", "value": "Anna"}, "supervisor": {"label": ..., "value": {"type":
"Employee", "attributes": {"id": ..., "email": ...}}}}}``. Read as they were, every nested field was an unused
column: leavers loaded as active, and no one had a title or a manager. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ingest.hr.mapping import SYNONYMS, norm_header

_WRAPPERS = ("attributes",)  # an object's fields under this key are its own (Personio)
# names of fields: an object under such a key *is* that field (department.name is the department, reportsTo.email
# the manager's), so its parts are never read as the person's own
_FIELD_WORDS = frozenset(norm_header(n) for names in SYNONYMS.values() for n in names) | {"reportsto"}
_RECORD_INFO = frozenset({"meta", "links", "metadata"})  # an API record's own data (SCIM meta, HAL _links)
_LABELS = frozenset({"name", "displayname", "descriptor"})  # the part of a referenced object that names it


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record's nested objects as dotted keys (``work.title``); ``{"label", "value"}`` pairs are their value,
    an ``attributes`` object's fields are lifted to its owner, lists are left whole (skills).

    >>> flatten({"id": 1, "work": {"title": "CTO", "reportsTo": {"email": "a@x"}}, "skills": ["go"]})
    {'id': 1, 'work.title': 'CTO', 'work.reportsTo.email': 'a@x', 'skills': ['go']}
    >>> flatten({"type": "Employee", "attributes": {"first_name": {"label": "First name", "value": "Anna"}}})
    {'type': 'Employee', 'first_name': 'Anna'}
    >>> flatten({"emails": [{"value": "b@home", "type": "home"}, {"value": "b@x", "type": "work", "primary": True}]})
    {'emails': 'b@x'}
    """
    out: dict[str, Any] = {}
    for key, value in record.items():
        k = str(key)
        if isinstance(value, dict) and "value" in value and "label" in value:
            value = value["value"]
        if isinstance(value, list) and value and all(isinstance(v, dict) and "value" in v for v in value):
            value = _primary(value)  # SCIM's multi-valued emails: [{"value", "type", "primary"}]
        if isinstance(value, dict):
            out.update(flatten(value, prefix if k in _WRAPPERS else f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = value
    return out


def _primary(values: list[dict[str, Any]]) -> Any:
    """The value of a SCIM multi-valued attribute a person is reached at: the primary one, else the work one,
    else the first."""
    pick = next((v for v in values if v.get("primary") is True), None) or \
        next((v for v in values if str(v.get("type", "")).casefold() == "work"), None) or values[0]
    return pick["value"]


def suffix_index(header: Iterable[str]) -> dict[str, str]:
    """Normalised last parts of each dotted column -> the column (the longest part first; the first column
    wins). A part that names a field is never dropped: ``work.reportsTo.email`` is found as ``reportsTo.email``
    ("reports to email"), never as the person's ``email``. An object named by its label part is found by its own
    key: ``department.name`` as ``department``, ``work.reportsTo.displayName`` as ``reportsTo``.

    >>> sorted(suffix_index(["work.title", "work.reportsTo.email", "department.name", "Mgr. Email"]).items())
    [('department', 'department.name'), ('reportstoemail', 'work.reportsTo.email'), ('title', 'work.title')]
    """
    out: dict[str, str] = {}
    for column in header:
        parts = column.split(".")
        if any(not p or p != p.strip() for p in parts):
            continue  # a spreadsheet's abbreviation ("Mgr. Email", "Emp. No."), not a path of JSON keys
        if norm_header(parts[0]) in _RECORD_INFO:
            continue  # about the record, not the person: SCIM's meta.location is the record's URL
        for k in range(len(parts)):
            if k and norm_header(parts[k - 1]) in _FIELD_WORDS:
                break
            tail = parts[k:]
            if k:
                out.setdefault(norm_header(".".join(tail)), column)
            if len(tail) > 1 and norm_header(tail[-1]) in _LABELS:
                out.setdefault(norm_header(".".join(tail[:-1])), column)
            if len(tail) > 1 and tail[-1] == "value":  # a SCIM reference {"value": id, "displayName"}: its id
                out.setdefault(norm_header(".".join(tail[:-1])) + "id", column)
    return out


__all__ = ["flatten", "suffix_index"]
