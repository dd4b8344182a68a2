"""Discourse topics as served at ``/t/{id}.json``: a folder of such files, or a single one.

The first post of a topic is its question; a post with ``reply_to_post_number`` replies to that post, any other
answers the topic. The solved plugin marks the accepted answer with ``accepted_answer: true`` on the post or an
``accepted_answer: {"post_number": n}`` object on the topic. ``category_id`` becomes a forum community, topic
``tags`` (names or {"name": ...} objects) the posts' tags. Likes (``like_count`` or the like action's count) are
the score. Public topic JSON has no emails: accounts match HR people through ``--identities`` (handle = username).
Posts nobody wrote as a contribution are skipped: moderator and small actions ("closed this topic", ``post_type``
2 and 3, or any ``action_code``), staff whispers (``post_type`` 4, private) and deleted posts (``deleted_at``).
Accounts with a negative ``user_id`` (``system``, ``discobot``) are bots. Personal messages (a topic whose
``archetype`` is ``private_message``, as an admin's export holds them) are private conversations: not loaded.
A topic whose ``post_stream.stream`` lists posts it does not hold (``/t/{id}.json`` serves 20 at a time) is
reported, naming how many are missing.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.forum.common import (
    LINK_OUTSIDE,
    Account,
    IdSpace,
    Item,
    Source,
    StreamContext,
    decode_json_bytes,
    leaves,
    make_post,
    parse_time,
    read_file_capped,
    reject,
    slug,
)
from ingest.numbers import BigInt, int_value
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.labels import CommunityKind, PostKind
from schema.models import Community, MemberOf, Person


def read_discourse(path: str | Path, refused: list[Path] | None = None) -> list[Path]:
    """The topic files: ``path`` itself, or every ``*.json`` below it, in a stable order; symbolic links that
    leave the folder are not read but added to ``refused``."""
    p = Path(path)
    if not p.exists():
        raise UnreadableInput(str(p), "no such file or directory")
    if p.is_file():
        return [p]
    files = []
    for f in sorted(p.rglob("*.json")):
        if leaves(p, f):
            if refused is not None:
                refused.append(f)
        elif f.is_file():
            files.append(f)
    if not files:
        raise UnreadableInput(str(p), "no topic .json files in the folder"
                              + (" (only links leaving it, refused)" if refused else ""))
    return files


def _likes(post: dict[str, Any]) -> int:
    """The post's likes: ``like_count``, else ``score`` (a float in Discourse's JSON, rounded down), else the
    like action's count; a number out of the store's range rejects the post."""
    n = post.get("like_count")
    if isinstance(n, int | BigInt) and not isinstance(n, bool):
        return int_value(n, "like_count")
    n = post.get("score")
    if isinstance(n, int | float | BigInt) and not isinstance(n, bool):
        if isinstance(n, float) and math.isfinite(n):
            n = math.floor(n)
        return int_value(n, "score")
    actions = post.get("actions_summary")
    for action in actions if isinstance(actions, list) else ():
        if isinstance(action, dict) and action.get("id") == 2 and isinstance(action.get("count"), int | BigInt):
            return int_value(action["count"], "like count")
    return 0


SKIPPED_POST_TYPES = frozenset({2, 3, 4})  # moderator action, small action, whisper (1 is a regular post)


def contribution(post: dict[str, Any]) -> bool:
    """Whether a post is someone's contribution: not a moderator or small action, a whisper, or deleted."""
    kind = post.get("post_type")
    return not (
        isinstance(kind, int) and kind in SKIPPED_POST_TYPES
        or post.get("action_code")
        or post.get("deleted_at")
    )


def missing_posts(stream: Any, posts: list[Any]) -> int:
    """How many post ids ``post_stream.stream`` lists that ``post_stream.posts`` does not hold."""
    if not isinstance(stream, list):
        return 0
    held = {str(p.get("id")) for p in posts if isinstance(p, dict)}
    return len({str(i) for i in stream if isinstance(i, int | str)} - held)


def _number(value: Any, field: str) -> Any:
    """``value`` unless it is a number out of the store's range (then ValueError naming ``field``)."""
    if isinstance(value, BigInt):
        int_value(value, field)
    return value


def _tag_names(raw: Any) -> list[str]:
    out = []
    for t in raw if isinstance(raw, list) else ():
        if isinstance(t, str):
            out.append(t)
        elif isinstance(t, dict) and isinstance(t.get("name"), str):
            out.append(t["name"])
    return out


class Site:
    """Per-site ids and state (communities and members already emitted) shared by all topic files."""

    def __init__(self, namespace: str, name: str) -> None:
        self.namespace, self.name = namespace, name
        self.people = IdSpace(namespace)
        self.posts = IdSpace(namespace, "post/")
        self.categories = IdSpace(namespace, "category/")
        self.communities: set[str] = set()
        self.members: set[tuple[str, str]] = set()
        self.accounts: set[str] = set()
        self.topics: dict[str, Topic] = {}  # topic id -> what its files so far hold

    def topic(self, topic_id: Any, file: str) -> Topic:
        """The topic's state across files (``/t/{id}.json?page=2`` holds posts 21-40 of the same topic); a file
        without a topic id is a topic of its own."""
        key = str(topic_id) if isinstance(topic_id, int | str) and str(topic_id).strip() else f"file:{file}"
        t = self.topics.get(key)
        if t is None:
            t = self.topics[key] = Topic(file)
        return t


class Topic:
    """One topic over the files holding its pages: its first post, its posts by number, the ids its
    ``post_stream.stream`` lists and those the files hold (for the missing-posts report, made once all are read)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.first: str | None = None
        self.by_number: dict[int, str] = {}
        self.listed: set[str] = set()
        self.held: set[str] = set()


def parse_topic(data: Any, site: Site, file: str) -> Iterator[Item]:
    """Posts of one topic, plus the category community, accounts and memberships seen for the first time."""
    if not isinstance(data, dict):
        yield Reject(file, None, "expected a topic JSON object")
        return
    if data.get("archetype") == "private_message":
        return  # a personal message, not a topic: private conversations are never loaded (docs/privacy.md)
    stream = data.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, dict) else None
    if not isinstance(posts, list):
        yield Reject(file, None, "no post_stream.posts list: not a Discourse /t/{id}.json topic")
        return
    topic_id = data.get("id")
    category = data.get("category_id")
    # ids written as numbers too long for an integer are still ids: their text
    topic_id = topic_id.raw if isinstance(topic_id, BigInt) else topic_id
    category = category.raw if isinstance(category, BigInt) else category
    cat_local = str(category) if isinstance(category, int | str) and str(category).strip() else "uncategorized"
    try:
        cid = site.categories(cat_local)
    except SchemaError as exc:
        yield reject(file, None, exc)
        return
    if cid not in site.communities:
        site.communities.add(cid)
        name = data.get("category_name") if isinstance(data.get("category_name"), str) else None
        yield Community(id=cid, name=(name or f"{site.name} category {cat_local}")[:300],
                        kind=CommunityKind.FORUM, source=site.namespace)
    tags = tuple(_tag_names(data.get("tags")))  # as written: normalise canonicalises
    title = data.get("title") if isinstance(data.get("title"), str) else None  # the topic's: its first post's
    acc = data.get("accepted_answer")
    accepted_no = acc.get("post_number") if isinstance(acc, dict) else None
    listed = stream.get("stream") if isinstance(stream, dict) else None
    topic = site.topic(topic_id, file)
    topic.held |= {str(p.get("id")) for p in posts if isinstance(p, dict)}
    if isinstance(listed, list):
        ids = [str(i) for i in listed if isinstance(i, int | str) and not isinstance(i, bool)]
        topic.listed |= set(ids)
        if topic.first is None and ids and not any(isinstance(p, dict) and p.get("post_number") == 1
                                                   for p in posts):
            # a later page: the stream's first id is the topic's first post (an id no post could have: the page's
            # first post starts the thread, as before)
            with contextlib.suppress(SchemaError):
                topic.first = site.posts(ids[0])
    by_number = topic.by_number
    first = topic.first
    for n, post in enumerate(posts, start=1):
        try:
            if not isinstance(post, dict):
                raise ValueError("post is not a JSON object")
            if not contribution(post):
                continue
            pno = _number(post.get("post_number"), "post_number")
            if not isinstance(pno, int) or isinstance(pno, bool):
                raise ValueError("post has no integer post_number")
            local = _number(post.get("id"), "id")
            if not isinstance(local, int | str) or isinstance(local, bool) or not str(local).strip():
                if topic_id is None:
                    raise ValueError("post has no id and the topic has no id")
                local = f"{topic_id}-{pno}"
            me = site.posts(str(local))
            created = parse_time(post.get("created_at"), "created_at")
            username = post.get("username")
            author = None
            if isinstance(username, str) and username.strip():
                fid = site.people(username.strip())
                if fid not in site.accounts:
                    site.accounts.add(fid)
                    raw_name = post.get("name")
                    display = raw_name if isinstance(raw_name, str) else ""
                    uid = post.get("user_id")
                    bot = isinstance(uid, int) and not isinstance(uid, bool) and uid < 0  # system, discobot
                    yield Account(
                        person=Person(id=fid, name=(display.strip() or username.strip())[:300], source=site.namespace,
                                      bot=bot),
                        handles=(username.strip(),), eager=False,
                    )
                author = fid
                if (author, cid) not in site.members:
                    site.members.add((author, cid))
                    yield MemberOf(person_id=author, community_id=cid, since=created)
            by_number[pno] = me
            reply_to = _number(post.get("reply_to_post_number"), "reply_to_post_number")
            accepted = post.get("accepted_answer") is True or (accepted_no is not None and accepted_no == pno)
            if pno == 1 or first is None and not isinstance(reply_to, int):
                first = topic.first = me
                yield make_post(me, PostKind.QUESTION, author, created, site.namespace, cid, me, None, tags,
                                _likes(post), False, title)
            elif isinstance(reply_to, int) and not isinstance(reply_to, bool) and reply_to != 1:
                parent = by_number.get(reply_to, first)
                yield make_post(me, PostKind.REPLY, author, created, site.namespace, cid, first, parent, (),
                                _likes(post), accepted)
            else:
                yield make_post(me, PostKind.ANSWER, author, created, site.namespace, cid, first, first, tags,
                                _likes(post), accepted)
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)


def locate(path: str | Path, community: str | None) -> Source:
    refused: list[Path] = []
    files = read_discourse(path, refused)
    p = Path(path)
    name = community or (p.resolve().name if p.is_dir() else p.resolve().parent.name)
    site = slug(name)
    ns = f"discourse/{site}"
    return Source(p, ns, name, ("discourse", ns, site, name), sum(f.stat().st_size for f in files), {"files": files},
                  [Reject(str(f), None, LINK_OUTSIDE) for f in refused])


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    site = Site(src.namespace, src.name)
    for f in src.files["files"]:
        try:
            raw = read_file_capped(f, ctx.max_member_bytes)
        except UnreadableInput as exc:  # too large or unreadable: this topic only
            yield Reject(exc.file, exc.row, exc.reason)
            continue
        if ctx.on_bytes is not None:
            ctx.on_bytes(len(raw))
        try:
            data = decode_json_bytes(raw, str(f))
        except UnreadableInput as exc:
            if len(src.files["files"]) == 1:
                raise
            yield Reject(exc.file, exc.row, exc.reason)  # one bad topic file: the others still load
            continue
        yield from parse_topic(data, site, str(f))
    for topic in site.topics.values():
        missing = len(topic.listed - topic.held)
        if missing:
            yield Reject(topic.file, None, f"the topic lists {missing} post(s) in post_stream.stream that no file "
                                           f"holds (/t/{{id}}.json serves 20 at a time): they are not loaded; save "
                                           f"the topic as /t/{{id}}.json?print=true (up to 1000 posts), or each "
                                           f"?page=N, to load them")


__all__ = ["Site", "contribution", "locate", "missing_posts", "parse_topic", "read_discourse", "stream"]
