"""What forum parsers hand the pipeline, and small pure helpers they share.

Parsers yield schema records whose person ids are *forum* ids (``namespace:handle``); the normalise stage
(:mod:`ingest.normalise`) maps them to people afterwards, so a parser never needs the store or a resolver. An
account the export declares is an :class:`Account`: a forum :class:`~schema.models.Person` plus the handles an
``--identities`` file may use for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

from ingest.numbers import BigInt, loads
from ingest.rejects import Reject
from schema.errors import RejectedRow, SchemaError, UnreadableInput
from schema.files import open_regular
from schema.ids import make_id
from schema.labels import MemberRole, PostKind
from schema.models import (
    Community,
    Endorsement,
    Engagement,
    HasSkill,
    MemberOf,
    Person,
    Post,
    Record,
    ReportsTo,
    Skill,
    fold_title,
)
from schema.skills import AliasTable


@dataclass(frozen=True, slots=True)
class Account:
    """A forum account declared by the export (users.json, Users.xml, a jsonl person line...).

    ``eager``: write the person even if the account never posts (Slack channel members, jsonl people);
    otherwise only accounts that are referenced by a post or membership become people (Stack Exchange users).
    """

    person: Person
    handles: tuple[str, ...] = ()
    eager: bool = True


@dataclass(frozen=True, slots=True)
class SkillRef:
    """A skill the export names on its own row, as written there (a Stack Exchange Tags.xml row, a jsonl
    endorsement's skill), with where it was read: the normalise stage canonicalises ``name`` or rejects that row.

    ``endorsement``: the record carrying the skill (its ``skill`` still the raw name); None: a Skill node."""

    name: str
    file: str
    row: int | None
    endorsement: Endorsement | None = None


Item = Account | SkillRef | Community | Skill | Post | MemberOf | Endorsement | Engagement | Reject

_SLUG_DROP = re.compile(r"[^a-z0-9._/-]+")


def slug(name: str) -> str:
    """A namespace-safe form of a site or source name.

    >>> slug("Bicycles Meta"), slug("stackexchange-bicycles-meta")
    ('bicycles-meta', 'stackexchange-bicycles-meta')
    """
    text = _SLUG_DROP.sub("-", name.strip().casefold()).strip("-./")
    if not text:
        raise SchemaError(f"{name!r} gives an empty source name")
    return text


# A clock a day fast is tolerated; a time later than that is a damaged or hostile value (year 9999), and one such
# post would make every other look old: analytics measure decay and weekly figures from the latest post.
FUTURE_TOLERANCE = timedelta(days=1)


def not_future(dt: datetime, field: str, text: object = None, now: datetime | None = None) -> datetime:
    """``dt`` unchanged, or ValueError naming the field when it lies more than a day after ``now`` (default: now).

    >>> not_future(datetime(9999, 1, 1, tzinfo=UTC), "ts", "253370764800", datetime(2024, 1, 1, tzinfo=UTC))
    Traceback (most recent call last):
    ValueError: ts '253370764800' is in the future (after 2024-01-02)
    """
    latest = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    if dt > latest:
        shown = str(dt if text is None else text)[:40]
        raise ValueError(f"{field} {shown!r} is in the future (after {latest.date().isoformat()})")
    return dt


def parse_time(value: Any, field: str = "created_at") -> datetime:
    """An aware UTC datetime from ISO 8601 text (``Z`` allowed; naive means UTC) or epoch seconds, not in the
    future (:func:`not_future`)."""
    if isinstance(value, BigInt):
        raise ValueError(f"{field} {value!r} is out of range as a timestamp")
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return not_future(datetime.fromtimestamp(float(value), UTC), field, value)
        except (OverflowError, OSError) as exc:
            raise ValueError(f"{field} {value!r} is not a valid timestamp") from exc
        except ValueError as exc:
            if "in the future" in str(exc):
                raise
            raise ValueError(f"{field} {value!r} is not a valid timestamp") from exc
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} is missing")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    elif len(text) >= 19 and text[-6] not in "+-":  # naive date-time: UTC, without a costly .replace()
        try:
            naive = datetime.fromisoformat(text + "+00:00")
        except ValueError:
            pass
        else:
            return not_future(naive, field, value)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{field} {value[:40]!r} is not an ISO 8601 date-time") from None
    if dt.tzinfo is None:
        return not_future(dt.replace(tzinfo=UTC), field, value)
    try:
        return not_future(dt.astimezone(UTC), field, value)
    except OverflowError:  # 0001-01-01T00:00+14:00 or 9999-12-31T23:59-14:00: before year 1 or after 9999 in UTC
        raise ValueError(f"{field} {value[:40]!r} is out of range (before year 1 or after 9999 in UTC)") from None


def split_tags(text: str | None) -> list[str]:
    """Stack Exchange tag strings in either form.

    >>> split_tags("<python><k8s>"), split_tags("|a|b|"), split_tags("")
    (['python', 'k8s'], ['a', 'b'], [])
    """
    if not text:
        return []
    t = text.strip()
    if t.startswith("<"):
        return [x for x in t[1:-1 if t.endswith(">") else None].split("><") if x]
    if t.startswith("|"):
        return [x for x in t.strip("|").split("|") if x]
    return [x for x in re.split(r"[\s,;]+", t) if x]


def reject(file: str, row: int | None, exc: Exception | str) -> Reject:
    """A Reject from an exception raised while normalising one row (pydantic errors made short)."""
    if isinstance(exc, str):
        return Reject(file, row, exc)
    if isinstance(exc, RejectedRow):
        return Reject(exc.file, exc.row, exc.reason)
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            parts = []
            for e in errors():
                loc = ".".join(str(x) for x in e.get("loc", ()))
                parts.append(f"{loc}: {e.get('msg')}" if loc else str(e.get("msg")))
            return Reject(file, row, "; ".join(parts))
        except Exception:  # noqa: BLE001 - fall back to the plain message
            pass
    return Reject(file, row, str(exc) or type(exc).__name__)


@dataclass
class Source:
    """One located forum input: its id namespace, display name, the names an identities file may use for it,
    and the files refused while locating it (symbolic links leaving the export folder), which the pipeline
    reports as rejects."""

    path: Path
    namespace: str
    name: str
    names: tuple[str, ...]
    total_bytes: int
    files: dict[str, Any] = field(default_factory=dict)
    refused: list[Reject] = field(default_factory=list)


# --- limits on what one file or archive member may hold ------------------------------------------------

MAX_MEMBER_ENV = "WHOKNOWS_MAX_MEMBER_BYTES"
DEFAULT_MAX_MEMBER_BYTES = 256 << 20


def max_member_bytes(value: int | str | None = None) -> int:
    """The most bytes one JSON document (an archive member or a file read whole) may hold: ``value``, else
    ``WHOKNOWS_MAX_MEMBER_BYTES``, else 256 MiB. Parsing a JSON document takes several times its size in
    memory, so this is what bounds an ingest's memory against a zip bomb (1 MB of zip, 1 GiB of zeros)."""
    raw = value if value is not None else os.environ.get(MAX_MEMBER_ENV)
    if raw is None or raw == "":
        return DEFAULT_MAX_MEMBER_BYTES
    try:
        n = int(str(raw).strip().replace("_", ""))
    except ValueError:
        raise UnreadableInput(MAX_MEMBER_ENV, f"{str(raw)[:40]!r} is not a number of bytes") from None
    if n <= 0:
        raise UnreadableInput(MAX_MEMBER_ENV, f"{n} is not a positive number of bytes")
    return n


def too_large(size: int, limit: int) -> str:
    return (f"decompresses to more than {limit:,} bytes ({size:,} declared), over the limit; raise it with "
            f"--max-member-bytes or {MAX_MEMBER_ENV} if this file is genuine")


def read_capped(fh: IO[bytes], limit: int, label: str, declared: int = 0) -> bytes:
    """Read ``fh`` in 1 MiB pieces, refusing (UnreadableInput naming ``label``) once more than ``limit`` bytes
    come: memory never holds more than the limit, whatever an archive's header claims."""
    out = bytearray()
    while True:
        piece = fh.read(1 << 20)
        if not piece:
            return bytes(out)
        if len(out) + len(piece) > limit:
            raise UnreadableInput(label, too_large(max(declared, len(out) + len(piece)), limit))
        out += piece


# --- symbolic links ------------------------------------------------------------------------------------

LINK_OUTSIDE = "a symbolic link to a place outside the export folder; refused (not read)"


def leaves(root: str | Path, path: str | Path) -> bool:
    """Whether ``path``, with every symbolic link resolved, lies outside ``root`` (a dangling or looping link
    counts as outside: it cannot be shown to stay inside)."""
    try:
        real = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError, ValueError):
        return True
    return not real.is_relative_to(os.path.realpath(root))


@dataclass
class StreamContext:
    """What a format's ``stream`` gets from the pipeline: the alias table and the hooks. No identity and no skill
    aliases: parsers yield forum ids and skill/tag names as written, which the normalise stage resolves; ``table``
    is there for a format that extends it (Stack Exchange tag synonyms, announced through ``on_table``)."""

    table: AliasTable
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES  # see max_member_bytes()
    on_bytes: Callable[[int], None] | None = None
    on_table: Callable[[AliasTable], None] | None = None  # a format extended the alias table (tag synonyms)


def walk_files(root: str | Path, refused: list[str] | None = None) -> list[tuple[str, int, int]]:
    """(path relative to ``root`` with ``/``, size, mtime_ns) of every file below ``root``, sorted; os.scandir
    rather than pathlib, which costs ~10x more per file on exports of tens of thousands of day files.

    Linked folders are not entered; a symbolic link to a file is kept only when it stays inside ``root``, and
    the relative paths of links that leave it are appended to ``refused`` (an export is read, never what a link
    in it points to elsewhere: a day file linked to /etc/passwd)."""
    out: list[tuple[str, int, int]] = []
    stack = [("", str(root))]
    while stack:
        rel, path = stack.pop()
        try:
            it = os.scandir(path)
        except OSError as exc:  # a folder the user may not read (permissions): said, not a traceback
            raise UnreadableInput(path, f"cannot read folder: {exc.strerror or exc}") from None
        with it:
            for e in it:
                r = f"{rel}{e.name}"
                if e.is_dir(follow_symlinks=False):
                    stack.append((r + "/", e.path))
                elif e.is_symlink():
                    if leaves(root, e.path):
                        if refused is not None:
                            refused.append(r)
                    elif e.is_file():
                        st = e.stat()
                        out.append((r, st.st_size, st.st_mtime_ns))
                elif e.is_file():
                    st = e.stat()
                    out.append((r, st.st_size, st.st_mtime_ns))
    out.sort()
    if refused is not None:
        refused.sort()
    return out


class CountingReader:
    """A binary file wrapper that reports how many bytes have been read (for byte progress bars)."""

    def __init__(self, fh: IO[bytes], on_bytes: Any = None, every: int = 1 << 20) -> None:
        self._fh = fh
        self._on = on_bytes
        self._every = every
        self._since = 0
        self.done = 0

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        k = len(data)
        self.done += k
        self._since += k
        if self._on is not None and (self._since >= self._every or k == 0):
            self._on(self._since)
            self._since = 0
        return data

    def close(self) -> None:
        self._fh.close()


def require_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UnreadableInput(str(p), "no such file or directory")
    return p


def read_file_capped(path: str | Path, limit: int, label: str | None = None) -> bytes:
    """A whole file of an export folder, refused when over ``limit`` bytes (checked before reading)."""
    label = label or str(path)
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise UnreadableInput(label, too_large(size, limit).replace("decompresses to", "holds"))
            return read_capped(fh, limit, label, size)
    except OSError as exc:
        raise UnreadableInput(label, f"cannot read: {exc.strerror or exc}") from None


def decode_json_bytes(raw: bytes, file: str) -> Any:
    """Parse one JSON document, turning every failure into UnreadableInput naming file, line and reason.
    Integers too large for the store come back as :class:`~ingest.numbers.BigInt`, refused by the row's parser."""
    import json

    if not raw.strip():
        raise UnreadableInput(file, "empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UnreadableInput(file, f"not UTF-8 text (bad byte at offset {exc.start})", line) from None
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(file, f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise UnreadableInput(file, "invalid JSON: nested too deeply") from None


class IdSpace:
    """Fast :func:`schema.ids.make_id` for one namespace: checked once, then each local part cheaply.

    >>> IdSpace("slack")("U1"), IdSpace("stackexchange/demo", "post/")(7)
    ('slack:U1', 'stackexchange/demo:post/7')
    """

    __slots__ = ("kind", "namespace", "prefix")

    def __init__(self, namespace: str, kind: str = "") -> None:
        self.namespace = make_id(namespace, "x").rpartition(":x")[0]
        self.kind = kind
        self.prefix = f"{self.namespace}:{kind}"

    def __call__(self, local: object) -> str:
        if type(local) is int:
            return self.prefix + str(local)
        text = local if isinstance(local, str) else str(local)
        if text and text.isprintable() and text == text.strip() and len(text) < 400:
            return self.prefix + text
        local = text.strip()
        if not local:
            raise SchemaError(f"empty local id in namespace {self.namespace!r}")
        return make_id(self.namespace, self.kind + local)


_new = object.__new__
_set = object.__setattr__
_FIELDS: dict[type, frozenset[str]] = {}
R = TypeVar("R", bound=Record)


def fill(cls: type[R], values: dict[str, Any]) -> R:
    """A frozen record from values the caller has already validated, holding every field of ``cls``.

    Why not ``cls(**values)``: validating again costs ~30 us a post and ``model_construct`` ~6-18 us, a large
    share of the one-minute budget for a million posts; filling the instance the way ``model_construct`` does,
    without its per-field default handling, costs ~2-6 us. tests/unit/test_ingest_records.py checks that the
    results equal validated records field for field.
    """
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = frozenset(cls.model_fields)
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def make_has_skill(person_id: str, skill: str, level: int | None, source: str = "hr") -> HasSkill:
    """A HasSkill from a checked id, a canonical skill name and a level from ``parse_level`` (1-5 or None)."""
    return fill(HasSkill, {"person_id": person_id, "skill": skill, "level": level, "source": source,
                           "declared_at": None})


def make_membership(person_id: str, community_id: str, since: datetime | None) -> MemberOf:
    """A MemberOf from already-validated ids and an aware UTC datetime (or None)."""
    return fill(MemberOf, {"person_id": person_id, "community_id": community_id, "since": since,
                           "role": MemberRole.MEMBER})


def make_reports_to(person_id: str, manager_id: str) -> ReportsTo:
    return fill(ReportsTo, {"person_id": person_id, "manager_id": manager_id})


def make_post(
    id: str,
    kind: PostKind,
    author_id: str | None,
    created_at: datetime,
    source: str,
    community_id: str | None = None,
    thread_id: str | None = None,
    parent_id: str | None = None,
    tags: tuple[str, ...] = (),
    score: int = 0,
    accepted: bool = False,
    title: str | None = None,
) -> Post:
    """A Post from fields already validated: ids from IdSpace/make_id, tags as the export writes them (the
    normalise stage canonicalises them),
    an aware UTC datetime, a PostKind (see :func:`fill`)."""
    return fill(Post, {
        "id": id, "kind": kind, "author_id": author_id, "created_at": created_at, "community_id": community_id,
        "thread_id": thread_id, "parent_id": parent_id, "tags": tags, "score": score, "accepted": accepted,
        "source": source, "title": fold_title(title),
    })


__all__ = [
    "Account",
    "CountingReader",
    "IdSpace",
    "Item",
    "Source",
    "StreamContext",
    "SkillRef",
    "decode_json_bytes",
    "fill",
    "make_has_skill",
    "make_membership",
    "make_post",
    "make_reports_to",
    "not_future",
    "parse_time",
    "reject",
    "require_path",
    "slug",
    "split_tags",
    "walk_files",
    "LINK_OUTSIDE",
    "MAX_MEMBER_ENV",
    "leaves",
    "max_member_bytes",
    "read_capped",
    "read_file_capped",
]
