"""Analytics: the projection `whoknows analyze` reads page by page, and writing a generation of results.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    COMMUNITY,
    DETECTED,
    ENDORSED,
    ENGAGED,
    EXPERT_IN,
    HAS_SKILL,
    HEALTH,
    INFLUENCE,
    INTERACTS,
    MEMBER_OF,
    PERSON,
    POST,
    REPORTS_TO,
    RUN,
    SCORES,
    SKILL,
    Statement,
    _read,
    _write,
)
from schema.labels import RelType, StoreLabel

# The whole store, read by `whoknows analyze` page by page in columns: each statement takes the last key of the
# previous page (`$after`, '' for the first: ids are never empty) and returns ONE record, the page's last key then
# one list per field, in the order of the row type graph/store/neo4j/scan.py builds. Why: a record per post cost the
# driver ~80 µs of Python (Record objects, and most of it hydrating each DateTime into a neo4j.time object); one
# 100k analyze spent 205 CPU-s reading 2.6M posts against 13-16 on SQLite. Lists decode in the driver's Rust
# packstream, times travel as integer microseconds since the epoch (_MICROS), and keyset pages walk the id
# uniqueness index in order (no server-side sort of the whole label). Columns are list comprehensions over the
# collected page (or its rows), never collect(p.x): collect() drops nulls, which would misalign the columns.
# Relationship reads page over the people they start from (`$limit` people a page, rows sorted within the page).


# a DateTime bound to `t` as integer microseconds since the epoch (null stays null): the instant the driver's
# to_native() would give, truncated to microseconds the same way, for a fraction of its decoding cost. epochMillis
# is floored (as Java's toEpochMilli); epochSeconds is not: it rounds toward zero before 1970, so the obvious
# `epochSeconds * 1000000 + nanosecond / 1000` read 1969-12-31T23:59:59.5 as 1970-01-01T00:00:00.5
_MICROS = "t.epochMillis * 1000 + t.microsecond % 1000"

_PEOPLE_PAGE = f"""
    MATCH (a:{PERSON}) WHERE a.id > $after
    WITH a ORDER BY a.id LIMIT $limit
    WITH collect(a) AS people
"""

PROJECTION_PEOPLE = _read(
    "PROJECTION_PEOPLE",
    f"""
    {_PEOPLE_PAGE}
    RETURN people[-1].id AS last, [p IN people | p.id] AS id, [p IN people | p.department] AS department,
           [p IN people | p.location] AS location, [p IN people | p.manager_id] AS manager_id,
           [p IN people | p.active] AS active, [p IN people | p.opted_out] AS opted_out, [p IN people | p.bot] AS bot,
           [p IN people | p.source] AS source, [p IN people | toString(p.hired_on)] AS hired_on
    """,
    after="STRING",
    limit="INTEGER",
)
PROJECTION_POSTS = _read(
    "PROJECTION_POSTS",
    f"""
    MATCH (p:{POST}) WHERE p.id > $after
    WITH p ORDER BY p.id LIMIT $limit
    WITH collect(p) AS posts
    RETURN posts[-1].id AS last, [p IN posts | p.id] AS id, [p IN posts | p.kind] AS kind,
           [p IN posts | p.author_id] AS author_id, [t IN [p IN posts | p.created_at] | {_MICROS}] AS created_at,
           [p IN posts | p.community_id] AS community_id, [p IN posts | p.thread_id] AS thread_id,
           [p IN posts | p.parent_id] AS parent_id, [p IN posts | coalesce(p.tags, [])] AS tags,
           [p IN posts | p.score] AS score, [p IN posts | p.accepted] AS accepted, [p IN posts | p.title] AS title
    """,
    after="STRING",
    limit="INTEGER",
)
PROJECTION_MEMBERSHIPS = _read(
    "PROJECTION_MEMBERSHIPS",
    f"""
    {_PEOPLE_PAGE}
    WITH people, COLLECT {{
        UNWIND people AS p
        MATCH (p)-[r:{MEMBER_OF}]->(c:{COMMUNITY})
        WITH p.id AS person_id, c.id AS community_id, r.since AS t ORDER BY person_id, community_id
        RETURN [person_id, community_id, {_MICROS}]
    }} AS rows
    RETURN people[-1].id AS last, [x IN rows | x[0]] AS person_id, [x IN rows | x[1]] AS community_id,
           [x IN rows | x[2]] AS since
    """,
    after="STRING",
    limit="INTEGER",
)
PROJECTION_REPORTS_TO = _read(
    "PROJECTION_REPORTS_TO",
    f"""
    {_PEOPLE_PAGE}
    WITH people, COLLECT {{
        UNWIND people AS p
        MATCH (p)-[:{REPORTS_TO}]->(m:{PERSON})
        WITH p.id AS person_id, m.id AS manager_id ORDER BY person_id, manager_id
        RETURN [person_id, manager_id]
    }} AS rows
    RETURN people[-1].id AS last, [x IN rows | x[0]] AS person_id, [x IN rows | x[1]] AS manager_id
    """,
    after="STRING",
    limit="INTEGER",
)
PROJECTION_SKILLS = _read(
    "PROJECTION_SKILLS",
    f"""
    {_PEOPLE_PAGE}
    WITH people, COLLECT {{
        UNWIND people AS p
        MATCH (p)-[r:{HAS_SKILL}]->(s:{SKILL})
        WITH p.id AS person_id, s.name AS skill, r.level AS level ORDER BY person_id, skill
        RETURN [person_id, skill, level]
    }} AS rows
    RETURN people[-1].id AS last, [x IN rows | x[0]] AS person_id, [x IN rows | x[1]] AS skill,
           [x IN rows | x[2]] AS level
    """,
    after="STRING",
    limit="INTEGER",
)
PROJECTION_ENDORSEMENTS = _read(
    "PROJECTION_ENDORSEMENTS",
    f"""
    {_PEOPLE_PAGE}
    WITH people, COLLECT {{
        UNWIND people AS a
        MATCH (a)-[r:{ENDORSED}]->(b:{PERSON})
        WITH a.id AS from_id, b.id AS to_id, r.skill AS skill, r.created_at AS t ORDER BY from_id, to_id, skill
        RETURN [from_id, to_id, skill, {_MICROS}]
    }} AS rows
    RETURN people[-1].id AS last, [x IN rows | x[0]] AS from_id, [x IN rows | x[1]] AS to_id,
           [x IN rows | x[2]] AS skill, [x IN rows | x[3]] AS created_at
    """,
    after="STRING",
    limit="INTEGER",
)
PROJECTION_ENGAGEMENTS = _read(
    "PROJECTION_ENGAGEMENTS",
    f"""
    {_PEOPLE_PAGE}
    WITH people, COLLECT {{
        UNWIND people AS a
        MATCH (a)-[r:{ENGAGED}]->(p:{POST})
        WITH a.id AS person_id, p.id AS post_id, r.kind AS kind, r.created_at AS t ORDER BY person_id, post_id, kind
        RETURN [person_id, post_id, kind, {_MICROS}]
    }} AS rows
    RETURN people[-1].id AS last, [x IN rows | x[0]] AS person_id, [x IN rows | x[1]] AS post_id,
           [x IN rows | x[2]] AS kind, [x IN rows | x[3]] AS created_at
    """,
    after="STRING",
    limit="INTEGER",
)
ALL_COMMUNITIES = _read(
    "ALL_COMMUNITIES",
    f"MATCH (c:{COMMUNITY}) RETURN properties(c) AS props ORDER BY c.id",
)

# --- analytics: writing a generation --------------------------------------------------------------------------

RUN_CREATE = _write(
    "RUN_CREATE",
    f"""
    UNWIND $rows AS row
    MERGE (r:{RUN} {{gen: row.gen}})
    SET r = row
    """,
    rows="LIST<MAP>",
)
# CREATE, not MERGE, for everything an analytics generation writes: the generation is new in this write (a fresh
# id; its rows are one per key), so none of its nodes or edges can exist yet. MERGE walked every INTERACTS /
# EXPERT_IN edge between the two nodes of older generations (Expand(Into), ~29 db hits a row) and locked both nodes,
# and was the slowest part of an analyze; on the generation's nodes it added a locking unique-index seek per row (and
# an Eager before ``SET s = row``). Each node label keeps its uniqueness constraint on (gen, key), so a duplicate
# would fail loudly, never be written twice.
SCORES_WRITE = _write(
    "SCORES_WRITE",
    f"""
    UNWIND $rows AS row
    CREATE (s:{SCORES}) SET s = row
    """,
    rows="LIST<MAP>",
)
INFLUENCE_WRITE = _write(
    "INFLUENCE_WRITE",
    f"""
    UNWIND $rows AS row
    CREATE (i:{INFLUENCE}) SET i = row
    """,
    rows="LIST<MAP>",
)
INTERACTS_WRITE = _write(
    "INTERACTS_WRITE",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON} {{id: row.source_id}})
    MATCH (b:{PERSON} {{id: row.target_id}})
    CREATE (a)-[r:{INTERACTS} {{gen: row.gen}}]->(b)
    SET r.weight = row.weight, r.count = row.count, r.last_at = row.last_at
    """,
    rows="LIST<MAP>",
)
EXPERT_IN_WRITE = _write(
    "EXPERT_IN_WRITE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (s:{SKILL} {{name: row.skill}})
    CREATE (p)-[r:{EXPERT_IN} {{gen: row.gen}}]->(s)
    SET r.skill = row.skill, r.score = row.score, r.evidence = row.evidence, r.expertise_rank = row.expertise_rank,
        r.last_active = row.last_active
    """,
    rows="LIST<MAP>",
)
DETECTED_WRITE = _write(
    "DETECTED_WRITE",
    f"""
    UNWIND $rows AS row
    CREATE (d:{DETECTED}) SET d = row
    """,
    rows="LIST<MAP>",
)
HEALTH_WRITE = _write(
    "HEALTH_WRITE",
    f"""
    UNWIND $rows AS row
    CREATE (h:{HEALTH}) SET h = row
    """,
    rows="LIST<MAP>",
)
# the switch: one statement, so readers see the old generation or the new one, never a mix. It runs in a transaction
# that first writes the SWITCH_LOCK_KEY meta node (META_SET), so two switches are serialised and each sees the
# other's outcome (read-committed would otherwise let both see the same "current" and leave two)
SWITCH_LOCK_KEY = "whoknows:analytics-switch"
RUN_SWITCH = _write(
    "RUN_SWITCH",
    f"""
    MATCH (r:{RUN})
    WHERE r.gen = $gen OR r.state IN ['current', 'previous']
    SET r.state = CASE
        WHEN r.gen = $gen THEN 'current'
        WHEN r.state = 'current' THEN 'previous'
        ELSE 'stale'
    END
    """,
    gen="STRING",
)
# stale generations, and pending ones older than the cutoff (a run killed part-way); never the one being written
RUN_GARBAGE = _read(
    "RUN_GARBAGE",
    f"""
    MATCH (r:{RUN})
    WHERE r.gen <> $gen
      AND (r.state = 'stale' OR (r.state = 'pending' AND r.written_at < $cutoff))
    RETURN r.gen AS gen
    """,
    gen="STRING",
    cutoff="DATETIME",
)


def _gc_nodes(label: StoreLabel) -> Statement:
    return _write(
        f"GC_{label.name}",
        f"MATCH (n:{label} {{gen: $gen}}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
        gen="STRING",
        limit="INTEGER",
    )


def _gc_relationships(rel: RelType) -> Statement:
    return _write(
        f"GC_{rel.name}",
        f"MATCH ()-[r:{rel} {{gen: $gen}}]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted",
        gen="STRING",
        limit="INTEGER",
    )


GC_BATCHES: tuple[Statement, ...] = (
    *(_gc_nodes(label) for label in (SCORES, INFLUENCE, DETECTED, HEALTH)),
    *(_gc_relationships(rel) for rel in (INTERACTS, EXPERT_IN)),
)
GC_RUN = _write("GC_RUN", f"MATCH (r:{RUN} {{gen: $gen}}) DELETE r", gen="STRING")

CURRENT_RUN = _read(
    "CURRENT_RUN",
    f"MATCH (r:{RUN} {{state: 'current'}}) RETURN properties(r) AS props ORDER BY r.written_at DESC LIMIT 1",
)
