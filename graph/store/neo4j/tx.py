"""Neo4j transaction work: run a registered statement, write a batch (nodes, then relationships), analytics rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, LiteralString, cast

import neo4j.graph

from graph.store import cypher as q
from graph.store import deadline
from graph.store.base import (
    RECORD_KEYS,
    AnalyticsSnapshot,
    Batch,
    WriteResult,
    dedupe,
    dedupe_skills,
)
from graph.store.common import missing_message
from graph.store.neo4j.values import (
    K,
    Row,
    Tx,
    classify,
    community_row,
    detected_row,
    endorsement_row,
    engagement_row,
    expertise_row,
    from_neo,
    has_skill_row,
    health_row,
    influence_row,
    interaction_row,
    member_row,
    member_wire,
    person_row,
    post_row,
    post_wire,
    reports_row,
    scores_row,
    skill_row,
)
from schema.errors import StoreError
from schema.models import (
    Community,
    Endorsement,
    Engagement,
    HasSkill,
    MemberOf,
    Person,
    Post,
    ReportsTo,
)

_ENTITIES = (neo4j.graph.Node, neo4j.graph.Relationship, neo4j.graph.Path)

# --- running statements -----------------------------------------------------------------------------------------------


# names of the statements this process has run to completion: the test suite proves every registered statement ran
# on a real server (tests/contract/test_statement_coverage.py); one set insert per statement costs nothing
EXECUTED: set[str] = set()


def run(tx: Tx | neo4j.Session, statement: q.Statement, **params: Any) -> list[Row]:
    """Run one registered statement with exactly its declared parameters; all records, fully consumed (in a managed
    transaction, or as an auto-commit transaction of a session)."""
    if set(params) != set(statement.params):
        raise TypeError(f"{statement.name} takes {sorted(statement.params)}, got {sorted(params)}")
    # the text comes only from graph/store/cypher/ (enum labels, no values): a literal in all but type
    text = cast(LiteralString, statement.text)
    if isinstance(tx, neo4j.Session):  # an auto-commit read: ended by the server at the caller's deadline, if any
        timeout = deadline.remaining()
        result = tx.run(text if timeout is None else neo4j.Query(text, timeout=timeout), params)
    else:  # a managed transaction's timeout is set where it begins (conn._read)
        result = tx.run(text, params)
    # the values as the driver hydrated them: our statements return maps, lists and scalars, never graph entities,
    # and ``record.data()`` walking every nested value to export entities was a tenth of a directory page's client CPU
    rows = []
    for record in result:
        row = dict(record.items())
        if any(isinstance(v, _ENTITIES) for v in row.values()):  # not ours, but exported the driver's way if so
            row = record.data()
        rows.append(row)
    EXECUTED.add(statement.name)
    return rows


# rows per page of a keyset-paged whole-store read (PROJECTION_*): posts and people per page, or the people whose
# relationships a page holds. 20,000 measured best at 10,000 people (5,000: 30% more client CPU; 50,000: no gain,
# larger lists held at once on both sides)
PAGE_ROWS = 20_000


def pages(tx: Tx, statement: q.Statement) -> Iterator[list[Any]]:
    """Run a keyset-paged statement (``$after``, ``$limit``; one record: the page's last key, then one list per
    column) page by page, and yield each page's columns.

    For whole-store reads (the analytics projection: every post): a record per row cost the driver more than the
    rest of the read together (see graph/store/cypher/). Consume it inside the transaction function.
    """
    if set(statement.params) != {"after", "limit"}:
        raise TypeError(f"{statement.name} is not a paged read (takes {sorted(statement.params)})")
    text = cast(LiteralString, statement.text)
    limit = PAGE_ROWS  # read here, not bound at import: a test reads with pages of one row
    after = ""
    while True:
        record = tx.run(text, {"after": after, "limit": limit}).single(strict=True)
        if record[0] is None:  # an empty page: the key column of no row
            break
        after = record[0]
        yield record.values()[1:]
    EXECUTED.add(statement.name)


def _require(tx: Tx, statement: q.Statement, what: str, ids: Iterable[str | None]) -> None:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return
    # in Python's order, as the SQLite store names them: Cypher orders strings by UTF-16 code unit, so an id with a
    # character beyond U+FFFF (an emoji) sorts before one with U+E000-U+FFFF (fullwidth forms) there, after it here
    absent = {r["id"] for r in run(tx, statement, ids=wanted)}
    missing = [i for i in wanted if i in absent]
    if missing:
        raise StoreError(missing_message(what, missing))


def _ensure_skills(tx: Tx, names: Iterable[str]) -> None:
    wanted = sorted(set(names))
    if wanted:
        run(tx, q.SKILLS_ENSURE, names=wanted)


# --- the write side of a batch ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRows:
    """A batch as parameter rows, one row per key (the last version wins; skills merge their aliases)."""

    people: list[Row]
    skills: list[Row]
    communities: list[Row]
    posts: list[Row]
    reports_to: list[Row]
    has_skill: list[Row]
    memberships: list[Row]
    endorsements: list[Row]
    engagements: list[Row]
    meta: dict[str, str | None]


def batch_rows(batch: Batch) -> BatchRows:
    """Deduplicate every kind of a batch per key and build its parameter rows (pure; done once, outside retries)."""
    return BatchRows(
        people=[person_row(p) for p in dedupe(batch.people, RECORD_KEYS[Person])],
        skills=[skill_row(s) for s in dedupe_skills(batch.skills)],
        communities=[community_row(c) for c in dedupe(batch.communities, RECORD_KEYS[Community])],
        posts=[post_row(p) for p in dedupe(batch.posts, RECORD_KEYS[Post])],
        reports_to=[reports_row(r) for r in dedupe(batch.reports_to, RECORD_KEYS[ReportsTo])],
        has_skill=[has_skill_row(h) for h in dedupe(batch.has_skill, RECORD_KEYS[HasSkill])],
        memberships=[member_row(m) for m in dedupe(batch.memberships, RECORD_KEYS[MemberOf])],
        endorsements=[endorsement_row(e) for e in dedupe(batch.endorsements, RECORD_KEYS[Endorsement])],
        engagements=[engagement_row(e) for e in dedupe(batch.engagements, RECORD_KEYS[Engagement])],
        meta=dict(batch.meta),
    )


def _upsert_counted(
    tx: Tx,
    kind: str,
    rows: list[Row],
    existing: Mapping[K, Row],
    key: Callable[[Row], K],
    upsert: q.Statement,
    result: WriteResult,
    create: q.Statement | None = None,
) -> tuple[list[Row], list[Row]]:
    """Write the new and changed rows only, and count inserted / updated / unchanged. With ``create``, the keys
    absent from ``existing`` (read in this transaction) are CREATEd by it and only the changed ones MERGEd."""
    new, changed = classify(rows, existing, key)
    if create is not None and new:
        run(tx, create, rows=new)
        if changed:
            run(tx, upsert, rows=changed)
    elif new or changed:
        run(tx, upsert, rows=[*new, *changed])
    result.add(kind, len(new), len(changed), len(rows) - len(new) - len(changed))
    return new, changed


def _write_edges(
    tx: Tx,
    kind: str,
    rows: list[Row],
    born: Callable[[Row], bool],
    fetch: Callable[[list[Row]], Mapping[K, Row]],
    key: Callable[[Row], K],
    create: q.Statement,
    upsert: q.Statement,
    result: WriteResult,
    wire: Callable[[list[Row]], list[Row]] = list,
    link: q.Statement | None = None,
) -> None:
    """Relationships: those starting at a node created in this transaction (``born``) cannot exist yet and are
    CREATEd unread; the others are read back, and the new and changed ones MERGEd (the new ones by ``link`` when
    given). ``wire`` turns rows into the parameters the statements take."""
    fresh = [r for r in rows if born(r)]
    rest = [r for r in rows if not born(r)]
    new, changed = classify(rest, fetch(rest) if rest else {}, key)
    if fresh:
        run(tx, create, rows=wire(fresh))
    if link is not None and new:
        run(tx, link, rows=wire(new))
        new_or_changed = changed
    else:
        new_or_changed = [*new, *changed]
    if new_or_changed:
        run(tx, upsert, rows=wire(new_or_changed))
    result.add(kind, len(fresh) + len(new), len(changed), len(rest) - len(new) - len(changed))


def _by_key(tx: Tx, fetch: q.Statement, rows: list[Row], key: str) -> dict[Any, Row]:
    return {r["node_key"]: from_neo(r["props"]) for r in run(tx, fetch, ids=[row[key] for row in rows])}


def _write_skills(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    """Skills merge alias sets (a second source adds aliases, never removes them)."""
    fetched = run(tx, q.SKILLS_FETCH, ids=[s["name"] for s in rows])
    existing = {r["node_key"]: set(r["props"].get("aliases") or ()) for r in fetched}
    new = [s for s in rows if s["name"] not in existing]
    changed = [
        {"name": s["name"], "aliases": sorted(existing[s["name"]] | set(s.get("aliases", ())))}
        for s in rows
        if s["name"] in existing and not set(s.get("aliases", ())) <= existing[s["name"]]
    ]
    if new or changed:
        run(tx, q.SKILLS_UPSERT, rows=[*new, *changed])
    result.add("skills", len(new), len(changed), len(rows) - len(new) - len(changed))


def _write_posts(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "post author", (r.get("author_id") for r in rows))
    _require(tx, q.COMMUNITIES_MISSING, "post community", (r.get("community_id") for r in rows))
    _ensure_skills(tx, (t for r in rows for t in r.get("tags", ())))
    existing = _by_key(tx, q.POSTS_FETCH, rows, "id")
    new, changed = classify(rows, existing, lambda r: r["id"])
    result.add("posts", len(new), len(changed), len(rows) - len(new) - len(changed))
    if new:  # node, author, community and tags in one statement; parents once every new post exists
        run(tx, q.POSTS_CREATE, rows=[post_wire(r) for r in new])
        if with_parent := [{"id": r["id"], "parent_id": r["parent_id"]} for r in new if r.get("parent_id")]:
            run(tx, q.POSTS_CREATE_PARENT, rows=with_parent)
    if changed:
        run(tx, q.POSTS_UPSERT, rows=changed)
        for unlink in (q.POSTS_UNLINK_AUTHOR, q.POSTS_UNLINK_COMMUNITY, q.POSTS_UNLINK_PARENT, q.POSTS_UNLINK_TAGS):
            run(tx, unlink, rows=changed)
        if with_author := [{"id": r["id"], "author_id": r["author_id"]} for r in changed if r.get("author_id")]:
            run(tx, q.POSTS_LINK_AUTHOR, rows=with_author)
        if with_community := [
            {"id": r["id"], "community_id": r["community_id"]} for r in changed if r.get("community_id")
        ]:
            run(tx, q.POSTS_LINK_COMMUNITY, rows=with_community)
        if with_tags := [{"id": r["id"], "tags": r["tags"]} for r in changed if r.get("tags")]:
            run(tx, q.POSTS_LINK_TAGS, rows=with_tags)
        if with_parent := [{"id": r["id"], "parent_id": r["parent_id"]} for r in changed if r.get("parent_id")]:
            run(tx, q.POSTS_LINK_PARENT, rows=with_parent)
    if new:
        run(tx, q.POSTS_LINK_CHILDREN, ids=[r["id"] for r in new])


def _write_reports_to(tx: Tx, rows: list[Row], result: WriteResult, born: set[str]) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in reports_to", (i for r in rows for i in (r["person_id"], r["manager_id"])))

    def fetch(rest: list[Row]) -> dict[str, Row]:
        return {
            r["person_id"]: {"person_id": r["person_id"], "manager_id": r["manager_id"]}
            for r in run(tx, q.REPORTS_TO_FETCH, ids=[row["person_id"] for row in rest])
        }

    _write_edges(
        tx, "reports_to", rows, lambda r: r["person_id"] in born, fetch, lambda r: r["person_id"],
        q.REPORTS_TO_CREATE, q.REPORTS_TO_UPSERT, result, link=q.REPORTS_TO_LINK,
    )


def _pairs(tx: Tx, fetch: q.Statement, other: str) -> Callable[[list[Row]], dict[tuple[str, str], Row]]:
    """A reader of stored (person, ``other``) relationships with their properties, keyed and shaped like the rows
    being written, for ``_write_edges`` to compare against."""

    def read(rest: list[Row]) -> dict[tuple[str, str], Row]:
        keys = [{"person_id": r["person_id"], other: r[other]} for r in rest]
        return {
            (r["person_id"], r[other]): {"person_id": r["person_id"], other: r[other], "props": from_neo(r["props"])}
            for r in run(tx, fetch, keys=keys)
        }

    return read


def _write_has_skill(tx: Tx, rows: list[Row], result: WriteResult, born: set[str]) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in has_skill", (r["person_id"] for r in rows))
    _ensure_skills(tx, (r["skill"] for r in rows))
    _write_edges(
        tx, "has_skill", rows, lambda r: r["person_id"] in born, _pairs(tx, q.HAS_SKILL_FETCH, "skill"),
        lambda r: (r["person_id"], r["skill"]), q.HAS_SKILL_CREATE, q.HAS_SKILL_UPSERT, result,
    )


def _write_memberships(tx: Tx, rows: list[Row], result: WriteResult, born: set[str]) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in memberships", (r["person_id"] for r in rows))
    _require(tx, q.COMMUNITIES_MISSING, "community in memberships", (r["community_id"] for r in rows))
    _write_edges(
        tx, "memberships", rows, lambda r: r["person_id"] in born, _pairs(tx, q.MEMBER_OF_FETCH, "community_id"),
        lambda r: (r["person_id"], r["community_id"]), q.MEMBER_OF_CREATE, q.MEMBER_OF_UPSERT, result,
        wire=lambda rs: [member_wire(r) for r in rs],
    )


def _write_endorsements(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in endorsements", (i for r in rows for i in (r["from_id"], r["to_id"])))
    _ensure_skills(tx, (r["skill"] for r in rows))
    fetched = run(
        tx, q.ENDORSED_FETCH, keys=[{"from_id": r["from_id"], "to_id": r["to_id"], "skill": r["skill"]} for r in rows]
    )
    existing = {
        (r["from_id"], r["to_id"], r["skill"]): {
            "from_id": r["from_id"],
            "to_id": r["to_id"],
            "skill": r["skill"],
            "created_at": from_neo(r["props"].get("created_at")),
            "source": r["props"].get("source"),
        }
        for r in fetched
    }
    _upsert_counted(
        tx,
        "endorsements",
        rows,
        existing,
        lambda r: (r["from_id"], r["to_id"], r["skill"]),
        q.ENDORSED_UPSERT,
        result,
    )


def _set_meta(tx: Tx, values: Mapping[str, str | None]) -> None:
    rows = [{"key": k, "value": v} for k, v in values.items() if v is not None]
    if rows:
        run(tx, q.META_SET, rows=rows)
    for key in (k for k, v in values.items() if v is None):
        run(tx, q.META_DELETE, key=key)


def _write_engagements(tx: Tx, rows: list[Row], result: WriteResult) -> None:
    _require(tx, q.PEOPLE_MISSING, "person in engagements", (r["person_id"] for r in rows))
    _require(tx, q.POSTS_MISSING, "post in engagements", (r["post_id"] for r in rows))
    keys = [{"person_id": r["person_id"], "post_id": r["post_id"], "kind": r["kind"]} for r in rows]
    existing = {
        (r["person_id"], r["post_id"], r["kind"]): {
            "person_id": r["person_id"],
            "post_id": r["post_id"],
            "kind": r["kind"],
            "created_at": from_neo(r["props"].get("created_at")),
        }
        for r in run(tx, q.ENGAGED_FETCH, keys=keys)
    }
    _upsert_counted(
        tx, "engagements", rows, existing, lambda r: (r["person_id"], r["post_id"], r["kind"]), q.ENGAGED_UPSERT,
        result,
    )


def _fold_choices(tx: Tx, people: list[Row]) -> list[Row]:
    """A person who chose to be hidden stays opted out whatever the source says now, and the choice keeps what the
    source says, restored if they show themselves again (graph/store/visibility.py)."""
    chosen = {r["person_id"] for r in run(tx, q.OWN_CHOICES_OF, ids=[r["id"] for r in people])}
    if not chosen:
        return people
    run(tx, q.OWN_CHOICES_SOURCE,
        rows=[{"person_id": r["id"], "opted_out": bool(r.get("opted_out"))} for r in people if r["id"] in chosen])
    return [{**r, "opted_out": True} if r["id"] in chosen else r for r in people]


def _write_batch(tx: Tx, rows: BatchRows) -> WriteResult:
    """Nodes first, then relationships, then bookkeeping; a fresh result on every (re)try of the transaction."""
    result = WriteResult()
    born: set[str] = set()  # people created in this transaction: their edges cannot exist yet
    if rows.people:
        people = _fold_choices(tx, rows.people)
        new, _ = _upsert_counted(
            tx, "people", people, _by_key(tx, q.PEOPLE_FETCH, people, "id"), lambda r: r["id"],
            q.PEOPLE_UPSERT, result, create=q.PEOPLE_CREATE,
        )
        born = {r["id"] for r in new}
    if rows.skills:
        _write_skills(tx, rows.skills, result)
    if rows.communities:
        _upsert_counted(
            tx, "communities", rows.communities, _by_key(tx, q.COMMUNITIES_FETCH, rows.communities, "id"),
            lambda r: r["id"], q.COMMUNITIES_UPSERT, result,
        )
    if rows.posts:
        _write_posts(tx, rows.posts, result)
    if rows.reports_to:
        _write_reports_to(tx, rows.reports_to, result, born)
    if rows.has_skill:
        _write_has_skill(tx, rows.has_skill, result, born)
    if rows.memberships:
        _write_memberships(tx, rows.memberships, result, born)
    if rows.endorsements:
        _write_endorsements(tx, rows.endorsements, result)
    if rows.engagements:
        _write_engagements(tx, rows.engagements, result)
    if rows.meta:
        _set_meta(tx, rows.meta)
    return result


def analytics_rows(snapshot: AnalyticsSnapshot, gen: str) -> dict[str, list[Row]]:
    """Every result of a snapshot as parameter rows of generation ``gen``, one row per key (the last one wins)."""
    return {
        "scores": [scores_row(s, gen) for s in dedupe(snapshot.person_scores, lambda s: s.person_id)],
        "influence": [
            influence_row(i, gen) for i in dedupe(snapshot.influence, lambda i: (i.scope, i.scope_id, i.person_id))
        ],
        "interactions": [
            interaction_row(i, gen) for i in dedupe(snapshot.interactions, lambda i: (i.source_id, i.target_id))
        ],
        "expertise": [expertise_row(e, gen) for e in dedupe(snapshot.expertise, lambda e: (e.person_id, e.skill))],
        "detected": [detected_row(d, gen) for d in dedupe(snapshot.detected_communities, lambda d: d.id)],
        "health": [
            health_row(h, gen) for h in dedupe(snapshot.health, lambda h: (h.community_id, h.period, h.start))
        ],
    }


_ANALYTICS_WRITES: tuple[tuple[str, q.Statement], ...] = (
    ("scores", q.SCORES_WRITE),
    ("influence", q.INFLUENCE_WRITE),
    ("interactions", q.INTERACTS_WRITE),
    ("expertise", q.EXPERT_IN_WRITE),
    ("detected", q.DETECTED_WRITE),
    ("health", q.HEALTH_WRITE),
)


def _current_gen(tx: Tx) -> str | None:
    rows = run(tx, q.CURRENT_RUN)
    return str(rows[0]["props"]["gen"]) if rows else None
