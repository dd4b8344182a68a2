"""Stack Exchange data dumps: a directory of Posts.xml, Users.xml, Tags.xml, Votes.xml, Comments.xml.

Questions (PostTypeId 1) and answers (2) become posts; an answer is accepted when its question's AcceptedAnswerId
names it and inherits its question's tags; Comments.xml rows become ``comment`` posts whose parent is the post
commented on. Scores come from the ``Score`` attribute; when Posts.xml has none (some exporters), from Votes.xml
(VoteTypeId 2 up, 3 down). Other post types (tag wikis, moderator nominations...) are skipped, with their
comments. The site is one forum Community; everyone who posts or comments is a member from their first
contribution. Public dumps carry no emails, so accounts match HR people only through ``--identities`` (handle =
the user Id).

User Id -1 is the Community user on every Stack Exchange site (the bot that owns tag wikis, election and contest
posts, and bumps old questions): it is a bot whether or not the dump carries Users.xml, so its posts count nowhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from ingest.forum.common import (
    LINK_OUTSIDE,
    Account,
    IdSpace,
    Item,
    SkillRef,
    Source,
    StreamContext,
    leaves,
    make_membership,
    make_post,
    not_future,
    parse_time,
    reject,
    slug,
    split_tags,
)
from ingest.forum.xmlrows import iter_rows
from ingest.numbers import int_text
from ingest.rejects import Reject
from schema.errors import SchemaError, UnreadableInput
from schema.files import open_regular
from schema.labels import CommunityKind, PostKind
from schema.models import Community, Person

COMMUNITY_USER = "-1"  # the Community bot's user Id, the same on every site
FILES = ("Posts.xml", "Users.xml", "Tags.xml", "Votes.xml", "Comments.xml", "TagSynonyms.xml")
Rows = Iterable[tuple[int, dict[str, str]]]


def _not_a_folder(p: Path) -> str:
    """Why a file is not a dump, and what to give instead."""
    if p.name.casefold() in {f.casefold() for f in FILES}:
        return f"a Stack Exchange dump is the directory holding {p.name}: give {p.parent} instead"
    if p.suffix.casefold() in (".7z", ".zip", ".gz", ".bz2", ".xz", ".tar"):
        return ("an archive: a Stack Exchange dump is read unpacked; unpack it (7z x FILE -oFOLDER) and give the "
                "folder holding Posts.xml")
    return "a Stack Exchange dump is a directory holding Posts.xml (unpack the .7z first)"


def _has_posts(d: Path) -> bool:
    try:
        return any(f.name.casefold() == "posts.xml" for f in d.iterdir())
    except OSError:
        return False


def dump_folder(path: str | Path) -> Path:
    """The folder holding the dump's files: ``path``, or its one sub-folder holding Posts.xml (a .7z unpacked
    into a folder of its own name, ``bicycles.stackexchange.com/``)."""
    p = Path(path)
    if not p.exists():
        raise UnreadableInput(str(p), "no such directory")
    if not p.is_dir():
        raise UnreadableInput(str(p), _not_a_folder(p))
    if _has_posts(p):
        return p
    sites = sorted(d for d in p.iterdir() if d.is_dir() and not d.is_symlink() and _has_posts(d))
    if len(sites) == 1:
        return sites[0]
    if sites:
        names = ", ".join(d.name for d in sites[:5]) + (", ..." if len(sites) > 5 else "")
        raise UnreadableInput(str(p), f"holds {len(sites)} site dumps ({names}): ingest each site's folder on its own")
    return p


def read_stackexchange(path: str | Path) -> dict[str, Path]:
    """The dump files present in directory ``path`` (or its one sub-folder holding Posts.xml; names matched
    case-insensitively); Posts.xml is required."""
    p = dump_folder(path)
    present = {f.name.casefold(): f for f in p.iterdir() if f.is_file() or f.is_symlink()}
    found = {name: present[name.casefold()] for name in FILES if name.casefold() in present}
    for name, f in found.items():
        if leaves(p, f):
            raise UnreadableInput(str(f), f"{name} is {LINK_OUTSIDE}")
    if "Posts.xml" not in found:
        raise UnreadableInput(str(p), "no Posts.xml in the directory: not a Stack Exchange dump")
    if found["Posts.xml"].stat().st_size == 0:
        raise UnreadableInput(str(found["Posts.xml"]), "empty file")
    return found


def open_rows(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream the rows of one dump file (closing it at the end)."""
    from ingest.forum.common import CountingReader

    try:
        raw: IO[bytes] = open_regular(path)
    except OSError as exc:
        raise UnreadableInput(str(path), f"cannot open: {exc.strerror}") from None
    fh = CountingReader(raw, on_bytes)
    try:
        yield from iter_rows(fh, str(path))  # type: ignore[arg-type]
    finally:
        fh.close()


def has_scores(rows: Rows) -> bool:
    """Whether Posts.xml carries Score attributes (looks at the first row only)."""
    for _, attrs in rows:
        return "Score" in attrs
    return True


@dataclass
class Site:
    """One site's ids and the state shared between its files while parsing (all in memory, small per post)."""

    namespace: str  # "stackexchange/<site>"
    name: str
    people: IdSpace = field(init=False)
    posts: IdSpace = field(init=False)
    comments: IdSpace = field(init=False)
    community_id: str = field(init=False)
    members: set[str] = field(default_factory=set)
    thread_of: dict[int, int] = field(default_factory=dict)  # post id -> question id
    skipped: set[int] = field(default_factory=set)  # posts of other types (tag wikis, nominations): their comments too
    _tag_cache: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _authors: dict[str, str] = field(default_factory=dict)  # raw user id -> forum person id

    def __post_init__(self) -> None:
        self.people = IdSpace(self.namespace)
        self.posts = IdSpace(self.namespace, "post/")
        self.comments = IdSpace(self.namespace, "comment/")
        site = self.namespace.partition("/")[2] or self.namespace
        self.community_id = IdSpace("stackexchange")(site)

    def community(self) -> Community:
        return Community(id=self.community_id, name=self.name, kind=CommunityKind.FORUM, source=self.namespace)

    def tags(self, raw: str | None) -> tuple[str, ...]:
        if not raw:
            return ()
        t = self._tag_cache.get(raw)
        if t is None:
            t = tuple(split_tags(raw))  # as written: normalise canonicalises
            if len(self._tag_cache) < 200_000:
                self._tag_cache[raw] = t
        return t

    def author(self, user_id: str | None, when: datetime, out: list[Item]) -> str | None:
        """The author's forum id; a first contribution also makes them a member of the site."""
        if not user_id:
            return None
        pid = self._authors.get(user_id)
        if pid is not None:
            return pid
        if not user_id.strip():
            return None  # deleted account
        forum_id = self.people(user_id.strip())
        pid = self._authors[user_id] = forum_id
        if forum_id not in self.members:
            self.members.add(forum_id)
            out.append(make_membership(pid, self.community_id, when))
        return pid


def parse_users(rows: Rows, site: Site, file: str = "Users.xml") -> Iterator[Account | Reject]:
    """Accounts (written only once they post: ``eager=False``). User -1 is the Community bot."""
    for n, a in rows:
        uid = a.get("Id", "").strip()
        if not uid:
            yield Reject(file, n, "row has no Id")
            continue
        name = (a.get("DisplayName") or "").strip()[:300] or f"user {uid}"
        try:
            person = Person(id=site.people(uid), name=name, source=site.namespace, bot=uid == COMMUNITY_USER)
        except (ValueError, SchemaError) as exc:
            yield reject(file, n, exc)
            continue
        yield Account(person=person, handles=(uid,), eager=False)


def community_bot(site: Site) -> Account:
    """The Community user (Id -1) as a bot account, declared after Users.xml (which, when present, names it first:
    the first declaration wins) so that a dump without Users.xml does not make it a person who posts."""
    person = Person(id=site.people(COMMUNITY_USER), name="Community", source=site.namespace, bot=True)
    return Account(person=person, handles=(COMMUNITY_USER,), eager=False)


def parse_tags(rows: Rows, file: str = "Tags.xml") -> Iterator[SkillRef]:
    """Each tag as written, with its row: the normalise stage makes it a Skill or rejects the row."""
    for n, a in rows:
        yield SkillRef(a.get("TagName", ""), file, n)


def parse_tag_synonyms(rows: Rows) -> dict[str, str]:
    """Source tag -> target tag, to extend the alias table (``js`` -> ``javascript`` style)."""
    out = {}
    for _, a in rows:
        src, dst = a.get("SourceTagName", "").strip(), a.get("TargetTagName", "").strip()
        if src and dst and src != dst:
            out[src] = dst
    return out


def parse_votes(rows: Rows) -> dict[int, int]:
    """Net votes per post id (VoteTypeId 2 = up, 3 = down; other vote types ignored)."""
    score: dict[int, int] = {}
    for _, a in rows:
        t = a.get("VoteTypeId")
        if t == "2" or t == "3":
            try:
                pid = int_text(a.get("PostId", ""), "PostId")
            except ValueError:
                continue
            score[pid] = score.get(pid, 0) + (1 if t == "2" else -1)
    return score


def dated_votes(path: str | Path, namespace: str) -> Iterator[tuple[str, str, str]] | None:
    """(post id in the store, VoteTypeId, CreationDate) of every row of the dump's Votes.xml, or None when it has
    none: what an evaluation recounts scores and acceptances from as of its cut-off (graph/evaluation_votes.py)."""
    files = read_stackexchange(path)
    if "Votes.xml" not in files:
        return None
    posts = IdSpace(namespace, "post/")

    def rows() -> Iterator[tuple[str, str, str]]:
        for _, a in open_rows(files["Votes.xml"]):
            try:
                pid = int_text(a.get("PostId", ""), "PostId")
            except ValueError:
                continue
            yield posts(pid), a.get("VoteTypeId", ""), a.get("CreationDate", "")

    return rows()


def _time(text: str | None) -> datetime:
    """Dump dates are naive UTC ISO strings (``2010-08-25T19:50:51.187``): parsed with an explicit UTC offset
    appended (3x cheaper than ``.replace(tzinfo=UTC)``), anything else through the general parser."""
    if text and len(text) >= 19 and text[-1] not in "Zz" and text[-6] not in "+-":
        try:
            naive = datetime.fromisoformat(text + "+00:00")
        except ValueError:
            pass
        else:
            return not_future(naive, "CreationDate", text)
    return parse_time(text, "CreationDate")


def _int(a: dict[str, str], key: str, default: int | None = None) -> int | None:
    """The attribute as an integer within the store's range (dump ids and scores are integers), or ValueError
    naming the attribute: "Score '77777...777' (400 digits) is out of range"."""
    v = a.get(key)
    if v is None or v == "":
        return default
    return int_text(v, key)


def parse_posts(
    rows: Rows, site: Site, votes: dict[int, int] | None = None, file: str = "Posts.xml"
) -> Iterator[Item]:
    """Questions and answers in file order; an answer that comes before its question waits for it."""
    questions: dict[int, tuple[tuple[str, ...], int | None]] = {}  # id -> (tags, accepted answer id)
    waiting: dict[int, list[tuple[int, int, dict[str, str]]]] = {}  # question id -> answers seen before it
    out: list[Item] = []
    source = site.namespace
    post_id, community_id, thread_of = site.posts, site.community_id, site.thread_of
    Q, A = PostKind.QUESTION, PostKind.ANSWER

    def answer(n: int, pid: int, a: dict[str, str], qid: int, q: tuple[tuple[str, ...], int | None] | None) -> None:
        created = _time(a.get("CreationDate"))
        score = votes.get(pid, 0) if votes is not None else (_int(a, "Score", 0) or 0)
        thread_of[pid] = qid
        qpost = post_id(qid)
        out.append(
            make_post(
                post_id(pid), A, site.author(a.get("OwnerUserId"), created, out), created, source,
                community_id, qpost, qpost, q[0] if q else (), score, q is not None and q[1] == pid,
            )
        )

    for n, a in rows:
        try:
            t = a.get("PostTypeId")
            if t != "1" and t != "2":
                other = a.get("Id", "")
                if other.isdigit():
                    site.skipped.add(int(other))
                continue
            pid = _int(a, "Id")
            if pid is None:
                raise ValueError("row has no Id")
            if t == "1":
                created = _time(a.get("CreationDate"))
                tags = site.tags(a.get("Tags"))
                accepted = _int(a, "AcceptedAnswerId")
                score = votes.get(pid, 0) if votes is not None else (_int(a, "Score", 0) or 0)
                questions[pid] = (tags, accepted)
                thread_of[pid] = pid
                me = post_id(pid)
                out.append(
                    make_post(
                        me, Q, site.author(a.get("OwnerUserId"), created, out), created, source,
                        community_id, me, None, tags, score, False, a.get("Title"),
                    )
                )
                for wn, wpid, wa in waiting.pop(pid, ()):
                    try:
                        answer(wn, wpid, wa, pid, questions[pid])
                    except (ValueError, SchemaError) as exc:
                        out.append(reject(file, wn, exc))
            else:
                qid = _int(a, "ParentId")
                if qid is None:
                    raise ValueError("answer has no ParentId")
                q = questions.get(qid)
                if q is None and qid not in thread_of:
                    waiting.setdefault(qid, []).append((n, pid, a))
                else:
                    answer(n, pid, a, qid, q)
        except (ValueError, SchemaError) as exc:
            out.append(reject(file, n, exc))
        if out:
            yield from out
            out.clear()
    # answers whose question is not in the dump (deleted): kept, untagged, with their parent id
    for qid in sorted(waiting):
        for wn, wpid, wa in waiting[qid]:
            try:
                answer(wn, wpid, wa, qid, None)
            except (ValueError, SchemaError) as exc:
                out.append(reject(file, wn, exc))
        yield from out
        out.clear()


def parse_comments(rows: Rows, site: Site, file: str = "Comments.xml") -> Iterator[Item]:
    out: list[Item] = []
    source, thread_of, post_id, cid = site.namespace, site.thread_of, site.posts, site.community_id
    C = PostKind.COMMENT
    for n, a in rows:
        try:
            comment = _int(a, "Id")
            on = _int(a, "PostId")
            if comment is None or on is None:
                raise ValueError("row has no Id or PostId")
            if on in site.skipped:
                continue  # on a tag wiki or a moderator nomination: not a question's discussion
            created = _time(a.get("CreationDate"))
            thread = thread_of.get(on)
            out.append(
                make_post(
                    site.comments(comment), C, site.author(a.get("UserId"), created, out), created, source,
                    cid, post_id(thread) if thread is not None else None, post_id(on), (),
                    _int(a, "Score", 0) or 0, False,
                )
            )
        except (ValueError, SchemaError) as exc:
            out.append(reject(file, n, exc))
        yield from out
        out.clear()


def locate(path: str | Path, community: str | None) -> Source:
    files = read_stackexchange(path)
    p = Path(path)
    name = community or files["Posts.xml"].parent.resolve().name
    site = slug(name)
    ns = f"stackexchange/{site}"
    total = sum(files[f].stat().st_size for f in ("Posts.xml", "Comments.xml") if f in files)
    return Source(p, ns, name, ("stackexchange", ns, site, name), total, files)


def stream(src: Source, ctx: StreamContext) -> Iterator[Item]:
    """Tag synonyms, tags, users, (votes,) posts, comments: each file streamed once, in this order."""
    files: dict[str, Path] = src.files
    table = ctx.table
    if "TagSynonyms.xml" in files:
        table = table.extend(parse_tag_synonyms(open_rows(files["TagSynonyms.xml"])))
        ctx.table = table
        if ctx.on_table is not None:
            ctx.on_table(table)
    site = Site(src.namespace, src.name)
    yield site.community()
    if "Tags.xml" in files:
        yield from parse_tags(open_rows(files["Tags.xml"]), str(files["Tags.xml"]))
    if "Users.xml" in files:
        yield from parse_users(open_rows(files["Users.xml"]), site, str(files["Users.xml"]))
    yield community_bot(site)
    votes = None
    if "Votes.xml" in files and not has_scores(open_rows(files["Posts.xml"])):
        votes = parse_votes(open_rows(files["Votes.xml"]))
    yield from parse_posts(open_rows(files["Posts.xml"], ctx.on_bytes), site, votes, str(files["Posts.xml"]))
    if "Comments.xml" in files:
        yield from parse_comments(open_rows(files["Comments.xml"], ctx.on_bytes), site, str(files["Comments.xml"]))


__all__ = [
    "COMMUNITY_USER",
    "FILES",
    "Site",
    "community_bot",
    "has_scores",
    "locate",
    "open_rows",
    "parse_comments",
    "parse_posts",
    "parse_tag_synonyms",
    "parse_tags",
    "parse_users",
    "read_stackexchange",
    "stream",
]
