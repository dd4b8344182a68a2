"""Every Cypher statement the Neo4j store sends, in one place (Neo4j 5, Cypher 5).

Rules, checked by ``tests/unit/test_cypher_rules.py``, and on a real Neo4j server by ``tests/contract``:
- values are always ``$parameters``; labels and relationship types are pasted only from ``schema.labels`` enums
  (the one other formatted value is the validated integer hop bound of :func:`introduction_path`, since Cypher 5
  does not take a parameter as a variable-length bound);
- every write is ``UNWIND $rows AS row`` + ``MERGE`` on a key backed by a uniqueness constraint of
  :data:`SCHEMA`, run inside a managed transaction (so it may be retried);
- every statement is registered in :data:`ALL_STATEMENTS` with the parameters it takes and their types; the test
  suite runs every one of them on the server and plans each with EXPLAIN, accepting only the notifications its
  ``allow`` names.

Analytics results are kept per *generation* (``gen``, a fresh id per ``write_analytics`` call): each result node or
relationship carries its ``gen``, one ``:AnalyticsRun`` node per generation holds the run and a ``state``
(``pending`` -> ``current`` -> ``previous`` -> ``stale``), and readers read the current generation only.
Why: a run of a large organisation is millions of rows, too many for one transaction's memory, yet readers must see
the old run or the new one. The new generation is written in several transactions while readers keep reading the
current one; one statement then flips the states; the previous generation is kept (a reader that picked it just
before the flip still finds its rows) and older ones are deleted in bounded batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from schema.labels import NodeLabel, RelType, StoreLabel

# --- vocabulary (the only names pasted into statement text) ---------------------------------------------------

PERSON = NodeLabel.PERSON
SKILL = NodeLabel.SKILL
COMMUNITY = NodeLabel.COMMUNITY
POST = NodeLabel.POST
META = StoreLabel.META
RUN = StoreLabel.ANALYTICS_RUN
SCORES = StoreLabel.PERSON_SCORES
INFLUENCE = StoreLabel.INFLUENCE_SCORE
DETECTED = StoreLabel.DETECTED_COMMUNITY
HEALTH = StoreLabel.COMMUNITY_HEALTH

REPORTS_TO = RelType.REPORTS_TO
HAS_SKILL = RelType.HAS_SKILL
MEMBER_OF = RelType.MEMBER_OF
AUTHORED = RelType.AUTHORED
REPLY_TO = RelType.REPLY_TO
IN = RelType.IN
TAGGED = RelType.TAGGED
ENDORSED = RelType.ENDORSED
ENGAGED = RelType.ENGAGED
INTERACTS = RelType.INTERACTS
EXPERT_IN = RelType.EXPERT_IN

# run states of an analytics generation, written as literals in the statements below
RUN_STATES = ("pending", "current", "previous", "stale")


ParamType = Literal[
    "STRING", "INTEGER", "FLOAT", "BOOLEAN", "MAP", "ANY", "DATETIME",
    "LIST<STRING>", "LIST<MAP>",
]
Mode = Literal["schema", "read", "write"]


@dataclass(frozen=True)
class Statement:
    """One Cypher statement: its text, the parameters it takes (name -> type) and how it is run."""

    name: str
    text: str
    params: Mapping[str, ParamType] = field(default_factory=dict)
    mode: Mode = "read"
    # server notifications accepted on purpose (substrings of the description); each use says why
    allow: tuple[str, ...] = ()


_REGISTRY: dict[str, Statement] = {}


def _stmt(
    name: str, text: str, mode: Mode = "read", allow: tuple[str, ...] = (), /, **params: ParamType
) -> Statement:
    statement = Statement(name=name, text=" ".join(text.split()), params=dict(params), mode=mode, allow=allow)
    if name in _REGISTRY:
        raise ValueError(f"duplicate Cypher statement name {name}")
    _REGISTRY[name] = statement
    return statement


def _read(name: str, text: str, allow: tuple[str, ...] = (), /, **params: ParamType) -> Statement:
    return _stmt(name, text, "read", allow, **params)


def _write(name: str, text: str, /, **params: ParamType) -> Statement:
    return _stmt(name, text, "write", (), **params)


# --- schema: constraints and indexes created at start-up -------------------------------------------------------
# Uniqueness constraints back every MERGE key (and give the index for lookups by that key); range indexes serve the
# API read paths: experts by skill and score, people by department/location/email/source, brokers by betweenness,
# influence by scope, health by community, posts by parent/community/author, and every analytics row by generation.

_SCHEMA_TEXT: tuple[tuple[str, str], ...] = (
    ("CONSTRAINT_PERSON_ID", f"CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:{PERSON}) REQUIRE n.id IS UNIQUE"),
    ("CONSTRAINT_SKILL_NAME", f"CREATE CONSTRAINT skill_name IF NOT EXISTS FOR (n:{SKILL}) REQUIRE n.name IS UNIQUE"),
    (
        "CONSTRAINT_COMMUNITY_ID",
        f"CREATE CONSTRAINT community_id IF NOT EXISTS FOR (n:{COMMUNITY}) REQUIRE n.id IS UNIQUE",
    ),
    ("CONSTRAINT_POST_ID", f"CREATE CONSTRAINT post_id IF NOT EXISTS FOR (n:{POST}) REQUIRE n.id IS UNIQUE"),
    ("CONSTRAINT_META_KEY", f"CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (n:{META}) REQUIRE n.key IS UNIQUE"),
    ("CONSTRAINT_RUN_GEN", f"CREATE CONSTRAINT run_gen IF NOT EXISTS FOR (n:{RUN}) REQUIRE n.gen IS UNIQUE"),
    (
        "CONSTRAINT_SCORES_KEY",
        f"CREATE CONSTRAINT person_scores_key IF NOT EXISTS FOR (n:{SCORES}) REQUIRE (n.gen, n.person_id) IS UNIQUE",
    ),
    (
        "CONSTRAINT_INFLUENCE_KEY",
        f"CREATE CONSTRAINT influence_key IF NOT EXISTS FOR (n:{INFLUENCE}) "
        "REQUIRE (n.gen, n.scope, n.scope_id, n.person_id) IS UNIQUE",
    ),
    (
        "CONSTRAINT_DETECTED_KEY",
        f"CREATE CONSTRAINT detected_key IF NOT EXISTS FOR (n:{DETECTED}) REQUIRE (n.gen, n.id) IS UNIQUE",
    ),
    (
        "CONSTRAINT_HEALTH_KEY",
        f"CREATE CONSTRAINT health_key IF NOT EXISTS FOR (n:{HEALTH}) "
        "REQUIRE (n.gen, n.community_id, n.period, n.start) IS UNIQUE",
    ),
    ("INDEX_PERSON_EMAIL", f"CREATE INDEX person_email IF NOT EXISTS FOR (n:{PERSON}) ON (n.email)"),
    ("INDEX_PERSON_DEPARTMENT", f"CREATE INDEX person_department IF NOT EXISTS FOR (n:{PERSON}) ON (n.department)"),
    ("INDEX_PERSON_LOCATION", f"CREATE INDEX person_location IF NOT EXISTS FOR (n:{PERSON}) ON (n.location)"),
    ("INDEX_PERSON_SOURCE", f"CREATE INDEX person_source IF NOT EXISTS FOR (n:{PERSON}) ON (n.source, n.active)"),
    # who is opted out now, read by every community-health request (a scan of all people otherwise)
    ("INDEX_PERSON_OPTED_OUT", f"CREATE INDEX person_opted_out IF NOT EXISTS FOR (n:{PERSON}) ON (n.opted_out)"),
    ("INDEX_POST_PARENT", f"CREATE INDEX post_parent IF NOT EXISTS FOR (n:{POST}) ON (n.parent_id)"),
    # a community's posts of the last weeks (its leaderboard, its influencers): a seek on the window, not a walk of
    # every post of the community (the largest channel at 100,000 people: 99k db hits, 125 ms -> 1 db hit, 19 ms)
    (
        "INDEX_POST_COMMUNITY_TIME",
        f"CREATE INDEX post_community_time IF NOT EXISTS FOR (n:{POST}) ON (n.community_id, n.created_at)",
    ),
    ("DROP_INDEX_POST_COMMUNITY", "DROP INDEX post_community IF EXISTS"),  # its prefix; older versions made it
    ("INDEX_POST_AUTHOR", f"CREATE INDEX post_author IF NOT EXISTS FOR (n:{POST}) ON (n.author_id)"),
    ("INDEX_RUN_STATE", f"CREATE INDEX run_state IF NOT EXISTS FOR (n:{RUN}) ON (n.state)"),
    (
        "INDEX_SCORES_BETWEENNESS",
        f"CREATE INDEX person_scores_betweenness IF NOT EXISTS FOR (n:{SCORES}) ON (n.gen, n.betweenness)",
    ),
    # influence rows of one ranking in score order: INFLUENCERS reads the first few (a PartialTop) instead of
    # sorting the whole ranking (99,693 rows of the global one at 100,000 people: 1 s a request)
    (
        "INDEX_INFLUENCE_RANK",
        f"CREATE INDEX influence_rank IF NOT EXISTS FOR (n:{INFLUENCE}) ON (n.gen, n.scope, n.scope_id, n.score)",
    ),
    ("DROP_INDEX_INFLUENCE_SCOPE", "DROP INDEX influence_scope IF EXISTS"),  # its prefix; older versions made it
    (
        "INDEX_HEALTH_COMMUNITY",
        f"CREATE INDEX health_community IF NOT EXISTS FOR (n:{HEALTH}) ON (n.gen, n.community_id)",
    ),
    ("INDEX_DETECTED_GEN", f"CREATE INDEX detected_gen IF NOT EXISTS FOR (n:{DETECTED}) ON (n.gen)"),
    # a skill's experts in score order, the same way (EXPERTS): 8,452 experts of one skill at 100,000 people
    (
        "INDEX_EXPERT_IN_RANK",
        f"CREATE INDEX expert_in_rank IF NOT EXISTS FOR ()-[r:{EXPERT_IN}]-() ON (r.skill, r.gen, r.score)",
    ),
    ("DROP_INDEX_EXPERT_IN_SCORE", "DROP INDEX expert_in_score IF EXISTS"),  # served no read; older versions made it
    # no index on the generation of INTERACTS / EXPERT_IN: the MERGE of a new generation's relationship then planned
    # a seek on it (planned while the generation had no rows) and scanned every row already written for each row
    # written, quadratic (a 2,000-person run's second 5,000-row chunk ran over 6 minutes); without it MERGE expands
    # between its two bound ends. Dropped where an older version created them.
    ("DROP_INDEX_EXPERT_IN_GEN", "DROP INDEX expert_in_gen IF EXISTS"),
    ("DROP_INDEX_INTERACTS_GEN", "DROP INDEX interacts_gen IF EXISTS"),
)
SCHEMA: tuple[Statement, ...] = tuple(_stmt(name, text, "schema") for name, text in _SCHEMA_TEXT)
# EXPERT_IN edges written before they carried their skill's name (which the expert_in_rank index orders by): named
# from their skill at start-up, a batch at a time, so a store upgraded in place answers before its next analyze.
EXPERT_IN_NAME_SKILL = _write(
    "EXPERT_IN_NAME_SKILL",
    f"""
    MATCH ()-[e:{EXPERT_IN}]->(s:{SKILL}) WHERE e.skill IS NULL
    WITH e, s LIMIT $limit
    SET e.skill = s.name
    RETURN count(*) AS named
    """,
    limit="INTEGER",
)

# --- lifecycle ---------------------------------------------------------------------------------------------------

PING = _read("PING", "RETURN 1 AS ok")
# after a first load by the offline importer every index populates at once, in the background: wait for them
AWAIT_INDEXES = _read("AWAIT_INDEXES", "CALL db.awaitIndexes($seconds)", seconds="INTEGER")

# --- ingest: existing state (read inside the write transaction to count inserted/updated/unchanged) -------------

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
    SET r.created_at = row.created_at
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
PERSON_IDS_OF_SOURCE = _read(
    "PERSON_IDS_OF_SOURCE", f"MATCH (p:{PERSON}) WHERE p.source = $source RETURN collect(p.id) AS ids", source="STRING"
)
EMAIL_INDEX = _read(
    "EMAIL_INDEX",
    f"""
    MATCH (p:{PERSON}) WHERE p.email IS NOT NULL
    WITH p.email AS email, p.id AS id ORDER BY id
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

# --- analytics: the projection -----------------------------------------------------------------------------------
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

# --- API reads ---------------------------------------------------------------------------------------------------
# person-returning reads leave out opted-out people; directory reads also leave out leavers and bots

PEOPLE_GET = _read(
    "PEOPLE_GET",
    f"UNWIND $ids AS id MATCH (p:{PERSON} {{id: id}}) WHERE NOT p.opted_out RETURN properties(p) AS props",
    ids="LIST<STRING>",
)
PERSON_SCORES_GET = _read(
    "PERSON_SCORES_GET",
    f"""
    MATCH (r:{RUN} {{state: 'current'}})
    WITH r ORDER BY r.written_at DESC LIMIT 1
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}}) WHERE NOT p.opted_out
    MATCH (s:{SCORES} {{gen: r.gen, person_id: id}})
    RETURN properties(s) AS props
    """,
    ids="LIST<STRING>",
)
PERSON_SKILLS_GET = _read(
    "PERSON_SKILLS_GET",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[r:{HAS_SKILL}]->(s:{SKILL}) WHERE NOT p.opted_out
    RETURN p.id AS person_id, s.name AS skill, r.level AS level, r.source AS source, r.declared_at AS declared_at
    ORDER BY person_id, skill
    """,
    ids="LIST<STRING>",
)
PERSON_EXPERTISE_GET = _read(
    "PERSON_EXPERTISE_GET",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[r:{EXPERT_IN} {{gen: $gen}}]->(s:{SKILL}) WHERE NOT p.opted_out
    RETURN p.id AS person_id, s.name AS skill, r.score AS score, r.evidence AS evidence,
           r.expertise_rank AS expertise_rank, r.last_active AS last_active
    ORDER BY person_id, score DESC, skill
    """,
    ids="LIST<STRING>",
    gen="STRING",
)
MEMBERSHIPS_GET = _read(
    "MEMBERSHIPS_GET",
    f"""
    UNWIND $ids AS id
    MATCH (p:{PERSON} {{id: id}})-[:{MEMBER_OF}]->(c:{COMMUNITY}) WHERE NOT p.opted_out
    RETURN p.id AS person_id, properties(c) AS props
    ORDER BY person_id, c.id
    """,
    ids="LIST<STRING>",
)
# One statement for the whole directory page: the current run, the total and the page (no row when there is no
# run yet). Why: as three statements (run, page, count) a request made four round trips with BEGIN and COMMIT, and
# the client's CPU per request was twice the SQLite store's. The skill's experts are expanded and filtered once,
# ranked, and both the total and the page come from that one list (counting in a second subquery expanded them
# twice: 9-10 ms of server CPU a request at 10,000 people against 6-7); property maps only for the page.
# A skill's experts, best first: one page read in the order of the expert_in_rank index (ordering by its whole
# key, equal for every row but the score, lets the planner use that order: a PartialTop over the first rows, where
# ordering by the score alone sorted all 8,452 experts of one skill at 100,000 people, 69,000 db hits a request),
# with the data version its total is memoised under (EXPERTS_COUNT walks every expert of the skill, once a version).
_VERSION = f"OPTIONAL MATCH (m:{META} {{key: 'data_version'}}) WITH coalesce(m.version, 0) AS version"
_VISIBLE_EXPERT = """p.active AND NOT p.opted_out AND NOT p.bot
      AND ($department IS NULL OR p.department = $department)
      AND ($location IS NULL OR p.location = $location)"""
EXPERTS = _read(
    "EXPERTS",
    f"""
    {_VERSION}
    MATCH (r:{RUN} {{state: 'current'}})
    WITH version, r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (p:{PERSON})-[e:{EXPERT_IN}]->()
      WHERE e.skill = $skill AND e.gen = r.gen AND e.score IS NOT NULL
      WITH e, p
      WHERE {_VISIBLE_EXPERT}
        AND ($after_score IS NULL OR e.score < $after_score OR (e.score = $after_score AND p.id > $after_id))
      WITH e, p ORDER BY e.skill DESC, e.gen DESC, e.score DESC, p.id ASC LIMIT $limit
      RETURN collect({{props: properties(p), score: e.score, evidence: e.evidence}}) AS rows
    }}
    RETURN version, rows
    """,
    skill="STRING",
    department="STRING",
    location="STRING",
    after_score="FLOAT",
    after_id="STRING",
    limit="INTEGER",
)
EXPERTS_COUNT = _read(
    "EXPERTS_COUNT",
    f"""
    {_VERSION}
    MATCH (r:{RUN} {{state: 'current'}})
    WITH version, r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (:{SKILL} {{name: $skill}})<-[e:{EXPERT_IN} {{gen: r.gen}}]-(p:{PERSON})
      WHERE {_VISIBLE_EXPERT}
      RETURN count(*) AS total
    }}
    RETURN version, total
    """,
    skill="STRING",
    department="STRING",
    location="STRING",
)
SKILLS_ALL = _read(
    "SKILLS_ALL", f"MATCH (s:{SKILL}) RETURN s.name AS name, s.aliases AS aliases ORDER BY name"
)
SKILLS_FIRST = _read(
    "SKILLS_FIRST",
    f"MATCH (s:{SKILL}) RETURN s.name AS name, s.aliases AS aliases ORDER BY name LIMIT $limit",
    limit="INTEGER",
)
SKILLS_PREFIX = _read(
    "SKILLS_PREFIX",
    f"""
    MATCH (s:{SKILL})
    WHERE s.name STARTS WITH $prefix OR any(a IN s.aliases WHERE a STARTS WITH $prefix)
    RETURN s.name AS name, s.aliases AS aliases
    ORDER BY name
    LIMIT $limit
    """,
    prefix="STRING",
    limit="INTEGER",
)
SKILL_GET = _read(
    "SKILL_GET", f"MATCH (s:{SKILL} {{name: $name}}) RETURN s.name AS name, s.aliases AS aliases", name="STRING"
)
COMMUNITIES_PAGE = _read(
    "COMMUNITIES_PAGE",
    f"MATCH (c:{COMMUNITY}) WHERE c.id > $after RETURN properties(c) AS props ORDER BY c.id LIMIT $limit",
    after="STRING",
    limit="INTEGER",
)
COMMUNITY_GET = _read(
    "COMMUNITY_GET", f"MATCH (c:{COMMUNITY} {{id: $id}}) RETURN properties(c) AS props", id="STRING"
)
# From the community to its members, in a subquery the cursor's filter cannot reach: with `p.id > $after` beside the
# pattern the planner walked the person-id index in order, testing every person for membership (Expand(Into)) until
# it had a page: 1.57M db hits and 716-825 ms for any community at 100,000 people; now the largest community 387k
# db hits and 239 ms, a middle one 44 ms, the smallest 180 db hits and 27 ms (PROFILE, the 100k demo organisation)
# The total walks every membership of the community too (291k db hits, 150-180 ms for the largest): memoised per
# data version, read with each page (Neo4jReads.community_members).
COMMUNITY_MEMBERS_PAGE = _read(
    "COMMUNITY_MEMBERS_PAGE",
    f"""
    {_VERSION}
    MATCH (c:{COMMUNITY} {{id: $id}})
    CALL (c) {{
      MATCH (c)<-[:{MEMBER_OF}]-(p:{PERSON})
      WHERE p.active AND NOT p.opted_out AND NOT p.bot
      RETURN p
    }}
    WITH version, p WHERE p.id > $after
    RETURN version, properties(p) AS props, p.id AS id
    ORDER BY id
    LIMIT $limit
    """,
    id="STRING",
    after="STRING",
    limit="INTEGER",
)
# The same page for a community holding a large share of the organisation: the person-id index walked in order, each
# person tested for membership (Expand(Into)), stopping at the page's last member. It touches about limit x people /
# members persons where the page above expands every member: for the largest channel of the 100k organisation (95,000
# members) 1,442 db hits against 386,625; for one of 1,118 members it would be 84,723 against 5,024. Chosen by
# Neo4jReads.community_members from the community's last counted size (the plan only; both give the same rows).
COMMUNITY_MEMBERS_WALK = _read(
    "COMMUNITY_MEMBERS_WALK",
    f"""
    {_VERSION}
    MATCH (p:{PERSON}) USING INDEX p:{PERSON}(id)
    WHERE p.id > $after
    WITH version, p ORDER BY p.id ASC
    WHERE p.active AND NOT p.opted_out AND NOT p.bot AND EXISTS {{ (p)-[:{MEMBER_OF}]->(:{COMMUNITY} {{id: $id}}) }}
    RETURN version, properties(p) AS props, p.id AS id
    LIMIT $limit
    """,
    id="STRING",
    after="STRING",
    limit="INTEGER",
)
# the community's members and, from the count store (no walk), everyone: the walk above pays when members^2 is
# large against limit x people
COMMUNITY_MEMBERS_COUNT = _read(
    "COMMUNITY_MEMBERS_COUNT",
    f"""
    {_VERSION}
    OPTIONAL MATCH (p:{PERSON})-[:{MEMBER_OF}]->(:{COMMUNITY} {{id: $id}})
    WHERE p.active AND NOT p.opted_out AND NOT p.bot
    WITH version, count(p) AS total
    RETURN version, total, COUNT {{ (:{PERSON}) }} AS people
    """,
    id="STRING",
)
# A community's health report in one statement: the current run, its snapshots of the community (oldest first) and
# who is opted out now, to tell whether a snapshot was computed without exactly them (the index on opted_out keeps
# that a seek, not a scan of every person, on each request). No row when there is no run yet.
COMMUNITY_HEALTH = _read(
    "COMMUNITY_HEALTH",
    f"""
    {_VERSION}
    MATCH (r:{RUN} {{state: 'current'}})
    WITH version, r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (h:{HEALTH} {{gen: r.gen, community_id: $id}})
      WITH h ORDER BY h.start
      RETURN collect(properties(h)) AS rows
    }}
    RETURN version, properties(r) AS run, rows
    """,
    id="STRING",
)
# who is opted out now (a health report says when that changed since its figures were computed), memoised per data
# version: 3,000 ids at 100,000 people were read and hashed on every health request
OPTED_OUT_IDS = _read(
    "OPTED_OUT_IDS",
    f"""
    {_VERSION}
    CALL () {{
      MATCH (p:{PERSON}) WHERE p.opted_out = true
      RETURN collect(p.id) AS ids
    }}
    RETURN version, ids
    """,
)
DETECTED_GET = _read(
    "DETECTED_GET",
    f"MATCH (d:{DETECTED} {{gen: $gen}}) RETURN properties(d) AS props ORDER BY d.size DESC, d.id",
    gen="STRING",
)
# Influence rows of the current run, best first, read in the order of the influence_rank index as EXPERTS does
# (inside a subquery: at the top level the planner sorted the whole ranking): 202 db hits for the global top 10 at
# 100,000 people, where sorting its 99,693 rows took 690,000.
INFLUENCERS = _read(
    "INFLUENCERS",
    f"""
    MATCH (r:{RUN} {{state: 'current'}})
    WITH r ORDER BY r.written_at DESC LIMIT 1
    CALL (r) {{
      MATCH (i:{INFLUENCE})
      WHERE i.gen = r.gen AND i.scope = $scope AND i.scope_id = $scope_id AND i.score IS NOT NULL
      MATCH (p:{PERSON} {{id: i.person_id}})
      WHERE p.active AND NOT p.opted_out AND NOT p.bot
      WITH i, p ORDER BY i.gen DESC, i.scope DESC, i.scope_id DESC, i.score DESC, p.id ASC LIMIT $limit
      RETURN properties(p) AS props, i.score AS score
    }}
    RETURN props, score
    """,
    scope="STRING",
    scope_id="STRING",
    limit="INTEGER",
)
# nulls sort last in ascending order in Cypher, so a missing constraint comes after every known one
BROKERS = _read(
    "BROKERS",
    f"""
    MATCH (s:{SCORES} {{gen: $gen}})
    MATCH (p:{PERSON} {{id: s.person_id}})
    WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN properties(p) AS props, properties(s) AS scores
    ORDER BY s.betweenness DESC, s.constraint ASC, p.id
    LIMIT $limit
    """,
    gen="STRING",
    limit="INTEGER",
)
# span: how many of the given communities a person touches, as a member (own) or through an INTERACTS neighbour
# (either direction, not opted out) who is a member (pairs of [community id, neighbour id]); with two or more
# communities a broker must be a member of at least one of them
BROKERS_SPANNING = _read(
    "BROKERS_SPANNING",
    f"""
    MATCH (s:{SCORES} {{gen: $gen}})
    MATCH (p:{PERSON} {{id: s.person_id}})
    WHERE p.active AND NOT p.opted_out AND NOT p.bot
    WITH p, s,
         COLLECT {{ MATCH (p)-[:{MEMBER_OF}]->(c:{COMMUNITY}) WHERE c.id IN $community_ids RETURN c.id }} AS own,
         COLLECT {{
             MATCH (p)-[i:{INTERACTS}]-(q:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY})
             WHERE i.gen = $gen AND c.id IN $community_ids AND NOT q.opted_out AND q.id <> p.id
             RETURN DISTINCT [c.id, q.id]
         }} AS pairs
    WITH p, s, own, pairs,
         size(reduce(acc = [], cid IN own + [x IN pairs | x[0]] |
              CASE WHEN cid IN acc THEN acc ELSE acc + cid END)) AS span
    WHERE span >= $min_span AND (size(own) > 0 OR $min_span < 2)
    RETURN properties(p) AS props, properties(s) AS scores, own, pairs
    ORDER BY span DESC, size(pairs) DESC, s.betweenness DESC, s.constraint ASC, p.id
    LIMIT $limit
    """,
    gen="STRING",
    community_ids="LIST<STRING>",
    min_span="INTEGER",
    limit="INTEGER",
)
REACH_NEIGHBOURS = _read(
    "REACH_NEIGHBOURS",
    f"""
    UNWIND $ids AS id
    MATCH (:{PERSON} {{id: id}})-[:{INTERACTS} {{gen: $gen}}]-(q:{PERSON})
    WHERE NOT q.opted_out AND q.id <> id
    RETURN id, collect(DISTINCT q.id) AS neighbours
    """,
    ids="LIST<STRING>",
    gen="STRING",
)
REACH_COMMUNITIES = _read(
    "REACH_COMMUNITIES",
    f"""
    UNWIND $ids AS id
    MATCH (:{PERSON} {{id: id}})-[:{MEMBER_OF}]->(c:{COMMUNITY})
    RETURN id, collect(DISTINCT c.id) AS communities
    """,
    ids="LIST<STRING>",
)
# --- web page reads (graph/store/base.py: "Page reads") ---------------------------------------------------------

WEB_FACETS = _read(
    "WEB_FACETS",
    f"""
    MATCH (p:{PERSON}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN collect(DISTINCT p.department) AS departments, collect(DISTINCT p.location) AS locations
    """,
)
WEB_COMMUNITY_SIZES = _read(
    "WEB_COMMUNITY_SIZES",
    f"""
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN c.id AS id, count(p) AS members
    """,
)
WEB_COMMUNITY_SIZES_OF = _read(
    "WEB_COMMUNITY_SIZES_OF",
    f"""
    UNWIND $ids AS cid
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(c:{COMMUNITY} {{id: cid}}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN c.id AS id, count(p) AS members
    """,
    ids="LIST<STRING>",
)
WEB_COMMUNITY_DEPARTMENTS = _read(
    "WEB_COMMUNITY_DEPARTMENTS",
    f"""
    MATCH (p:{PERSON})-[:{MEMBER_OF}]->(:{COMMUNITY} {{id: $id}}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN p.department AS department, count(p) AS members
    """,
    id="STRING",
)
WEB_COMMUNITY_CONTRIBUTORS = _read(
    "WEB_COMMUNITY_CONTRIBUTORS",
    f"""
    MATCH (t:{POST} {{community_id: $id}})
    WHERE t.created_at >= $since AND t.author_id IS NOT NULL
    WITH t.author_id AS author, count(t) AS posts,
         sum(CASE WHEN t.kind IN $helping THEN 1 ELSE 0 END) AS answers,
         sum(CASE WHEN t.accepted THEN 1 ELSE 0 END) AS accepted, max(t.created_at) AS last_at
    MATCH (p:{PERSON} {{id: author}}) WHERE p.active AND NOT p.opted_out AND NOT p.bot
    RETURN properties(p) AS props, posts, answers, accepted, last_at
    ORDER BY posts DESC, accepted DESC, p.id
    LIMIT $limit
    """,
    id="STRING",
    since="DATETIME",
    helping="LIST<STRING>",
    limit="INTEGER",
)
WEB_PERSON_ACTIVITY = _read(
    "WEB_PERSON_ACTIVITY",
    f"""
    MATCH (p:{PERSON} {{id: $id}}) WHERE NOT p.opted_out
    MATCH (t:{POST} {{author_id: $id}}) WHERE t.created_at >= $since
    WITH date.truncate($unit, t.created_at) AS week, t.kind AS kind
    RETURN week, kind, count(*) AS posts
    ORDER BY week, kind
    """,
    id="STRING",
    since="DATETIME",
    unit="STRING",
)
WEB_INTERACTIONS_AMONG = _read(
    "WEB_INTERACTIONS_AMONG",
    f"""
    UNWIND $ids AS id
    MATCH (a:{PERSON} {{id: id}})-[r:{INTERACTS} {{gen: $gen}}]->(b:{PERSON})
    WHERE b.id IN $ids AND a.id <> b.id AND NOT a.opted_out AND NOT b.opted_out
    RETURN a.id AS a, b.id AS b, r.weight AS weight
    """,
    ids="LIST<STRING>",
    gen="STRING",
)
PATH_ENDS = _read(
    "PATH_ENDS",
    f"UNWIND $ids AS id MATCH (p:{PERSON} {{id: id}}) WHERE NOT p.opted_out RETURN p.id AS id",
    ids="LIST<STRING>",
)

MAX_LITERAL_HOPS = 8  # above this the unbounded search is used and its length checked by the caller; same answer


def _hops(max_hops: int) -> str:
    """The variable-length bound of the path pattern: a validated int, the one non-enum value pasted into text."""
    if isinstance(max_hops, bool) or not isinstance(max_hops, int) or not 1 <= max_hops <= MAX_LITERAL_HOPS:
        raise ValueError(f"hop bound must be an int in 1..{MAX_LITERAL_HOPS}, got {max_hops!r}")
    return f"*1..{max_hops}"


def _path_text(bound: str) -> str:
    # allShortestPaths keeps every shortest path so ties are broken by the smallest id sequence (ORDER BY a list is
    # lexicographic). The per-node and per-relationship `all(...)` predicates are universal, so Neo4j evaluates them
    # during its bidirectional breadth-first search instead of falling back to exhaustive search (Cypher manual,
    # "Shortest path planning"). Steps are active, not opted-out people; the first node (checked by the caller)
    # may be a leaver. INTERACTS of other generations are skipped; REPORTS_TO has no generation. No predicate on the
    # whole path (such as its length) is added: that would make the planner add an exhaustive fallback search; the
    # hop bound is in the pattern, and the unbounded variant's length is checked by the caller.
    return f"""
    MATCH (a:{PERSON} {{id: $from_id}})
    MATCH (b:{PERSON} {{id: $to_id}})
    MATCH route = allShortestPaths((a)-[:{INTERACTS}|{REPORTS_TO}{bound}]-(b))
    WHERE all(n IN nodes(route) WHERE n = a OR (n.active AND NOT n.opted_out))
      AND all(r IN relationships(route) WHERE r.gen IS NULL OR r.gen = $gen)
    RETURN [n IN nodes(route) | properties(n)] AS people
    ORDER BY [n IN nodes(route) | n.id]
    LIMIT 1
    """


def _path_statement(name: str, bound: str) -> Statement:
    return _read(name, _path_text(bound), (), from_id="STRING", to_id="STRING", gen="STRING")


# built at import, one per bound, so the registry holds every statement the store can send
_PATH_BOUNDED: dict[int, Statement] = {
    max_hops: _path_statement(f"INTRODUCTION_PATH_{max_hops}", _hops(max_hops))
    for max_hops in range(1, MAX_LITERAL_HOPS + 1)
}
# only for a bound above the cap (no introduction needs that many steps, but the contract has no cap): the server's
# warning about unbounded shortest paths is why the bounded statements exist
_PATH_UNBOUNDED = _read(
    "INTRODUCTION_PATH_UNBOUNDED",
    _path_text("*"),
    ("unbounded pattern",),
    from_id="STRING",
    to_id="STRING",
    gen="STRING",
)


def introduction_path(max_hops: int) -> Statement:
    """The shortest-path statement for a hop bound >= 1 (above the cap: unbounded, the caller checks the length)."""
    if max_hops < 1:
        raise ValueError(f"hop bound must be at least 1, got {max_hops}")
    return _PATH_BOUNDED.get(max_hops, _PATH_UNBOUNDED)


COUNTS = _read(
    "COUNTS",
    f"""
    RETURN
      COUNT {{ (p:{PERSON}) }} AS people,
      COUNT {{ (p:{PERSON}) WHERE p.active AND NOT p.opted_out }} AS active_people,
      COUNT {{ (p:{PERSON}) WHERE p.opted_out }} AS opted_out,
      COUNT {{ (:{SKILL}) }} AS skills,
      COUNT {{ (:{COMMUNITY}) }} AS communities,
      COUNT {{ (:{POST}) }} AS posts,
      COUNT {{ ()-[:{MEMBER_OF}]->() }} AS memberships,
      COUNT {{ ()-[:{HAS_SKILL}]->() }} AS skill_claims,
      COUNT {{ ()-[:{ENDORSED}]->() }} AS endorsements,
      COUNT {{ ()-[:{ENGAGED}]->() }} AS engagements,
      COUNT {{ ()-[:{REPORTS_TO}]->() }} AS reports_to,
      COUNT {{ ()-[r:{INTERACTS}]->() WHERE r.gen = $gen }} AS interactions,
      COUNT {{ ()-[r:{EXPERT_IN}]->() WHERE r.gen = $gen }} AS expertise,
      COUNT {{ (s:{SCORES}) WHERE s.gen = $gen }} AS scored_people
    """,
    gen="STRING",
)

# --- dump (tests and tooling): every stored fact --------------------------------------------------------------

DUMP_PEOPLE = _read("DUMP_PEOPLE", f"MATCH (n:{PERSON}) RETURN properties(n) AS props")
DUMP_POSTS = _read("DUMP_POSTS", f"MATCH (n:{POST}) RETURN properties(n) AS props")
DUMP_HAS_SKILL = _read(
    "DUMP_HAS_SKILL",
    f"""
    MATCH (p:{PERSON})-[r:{HAS_SKILL}]->(s:{SKILL})
    RETURN p.id AS person_id, s.name AS skill, properties(r) AS props
    """,
)
DUMP_MEMBER_OF = _read(
    "DUMP_MEMBER_OF",
    f"""
    MATCH (p:{PERSON})-[r:{MEMBER_OF}]->(c:{COMMUNITY})
    RETURN p.id AS person_id, c.id AS community_id, properties(r) AS props
    """,
)
DUMP_INTERACTS = _read(
    "DUMP_INTERACTS",
    f"""
    MATCH (a:{PERSON})-[r:{INTERACTS} {{gen: $gen}}]->(b:{PERSON})
    RETURN a.id AS source_id, b.id AS target_id, properties(r) AS props
    """,
    gen="STRING",
)
DUMP_EXPERT_IN = _read(
    "DUMP_EXPERT_IN",
    f"""
    MATCH (p:{PERSON})-[r:{EXPERT_IN} {{gen: $gen}}]->(s:{SKILL})
    RETURN p.id AS person_id, s.name AS skill, r.score AS score, r.evidence AS evidence,
           r.expertise_rank AS expertise_rank, r.last_active AS last_active
    """,
    gen="STRING",
)
DUMP_SCORES = _read("DUMP_SCORES", f"MATCH (n:{SCORES} {{gen: $gen}}) RETURN properties(n) AS props", gen="STRING")
DUMP_INFLUENCE = _read(
    "DUMP_INFLUENCE", f"MATCH (n:{INFLUENCE} {{gen: $gen}}) RETURN properties(n) AS props", gen="STRING"
)
DUMP_HEALTH = _read("DUMP_HEALTH", f"MATCH (n:{HEALTH} {{gen: $gen}}) RETURN properties(n) AS props", gen="STRING")

# --- tests: wipe a database before a contract run (never called by the store itself) -----------------------------

# relationships first, a batch at a time: DETACH DELETE of 10,000 nodes of a 2,000-person organisation took every
# one of their relationships into one transaction and passed the test server's transaction memory limit
WIPE_RELATIONSHIPS_BATCH = _write(
    "WIPE_RELATIONSHIPS_BATCH",
    "MATCH ()-[r]->() WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted",
    limit="INTEGER",
)
WIPE_BATCH = _write(
    "WIPE_BATCH",
    "MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted",
    limit="INTEGER",
)

ALL_STATEMENTS: Mapping[str, Statement] = MappingProxyType(_REGISTRY)

__all__ = [
    "ALL_STATEMENTS",
    "MAX_LITERAL_HOPS",
    "SCHEMA",
    "Statement",
    "introduction_path",
]
