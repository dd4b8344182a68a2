"""The generic JSON-lines format (``--format jsonl``) for any other source; see docs/ingest-formats.md.

One JSON object per line, with ``type`` person | community | post | reply | membership | endorsement. Person
references are handles of this source; ids are namespaced ``jsonl/<source>`` (source = ``--community`` or the file
stem). A community referenced before it is declared is created with its id as name; a declaration later in the file
updates it (the last one wins).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

from ingest.forum.common import (
    MAX_MEMBER_ENV,
    Account,
    IdSpace,
    Item,
    SkillRef,
    Source,
    StreamContext,
    fill,
    make_post,
    parse_time,
    reject,
    slug,
)
from ingest.numbers import BigInt, int_value, loads
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.files import open_regular
from schema.labels import CommunityKind, PostKind
from schema.models import Community, Endorsement, MemberOf, Person
from schema.skills import names_a_skill

TYPES = ("person", "community", "post", "reply", "membership", "endorsement")
_POST_KINDS = {k.value: k for k in PostKind}


def read_jsonl(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UnreadableInput(str(p), "no such file")
    if p.is_dir():
        raise UnreadableInput(str(p), "is a directory, expected a .jsonl file")
    if p.stat().st_size == 0:
        raise UnreadableInput(str(p), "empty file")
    return p


@overload
def _str(obj: dict[str, Any], key: str, required: Literal[True] = True) -> str: ...
@overload
def _str(obj: dict[str, Any], key: str, required: bool) -> str | None: ...
def _str(obj: dict[str, Any], key: str, required: bool = True) -> str | None:
    """Stripped text (or an integer as text) at ``key``; a missing or blank value is an error when required."""
    v = obj.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    elif isinstance(v, BigInt):  # an id written as a long number is still an id (make_id bounds its length)
        v = v.raw
    if isinstance(v, str) and v.strip():
        return v.strip()
    if required:
        raise ValueError(f"{key!r} is missing or not text")
    return None


def _int(obj: dict[str, Any], key: str) -> int:
    v = obj.get(key, 0)
    if v is None:
        return 0
    if isinstance(v, float):
        raise ValueError(f"{key!r} must be an integer")
    return int_value(v, repr(key)[1:-1])


class JsonlState:
    """Ids and what has been seen so far in one file (posts' threads and tags, for replies)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.file, self.line = "events.jsonl", 0  # where the line being parsed is (for SkillRef)
        self.people = IdSpace(namespace)
        self.posts = IdSpace(namespace, "post/")
        self.communities = IdSpace(namespace, "community/")
        self.declared: set[str] = set()
        self.threads: dict[str, tuple[str, str | None, PostKind]] = {}  # post id -> (thread id, community, kind)
        self.thread_tags: dict[str, tuple[str, ...]] = {}

    def community(self, local: str, out: list[Item]) -> str:
        cid = self.communities(local)
        if cid not in self.declared:
            self.declared.add(cid)
            out.append(Community(id=cid, name=local[:300], kind=CommunityKind.GROUP, source=self.namespace))
        return cid


def parse_line(obj: Any, st: JsonlState, out: list[Item]) -> None:
    """Append the records of one decoded line to ``out``; raises ValueError/SchemaError for a bad line."""
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    kind = obj.get("type")
    ns = st.namespace
    if kind == "post" or kind == "reply":
        pid = st.posts(_str(obj, "id"))
        created = parse_time(obj.get("created_at"), "created_at")
        handle = _str(obj, "author", required=False)
        author = st.people(handle) if handle else None
        score = _int(obj, "score")
        comm = _str(obj, "community", required=False)
        cid = st.community(comm, out) if comm else None
        raw_tags = obj.get("tags") or []
        if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
            raise ValueError("'tags' must be a list of strings")
        tags = tuple(raw_tags)  # as written: normalise canonicalises
        accepted = obj.get("accepted", False)
        if not isinstance(accepted, bool):
            raise ValueError("'accepted' must be true or false")
        given = _str(obj, "kind", required=False)
        if given is not None and given not in _POST_KINDS:
            raise ValueError(f"kind {given!r} is not one of {', '.join(_POST_KINDS)}")
        if kind == "post":
            pk = _POST_KINDS[given] if given else PostKind.QUESTION
            st.threads[pid] = (pid, cid, pk)
            st.thread_tags[pid] = tags
            title = _str(obj, "title", required=False) if pk is PostKind.QUESTION else None
            out.append(make_post(pid, pk, author, created, ns, cid, pid, None, tags, score, accepted, title))
        else:
            parent = st.posts(_str(obj, "parent"))
            pthread, pcomm, pkind = st.threads.get(parent, (parent, None, PostKind.REPLY))
            pk = _POST_KINDS[given] if given else (PostKind.ANSWER if pkind is PostKind.QUESTION else PostKind.REPLY)
            if cid is None:
                cid = pcomm
            if pk is PostKind.ANSWER and not any(names_a_skill(t) for t in tags):  # none that says anything
                tags = st.thread_tags.get(pthread, ())
            st.threads[pid] = (pthread, cid, pk)
            out.append(make_post(pid, pk, author, created, ns, cid, pthread, parent, tags, score, accepted))
    elif kind == "person":
        handle = _str(obj, "handle")
        email = _str(obj, "email", required=False)
        bot = obj.get("bot", False)
        person = Person(id=st.people(handle), name=(_str(obj, "name", required=False) or handle)[:300],
                        email=email, bot=bot is True, source=ns)
        out.append(Account(person=person, handles=(handle,), eager=True))
    elif kind == "community":
        cid = st.communities(_str(obj, "id"))
        k = _str(obj, "kind", required=False) or "group"
        try:
            ck = CommunityKind(k)
        except ValueError:
            raise ValueError(f"community kind {k!r} is not one of forum, channel, tag, group, cohort") from None
        st.declared.add(cid)
        out.append(Community(id=cid, name=(_str(obj, "name", required=False) or cid)[:300], kind=ck, source=ns))
    elif kind == "membership":
        who = st.people(_str(obj, "person"))
        cid = st.community(_str(obj, "community"), out)
        since = obj.get("since")
        out.append(MemberOf(person_id=who, community_id=cid,
                            since=parse_time(since, "since") if since not in (None, "") else None))
    elif kind == "endorsement":
        a = st.people(_str(obj, "from"))
        b = st.people(_str(obj, "to"))
        _str(obj, "skill")  # text, not empty
        skill = obj["skill"]  # as written (the reject of a skill with nothing meaningful left quotes it so)
        when = obj.get("created_at")
        raw = fill(Endorsement, {"from_id": a, "to_id": b, "skill": skill,
                                 "created_at": parse_time(when) if when not in (None, "") else None, "source": ns})
        out.append(SkillRef(skill, st.file, st.line, raw))  # normalise canonicalises the skill or rejects the line
    else:
        raise ValueError(f"unknown type {str(kind)[:30]!r}; expected one of {', '.join(TYPES)}")


@dataclass(frozen=True, slots=True)
class LongLine:
    """A line longer than the member limit, skipped while reading without being held: ``size`` bytes."""

    size: int
    limit: int


def parse_jsonl(lines: Iterable[bytes | str | LongLine], st: JsonlState, file: str = "events.jsonl") -> Iterator[Item]:
    """Records of every line; a line that is not UTF-8, not JSON, not a valid event or longer than the member limit
    is rejected on its own."""
    out: list[Item] = []
    for n, raw in enumerate(lines, start=1):
        if isinstance(raw, LongLine):
            yield Reject(file, n, f"a line of {raw.size:,} bytes, over the {raw.limit:,}-byte limit "
                                  f"({MAX_MEMBER_ENV}, --max-member-bytes); not read")
            continue
        try:
            text = raw.decode("utf-8-sig" if n == 1 else "utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            yield Reject(file, n, f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x})")
            continue
        if not text.strip():
            continue
        try:
            obj = loads(text)
        except json.JSONDecodeError as exc:
            yield Reject(file, n, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Reject(file, n, "invalid JSON: nested too deeply")
            continue
        try:
            st.file, st.line = file, n
            parse_line(obj, st, out)
        except (ValueError, SchemaError, TypeError) as exc:
            out.clear()
            yield reject(file, n, exc)
            continue
        yield from out
        out.clear()


def locate(path: str | Path, community: str | None) -> Source:
    f = read_jsonl(path)
    name = community or f.stem
    src = slug(name)
    ns = f"jsonl/{src}"
    return Source(f, ns, name, ("jsonl", ns, src, name), f.stat().st_size, {"file": f})


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    st = JsonlState(src.namespace)
    f: Path = src.files["file"]
    on = ctx.on_bytes

    limit = ctx.max_member_bytes

    def lines() -> Iterator[bytes | LongLine]:
        with open_regular(f) as fh:
            pending = 0
            while line := fh.readline(limit + 1):  # a line is never held past the limit (a 10 GB one-line file)
                pending += len(line)
                if len(line) > limit and not line.endswith(b"\n"):
                    size = len(line)
                    while (more := fh.readline(1 << 20)) and (size := size + len(more)) and not more.endswith(b"\n"):
                        pass
                    pending += size - len(line)
                    yield LongLine(size, limit)
                else:
                    yield line
                if on is not None and pending >= 1 << 20:
                    on(pending)
                    pending = 0
            if on is not None:
                on(pending)

    yield from parse_jsonl(lines(), st, str(f))


__all__ = ["TYPES", "JsonlState", "locate", "parse_jsonl", "parse_line", "read_jsonl", "stream"]
