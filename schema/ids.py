"""Stable keys for nodes.

Ids are ``namespace:local`` strings. The namespace is the source system ("hr", "slack", "stackexchange/bicycles.meta")
so ids from different sources never collide, and the same input always yields the same id, which is what makes
re-ingesting idempotent.
"""

from __future__ import annotations

import re

from schema.errors import SchemaError

_NAMESPACE = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
_MAX_LEN = 512


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
    if len(out) > _MAX_LEN:
        raise SchemaError(f"id longer than {_MAX_LEN} characters")
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
    """Validate an id that already exists (from a record or a query) and return it unchanged."""
    ns, local = split_id(node_id)
    make_id(ns, local)
    return node_id


__all__ = ["check_id", "make_id", "split_id"]
