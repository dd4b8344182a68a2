"""Viva Engage (Yammer) network data export: ``Messages.csv``.

Columns used: id, replied_to_id, thread_id, group_id, group_name, sender_id, sender_name, sender_email,
created_at (ISO 8601 or ``2019-04-01 10:11:12 UTC``), deleted_at. A message without ``replied_to_id`` starts a
thread (kind question), the others reply to the message they name. Groups become communities (kind group; no group
means the All Company feed); senders are members of the groups they post in. Deleted messages are skipped, and
so are private messages (``in_private_conversation`` true: they have no group, and are nobody's All Company post)
and private groups' messages (``in_private_group`` true), as the Slack reader leaves private channels out.
The path may be the CSV itself or the export folder holding it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ingest.csvrows import Records
from ingest.csvrows import stopped_reason as _stopped
from ingest.forum.common import (
    LINK_OUTSIDE,
    Account,
    IdSpace,
    Item,
    Source,
    StreamContext,
    leaves,
    make_post,
    parse_time,
    reject,
)
from schema.errors import SchemaError, UnreadableInput
from schema.files import open_regular
from schema.labels import CommunityKind, PostKind
from schema.models import Community, MemberOf, Person

NAMESPACE = "vivaengage"
REQUIRED = ("id", "sender_id", "created_at")


def read_vivaengage(path: str | Path) -> Path:
    p = Path(path)
    if p.is_dir():
        hits = sorted(f for f in p.rglob("*")
                      if f.name.casefold() == "messages.csv" and (f.is_file() or f.is_symlink()))
        if not hits:
            raise UnreadableInput(str(p), "no Messages.csv in the folder: not a Viva Engage export")
        if leaves(p, hits[0]):
            raise UnreadableInput(str(hits[0]), f"Messages.csv is {LINK_OUTSIDE}")
        p = hits[0]
    if not p.exists():
        raise UnreadableInput(str(p), "no such file")
    if p.stat().st_size == 0:
        raise UnreadableInput(str(p), "empty file")
    return p


def iter_csv(fh: IO[bytes], file: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-cased column) from a UTF-8 CSV stream; decoding errors are UnreadableInput."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    records = Records(text)
    reader = iter(records)
    try:
        first = next(reader, None)
    except UnicodeDecodeError as exc:
        raise UnreadableInput(file, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x})", 1) from None
    if first is None:
        raise UnreadableInput(file, "empty file")
    if isinstance(first[1], str):
        raise UnreadableInput(file, f"unreadable header: {first[1]}", 1)
    header = [h.strip().casefold() for h in first[1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UnreadableInput(file, f"missing required column {missing[0]!r} (columns: {', '.join(header[:12])})", 1)
    while True:
        try:
            got = next(reader, None)
        except UnicodeDecodeError as exc:
            raise UnreadableInput(
                file, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x})", records.line_num + 1
            ) from None
        if got is None:
            return
        n, fields = got
        if isinstance(fields, str):  # a csv error, or a quote never closed: the rows before it are kept
            raise UnreadableInput(file, _stopped(fields), n)
        if not fields or all(not f for f in fields):
            continue
        yield n, dict(zip(header, fields, strict=False))


_TRUE = frozenset({"true", "1", "yes", "t"})


def private_message(row: dict[str, str]) -> bool:
    """A message of a private conversation (``in_private_conversation``) or a private group (``in_private_group``):
    its people chose an audience, and whoknows' pages are read by the whole organisation, so neither the group's
    name and members nor what was said there reaches a page or a ranking."""
    return any((row.get(k) or "").strip().casefold() in _TRUE for k in ("in_private_conversation", "in_private_group"))


def _time(value: str | None) -> Any:
    t = (value or "").strip()
    for suffix in (" UTC", " +0000", " GMT"):
        if t.endswith(suffix):
            t = t[: -len(suffix)] + "+00:00"
    return parse_time(t, "created_at")


def parse_messages(
    rows: Iterable[tuple[int, dict[str, str]]], file: str = "Messages.csv"
) -> Iterator[Item]:
    people = IdSpace(NAMESPACE)
    posts = IdSpace(NAMESPACE, "message/")
    groups = IdSpace(NAMESPACE, "group/")
    accounts: set[str] = set()
    communities: set[str] = set()
    members: set[tuple[str, str]] = set()
    for n, r in rows:
        try:
            if (r.get("deleted_at") or "").strip() or private_message(r):
                continue
            mid = (r.get("id") or "").strip()
            if not mid:
                raise ValueError("id is empty")
            created = _time(r.get("created_at"))
            gid = (r.get("group_id") or "").strip() or "all-company"
            cid = groups(gid)
            sender = (r.get("sender_id") or "").strip()
            email = (r.get("sender_email") or "").strip() or None
            author = None
            if sender:
                fid = people(sender)
                if fid not in accounts:
                    name = ((r.get("sender_name") or "").strip() or email or sender)[:300]
                    p = Person(id=fid, name=name, email=email, source=NAMESPACE)
                    accounts.add(fid)
                    yield Account(person=p, handles=(sender,) + ((email,) if email else ()), eager=False)
                author = fid
            if cid not in communities:
                communities.add(cid)
                gname = (r.get("group_name") or "").strip() or ("All Company" if gid == "all-company" else gid)
                yield Community(id=cid, name=gname[:300], kind=CommunityKind.GROUP, source=NAMESPACE)
            if author is not None and (author, cid) not in members:
                members.add((author, cid))
                yield MemberOf(person_id=author, community_id=cid, since=created)
            me = posts(mid)
            replied = (r.get("replied_to_id") or "").strip()
            thread = (r.get("thread_id") or "").strip()
            if replied:
                tid = posts(thread) if thread else posts(replied)
                yield make_post(me, PostKind.REPLY, author, created, NAMESPACE, cid, tid, posts(replied))
            else:
                yield make_post(me, PostKind.QUESTION, author, created, NAMESPACE, cid, posts(thread) if thread else me)
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)


class _Counting(io.RawIOBase):
    def __init__(self, fh: IO[bytes], on_bytes: Any) -> None:
        self._fh, self._on = fh, on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self._fh.readinto(b)  # type: ignore[attr-defined]
        if n and self._on is not None:
            self._on(n)
        return n or 0


def locate(path: str | Path, community: str | None) -> Source:
    f = read_vivaengage(path)
    name = community or "vivaengage"
    return Source(Path(path), NAMESPACE, name, ("vivaengage", "yammer", name), f.stat().st_size, {"file": f})


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    f: Path = src.files["file"]
    with open_regular(f) as raw:
        fh = io.BufferedReader(_Counting(raw, ctx.on_bytes), 1 << 20)
        yield from parse_messages(iter_csv(fh, str(f)), str(f))


__all__ = ["iter_csv", "locate", "parse_messages", "private_message", "read_vivaengage", "stream"]
