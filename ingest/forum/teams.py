"""Microsoft Teams channel messages as Microsoft Graph returns them, with the tenant's users beside them.

Layout (a folder or a .zip of it): ``users.json`` is a Graph ``/users`` response (``{"value": [...]}`` or a list;
``id`` = the Entra object id, ``displayName``, ``mail``, ``userPrincipalName``); ``channels.json`` (optional) a
``/teams/{id}/channels`` response naming channels (``id``, ``displayName``); every other ``*.json`` file holds
channel messages: a ``/teams/{id}/channels/{id}/messages`` page (``{"value": [...]}``, with or without
``$expand=replies``), a ``.../replies`` page, a list, or one ``chatMessage``.

A ``chatMessage``: ``id``; ``replyToId`` (null for a thread's root; a reply's root otherwise: Teams channel threads
are one level deep); ``createdDateTime``; ``deletedDateTime`` (set: skipped); ``messageType`` (only ``message`` is
kept: system events are not anyone's contribution; a channel ``channels.json`` marks ``membershipType: private``
is skipped whole); ``from.user`` (``id`` = Entra object id, ``displayName``; no
email) or ``from.application`` (a bot); ``channelIdentity`` (``teamId``, ``channelId``) -> the channel community;
``mentions[].mentioned.user`` -> mention engagements; ``reactions[]`` (``reactionType``, ``createdDateTime``,
``user.user.id``) -> reaction engagements, their number the post's score. The ``body`` is never read.

Identity: ``from.user`` carries no email, so the account ``teams:<object id>`` takes its email from users.json
(``mail``, else a ``userPrincipalName`` that is an address) and is matched to HR people by it, as Slack's are
through users.json; ``--identities`` handles are the object id, the UPN or the mail.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ingest.forum.common import (
    LINK_OUTSIDE,
    Account,
    IdSpace,
    Item,
    Source,
    StreamContext,
    decode_json_bytes,
    fill,
    make_membership,
    make_post,
    parse_time,
    reject,
)
from ingest.forum.slack import Archive, read_slack
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.labels import CommunityKind, EngagementKind, PostKind
from schema.models import Community, Engagement, Person

NAMESPACE = "teams"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
META = frozenset({"users.json", "channels.json"})
_PEOPLE = IdSpace(NAMESPACE)
_APPS = IdSpace(NAMESPACE, "app/")
_CHANNELS = IdSpace(NAMESPACE, "channel/")
_POSTS = IdSpace(NAMESPACE, "message/")
_log = logging.getLogger("whoknows.ingest")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(data: Any, file: str, what: str) -> list[Any]:
    """The records of a Graph collection response (``value``), a plain list, or one object."""
    if isinstance(data, dict) and isinstance(data.get("value"), list):
        return data["value"]
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "id" in data:
        return [data]
    raise UnreadableInput(file, f"expected a Graph response with a 'value' list of {what}")


def _email(user: dict[str, Any]) -> str | None:
    """``mail``, else the ``userPrincipalName`` when it is an address (usually the sign-in address)."""
    for key in ("mail", "userPrincipalName"):
        v = _text(user.get(key)).casefold()
        if v and EMAIL.match(v) and "#ext#" not in v:  # a guest's UPN is no mailbox (ann_x.com#EXT#@t...)
            return v
    return None


def parse_users(data: Any, file: str = "users.json") -> Iterator[Account | Reject]:
    """Accounts of the tenant's users, written only once they post, react or are mentioned (``eager=False``):
    a users export lists the whole directory, most of whom never use the channels ingested."""
    for n, u in enumerate(_items(data, file, "users"), start=1):
        try:
            if not isinstance(u, dict):
                raise ValueError("user is not a JSON object")
            uid = _text(u.get("id"))
            if not uid:
                raise ValueError("user has no id")
            email = _email(u)
            name = (_text(u.get("displayName")) or email or uid)[:300]
            person = Person(id=_PEOPLE(uid), name=name, email=email, source=NAMESPACE,
                            active=u.get("accountEnabled") is not False)
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)
            continue
        handles = tuple(h for h in (uid, _text(u.get("userPrincipalName")), _text(u.get("mail"))) if h)
        yield Account(person=person, handles=handles, eager=False)


def parse_channels(data: Any, file: str = "channels.json") -> dict[str, str]:
    """Channel id -> display name."""
    out: dict[str, str] = {}
    for c in _items(data, file, "channels"):
        if isinstance(c, dict) and _text(c.get("id")):
            out[_text(c.get("id"))] = (_text(c.get("displayName")) or _text(c.get("id")))[:300]
    return out


def private_channels(data: Any, file: str = "channels.json") -> set[str]:
    """Ids of the channels Graph marks ``membershipType: private``: their people chose an audience, and whoknows'
    pages are read by the whole organisation, so their messages are not loaded (as Slack's private channels)."""
    return {_text(c.get("id")) for c in _items(data, file, "channels")
            if isinstance(c, dict) and _text(c.get("id")) and _text(c.get("membershipType")).casefold() == "private"}


class Channels:
    """Channel communities (emitted once each) and members (a person's first post in a channel)."""

    def __init__(self, names: dict[str, str] | None = None, private: set[str] | None = None) -> None:
        self.names = names or {}
        self.private = private or set()  # private channels' ids: their messages are skipped
        self.skipped: set[str] = set()  # the private channels messages were skipped in
        self.seen: set[str] = set()
        self.members: set[tuple[str, str]] = set()
        self.accounts: set[str] = set()


def _sender(m: dict[str, Any], out: list[Item], ch: Channels) -> str | None:
    """The sender's forum id (a user, or an application as a bot), declaring a bare account on first sight."""
    sender = _obj(m.get("from"))
    user = _obj(sender.get("user"))
    uid = _text(user.get("id"))
    if uid:
        pid = _PEOPLE(uid)
        if pid not in ch.accounts:
            ch.accounts.add(pid)
            name = (_text(user.get("displayName")) or uid)[:300]
            out.append(Account(Person(id=pid, name=name, source=NAMESPACE), (uid,), eager=False))
        return pid
    app = _obj(sender.get("application"))
    aid = _text(app.get("id"))
    if aid:
        pid = _APPS(aid)
        if pid not in ch.accounts:
            ch.accounts.add(pid)
            name = (_text(app.get("displayName")) or aid)[:300]
            out.append(Account(Person(id=pid, name=name, bot=True, source=NAMESPACE), (aid,), eager=True))
        return pid
    return None


def _user_of(identity_set: Any) -> tuple[str, str] | None:
    """(object id, display name) of an identitySet's user (reactions nest it as ``user.user``)."""
    u = _obj(_obj(identity_set).get("user"))
    if "user" in u and isinstance(u.get("user"), dict):
        u = u["user"]
    uid = _text(u.get("id"))
    return (uid, _text(u.get("displayName"))) if uid else None


def _engagements(m: dict[str, Any], post_id: str, out: list[Item], ch: Channels) -> int:
    """Reaction and mention engagements of one message; returns the number of reactions (its score)."""
    reactions = m.get("reactions")
    n = 0
    for r in reactions if isinstance(reactions, list) else ():
        who = _user_of(r) if isinstance(r, dict) else None
        if who is None:
            continue
        n += 1
        when = r.get("createdDateTime")
        _declare(who, out, ch)
        out.append(fill(Engagement, {"person_id": _PEOPLE(who[0]), "post_id": post_id, "kind": EngagementKind.REACTION,
                                     "created_at": parse_time(when, "reactions.createdDateTime") if when else None}))
    mentions = m.get("mentions")
    seen: set[str] = set()
    for mention in mentions if isinstance(mentions, list) else ():
        who = _user_of(_obj(mention).get("mentioned"))
        if who is None or who[0] in seen:
            continue
        seen.add(who[0])
        _declare(who, out, ch)
        out.append(fill(Engagement, {"person_id": _PEOPLE(who[0]), "post_id": post_id, "kind": EngagementKind.MENTION,
                                     "created_at": None}))
    return n


def _declare(who: tuple[str, str], out: list[Item], ch: Channels) -> None:
    pid = _PEOPLE(who[0])
    if pid not in ch.accounts:
        ch.accounts.add(pid)
        out.append(Account(Person(id=pid, name=(who[1] or who[0])[:300], source=NAMESPACE), (who[0],), eager=False))


def parse_messages(data: Any, file: str, ch: Channels | None = None) -> Iterator[Item]:
    """Posts, engagements, channel communities and memberships of one file of channel messages."""
    ch = ch if ch is not None else Channels()
    try:
        messages = _items(data, file, "chatMessage objects")
    except UnreadableInput as exc:
        yield Reject(exc.file, None, exc.reason)
        return
    out: list[Item] = []
    n = 0
    stack: list[tuple[Any, str | None, str | None]] = [(m, None, None) for m in reversed(messages)]
    while stack:
        m, root, root_channel = stack.pop()
        n += 1
        try:
            if not isinstance(m, dict):
                raise ValueError("message is not a JSON object")
            mtype = m.get("messageType", "message")
            if mtype != "message" or m.get("deletedDateTime"):
                continue
            local = _text(m.get("id"))
            if not local:
                raise ValueError("message has no id")
            me = _POSTS(local)
            created = parse_time(m.get("createdDateTime"), "createdDateTime")
            ident = _obj(m.get("channelIdentity"))
            channel = _text(ident.get("channelId")) or root_channel
            if not channel:
                raise ValueError("message has no channelIdentity.channelId")
            if channel in ch.private:
                ch.skipped.add(channel)
                continue
            cid = _CHANNELS(channel)
            if cid not in ch.seen:
                ch.seen.add(cid)
                out.append(Community(id=cid, name=ch.names.get(channel, channel)[:300], kind=CommunityKind.CHANNEL,
                                     source=NAMESPACE))
            author = _sender(m, out, ch)
            if author is not None and (author, cid) not in ch.members:
                ch.members.add((author, cid))
                out.append(make_membership(author, cid, created))
            engaged: list[Item] = []  # after the post: the store needs the post before what points at it
            score = _engagements(m, me, engaged, ch)
            parent = _text(m.get("replyToId")) or root
            if parent:
                proot = _POSTS(parent)
                out.append(make_post(me, PostKind.REPLY, author, created, NAMESPACE, cid, proot, proot, (), score))
            else:
                out.append(make_post(me, PostKind.QUESTION, author, created, NAMESPACE, cid, me, None, (), score))
                replies = m.get("replies")  # $expand=replies
                if isinstance(replies, list):
                    stack.extend((r, local, channel) for r in reversed(replies))
            out.extend(engaged)
        except (ValueError, SchemaError) as exc:
            out.clear()
            yield reject(file, n, exc)
            continue
        yield from out
        out.clear()


def _message_files(archive: Archive) -> list[str]:
    return sorted(n for n in archive.sizes if n.startswith(archive.root) and n.endswith(".json")
                  and n[len(archive.root):] not in META and not PurePosixPath(n).name.startswith("."))


def locate(path: str | Path, community: str | None) -> Source:
    archive = read_slack(path)  # the same folder-or-zip reader, links and size limits as Slack's
    if not archive.has("users.json"):
        archive.close()
        raise UnreadableInput(str(path), "no users.json (a Graph /users export) beside the messages: identities "
                                         "cannot be matched without it")
    total = sum(archive.sizes[n] for n in _message_files(archive))
    p = Path(path)
    name = community or p.stem
    refused = [Reject(archive.label(r), None, LINK_OUTSIDE) for r in archive.refused]
    refused += [Reject(archive.label(n), None, why) for n, why in archive.odd.items()]
    return Source(p, NAMESPACE, name, ("teams", "msteams", name), total, {"archive": archive}, refused)


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    archive: Archive = src.files["archive"]
    archive.limit = ctx.max_member_bytes
    try:
        label = archive.label(archive.root + "users.json")
        yield from parse_users(decode_json_bytes(archive.read("users.json"), label), label)
        names: dict[str, str] = {}
        private: set[str] = set()
        if archive.has("channels.json"):
            label = archive.label(archive.root + "channels.json")
            listed = decode_json_bytes(archive.read("channels.json"), label)
            names, private = parse_channels(listed, label), private_channels(listed, label)
        ch = Channels(names, private)
        for member in _message_files(archive):
            label = archive.label(member)
            try:
                raw = archive.read(member)
                data = decode_json_bytes(raw, label)
            except UnreadableInput as exc:  # one bad file: reject it, load the others
                yield Reject(exc.file, exc.row, exc.reason)
                continue
            if ctx.on_bytes is not None:
                ctx.on_bytes(len(raw))
            yield from parse_messages(data, label, ch)
        if ch.skipped:
            _log.warning("%s: %d private channel(s) not loaded: private conversations are not communities", src.path,
                         len(ch.skipped))
    finally:
        archive.close()


__all__ = ["Channels", "locate", "parse_channels", "parse_messages", "parse_users", "private_channels", "stream"]
