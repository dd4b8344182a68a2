"""SharePoint discussion boards, blogs and wiki or site pages, exported as list items (JSON or CSV).

Input: one export file, or a folder of them (each file is one list: one forum community named by the file).
JSON as the SharePoint REST API (``{"d": {"results": [...]}}`` or ``{"value": [...]}`` with
``$expand=Author,Editor,LikedBy``) or Microsoft Graph (``{"value": [listItem...]}``, ``createdBy.user``,
``lastModifiedBy.user``, ``fields``) return it, or a plain list; CSV as a list view's "Export to CSV" writes it
(internal or display column names: ``Created By``, ``Number of Likes``...). Columns used:

- ``ID``; ``Created`` (required); ``Modified``;
- ``Author`` / ``Created By`` (and ``Editor`` / ``Modified By``): a user object (``EMail``, ``Title``, ``Name``
  claims such as ``i:0#.f|membership|ann@x.com``), ``Name <email>`` text, an address, or a bare user id;
- ``ParentItemID`` (discussion board: the discussion a message replies to) or ``PostTitleId``/``PostID`` (blog
  comments: their post, in the blog site's ``Posts`` list); items with neither are discussions, blog posts or
  pages (kind question);
- ``LikedBy`` / ``Liked By`` (users, or ``;``-separated in CSV) -> reaction engagements; ``LikesCount`` /
  ``Number of Likes`` -> the score (else the number of likers);
- an ``Editor`` other than the author (a wiki page edited by a colleague) -> an edit engagement.

``Title`` and ``Body`` are never read. Accounts are ``sharepoint/<source>:<email>`` when an address is given
(matched to HR people by it), else the login or user id; a display name alone is a handle of this source only,
never matched to an HR person by name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.csvrows import Records
from ingest.csvrows import stopped_reason as _stopped
from ingest.forum.common import (
    LINK_OUTSIDE,
    Account,
    IdSpace,
    Item,
    Source,
    StreamContext,
    decode_json_bytes,
    fill,
    leaves,
    make_membership,
    make_post,
    parse_time,
    read_file_capped,
    reject,
    slug,
)
from ingest.numbers import BigInt, int_text, int_value
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.labels import CommunityKind, EngagementKind, PostKind
from schema.models import Community, Engagement, Person

_EMAIL = re.compile(r"[^@\s<>;,|\"']+@[^@\s<>;,|\"']+\.[^@\s<>;,|\"']+")
_ALIASES = {  # canonical field -> names an export may use (internal names, Graph names, CSV display names)
    "id": ("ID", "Id", "id"),
    "created": ("Created", "createdDateTime"),
    "modified": ("Modified", "lastModifiedDateTime"),
    "author": ("Author", "createdBy", "Created By", "AuthorId"),
    "editor": ("Editor", "lastModifiedBy", "Modified By", "EditorId"),
    "parent": ("ParentItemID", "Parent Item ID", "ParentItemId"),
    "post": ("PostTitleId", "PostID", "PostId", "Post ID"),
    "likes": ("LikesCount", "Number of Likes", "Likes"),
    "liked_by": ("LikedBy", "Liked By", "LikedByStringId"),
    "type": ("ContentType", "Content Type"),
}


def _get(item: dict[str, Any], key: str) -> Any:
    for name in _ALIASES[key]:
        if name in item and item[name] not in (None, ""):
            return item[name]
    fields = item.get("fields")  # Graph listItem: the columns live in "fields"
    if isinstance(fields, dict):
        for name in _ALIASES[key]:
            if name in fields and fields[name] not in (None, ""):
                return fields[name]
    return None


def user_ref(value: Any) -> tuple[str, str, str | None] | None:
    """(handle, display name, email) of a user value in any of the shapes exports write, or None."""
    if isinstance(value, dict):
        if isinstance(value.get("user"), dict):  # Graph identitySet
            value = value["user"]
        email = next((v for k in ("EMail", "Email", "email", "mail") if isinstance(v := value.get(k), str)
                      and _EMAIL.fullmatch(v.strip())), None)
        name = next((v.strip() for k in ("Title", "displayName", "LookupValue", "Name")
                     if isinstance(v := value.get(k), str) and v.strip()), "")
        login = next((v.strip() for k in ("Name", "LoginName") if isinstance(v := value.get(k), str) and v.strip()), "")
        uid = value.get("id", value.get("Id", value.get("LookupId")))
        if email:
            return email.strip().casefold(), name or email.strip(), email.strip().casefold()
        if "|" in login:
            tail = login.rpartition("|")[2]
            if _EMAIL.fullmatch(tail):
                return tail.casefold(), name or tail, tail.casefold()
            return login, name or login, None
        if isinstance(uid, int | str) and not isinstance(uid, bool) and str(uid).strip():
            return f"user/{str(uid).strip()}", name or f"user {uid}", None
        return (name, name, None) if name else None
    if isinstance(value, BigInt):
        return None
    if isinstance(value, int) and not isinstance(value, bool):  # AuthorId without $expand
        return f"user/{value}", f"user {value}", None
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if "|" in text and _EMAIL.fullmatch(text.rpartition("|")[2]):  # a claims login: i:0#.f|membership|ann@x.com
            email = text.rpartition("|")[2].casefold()
            return email, email, email
        found = _EMAIL.search(text)
        if found:
            email = found.group(0).casefold()
            name = text[: found.start()].strip(" <\"'") or email
            return email, name, email
        if "|" in text:
            return text, text.rpartition("|")[2] or text, None
        return text, text, None
    return None


def _users(value: Any) -> list[tuple[str, str, str | None]]:
    """Users of a multi-user field: ``{"results": [...]}``, a list, or ``;``-separated text."""
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        value = value["results"]
    if isinstance(value, str):
        value = [v for v in re.split(r";#?|\n", value) if v.strip() and not v.strip().isdigit()]
    out = []
    for v in value if isinstance(value, list) else ():
        ref = user_ref(v)
        if ref is not None and ref not in out:
            out.append(ref)
    return out


def _ref_id(value: Any, field: str) -> str | None:
    """An item id a reference names (a number, numeric text, or a lookup object); None when empty."""
    if isinstance(value, dict):
        value = value.get("Id", value.get("LookupId", value.get("ID")))
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return str(int_text(value, field))
    return str(int_value(value, field))


class Lists:
    """Ids and what has been emitted for one SharePoint source (accounts, communities, memberships)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.people = IdSpace(namespace)
        self.accounts: set[str] = set()
        self.members: set[tuple[str, str]] = set()
        self.communities: set[str] = set()

    def person(self, ref: tuple[str, str, str | None], out: list[Item]) -> str:
        pid = self.people(ref[0])
        if pid not in self.accounts:
            self.accounts.add(pid)
            out.append(Account(Person(id=pid, name=ref[1][:300] or ref[0][:300], email=ref[2],
                                      source=self.namespace), (ref[0],), eager=False))
        return pid


def parse_items(items: Iterable[tuple[int, Any]], lists: Lists, list_name: str, file: str) -> Iterator[Item]:
    """Posts, likes, edits and memberships of one list's items, given as (row number, item)."""
    ns = lists.namespace
    local = slug(list_name)
    posts = IdSpace(ns, f"{local}/")
    blog_posts = IdSpace(ns, "posts/")
    cid = IdSpace(ns, "list/")(local)
    if cid not in lists.communities:
        lists.communities.add(cid)
        yield Community(id=cid, name=list_name[:300], kind=CommunityKind.FORUM, source=ns)
    out: list[Item] = []
    for n, item in items:
        try:
            if not isinstance(item, dict):
                raise ValueError("item is not a JSON object")
            raw_id = _get(item, "id")
            if raw_id is None:
                raise ValueError("item has no ID")
            item_id = _ref_id(raw_id, "ID") if not isinstance(raw_id, str) or raw_id.strip().lstrip("-").isdigit() \
                else raw_id.strip()
            me = posts(item_id)
            created = parse_time(_get(item, "created"), "Created")
            author_ref = user_ref(_get(item, "author"))
            author = lists.person(author_ref, out) if author_ref else None
            if author is not None and (author, cid) not in lists.members:
                lists.members.add((author, cid))
                out.append(make_membership(author, cid, created))
            engaged: list[Item] = []  # after the post: the store needs the post before what points at it
            likers = _users(_get(item, "liked_by"))
            count = _get(item, "likes")
            score = (int_text(count, "LikesCount") if isinstance(count, str) else int_value(count, "LikesCount")) \
                if count is not None else len(likers)
            for ref in likers:
                engaged.append(fill(Engagement, {"person_id": lists.person(ref, out), "post_id": me,
                                             "kind": EngagementKind.REACTION, "created_at": None}))
            editor_ref = user_ref(_get(item, "editor"))
            if editor_ref is not None and author_ref is not None and editor_ref[0] != author_ref[0]:
                modified = _get(item, "modified")
                when: datetime | None = parse_time(modified, "Modified") if modified else None
                engaged.append(fill(Engagement, {"person_id": lists.person(editor_ref, out), "post_id": me,
                                             "kind": EngagementKind.EDIT, "created_at": when}))
            parent = _ref_id(_get(item, "parent"), "ParentItemID")
            root = posts(parent) if parent is not None and parent != item_id else None
            blog_post = _ref_id(_get(item, "post"), "PostTitleId")
            if root is None and blog_post is not None:  # a blog comment: its post is in the site's "Posts" list
                root = blog_posts(blog_post)
            if root is not None:
                out.append(make_post(me, PostKind.REPLY, author, created, ns, cid, root, root, (), score))
            else:
                out.append(make_post(me, PostKind.QUESTION, author, created, ns, cid, me, None, (), score))
            out.extend(engaged)
        except (ValueError, SchemaError) as exc:
            out.clear()
            yield reject(file, n, exc)
            continue
        yield from out
        out.clear()


def json_items(data: Any, file: str) -> list[Any]:
    if isinstance(data, dict):
        d = data.get("d")
        if isinstance(d, dict) and isinstance(d.get("results"), list):
            return d["results"]
        if isinstance(data.get("value"), list):
            return data["value"]
    if isinstance(data, list):
        return data
    raise UnreadableInput(file, 'expected list items: {"value": [...]}, {"d": {"results": [...]}} or a JSON list')


def csv_items(raw: bytes, file: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a list's CSV export (UTF-8, with or without BOM; the delimiter is sniffed)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UnreadableInput(file, f"not UTF-8 text (bad byte at offset {exc.start})", line) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = iter(Records(io.StringIO(text, newline=""), delimiter))
    head = next(reader, None)
    if head is None:
        raise UnreadableInput(file, "empty file")
    if isinstance(head[1], str):
        raise UnreadableInput(file, f"unreadable header: {head[1]}", 1)
    header = [h.strip() for h in head[1]]
    if not any(h in header for h in _ALIASES["created"]):
        raise UnreadableInput(file, f"no Created column (columns: {', '.join(header[:12])})", 1)
    for n, fields in reader:
        if isinstance(fields, str):  # a csv error, or a quote never closed: the rows before it are kept
            raise UnreadableInput(file, _stopped(fields), n)
        if fields and any(f.strip() for f in fields):
            yield n, dict(zip(header, fields, strict=False))


def read_sharepoint(path: str | Path, refused: list[Path] | None = None) -> list[Path]:
    p = Path(path)
    if not p.exists():
        raise UnreadableInput(str(p), "no such file or directory")
    if p.is_file():
        return [p]
    files = []
    for f in sorted(p.rglob("*")):
        if f.suffix.casefold() not in (".json", ".csv"):
            continue
        if leaves(p, f):
            if refused is not None:
                refused.append(f)
        elif f.is_file():
            files.append(f)
    if not files:
        raise UnreadableInput(str(p), "no .json or .csv list exports in the folder")
    return files


def locate(path: str | Path, community: str | None) -> Source:
    refused: list[Path] = []
    files = read_sharepoint(path, refused)
    p = Path(path)
    name = community or (p.resolve().name if p.is_dir() else p.resolve().stem)
    site = slug(name)
    ns = f"sharepoint/{site}"
    return Source(p, ns, name, ("sharepoint", ns, site, name), sum(f.stat().st_size for f in files),
                  {"files": files}, [Reject(str(f), None, LINK_OUTSIDE) for f in refused])


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    lists = Lists(src.namespace)
    files: list[Path] = src.files["files"]
    for f in files:
        try:
            raw = read_file_capped(f, ctx.max_member_bytes)
            if ctx.on_bytes is not None:
                ctx.on_bytes(len(raw))
            if f.suffix.casefold() == ".csv":  # read lazily: rows before a fault mid-file still load
                items: Iterable[tuple[int, Any]] = csv_items(raw, str(f))
            else:
                items = enumerate(json_items(decode_json_bytes(raw, str(f)), str(f)), start=1)
        except UnreadableInput as exc:
            if len(files) == 1:
                raise
            yield Reject(exc.file, exc.row, exc.reason)  # one bad list file: the others still load
            continue
        yield from parse_items(items, lists, f.stem, str(f))


__all__ = ["Lists", "csv_items", "json_items", "locate", "parse_items", "read_sharepoint", "stream", "user_ref"]
