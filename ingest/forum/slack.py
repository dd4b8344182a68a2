"""Slack workspace exports, as the .zip Slack produces or its unpacked folder.

``users.json`` (id, name, real_name, profile.email, is_bot, deleted) declares accounts; ``channels.json`` gives
channel communities and their members; ``<channel>/<YYYY-MM-DD>.json``
hold the messages. A message with a ``thread_ts`` other than its own ``ts`` is a reply whose parent is the thread's
root message; reactions are likes, added to the message's score. Joins, leaves, topic changes and other system
subtypes are skipped. Bot messages are kept, written by a person flagged ``bot``, which analytics leave out.
Enterprise Grid org exports (``org_users.json``, workspaces under ``teams/``) and private conversations (private
channels, direct messages: not loaded) are laid out as ``slack_layout`` says.
"""

from __future__ import annotations

import logging
import os
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ingest.forum.common import (
    DEFAULT_MAX_MEMBER_BYTES,
    LINK_OUTSIDE,
    Account,
    IdSpace,
    Item,
    Source,
    StreamContext,
    decode_json_bytes,
    leaves,
    make_membership,
    make_post,
    not_future,
    read_capped,
    reject,
    too_large,
    walk_files,
)
from ingest.forum.slack_layout import (
    CHANNEL_LISTS,
    PRIVATE_LISTS,
    ROOT_MARKERS,
    USER_LISTS,
    day_files,
    is_private,
    member_name_problem,
    private_entry,
    private_folders,
    workspaces,
)
from ingest.numbers import BigInt, int_value
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.files import open_regular
from schema.labels import CommunityKind, PostKind
from schema.models import Community, Person
from schema.numbers import in_int64

NAMESPACE = "slack"
KEEP_SUBTYPES = frozenset({None, "", "bot_message", "file_share", "thread_broadcast", "me_message", "message_replied"})
SLACKBOT = "USLACKBOT"
_log = logging.getLogger("whoknows.ingest")


class Archive:
    """Uniform access to the export's files, zipped or unpacked; names are POSIX paths below the export root.

    Members are read in pieces and refused past ``limit`` bytes (the zip header's size first, then what actually
    comes out), so a small zip holding a huge member costs no memory; in a folder, symbolic links that leave it
    are listed in ``refused`` and never opened."""

    def __init__(self, path: Path, limit: int = DEFAULT_MAX_MEMBER_BYTES, kind: str = "Slack") -> None:
        self.path = path
        self.limit = limit
        self._zip: zipfile.ZipFile | None = None
        self.sizes: dict[str, int] = {}
        self.refused: list[str] = []
        self.odd: dict[str, str] = {}  # zip members never read (unsafe or repeated names), with the reason
        self._base = str(path)
        if path.is_dir():
            self.sizes = {rel: size for rel, size, _ in walk_files(path, self.refused)}
        else:
            if path.stat().st_size == 0:
                raise UnreadableInput(str(path), "empty file (a 0-byte zip)")
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise UnreadableInput(str(path), f"not a zip archive ({exc})") from None
            infos = [i for i in self._zip.infolist() if not i.is_dir()]
            copies = Counter(i.filename for i in infos)
            for info in infos:
                why = member_name_problem(info.filename, copies[info.filename])
                if why is None:
                    self.sizes[info.filename] = info.file_size
                elif copies[info.filename] > 1 and PurePosixPath(info.filename).name in ROOT_MARKERS:
                    raise UnreadableInput(self.label(info.filename), why.replace("; refused", ""))
                else:
                    self.odd[info.filename] = why
        root = min(
            (n.rpartition("/")[0] for n in self.sizes if PurePosixPath(n).name in ROOT_MARKERS),
            key=len,
            default=None,
        )
        if root is None:
            raise UnreadableInput(str(path), f"no channels.json, users.json or org_users.json: not a {kind} export")
        self.root = root + "/" if root else ""

    def has(self, name: str) -> bool:
        return self.root + name in self.sizes

    def read(self, name: str) -> bytes:
        full = name if name.startswith(self.root) else self.root + name
        label = self.label(full)
        declared = self.sizes.get(full, 0)
        if declared > self.limit:  # refused on the header's word, before decompressing anything
            raise UnreadableInput(label, too_large(declared, self.limit))
        try:
            if self._zip is not None:
                with self._zip.open(full) as fh:
                    return read_capped(fh, self.limit, label, declared)
            path = os.path.join(self._base, full)
            if leaves(self._base, path):  # a link made after the folder was listed
                raise UnreadableInput(label, LINK_OUTSIDE)
            with open_regular(path) as fh:
                return read_capped(fh, self.limit, label, declared)
        except UnreadableInput:
            raise
        except (OSError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            raise UnreadableInput(label, f"cannot read: {exc or type(exc).__name__}") from None
        except MemoryError:
            raise UnreadableInput(label, "not enough memory to read this member; lower the limit "
                                         "(--max-member-bytes)") from None
        except Exception as exc:  # zlib.error and friends from a damaged member
            raise UnreadableInput(label, f"damaged archive member: {exc or type(exc).__name__}") from None

    def label(self, name: str) -> str:
        return f"{self._base}:{name}" if self._zip is not None else os.path.join(self._base, name)

    def relative(self) -> list[str]:
        """Member names below the export root, relative to it."""
        k = len(self.root)
        return [n[k:] for n in self.sizes if n.startswith(self.root)]

    def day_files(self) -> list[tuple[str, str, str]]:
        """(workspace, conversation folder, member name) of every day file, in a stable order: the root's
        conversations, then each Enterprise Grid workspace's (``teams/<id>/<channel>/``)."""
        rel = self.relative()
        return [(space, folder, self.root + n) for space, folder, n in day_files(rel, workspaces(rel))]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def read_slack(path: str | Path, limit: int = DEFAULT_MAX_MEMBER_BYTES) -> Archive:
    p = Path(path)
    if not p.exists():
        raise UnreadableInput(str(p), "no such file or directory")
    return Archive(p, limit)


def _ts(value: Any) -> datetime:
    if isinstance(value, BigInt):
        raise ValueError(f"ts {value!r} is out of range as a Slack timestamp")
    try:
        dt = datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise ValueError(f"ts {str(value)[:30]!r} is not a Slack timestamp") from None
    return not_future(dt, "ts", value)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_users(data: Any, file: str = "users.json") -> Iterator[Account | Reject]:
    if not isinstance(data, list):
        raise UnreadableInput(file, "expected a JSON list of users")
    people = IdSpace(NAMESPACE)
    for n, u in enumerate(data, start=1):
        try:
            if not isinstance(u, dict):
                raise ValueError("user is not a JSON object")
            uid = _text(u.get("id"))
            if not uid:
                raise ValueError("user has no id")
            raw_profile = u.get("profile")
            profile: dict[str, Any] = raw_profile if isinstance(raw_profile, dict) else {}
            name = (
                _text(u.get("real_name")) or _text(profile.get("real_name")) or _text(u.get("name")) or uid
            )[:300]
            person = Person(
                id=people(uid),
                name=name,
                email=_text(profile.get("email")) or None,
                bot=bool(u.get("is_bot")) or uid == SLACKBOT,
                active=not bool(u.get("deleted")),
                source=NAMESPACE,
            )
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)
            continue
        handles = (uid, _text(u.get("name"))) if _text(u.get("name")) else (uid,)
        yield Account(person=person, handles=handles, eager=True)


@dataclass(frozen=True)
class Channel:
    id: str  # community id
    name: str


def parse_channels(data: Any, file: str) -> Iterator[Item | Channel]:
    """Channel communities, their members' memberships, and a Channel per entry (to map folders to ids)."""
    if not isinstance(data, list):
        raise UnreadableInput(file, "expected a JSON list of channels")
    people, channels = IdSpace(NAMESPACE), IdSpace(NAMESPACE, "channel/")
    for n, c in enumerate(data, start=1):
        try:
            if not isinstance(c, dict):
                raise ValueError("channel is not a JSON object")
            if private_entry(c):
                continue  # a private channel: not a community (slack_layout)
            cid, name = _text(c.get("id")), _text(c.get("name"))
            if not cid and not name:
                raise ValueError("channel has neither id nor name")
            community = Community(
                id=channels(cid or name), name=(name or cid)[:300], kind=CommunityKind.CHANNEL, source=NAMESPACE
            )
            members = c.get("members") or []
            if not isinstance(members, list):
                raise ValueError("members is not a list")
            created = c.get("created")
            since = _ts(created) if created not in (None, "", 0, "0") else None
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)
            continue
        yield community
        yield Channel(community.id, name or cid)
        for uid in members:
            if isinstance(uid, str) and uid.strip():
                try:
                    member = people(uid.strip())
                except SchemaError as exc:
                    yield reject(file, n, f"member {uid[:40]!r}: {exc}")
                    continue
                yield make_membership(member, community.id, since)


_PEOPLE = IdSpace(NAMESPACE)


def parse_messages(
    data: Any,
    community_id: str,
    file: str,
    bots: set[str] | None = None,
    posts: IdSpace | None = None,
) -> Iterator[Item]:
    """Posts of one channel-day file. ``bots``: ids of the accounts messages already declared (bots, Slackbot, a
    shared channel's outside users), shared across files; ``posts``: the channel's post ids (built once per
    channel by the caller). An author users.json does not list is declared from the message: Slackbot as a bot,
    a Slack Connect user by the ``user_profile`` the message carries (a users.json entry read first wins)."""
    if not isinstance(data, list):
        yield Reject(file, None, "expected a JSON list of messages")
        return
    seen_bots = bots if bots is not None else set()
    people = _PEOPLE
    if posts is None:
        posts = IdSpace(NAMESPACE, community_id.partition("/")[2] + "/")
    Q, R = PostKind.QUESTION, PostKind.REPLY
    for n, m in enumerate(data, start=1):
        try:
            if not isinstance(m, dict):
                raise ValueError("message is not a JSON object")
            subtype = m.get("subtype")
            if not (subtype is None or isinstance(subtype, str) and subtype in KEEP_SUBTYPES):
                continue
            ts = m.get("ts")
            if isinstance(ts, BigInt):
                _ts(ts)
            if not isinstance(ts, str | int | float) or isinstance(ts, bool):
                raise ValueError("message has no ts")
            created = _ts(ts)
            ts = str(ts)
            user = _text(m.get("user"))
            bot = _text(m.get("bot_id"))
            if user:
                author = people(user)
                if author not in seen_bots:
                    account = _message_account(user, author, m.get("user_profile"))
                    if account is not None:
                        seen_bots.add(author)
                        yield account
            elif bot:
                bid = people(bot)
                if bid not in seen_bots:
                    seen_bots.add(bid)
                    name = (_text(m.get("username")) or bot)[:300]
                    yield Account(person=Person(id=bid, name=name, bot=True, source=NAMESPACE), handles=(bot,))
                author = bid
            else:
                author = None
            score = 0
            reactions = m.get("reactions")
            if isinstance(reactions, list):
                for r in reactions:
                    if isinstance(r, dict):
                        c = r.get("count")
                        users = r.get("users")
                        if isinstance(c, BigInt):
                            int_value(c, "reaction count")  # raises: out of range
                        if isinstance(c, int) and not isinstance(c, bool) and c >= 0:
                            score += c
                        elif isinstance(users, list):
                            score += len(users)
                if not in_int64(score):
                    raise ValueError(f"score (the sum of reaction counts, {score}) is out of range")
            me = posts(ts)
            thread = m.get("thread_ts")
            if isinstance(thread, str | int | float) and not isinstance(thread, bool) and str(thread) != ts:
                _ts(thread)
                root = posts(str(thread))
                yield make_post(me, R, author, created, NAMESPACE, community_id, root, root, (), score)
            else:
                yield make_post(me, Q, author, created, NAMESPACE, community_id, me, None, (), score)
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)


def _message_account(user: str, person_id: str, profile: Any) -> Account | None:
    """The account a message declares for an author users.json may not list: Slackbot (a bot), or a Slack Connect
    user named by the message's ``user_profile``; None when the message says nothing of its author."""
    if user == SLACKBOT:
        return Account(person=Person(id=person_id, name="Slackbot", bot=True, source=NAMESPACE), handles=(user,))
    if not isinstance(profile, dict):
        return None
    name = _text(profile.get("real_name")) or _text(profile.get("display_name")) or _text(profile.get("name"))
    if not name:
        return None
    handle = _text(profile.get("name"))
    return Account(person=Person(id=person_id, name=name[:300], source=NAMESPACE),
                   handles=(user, handle) if handle else (user,), eager=False)


def locate(path: str | Path, community: str | None) -> Source:
    archive = read_slack(path)
    total = sum(archive.sizes[n] for _, _, n in archive.day_files())
    p = Path(path)
    name = community or p.stem
    refused = [Reject(archive.label(r), None, LINK_OUTSIDE) for r in archive.refused]
    refused += [Reject(archive.label(n), None, why) for n, why in archive.odd.items()]
    return Source(p, NAMESPACE, name, ("slack", name), total, {"archive": archive}, refused)


def _lists(archive: Archive, space: str, names: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """(label, decoded JSON) of each of ``names`` the workspace ``space`` holds."""
    for name in names:
        if archive.has(space + name):
            label = archive.label(archive.root + space + name)
            yield label, decode_json_bytes(archive.read(space + name), label)


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    archive: Archive = src.files["archive"]
    archive.limit = ctx.max_member_bytes
    try:
        spaces = workspaces(archive.relative())
        declared: set[str] = set()  # an account is declared once: the org's org_users.json, read first, wins
        for space in spaces:
            for label, data in _lists(archive, space, USER_LISTS):
                for user in parse_users(data, label):
                    if isinstance(user, Account):
                        if user.person.id in declared:
                            continue
                        declared.add(user.person.id)
                    yield user
        by_folder: dict[tuple[str, str], str] = {}
        private: dict[str, set[str]] = {}
        for space in spaces:
            private[space] = set()
            for label, data in _lists(archive, space, CHANNEL_LISTS):
                private[space] |= private_folders(data, flagged_only=True)
                for item in parse_channels(data, label):
                    if isinstance(item, Channel):
                        by_folder.setdefault((space, item.name), item.id)
                    else:
                        yield item
            for _, data in _lists(archive, space, PRIVATE_LISTS):
                private[space] |= private_folders(data)
        channels = IdSpace(NAMESPACE, "channel/")
        bots = set(declared)  # messages declare only the authors no users list declares
        post_ids: dict[str, IdSpace] = {}
        skipped: set[tuple[str, str]] = set()
        for space, folder, member in archive.day_files():
            label = archive.label(member)
            cid = by_folder.get((space, folder))
            if cid is None and is_private(folder, private.get(space, set())):
                skipped.add((space, folder))
                continue
            if cid is None:
                try:
                    cid = channels(folder)
                    community = Community(id=cid, name=folder[:300], kind=CommunityKind.CHANNEL, source=NAMESPACE)
                except (ValueError, SchemaError) as exc:
                    yield reject(label, None, f"channel folder {folder[:40]!r}: {exc}")
                    continue
                by_folder[(space, folder)] = cid
                yield community
            try:
                raw = archive.read(member)
            except UnreadableInput as exc:  # one day file too large or damaged: reject it, load the others
                yield Reject(exc.file, exc.row, exc.reason)
                continue
            if ctx.on_bytes is not None:
                ctx.on_bytes(len(raw))
            try:
                data = decode_json_bytes(raw, label)
            except UnreadableInput as exc:  # one bad day file: reject it, load the others
                yield Reject(label, exc.row, exc.reason)
                continue
            ids = post_ids.get(cid)
            if ids is None:
                ids = post_ids[cid] = IdSpace(NAMESPACE, cid.partition("/")[2] + "/")
            yield from parse_messages(data, cid, label, bots, ids)
        if skipped:
            _log.warning("%s: %d private conversation(s) (private channels, direct messages, group DMs) not "
                         "loaded: private conversations are not communities", src.path, len(skipped))
    finally:
        archive.close()


__all__ = [
    "KEEP_SUBTYPES",
    "Archive",
    "locate",
    "parse_channels",
    "parse_messages",
    "parse_users",
    "read_slack",
    "stream",
]
