"""Stable keys for nodes.

Ids are ``namespace:local`` strings. The namespace is the source system ("hr", "slack", "stackexchange/bicycles.meta")
so ids from different sources never collide, and the same input always yields the same id, which is what makes
re-ingesting idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schema.errors import SchemaError

_NAMESPACE = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
MAX_ID_LEN = 512
# a whole id: lower-case namespace, a colon, a non-empty local part without control characters or edge spaces
ID_PATTERN = r"^[a-z0-9][a-z0-9._/-]*:[^\x00-\x1f\s](?:[^\x00-\x1f]*[^\x00-\x1f\s])?$"
_ID = re.compile(ID_PATTERN)


def make_id(namespace: str, local: object) -> str:
    """Build a stable id; ``local`` is stripped, must be non-empty and free of control characters.

    >>> make_id("hr", " E042 ")
    'hr:E042'
    >>> make_id("stackexchange/bicycles.meta", 17)
    'stackexchange/bicycles.meta:17'
    """
    ns = namespace.strip().lower()
    if not _NAMESPACE.match(ns):
        raise SchemaError(f"invalid id namespace {namespace!r}")
    text = str(local).strip()
    if not text:
        raise SchemaError(f"empty local id in namespace {ns!r}")
    if any(ord(c) < 32 for c in text):
        raise SchemaError(f"control character in id {text!r}")
    out = f"{ns}:{text}"
    if len(out) > MAX_ID_LEN:
        raise SchemaError(f"id longer than {MAX_ID_LEN} characters")
    return out


def split_id(node_id: str) -> tuple[str, str]:
    """Inverse of :func:`make_id`.

    >>> split_id("slack:U024BE7LH")
    ('slack', 'U024BE7LH')
    """
    ns, sep, local = node_id.partition(":")
    if not sep or not ns or not local:
        raise SchemaError(f"not a namespaced id: {node_id!r}")
    return ns, local


def check_id(node_id: str) -> str:
    """Validate an id that already exists (from a record or a query) and return it unchanged.

    >>> check_id("hr:E042")
    'hr:E042'
    """
    if not isinstance(node_id, str) or len(node_id) > MAX_ID_LEN or not _ID.match(node_id):
        raise SchemaError(f"not a valid id: {str(node_id)[:80]!r} (expected namespace:local)")
    return node_id


def folded_ids(known: Iterable[str]) -> dict[str, str | None]:
    """Case-folded id -> the stored id, None where two stored ids fold alike (then neither is guessed): for ids a
    person types or a system spells in another case (``hr:e042`` for ``hr:E042``).

    >>> folded_ids(["hr:E1", "hr:e2", "hr:E2"])
    {'hr:e1': 'hr:E1', 'hr:e2': None}
    """
    out: dict[str, str | None] = {}
    for pid in known:
        key = pid.casefold()
        out[key] = None if key in out else pid
    return out


__all__ = ["ID_PATTERN", "MAX_ID_LEN", "check_id", "folded_ids", "make_id", "split_id"]
