"""An LDIF dump of a directory (``ldifde -f``, ``ldapsearch -LLL``, OpenLDAP's ``slapcat``) as HR rows: one row per
person entry, each attribute a column (a multi-valued one keeps its first value), so a directory loads like an
HR export: ``employeeID``, ``displayName``, ``mail``, ``title``, ``department``, ``manager`` (a DN, linked
through the manager's own ``distinguishedName``, which is the entry's ``dn``) and ``userAccountControl``.

Before, such a file was read as a CSV: "missing required column 'id' (columns: dn: CN=Jane Doe...)". Entries
that are no person (groups, computers, organisational units) are skipped and said; a line that is not LDIF
rejects its entry alone, with the line it is on. Pure functions over the decoded text.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from ingest.rejects import Reject

_ATTR = re.compile(r"^([A-Za-z][\w;-]*)(::?|:<)\s?(.*)$")
_PEOPLE = frozenset({"person", "user", "inetorgperson", "organizationalperson", "posixaccount"})


def looks_like_ldif(text: str) -> bool:
    """Whether a text export is LDIF: its first line that is no comment starts with ``dn:`` or ``version:``.

    >>> looks_like_ldif("# export\\nversion: 1\\n\\ndn: cn=a"), looks_like_ldif("dn,cn\\nx,y")
    (True, False)
    """
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            return line.lower().startswith(("dn:", "version:"))
    return False


def read_ldif(file: str, text: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]], list[Reject],
                                              list[tuple[int, str]]]:
    r"""(header, rows by the line their entry starts on, rejects, skipped entries) of an LDIF text.

    >>> h, rows, bad, skipped = read_ldif("x.ldif", "dn: cn=Ann Lee,dc=x\nobjectClass: user\n"
    ...     "mail:: YW5uQHguY29t\ndescription: one\n  two\n\ndn: cn=g,dc=x\nobjectClass: group\n")
    >>> rows[0][1]["mail"], rows[0][1]["description"], rows[0][1]["distinguishedName"], skipped
    ('ann@x.com', 'one two', 'cn=Ann Lee,dc=x', [(7, 'an LDIF entry of objectClass group')])
    """
    header: dict[str, None] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    rejects: list[Reject] = []
    skipped: list[tuple[int, str]] = []
    for start, lines in _entries(text):
        entry: dict[str, Any] = {}
        classes: list[str] = []
        problem = None
        for n, line in lines:
            m = _ATTR.match(line)
            if m is None:
                problem = f"line {n} is not an LDIF 'attribute: value' line: {line[:60]!r}"
                break
            name, sep, value = m.groups()
            if sep == "::":
                try:
                    value = base64.b64decode(value, validate=True).decode("utf-8")
                except (binascii.Error, UnicodeDecodeError):
                    problem = f"line {n}: {name} is not base64 of UTF-8 text"
                    break
            elif sep == ":<":
                continue  # a value kept in a file elsewhere: never opened
            if name.lower() == "objectclass":
                classes.append(value.strip().lower())
            if name.lower() == "version" and not entry:
                continue
            entry.setdefault(name, value.strip())
            if name.lower() == "dn":
                entry.setdefault("distinguishedName", value.strip())  # what a manager DN is matched against
        if problem is not None:
            rejects.append(Reject(file, start, problem))
            continue
        if not entry or "dn" not in entry:
            continue  # the "version: 1" line alone, or comments
        if classes and not _PEOPLE & set(classes):
            skipped.append((start, f"an LDIF entry of objectClass {classes[-1]}"))
            continue
        for k in entry:
            header.setdefault(k, None)
        rows.append((start, entry))
    return list(header), rows, rejects, skipped


def _entries(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """Entries as (first line number, [(line number, unfolded line)]): blank lines part entries, a line starting
    with one space continues the one before, comments are dropped."""
    out: list[tuple[int, list[tuple[int, str]]]] = []
    current: list[tuple[int, str]] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            if current:
                out.append((current[0][0], current))
                current = []
        elif raw.startswith("#"):
            continue
        elif raw.startswith(" ") and current:
            current[-1] = (current[-1][0], current[-1][1] + raw[1:])
        else:
            current.append((n, raw))
    if current:
        out.append((current[0][0], current))
    return out


__all__ = ["looks_like_ldif", "read_ldif"]
