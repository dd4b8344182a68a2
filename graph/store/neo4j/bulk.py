"""A first load of an EMPTY Neo4j database through Neo4j's offline importer (``neo4j-admin database import full``).

The online path writes millions of posts through Bolt statements: at 100,000 people (2.6M posts) that is ~820
CPU-seconds of client and server. For a first load, :class:`BulkLoad` stands in for the store during the normal
ingest (the same parsers, validation, identity matching, skill canonicalisation and per-key aggregation run in
front of it), keeps what the online store would hold after the same batches (one row per key, the last version
winning, skills merging their aliases, the same missing-author and missing-community errors), and :meth:`finish`
writes it as the importer's CSV files with the exact command line. The importer then builds the store files
directly; the store's constraints and indexes are created when it is first opened, as for any empty database.

Posts, nearly all of the volume, are written to their files as they arrive (only their ids stay in memory); the
rare post met again in a later batch is kept aside and replaces its earlier lines when the files are finished.
Forum exports may be read in parallel processes (ingest/bulk.py), each into a :class:`BulkLoad` of its own seeded
with what the steps before it loaded (``known``); their :class:`Part` results are merged in manifest order, as the
online path would have written them one after another.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from graph.store.base import RECORD_KEYS, Batch, WriteResult, check_ranges, dedupe
from graph.store.common import missing_message
from graph.store.neo4j.bulk_csv import ARRAY_DELIMITER, Table, model_columns
from graph.store.neo4j.bulk_files import REPLY_RAW, filter_replies, replace_posts, write_rels, write_table
from graph.store.neo4j.tx import BatchRows, batch_rows
from graph.store.neo4j.values import person_from
from graph.store.source_facts import SourceKeep, SourceRetraction
from graph.store.visibility import Visibility
from schema.errors import StoreError
from schema.labels import NodeLabel, RelType, StoreLabel
from schema.models import Community, Endorsement, Engagement, HasSkill, MemberOf, Person, Post, Skill

ARGS_FILE = "neo4j-admin-import.args"  # absolute paths: `neo4j-admin database import full @FILE` on this machine
DOCKER_ARGS_FILE = "neo4j-admin-import.docker.args"  # the same files under /import, mounted into the container
DOCKER_DIR = "/import"
DATABASE = "neo4j"

Row = dict[str, Any]

# (file, label or type, table); relationship tables name their ends' id spaces
PEOPLE = Table(model_columns(Person), id_space="Person")
SKILLS = Table(model_columns(Skill), id_space="Skill")
COMMUNITIES = Table(model_columns(Community), id_space="Community")
POSTS = Table(model_columns(Post), id_space="Post")
META_T = Table([("key", "string"), ("value", "string")])
AUTHORED_T = Table([], ends=("Person", "Post"))
IN_T = Table([], ends=("Post", "Community"))
TAGGED_T = Table([], ends=("Post", "Skill"))
REPLY_T = Table([], ends=("Post", "Post"))
REPORTS_T = Table([], ends=("Person", "Person"))
HAS_SKILL_T = Table(model_columns(HasSkill, exclude=("person_id", "skill")), ends=("Person", "Skill"))
MEMBER_T = Table(model_columns(MemberOf, exclude=("person_id", "community_id")), ends=("Person", "Community"))
ENDORSED_T = Table(model_columns(Endorsement, exclude=("from_id", "to_id")), ends=("Person", "Person"))
ENGAGED_T = Table(model_columns(Engagement, exclude=("person_id", "post_id")), ends=("Person", "Post"))

NODE_FILES = (("people.csv", NodeLabel.PERSON, PEOPLE), ("skills.csv", NodeLabel.SKILL, SKILLS),
              ("communities.csv", NodeLabel.COMMUNITY, COMMUNITIES), ("posts.csv", NodeLabel.POST, POSTS),
              ("meta.csv", StoreLabel.META, META_T))
REL_FILES = (("authored.csv", RelType.AUTHORED, AUTHORED_T), ("in.csv", RelType.IN, IN_T),
             ("tagged.csv", RelType.TAGGED, TAGGED_T), ("reply_to.csv", RelType.REPLY_TO, REPLY_T),
             ("reports_to.csv", RelType.REPORTS_TO, REPORTS_T), ("has_skill.csv", RelType.HAS_SKILL, HAS_SKILL_T),
             ("member_of.csv", RelType.MEMBER_OF, MEMBER_T), ("endorsed.csv", RelType.ENDORSED, ENDORSED_T),
             ("engaged.csv", RelType.ENGAGED, ENGAGED_T))
_PART_FILES = {"posts.csv": NodeLabel.POST, "authored.csv": RelType.AUTHORED, "in.csv": RelType.IN,
               "tagged.csv": RelType.TAGGED, "reply_to.csv": RelType.REPLY_TO}  # written as posts arrive


@dataclass
class ImportFiles:
    """What :meth:`BulkLoad.finish` wrote: the directory, the importer's options and the counts written."""

    directory: Path
    multiline: bool
    counts: dict[str, int] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # sub-folders with the posts of forum steps read in parallel

    def args(self, base: str | Path | None = None) -> list[str]:
        """The importer's arguments with the files under ``base`` (default: this directory, absolute)."""
        root = str(self.directory.resolve() if base is None else base).rstrip("/")
        return [
            *(f"--nodes={label}={root}/{name}" for name, label, _ in NODE_FILES),
            *(f"--relationships={rel}={root}/{name}" for name, rel, _ in REL_FILES),
            *(f"--{'nodes' if kind == NodeLabel.POST else 'relationships'}={kind}={root}/{part}/{name}"
              for part in self.parts for name, kind in _PART_FILES.items()),
            f"--array-delimiter={ARRAY_DELIMITER}", f"--multiline-fields={'true' if self.multiline else 'false'}",
            "--skip-bad-relationships=false", "--skip-duplicate-nodes=false", DATABASE,
        ]

    @property
    def args_file(self) -> Path:
        return self.directory / ARGS_FILE

    def command(self, admin: str = "neo4j-admin") -> str:
        return shlex.join([admin, "database", "import", "full", f"@{self.args_file.resolve()}"])

    def docker_command(self, service: str = "neo4j") -> str:
        mount = f"{self.directory.resolve()}:{DOCKER_DIR}:ro"
        return shlex.join(["docker", "compose", "run", "--rm", "--no-deps", "-v", mount, service, "neo4j-admin",
                           "database", "import", "full", f"@{DOCKER_DIR}/{DOCKER_ARGS_FILE}"])


@dataclass(frozen=True)
class Known:
    """What the steps before a parallel one loaded, as that step reads it (people, communities, post ids)."""

    people: dict[str, Row]
    communities: frozenset[str]
    post_ids: frozenset[str]


@dataclass
class Part:
    """What one forum step read in a process of its own wrote: its tables, and its posts' files in ``directory``."""

    directory: Path
    people: dict[str, Row]
    skills: dict[str, set[str]]
    communities: dict[str, Row]
    reports_to: dict[str, str]
    has_skill: dict[tuple[str, str], Row]
    memberships: dict[tuple[str, str], Row]
    endorsements: dict[tuple[str, str, str], Row]
    engagements: dict[tuple[str, str, str], Row]
    meta: dict[str, str]
    post_ids: set[str]
    multiline: bool


class BulkLoad:
    """The reads and writes an ingest makes (like :class:`~ingest.dryrun.DryRunStore`), kept for the importer."""

    url = "bulk"

    def __init__(self, directory: str | Path, known: Known | None = None) -> None:
        self.known = known or Known({}, frozenset(), frozenset())
        self.parts: list[Part] = []
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        for _, _, table in (*NODE_FILES, *REL_FILES):
            table.multiline = False
        if any(self.directory.glob("*.csv")):
            raise StoreError(f"{self.directory} already holds CSV files: write a bulk load into an empty folder")
        self.people: dict[str, Row] = {}
        self.skills: dict[str, set[str]] = {}
        self.communities: dict[str, Row] = {}
        self.reports_to: dict[str, str] = {}
        self.has_skill: dict[tuple[str, str], Row] = {}
        self.memberships: dict[tuple[str, str], Row] = {}
        self.endorsements: dict[tuple[str, str, str], Row] = {}
        self.engagements: dict[tuple[str, str, str], Row] = {}
        self.meta: dict[str, str] = {}
        self.post_ids: set[str] = set()
        self.post_again: dict[str, Post] = {}  # posts met in an earlier batch: the last version, written at finish
        self._files: dict[str, IO[str]] = {}
        for name, table in (("posts.csv", POSTS), ("authored.csv", AUTHORED_T), ("in.csv", IN_T),
                            ("tagged.csv", TAGGED_T), (REPLY_RAW, REPLY_T)):
            f = (self.directory / name).open("w", encoding="utf-8", newline="", buffering=1 << 20)
            f.write(table.header)
            self._files[name] = f

    # --- the reads an ingest makes -----------------------------------------------------------------------------

    def _all_people(self) -> dict[str, Row]:
        return {**self.known.people, **self.people} if self.known.people else self.people

    def person_ids(self, source: str | None = None) -> set[str]:
        people = self._all_people()
        if source is None:
            return set(people)
        return {i for i, r in people.items() if r.get("source") == source}

    def stored_people(self, person_ids: Iterable[str]) -> dict[str, Person]:
        people = self._all_people()
        return {i: person_from(people[i]) for i in person_ids if i in people}

    def visibility(self, person_id: str) -> Visibility | None:
        """As the files say: a bulk load makes a new database, which holds no one's own choice yet."""
        row = self._all_people().get(person_id)
        return None if row is None else Visibility(person_id, by_choice=False, by_source=bool(row.get("opted_out")))

    def email_index(self) -> dict[str, str]:
        people = self._all_people()
        out: dict[str, str] = {}
        # an active person's record first (a rehire's new one), then the lowest id holding the address: as on the server
        for pid in sorted(people, key=lambda p: (not people[p].get("active", True), p)):
            email = people[pid].get("email")
            if email is not None:
                out.setdefault(email, pid)
        return out

    def reporting_lines(self) -> dict[str, str]:
        return dict(self.reports_to)

    def known_now(self) -> Known:
        """What a step run in parallel after this point reads as already loaded."""
        return Known(self._all_people(), frozenset(self.communities) | self.known.communities,
                     frozenset(self.post_ids) | self.known.post_ids)

    def get_meta(self, key: str) -> str | None:
        return self.meta.get(key)

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.meta.pop(key, None)
        else:
            self.meta[key] = value

    def deactivate_missing(self, source: str, keep_ids: Iterable[str]) -> list[str]:
        keep = set(keep_ids)
        people = self._all_people()
        gone = sorted(i for i, r in people.items() if r.get("source") == source and r.get("active") is True
                      and i not in keep)
        for i in gone:
            self.people[i] = {**people[i], "active": False}
        return gone

    def remove_reports_to(self, person_ids: Iterable[str], *, dry_run: bool = False) -> list[str]:
        found = sorted(i for i in set(person_ids) if i in self.reports_to)
        if not dry_run:
            for i in found:
                del self.reports_to[i]
        return found

    def remove_skill_claims(
        self, source: str, keep: Mapping[str, Iterable[str]], *, dry_run: bool = False
    ) -> list[tuple[str, str]]:
        wanted = {pid: set(skills) for pid, skills in keep.items()}
        gone = sorted(k for k, props in self.has_skill.items()
                      if k[0] in wanted and props.get("source") == source and k[1] not in wanted[k[0]])
        if not dry_run:
            for k in gone:
                del self.has_skill[k]
        return gone

    def merge_people(self, moves: Mapping[str, str]) -> list[str]:
        """Nothing to merge: a bulk load fills an empty database, so no earlier run stored a forum person."""
        return []

    def retract_source(self, source: str, keep: SourceKeep, *, dry_run: bool = False) -> SourceRetraction:
        """Nothing to take back: a bulk load fills an empty database, so a source holds only what it wrote."""
        return SourceRetraction()

    # --- writes: what the online store keeps after the same batches ------------------------------------------------

    def write_batch(self, batch: Batch) -> WriteResult:
        check_ranges(batch)
        # posts, nearly all of the volume, go to their files straight from the records (Table.record_line); the
        # rest as the online store's parameter rows
        posts: list[Post] = dedupe(batch.posts, RECORD_KEYS[Post])
        rows = batch_rows(replace(batch, posts=()))
        self._check(rows, posts)
        result = WriteResult()
        _put(self.people, rows.people, lambda r: r["id"], "people", result, before=self.known.people)
        self._skills(rows, posts, result)
        _put(self.communities, rows.communities, lambda r: r["id"], "communities", result)
        self._posts(posts, result)
        _put(self.reports_to, rows.reports_to, lambda r: r["person_id"], "reports_to", result,
             value=lambda r: r["manager_id"])
        _put(self.has_skill, rows.has_skill, lambda r: (r["person_id"], r["skill"]), "has_skill", result,
             value=lambda r: r["props"])
        _put(self.memberships, rows.memberships, lambda r: (r["person_id"], r["community_id"]), "memberships",
             result, value=lambda r: r["props"])
        _put(self.endorsements, rows.endorsements, lambda r: (r["from_id"], r["to_id"], r["skill"]),
             "endorsements", result,
             value=lambda r: {"skill": r["skill"], "created_at": r["created_at"], "source": r["source"]})
        _put(self.engagements, rows.engagements, lambda r: (r["person_id"], r["post_id"], r["kind"]),
             "engagements", result, value=lambda r: {"kind": r["kind"], "created_at": r["created_at"]})
        for key, value in rows.meta.items():
            self.set_meta(key, value)
        return result

    def _check(self, rows: BatchRows, batch_posts: list[Post]) -> None:
        """The online store's refusals, before anything of the batch is kept (its transaction would roll back)."""
        batch_people = {r["id"] for r in rows.people}
        batch_communities = {r["id"] for r in rows.communities}
        people = _AnyOf(self.people, self.known.people, batch_people)  # no union: these sets are large
        communities = _AnyOf(self.communities, self.known.communities, batch_communities)
        _require("post author", (p.author_id for p in batch_posts), people)
        _require("post community", (p.community_id for p in batch_posts), communities)
        _require("person in reports_to", (i for r in rows.reports_to for i in (r["person_id"], r["manager_id"])),
                 people)
        _require("person in has_skill", (r["person_id"] for r in rows.has_skill), people)
        _require("person in memberships", (r["person_id"] for r in rows.memberships), people)
        _require("community in memberships", (r["community_id"] for r in rows.memberships), communities)
        _require("person in endorsements", (i for r in rows.endorsements for i in (r["from_id"], r["to_id"])),
                 people)
        _require("person in engagements", (r["person_id"] for r in rows.engagements), people)
        if rows.engagements:
            posts = _AnyOf(self.post_ids, self.known.post_ids, {p.id for p in batch_posts})
            _require("post in engagements", (r["post_id"] for r in rows.engagements), posts)

    def _skills(self, rows: BatchRows, posts: list[Post], result: WriteResult) -> None:
        new = changed = 0
        for s in rows.skills:
            aliases = set(s.get("aliases", ()))
            have = self.skills.get(s["name"])
            if have is None:
                self.skills[s["name"]] = aliases
                new += 1
            elif not aliases <= have:
                have |= aliases
                changed += 1
        result.add("skills", new, changed, len(rows.skills) - new - changed)
        named = (*(t for p in posts for t in p.tags), *(r["skill"] for r in rows.has_skill),
                 *(r["skill"] for r in rows.endorsements))
        for name in named:  # a skill only named (a tag, a claim) exists with no aliases, as SKILLS_ENSURE makes it
            self.skills.setdefault(name, set())

    def _posts(self, rows: list[Post], result: WriteResult) -> None:
        again = 0
        posts, authored, in_, tagged, reply = (self._files[n] for n in (
            "posts.csv", "authored.csv", "in.csv", "tagged.csv", "reply_to.raw"))
        seen, before = self.post_ids, self.known.post_ids
        for r in rows:
            pid = r.id
            if pid in before:
                raise StoreError(f"post {pid} was loaded by an earlier step too: read its exports one after another "
                                 "(--workers 1)")
            if pid in seen:
                self.post_again[pid] = r
                again += 1
                continue
            seen.add(pid)
            _post_lines(r, posts, authored, in_, tagged, reply)
        result.add("posts", len(rows) - again, again, 0)  # a post met again counts as updated

    # --- the importer's files ------------------------------------------------------------------------------------

    def _close_posts(self) -> None:
        for f in self._files.values():
            f.close()
        if self.post_again:
            replace_posts(self.directory, self.post_again, _post_lines)
            self.post_again = {}

    def part(self) -> Part:
        """This load's result as a part of another (a forum step read in a process of its own)."""
        self._close_posts()
        return Part(self.directory, self.people, self.skills, self.communities, self.reports_to, self.has_skill,
                    self.memberships, self.endorsements, self.engagements, self.meta, self.post_ids,
                    any(t.multiline for _, _, t in (*NODE_FILES, *REL_FILES)))

    def merge(self, part: Part) -> None:
        """Take in a part, after everything before it in manifest order (each key's last version wins)."""
        if twice := sorted(part.post_ids & self.post_ids)[:5]:
            raise StoreError(f"posts {', '.join(twice)} were read by two forum steps at once: read their exports "
                             "one after another (--workers 1)")
        self.people.update(part.people)
        for name, aliases in part.skills.items():
            self.skills.setdefault(name, set()).update(aliases)
        self.communities.update(part.communities)
        self.reports_to.update(part.reports_to)
        self.has_skill.update(part.has_skill)
        self.memberships.update(part.memberships)
        self.endorsements.update(part.endorsements)
        self.engagements.update(part.engagements)
        self.meta.update(part.meta)
        self.post_ids |= part.post_ids
        self.parts.append(part)

    def finish(self) -> ImportFiles:
        """Write every file, the importer's arguments (``ARGS_FILE``, absolute paths) and return them."""
        self._close_posts()
        d = self.directory
        for folder in (d, *(p.directory for p in self.parts)):
            filter_replies(folder / REPLY_RAW, folder / "reply_to.csv", self.post_ids)
        counts = {
            "people": write_table(d / "people.csv", PEOPLE, (self.people[k] for k in sorted(self.people))),
            "skills": write_table(d / "skills.csv", SKILLS, ({"name": k, "aliases": sorted(v)}
                                                       for k, v in sorted(self.skills.items()))),
            "communities": write_table(d / "communities.csv", COMMUNITIES,
                                  (self.communities[k] for k in sorted(self.communities))),
            "meta": write_table(d / "meta.csv", META_T, ({"key": k, "value": v} for k, v in sorted(self.meta.items()))),
            "posts": len(self.post_ids),
            "reports_to": write_rels(d / "reports_to.csv", REPORTS_T,
                                      ((p, m, {}) for p, m in sorted(self.reports_to.items()))),
            "has_skill": write_rels(d / "has_skill.csv", HAS_SKILL_T,
                                     ((p, s, v) for (p, s), v in sorted(self.has_skill.items()))),
            "memberships": write_rels(d / "member_of.csv", MEMBER_T,
                                       ((p, c, v) for (p, c), v in sorted(self.memberships.items()))),
            "endorsements": write_rels(d / "endorsed.csv", ENDORSED_T,
                                        ((a, b, v) for (a, b, _), v in sorted(self.endorsements.items()))),
            "engagements": write_rels(d / "engaged.csv", ENGAGED_T,
                                       ((a, p, v) for (a, p, _), v in sorted(self.engagements.items()))),
        }
        multiline = any(t.multiline for _, _, t in (*NODE_FILES, *REL_FILES)) or any(p.multiline for p in self.parts)
        files = ImportFiles(d, multiline, counts, [p.directory.relative_to(d).as_posix() for p in self.parts])
        (d / ARGS_FILE).write_text("\n".join(files.args()) + "\n", encoding="utf-8")
        (d / DOCKER_ARGS_FILE).write_text("\n".join(files.args(DOCKER_DIR)) + "\n", encoding="utf-8")
        return files

    def close(self) -> None:
        for f in self._files.values():
            if not f.closed:
                f.close()


class _AnyOf:
    """Membership in any of several collections, without building their union."""

    def __init__(self, *collections: Any) -> None:
        self.collections = collections

    def __contains__(self, item: object) -> bool:
        return any(item in c for c in self.collections)


def _require(what: str, ids: Iterable[str | None], known: Any) -> None:
    missing = sorted({i for i in ids if i is not None and i not in known})
    if missing:
        raise StoreError(missing_message(what, missing))


def _put(into: dict[Any, Any], rows: list[Row], key: Any, kind: str, result: WriteResult,
         value: Any = None, before: dict[Any, Any] | None = None) -> None:
    new = changed = 0
    for r in rows:
        k = key(r)
        v = r if value is None else value(r)
        old = into.get(k)
        if old is None and before:
            old = before.get(k)
        if old is None:
            new += 1
        elif old != v:
            changed += 1
        into[k] = v
    result.add(kind, new, changed, len(rows) - new - changed)


def _post_lines(p: Post, posts: IO[str], authored: IO[str], in_: IO[str], tagged: IO[str], reply: IO[str]) -> None:
    """A post's node line and its edges as POSTS_CREATE makes them (REPLY_TO kept for the parent check)."""
    pid = p.id
    posts.write(POSTS.record_line(p))
    if p.author_id is not None:
        authored.write(AUTHORED_T.edge(p.author_id, pid))
    if p.community_id is not None:
        in_.write(IN_T.edge(pid, p.community_id))
    for tag in p.tags:
        tagged.write(TAGGED_T.edge(pid, tag))
    if p.parent_id is not None:
        reply.write(REPLY_T.edge(pid, p.parent_id))


__all__ = ["ARGS_FILE", "DATABASE", "DOCKER_ARGS_FILE", "BulkLoad", "ImportFiles", "Known", "Part"]
