"""Ingest: the existing state read inside a write transaction, upserts, creates of new keys, retractions, and the
data version every write transaction bumps.

Part of :mod:`graph.store.cypher`, whose docstring gives the rules every statement keeps."""

from __future__ import annotations

from graph.store.cypher._base import (
    AUTHORED,
    CHOICE,
    COMMUNITY,
    ENDORSED,
    ENGAGED,
    HAS_SKILL,
    IN,
    MEMBER_OF,
    META,
    PERSON,
    POST,
    REPLY_TO,
    REPORTS_TO,
    SKILL,
    TAGGED,
    _read,
    _write,
)

PEOPLE_FETCH = _read(
    "PEOPLE_FETCH",
    f"UNWIND $ids AS id MATCH (n:{PERSON} {{id: id}}) RETURN n.id AS node_key, properties(n) AS props",
    ids="LIST<STRING>",
)
SKILLS_FETCH = _read(
    "SKILLS_FETCH",
    f"UNWIND $ids AS id MATCH (n:{SKILL} {{name: id}}) RETURN n.name AS node_key, properties(n) AS props",
    ids="LIST<STRING>",
)
COMMUNITIES_FETCH = _read(
    "COMMUNITIES_FETCH",
    f"UNWIND $ids AS id MATCH (n:{COMMUNITY} {{id: id}}) RETURN n.id AS node_key, properties(n) AS props",
    ids="LIST<STRING>",
)
POSTS_FETCH = _read(
    "POSTS_FETCH",
    f"UNWIND $ids AS id MATCH (n:{POST} {{id: id}}) RETURN n.id AS node_key, properties(n) AS props",
    ids="LIST<STRING>",
)
# the relationship reads below start from the person's id (hint): a plan made while the store was nearly empty
# (statistics of a fresh import) could otherwise scan every person, or every member of a community, per key
REPORTS_TO_FETCH = _read(
    "REPORTS_TO_FETCH",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[:{REPORTS_TO}]->(m:{PERSON})
    USING INDEX p:{PERSON}(id)
    RETURN p.id AS person_id, m.id AS manager_id
    """,
    ids="LIST<STRING>",
)
HAS_SKILL_FETCH = _read(
    "HAS_SKILL_FETCH",
    f"""
    UNWIND $keys AS k
    MATCH (p:{PERSON} {{id: k.person_id}})-[r:{HAS_SKILL}]->(s:{SKILL} {{name: k.skill}})
    USING INDEX p:{PERSON}(id)
    RETURN p.id AS person_id, s.name AS skill, properties(r) AS props
    """,
    keys="LIST<MAP>",
)
MEMBER_OF_FETCH = _read(
    "MEMBER_OF_FETCH",
    f"""
    UNWIND $keys AS k
    MATCH (p:{PERSON} {{id: k.person_id}})-[r:{MEMBER_OF}]->(c:{COMMUNITY} {{id: k.community_id}})
    USING INDEX p:{PERSON}(id)
    RETURN p.id AS person_id, c.id AS community_id, properties(r) AS props
    """,
    keys="LIST<MAP>",
)
ENDORSED_FETCH = _read(
    "ENDORSED_FETCH",
    f"""
    UNWIND $keys AS k
    MATCH (a:{PERSON} {{id: k.from_id}})-[r:{ENDORSED} {{skill: k.skill}}]->(b:{PERSON} {{id: k.to_id}})
    RETURN a.id AS from_id, b.id AS to_id, r.skill AS skill, properties(r) AS props
    """,
    keys="LIST<MAP>",
)
ENGAGED_FETCH = _read(
    "ENGAGED_FETCH",
    f"""
    UNWIND $keys AS k
    MATCH (a:{PERSON} {{id: k.person_id}})-[r:{ENGAGED} {{kind: k.kind}}]->(p:{POST} {{id: k.post_id}})
    RETURN a.id AS person_id, p.id AS post_id, r.kind AS kind, properties(r) AS props
    """,
    keys="LIST<MAP>",
)
POSTS_MISSING = _read(
    "POSTS_MISSING",
    f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (p:{POST} {{id: id}})
    WITH id, p WHERE p IS NULL
    RETURN id ORDER BY id
    """,
    ids="LIST<STRING>",
)
PEOPLE_MISSING = _read(
    "PEOPLE_MISSING",
    f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (p:{PERSON} {{id: id}})
    WITH id, p WHERE p IS NULL
    RETURN id ORDER BY id
    """,
    ids="LIST<STRING>",
)
COMMUNITIES_MISSING = _read(
    "COMMUNITIES_MISSING",
    f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (c:{COMMUNITY} {{id: id}})
    WITH id, c WHERE c IS NULL
    RETURN id ORDER BY id
    """,
    ids="LIST<STRING>",
)

# --- ingest: writes ----------------------------------------------------------------------------------------------
# `SET n = row` replaces every property with the row's (a None field is left out of the row, so it is removed):
# an update overwrites, and a second write of the same row changes nothing.

PEOPLE_UPSERT = _write(
    "PEOPLE_UPSERT",
    f"UNWIND $rows AS row MERGE (n:{PERSON} {{id: row.id}}) SET n = row",
    rows="LIST<MAP>",
)
SKILLS_UPSERT = _write(
    "SKILLS_UPSERT",
    f"UNWIND $rows AS row MERGE (n:{SKILL} {{name: row.name}}) SET n.aliases = row.aliases",
    rows="LIST<MAP>",
)
SKILLS_ENSURE = _write(
    "SKILLS_ENSURE",
    f"UNWIND $names AS skill_name MERGE (n:{SKILL} {{name: skill_name}})",
    names="LIST<STRING>",
)
COMMUNITIES_UPSERT = _write(
    "COMMUNITIES_UPSERT",
    f"UNWIND $rows AS row MERGE (n:{COMMUNITY} {{id: row.id}}) SET n = row",
    rows="LIST<MAP>",
)
POSTS_UPSERT = _write(
    "POSTS_UPSERT",
    f"UNWIND $rows AS row MERGE (n:{POST} {{id: row.id}}) SET n = row",
    rows="LIST<MAP>",
)
# --- ingest: keys new in this batch ------------------------------------------------------------------------------
# A node whose key the batch's own transaction found absent is CREATEd, and so are its edges: none can exist, since
# the node is invisible to every other transaction until this one commits. Should another transaction write the
# same key in between, the uniqueness constraint fails this CREATE (ConstraintError); the store then runs the whole
# batch again, where that key is an update (graph/store/neo4j/write.py). Skipping MERGE skips its per-row locks and
# the Expand(Into) over both ends' relationships, and one statement writes a post with all its edges.
# Datetimes travel as ISO-8601 text, read by datetime() on the server: the driver's own encoding of a Python
# datetime costs ~90 µs of client CPU each, more than the server's whole write of the row.

PEOPLE_CREATE = _write(
    "PEOPLE_CREATE",
    f"UNWIND $rows AS row CREATE (n:{PERSON}) SET n = row",
    rows="LIST<MAP>",
)
POSTS_CREATE = _write(
    "POSTS_CREATE",
    f"""
    UNWIND $rows AS row
    CREATE (p:{POST})
    SET p = row, p.created_at = datetime(row.created_at)
    WITH p, row
    CALL (p, row) {{ MATCH (a:{PERSON} {{id: row.author_id}}) CREATE (a)-[:{AUTHORED}]->(p) }}
    CALL (p, row) {{ MATCH (c:{COMMUNITY} {{id: row.community_id}}) CREATE (p)-[:`{IN}`]->(c) }}
    CALL (p, row) {{ UNWIND row.tags AS tag MATCH (s:{SKILL} {{name: tag}}) CREATE (p)-[:{TAGGED}]->(s) }}
    """,
    rows="LIST<MAP>",
)
# after POSTS_CREATE of the whole batch, so a parent later in the same batch is found
POSTS_CREATE_PARENT = _write(
    "POSTS_CREATE_PARENT",
    f"""
    UNWIND $rows AS row
    MATCH (c:{POST} {{id: row.id}})
    MATCH (p:{POST} {{id: row.parent_id}})
    CREATE (c)-[:{REPLY_TO}]->(p)
    """,
    rows="LIST<MAP>",
)
REPORTS_TO_CREATE = _write(
    "REPORTS_TO_CREATE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (m:{PERSON} {{id: row.manager_id}})
    CREATE (p)-[:{REPORTS_TO}]->(m)
    """,
    rows="LIST<MAP>",
)
HAS_SKILL_CREATE = _write(
    "HAS_SKILL_CREATE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (s:{SKILL} {{name: row.skill}})
    CREATE (p)-[r:{HAS_SKILL}]->(s)
    SET r = row.props
    """,
    rows="LIST<MAP>",
)
MEMBER_OF_CREATE = _write(
    "MEMBER_OF_CREATE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (c:{COMMUNITY} {{id: row.community_id}})
    CREATE (p)-[r:{MEMBER_OF}]->(c)
    SET r = row.props, r.since = datetime(row.props.since)
    """,
    rows="LIST<MAP>",
)

# an updated post may have changed author, community, parent or tags: drop the edges that no longer hold
POSTS_UNLINK_AUTHOR = _write(
    "POSTS_UNLINK_AUTHOR",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON})-[r:{AUTHORED}]->(:{POST} {{id: row.id}})
    WHERE row.author_id IS NULL OR a.id <> row.author_id
    DELETE r
    """,
    rows="LIST<MAP>",
)
POSTS_UNLINK_COMMUNITY = _write(
    "POSTS_UNLINK_COMMUNITY",
    f"""
    UNWIND $rows AS row
    MATCH (:{POST} {{id: row.id}})-[r:`{IN}`]->(c:{COMMUNITY})
    WHERE row.community_id IS NULL OR c.id <> row.community_id
    DELETE r
    """,
    rows="LIST<MAP>",
)
POSTS_UNLINK_PARENT = _write(
    "POSTS_UNLINK_PARENT",
    f"""
    UNWIND $rows AS row
    MATCH (:{POST} {{id: row.id}})-[r:{REPLY_TO}]->(q:{POST})
    WHERE row.parent_id IS NULL OR q.id <> row.parent_id
    DELETE r
    """,
    rows="LIST<MAP>",
)
POSTS_UNLINK_TAGS = _write(
    "POSTS_UNLINK_TAGS",
    f"""
    UNWIND $rows AS row
    MATCH (:{POST} {{id: row.id}})-[r:{TAGGED}]->(s:{SKILL})
    WHERE NOT s.name IN row.tags
    DELETE r
    """,
    rows="LIST<MAP>",
)
POSTS_LINK_AUTHOR = _write(
    "POSTS_LINK_AUTHOR",
    f"""
    UNWIND $rows AS row
    MATCH (p:{POST} {{id: row.id}})
    MATCH (a:{PERSON} {{id: row.author_id}})
    MERGE (a)-[:{AUTHORED}]->(p)
    """,
    rows="LIST<MAP>",
)
POSTS_LINK_COMMUNITY = _write(
    "POSTS_LINK_COMMUNITY",
    f"""
    UNWIND $rows AS row
    MATCH (p:{POST} {{id: row.id}})
    MATCH (c:{COMMUNITY} {{id: row.community_id}})
    MERGE (p)-[:`{IN}`]->(c)
    """,
    rows="LIST<MAP>",
)
POSTS_LINK_TAGS = _write(
    "POSTS_LINK_TAGS",
    f"""
    UNWIND $rows AS row
    MATCH (p:{POST} {{id: row.id}})
    UNWIND row.tags AS tag
    MATCH (s:{SKILL} {{name: tag}})
    MERGE (p)-[:{TAGGED}]->(s)
    """,
    rows="LIST<MAP>",
)
# a reply may arrive before its parent: link to parents already stored, and link children already stored (they
# keep parent_id as a property) to the posts just written, so the graph is the same in either arrival order
POSTS_LINK_PARENT = _write(
    "POSTS_LINK_PARENT",
    f"""
    UNWIND $rows AS row
    MATCH (c:{POST} {{id: row.id}})
    MATCH (p:{POST} {{id: row.parent_id}})
    MERGE (c)-[:{REPLY_TO}]->(p)
    """,
    rows="LIST<MAP>",
)
POSTS_LINK_CHILDREN = _write(
    "POSTS_LINK_CHILDREN",
    f"""
    UNWIND $ids AS id
    MATCH (p:{POST} {{id: id}})
    MATCH (c:{POST} {{parent_id: id}})
    MERGE (c)-[:{REPLY_TO}]->(p)
    """,
    ids="LIST<STRING>",
)
# a person without a reporting line yet (read in the same transaction): only the MERGE, none of the replacement's
# OPTIONAL MATCH, aggregation and Eager (REPORTS_TO_UPSERT stalled 20-150 s on fresh imports, not reproducibly)
REPORTS_TO_LINK = _write(
    "REPORTS_TO_LINK",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (m:{PERSON} {{id: row.manager_id}})
    MERGE (p)-[:{REPORTS_TO}]->(m)
    """,
    rows="LIST<MAP>",
)
# one manager per person: a new manager replaces the old reporting line
REPORTS_TO_UPSERT = _write(
    "REPORTS_TO_UPSERT",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (m:{PERSON} {{id: row.manager_id}})
    OPTIONAL MATCH (p)-[old:{REPORTS_TO}]->(other:{PERSON})
    WHERE other.id <> row.manager_id
    WITH p, m, collect(old) AS stale
    FOREACH (r IN stale | DELETE r)
    MERGE (p)-[:{REPORTS_TO}]->(m)
    """,
    rows="LIST<MAP>",
)
HAS_SKILL_UPSERT = _write(
    "HAS_SKILL_UPSERT",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (s:{SKILL} {{name: row.skill}})
    MERGE (p)-[r:{HAS_SKILL}]->(s)
    SET r = row.props
    """,
    rows="LIST<MAP>",
)
MEMBER_OF_UPSERT = _write(
    "MEMBER_OF_UPSERT",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})
    MATCH (c:{COMMUNITY} {{id: row.community_id}})
    MERGE (p)-[r:{MEMBER_OF}]->(c)
    SET r = row.props, r.since = datetime(row.props.since)
    """,
    rows="LIST<MAP>",
)
ENDORSED_UPSERT = _write(
    "ENDORSED_UPSERT",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON} {{id: row.from_id}})
    MATCH (b:{PERSON} {{id: row.to_id}})
    MERGE (a)-[r:{ENDORSED} {{skill: row.skill}}]->(b)
    SET r.created_at = row.created_at, r.source = row.source
    """,
    rows="LIST<MAP>",
)
ENGAGED_UPSERT = _write(
    "ENGAGED_UPSERT",
    f"""
    UNWIND $rows AS row
    MATCH (a:{PERSON} {{id: row.person_id}})
    MATCH (p:{POST} {{id: row.post_id}})
    MERGE (a)-[r:{ENGAGED} {{kind: row.kind}}]->(p)
    SET r.created_at = row.created_at
    """,
    rows="LIST<MAP>",
)
SET_ACTIVE = _write(
    "SET_ACTIVE",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})
    WHERE p.active <> $active
    SET p.active = $active
    RETURN count(p) AS changed
    """,
    ids="LIST<STRING>",
    active="BOOLEAN",
)
# a later HR export retracts what an earlier one said: a reporting line its row leaves blank, a declared skill its
# row no longer lists (read first, in the same transaction, with REPORTS_TO_FETCH / HAS_SKILL_OF_SOURCE)
REPORTS_TO_DELETE = _write(
    "REPORTS_TO_DELETE",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[r:{REPORTS_TO}]->(:{PERSON})
    USING INDEX p:{PERSON}(id)
    DELETE r
    """,
    ids="LIST<STRING>",
)
HAS_SKILL_OF_SOURCE = _read(
    "HAS_SKILL_OF_SOURCE",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[r:{HAS_SKILL}]->(s:{SKILL})
    USING INDEX p:{PERSON}(id)
    WHERE r.source = $source
    RETURN p.id AS person_id, s.name AS skill
    """,
    ids="LIST<STRING>",
    source="STRING",
)
HAS_SKILL_DELETE = _write(
    "HAS_SKILL_DELETE",
    f"""
    UNWIND $rows AS row
    MATCH (p:{PERSON} {{id: row.person_id}})-[r:{HAS_SKILL}]->(s:{SKILL} {{name: row.skill}})
    USING INDEX p:{PERSON}(id)
    WHERE r.source = $source
    DELETE r
    """,
    rows="LIST<MAP>",
    source="STRING",
)
# whole-organisation id and e-mail lists, read at the start of every ingest step: one record holding one list, since
# the driver's per-record work (~100 µs each) made a 100,000-person read take seconds where the server took 50 ms
ACTIVE_IDS_OF_SOURCE = _read(
    "ACTIVE_IDS_OF_SOURCE",
    f"MATCH (p:{PERSON}) WHERE p.source = $source AND p.active = true RETURN collect(p.id) AS ids",
    source="STRING",
)
PERSON_IDS = _read("PERSON_IDS", f"MATCH (p:{PERSON}) RETURN collect(p.id) AS ids")
# people as stored, opted-out ones included: an HR export without some column keeps what earlier ones gave
PEOPLE_AS_STORED = _read(
    "PEOPLE_AS_STORED",
    f"""
    UNWIND $ids AS id MATCH (p:{PERSON} {{id: id}})
    OPTIONAL MATCH (c:{CHOICE} {{person_id: p.id}})
    RETURN properties(p) AS props, c.source_opted_out AS source_opted_out
    """,
    ids="LIST<STRING>",
)
PERSON_IDS_OF_SOURCE = _read(
    "PERSON_IDS_OF_SOURCE", f"MATCH (p:{PERSON}) WHERE p.source = $source RETURN collect(p.id) AS ids", source="STRING"
)
EMAIL_INDEX = _read(
    "EMAIL_INDEX",
    f"""
    MATCH (p:{PERSON}) WHERE p.email IS NOT NULL
    WITH p.email AS email, p.id AS id, coalesce(p.active, true) AS active ORDER BY active DESC, id
    RETURN collect(email) AS emails, collect(id) AS ids
    """,
)
REPORTING_LINES = _read(
    "REPORTING_LINES",
    f"""
    MATCH (p:{PERSON})-[:{REPORTS_TO}]->(m:{PERSON})
    RETURN collect(p.id) AS ids, collect(m.id) AS managers
    """,
)
META_GET = _read("META_GET", f"MATCH (m:{META} {{key: $key}}) RETURN m.value AS value", key="STRING")
META_SET = _write(
    "META_SET", f"UNWIND $rows AS row MERGE (m:{META} {{key: row.key}}) SET m.value = row.value", rows="LIST<MAP>"
)
META_DELETE = _write("META_DELETE", f"MATCH (m:{META} {{key: $key}}) DELETE m", key="STRING")
# The committed-data version: every write transaction ends by bumping it (the last statement, so the lock on its
# node is held only until the commit). It starts at a random number, so a database replaced under a running app (a
# new bulk load) never repeats a version that app has memoised answers for. Read by response caches and the memos.
DATA_VERSION_KEY = "data_version"  # a fixed name, like the run states: the only other literal in statement texts
DATA_VERSION_BUMP = _write(
    "DATA_VERSION_BUMP",
    f"""
    UNWIND $rows AS row
    MERGE (m:{META} {{key: row.key}})
    ON CREATE SET m.version = row.start
    ON MATCH SET m.version = m.version + 1
    """,
    rows="LIST<MAP>",
)
DATA_VERSION_GET = _read(
    "DATA_VERSION_GET", f"OPTIONAL MATCH (m:{META} {{key: 'data_version'}}) RETURN m.version AS version"
)
